#pragma once
// Device runtime of the host SIMT emulator: included first by the translation unit generated for
// each kernel variant (tuner/emu/host_compiler.cpp), before the kernel source. It makes plain CUDA
// C++ compile with the host compiler: execution-space keywords become nothing, built-in variables
// read the running fiber's Thread record (emu_abi.h), barriers and warp primitives call the host
// scheduler through Block::hooks, atomics are real atomics, and the __half intrinsics that
// cuda_fp16.h only declares for devices get host versions.
//
// __shared__ variables are thread_local: every block runs all its fibers on one OS thread, and a
// worker thread runs one block at a time, so the storage is private to the running block. Dynamic
// shared memory (`extern __shared__ T name[];`) is rewritten by the host compiler layer into a
// reference to the block's arena (dynamic_smem()).

// Defined before cuda_fp16.h: its crt/host_defines.h keeps macros that are already defined.
#define __global__
#define __device__
#define __host__
#define __shared__ thread_local
#define __constant__
#define __managed__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __grid_constant__
// The few symbols a kernel library exports (host_compiler.cpp builds with -fvisibility=hidden).
#define LUTGEMM_EMU_EXPORT __attribute__((visibility("default")))
#ifndef LUTGEMM_EMULATOR
#define LUTGEMM_EMULATOR 1
#endif

#include "emu_abi.h"

// Atomics are never data races: race-check builds leave them uninstrumented.
#ifdef LUTGEMM_EMU_RACE_CHECK
#define LUTGEMM_EMU_UNCHECKED __attribute__((no_sanitize_thread))
#else
#define LUTGEMM_EMU_UNCHECKED
#endif

// Counting launches count atomics (instrumented builds only; defined in emu_race_hooks.h).
#ifdef LUTGEMM_EMU_RACE_CHECK
namespace lutgemm_emu {
void count_atomic(const void* address, size_t bytes);
}
#define LUTGEMM_EMU_COUNT_ATOMIC(p) ::lutgemm_emu::count_atomic((p), sizeof(*(p)))
#else
#define LUTGEMM_EMU_COUNT_ATOMIC(p) ((void)0)
#endif

// Counted __half arithmetic (emu_abi.h, OpKind): while cuda_fp16.h is read, the functions that
// the counting wraps are renamed lutgemm_native<name> (so the header's own internal calls stay
// uncounted), and its operators are left out; counted wrappers and operators of the same names and
// signatures follow below. Every build uses them; only instrumented builds count.
#define __CUDA_NO_HALF_OPERATORS__
#define __CUDA_NO_HALF2_OPERATORS__
#define __hadd lutgemm_native__hadd
#define __hsub lutgemm_native__hsub
#define __hmul lutgemm_native__hmul
#define __hadd_sat lutgemm_native__hadd_sat
#define __hsub_sat lutgemm_native__hsub_sat
#define __hmul_sat lutgemm_native__hmul_sat
#define __hadd_rn lutgemm_native__hadd_rn
#define __hsub_rn lutgemm_native__hsub_rn
#define __hmul_rn lutgemm_native__hmul_rn
#define __hadd2 lutgemm_native__hadd2
#define __hsub2 lutgemm_native__hsub2
#define __hmul2 lutgemm_native__hmul2
#define __hadd2_sat lutgemm_native__hadd2_sat
#define __hsub2_sat lutgemm_native__hsub2_sat
#define __hmul2_sat lutgemm_native__hmul2_sat
#define __hadd2_rn lutgemm_native__hadd2_rn
#define __hsub2_rn lutgemm_native__hsub2_rn
#define __hmul2_rn lutgemm_native__hmul2_rn
#define __half2float lutgemm_native__half2float
#define __float2half lutgemm_native__float2half
#define __float2half_rn lutgemm_native__float2half_rn
#define __low2float lutgemm_native__low2float
#define __high2float lutgemm_native__high2float
#define __floats2half2_rn lutgemm_native__floats2half2_rn
#define __float2half2_rn lutgemm_native__float2half2_rn
#define __float22half2_rn lutgemm_native__float22half2_rn
#define __half22float2 lutgemm_native__half22float2
#include <cuda_fp16.h>
#undef __hadd
#undef __hsub
#undef __hmul
#undef __hadd_sat
#undef __hsub_sat
#undef __hmul_sat
#undef __hadd_rn
#undef __hsub_rn
#undef __hmul_rn
#undef __hadd2
#undef __hsub2
#undef __hmul2
#undef __hadd2_sat
#undef __hsub2_sat
#undef __hmul2_sat
#undef __hadd2_rn
#undef __hsub2_rn
#undef __hmul2_rn
#undef __half2float
#undef __float2half
#undef __float2half_rn
#undef __low2float
#undef __high2float
#undef __floats2half2_rn
#undef __float2half2_rn
#undef __float22half2_rn
#undef __half22float2
// Before the built-in variables below become macros: nvcc includes cuda_runtime.h in every .cu
// file, so most CUDA sources include it too, and its declarations have parameters named gridDim
// and blockDim. Included here, later includes of it are empty.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <math.h>
#include <type_traits>
#include <utility>

