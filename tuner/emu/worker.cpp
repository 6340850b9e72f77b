#include "emu/worker.hpp"

#include "emu/device_registry.hpp"

#include <boost/context/detail/fcontext.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace lutgemm::emu::detail {
namespace ctx = boost::context::detail;
using lutgemm_emu::Thread;
static_assert(kDone == lutgemm_emu::kThreadStateDone, "the device runtime reads this state");

void LaunchShared::set_error(ErrorKind kind, std::string message) {
  {
    std::lock_guard lock(mutex_);
    if (!has_error_) {
      has_error_ = true;
      kind_ = kind;
      message_ = std::move(message);
    }
  }
  abort.store(true);
}
bool LaunchShared::has_error() const {
  std::lock_guard lock(mutex_);
  return has_error_;
}
ErrorKind LaunchShared::error_kind() const {
  std::lock_guard lock(mutex_);
  return kind_;
}
std::string LaunchShared::error_message() const {
  std::lock_guard lock(mutex_);
  return message_;
}

namespace {

// initial-exec: as fast as the local-exec model an executable's code gets, and also valid in the
// emulated CUDA driver (a shared object holding a copy of this code, tuner/emu_driver/).
#define LUTGEMM_EMU_TLS __attribute__((tls_model("initial-exec")))

thread_local Worker* g_worker LUTGEMM_EMU_TLS = nullptr;

Worker* worker_of(Thread* t) {
  return static_cast<Worker*>(t->block->host);
}

void hook_barrier(Thread* t, const char* file, unsigned line, int kind, int predicate) {
  worker_of(t)->barrier(t, file, line, kind, predicate);
}
void hook_warp_op(Thread* t, const char* file, unsigned line) {
  worker_of(t)->warp_op(t, file, line);
}
void hook_yield(Thread* t) {
  worker_of(t)->yield(t);
}
void hook_shared_access(Thread* t, const void* addr, std::size_t bytes, int is_write) {
  worker_of(t)->shared_access(t, addr, bytes, is_write != 0);
}
void hook_log_full(Thread* t) {
  worker_of(t)->log_full(t);
}

std::string dim_text(const lutgemm_emu::U3& d) {
  return fmt::format("({},{},{})", d.x, d.y, d.z);
}

const char* base_name(const char* file) {
  const char* slash = std::strrchr(file, '/');
  return slash != nullptr ? slash + 1 : file;
}

} // namespace

// AddressSanitizer (LUTGEMM_SANITIZE builds) must be told about every stack switch, or it reports
// false stack errors; in other builds these are empty.
static void asan_start_switch(void** fake_stack, const void* bottom, std::size_t size) {
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#else
  (void)fake_stack, (void)bottom, (void)size;
#endif
}
static void asan_finish_switch(void* fake_stack, const void** bottom_old, std::size_t* size_old) {
#if defined(__SANITIZE_ADDRESS__)
  __sanitizer_finish_switch_fiber(fake_stack, bottom_old, size_old);
#else
  (void)fake_stack, (void)bottom_old, (void)size_old;
#endif
}

// The entry that fibers call: set once per worker thread before its fibers start.
namespace {
thread_local void (*g_entry)(void**) LUTGEMM_EMU_TLS = nullptr;
thread_local void** g_args LUTGEMM_EMU_TLS = nullptr;

void fiber_entry(ctx::transfer_t transfer) {
  Thread* t = static_cast<Thread*>(transfer.data);
  t->back = transfer.fctx;
  Worker* w = worker_of(t);
  asan_finish_switch(nullptr, &w->main_stack_bottom, &w->main_stack_size);
  g_entry(g_args);
  t->state = kDone;
  asan_start_switch(nullptr, w->main_stack_bottom, w->main_stack_size); // this fiber is done
  ctx::jump_fcontext(t->back, nullptr);
  std::abort(); // a finished fiber is never resumed
}
} // namespace

