// launch(): driver-like configuration checks, blocks on a pool of worker threads, the timeout
// watchdog, and isolated launches in a forked child.
#include "common/error.hpp"
#include "common/outside_failure.hpp"
#include "emu/device_registry.hpp"
#include "emu/loaded_kernel.hpp"
#include "emu/worker.hpp"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lutgemm::emu {
namespace {

[[noreturn]] void reject(const KernelSpec& spec, const std::string& why) {
  throw EmuError(ErrorKind::launch_config,
                 fmt::format("{}: launch_config: {}", spec.name_expression, why));
}

void check_config(const KernelSpec& spec, const LaunchConfig& c, const LaunchOptions& options,
                  std::size_t static_smem) {
  const Dim3& g = c.grid;
  const Dim3& b = c.block;
  if (g.x == 0 || g.y == 0 || g.z == 0 || b.x == 0 || b.y == 0 || b.z == 0)
    reject(spec, fmt::format("grid ({},{},{}) and block ({},{},{}) must be at least 1 in every "
                             "dimension",
                             g.x, g.y, g.z, b.x, b.y, b.z));
  if (g.x > 2147483647u || g.y > 65535 || g.z > 65535)
    reject(spec, fmt::format("grid ({},{},{}) exceeds (2^31-1, 65535, 65535)", g.x, g.y, g.z));
  const std::uint64_t threads = std::uint64_t(b.x) * b.y * b.z;
  if (threads > 1024)
    reject(spec, fmt::format("block ({},{},{}) has {} threads; at most 1024 are allowed", b.x, b.y,
                             b.z, threads));
  if (b.z > 64)
    reject(spec, fmt::format("block ({},{},{}) exceeds 64 in z", b.x, b.y, b.z));
  if (options.smem_limit_bytes > kSmemOptinBytes)
    reject(spec, fmt::format("shared-memory limit {} bytes exceeds the opt-in maximum of {} bytes",
                             options.smem_limit_bytes, kSmemOptinBytes));
  const std::uint64_t smem = static_smem + c.dynamic_smem_bytes;
  if (smem > options.smem_limit_bytes)
    reject(spec, fmt::format("{} bytes of shared memory per block ({} static + {} dynamic) exceed "
                             "the limit of {} bytes",
                             smem, static_smem, c.dynamic_smem_bytes, options.smem_limit_bytes));
}

void run_in_process(const detail::LoadedKernel& kernel, const detail::LoadedLibrary& lib,
                    const LaunchConfig& config, void** args, const LaunchOptions& options) {
  detail::install_fault_handlers();
  detail::LaunchShared shared;
  shared.kernel_name = kernel.spec().name_expression;
  shared.entry = lib.entry;
  shared.args = args;
  shared.config = config;
  shared.options = options;
  shared.total_blocks = std::uint64_t(config.grid.x) * config.grid.y * config.grid.z;
  shared.threads_per_block = config.block.x * config.block.y * config.block.z;
  shared.library_handle = lib.handle;
  shared.touch_tls = lib.touch_tls;
  shared.static_smem_bytes = lib.static_smem_bytes;
  shared.tls_guards = &lib.tls_guards;
  if (options.counters != nullptr)
    shared.device_ranges = detail::device_buffer_ranges();

  unsigned n = options.worker_threads != 0 ? options.worker_threads
                                           : std::max(1u, std::thread::hardware_concurrency());
  n = static_cast<unsigned>(std::min<std::uint64_t>(n, shared.total_blocks));
  std::vector<std::unique_ptr<detail::Worker>> workers;
  for (unsigned i = 0; i < n; ++i)
    workers.push_back(std::make_unique<detail::Worker>(shared));

  std::mutex mutex;
  std::condition_variable cv;
  unsigned finished = 0;
  std::vector<std::thread> threads;
  std::vector<pthread_t> natives(n);
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      workers[i]->run();
      std::lock_guard lock(mutex);
      ++finished;
      cv.notify_all();
    });
    natives[i] = threads.back().native_handle();
  }
  {
    std::unique_lock lock(mutex);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(options.timeout_s);
    if (!cv.wait_until(lock, deadline, [&] { return finished == n; })) {
      // Timeout: stop handing out blocks, then interrupt fibers stuck in kernel code.
      shared.abort.store(true);
      while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished == n; })) {
        for (pthread_t t : natives)
          ::pthread_kill(t, detail::timeout_signal());
      }
      shared.set_error(ErrorKind::timeout, fmt::format("{}: timeout: the launch ran past {} s",
                                                       shared.kernel_name, options.timeout_s));
    }
  }
  for (auto& t : threads)
    t.join();
  if (options.counters != nullptr && !shared.has_error())
    for (const auto& w : workers)
      *options.counters += w->counters();
  if (shared.has_error())
    throw EmuError(shared.error_kind(), shared.error_message());
}