namespace lutgemm_emu {

__attribute__((always_inline)) inline Thread& self() {
  return *self_from_stack(__builtin_frame_address(0));
}
inline Block& block() {
  return *self().block;
}

#ifdef LUTGEMM_EMU_RACE_CHECK
// One counted operation of the calling thread (summed per thread and per warp by the host).
// Not instrumented itself, and not inlined into instrumented code (sanitizer attributes differ).
LUTGEMM_EMU_UNCHECKED __attribute__((noinline)) inline void count_op(int kind) {
  // self_from_stack() spelled out: instrumented inline code is not inlined into this function.
  ++reinterpret_cast<Thread*>(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)) &
                              ~(uintptr_t)(kSlotBytes - 1))
        ->ops[kind];
}
#define LUTGEMM_EMU_COUNT_OP(kind) ::lutgemm_emu::count_op(::lutgemm_emu::kind)
#else
#define LUTGEMM_EMU_COUNT_OP(kind) ((void)0)
#endif

inline unsigned char* dynamic_smem() {
  return block().dynamic_smem;
}

template <class T> inline uint64_t to_bits(const T& v) {
  static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "warp value up to 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  return bits;
}
template <class T> inline T from_bits(uint64_t bits) {
  T v;
  std::memcpy(&v, &bits, sizeof(T));
  return v;
}

inline uint64_t warp_op(int kind, unsigned mask, uint64_t value, unsigned src, const char* file,
                        unsigned line) {
  Thread& t = self();
  t.warp_kind = kind;
  t.warp_mask = mask;
  t.warp_value = value;
  t.warp_src = src;
  t.block->hooks->warp_op(&t, file, line);
  return t.warp_result;
}

inline int barrier(int kind, int predicate, const char* file, unsigned line) {
  Thread& t = self();
  t.block->hooks->barrier(&t, file, line, kind, predicate);
  return t.barrier_result;
}

inline void yield() {
  Thread& t = self();
  t.block->hooks->yield(&t);
}

// Calls the kernel with its parameters unpacked from cuLaunchKernel-style argument pointers.
// Unchecked: reading the argument array is neither shared nor device memory, and counting
// launches would log (and the host drop) every read of every thread.
template <class... P, size_t... I>
LUTGEMM_EMU_UNCHECKED inline void invoke_impl(void (*kernel)(P...), void** args,
                                              std::index_sequence<I...>) {
  kernel(*static_cast<std::remove_cv_t<std::remove_reference_t<P>>*>(args[I])...);
}
template <class... P> LUTGEMM_EMU_UNCHECKED inline void invoke(void (*kernel)(P...), void** args) {
  invoke_impl(kernel, args, std::index_sequence_for<P...>{});
}

} // namespace lutgemm_emu

// ---- built-in variables ------------------------------------------------------------------------
#define threadIdx (reinterpret_cast<const uint3&>(::lutgemm_emu::self().thread_idx))
#define blockIdx (reinterpret_cast<const uint3&>(::lutgemm_emu::block().block_idx))
#define blockDim (reinterpret_cast<const dim3&>(::lutgemm_emu::block().block_dim))
#define gridDim (reinterpret_cast<const dim3&>(::lutgemm_emu::block().grid_dim))
constexpr int warpSize = 32;

