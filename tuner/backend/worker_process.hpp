#pragma once
// Fault isolation: a child process that answers one-line requests with one-line replies over pipes.
// On a GPU an illegal address poisons the whole CUDA context, and a hung kernel never returns, so
// untrusted variants run in a worker (`lutgemm worker`); when it dies or does not answer in time it
// is killed and restarted, and the caller records the disposition and goes on.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace lutgemm::backend {

struct WorkerReply {
  enum class Status { ok, crashed, timeout };
  Status status = Status::ok;
  std::string line;   // the reply (status ok)
  std::string detail; // "killed by signal 11 (Segmentation fault)", "no reply within 30 s"
  int signal = 0;     // the signal that ended a crashed worker, 0 when it exited or hung
};

class WorkerProcess {
public:
  // `argv`: the program and its arguments; started lazily by the first request.
  explicit WorkerProcess(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  ~WorkerProcess();
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  // Sends `line` (no newline inside) and waits up to `timeout` for one reply line. A crashed or
  // timed-out worker is killed and reaped; the next request starts a fresh one.
  WorkerReply request(const std::string& line, std::chrono::milliseconds timeout);

  int restarts() const { return restarts_; }
  bool running() const { return pid_ > 0; }
  void stop(); // closes the pipes, kills and reaps the worker

private:
  void start();
  std::string reap_detail(); // waits for the child; describes how it ended (sets last_signal_)

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffer_;
  int starts_ = 0;
  int restarts_ = 0;
  int last_signal_ = 0;
};

} // namespace lutgemm::backend
