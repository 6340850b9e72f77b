#pragma once
// A loaded CUBIN/PTX image and the kernels in it (RAII), plus kernel launches checked the way the
// driver checks them, with the >48 KB dynamic shared memory opt-in done for the caller.
#include "cuda/driver_api.hpp"
#include "jit/kernel_spec.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace lutgemm::cuda {

// Resource use of a loaded kernel (cuFuncGetAttribute).
struct FunctionAttributes {
  int num_regs = 0;
  int static_smem_bytes = 0;
  int local_bytes = 0;
  int max_threads_per_block = 0;
  int max_dynamic_smem_bytes = 0;
  int ptx_version = 0;
  int binary_version = 0;
};

class Function {
public:
  Function() = default;
  explicit Function(CUfunction handle) : handle_(handle) {}
  CUfunction get() const { return handle_; }
  FunctionAttributes attributes() const;
  // Allows up to `bytes` of dynamic shared memory (needed above 48 KB).
  void set_max_dynamic_smem(int bytes) const;
  // Resident blocks per SM for this block size and dynamic smem (occupancy).
  int max_active_blocks_per_sm(int block_threads, std::size_t dynamic_smem_bytes) const;

private:
  CUfunction handle_ = nullptr;
};

class Module {
public:
  // `image`: a CUBIN (or NUL-terminated PTX) in memory; the driver copies what it needs.
  explicit Module(std::string_view image);
  ~Module();
  Module(Module&& other) noexcept;
  Module& operator=(Module&& other) noexcept;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // `lowered_name`: the mangled name (NVRTC's lowered name of a name expression, or an extern "C"
  // name). Throws DriverError (CUDA_ERROR_NOT_FOUND) naming it when absent.
  Function function(const std::string& lowered_name) const;
  CUmodule get() const { return module_; }

private:
  CUmodule module_ = nullptr;
};

// Whether a launch must raise CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES first: without the
// opt-in a block may use 48 KiB of shared memory in all, static and dynamic together, so a kernel
// with static shared memory needs it for less than 48 KiB of dynamic memory.
bool needs_dynamic_smem_opt_in(std::int64_t static_smem_bytes, std::int64_t dynamic_smem_bytes);

// cuLaunchKernel with the configuration checked first (block of 1..1024 threads, non-empty grid)
// and the dynamic shared memory attribute raised when static plus dynamic exceed 48 KB.
// `args`: cuLaunchKernel's array of pointers to each argument.
void launch(const Function& function, const LaunchConfig& config, void** args,
            CUstream stream = nullptr);

} // namespace lutgemm::cuda