Worker::Worker(LaunchShared& launch) : launch_(launch) {
  hooks_.barrier = &hook_barrier;
  hooks_.warp_op = &hook_warp_op;
  hooks_.yield = &hook_yield;
  hooks_.shared_access = &hook_shared_access;
  counting_ = launch.options.counters != nullptr;
  hooks_.log_full = &hook_log_full;
  block_.hooks = &hooks_;
  block_.host = this;
  const LaunchConfig& c = launch.config;
  block_.block_dim = {c.block.x, c.block.y, c.block.z};
  block_.grid_dim = {c.grid.x, c.grid.y, c.grid.z};
  n_ = launch.threads_per_block;
  pool_ = StackPool::acquire(n_);
  queue_.resize(std::size_t(n_) * 2 + 2);
  wsync_.assign((n_ + 31) / 32, 0);
  arena_bytes_ = (std::size_t(c.dynamic_smem_bytes) + 4095) / 4096 * 4096;
  if (arena_bytes_ > 0) {
    arena_ = static_cast<unsigned char*>(std::aligned_alloc(4096, arena_bytes_));
    // Uninitialized shared memory reads as NaN / all ones, never as convenient zeros.
    std::memset(arena_, 0xff, arena_bytes_);
  }
  block_.dynamic_smem = arena_;
}

Worker::~Worker() {
  std::free(arena_);
  if (pool_)
    StackPool::release(std::move(pool_));
}

std::string Worker::where(const Thread* t) const {
  if (t == nullptr)
    return fmt::format("block {}", dim_text(block_.block_idx));
  return fmt::format("block {} thread {}", dim_text(block_.block_idx), dim_text(t->thread_idx));
}

void Worker::fail(ErrorKind kind, const std::string& detail, const Thread* t) {
  launch_.set_error(
      kind, fmt::format("{}: {}: {}: {}", launch_.kernel_name, to_string(kind), where(t), detail));
}

void Worker::fail_in_fiber(ErrorKind kind, std::string detail, const Thread* t) {
  // The message is completed on the worker's stack after the jump: the fiber's frames are
  // abandoned, so nothing they own may hold memory (detail is moved out and left empty).
  in_fiber_ = 0;
  pending_kind_ = kind;
  pending_detail_ = std::move(detail);
  pending_thread_ = t;
  siglongjmp(jmp_, 3);
}

void Worker::setup_race_ranges() {
  block_.static_lo = block_.static_hi = block_.dynamic_lo = block_.dynamic_hi = 0;
  block_.race_check = launch_.options.race_check ? 1 : 0;
  if (!launch_.options.race_check && !counting_)
    return;
  if (launch_.touch_tls != nullptr && launch_.static_smem_bytes > 0) {
    launch_.touch_tls();
    void* tls = nullptr;
    if (::dlinfo(launch_.library_handle, RTLD_DI_TLS_DATA, &tls) == 0 && tls != nullptr) {
      block_.static_lo = reinterpret_cast<std::uintptr_t>(tls);
      block_.static_hi = block_.static_lo + launch_.static_smem_bytes;
      static_shadow_.assign(launch_.static_smem_bytes, Shadow{});
      static_ignored_.assign(launch_.static_smem_bytes, 0);
      if (launch_.tls_guards != nullptr)
        for (const auto& [offset, bytes] : *launch_.tls_guards)
          for (std::size_t i = offset; i < offset + bytes && i < static_ignored_.size(); ++i)
            static_ignored_[i] = 1;
    }
  }
  if (arena_bytes_ > 0) {
    block_.dynamic_lo = reinterpret_cast<std::uintptr_t>(arena_);
    block_.dynamic_hi = block_.dynamic_lo + launch_.config.dynamic_smem_bytes;
    dynamic_shadow_.assign(launch_.config.dynamic_smem_bytes, Shadow{});
  }
  spaces_ = AddressSpaces{block_.static_lo, block_.static_hi, block_.dynamic_lo, block_.dynamic_hi,
                          &launch_.device_ranges};
}