// ---- barriers ----------------------------------------------------------------------------------
inline void __syncthreads(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) {
  ::lutgemm_emu::barrier(::lutgemm_emu::kBarrierPlain, 0, file, line);
}
inline int __syncthreads_count(int predicate, const char* file = __builtin_FILE(),
                               unsigned line = __builtin_LINE()) {
  return ::lutgemm_emu::barrier(::lutgemm_emu::kBarrierCount, predicate != 0, file, line);
}
inline int __syncthreads_and(int predicate, const char* file = __builtin_FILE(),
                             unsigned line = __builtin_LINE()) {
  return ::lutgemm_emu::barrier(::lutgemm_emu::kBarrierAnd, predicate != 0, file, line);
}
inline int __syncthreads_or(int predicate, const char* file = __builtin_FILE(),
                            unsigned line = __builtin_LINE()) {
  return ::lutgemm_emu::barrier(::lutgemm_emu::kBarrierOr, predicate != 0, file, line);
}
inline void __syncwarp(unsigned mask = 0xffffffffu, const char* file = __builtin_FILE(),
                       unsigned line = __builtin_LINE()) {
  ::lutgemm_emu::warp_op(::lutgemm_emu::kWarpSync, mask, 0, 0, file, line);
}
LUTGEMM_EMU_UNCHECKED inline void __threadfence() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
LUTGEMM_EMU_UNCHECKED inline void __threadfence_block() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
LUTGEMM_EMU_UNCHECKED inline void __threadfence_system() {
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
inline void __nanosleep(unsigned) {
  ::lutgemm_emu::yield();
}

// ---- warp primitives ---------------------------------------------------------------------------
// Source lanes follow the PTX shfl rules: width splits the warp into segments; a source outside
// the caller's segment yields the caller's own value.
template <class T>
inline T __shfl_sync(unsigned mask, T var, int src_lane, int width = 32,
                     const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) {
  const unsigned lane = ::lutgemm_emu::self().lane;
  const unsigned base = lane & ~(unsigned)(width - 1);
  const unsigned src = base + ((unsigned)src_lane & (unsigned)(width - 1));
  return ::lutgemm_emu::from_bits<T>(::lutgemm_emu::warp_op(
      ::lutgemm_emu::kWarpShfl, mask, ::lutgemm_emu::to_bits(var), src, file, line));
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32,
                        const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) {
  const unsigned lane = ::lutgemm_emu::self().lane;
  const unsigned base = lane & ~(unsigned)(width - 1);
  const unsigned src = (lane - base) >= delta ? lane - delta : lane;
  return ::lutgemm_emu::from_bits<T>(::lutgemm_emu::warp_op(
      ::lutgemm_emu::kWarpShfl, mask, ::lutgemm_emu::to_bits(var), src, file, line));
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32,
                          const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) {
  const unsigned lane = ::lutgemm_emu::self().lane;
  const unsigned base = lane & ~(unsigned)(width - 1);
  const unsigned src = (lane - base) + delta < (unsigned)width ? lane + delta : lane;
  return ::lutgemm_emu::from_bits<T>(::lutgemm_emu::warp_op(
      ::lutgemm_emu::kWarpShfl, mask, ::lutgemm_emu::to_bits(var), src, file, line));
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T var, int lane_mask, int width = 32,
                         const char* file = __builtin_FILE(), unsigned line = __builtin_LINE()) {
  const unsigned lane = ::lutgemm_emu::self().lane;
  const unsigned base = lane & ~(unsigned)(width - 1);
  unsigned src = lane ^ (unsigned)lane_mask;
  if ((src & ~(unsigned)(width - 1)) != base)
    src = lane;
  return ::lutgemm_emu::from_bits<T>(::lutgemm_emu::warp_op(
      ::lutgemm_emu::kWarpShfl, mask, ::lutgemm_emu::to_bits(var), src, file, line));
}
inline unsigned __ballot_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                              unsigned line = __builtin_LINE()) {
  return (unsigned)::lutgemm_emu::warp_op(::lutgemm_emu::kWarpBallot, mask, predicate != 0, 0, file,
                                          line);
}
inline int __any_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                      unsigned line = __builtin_LINE()) {
  return (unsigned)::lutgemm_emu::warp_op(::lutgemm_emu::kWarpBallot, mask, predicate != 0, 0, file,
                                          line) != 0;
}
inline int __all_sync(unsigned mask, int predicate, const char* file = __builtin_FILE(),
                      unsigned line = __builtin_LINE()) {
  const uint64_t r =
      ::lutgemm_emu::warp_op(::lutgemm_emu::kWarpBallot, mask, predicate != 0, 0, file, line);
  return (unsigned)r == (unsigned)(r >> 32);
}
// The lanes of the caller's warp that have not exited. The emulator runs lanes one after another,
// so this synchronizes with every live lane of the warp (as a converged warp executes it together)
// and completes early when the others exit instead.
inline unsigned __activemask(const char* file = __builtin_FILE(),
                             unsigned line = __builtin_LINE()) {
  return (unsigned)::lutgemm_emu::warp_op(::lutgemm_emu::kWarpActive, 0xffffffffu, 0, 0, file,
                                          line);
}
#define LUTGEMM_EMU_REDUCE(name, kind, type)                                                       \
  inline type name(unsigned mask, type value, const char* file = __builtin_FILE(),                 \
                   unsigned line = __builtin_LINE()) {                                             \
    return (type)::lutgemm_emu::warp_op(::lutgemm_emu::kind, mask, (uint64_t)(uint32_t)value, 0,   \
                                        file, line);                                               \
  }
