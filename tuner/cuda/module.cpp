#include "cuda/module.hpp"

#include "cuda/check.hpp"

#include <fmt/format.h>

#include <string>
#include <utility>

namespace lutgemm::cuda {

namespace {
constexpr std::int64_t kSmemWithoutOptIn = 48 * 1024;
}

bool needs_dynamic_smem_opt_in(std::int64_t static_smem_bytes, std::int64_t dynamic_smem_bytes) {
  return dynamic_smem_bytes > 0 && static_smem_bytes + dynamic_smem_bytes > kSmemWithoutOptIn;
}

FunctionAttributes Function::attributes() const {
  FunctionAttributes a;
  LUTGEMM_CU(cuFuncGetAttribute, &a.num_regs, CU_FUNC_ATTRIBUTE_NUM_REGS, handle_);
  LUTGEMM_CU(cuFuncGetAttribute, &a.static_smem_bytes, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
             handle_);
  LUTGEMM_CU(cuFuncGetAttribute, &a.local_bytes, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, handle_);
  LUTGEMM_CU(cuFuncGetAttribute, &a.max_threads_per_block, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK,
             handle_);
  LUTGEMM_CU(cuFuncGetAttribute, &a.max_dynamic_smem_bytes,
             CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, handle_);
  LUTGEMM_CU(cuFuncGetAttribute, &a.ptx_version, CU_FUNC_ATTRIBUTE_PTX_VERSION, handle_);
  LUTGEMM_CU(cuFuncGetAttribute, &a.binary_version, CU_FUNC_ATTRIBUTE_BINARY_VERSION, handle_);
  return a;
}

void Function::set_max_dynamic_smem(int bytes) const {
  LUTGEMM_CU(cuFuncSetAttribute, handle_, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
}

int Function::max_active_blocks_per_sm(int block_threads, std::size_t dynamic_smem_bytes) const {
  int blocks = 0;
  LUTGEMM_CU(cuOccupancyMaxActiveBlocksPerMultiprocessor, &blocks, handle_, block_threads,
             dynamic_smem_bytes);
  return blocks;
}

Module::Module(std::string_view image) {
  // cuModuleLoadData reads PTX up to its NUL; a CUBIN is an ELF image that knows its own size.
  // Copying into a std::string guarantees the terminator either way.
  const std::string copy(image);
  LUTGEMM_CU(cuModuleLoadData, &module_, copy.c_str());
}

Module::~Module() {
  if (module_)
    LUTGEMM_CU_NOTHROW(cuModuleUnload, module_);
}

Module::Module(Module&& other) noexcept : module_(std::exchange(other.module_, nullptr)) {}

Module& Module::operator=(Module&& other) noexcept {
  if (this != &other) {
    if (module_)
      LUTGEMM_CU_NOTHROW(cuModuleUnload, module_);
    module_ = std::exchange(other.module_, nullptr);
  }
  return *this;
}

Function Module::function(const std::string& lowered_name) const {
  CUfunction handle = nullptr;
  const CUresult result = driver().cuModuleGetFunction(&handle, module_, lowered_name.c_str());
  if (result != CUDA_SUCCESS)
    throw_driver_error(result, fmt::format("cuModuleGetFunction(\"{}\")", lowered_name), __FILE__,
                       __LINE__);
  return Function(handle);
}

void launch(const Function& function, const LaunchConfig& config, void** args, CUstream stream) {
  const Dim3& b = config.block;
  const Dim3& g = config.grid;
  const std::uint64_t threads = std::uint64_t(b.x) * b.y * b.z;
  if (threads == 0 || threads > 1024 || b.z > 64)
    throw RuntimeError(fmt::format("invalid launch: block {}x{}x{} ({} threads; 1..1024 allowed, "
                                   "z <= 64)",
                                   b.x, b.y, b.z, threads));
  if (g.x == 0 || g.y == 0 || g.z == 0 || g.y > 65535 || g.z > 65535)
    throw RuntimeError(fmt::format("invalid launch: grid {}x{}x{} (every dimension >= 1; y, z <= "
                                   "65535)",
                                   g.x, g.y, g.z));
  if (config.dynamic_smem_bytes > 0) {
    int static_bytes = 0;
    LUTGEMM_CU(cuFuncGetAttribute, &static_bytes, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES,
               function.get());
    if (needs_dynamic_smem_opt_in(static_bytes, config.dynamic_smem_bytes))
      function.set_max_dynamic_smem(static_cast<int>(config.dynamic_smem_bytes));
  }
  LUTGEMM_CU(cuLaunchKernel, function.get(), g.x, g.y, g.z, b.x, b.y, b.z,
             config.dynamic_smem_bytes, stream, args, nullptr);
}

} // namespace lutgemm::cuda