void Worker::run() {
  g_worker = this;
  g_entry = launch_.entry;
  g_args = launch_.args;
  native = pthread_self();
  // Faults on a fiber (stack overflow included) are handled on this alternate stack.
  constexpr std::size_t kAltBytes = 64 * 1024;
  altstack_ = std::malloc(kAltBytes);
  stack_t alt{};
  alt.ss_sp = altstack_;
  alt.ss_size = kAltBytes;
  stack_t old_alt{};
  ::sigaltstack(&alt, &old_alt);
  setup_race_ranges();

  const int code = sigsetjmp(jmp_, 1);
  if (code != 0) {
    armed_ = 0;
    in_fiber_ = 0;
    after_jump(code);
  } else {
    armed_ = 1;
    while (!launch_.abort.load(std::memory_order_relaxed)) {
      const std::uint64_t b = launch_.next_block.fetch_add(1);
      if (b >= launch_.total_blocks || !run_block(b))
        break;
    }
    armed_ = 0;
  }
  if (launch_.abort.load())
    pool_->forget_abandoned_frames(); // fibers of an unfinished block were left suspended
  ::sigaltstack(&old_alt, nullptr);
  std::free(altstack_);
  altstack_ = nullptr;
  g_worker = nullptr;
}

bool Worker::run_block(std::uint64_t linear_block) {
  const lutgemm_emu::U3 g = block_.grid_dim;
  block_.block_idx = {static_cast<unsigned>(linear_block % g.x),
                      static_cast<unsigned>((linear_block / g.x) % g.y),
                      static_cast<unsigned>(linear_block / (std::uint64_t(g.x) * g.y))};
  const lutgemm_emu::U3 d = block_.block_dim;
  live_ = n_;
  exited_ = 0;
  arrived_ = 0;
  first_exited_ = nullptr;
  ++epoch_;
  queue_head_ = queue_tail_ = 0;
  if (counting_) {
    counters_.blocks += 1;
    counters_.warps += (n_ + 31) / 32;
    counters_.threads += n_;
  }
  for (std::uint32_t i = 0; i < n_; ++i) {
    Thread* t = thread(i);
    t->thread_idx = {i % d.x, (i / d.x) % d.y, i / (d.x * d.y)};
    t->linear = i;
    t->lane = i % 32;
    t->warp = i / 32;
    t->block = &block_;
    t->state = kRunnable;
    t->wait_file = nullptr;
    t->wait_line = 0;
    std::fill(std::begin(t->ops), std::end(t->ops), 0u);
    t->log = t->log_next = t->log_end = nullptr;
    if (counting_)
      log_.attach(t);
    t->fiber = ctx::make_fcontext(pool_->stack_top(i), StackPool::stack_bytes(), &fiber_entry);
    queue_[queue_tail_++] = i;
  }
  const std::size_t qsize = queue_.size();
  while (queue_head_ != queue_tail_) {
    if (launch_.abort.load(std::memory_order_relaxed))
      return false;
    const std::uint32_t i = queue_[queue_head_];
    queue_head_ = (queue_head_ + 1) % qsize;
    Thread* t = thread(i);
    t->state = kRunning;
    current_ = t;
    void* fake_stack = nullptr;
    asan_start_switch(&fake_stack,
                      static_cast<char*>(pool_->stack_top(i)) - StackPool::stack_bytes(),
                      StackPool::stack_bytes());
    in_fiber_ = 1;
    const ctx::transfer_t back = ctx::jump_fcontext(t->fiber, t);
    in_fiber_ = 0;
    asan_finish_switch(fake_stack, nullptr, nullptr);
    t->fiber = back.fctx;
    if (t->state == kDone) {
      --live_;
      ++exited_;
      if (first_exited_ == nullptr)
        first_exited_ = t;
      after_exit(t);
      if (arrived_ > 0 && arrived_ == live_) {
        fail(ErrorKind::barrier_divergence,
             fmt::format("waits at __syncthreads() at {}:{}, but thread {} of the block has "
                         "exited without reaching it",
                         base_name(bar_file_), bar_line_, dim_text(t->thread_idx)),
             bar_first_);
        return false;
      }
    }
  }
  current_ = nullptr;
  if (live_ > 0) {
    diagnose_stall();
    return false;
  }
  if (counting_)
    flush_counters();
  return true;
}

void Worker::suspend(Thread* t) {
  void* fake_stack = nullptr;
  asan_start_switch(&fake_stack, main_stack_bottom, main_stack_size);
  const ctx::transfer_t back = ctx::jump_fcontext(t->back, nullptr);
  asan_finish_switch(fake_stack, &main_stack_bottom, &main_stack_size);
  t->back = back.fctx;
}

