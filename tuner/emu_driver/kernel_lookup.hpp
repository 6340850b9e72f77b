#pragma once
// From a CUBIN's lowered kernel name back to the KernelSpec the host emulator compiles.
//
// Choice: the spec is recovered from the CUBIN alone, not recorded by the project's JIT, so that
// the emulated driver runs any module the unchanged CUDA path loads. abi::__cxa_demangle turns the
// lowered name into "void lutgemm::k<3, 128>(args)", whose qualified name with its template
// arguments is a valid name expression; the source is the embedded kernel file that defines a
// __global__ of that name. When several embedded files define it (the tests' deliberately wrong
// kernels reuse lutgemm::lutgemm_kernel), each candidate is compiled with the project's own
// NvrtcCompiler for the device's arch and the one whose code is byte-identical to the CUBIN's wins;
// none identical is a refusal, never a guess. A CUBIN does not carry the -D defines of its spec:
// the project's specs set none (tuner/kernels/*_params.cpp), and in the ambiguous case a define
// that changed the code would make no candidate match.
#include "emu_driver/cubin_image.hpp"
#include "jit/kernel_spec.hpp"

#include <optional>
#include <string>

namespace lutgemm::emucuda {

// "lutgemm::k<3, 128>" from "void lutgemm::k<3, 128>(unsigned int const*, int)"; nullopt when the
// name does not demangle.
std::optional<std::string> name_expression_of(const std::string& lowered_name);

// The embedded kernel files (kernels/, and .cuh files a binary adds, e.g. the tests') that define a
// __global__ function named like the last component of `name_expression` (template arguments
// stripped).
std::vector<std::string> sources_defining(const std::string& name_expression);

// The spec of `lowered_name` in a CUBIN compiled for `arch` ("sm_80"), or nullopt with `why` set.
std::optional<KernelSpec> recover_spec(const std::string& lowered_name, const CubinFunction& code,
                                       const std::string& arch, std::string& why);

} // namespace lutgemm::emucuda
