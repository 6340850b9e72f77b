// The emulated CUDA driver: libemucuda.so, loaded by tuner/cuda/driver_api.cpp when
// LUTGEMM_CUDA_DRIVER names it. It exports cuGetProcAddress (both forms) and, from
// emulated_cublas.cpp, a cuBLAS stand-in, nothing else; cuGetProcAddress
// hands out the implementations below of every function in LUTGEMM_CUDA_DRIVER_FUNCTIONS, each
// checked at compile time against the cudaTypedefs.h signature of the version the project asks for.
//
// One device, the built-in target named by LUTGEMM_EMUCUDA_TARGET, whose name says it is emulated
// and that its event times are wall-clock. Kernels run in the host SIMT emulator (tuner/emu) with
// the launch's grid, block, shared memory and argument buffer; streams and events are synchronous
// (a launch returns when the kernel has run). What it cannot run is refused with an error code and
// the reason, which cuGetErrorString returns and stderr shows. Fault switches: fault_switches.hpp.
#include "cuda/driver_api.hpp"
#include "emu/emulator.hpp"
#include "emu_driver/cubin_image.hpp"
#include "emu_driver/device_access.hpp"
#include "emu_driver/device_memory.hpp"
#include "emu_driver/fault_switches.hpp"
#include "emu_driver/kernel_lookup.hpp"
#include "targets/gpu_spec.hpp"

#include <cuda.h>
#include <cudaTypedefs.h>
#include <fmt/format.h>
#include <nvrtc.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace lutgemm::emucuda {
namespace {

using Clock = std::chrono::steady_clock;

struct Function {
  std::string lowered_name;
  CubinFunction info;
  std::shared_ptr<const emu::Kernel> kernel;
  int max_dynamic_smem = -1; // -1: the 48 KiB default minus static
};

struct Module {
  std::map<std::string, std::unique_ptr<Function>> functions; // loaded on first request
  CubinImage image;
};

struct Event {
  Clock::time_point when;
  bool recorded = false;
};

struct Stream {};

struct Context {
  int retained = 0;
  int lock_fd = -1; // EXCLUSIVE_PROCESS: held while the context lives
};

struct Driver {
  std::mutex mutex;
  bool initialised = false;
  const GpuSpec* spec = nullptr;
  std::unique_ptr<DeviceMemory> memory;
  Context context;
  bool current = false;
  CUresult sticky = CUDA_SUCCESS;
  long launches = 0;
  std::deque<std::string> details; // reasons behind refusals (cuGetErrorString hands them out)
  std::map<CUresult, const char*> last_detail;
};

Driver& state() {
  static Driver* driver = new Driver; // never destroyed: callers may outlive static destruction
  return *driver;
}

const char* builtin_name(CUresult result) {
  switch (result) {
#define LUTGEMM_EMUCUDA_NAME(code)                                                                 \
  case code:                                                                                       \
    return #code;
    LUTGEMM_EMUCUDA_NAME(CUDA_SUCCESS)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_INVALID_VALUE)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_OUT_OF_MEMORY)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_NOT_INITIALIZED)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_NO_DEVICE)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_INVALID_DEVICE)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_DEVICE_UNAVAILABLE)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_INVALID_IMAGE)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_INVALID_CONTEXT)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_INVALID_HANDLE)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_NOT_FOUND)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_NOT_READY)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_ILLEGAL_ADDRESS)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_LAUNCH_TIMEOUT)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_LAUNCH_FAILED)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_NOT_SUPPORTED)
    LUTGEMM_EMUCUDA_NAME(CUDA_ERROR_UNKNOWN)
#undef LUTGEMM_EMUCUDA_NAME
  default:
    return nullptr;
  }
}

const char* builtin_description(CUresult result) {
  switch (result) {
  case CUDA_SUCCESS:
    return "no error";
  case CUDA_ERROR_INVALID_VALUE:
    return "invalid argument";
  case CUDA_ERROR_OUT_OF_MEMORY:
    return "out of memory";
  case CUDA_ERROR_NOT_INITIALIZED:
    return "initialization error";
  case CUDA_ERROR_DEVICE_UNAVAILABLE:
    return "CUDA-capable device(s) is/are busy or unavailable";
  case CUDA_ERROR_ILLEGAL_ADDRESS:
    return "an illegal memory access was encountered";
  case CUDA_ERROR_NOT_FOUND:
    return "named symbol not found";
  default:
    return "emulated driver error";
  }
}