LUTGEMM_EMU_REDUCE(__reduce_add_sync, kWarpReduceAddU, unsigned)
LUTGEMM_EMU_REDUCE(__reduce_add_sync, kWarpReduceAddU, int)
LUTGEMM_EMU_REDUCE(__reduce_min_sync, kWarpReduceMinU, unsigned)
LUTGEMM_EMU_REDUCE(__reduce_min_sync, kWarpReduceMinI, int)
LUTGEMM_EMU_REDUCE(__reduce_max_sync, kWarpReduceMaxU, unsigned)
LUTGEMM_EMU_REDUCE(__reduce_max_sync, kWarpReduceMaxI, int)
LUTGEMM_EMU_REDUCE(__reduce_and_sync, kWarpReduceAnd, unsigned)
LUTGEMM_EMU_REDUCE(__reduce_or_sync, kWarpReduceOr, unsigned)
LUTGEMM_EMU_REDUCE(__reduce_xor_sync, kWarpReduceXor, unsigned)
#undef LUTGEMM_EMU_REDUCE

// ---- loads and stores with cache hints ---------------------------------------------------------
template <class T> inline T __ldg(const T* p) {
  return *p;
}
template <class T> inline T __ldcg(const T* p) {
  return *p;
}
template <class T> inline T __ldca(const T* p) {
  return *p;
}
template <class T> inline T __ldcs(const T* p) {
  return *p;
}
template <class T> inline T __ldlu(const T* p) {
  return *p;
}
template <class T> inline T __ldcv(const T* p) {
  return *p;
}
template <class T> inline void __stcg(T* p, T v) {
  *p = v;
}
template <class T> inline void __stcs(T* p, T v) {
  *p = v;
}
template <class T> inline void __stwb(T* p, T v) {
  *p = v;
}
template <class T> inline void __stwt(T* p, T v) {
  *p = v;
}

// ---- integer intrinsics ------------------------------------------------------------------------
inline int __popc(unsigned x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return __builtin_popcount(x);
}
inline int __popcll(unsigned long long x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return __builtin_popcountll(x);
}
inline int __ffs(int x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return __builtin_ffs(x);
}
inline int __ffsll(long long x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return __builtin_ffsll(x);
}
inline int __clz(int x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return x == 0 ? 32 : __builtin_clz((unsigned)x);
}
inline int __clzll(long long x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return x == 0 ? 64 : __builtin_clzll((unsigned long long)x);
}
inline unsigned __brev(unsigned x) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
  return __builtin_bswap32(x);
}
inline unsigned __byte_perm(unsigned x, unsigned y, unsigned s) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  const unsigned long long bytes = ((unsigned long long)y << 32) | x;
  unsigned r = 0;
  for (int i = 0; i < 4; ++i)
    r |= (unsigned)((bytes >> (((s >> (4 * i)) & 7u) * 8)) & 0xffu) << (8 * i);
  return r;
}
inline unsigned __funnelshift_l(unsigned lo, unsigned hi, unsigned shift) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  const unsigned long long v = ((unsigned long long)hi << 32) | lo;
  return (unsigned)((v << (shift & 31u)) >> 32);
}
inline unsigned __funnelshift_lc(unsigned lo, unsigned hi, unsigned shift) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  const unsigned long long v = ((unsigned long long)hi << 32) | lo;
  return shift >= 32 ? lo : (unsigned)((v << shift) >> 32);
}
inline unsigned __funnelshift_r(unsigned lo, unsigned hi, unsigned shift) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  const unsigned long long v = ((unsigned long long)hi << 32) | lo;
  return (unsigned)(v >> (shift & 31u));
}
inline unsigned __funnelshift_rc(unsigned lo, unsigned hi, unsigned shift) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  const unsigned long long v = ((unsigned long long)hi << 32) | lo;
  return shift >= 32 ? hi : (unsigned)(v >> shift);
}
inline int __mulhi(int a, int b) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return (int)(((long long)a * b) >> 32);
}
inline unsigned __umulhi(unsigned a, unsigned b) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return (unsigned)(((unsigned long long)a * b) >> 32);
}
inline int __mul24(int a, int b) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return ((a << 8) >> 8) * ((b << 8) >> 8);
}
inline unsigned __umul24(unsigned a, unsigned b) {
  LUTGEMM_EMU_COUNT_OP(kOpIntrinsic);
  return (a & 0xffffffu) * (b & 0xffffffu);
}
inline int __float_as_int(float f) {
  return ::lutgemm_emu::from_bits<int>(::lutgemm_emu::to_bits(f));
}
inline unsigned __float_as_uint(float f) {
  return ::lutgemm_emu::from_bits<unsigned>(::lutgemm_emu::to_bits(f));
}
inline float __int_as_float(int i) {
  return ::lutgemm_emu::from_bits<float>(::lutgemm_emu::to_bits(i));
}
inline float __uint_as_float(unsigned i) {
  return ::lutgemm_emu::from_bits<float>(::lutgemm_emu::to_bits(i));
}