void Worker::barrier(Thread* t, const char* file, unsigned line, int kind, int predicate) {
  if (arrived_ == 0) {
    bar_file_ = file;
    bar_line_ = line;
    bar_first_ = t;
    bar_count_ = 0;
    bar_and_ = 1;
    bar_or_ = 0;
  } else if (line != bar_line_ || (file != bar_file_ && std::strcmp(file, bar_file_) != 0)) {
    fail_in_fiber(ErrorKind::barrier_divergence,
                  fmt::format("waits at __syncthreads() at {}:{} while thread {} waits at the "
                              "one at {}:{}",
                              base_name(file), line, dim_text(bar_first_->thread_idx),
                              base_name(bar_file_), bar_line_),
                  t);
  }
  ++arrived_;
  bar_count_ += predicate;
  bar_and_ &= predicate;
  bar_or_ |= predicate;
  t->state = kWaitBarrier;
  t->wait_file = file;
  t->wait_line = line;
  if (arrived_ < live_) {
    suspend(t);
    return;
  }
  if (exited_ > 0)
    fail_in_fiber(ErrorKind::barrier_divergence,
                  fmt::format("waits at __syncthreads() at {}:{}, but thread {} of the block has "
                              "exited without reaching it",
                              base_name(file), line, dim_text(first_exited_->thread_idx)),
                  t);
  const int result = kind == lutgemm_emu::kBarrierCount ? bar_count_
                     : kind == lutgemm_emu::kBarrierAnd ? bar_and_
                     : kind == lutgemm_emu::kBarrierOr  ? bar_or_
                                                        : 0;
  const std::size_t qsize = queue_.size();
  for (std::uint32_t i = 0; i < n_; ++i) {
    Thread* o = thread(i);
    if (o->state != kWaitBarrier)
      continue;
    o->barrier_result = result;
    if (o != t) {
      o->state = kRunnable;
      queue_[queue_tail_] = i;
      queue_tail_ = (queue_tail_ + 1) % qsize;
    }
  }
  t->state = kRunning;
  arrived_ = 0;
  ++epoch_; // a new interval between barriers for the race check
  if (counting_) {
    flush_counters();
    counters_.barriers += (live_ + 31) / 32; // approximately: warps with live threads
  }
}

void Worker::flush_warp_counters(std::uint32_t warp) {
  const std::uint32_t wbase = warp * 32;
  const std::uint32_t lanes = std::min<std::uint32_t>(32, n_ - wbase);
  std::array<Thread*, 32> threads{};
  for (std::uint32_t l = 0; l < lanes; ++l)
    threads[l] = thread(wbase + l);
  log_.flush_warp(threads.data(), lanes, spaces_, counters_);
  std::array<std::uint32_t, lutgemm_emu::kOpKinds> most{};
  for (std::uint32_t l = 0; l < lanes; ++l) {
    Thread* o = threads[l];
    for (int k = 0; k < lutgemm_emu::kOpKinds; ++k) {
      counters_.thread_ops[k] += o->ops[k];
      most[k] = std::max(most[k], o->ops[k]);
      o->ops[k] = 0;
    }
  }
  for (int k = 0; k < lutgemm_emu::kOpKinds; ++k)
    counters_.warp_ops_by_kind[k] += most[k];
}

void Worker::flush_counters() {
  for (std::uint32_t w = 0; w < (n_ + 31) / 32; ++w)
    flush_warp_counters(w);
}

void Worker::warp_op(Thread* t, const char* file, unsigned line) {
  t->state = kWaitWarp;
  t->wait_file = file;
  t->wait_line = line;
  if (!try_complete_warp(t, true))
    suspend(t);
}

void Worker::after_exit(const Thread* exited) {
  // A lane that exits may complete an __activemask() its warp waits in (its group shrinks).
  const std::uint32_t wbase = exited->warp * 32;
  const std::uint32_t lanes = std::min<std::uint32_t>(32, n_ - wbase);
  for (std::uint32_t l = 0; l < lanes; ++l) {
    Thread* o = thread(wbase + l);
    if (o->state == kWaitWarp && o->warp_kind == lutgemm_emu::kWarpActive) {
      try_complete_warp(o, false);
      return;
    }
  }
}

