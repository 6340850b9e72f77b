#include "backend/worker_process.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lutgemm::backend {

WorkerProcess::~WorkerProcess() {
  stop();
}

void WorkerProcess::start() {
  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0)
    throw RuntimeError(fmt::format("worker: pipe failed: {}", std::strerror(errno)));
  if (pipe(out_pipe) != 0) {
    close(in_pipe[0]);
    close(in_pipe[1]);
    throw RuntimeError(fmt::format("worker: pipe failed: {}", std::strerror(errno)));
  }
  std::vector<char*> args;
  for (auto& a : argv_)
    args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0)
    throw RuntimeError(fmt::format("worker: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    setpgid(0, 0); // its own process group, so a kill also reaches anything it started
    dup2(in_pipe[0], STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    close(in_pipe[0]);
    close(in_pipe[1]);
    close(out_pipe[0]);
    close(out_pipe[1]);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  pid_ = pid;
  to_child_ = in_pipe[1];
  from_child_ = out_pipe[0];
  buffer_.clear();
  if (starts_++ > 0)
    ++restarts_;
  // A worker that dies must not kill us with SIGPIPE when we write to it.
  signal(SIGPIPE, SIG_IGN);
}

std::string WorkerProcess::reap_detail() {
  int status = 0;
  std::string detail = "worker ended";
  last_signal_ = 0;
  if (pid_ > 0 && waitpid(pid_, &status, 0) == pid_) {
    if (WIFSIGNALED(status))
      last_signal_ = WTERMSIG(status);
    if (WIFSIGNALED(status))
      detail = fmt::format("worker killed by signal {} ({})", WTERMSIG(status),
                           strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
      detail = fmt::format("worker exited with status {}", WEXITSTATUS(status));
  }
  pid_ = -1;
  return detail;
}

void WorkerProcess::stop() {
  if (to_child_ >= 0)
    close(to_child_);
  if (from_child_ >= 0)
    close(from_child_);
  to_child_ = from_child_ = -1;
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    kill(pid_, SIGKILL);
    reap_detail();
  }
}

WorkerReply WorkerProcess::request(const std::string& line, std::chrono::milliseconds timeout) {
  if (pid_ <= 0)
    start();
  WorkerReply reply;
  std::string message = line + "\n";
  std::size_t written = 0;
  while (written < message.size()) {
    auto n = write(to_child_, message.data() + written, message.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      close(to_child_);
      close(from_child_);
      to_child_ = from_child_ = -1;
      reply.status = WorkerReply::Status::crashed;
      reply.detail = reap_detail();
      reply.signal = last_signal_;
      return reply;
    }
    written += static_cast<std::size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
      reply.line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return reply;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      stop();
      reply.status = WorkerReply::Status::timeout;
      reply.detail = fmt::format("no reply within {:.1f} s; worker killed and restarted",
                                 static_cast<double>(timeout.count()) / 1000.0);
      return reply;
    }
    pollfd fd{from_child_, POLLIN, 0};
    int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready > 0) {
      char chunk[4096];
      auto n = read(from_child_, chunk, sizeof chunk);
      if (n > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR)
        continue;
      // EOF: the worker died.
      close(to_child_);
      close(from_child_);
      to_child_ = from_child_ = -1;
      reply.status = WorkerReply::Status::crashed;
      reply.detail = reap_detail();
      reply.signal = last_signal_;
      return reply;
    }
  }
}

} // namespace lutgemm::backend
