#!/usr/bin/env bash
# ctest `validate_gpu_validate_emudrv` (label validate): scripts/gpu-validate on the emulated CUDA
# driver must pass with the project's kernels and fail when the LUT-GEMM kernel is broken.
#  1. The passing run is the one a GPU machine without the project's packages gets: a bundle from
#     scripts/gpu-bundle, in a copy of scripts/ elsewhere (no build tree, no CTest files: the gpu
#     test binaries run directly, on the bundle's libraries).
#  2. The broken kernel is the driver's LUTGEMM_EMUCUDA_BROKEN_KERNEL switch (launches succeed,
#     write nothing), with LUTGEMM_EMUCUDA_REUSE=1 so that freed blocks, which may hold an earlier
#     variant's correct output, are handed out again: verification must still see the stale output
#     as wrong. Only the tune checks run (--checks tune): they are what the broken kernel fails.
# ctest runs this test, so neither run asks for gpu-validate's `tests` check (ctest -L emudrv).
#   test_gpu_validate_emudrv.sh BUILD_DIR WORK_DIR
set -euo pipefail
build="$1"
work="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
rm -rf "$work"
mkdir -p "$work"
export LUTGEMM_SKIP_BUILD=1
unset LUTGEMM_EMUCUDA_BROKEN_KERNEL LUTGEMM_EMUCUDA_FAULT_LAUNCH LUTGEMM_EMUCUDA_REUSE

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

# validate DIR OUT ARGS...: runs DIR/scripts/gpu-validate ARGS into OUT, prints its output,
# returns its exit code.
validate() {
  local dir="$1" out="$2" rc=0
  shift 2
  (cd "$dir" && scripts/gpu-validate --emudrv "$@" "$out") >"$out.out" 2>&1 || rc=$?
  sed 's/^/  /' "$out.out"
  return "$rc"
}

echo "== a bundle in a copy of scripts/, the project's kernels: every check passes or skips =="
repo="$work/repo"
mkdir -p "$repo"
cp -r "$root/scripts" "$repo/"
LUTGEMM_BUILD_DIR="$build" "$root/scripts/gpu-bundle" "$repo/build-device"
rc=0
LUTGEMM_BUILD_DIR=build-device validate "$repo" "$work/good" --checks tests,tune,table1 || rc=$?
[ "$rc" = 0 ] || fail "gpu-validate exited $rc on the working kernels"
for check in gpu-tests tune-q3 tune-q4 table1-q3 table1-q4; do
  grep -q "^PASS $check:" "$work/good.out" || fail "no PASS $check line"
done
# Every baseline of the Table 1 checks was verified and timed (on the driver's cuBLAS stand-in).
for baseline in cublas_fp16_acc32 optq_dequant_gemm optq_fused_gemv; do
  grep -q "^PASS table1-q3: .*$baseline: [0-9.]* us" "$work/good.out" ||
    fail "table1-q3 did not time $baseline"
done

echo "== the LUT-GEMM kernel writes nothing (blocks reused): the tune checks fail =="
rc=0
LUTGEMM_BUILD_DIR="$build" LUTGEMM_EMUCUDA_BROKEN_KERNEL=lutgemm_kernel LUTGEMM_EMUCUDA_REUSE=1 \
  validate "$root" "$work/broken" --checks tune || rc=$?
[ "$rc" = 1 ] || fail "gpu-validate exited $rc on a broken kernel (want 1)"
for check in tune-q3 tune-q4; do
  grep -q "^FAIL $check: .*variants ok.*wrong_result" "$work/broken.out" ||
    fail "no 'FAIL $check: ... wrong_result' line"
done
grep -q 'gpu-validate: results in .* (FAILED)' "$work/broken.out" || fail "no FAILED summary line"
echo "ok"