bool Worker::try_complete_warp(Thread* t, bool on_fiber) {
  const std::uint32_t wbase = t->warp * 32;
  const std::uint32_t lanes = std::min<std::uint32_t>(32, n_ - wbase);
  const unsigned exist = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1u);
  unsigned group = (t->warp_mask | (1u << t->lane)) & exist;
  if (t->warp_kind == lutgemm_emu::kWarpActive) {
    group = 0; // every lane that has not exited
    for (std::uint32_t l = 0; l < lanes; ++l)
      if (thread(wbase + l)->state != kDone)
        group |= 1u << l;
  }
  for (unsigned m = group; m != 0; m &= m - 1) {
    const Thread* o = thread(wbase + __builtin_ctz(m));
    if (o->state == kDone) {
      if (!on_fiber)
        return false; // diagnose_stall() reports it if nothing else can run
      fail_in_fiber(ErrorKind::barrier_divergence,
                    fmt::format("warp operation at {}:{} with mask {:#010x} names thread {}, "
                                "which has exited",
                                base_name(t->wait_file), t->wait_line, t->warp_mask,
                                dim_text(o->thread_idx)),
                    t);
    }
    if (o->state != kWaitWarp)
      return false;
  }
  // Everyone in the group has arrived: compute each lane's result.
  unsigned ballot = 0;
  std::uint64_t add = 0, band = ~0ull, bor = 0, bxor = 0;
  std::uint32_t umin = ~0u, umax = 0;
  std::int32_t imin = INT32_MAX, imax = INT32_MIN;
  for (unsigned m = group; m != 0; m &= m - 1) {
    const unsigned lane = __builtin_ctz(m);
    const std::uint64_t v = thread(wbase + lane)->warp_value;
    if (v != 0)
      ballot |= 1u << lane;
    const auto u = static_cast<std::uint32_t>(v);
    const auto i = static_cast<std::int32_t>(u);
    add += u;
    band &= u;
    bor |= u;
    bxor ^= u;
    umin = std::min(umin, u);
    umax = std::max(umax, u);
    imin = std::min(imin, i);
    imax = std::max(imax, i);
  }
  const std::size_t qsize = queue_.size();
  for (unsigned m = group; m != 0; m &= m - 1) {
    const unsigned lane = __builtin_ctz(m);
    Thread* o = thread(wbase + lane);
    std::uint64_t r = 0;
    switch (o->warp_kind) {
    case lutgemm_emu::kWarpShfl: {
      const unsigned src = o->warp_src;
      r = (src < 32 && ((exist >> src) & 1u)) ? thread(wbase + src)->warp_value : o->warp_value;
      break;
    }
    case lutgemm_emu::kWarpBallot:
      r = ballot | (std::uint64_t(group) << 32);
      break;
    case lutgemm_emu::kWarpActive:
      r = group;
      break;
    case lutgemm_emu::kWarpReduceAddU:
      r = static_cast<std::uint32_t>(add);
      break;
    case lutgemm_emu::kWarpReduceMinU:
      r = umin;
      break;
    case lutgemm_emu::kWarpReduceMaxU:
      r = umax;
      break;
    case lutgemm_emu::kWarpReduceMinI:
      r = static_cast<std::uint32_t>(imin);
      break;
    case lutgemm_emu::kWarpReduceMaxI:
      r = static_cast<std::uint32_t>(imax);
      break;
    case lutgemm_emu::kWarpReduceAnd:
      r = static_cast<std::uint32_t>(band);
      break;
    case lutgemm_emu::kWarpReduceOr:
      r = static_cast<std::uint32_t>(bor);
      break;
    case lutgemm_emu::kWarpReduceXor:
      r = static_cast<std::uint32_t>(bxor);
      break;
    default:
      break;
    }
    o->warp_result = r;
    if (o != t || !on_fiber) {
      o->state = kRunnable;
      queue_[queue_tail_] = wbase + lane;
      queue_tail_ = (queue_tail_ + 1) % qsize;
    }
  }
  if (on_fiber)
    t->state = kRunning;
  ++wsync_[t->warp];
  if (counting_) {
    counters_.warp_ops += 1;
    if (t->warp_kind == lutgemm_emu::kWarpShfl) {
      counters_.thread_ops[lutgemm_emu::kOpShfl] += __builtin_popcount(group);
      counters_.warp_ops_by_kind[lutgemm_emu::kOpShfl] += 1;
    }
    // The lanes' logs line up only when the whole warp met here (not a subset of its lanes).
    unsigned live_lanes = 0;
    for (std::uint32_t l = 0; l < lanes; ++l)
      if (thread(wbase + l)->state != kDone)
        live_lanes |= 1u << l;
    if ((group & live_lanes) == live_lanes) {
      flush_warp_counters(t->warp);
    }
  }
  return true;
}

