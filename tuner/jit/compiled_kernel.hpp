#pragma once
// The product of compiling one KernelSpec for one GPU architecture with NVRTC.
#include "jit/kernel_spec.hpp"
#include "jit/resource_report.hpp"

#include <string>
#include <vector>

namespace lutgemm {

struct CompiledKernel {
  KernelSpec spec;
  std::string arch;         // "sm_90"
  std::string key;          // the full compile key (cache key)
  std::string lowered_name; // mangled entry name for cuModuleGetFunction
  std::vector<char> cubin;  // SASS for `arch`
  std::string ptx;          // PTX of the same program (empty if NVRTC gave none)
  std::string log;          // NVRTC + ptxas log (with the -v resource lines)
  ResourceReport resources;
  double compile_ms = 0.0; // wall time of nvrtcCompileProgram and the retrievals
};

} // namespace lutgemm