// Runs the launch in a forked child; the buffers are MAP_SHARED, so results reach the parent.
void run_isolated(const Kernel& kernel, const LaunchConfig& config, void** args,
                  const LaunchOptions& options) {
  int fds[2];
  if (::pipe(fds) != 0)
    throw RuntimeError("emulator: pipe() failed for an isolated launch");
  const pid_t pid = ::fork();
  if (pid < 0)
    throw RuntimeError("emulator: fork() failed for an isolated launch");
  if (pid == 0) {
    ::close(fds[0]);
    std::string reply = "ok";
    LaunchOptions inner = options;
    inner.isolate = false;
    LaunchCounters counted;
    if (options.counters != nullptr)
      inner.counters = &counted;
    try {
      launch(kernel, config, args, inner);
      if (options.counters != nullptr)
        reply += "\n" + counted.serialize();
    } catch (const EmuError& e) {
      reply = fmt::format("{}\n{}", static_cast<int>(e.kind()), e.what());
    } catch (const std::exception& e) {
      reply = fmt::format("{}\n{}", static_cast<int>(ErrorKind::crash), e.what());
    }
    std::size_t off = 0;
    while (off < reply.size()) {
      const ssize_t w = ::write(fds[1], reply.data() + off, reply.size() - off);
      if (w <= 0)
        break;
      off += static_cast<std::size_t>(w);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string reply;
  bool timed_out = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(options.timeout_s + 10);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000))) <= 0)
      continue;
    char buffer[4096];
    const ssize_t r = ::read(fds[0], buffer, sizeof buffer);
    if (r <= 0)
      break;
    reply.append(buffer, static_cast<std::size_t>(r));
  }
  ::close(fds[0]);
  if (timed_out)
    ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const std::string& name = kernel.spec().name_expression;
  if (timed_out)
    throw EmuError(ErrorKind::timeout,
                   fmt::format("{}: timeout: the isolated launch ran past {} s and was killed",
                               name, options.timeout_s));
  if (reply == "ok")
    return;
  if (reply.starts_with("ok\n")) {
    if (options.counters != nullptr)
      *options.counters += LaunchCounters::deserialize(reply.substr(3));
    return;
  }
  if (const auto nl = reply.find('\n'); nl != std::string::npos)
    throw EmuError(static_cast<ErrorKind>(std::stoi(reply.substr(0, nl))), reply.substr(nl + 1));
  // Killed before it could answer by a signal a kernel does not raise by faulting (a user's kill,
  // the OOM killer): nothing is known about the kernel.
  if (WIFSIGNALED(status) && is_outside_signal(WTERMSIG(status)))
    throw EmuError(ErrorKind::interrupted, fmt::format("{}: the isolated launch was killed{}", name,
                                                       retryable_note(WTERMSIG(status))));
  throw EmuError(ErrorKind::crash,
                 fmt::format("{}: crash: the isolated launch died ({})", name,
                             WIFSIGNALED(status)
                                 ? fmt::format("signal {}, {}", WTERMSIG(status),
                                               ::strsignal(WTERMSIG(status)))
                                 : fmt::format("exit status {}", WEXITSTATUS(status))));
}

} // namespace

void launch(const Kernel& kernel, const LaunchConfig& config, void** args,
            const LaunchOptions& options) {
  const auto* loaded = dynamic_cast<const detail::LoadedKernel*>(&kernel);
  if (loaded == nullptr)
    throw RuntimeError("emu::launch: the kernel was not loaded by emu::load_kernel");
  check_config(kernel.spec(), config, options, loaded->library().static_smem_bytes);
  if (options.isolate) {
    run_isolated(kernel, config, args, options);
    return;
  }
  // The race check and the counters both need the instrumented build.
  const detail::LoadedLibrary& lib = options.race_check || options.counters != nullptr
                                         ? loaded->race_library()
                                         : loaded->library();
  run_in_process(*loaded, lib, config, args, options);
}

} // namespace lutgemm::emu