void Worker::yield(Thread* t) {
  if (launch_.abort.load(std::memory_order_relaxed))
    siglongjmp(jmp_, 4);
  if (queue_head_ == queue_tail_)
    return; // nobody else can run
  t->state = kRunnable;
  const std::size_t qsize = queue_.size();
  queue_[queue_tail_] = t->linear;
  queue_tail_ = (queue_tail_ + 1) % qsize;
  suspend(t);
}

void Worker::diagnose_stall() {
  const Thread* at_barrier = nullptr;
  const Thread* at_warp = nullptr;
  std::uint32_t n_barrier = 0, n_warp = 0;
  for (std::uint32_t i = 0; i < n_; ++i) {
    const Thread* o = thread(i);
    if (o->state == kWaitBarrier) {
      ++n_barrier;
      if (at_barrier == nullptr)
        at_barrier = o;
    } else if (o->state == kWaitWarp) {
      ++n_warp;
      if (at_warp == nullptr)
        at_warp = o;
      const std::uint32_t wbase = o->warp * 32;
      const std::uint32_t lanes = std::min<std::uint32_t>(32, n_ - wbase);
      const unsigned exist = lanes == 32 ? 0xffffffffu : ((1u << lanes) - 1u);
      for (unsigned m = o->warp_mask & exist; m != 0; m &= m - 1) {
        const Thread* l = thread(wbase + __builtin_ctz(m));
        if (l->state == kDone) {
          fail(ErrorKind::barrier_divergence,
               fmt::format("waits in a warp operation at {}:{} with mask {:#010x} for thread "
                           "{}, which has exited",
                           base_name(o->wait_file), o->wait_line, o->warp_mask,
                           dim_text(l->thread_idx)),
               o);
          return;
        }
      }
    }
  }
  std::string detail =
      fmt::format("no thread of the block can proceed ({} of {} threads exited)", exited_, n_);
  if (at_barrier != nullptr)
    detail += fmt::format("; {} wait at __syncthreads() at {}:{} (e.g. thread {})", n_barrier,
                          base_name(at_barrier->wait_file), at_barrier->wait_line,
                          dim_text(at_barrier->thread_idx));
  if (at_warp != nullptr)
    detail += fmt::format("; {} wait in a warp operation at {}:{} (e.g. thread {})", n_warp,
                          base_name(at_warp->wait_file), at_warp->wait_line,
                          dim_text(at_warp->thread_idx));
  fail(ErrorKind::deadlock, detail, nullptr);
}

void Worker::on_fault(int signal, void* address, bool write) {
  fault_signal_ = signal;
  fault_address_ = address;
  fault_write_ = write;
  siglongjmp(jmp_, 2);
}

void Worker::on_timeout_signal() {
  siglongjmp(jmp_, 5);
}

void Worker::after_jump(int code) {
  const Thread* t = current_;
  if (code == 2) {
    const int sig = fault_signal_;
    void* address = fault_address_;
    if ((sig == SIGSEGV || sig == SIGBUS) && pool_->is_guard(address)) {
      fail(ErrorKind::crash,
           fmt::format("stack overflow (the fiber stack holds {} KiB)",
                       StackPool::stack_bytes() / 1024),
           t);
    } else if (sig == SIGSEGV || sig == SIGBUS) {
      fail(ErrorKind::out_of_bounds,
           fmt::format("invalid global {} at address {}: {}", fault_write_ ? "write" : "read",
                       address, describe_device_address(address)),
           t);
    } else {
      fail(ErrorKind::crash, fmt::format("signal {} ({}) in kernel code", sig, ::strsignal(sig)),
           t);
    }
  } else if (code == 5) {
    fail(ErrorKind::timeout,
         fmt::format("still running after {} s (interrupted here)", launch_.options.timeout_s), t);
  } else if (code == 3) {
    fail(pending_kind_, pending_detail_, pending_thread_);
  }
  // code 4: the launch was aborted by another worker's error or the timeout.
}

