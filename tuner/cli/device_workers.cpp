#include "cli/device_workers.hpp"

#include "common/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lutgemm::cli {
namespace {

// This process's arguments after the program name, as it was started.
std::vector<std::string> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string arg;
  for (char c : text) {
    if (c != '\0') {
      arg += c;
      continue;
    }
    args.push_back(arg);
    arg.clear();
  }
  if (!args.empty())
    args.erase(args.begin());
  return args;
}

// The worker's arguments: ours without --devices (and its value), without --json and --quiet
// (added again below), plus the worker's own options; with `progress`, its progress lines, named
// by device.
std::vector<std::string> worker_arguments(int ordinal, int first, bool progress) {
  std::vector<std::string> args;
  const auto own = own_arguments();
  for (std::size_t i = 0; i < own.size(); ++i) {
    if (own[i] == "--devices") {
      ++i; // its value
      continue;
    }
    if (own[i].rfind("--devices=", 0) == 0 || own[i] == "--json" || own[i] == "--quiet")
      continue;
    args.push_back(own[i]);
  }
  args.insert(args.end(), {"--device", std::to_string(ordinal), "--devices-worker",
                           std::to_string(first), "--json", "--quiet"});
  if (progress)
    args.insert(args.end(), {"--progress-prefix", fmt::format("device {}: ", ordinal)});
  return args;
}

pid_t start_worker(const std::vector<std::string>& args, const std::string& out_path) {
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> argv{exe};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> raw;
  for (auto& a : argv)
    raw.push_back(a.data());
  raw.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0)
    throw RuntimeError(fmt::format("--devices: fork failed: {}", std::strerror(errno)));
  if (pid == 0) {
    // Its own process group: a Ctrl-C reaches the parent alone, which forwards it once (a second
    // SIGINT would end a worker mid-variant). It dies with the parent.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
      _exit(143);
    const int out = open(out_path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (out >= 0)
      dup2(out, STDOUT_FILENO);
    execv(raw[0], raw.data());
    _exit(127);
  }
  return pid;
}

std::map<std::string, std::size_t> evaluated_of(const std::string& json_path) {
  std::ifstream in(json_path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  std::map<std::string, std::size_t> evaluated;
  if (j.is_discarded() || !j.contains("problems"))
    return evaluated;
  for (const auto& p : j["problems"])
    evaluated[p.value("problem", "")] = p.value("evaluated", std::size_t{0});
  return evaluated;
}

} // namespace

std::vector<DeviceWorkerExit> run_device_workers(const std::vector<int>& ordinals,
                                                 const std::atomic<bool>& stop, bool progress) {
  struct Running {
    pid_t pid = -1;
    std::string out_path;
    DeviceWorkerExit exit;
  };
  std::vector<Running> workers;
  for (int ordinal : ordinals) {
    Running w;
    // The worker's --json summary goes to a file of its own ($TMPDIR honoured).
    std::string path = (std::filesystem::temp_directory_path() / "lutgemm-devices-XXXXXX").string();
    const int fd = mkstemp(path.data());
    if (fd < 0)
      throw RuntimeError(
          fmt::format("--devices: cannot create a temporary file: {}", std::strerror(errno)));
    close(fd);
    w.out_path = path;
    w.exit.ordinal = ordinal;
    w.pid = start_worker(worker_arguments(ordinal, ordinals.front(), progress), w.out_path);
    workers.push_back(std::move(w));
  }
  bool forwarded = false;
  for (std::size_t left = workers.size(); left > 0;) {
    if (stop.load() && !forwarded) {
      for (const auto& w : workers)
        if (w.pid > 0)
          kill(w.pid, SIGINT);
      forwarded = true;
    }
    for (auto& w : workers) {
      int status = 0;
      if (w.pid <= 0 || waitpid(w.pid, &status, WNOHANG) != w.pid)
        continue;
      w.exit.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      w.pid = -1;
      --left;
    }
    if (left > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::vector<DeviceWorkerExit> exits;
  for (auto& w : workers) {
    w.exit.evaluated = evaluated_of(w.out_path);
    std::remove(w.out_path.c_str());
    exits.push_back(std::move(w.exit));
  }
  return exits;
}

} // namespace lutgemm::cli
