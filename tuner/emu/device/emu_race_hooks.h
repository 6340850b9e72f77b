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
// Whether an access is left out of the log: on the thread's own stack (its locals, kept in memory
// by this build's unsplit aggregates), which lies in its slot, or a read of the running Block
// (blockIdx, blockDim, gridDim). Neither is device memory, and leaving them out here spares the
// host a third of the records of a typical kernel.
LUTGEMM_EMU_NO_TSAN_INLINE bool unlogged(const Thread* t, uintptr_t a) {
  return (a ^ reinterpret_cast<uintptr_t>(t)) < kSlotBytes ||
         a - reinterpret_cast<uintptr_t>(t->block) < sizeof(Block);
}
// The rare path of an access: not a counting launch (no log), or the log is full (the host makes
// room, and the record is appended); then the race check, if on.
LUTGEMM_EMU_NO_TSAN __attribute__((cold)) void access_slow(Thread* t, uintptr_t a, size_t bytes,
                                                           int is_write) {
  if (t->log != nullptr && !unlogged(t, a)) {
    t->block->hooks->log_full(t);
    *t->log_next++ =
        AccessRecord{a, bytes < 0xffffffffu ? static_cast<uint32_t>(bytes) : 0xffffffffu,
                     is_write ? uint32_t(kAccessStore) : uint32_t(kAccessLoad)};
  }
  if (t->block->race_check)
    race_check_access(t, a, bytes, is_write);
}
// Every plain access of the kernel comes here (a call per load and store): counting launches
// append it to the thread's log unless unlogged(); race-checked launches then check shared
// accesses. The common path calls nothing and saves no registers: the rare ones are tail calls
// (sibling calls, asked for here since kernel libraries build at -O1).
LUTGEMM_EMU_NO_TSAN_INLINE void race_access(const void* address, size_t bytes, int is_write) {
  Thread* t = hook_self();
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  AccessRecord* next = t->log_next;
  if (__builtin_expect(next == t->log_end, 0)) // not counting (both null), or the log is full
    return access_slow(t, a, bytes, is_write);
  if (!unlogged(t, a)) {
    *next = AccessRecord{a, bytes < 0xffffffffu ? static_cast<uint32_t>(bytes) : 0xffffffffu,
                         is_write ? uint32_t(kAccessStore) : uint32_t(kAccessLoad)};
    t->log_next = next + 1;
  }
  if (t->block->race_check)
    return race_check_access(t, a, bytes, is_write);
}
// Counting launches: appends one access to the thread's log (atomics) unless unlogged().
LUTGEMM_EMU_NO_TSAN_INLINE void log_access(Thread* t, uintptr_t a, size_t bytes, uint32_t op) {
  if (unlogged(t, a))
    return;
  if (t->log_next == t->log_end)
    t->block->hooks->log_full(t);
  *t->log_next++ =
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
