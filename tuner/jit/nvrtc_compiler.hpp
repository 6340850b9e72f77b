#pragma once
// The NVRTC compile layer: one KernelSpec + arch -> CompiledKernel (cubin, PTX, lowered name,
// ptxas resource report, compile time), cached in tiers, and parallel compilation of many specs.
//
// Sources: every embedded file under kernels/ is given to NVRTC as a header, under its path
// ("kernels/lutgemm.cuh") and its base name (for the kernels' relative includes). cuda_fp16.h comes
// from the toolkit: $CUDA_HOME/include, else the include directory found at configure time.
#include "jit/compiled_kernel.hpp"
#include "jit/kernel_cache.hpp"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lutgemm {

// A failed compilation (the kernel source or its template arguments are wrong for this arch):
// what a sweep records as compile_error. `log` is NVRTC's program log.
class CompileError : public std::runtime_error {
public:
  CompileError(const std::string& what, std::string log)
      : std::runtime_error(what), log_(std::move(log)) {}
  const std::string& log() const { return log_; }

private:
  std::string log_;
};

struct CompileRequest {
  KernelSpec spec;
  std::string arch = "sm_90"; // sm_XX, e.g. sm_80, sm_86, sm_89, sm_90
};

struct CompileOutcome {
  std::shared_ptr<const CompiledKernel> kernel; // nullptr on failure
  std::string error;                            // one line, empty on success
  std::string log;                              // compiler log when it failed to compile
  bool cache_hit = false;
};

// "13.0" (NVRTC's own version, part of every compile key).
std::string nvrtc_version_text();

// Directory holding cuda_fp16.h, or throws RuntimeError naming where it looked.
std::string cuda_include_dir();

class NvrtcCompiler {
public:
  // With no tiers given, a MemoryKernelCache is the only tier.
  NvrtcCompiler();
  explicit NvrtcCompiler(std::vector<std::shared_ptr<KernelCache>> tiers);

  // Full cache key of a request: NVRTC version, options, arch, a hash of the embedded kernel
  // sources, and the spec's key text.
  std::string compile_key(const KernelSpec& spec, const std::string& arch) const;

  // Compiles (or finds in a tier). Throws CompileError when NVRTC rejects the program, UsageError
  // for a malformed arch, RuntimeError for anything else (missing headers, NVRTC failures).
  std::shared_ptr<const CompiledKernel> compile(const KernelSpec& spec, const std::string& arch,
                                                bool* cache_hit = nullptr);

  // Compiles every request on `threads` worker threads (0: all hardware threads); never throws
  // for a single failing request; outcomes are in request order.
  std::vector<CompileOutcome> compile_all(const std::vector<CompileRequest>& requests,
                                          int threads = 0);

  // The options given to nvrtcCompileProgram besides -arch and the spec's defines.
  const std::vector<std::string>& base_options() const { return base_options_; }

private:
  std::shared_ptr<const CompiledKernel>
  compile_uncached(const KernelSpec& spec, const std::string& arch, const std::string& key) const;

  std::vector<std::shared_ptr<KernelCache>> tiers_;
  std::vector<std::string> base_options_;
  std::string sources_hash_;
};

} // namespace lutgemm