// ---- float intrinsics --------------------------------------------------------------------------
inline float __fmaf_rn(float a, float b, float c) {
  return fmaf(a, b, c);
}
inline float __fadd_rn(float a, float b) {
  return a + b;
}
inline float __fmul_rn(float a, float b) {
  return a * b;
}
inline float __fdividef(float a, float b) {
  return a / b;
}
inline float __frcp_rn(float a) {
  return 1.0f / a;
}
inline float __expf(float a) {
  return expf(a);
}
inline float __logf(float a) {
  return logf(a);
}
inline float __sinf(float a) {
  return sinf(a);
}
inline float __cosf(float a) {
  return cosf(a);
}
inline float __saturatef(float a) {
  return a < 0.0f ? 0.0f : (a > 1.0f ? 1.0f : a);
}
inline float rsqrtf(float a) {
  return 1.0f / sqrtf(a);
}

// CUDA's min/max overloads (any arithmetic mix, like the device math headers' overload set).
template <class A, class B> inline std::common_type_t<A, B> min(A a, B b) {
  using C = std::common_type_t<A, B>;
  return (C)b < (C)a ? (C)b : (C)a;
}
template <class A, class B> inline std::common_type_t<A, B> max(A a, B b) {
  using C = std::common_type_t<A, B>;
  return (C)a < (C)b ? (C)b : (C)a;
}

// ---- counted __half arithmetic -----------------------------------------------------------------
#define LUTGEMM_EMU_COUNTED2(name, type, kind)                                                     \
  __forceinline__ type name(const type a, const type b) {                                          \
    LUTGEMM_EMU_COUNT_OP(kind);                                                                    \
    return lutgemm_native##name(a, b);                                                             \
  }
LUTGEMM_EMU_COUNTED2(__hadd, __half, kOpHadd)
LUTGEMM_EMU_COUNTED2(__hsub, __half, kOpHadd)
LUTGEMM_EMU_COUNTED2(__hadd_sat, __half, kOpHadd)
LUTGEMM_EMU_COUNTED2(__hsub_sat, __half, kOpHadd)
LUTGEMM_EMU_COUNTED2(__hadd_rn, __half, kOpHadd)
LUTGEMM_EMU_COUNTED2(__hsub_rn, __half, kOpHadd)
LUTGEMM_EMU_COUNTED2(__hmul, __half, kOpHmul)
LUTGEMM_EMU_COUNTED2(__hmul_sat, __half, kOpHmul)
LUTGEMM_EMU_COUNTED2(__hmul_rn, __half, kOpHmul)
LUTGEMM_EMU_COUNTED2(__hadd2, __half2, kOpHadd2)
LUTGEMM_EMU_COUNTED2(__hsub2, __half2, kOpHadd2)
LUTGEMM_EMU_COUNTED2(__hadd2_sat, __half2, kOpHadd2)
LUTGEMM_EMU_COUNTED2(__hsub2_sat, __half2, kOpHadd2)
LUTGEMM_EMU_COUNTED2(__hadd2_rn, __half2, kOpHadd2)
LUTGEMM_EMU_COUNTED2(__hsub2_rn, __half2, kOpHadd2)
LUTGEMM_EMU_COUNTED2(__hmul2, __half2, kOpHmul2)
LUTGEMM_EMU_COUNTED2(__hmul2_sat, __half2, kOpHmul2)
LUTGEMM_EMU_COUNTED2(__hmul2_rn, __half2, kOpHmul2)
#undef LUTGEMM_EMU_COUNTED2
__forceinline__ __half2 __floats2half2_rn(const float a, const float b) {
  LUTGEMM_EMU_COUNT_OP(kOpConvert);
  return lutgemm_native__floats2half2_rn(a, b);
}
#define LUTGEMM_EMU_COUNTED1(name, result, type, kind)                                             \
  __forceinline__ result name(const type a) {                                                      \
    LUTGEMM_EMU_COUNT_OP(kind);                                                                    \
    return lutgemm_native##name(a);                                                                \
  }
LUTGEMM_EMU_COUNTED1(__half2float, float, __half, kOpConvert)
LUTGEMM_EMU_COUNTED1(__float2half, __half, float, kOpConvert)
LUTGEMM_EMU_COUNTED1(__float2half_rn, __half, float, kOpConvert)
LUTGEMM_EMU_COUNTED1(__low2float, float, __half2, kOpConvert)
LUTGEMM_EMU_COUNTED1(__high2float, float, __half2, kOpConvert)
LUTGEMM_EMU_COUNTED1(__float2half2_rn, __half2, float, kOpConvert)
LUTGEMM_EMU_COUNTED1(__float22half2_rn, __half2, float2, kOpConvert)
LUTGEMM_EMU_COUNTED1(__half22float2, float2, __half2, kOpConvert)
#undef LUTGEMM_EMU_COUNTED1

