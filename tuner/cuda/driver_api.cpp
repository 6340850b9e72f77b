#include "cuda/driver_api.hpp"

#include "cuda/check.hpp"

#include <fmt/format.h>

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <mutex>

namespace lutgemm::cuda {
namespace {

constexpr const char* kDefaultLibrary = "libcuda.so.1";

// cuGetProcAddress as exported by the driver: the CUDA 12 form reports why a symbol is missing,
// the CUDA 11.3 form does not. We take whichever the driver has.
struct ProcResolver {
  PFN_cuGetProcAddress_v12000 v2 = nullptr;
  PFN_cuGetProcAddress_v11030 v1 = nullptr;

  void* resolve(const char* symbol, int version, CUresult* error = nullptr) const {
    void* fn = nullptr;
    const cuuint64_t flags = CU_GET_PROC_ADDRESS_LEGACY_STREAM;
    CUresult result = CUDA_ERROR_NOT_FOUND;
    if (v2) {
      CUdriverProcAddressQueryResult found = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
      result = v2(symbol, &fn, version, flags, &found);
      if (found != CU_GET_PROC_ADDRESS_SUCCESS)
        fn = nullptr;
    } else if (v1) {
      result = v1(symbol, &fn, version, flags);
    }
    if (error)
      *error = result;
    return result == CUDA_SUCCESS ? fn : nullptr;
  }
};

struct Loaded {
  DriverApi api;
  DriverStatus status;
  bool resolved = false; // every function pointer is set
};

DriverStatus fail(DriverState state, std::string message, int version = 0) {
  DriverStatus status;
  status.state = state;
  status.message = std::move(message);
  status.driver_version = version;
  return status;
}

// Never throws: every failure becomes a status with its one line.
void load(Loaded& loaded) {
  DriverApi& api = loaded.api;
  api.library_name = driver_library_name();
  // The handle is deliberately never closed: function pointers into it live as long as the process.
  void* handle = dlopen(api.library_name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    loaded.status =
        fail(DriverState::no_driver, fmt::format("no CUDA driver ({} not found): {}",
                                                 api.library_name, why ? why : "dlopen failed"));
    return;
  }
  ProcResolver resolver;
  resolver.v2 = reinterpret_cast<PFN_cuGetProcAddress_v12000>(dlsym(handle, "cuGetProcAddress_v2"));
  if (!resolver.v2)
    resolver.v1 = reinterpret_cast<PFN_cuGetProcAddress_v11030>(dlsym(handle, "cuGetProcAddress"));
  if (!resolver.v2 && !resolver.v1) {
    loaded.status = fail(DriverState::unusable,
                         fmt::format("CUDA driver unusable: {} has no cuGetProcAddress (a driver "
                                     "for CUDA 11.3 or newer is needed)",
                                     api.library_name));
    return;
  }
  // The toolkit's stub libcuda (lib64/stubs) exports every symbol but answers each call with
  // CUDA_ERROR_STUB_LIBRARY: say so rather than list every function as missing.
  CUresult probe = CUDA_SUCCESS;
  if (!resolver.resolve("cuInit", 2000, &probe) && probe == CUDA_ERROR_STUB_LIBRARY) {
    loaded.status = fail(DriverState::unusable,
                         fmt::format("CUDA driver unusable: {} is the CUDA toolkit's stub library "
                                     "(CUDA_ERROR_STUB_LIBRARY), not an NVIDIA driver",
                                     api.library_name));
    return;
  }
  std::string missing;
#define LUTGEMM_CUDA_DRIVER_RESOLVE(name, version)                                                 \
  api.name = reinterpret_cast<PFN_##name##_v##version>(resolver.resolve(#name, version));          \
  if (!api.name)                                                                                   \
    missing += (missing.empty() ? "" : ", ") + std::string(#name);
  LUTGEMM_CUDA_DRIVER_FUNCTIONS(LUTGEMM_CUDA_DRIVER_RESOLVE)
#undef LUTGEMM_CUDA_DRIVER_RESOLVE
  if (!missing.empty()) {
    loaded.status = fail(DriverState::unusable, fmt::format("CUDA driver unusable: {} lacks {}",
                                                            api.library_name, missing));
    return;
  }

  loaded.resolved = true;

  int version = 0;
  if (api.cuDriverGetVersion(&version) != CUDA_SUCCESS)
    version = 0;
  api.driver_version = version;

  const CUresult init = api.cuInit(0);
  if (init != CUDA_SUCCESS) {
    const char* name = nullptr;
    const char* text = nullptr;
    api.cuGetErrorName(init, &name);
    api.cuGetErrorString(init, &text);
    const std::string reason =
        fmt::format("cuInit: {}{}", name ? name : fmt::format("CUDA error {}", int(init)),
                    text ? fmt::format(": {}", text) : std::string());
    if (init == CUDA_ERROR_NO_DEVICE)
      loaded.status = fail(DriverState::no_device,
                           fmt::format("no CUDA device: the CUDA driver {} reports none ({})",
                                       driver_version_text(version), reason),
                           version);
    else
      loaded.status = fail(
          DriverState::unusable,
          fmt::format("CUDA driver unusable: {} (driver {})", reason, driver_version_text(version)),
          version);
    return;
  }
  int count = 0;
  if (api.cuDeviceGetCount(&count) != CUDA_SUCCESS || count <= 0) {
    loaded.status = fail(DriverState::no_device,
                         fmt::format("no CUDA device: the CUDA driver {} reports none",
                                     driver_version_text(version)),
                         version);
    return;
  }
  loaded.status.state = DriverState::ok;
  loaded.status.driver_version = version;
  loaded.status.device_count = count;
}

Loaded& loaded_driver() {
  static Loaded loaded;
  static std::once_flag once;
  std::call_once(once, [] { load(loaded); });
  return loaded;
}

} // namespace

std::string to_string(DriverState state) {
  switch (state) {
  case DriverState::ok:
    return "ok";
  case DriverState::no_driver:
    return "no_driver";
  case DriverState::unusable:
    return "unusable";
  case DriverState::no_device:
    return "no_device";
  }
  return "unknown";
}

DriverState driver_state_from_string(const std::string& text) {
  for (DriverState state :
       {DriverState::ok, DriverState::no_driver, DriverState::unusable, DriverState::no_device})
    if (to_string(state) == text)
      return state;
  throw UsageError(fmt::format("unknown driver state '{}' (allowed: ok, no_driver, unusable, "
                               "no_device)",
                               text));
}

std::string driver_library_name() {
  const char* override_name = std::getenv("LUTGEMM_CUDA_DRIVER");
  return override_name && *override_name ? override_name : kDefaultLibrary;
}

const DriverStatus& driver_status() {
  return loaded_driver().status;
}

const DriverApi& driver() {
  Loaded& loaded = loaded_driver();
  if (!loaded.status.ok())
    throw DriverUnavailable(loaded.status.message);
  return loaded.api;
}

const DriverApi* driver_functions_or_null() {
  Loaded& loaded = loaded_driver();
  return loaded.resolved ? &loaded.api : nullptr;
}

std::string driver_version_text(int version) {
  if (version <= 0)
    return "(version unknown)";
  return fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

} // namespace lutgemm::cuda