// Returns `result` after recording why (cuGetErrorString gives it back) and printing it once.
CUresult refuse(Driver& d, CUresult result, const std::string& why) {
  d.details.push_back("emulated driver: " + why);
  d.last_detail[result] = d.details.back().c_str();
  std::fprintf(stderr, "lutgemm emulated CUDA driver: %s (%s)\n", why.c_str(),
               builtin_name(result) ? builtin_name(result) : "error");
  return result;
}

// Every call that touches the device: the driver is initialised and no sticky fault happened.
CUresult usable(Driver& d) {
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  return d.sticky;
}

CUresult emu_cuGetErrorName(CUresult error, const char** name) {
  const char* found = builtin_name(error);
  if (!name || !found)
    return CUDA_ERROR_INVALID_VALUE;
  *name = found;
  return CUDA_SUCCESS;
}

CUresult emu_cuGetErrorString(CUresult error, const char** text) {
  if (!text)
    return CUDA_ERROR_INVALID_VALUE;
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  auto it = d.last_detail.find(error);
  *text = it != d.last_detail.end() ? it->second : builtin_description(error);
  return CUDA_SUCCESS;
}

CUresult emu_cuInit(unsigned int flags) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (flags != 0)
    return refuse(d, CUDA_ERROR_INVALID_VALUE, "cuInit flags must be 0");
  if (d.initialised)
    return CUDA_SUCCESS;
  d.spec = try_find_target(switches().target);
  if (!d.spec)
    return refuse(d, CUDA_ERROR_NO_DEVICE,
                  fmt::format("LUTGEMM_EMUCUDA_TARGET '{}' is not a built-in target ({})",
                              switches().target, known_target_keys()));
  const std::uint64_t capacity = switches().memory_bytes > 0
                                     ? switches().memory_bytes
                                     : static_cast<std::uint64_t>(d.spec->dram_bytes);
  d.memory = std::make_unique<DeviceMemory>(capacity, switches().reuse_freed);
  d.initialised = true;
  return CUDA_SUCCESS;
}

CUresult emu_cuDriverGetVersion(int* version) {
  if (!version)
    return CUDA_ERROR_INVALID_VALUE;
  // As new as the NVRTC it runs with: the driver never refuses the toolkit's code.
  int major = 0;
  int minor = 0;
  if (nvrtcVersion(&major, &minor) != NVRTC_SUCCESS)
    major = minor = 0;
  *version = std::max(1000 * major + 10 * minor, CUDA_VERSION);
  return CUDA_SUCCESS;
}

CUresult emu_cuDeviceGetCount(int* count) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!count)
    return CUDA_ERROR_INVALID_VALUE;
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  *count = 1;
  return CUDA_SUCCESS;
}

CUresult emu_cuDeviceGet(CUdevice* device, int ordinal) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!device || ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}

std::string device_name(const GpuSpec& spec) {
  return fmt::format("{} (emulated on the host CPU; event times are wall-clock)", spec.name);
}

CUresult emu_cuDeviceGetName(char* name, int length, CUdevice device) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!name || length <= 0 || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  const std::string text = device_name(*d.spec);
  const std::size_t n = std::min<std::size_t>(text.size(), static_cast<std::size_t>(length) - 1);
  std::memcpy(name, text.data(), n);
  name[n] = '\0';
  return CUDA_SUCCESS;
}