// The operators cuda_fp16.h defines (left out above), on the counted functions.
__forceinline__ __half operator+(const __half& a, const __half& b) {
  return __hadd(a, b);
}
__forceinline__ __half operator-(const __half& a, const __half& b) {
  return __hsub(a, b);
}
__forceinline__ __half operator*(const __half& a, const __half& b) {
  return __hmul(a, b);
}
__forceinline__ __half operator/(const __half& a, const __half& b) {
  return __hdiv(a, b);
}
__forceinline__ __half& operator+=(__half& a, const __half& b) {
  return a = __hadd(a, b);
}
__forceinline__ __half& operator-=(__half& a, const __half& b) {
  return a = __hsub(a, b);
}
__forceinline__ __half& operator*=(__half& a, const __half& b) {
  return a = __hmul(a, b);
}
__forceinline__ __half& operator/=(__half& a, const __half& b) {
  return a = __hdiv(a, b);
}
__forceinline__ __half& operator++(__half& h) {
  return h = __hadd(h, __ushort_as_half(0x3c00));
}
__forceinline__ __half& operator--(__half& h) {
  return h = __hsub(h, __ushort_as_half(0x3c00));
}
__forceinline__ __half operator++(__half& h, int) {
  const __half old = h;
  h = __hadd(h, __ushort_as_half(0x3c00));
  return old;
}
__forceinline__ __half operator--(__half& h, int) {
  const __half old = h;
  h = __hsub(h, __ushort_as_half(0x3c00));
  return old;
}
__forceinline__ __half operator+(const __half& h) {
  return h;
}
__forceinline__ __half operator-(const __half& h) {
  return __hneg(h);
}
__forceinline__ bool operator==(const __half& a, const __half& b) {
  return __heq(a, b);
}
__forceinline__ bool operator!=(const __half& a, const __half& b) {
  return __hneu(a, b);
}
__forceinline__ bool operator>(const __half& a, const __half& b) {
  return __hgt(a, b);
}
__forceinline__ bool operator<(const __half& a, const __half& b) {
  return __hlt(a, b);
}
__forceinline__ bool operator>=(const __half& a, const __half& b) {
  return __hge(a, b);
}
__forceinline__ bool operator<=(const __half& a, const __half& b) {
  return __hle(a, b);
}
__forceinline__ __half2 operator+(const __half2& a, const __half2& b) {
  return __hadd2(a, b);
}
__forceinline__ __half2 operator-(const __half2& a, const __half2& b) {
  return __hsub2(a, b);
}
__forceinline__ __half2 operator*(const __half2& a, const __half2& b) {
  return __hmul2(a, b);
}
__forceinline__ __half2 operator/(const __half2& a, const __half2& b) {
  return __h2div(a, b);
}
__forceinline__ __half2& operator+=(__half2& a, const __half2& b) {
  return a = __hadd2(a, b);
}
__forceinline__ __half2& operator-=(__half2& a, const __half2& b) {
  return a = __hsub2(a, b);
}
__forceinline__ __half2& operator*=(__half2& a, const __half2& b) {
  return a = __hmul2(a, b);
}
__forceinline__ __half2& operator/=(__half2& a, const __half2& b) {
  return a = __h2div(a, b);
}
__forceinline__ __half2& operator++(__half2& h) {
  return h = __hadd2(h, __half2half2(__ushort_as_half(0x3c00)));
}
__forceinline__ __half2& operator--(__half2& h) {
  return h = __hsub2(h, __half2half2(__ushort_as_half(0x3c00)));
}
__forceinline__ __half2 operator++(__half2& h, int) {
  const __half2 old = h;
  h = __hadd2(h, __half2half2(__ushort_as_half(0x3c00)));
  return old;
}
__forceinline__ __half2 operator--(__half2& h, int) {
  const __half2 old = h;
  h = __hsub2(h, __half2half2(__ushort_as_half(0x3c00)));
  return old;
}
__forceinline__ __half2 operator+(const __half2& h) {
  return h;
}
__forceinline__ __half2 operator-(const __half2& h) {
  return __hneg2(h);
}
__forceinline__ bool operator==(const __half2& a, const __half2& b) {
  return __hbeq2(a, b);
}
__forceinline__ bool operator!=(const __half2& a, const __half2& b) {
  return __hbneu2(a, b);
}
__forceinline__ bool operator>(const __half2& a, const __half2& b) {
  return __hbgt2(a, b);
}
__forceinline__ bool operator<(const __half2& a, const __half2& b) {
  return __hblt2(a, b);
}
__forceinline__ bool operator>=(const __half2& a, const __half2& b) {
  return __hbge2(a, b);
}
__forceinline__ bool operator<=(const __half2& a, const __half2& b) {
  return __hble2(a, b);
}

