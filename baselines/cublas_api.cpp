#include "baselines/cublas_api.hpp"

#include "common/error.hpp"
#include "cuda/driver_api.hpp"

#include <cublas_v2.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <type_traits>

namespace lutgemm::baselines {
namespace {

CublasApi linked() {
  CublasApi api;
  api.create = &cublasCreate_v2;
  api.destroy = &cublasDestroy_v2;
  api.set_stream = &cublasSetStream_v2;
  api.gemm_ex = static_cast<CublasApi::GemmEx>(&cublasGemmEx); // the extern "C" overload
  api.sgemm = &cublasSgemm_v2;
  api.source = "libcublas";
  return api;
}

// The stand-in the loaded driver library exports, if it has one (a real libcuda has none).
bool from_driver(const std::string& library, CublasApi& api) {
  // RTLD_NOLOAD: the handle of the library driver_api.cpp already loaded, never a second copy.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
  if (!handle || !dlsym(handle, "lutgemm_emucublas_create"))
    return false;
  std::string missing;
  auto resolve = [&](auto& field, const char* symbol) {
    field = reinterpret_cast<std::remove_reference_t<decltype(field)>>(dlsym(handle, symbol));
    if (!field)
      missing += (missing.empty() ? "" : ", ") + std::string(symbol);
  };
  resolve(api.create, "lutgemm_emucublas_create");
  resolve(api.destroy, "lutgemm_emucublas_destroy");
  resolve(api.set_stream, "lutgemm_emucublas_set_stream");
  resolve(api.gemm_ex, "lutgemm_emucublas_gemm_ex");
  resolve(api.sgemm, "lutgemm_emucublas_sgemm");
  if (!missing.empty())
    throw RuntimeError(fmt::format("{}'s cuBLAS stand-in lacks {}", library, missing));
  api.emulated = true;
  api.source = library;
  return true;
}

CublasApi resolve() {
  const cuda::DriverApi& driver = cuda::driver();
  CublasApi api;
  if (from_driver(driver.library_name, api))
    return api;
  return linked();
}

} // namespace

const CublasApi& cublas_api() {
  static const CublasApi api = resolve(); // a throw leaves it unset: the next call tries again
  return api;
}

} // namespace lutgemm::baselines