CUresult emu_cuDeviceGetAttribute(int* value, CUdevice_attribute attribute, CUdevice device) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!value || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  const GpuSpec& s = *d.spec;
  switch (attribute) {
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR:
    *value = s.cc_major;
    break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR:
    *value = s.cc_minor;
    break;
  case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT:
    *value = s.sm_count;
    break;
  case CU_DEVICE_ATTRIBUTE_CLOCK_RATE:
    *value = static_cast<int>(s.boost_clock_mhz * 1000);
    break;
  case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE:
  case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH:
    *value = 0; // not in the spec table: the bandwidth comes from the datasheet by name
    break;
  case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE:
    *value = static_cast<int>(s.l2_bytes);
    break;
  case CU_DEVICE_ATTRIBUTE_COMPUTE_MODE:
    *value = switches().exclusive ? CU_COMPUTEMODE_EXCLUSIVE_PROCESS : CU_COMPUTEMODE_DEFAULT;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK:
    *value = static_cast<int>(s.smem_per_block_static);
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN:
    *value = static_cast<int>(s.smem_per_block_optin);
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR:
    *value = static_cast<int>(s.smem_per_sm);
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR:
  case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK:
    *value = s.regs_per_sm;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR:
    *value = s.max_threads_per_sm;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X:
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y:
    *value = s.max_threads_per_block;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z:
    *value = 64;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X:
    *value = 2147483647;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y:
  case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z:
    *value = 65535;
    break;
  case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR:
    *value = s.max_blocks_per_sm;
    break;
  case CU_DEVICE_ATTRIBUTE_WARP_SIZE:
    *value = s.warp_size;
    break;
  default:
    return refuse(d, CUDA_ERROR_NOT_SUPPORTED,
                  fmt::format("device attribute {} is not emulated", int(attribute)));
  }
  return CUDA_SUCCESS;
}

CUresult emu_cuDeviceTotalMem(std::size_t* bytes, CUdevice device) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!bytes || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  *bytes = d.memory->capacity();
  return CUDA_SUCCESS;
}

CUcontext context_handle(Driver& d) {
  return reinterpret_cast<CUcontext>(&d.context);
}

CUresult emu_cuDevicePrimaryCtxRetain(CUcontext* context, CUdevice device) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (CUresult r = usable(d))
    return r;
  if (!context || device != 0)
    return CUDA_ERROR_INVALID_VALUE;
  if (d.context.retained == 0 && switches().exclusive) {
    const int fd = open(switches().lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (fd >= 0)
        close(fd);
      return refuse(d, CUDA_ERROR_DEVICE_UNAVAILABLE,
                    fmt::format("compute mode EXCLUSIVE_PROCESS: another process holds the "
                                "device's context (lock {})",
                                switches().lock_path));
    }
    d.context.lock_fd = fd;
  }
  ++d.context.retained;
  *context = context_handle(d);
  return CUDA_SUCCESS;
}

CUresult emu_cuDevicePrimaryCtxRelease(CUdevice device) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (device != 0 || d.context.retained == 0)
    return CUDA_ERROR_INVALID_CONTEXT;
  if (--d.context.retained == 0 && d.context.lock_fd >= 0) {
    close(d.context.lock_fd); // releases the flock
    d.context.lock_fd = -1;
  }
  return CUDA_SUCCESS;
}

CUresult emu_cuCtxSetCurrent(CUcontext context) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (context && (context != context_handle(d) || d.context.retained == 0))
    return CUDA_ERROR_INVALID_CONTEXT;
  d.current = context != nullptr;
  return CUDA_SUCCESS;
}

CUresult emu_cuCtxGetCurrent(CUcontext* context) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (!d.initialised)
    return CUDA_ERROR_NOT_INITIALIZED;
  if (!context)
    return CUDA_ERROR_INVALID_VALUE;
  *context = d.current ? context_handle(d) : nullptr;
  return CUDA_SUCCESS;
}

// Calls that need a current context (and no sticky fault).
CUresult in_context(Driver& d) {
  if (CUresult r = usable(d))
    return r;
  return d.current ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

// The frame of every call that touches device state: the driver's lock held, a current context
// and no sticky fault (else that error), then `body(driver)`.
template <class Body> CUresult with_context(Body&& body) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  if (CUresult r = in_context(d))
    return r;
  return body(d);
}