void Worker::race_report(Thread* t, std::uintptr_t addr, bool write, std::uint16_t other,
                         bool other_write) {
  const bool is_static = addr >= block_.static_lo && addr < block_.static_hi;
  const std::uintptr_t offset = addr - (is_static ? block_.static_lo : block_.dynamic_lo);
  std::string who = other == 0xffff
                        ? std::string("other threads")
                        : fmt::format("thread {}", dim_text(thread(other - 1u)->thread_idx));
  fail_in_fiber(ErrorKind::shared_race,
                fmt::format("{} of {} shared memory at byte offset {} (address {:#x}) races with "
                            "a {} by {} since the last barrier",
                            write ? "write" : "read", is_static ? "static" : "dynamic", offset,
                            addr, other_write ? "write" : "read", who),
                t);
}

void Worker::log_full(Thread* t) {
  log_.grow(t);
}

void Worker::shared_access(Thread* t, const void* addr, std::size_t bytes, bool write) {
  const auto a = reinterpret_cast<std::uintptr_t>(addr);
  const std::uint16_t me = static_cast<std::uint16_t>(t->linear + 1);
  const std::uint32_t my_warp = t->warp;
  for (std::size_t i = 0; i < bytes; ++i) {
    const std::uintptr_t p = a + i;
    Shadow* s;
    if (p >= block_.static_lo && p < block_.static_hi) {
      if (static_ignored_[p - block_.static_lo])
        continue;
      s = &static_shadow_[p - block_.static_lo];
    } else if (p >= block_.dynamic_lo && p < block_.dynamic_hi)
      s = &dynamic_shadow_[p - block_.dynamic_lo];
    else
      continue;
    if (s->epoch != epoch_)
      *s = Shadow{epoch_, 0, 0, 0, 0};
    // Ordered: the earlier access was by a lane of the same warp and the warp synchronized since.
    auto ordered = [&](std::uint16_t other, std::uint32_t other_wsync) {
      return (other - 1u) / 32 == my_warp && wsync_[my_warp] != other_wsync;
    };
    if (s->writer != 0 && s->writer != me && !ordered(s->writer, s->writer_wsync))
      race_report(t, p, write, s->writer, true);
    if (write) {
      if (s->reader == 0xffff ||
          (s->reader != 0 && s->reader != me && !ordered(s->reader, s->reader_wsync)))
        race_report(t, p, write, s->reader, false);
      s->writer = me;
      s->writer_wsync = wsync_[my_warp];
    } else if (s->reader == 0 || s->reader == me || ordered(s->reader, s->reader_wsync)) {
      s->reader = me;
      s->reader_wsync = wsync_[my_warp];
    } else {
      s->reader = 0xffff;
    }
  }
}

// ---- signals ---------------------------------------------------------------------------------
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction g_previous[65];

void forward(int sig, siginfo_t* info, void* context) {
  const struct sigaction& prev = g_previous[sig];
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, context);
  } else if (prev.sa_handler == SIG_IGN) {
    return;
  } else if (prev.sa_handler == SIG_DFL || prev.sa_handler == nullptr) {
    // Let the default action happen: restore it and return, so the fault repeats.
    ::signal(sig, SIG_DFL);
    if (sig == SIGABRT)
      ::raise(sig);
  } else {
    prev.sa_handler(sig);
  }
}

void on_signal(int sig, siginfo_t* info, void* context) {
  Worker* w = g_worker;
  if (sig == timeout_signal()) {
    if (w != nullptr && w->armed() && w->in_fiber())
      w->on_timeout_signal();
    return;
  }
  if (w != nullptr && w->armed() && w->in_fiber()) {
    bool write = false;
#if defined(__x86_64__)
    const auto* uc = static_cast<const ucontext_t*>(context);
    write = sig == SIGSEGV && (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#endif
    w->on_fault(sig, info->si_addr, write);
  }
  forward(sig, info, context);
}

} // namespace

int timeout_signal() {
  return SIGRTMIN + 4;
}

void install_fault_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = &on_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int sig : kSignals)
      ::sigaction(sig, &action, &g_previous[sig]);
    ::sigaction(timeout_signal(), &action, &g_previous[timeout_signal()]);
  });
}

} // namespace lutgemm::emu::detail
