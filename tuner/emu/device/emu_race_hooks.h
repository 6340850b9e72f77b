#pragma once
// Race-check builds of a kernel library: compiled with -fsanitize=thread, which makes the
// compiler call __tsan_readN/__tsan_writeN before every memory access, but linked without the
// TSan runtime: these definitions are that runtime. Accesses inside the running block's shared
// memory go to the host's race checker (Block::hooks->shared_access); everything else returns at
// once. In counting launches every access is also appended to the thread's log. The
// runtime's own functions are not instrumented (no_sanitize_thread), and atomics are left alone:
// atomic accesses never race.
#include "emu_abi.h"

#define LUTGEMM_EMU_NO_TSAN                                                                        \
  __attribute__((no_sanitize_thread, noinline, optimize("optimize-sibling-calls")))
#define LUTGEMM_EMU_NO_TSAN_INLINE __attribute__((no_sanitize_thread, always_inline)) inline

namespace lutgemm_emu {
// The running fiber's Thread, from the stack pointer: unlike the frame address, reading it needs no
// frame, so the hooks below (a call per load and store of the kernel) set none up on their fast
// path.
LUTGEMM_EMU_NO_TSAN_INLINE Thread* hook_self() {
  uintptr_t sp;
#if defined(__x86_64__)
  __asm__("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  __asm__("mov %0, sp" : "=r"(sp));
#else
  sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
  return reinterpret_cast<Thread*>(sp & ~(uintptr_t)(kSlotBytes - 1));
}
// The race check of a plain access: one of the running block's shared ranges goes to the host.
LUTGEMM_EMU_NO_TSAN void race_check_access(Thread* t, uintptr_t a, size_t bytes, int is_write) {
  const Block* b = t->block;
  if ((a >= b->static_lo && a < b->static_hi) || (a >= b->dynamic_lo && a < b->dynamic_hi))
    b->hooks->shared_access(t, reinterpret_cast<const void*>(a), bytes, is_write);
}
// The rare path of a counting launch's access: the log is full; the host makes room, the record is
// appended, and the race check (if on) follows.
LUTGEMM_EMU_NO_TSAN __attribute__((cold)) void log_full_access(Thread* t, AccessRecord r,
                                                               size_t bytes, int is_write) {
  t->block->hooks->log_full(t);
  t->log[t->log_count++] = r;
  if (t->block->race_check)
    race_check_access(t, r.address, bytes, is_write);
}
// Every plain access of the kernel comes here (a call per load and store): counting launches
// append it to the thread's log, unless it is on the thread's own stack (its locals, kept in memory
// by this build's unsplit aggregates), which lies in its slot, or reads the running Block
// (blockIdx, blockDim, gridDim): neither is device memory, and leaving them out here spares the
// host a third of the records of a typical kernel. Race-checked launches then check shared
// accesses. The common path calls nothing and saves no registers: the rare ones are tail calls
// (sibling calls, asked for here since kernel libraries build at -O1).
LUTGEMM_EMU_NO_TSAN_INLINE void race_access(const void* address, size_t bytes, int is_write) {
  Thread* t = hook_self();
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  AccessRecord* log = t->log;
  if (log != nullptr && (a ^ reinterpret_cast<uintptr_t>(t)) >= kSlotBytes &&
      a - reinterpret_cast<uintptr_t>(t->block) >= sizeof(Block)) {
    const AccessRecord r{a, bytes < 0xffffffffu ? static_cast<uint32_t>(bytes) : 0xffffffffu,
                         is_write ? uint32_t(kAccessStore) : uint32_t(kAccessLoad)};
    const uint32_t n = t->log_count;
    if (__builtin_expect(n == t->log_capacity, 0))
      return log_full_access(t, r, bytes, is_write);
    log[n] = r;
    t->log_count = n + 1;
  }
  if (t->block->race_check)
    return race_check_access(t, a, bytes, is_write);
}
// Counting launches: appends one access to the thread's log (atomics; the same filter as above).
LUTGEMM_EMU_NO_TSAN_INLINE void log_access(Thread* t, uintptr_t a, size_t bytes, uint32_t op) {
  if ((a ^ reinterpret_cast<uintptr_t>(t)) < kSlotBytes ||
      a - reinterpret_cast<uintptr_t>(t->block) < sizeof(Block))
    return;
  if (t->log_count == t->log_capacity)
    t->block->hooks->log_full(t);
  t->log[t->log_count++] =
      AccessRecord{a, bytes < 0xffffffffu ? static_cast<uint32_t>(bytes) : 0xffffffffu, op};
}
// Atomics are not instrumented (they never race), but counting launches count them.
LUTGEMM_EMU_NO_TSAN void count_atomic(const void* address, size_t bytes) {
  Thread* t = hook_self();
  if (t->log != nullptr)
    log_access(t, reinterpret_cast<uintptr_t>(address), bytes, kAccessAtomic);
}
} // namespace lutgemm_emu

// Makes sure this module's TLS block (the static __shared__ storage) exists on the calling worker
// thread, so that the host can find its address (dlinfo RTLD_DI_TLS_DATA).
thread_local char lutgemm_emu_tls_anchor;
extern "C" LUTGEMM_EMU_EXPORT LUTGEMM_EMU_NO_TSAN void lutgemm_emu_touch_tls() {
  *static_cast<volatile char*>(&lutgemm_emu_tls_anchor) = 0;
}

extern "C" {
LUTGEMM_EMU_NO_TSAN void __tsan_init() {}
LUTGEMM_EMU_NO_TSAN void __tsan_func_entry(void*) {}
LUTGEMM_EMU_NO_TSAN void __tsan_func_exit() {}
LUTGEMM_EMU_NO_TSAN void __tsan_vptr_update(void**, void*) {}
LUTGEMM_EMU_NO_TSAN void __tsan_vptr_read(void**) {}
LUTGEMM_EMU_NO_TSAN void __tsan_read_range(void* a, unsigned long n) {
  ::lutgemm_emu::race_access(a, n, 0);
}
LUTGEMM_EMU_NO_TSAN void __tsan_write_range(void* a, unsigned long n) {
  ::lutgemm_emu::race_access(a, n, 1);
}
#define LUTGEMM_EMU_TSAN_ACCESS(n)                                                                 \
  LUTGEMM_EMU_NO_TSAN void __tsan_read##n(void* a) {                                               \
    ::lutgemm_emu::race_access(a, n, 0);                                                           \
  }                                                                                                \
  LUTGEMM_EMU_NO_TSAN void __tsan_write##n(void* a) {                                              \
    ::lutgemm_emu::race_access(a, n, 1);                                                           \
  }                                                                                                \
  LUTGEMM_EMU_NO_TSAN void __tsan_unaligned_read##n(void* a) {                                     \
    ::lutgemm_emu::race_access(a, n, 0);                                                           \
  }                                                                                                \
  LUTGEMM_EMU_NO_TSAN void __tsan_unaligned_write##n(void* a) {                                    \
    ::lutgemm_emu::race_access(a, n, 1);                                                           \
  }                                                                                                \
  LUTGEMM_EMU_NO_TSAN void __tsan_volatile_read##n(void* a) {                                      \
    ::lutgemm_emu::race_access(a, n, 0);                                                           \
  }                                                                                                \
  LUTGEMM_EMU_NO_TSAN void __tsan_volatile_write##n(void* a) {                                     \
    ::lutgemm_emu::race_access(a, n, 1);                                                           \
  }
LUTGEMM_EMU_TSAN_ACCESS(1)
LUTGEMM_EMU_TSAN_ACCESS(2)
LUTGEMM_EMU_TSAN_ACCESS(4)
LUTGEMM_EMU_TSAN_ACCESS(8)
LUTGEMM_EMU_TSAN_ACCESS(16)
#undef LUTGEMM_EMU_TSAN_ACCESS
}
