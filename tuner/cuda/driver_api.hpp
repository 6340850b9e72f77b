#pragma once
// The CUDA driver API, loaded at run time. Programs never link libcuda (a binary linked against it
// does not even start on a machine without an NVIDIA driver, see DESIGN.md's pitfalls): the first
// call to driver() dlopen()s libcuda.so.1, resolves cuGetProcAddress and fills a typed table.
//
// Every entry is requested at an explicit ABI version (the _vNNNN suffix of its cudaTypedefs.h
// typedef), because some entry points changed signature between major versions (cuCtxSynchronize
// takes a context since CUDA 13.0): asking for "the newest" would hand back a function whose
// parameters no longer match the pointer type we call it through.
//
// Failure to load is one line, always of one of these shapes:
//   "no CUDA driver (libcuda.so.1 not found): <dlerror>"
//   "no CUDA device: the CUDA driver <version> reports none (<reason>)"
//   "CUDA driver unusable: <what>"
// so that the `devices` command, the tuner and the benchmarks can print it as is.
#include "common/error.hpp"

#include <cuda.h>
#include <cudaTypedefs.h>

#include <string>

namespace lutgemm::cuda {

// X(name, abi_version): the functions lutgemm uses, each at the ABI version of its typedef.
#define LUTGEMM_CUDA_DRIVER_FUNCTIONS(X)                                                           \
  X(cuGetErrorName, 6000)                                                                          \
  X(cuGetErrorString, 6000)                                                                        \
  X(cuInit, 2000)                                                                                  \
  X(cuDriverGetVersion, 2020)                                                                      \
  X(cuDeviceGetCount, 2000)                                                                        \
  X(cuDeviceGet, 2000)                                                                             \
  X(cuDeviceGetName, 2000)                                                                         \
  X(cuDeviceGetAttribute, 2000)                                                                    \
  X(cuDeviceTotalMem, 3020)                                                                        \
  X(cuDevicePrimaryCtxRetain, 7000)                                                                \
  X(cuDevicePrimaryCtxRelease, 11000)                                                              \
  X(cuCtxSetCurrent, 4000)                                                                         \
  X(cuCtxGetCurrent, 4000)                                                                         \
  X(cuCtxGetDevice, 2000)                                                                          \
  X(cuCtxSynchronize, 2000)                                                                        \
  X(cuMemGetInfo, 3020)                                                                            \
  X(cuModuleLoadData, 2000)                                                                        \
  X(cuModuleUnload, 2000)                                                                          \
  X(cuModuleGetFunction, 2000)                                                                     \
  X(cuFuncGetAttribute, 2020)                                                                      \
  X(cuFuncSetAttribute, 9000)                                                                      \
  X(cuOccupancyMaxActiveBlocksPerMultiprocessor, 6050)                                             \
  X(cuLaunchKernel, 4000)                                                                          \
  X(cuMemAlloc, 3020)                                                                              \
  X(cuMemFree, 3020)                                                                               \
  X(cuMemcpyHtoD, 3020)                                                                            \
  X(cuMemcpyDtoH, 3020)                                                                            \
  X(cuMemcpyDtoD, 3020)                                                                            \
  X(cuMemsetD8, 3020)                                                                              \
  X(cuMemsetD8Async, 3020)                                                                         \
  X(cuStreamCreate, 2000)                                                                          \
  X(cuStreamDestroy, 4000)                                                                         \
  X(cuStreamSynchronize, 2000)                                                                     \
  X(cuEventCreate, 2000)                                                                           \
  X(cuEventDestroy, 4000)                                                                          \
  X(cuEventRecord, 2000)                                                                           \
  X(cuEventSynchronize, 2000)                                                                      \
  X(cuEventElapsedTime, 2000)

struct DriverApi {
#define LUTGEMM_CUDA_DRIVER_FIELD(name, version) PFN_##name##_v##version name = nullptr;
  LUTGEMM_CUDA_DRIVER_FUNCTIONS(LUTGEMM_CUDA_DRIVER_FIELD)
#undef LUTGEMM_CUDA_DRIVER_FIELD

  int driver_version = 0;   // cuDriverGetVersion: 1000 * major + 10 * minor
  std::string library_name; // what was dlopen()ed
};

// The driver or the device is missing. Its message is the one line described above.
class DriverUnavailable : public RuntimeError {
public:
  using RuntimeError::RuntimeError;
};

enum class DriverState { ok, no_driver, unusable, no_device };
std::string to_string(DriverState state);
DriverState driver_state_from_string(const std::string& text); // throws UsageError

struct DriverStatus {
  DriverState state = DriverState::no_driver;
  std::string message; // empty when ok, else the one line
  int driver_version = 0;
  int device_count = 0;
  bool ok() const { return state == DriverState::ok; }
};

// The library opened: $LUTGEMM_CUDA_DRIVER if set (tests use it to simulate a missing driver on a
// machine that has one), else "libcuda.so.1".
std::string driver_library_name();

// Loads the driver and calls cuInit(0) once per process (thread-safe); never throws.
const DriverStatus& driver_status();

// The loaded table when at least one device exists; throws DriverUnavailable with the one line
// otherwise.
const DriverApi& driver();

// The table when the driver's functions resolved (even with no device, or cuInit failing), else
// nullptr. For error formatting; work on a device goes through driver().
const DriverApi* driver_functions_or_null();

// "13.0" from 13000.
std::string driver_version_text(int version);

} // namespace lutgemm::cuda
