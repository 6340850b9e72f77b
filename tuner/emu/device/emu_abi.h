#pragma once
// The ABI between the emulator's host side (tuner/emu/*.cpp, compiled once into lutgemm_core) and
// the device runtime compiled into every kernel library (emu_runtime.hpp). Plain structs and
// function pointers only: the two sides are built by the same compiler but separately.
//
// Each emulated CUDA thread is a fiber whose stack lives in a slot of kSlotBytes, aligned to
// kSlotBytes. The Thread record sits at the start of the slot, so device code finds its own
// thread from any stack address (no thread_local lookups in the kernel library), and the stack
// grows down towards a guard page above the record.
#include <stddef.h>
#include <stdint.h>

namespace lutgemm_emu {

constexpr unsigned kAbiVersion = 4;
constexpr size_t kSlotBytes = 64 * 1024;
constexpr size_t kSlotHeaderBytes = 4096; // the Thread record's page
constexpr size_t kSlotGuardBytes = 4096;  // PROT_NONE between the record and the stack
constexpr unsigned kWarpSize = 32;

struct U3 {
  unsigned x, y, z;
};

// What a thread asks of its warp (warp_op hook); results land in Thread::warp_result.
enum WarpOpKind : int {
  kWarpSync = 0,
  kWarpShfl = 1,   // result = warp_value of lane warp_src
  kWarpBallot = 2, // result = ballot of predicates (low 32 bits) | participating lanes << 32
  kWarpReduceAddU = 3,
  kWarpReduceMinU = 4,
  kWarpReduceMaxU = 5,
  kWarpReduceMinI = 6,
  kWarpReduceMaxI = 7,
  kWarpReduceAnd = 8,
  kWarpReduceOr = 9,
  kWarpReduceXor = 10,
  kWarpActive = 11, // result = the lanes that have not exited (__activemask)
};

enum BarrierKind : int { kBarrierPlain = 0, kBarrierCount = 1, kBarrierAnd = 2, kBarrierOr = 3 };

struct Thread;

struct Hooks {
  // __syncthreads family: blocks until every thread of the block arrives; result (count/and/or)
  // in Thread::barrier_result.
  void (*barrier)(Thread* self, const char* file, unsigned line, int kind, int predicate);
  // Warp-synchronous exchange among the lanes of warp_mask (request fields set by the caller).
  void (*warp_op)(Thread* self, const char* file, unsigned line);
  // Lets other threads of the block run (spin loops on atomics make progress).
  void (*yield)(Thread* self);
  // Race check: a plain access of shared memory (already filtered by address range).
  void (*shared_access)(Thread* self, const void* addr, size_t bytes, int is_write);
  // Counting launches: the calling thread's access log is full (Thread::log_next ==
  // log_end); the host makes room (a larger Thread::log) and returns.
  void (*log_full)(Thread* self);
};

enum AccessOp : int { kAccessLoad = 0, kAccessStore = 1, kAccessAtomic = 2 };

// One memory access, as the device side of a counting launch appends it to its thread's log
// (instrumented builds; the thread's own stack left out). The host reads the logs of a warp where
// its lanes are together, classifies the addresses (shared, global, neither) and forms requests.
struct AccessRecord {
  uintptr_t address;
  uint32_t bytes;
  uint32_t op; // AccessOp; the host adds the address space above it
};

// Operations counted per thread in instrumented builds (Thread::ops): those the device runtime
// itself implements (emu_runtime.hpp), so it sees every call. Plain float and integer arithmetic
// is compiled natively by the host compiler and is not seen. kOpShfl is counted by the host.
enum OpKind : int {
  kOpHadd = 0,      // __half add/sub: __hadd, __hsub (and _sat, _rn), +, -, +=, -=, ++, --
  kOpHmul = 1,      // __half multiply: __hmul (and _sat, _rn), *, *=
  kOpHfma = 2,      // __half fused multiply-add: __hfma (and _sat, _relu)
  kOpHadd2 = 3,     // the __half2 forms of the three above
  kOpHmul2 = 4,     //
  kOpHfma2 = 5,     //
  kOpConvert = 6,   // fp16 <-> fp32: __half2float, __float2half(_rn), __low2float, __high2float,
                    // __floats2half2_rn, __float2half2_rn, __float22half2_rn, __half22float2
  kOpIntrinsic = 7, // integer intrinsics: __popc(ll), __clz(ll), __ffs(ll), __brev, __byte_perm,
                    // __funnelshift_*, __mulhi, __umulhi, __mul24, __umul24
  kOpShfl = 8,      // __shfl*_sync (host-counted)
  kOpKinds = 9,
};

struct Block {
  U3 block_idx;
  U3 block_dim;
  U3 grid_dim;
  unsigned char* dynamic_smem;
  const Hooks* hooks;
  // Shared-memory address ranges [lo, hi) checked for races (0, 0 when the check is off).
  uintptr_t static_lo, static_hi, dynamic_lo, dynamic_hi;
  void* host;     // the host side's per-worker state
  int race_check; // nonzero: plain shared accesses in those ranges go to hooks->shared_access
};

// Thread::state of a thread that has returned from the kernel (the other states are the host's).
constexpr int kThreadStateDone = 4;

struct Thread {
  U3 thread_idx;
  unsigned linear; // x + y * bx + z * bx * by
  unsigned lane, warp;
  Block* block;

  // Warp operation request and result.
  int warp_kind;
  unsigned warp_mask;
  unsigned warp_src;
  uint64_t warp_value;
  uint64_t warp_result;
  int barrier_result;

  // Host-side scheduler state (opaque to device code).
  int state;
  void* fiber; // suspended context of this fiber
  void* back;  // the scheduler's context to return to
  const char* wait_file;
  unsigned wait_line;

  // Counted operations since the warp's last synchronization point (instrumented builds).
  uint32_t ops[kOpKinds];
  // Counting launches: this thread's memory accesses since that point, [log, log_next), in a
  // buffer that ends at log_end (all three null: not counting). Pointers rather than counts: the
  // hook that appends (a call per access) then needs no index arithmetic.
  AccessRecord* log;
  AccessRecord* log_next;
  AccessRecord* log_end;
};

// The Thread of the running fiber, from the current stack address.
inline Thread* self_from_stack(const void* stack_address) {
  return reinterpret_cast<Thread*>(reinterpret_cast<uintptr_t>(stack_address) &
                                   ~(uintptr_t)(kSlotBytes - 1));
}

} // namespace lutgemm_emu
