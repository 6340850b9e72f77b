#!/usr/bin/env bash
# find_package(lutgemm): installs the build tree into a fresh prefix, then configures, builds and
# runs the tiny consumer project (tests/package/consumer) against that prefix only.
# Usage: test_package.sh BUILD_DIR WORK_DIR
set -euo pipefail
build="$(realpath "$1")"
work="$(realpath -m "$2")"
here="$(cd "$(dirname "$0")" && pwd)"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
for f in lib/cmake/lutgemm/lutgemmConfig.cmake lib/cmake/lutgemm/lutgemmConfigVersion.cmake \
         include/lutgemm/quant/bcq.hpp include/lutgemm/kernels/lutgemm.cuh; do
  [ -f "$work/prefix/$f" ] || { echo "test_package: $f was not installed" >&2; exit 1; }
done
cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" ||
  { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/consumer"
"$work/consumer/consumer"
rm -rf "$work/prefix" # a copy of the static library: not worth keeping