// ---- __half intrinsics that cuda_fp16.h declares for devices only ------------------------------
namespace lutgemm_emu {
// Fused: the product of two halves is exact in double and the sum rounds once to double, then to
// half (the double rounding differs from the GPU's single rounding only in rare ties).
inline __half hfma(__half a, __half b, __half c) {
  return __double2half((double)lutgemm_native__half2float(a) *
                           (double)lutgemm_native__half2float(b) +
                       (double)lutgemm_native__half2float(c));
}
inline __half hfma_sat(__half a, __half b, __half c) {
  const float r = lutgemm_native__half2float(hfma(a, b, c));
  return lutgemm_native__float2half(r < 0.0f ? 0.0f : (r > 1.0f ? 1.0f : r));
}
inline __half hfma_relu(__half a, __half b, __half c) {
  const __half r = hfma(a, b, c);
  return lutgemm_native__half2float(r) < 0.0f ? lutgemm_native__float2half(0.0f) : r;
}
template <class F> inline __half2 per_half(F f, __half2 a, __half2 b, __half2 c) {
  return __halves2half2(f(__low2half(a), __low2half(b), __low2half(c)),
                        f(__high2half(a), __high2half(b), __high2half(c)));
}
// A math function of one half, evaluated in float.
inline __half via_float(float (*f)(float), __half a) {
  return lutgemm_native__float2half(f(lutgemm_native__half2float(a)));
}
inline float rcp(float a) {
  return 1.0f / a;
}
inline float rsqrt(float a) {
  return 1.0f / sqrtf(a);
}
} // namespace lutgemm_emu

inline __half __hfma(__half a, __half b, __half c) {
  LUTGEMM_EMU_COUNT_OP(kOpHfma);
  return ::lutgemm_emu::hfma(a, b, c);
}
inline __half __hfma_sat(__half a, __half b, __half c) {
  LUTGEMM_EMU_COUNT_OP(kOpHfma);
  return ::lutgemm_emu::hfma_sat(a, b, c);
}
inline __half __hfma_relu(__half a, __half b, __half c) {
  LUTGEMM_EMU_COUNT_OP(kOpHfma);
  return ::lutgemm_emu::hfma_relu(a, b, c);
}
inline __half2 __hfma2(__half2 a, __half2 b, __half2 c) {
  LUTGEMM_EMU_COUNT_OP(kOpHfma2);
  return ::lutgemm_emu::per_half(::lutgemm_emu::hfma, a, b, c);
}
inline __half2 __hfma2_sat(__half2 a, __half2 b, __half2 c) {
  LUTGEMM_EMU_COUNT_OP(kOpHfma2);
  return ::lutgemm_emu::per_half(::lutgemm_emu::hfma_sat, a, b, c);
}
inline __half2 __hfma2_relu(__half2 a, __half2 b, __half2 c) {
  LUTGEMM_EMU_COUNT_OP(kOpHfma2);
  return ::lutgemm_emu::per_half(::lutgemm_emu::hfma_relu, a, b, c);
}
inline __half hsqrt(__half a) {
  return ::lutgemm_emu::via_float(sqrtf, a);
}
inline __half hrsqrt(__half a) {
  return ::lutgemm_emu::via_float(::lutgemm_emu::rsqrt, a);
}
inline __half hrcp(__half a) {
  return ::lutgemm_emu::via_float(::lutgemm_emu::rcp, a);
}
inline __half hexp(__half a) {
  return ::lutgemm_emu::via_float(expf, a);
}
inline __half hlog(__half a) {
  return ::lutgemm_emu::via_float(logf, a);
}
inline __half2 h2sqrt(__half2 a) {
  return __halves2half2(hsqrt(__low2half(a)), hsqrt(__high2half(a)));
}
inline __half2 h2exp(__half2 a) {
  return __halves2half2(hexp(__low2half(a)), hexp(__high2half(a)));
}

// ---- atomics
// ------------------------------------------------------------------------------------- Real
// atomics on host memory (blocks run concurrently on OS threads). atomicCAS and atomicExch also let
// the other fibers of the block run, so spin locks make progress as under independent thread
// scheduling.
namespace lutgemm_emu {
template <class T, class F> LUTGEMM_EMU_UNCHECKED inline T atomic_update(T* address, F op) {
  static_assert(sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8, "atomic size");
  using Bits = std::conditional_t<sizeof(T) == 2, uint16_t,
                                  std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>;
  LUTGEMM_EMU_COUNT_ATOMIC(address);
  Bits* p = reinterpret_cast<Bits*>(address);
  Bits old_bits = __atomic_load_n(p, __ATOMIC_RELAXED);
  for (;;) {
    T old_value;
    std::memcpy(&old_value, &old_bits, sizeof(T));
    const T new_value = op(old_value);
    Bits new_bits;
    std::memcpy(&new_bits, &new_value, sizeof(T));
    if (__atomic_compare_exchange_n(p, &old_bits, new_bits, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_RELAXED))
      return old_value;
  }
}
} // namespace lutgemm_emu

