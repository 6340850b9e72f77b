#pragma once
// Race-check builds of a kernel library: compiled with -fsanitize=thread, which makes the
// compiler call __tsan_readN/__tsan_writeN before every memory access, but linked without the
// TSan runtime: these definitions are that runtime. Accesses inside the running block's shared
// memory go to the host's race checker (Block::hooks->shared_access); everything else returns at
// once. In counting launches every access is also appended to the thread's log. The
// runtime's own functions are not instrumented (no_sanitize_thread), and atomics are left alone:
// atomic accesses never race.
#include "emu_abi.h"

#define LUTGEMM_EMU_NO_TSAN __attribute__((no_sanitize_thread, noinline))
#define LUTGEMM_EMU_NO_TSAN_INLINE __attribute__((no_sanitize_thread, always_inline)) inline

namespace lutgemm_emu {
// The running fiber's Thread (self_from_stack, which instrumented code would not inline here).
LUTGEMM_EMU_NO_TSAN_INLINE Thread* hook_self() {
  return reinterpret_cast<Thread*>(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) &
                                   ~(uintptr_t)(kSlotBytes - 1));
}
// Counting launches: appends one access to the thread's log, unless it is on the thread's own
// stack (its locals, kept in memory by this build's unsplit aggregates), which lies in its slot,
// or reads the running Block (blockIdx, blockDim, gridDim): neither is device memory, and leaving
// them out here spares the host a third of the records of a typical kernel.
LUTGEMM_EMU_NO_TSAN_INLINE void log_access(Thread* t, uintptr_t a, size_t bytes, uint32_t op) {
  if ((a ^ reinterpret_cast<uintptr_t>(t)) < kSlotBytes ||
      a - reinterpret_cast<uintptr_t>(t->block) < sizeof(Block))
    return;
  if (t->log_count == t->log_capacity)
    t->block->hooks->log_full(t);
  t->log[t->log_count++] =
      AccessRecord{a, bytes < 0xffffffffu ? static_cast<uint32_t>(bytes) : 0xffffffffu, op};
}
LUTGEMM_EMU_NO_TSAN_INLINE void race_access(const void* address, size_t bytes, int is_write) {
  Thread* t = hook_self();
  const uintptr_t a = reinterpret_cast<uintptr_t>(address);
  if (t->log != nullptr)
    log_access(t, a, bytes, is_write ? kAccessStore : kAccessLoad);
  const Block* b = t->block;
  if (b->race_check &&
      ((a >= b->static_lo && a < b->static_hi) || (a >= b->dynamic_lo && a < b->dynamic_hi)))
    b->hooks->shared_access(t, address, bytes, is_write);
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