CUresult emu_cuCtxGetDevice(CUdevice* device) {
  return with_context([&](Driver&) -> CUresult {
    if (!device)
      return CUDA_ERROR_INVALID_VALUE;
    *device = 0; // the one emulated device
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuCtxSynchronize() {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  return in_context(d); // launches are synchronous: nothing is pending
}

CUresult emu_cuMemGetInfo(std::size_t* free, std::size_t* total) {
  return with_context([&](Driver& d) -> CUresult {
    if (!free || !total)
      return CUDA_ERROR_INVALID_VALUE;
    *total = d.memory->capacity();
    *free = d.memory->capacity() - d.memory->used();
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuModuleLoadData(CUmodule* module, const void* image) {
  return with_context([&](Driver& d) -> CUresult {
    if (!module || !image)
      return CUDA_ERROR_INVALID_VALUE;
    std::string why;
    auto cubin = read_cubin(image, why);
    if (!cubin)
      return refuse(d, CUDA_ERROR_INVALID_IMAGE, why);
    auto loaded = std::make_unique<Module>();
    loaded->image = std::move(*cubin);
    *module = reinterpret_cast<CUmodule>(loaded.release());
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuModuleUnload(CUmodule module) {
  return with_context([&](Driver&) -> CUresult {
    if (!module)
      return CUDA_ERROR_INVALID_HANDLE;
    delete reinterpret_cast<Module*>(module);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuModuleGetFunction(CUfunction* function, CUmodule module, const char* name) {
  Driver& d = state();
  std::unique_lock lock(d.mutex);
  if (CUresult r = in_context(d))
    return r;
  if (!function || !module || !name)
    return CUDA_ERROR_INVALID_VALUE;
  auto& m = *reinterpret_cast<Module*>(module);
  if (auto it = m.functions.find(name); it != m.functions.end()) {
    *function = reinterpret_cast<CUfunction>(it->second.get());
    return CUDA_SUCCESS;
  }
  auto found = m.image.functions.find(name);
  if (found == m.image.functions.end())
    return refuse(d, CUDA_ERROR_NOT_FOUND, fmt::format("the CUBIN has no function '{}'", name));
  std::string why;
  const auto spec = recover_spec(name, found->second, d.spec->arch_text(), why);
  if (!spec)
    return refuse(d, CUDA_ERROR_NOT_FOUND, why);
  auto loaded = std::make_unique<Function>();
  loaded->lowered_name = name;
  loaded->info = found->second;
  try {
    loaded->kernel = emu::load_kernel(*spec);
  } catch (const std::exception& e) {
    return refuse(d, CUDA_ERROR_NOT_SUPPORTED,
                  fmt::format("the host emulator cannot build {} from {}: {}",
                              spec->name_expression, spec->source, e.what()));
  }
  *function = reinterpret_cast<CUfunction>(loaded.get());
  m.functions[name] = std::move(loaded);
  return CUDA_SUCCESS;
}

int max_dynamic_smem(const Function& f, const GpuSpec& spec) {
  if (f.max_dynamic_smem >= 0)
    return f.max_dynamic_smem;
  return static_cast<int>(
      std::max<std::int64_t>(0, spec.smem_per_block_static - f.info.static_smem_bytes));
}

CUresult emu_cuFuncGetAttribute(int* value, CUfunction_attribute attribute, CUfunction function) {
  return with_context([&](Driver& d) -> CUresult {
    if (!value || !function)
      return CUDA_ERROR_INVALID_VALUE;
    const auto& f = *reinterpret_cast<Function*>(function);
    switch (attribute) {
    case CU_FUNC_ATTRIBUTE_NUM_REGS:
      *value = f.info.registers;
      break;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES:
      *value = static_cast<int>(f.info.static_smem_bytes);
      break;
    case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES:
      *value = 0; // not read from the CUBIN; the NVRTC log's spill figures are what the tuner keeps
      break;
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK:
      *value = d.spec->max_threads_per_block;
      break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
      *value = max_dynamic_smem(f, *d.spec);
      break;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION:
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION:
      *value = d.spec->compute_capability();
      break;
    default:
      return refuse(d, CUDA_ERROR_NOT_SUPPORTED,
                    fmt::format("function attribute {} is not emulated", int(attribute)));
    }
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuFuncSetAttribute(CUfunction function, CUfunction_attribute attribute, int value) {
  return with_context([&](Driver& d) -> CUresult {
    if (!function)
      return CUDA_ERROR_INVALID_HANDLE;
    auto& f = *reinterpret_cast<Function*>(function);
    if (attribute != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
      return refuse(d, CUDA_ERROR_NOT_SUPPORTED,
                    fmt::format("setting function attribute {} is not emulated", int(attribute)));
    if (value < 0 || f.info.static_smem_bytes + value > d.spec->smem_per_block_optin)
      return refuse(d, CUDA_ERROR_INVALID_VALUE,
                    fmt::format("{} bytes of dynamic shared memory plus {} static exceed the {} "
                                "bytes a block may opt in to",
                                value, f.info.static_smem_bytes, d.spec->smem_per_block_optin));
    f.max_dynamic_smem = value;
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, CUfunction function,
                                                         int block_size, std::size_t dynamic_smem) {
  return with_context([&](Driver& d) -> CUresult {
    if (!blocks || !function || block_size <= 0)
      return CUDA_ERROR_INVALID_VALUE;
    const auto& f = *reinterpret_cast<Function*>(function);
    const GpuSpec& s = *d.spec;
    const int warps = (block_size + s.warp_size - 1) / s.warp_size;
    int fit = std::min(s.max_blocks_per_sm, s.max_threads_per_sm / (warps * s.warp_size));
    if (f.info.registers > 0)
      fit = std::min(fit, s.regs_per_sm / (f.info.registers * warps * s.warp_size));
    const std::int64_t smem = f.info.static_smem_bytes + static_cast<std::int64_t>(dynamic_smem);
    if (smem > 0)
      fit = std::min<std::int64_t>(fit, s.smem_per_sm / smem);
    *blocks = std::max(0, fit);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuLaunchKernel(CUfunction function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                            unsigned block_x, unsigned block_y, unsigned block_z,
                            unsigned dynamic_smem, CUstream, void** params, void** extra) {
  return with_context([&](Driver& d) -> CUresult {
    if (!function)
      return CUDA_ERROR_INVALID_HANDLE;
    if (extra)
      return refuse(d, CUDA_ERROR_NOT_SUPPORTED,
                    "cuLaunchKernel's `extra` argument buffer is not emulated; pass kernelParams");
    const auto& f = *reinterpret_cast<Function*>(function);
    if (static_cast<std::int64_t>(dynamic_smem) > max_dynamic_smem(f, *d.spec))
      return refuse(d, CUDA_ERROR_INVALID_VALUE,
                    fmt::format("{} bytes of dynamic shared memory exceed the function's {} (set "
                                "CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES to opt in)",
                                dynamic_smem, max_dynamic_smem(f, *d.spec)));
    ++d.launches;
    const auto& s = switches();
    if (s.fault_launch > 0 && d.launches == s.fault_launch &&
        (s.fault_marker.empty() || !std::filesystem::exists(s.fault_marker))) {
      if (!s.fault_marker.empty())
        std::ofstream(s.fault_marker) << "faulted\n";
      d.sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
      return refuse(d, CUDA_ERROR_ILLEGAL_ADDRESS,
                    fmt::format("injected sticky fault on launch {} (LUTGEMM_EMUCUDA_FAULT_LAUNCH)",
                                d.launches));
    }
    // LUTGEMM_EMUCUDA_BROKEN_KERNEL: the launch "succeeds" and its outputs keep whatever the
    // memory held, which is what a kernel with a bug in its store path does.
    if (!s.broken_kernel.empty() && f.lowered_name.find(s.broken_kernel) != std::string::npos)
      return CUDA_SUCCESS;
    LaunchConfig config;
    config.grid = {grid_x, grid_y, grid_z};
    config.block = {block_x, block_y, block_z};
    config.dynamic_smem_bytes = dynamic_smem;
    emu::LaunchOptions options;
    options.smem_limit_bytes = static_cast<std::uint32_t>(
        std::min<std::int64_t>(f.info.static_smem_bytes + max_dynamic_smem(f, *d.spec),
                               emu::emulator_info().smem_optin_bytes));
    options.worker_threads = s.threads;
    try {
      emu::launch(*f.kernel, config, params, options);
    } catch (const emu::EmuError& e) {
      switch (e.kind()) {
      case emu::ErrorKind::launch_config:
      case emu::ErrorKind::compile_error:
        return refuse(d, CUDA_ERROR_INVALID_VALUE, e.what());
      case emu::ErrorKind::timeout:
      case emu::ErrorKind::deadlock:
        d.sticky = CUDA_ERROR_LAUNCH_TIMEOUT;
        return refuse(d, d.sticky, e.what());
      case emu::ErrorKind::out_of_bounds:
        d.sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
        return refuse(d, d.sticky, e.what());
      default:
        d.sticky = CUDA_ERROR_LAUNCH_FAILED;
        return refuse(d, d.sticky, e.what());
      }
    }
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuMemAlloc(CUdeviceptr* pointer, std::size_t bytes) {
  return with_context([&](Driver& d) -> CUresult {
    if (!pointer || bytes == 0)
      return CUDA_ERROR_INVALID_VALUE;
    const std::uintptr_t address = d.memory->allocate(bytes);
    if (address == 0)
      return refuse(d, CUDA_ERROR_OUT_OF_MEMORY,
                    fmt::format("{} bytes requested, {} of {} in use", bytes, d.memory->used(),
                                d.memory->capacity()));
    *pointer = static_cast<CUdeviceptr>(address);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuMemFree(CUdeviceptr pointer) {
  return with_context([&](Driver& d) -> CUresult {
    if (!d.memory->release(static_cast<std::uintptr_t>(pointer)))
      return refuse(d, CUDA_ERROR_INVALID_VALUE,
                    fmt::format("cuMemFree of {:#x}, not a live allocation", pointer));
    return CUDA_SUCCESS;
  });
}

void* device_span(Driver& d, CUdeviceptr pointer, std::size_t bytes) {
  return d.memory->span(static_cast<std::uintptr_t>(pointer), bytes);
}

CUresult bad_range(Driver& d, const char* call, CUdeviceptr pointer, std::size_t bytes) {
  return refuse(d, CUDA_ERROR_INVALID_VALUE,
                fmt::format("{}: [{:#x}, +{}) is not inside one allocation", call, pointer, bytes));
}

CUresult emu_cuMemcpyHtoD(CUdeviceptr destination, const void* source, std::size_t bytes) {
  return with_context([&](Driver& d) -> CUresult {
    void* to = device_span(d, destination, bytes);
    if (!to || (!source && bytes > 0))
      return bad_range(d, "cuMemcpyHtoD", destination, bytes);
    std::memcpy(to, source, bytes);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuMemcpyDtoH(void* destination, CUdeviceptr source, std::size_t bytes) {
  return with_context([&](Driver& d) -> CUresult {
    const void* from = device_span(d, source, bytes);
    if (!from || (!destination && bytes > 0))
      return bad_range(d, "cuMemcpyDtoH", source, bytes);
    std::memcpy(destination, from, bytes);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuMemcpyDtoD(CUdeviceptr destination, CUdeviceptr source, std::size_t bytes) {
  return with_context([&](Driver& d) -> CUresult {
    void* to = device_span(d, destination, bytes);
    const void* from = device_span(d, source, bytes);
    if (!to || !from)
      return bad_range(d, "cuMemcpyDtoD", to ? source : destination, bytes);
    std::memmove(to, from, bytes);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuMemsetD8(CUdeviceptr destination, unsigned char value, std::size_t count) {
  return with_context([&](Driver& d) -> CUresult {
    void* to = device_span(d, destination, count);
    if (!to)
      return bad_range(d, "cuMemsetD8", destination, count);
    std::memset(to, value, count);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuMemsetD8Async(CUdeviceptr destination, unsigned char value, std::size_t count,
                             CUstream) {
  return emu_cuMemsetD8(destination, value, count); // streams are synchronous
}

CUresult emu_cuStreamCreate(CUstream* stream, unsigned int) {
  return with_context([&](Driver&) -> CUresult {
    if (!stream)
      return CUDA_ERROR_INVALID_VALUE;
    *stream = reinterpret_cast<CUstream>(new Stream);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuStreamDestroy(CUstream stream) {
  return with_context([&](Driver&) -> CUresult {
    if (!stream)
      return CUDA_ERROR_INVALID_HANDLE;
    delete reinterpret_cast<Stream*>(stream);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuStreamSynchronize(CUstream) {
  Driver& d = state();
  std::lock_guard lock(d.mutex);
  return in_context(d);
}

CUresult emu_cuEventCreate(CUevent* event, unsigned int) {
  return with_context([&](Driver&) -> CUresult {
    if (!event)
      return CUDA_ERROR_INVALID_VALUE;
    *event = reinterpret_cast<CUevent>(new Event);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuEventDestroy(CUevent event) {
  return with_context([&](Driver&) -> CUresult {
    if (!event)
      return CUDA_ERROR_INVALID_HANDLE;
    delete reinterpret_cast<Event*>(event);
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuEventRecord(CUevent event, CUstream) {
  return with_context([&](Driver&) -> CUresult {
    if (!event)
      return CUDA_ERROR_INVALID_HANDLE;
    auto& e = *reinterpret_cast<Event*>(event);
    e.when = Clock::now(); // everything queued before it has run: launches are synchronous
    e.recorded = true;
    return CUDA_SUCCESS;
  });
}

CUresult emu_cuEventSynchronize(CUevent event) {
  return with_context(
      [&](Driver&) -> CUresult { return event ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE; });
}

CUresult emu_cuEventElapsedTime(float* ms, CUevent start, CUevent stop) {
  return with_context([&](Driver&) -> CUresult {
    if (!ms || !start || !stop)
      return CUDA_ERROR_INVALID_HANDLE;
    const auto& a = *reinterpret_cast<Event*>(start);
    const auto& b = *reinterpret_cast<Event*>(stop);
    if (!a.recorded || !b.recorded)
      return CUDA_ERROR_INVALID_HANDLE;
    *ms = std::chrono::duration<float, std::milli>(b.when - a.when).count();
    return CUDA_SUCCESS;
  });
}

struct Entry {
  const char* name;
  int version;
  void* function;
};

// static_cast checks each implementation against the typedef of the version the project uses.
const Entry kEntries[] = {
#define LUTGEMM_EMUCUDA_ENTRY(name, version)                                                       \
  {#name, version, reinterpret_cast<void*>(static_cast<PFN_##name##_v##version>(&emu_##name))},
    LUTGEMM_CUDA_DRIVER_FUNCTIONS(LUTGEMM_EMUCUDA_ENTRY)
#undef LUTGEMM_EMUCUDA_ENTRY
};

CUresult get_proc_address(const char* symbol, void** function, int version,
                          CUdriverProcAddressQueryResult* found) {
  if (!symbol || !function)
    return CUDA_ERROR_INVALID_VALUE;
  *function = nullptr;
  for (const Entry& entry : kEntries) {
    if (std::strcmp(entry.name, symbol) != 0)
      continue;
    if (version < entry.version) {
      if (found)
        *found = CU_GET_PROC_ADDRESS_VERSION_NOT_SUFFICIENT;
      return CUDA_ERROR_NOT_FOUND;
    }
    *function = entry.function;
    if (found)
      *found = CU_GET_PROC_ADDRESS_SUCCESS;
    return CUDA_SUCCESS;
  }
  if (found)
    *found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
  return CUDA_ERROR_NOT_FOUND;
}

} // namespace

CUresult with_device_memory(const std::function<CUresult(DeviceMemory&)>& body) {
  return with_context([&](Driver& d) { return body(*d.memory); });
}

CUresult refuse_in_call(CUresult result, const std::string& why) {
  Driver& d = state(); // the caller holds d.mutex (with_device_memory)
  if (result == CUDA_ERROR_ILLEGAL_ADDRESS)
    d.sticky = result;
  return refuse(d, result, why);
}

} // namespace lutgemm::emucuda

// The driver's exported symbols (tuner/emu_driver/exports.map): the CUDA 12 form, which reports why
// a symbol is missing, and the CUDA 11.3 form. cuda.h maps the name cuGetProcAddress to the _v2
// one.
extern "C" CUresult cuGetProcAddress_v2(const char* symbol, void** function, int version,
                                        cuuint64_t, CUdriverProcAddressQueryResult* found) {
  return lutgemm::emucuda::get_proc_address(symbol, function, version, found);
}

#undef cuGetProcAddress
extern "C" CUresult cuGetProcAddress(const char* symbol, void** function, int version, cuuint64_t) {
  return lutgemm::emucuda::get_proc_address(symbol, function, version, nullptr);
}