#define LUTGEMM_EMU_ATOMIC_INT(type)                                                               \
  LUTGEMM_EMU_UNCHECKED inline type atomicAdd(type* p, type v) {                                   \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);                                             \
  }                                                                                                \
  LUTGEMM_EMU_UNCHECKED inline type atomicSub(type* p, type v) {                                   \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST);                                             \
  }                                                                                                \
  LUTGEMM_EMU_UNCHECKED inline type atomicAnd(type* p, type v) {                                   \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST);                                             \
  }                                                                                                \
  LUTGEMM_EMU_UNCHECKED inline type atomicOr(type* p, type v) {                                    \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST);                                              \
  }                                                                                                \
  LUTGEMM_EMU_UNCHECKED inline type atomicXor(type* p, type v) {                                   \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST);                                             \
  }                                                                                                \
  inline type atomicMax(type* p, type v) {                                                         \
    return ::lutgemm_emu::atomic_update(p, [v](type o) { return o < v ? v : o; });                 \
  }                                                                                                \
  inline type atomicMin(type* p, type v) {                                                         \
    return ::lutgemm_emu::atomic_update(p, [v](type o) { return v < o ? v : o; });                 \
  }                                                                                                \
  LUTGEMM_EMU_UNCHECKED inline type atomicExch(type* p, type v) {                                  \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    const type old = __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);                                  \
    ::lutgemm_emu::yield();                                                                        \
    return old;                                                                                    \
  }                                                                                                \
  LUTGEMM_EMU_UNCHECKED inline type atomicCAS(type* p, type compare, type v) {                     \
    LUTGEMM_EMU_COUNT_ATOMIC(p);                                                                   \
    type expected = compare;                                                                       \
    __atomic_compare_exchange_n(p, &expected, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);       \
    ::lutgemm_emu::yield();                                                                        \
    return expected;                                                                               \
  }
LUTGEMM_EMU_ATOMIC_INT(int)
LUTGEMM_EMU_ATOMIC_INT(unsigned int)
LUTGEMM_EMU_ATOMIC_INT(unsigned long long)
LUTGEMM_EMU_ATOMIC_INT(long long)
#undef LUTGEMM_EMU_ATOMIC_INT

LUTGEMM_EMU_UNCHECKED inline unsigned short atomicCAS(unsigned short* p, unsigned short compare,
                                                      unsigned short v) {
  unsigned short expected = compare;
  __atomic_compare_exchange_n(p, &expected, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  ::lutgemm_emu::yield();
  return expected;
}
inline float atomicAdd(float* p, float v) {
  return ::lutgemm_emu::atomic_update(p, [v](float o) { return o + v; });
}
inline double atomicAdd(double* p, double v) {
  return ::lutgemm_emu::atomic_update(p, [v](double o) { return o + v; });
}
inline float atomicMax(float* p, float v) {
  return ::lutgemm_emu::atomic_update(p, [v](float o) { return o < v ? v : o; });
}
inline float atomicMin(float* p, float v) {
  return ::lutgemm_emu::atomic_update(p, [v](float o) { return v < o ? v : o; });
}
inline float atomicExch(float* p, float v) {
  return ::lutgemm_emu::from_bits<float>(
      atomicExch(reinterpret_cast<unsigned*>(p),
                 ::lutgemm_emu::from_bits<unsigned>(::lutgemm_emu::to_bits(v))));
}
inline __half atomicAdd(__half* p, __half v) {
  return ::lutgemm_emu::atomic_update(p, [v](__half o) { return lutgemm_native__hadd(o, v); });
}
inline __half2 atomicAdd(__half2* p, __half2 v) {
  return ::lutgemm_emu::atomic_update(p, [v](__half2 o) { return lutgemm_native__hadd2(o, v); });
}
inline unsigned atomicInc(unsigned* p, unsigned limit) {
  return ::lutgemm_emu::atomic_update(p, [limit](unsigned o) { return o >= limit ? 0u : o + 1u; });
}
inline unsigned atomicDec(unsigned* p, unsigned limit) {
  return ::lutgemm_emu::atomic_update(
      p, [limit](unsigned o) { return (o == 0u || o > limit) ? limit : o - 1u; });
}
template <class T, class V> inline auto atomicAdd_block(T* p, V v) {
  return atomicAdd(p, v);
}
template <class T, class V> inline auto atomicAdd_system(T* p, V v) {
  return atomicAdd(p, v);
}

#ifdef LUTGEMM_EMU_RACE_CHECK
#include "emu_race_hooks.h"
#endif
