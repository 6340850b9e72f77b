#include "export/with_kernels.hpp"

#include "common/embedded_sources.hpp"

#include <fmt/format.h>

#include <cctype>
#include <set>
#include <sstream>

namespace lutgemm::header_export {
namespace {

// The kernel files the LUT-GEMM plans launch, in include order.
constexpr const char* kKernelFiles[] = {"kernels/lutgemm_common.cuh", "kernels/lutgemm.cuh"};

// A kernel file's text without `#pragma once` and without its includes: the project's own
// ("...") are embedded too, the system ones (<...>) are collected into `system_includes` and
// written once before the namespace.
std::string body_of(std::string_view source, std::set<std::string>& system_includes) {
  std::istringstream in{std::string(source)};
  std::string out, line;
  while (std::getline(in, line)) {
    std::string_view trimmed(line);
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front())))
      trimmed.remove_prefix(1);
    if (trimmed.starts_with("#pragma once"))
      continue;
    if (trimmed.starts_with("#include")) {
      if (trimmed.find('<') != std::string_view::npos)
        system_includes.insert(std::string(trimmed));
      continue;
    }
    out += line + "\n";
  }
  return out;
}

// Takes a kernel's address where the kernels compile for a GPU (defined and undefined around the
// dispatch section, so two exported headers in one translation unit do not collide).
constexpr const char* kKernelRefMacro = "LUTGEMM_EXPORT_KERNEL_REF";

} // namespace

std::string kernel_sources_section(const std::string& name_space) {
  std::set<std::string> system_includes;
  std::string bodies;
  for (const char* file : kKernelFiles) {
    bodies += fmt::format("// ---- {} ----\n", file);
    bodies += body_of(embedded::get(file), system_includes);
  }
  std::string s;
  s += "// ---------------------------------------------------------------------------------------"
       "\n// Kernel sources (--with-kernels): kernels/lutgemm_common.cuh and kernels/lutgemm.cuh "
       "less their\n// #include and #pragma once lines, embedded in an unnamed namespace (each "
       "translation unit\n// that includes this header gets its own copy) inside namespace " +
       name_space +
       ".\n// Compiled by nvcc or lutgemm's host emulator; a plain C++ compiler skips "
       "them.\n";
  s += "#if defined(__CUDACC__) || defined(LUTGEMM_EMULATOR)\n";
  for (const auto& include : system_includes)
    s += include + "\n";
  s += fmt::format("namespace {} {{\nnamespace {{\n", name_space);
  s += bodies;
  s += fmt::format("}} // namespace\n}} // namespace {}\n", name_space);
  s += "#endif\n\n";
  return s;
}

namespace {

// The generic part of the dispatch: types, the plan's grids at any shape, dispatch(), launch().
// `{NS}` is replaced by the namespace.
constexpr const char* kDispatchTemplate = R"(namespace {NS} {

struct Dim {
  std::uint32_t x, y, z;
};

// The buffers and shape of one call. Layouts: tuner/quant/packed_bcq.hpp (m_stride = m rounded up
// to a multiple of 8); fp16 buffers are passed as untyped pointers so that this part needs no CUDA.
struct LutArgs {
  const std::uint32_t* bit_words; // [k/32][q][m_stride] sign words
  const void* alpha;              // fp16 [k/g][q][m_stride] (g = k when row-wise)
  const void* offset;             // fp16 [k/g][m_stride]; unused (may be null) without offsets
  const void* x;                  // fp16 [batch][k] activations
  void* y;                        // fp16 [batch][m] output (written, never read)
  float* workspace;               // workspace_bytes(config, m, k, batch) bytes; null when 0
  std::int32_t m, k, batch;       // k a multiple of 32
};

// One launch as dispatch() hands it to a launcher: cudaLaunchKernel's arguments, plus the name.
struct LaunchRequest {
  const void* kernel; // the __global__ function (nullptr where the kernels are not compiled)
  const char* name;   // its instantiation, e.g. "{NS}::lutgemm::lutgemm_kernel<...>"
  Dim grid;
  Dim block;
  std::uint32_t dynamic_smem; // bytes; more than 48 KiB needs the opt-in (launch() does it)
  void** args;                // args[i] points at the value of the kernel's i-th parameter
};

// dispatch() when the config is not a launchable LUT-GEMM entry of this header, the shape is
// invalid or a needed workspace is missing.
inline constexpr int kNotLaunchable = -1;

namespace detail {
enum class Step { main, zero, to_f16, reduce };
// The launches of a plan: [main] (combine none), [zero, main, to_f16] (atomic), [main, reduce].
constexpr Step step_of(const LutKernel& l, int i) {
  if (l.combine == Combine::atomic)
    return i == 0 ? Step::zero : i == 1 ? Step::main : Step::to_f16;
  return i == 0 ? Step::main : Step::reduce;
}
constexpr std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
// Blocks along K: one per run of ceil(tiles / split) tiles, none empty (the tuner's
// effective_splits, kernels/split_k_plan.cpp).
constexpr std::int32_t splits(const LutKernel& l, std::int64_t k) {
  const std::int64_t tiles = ceil_div(k, l.k_tile);
  const std::int64_t run = ceil_div(tiles, l.split < 1 ? 1 : l.split);
  return static_cast<std::int32_t>(ceil_div(tiles, run < 1 ? 1 : run));
}
struct KernelRef {
  const void* kernel;
  const char* name;
};
constexpr bool same_text(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}
// The entry `config` is (by address, else by label): its kernels are entry-specific.
constexpr int entry_of(const KernelConfig& config) {
  for (std::size_t i = 0; i < kConfigs.size(); ++i)
    if (&kConfigs[i].config == &config || same_text(kConfigs[i].config.label, config.label))
      return static_cast<int>(i);
  return -1;
}
} // namespace detail

// Scratch bytes the plan needs at this shape (fp32 partial sums of a split-K plan; 0 = none).
constexpr std::int64_t workspace_bytes(const LutKernel& l, std::int64_t m, std::int64_t k,
                                       std::int64_t batch) {
  const std::int64_t outputs = batch * m;
  if (l.combine == Combine::atomic)
    return outputs * 4;
  if (l.combine == Combine::reduce)
    return outputs * 4 * detail::splits(l, k);
  return 0;
}

// Launch i's grid at (m, k, batch); block and dynamic shared memory do not depend on the shape.
constexpr Dim grid_of(const LutKernel& l, int i, std::int64_t m, std::int64_t k,
                      std::int64_t batch) {
  if (detail::step_of(l, i) == detail::Step::main) {
    const std::int64_t m_stride = detail::ceil_div(m, 8) * 8;
    return {static_cast<std::uint32_t>(
                detail::ceil_div(m_stride, std::int64_t(l.threads) * l.rows_per_thread)),
            static_cast<std::uint32_t>(detail::splits(l, k)),
            static_cast<std::uint32_t>(detail::ceil_div(batch, l.batch_cols))};
  }
  const std::int64_t blocks = detail::ceil_div(batch * m, l.launches[i].block[0]);
  return {static_cast<std::uint32_t>(blocks < 1 ? 1 : blocks > 4096 ? 4096 : blocks), 1, 1};
}

namespace detail {
// grid_of() at every entry's own shape gives the grids the tuner planned.
constexpr bool grids_match_plans() {
  for (const ConfigEntry& e : kConfigs) {
    const LutKernel& l = e.config.lut;
    for (int i = 0; l.valid && i < l.launch_count; ++i) {
      const Dim g = grid_of(l, i, e.m, e.k, e.batch);
      if (g.x != l.launches[i].grid[0] || g.y != l.launches[i].grid[1] ||
          g.z != l.launches[i].grid[2])
        return false;
    }
  }
  return true;
}
static_assert(grids_match_plans(), "grid_of() disagrees with a stored plan");
} // namespace detail

)";

// After the generated kernel_of(), inside the same unnamed namespace.
constexpr const char* kDispatchTail = R"(
// Runs `config`'s plan for `args` through `launcher(const LaunchRequest&) -> int` (0 = launched),
// in order, and stops at the first launch that returns non-zero, returning that value. Returns
// kNotLaunchable without launching anything for an entry without a typed LUT-GEMM kernel, a shape
// that is not positive or whose k is not a multiple of 32, or a missing workspace.
template <class Launcher>
int dispatch(const KernelConfig& config, const LutArgs& args, Launcher&& launcher) {
  const LutKernel& l = config.lut;
  const int entry = detail::entry_of(config);
  if (!l.valid || entry < 0 || args.m <= 0 || args.k <= 0 || args.k % 32 != 0 || args.batch <= 0)
    return kNotLaunchable;
  const std::int64_t workspace = workspace_bytes(l, args.m, args.k, args.batch);
  if (workspace > 0 && args.workspace == nullptr)
    return kNotLaunchable;
  // Parameters by value, in each kernel's order. Unused pointers are bound to buffers that exist
  // (offset -> alpha without offsets, workspace -> y with combine none), as the tuner's plans do.
  const std::uint32_t* bit_words = args.bit_words;
  const void* alpha = args.alpha;
  const void* offset = l.has_offset ? args.offset : args.alpha;
  const void* x = args.x;
  void* y = args.y;
  void* main_workspace = workspace > 0 ? static_cast<void*>(args.workspace) : args.y;
  void* scratch = args.workspace;
  std::int32_t m = args.m, k = args.k, batch = args.batch;
  long long outputs = static_cast<long long>(args.batch) * args.m;
  std::int32_t split_count = detail::splits(l, args.k);
  void* main_args[] = {&bit_words, &alpha, &offset, &x, &y, &main_workspace, &m, &k, &batch};
  void* zero_args[] = {&scratch, &outputs};
  void* to_f16_args[] = {&scratch, &y, &outputs};
  void* reduce_args[] = {&scratch, &y, &outputs, &split_count};
  for (int i = 0; i < l.launch_count; ++i) {
    const detail::KernelRef ref = kernel_of(static_cast<std::size_t>(entry), i);
    const detail::Step step = detail::step_of(l, i);
    LaunchRequest request{ref.kernel,
                          ref.name,
                          grid_of(l, i, m, k, batch),
                          {l.launches[i].block[0], l.launches[i].block[1], l.launches[i].block[2]},
                          l.launches[i].dynamic_smem,
                          step == detail::Step::main     ? main_args
                          : step == detail::Step::zero   ? zero_args
                          : step == detail::Step::to_f16 ? to_f16_args
                                                         : reduce_args};
    if (const int rc = launcher(static_cast<const LaunchRequest&>(request)); rc != 0)
      return rc;
  }
  return 0;
}

#if defined(__CUDACC__) && !defined(LUTGEMM_EMULATOR)
// Launches `config`'s plan on `stream` (asynchronously, like any kernel launch). The first error
// of cudaFuncSetAttribute / cudaLaunchKernel, or cudaErrorInvalidValue for kNotLaunchable.
inline cudaError_t launch(const KernelConfig& config, const LutArgs& args, cudaStream_t stream) {
  const int rc = dispatch(config, args, [stream](const LaunchRequest& r) {
    if (r.dynamic_smem > 48u * 1024u) {
      const cudaError_t e = cudaFuncSetAttribute(
          r.kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(r.dynamic_smem));
      if (e != cudaSuccess)
        return static_cast<int>(e);
    }
    return static_cast<int>(cudaLaunchKernel(r.kernel, dim3(r.grid.x, r.grid.y, r.grid.z),
                                             dim3(r.block.x, r.block.y, r.block.z), r.args,
                                             r.dynamic_smem, stream));
  });
  return rc == kNotLaunchable ? cudaErrorInvalidValue : static_cast<cudaError_t>(rc);
}
#endif

} // namespace
)";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

} // namespace

std::string dispatch_section(const std::vector<ExportEntry>& entries,
                             const std::string& name_space) {
  const std::string macro = kKernelRefMacro;
  std::string s;
  s += "// ---------------------------------------------------------------------------------------"
       "\n// Dispatch (--with-kernels): dispatch() runs an entry's plan through any launcher; "
       "launch()\n// (nvcc only) runs it with cudaLaunchKernel on a stream.\n";
  s += "#if defined(__CUDACC__) && !defined(LUTGEMM_EMULATOR)\n";
  s += fmt::format("#define {}(...) reinterpret_cast<const void*>(&__VA_ARGS__)\n", macro);
  s += "#else\n";
  s += fmt::format("#define {}(...) nullptr\n", macro);
  s += "#endif\n\n";
  s += replace_all(kDispatchTemplate, "{NS}", name_space);
  // The only entry-specific code: each launch's kernel, instantiated exactly as the tuner chose.
  // It takes the address of this translation unit's copy of a kernel, so it and the functions
  // that call it have internal linkage too (an unnamed namespace), like the kernels.
  s += "// kernel_of(), dispatch() and launch() use this translation unit's copy of the kernels, "
       "so\n"
       "// they are in an unnamed namespace like them.\n";
  s += "namespace {\n\n";
  s += "// Entry i's launch j: case i * kMaxLaunches + j.\n";
  s += "inline detail::KernelRef kernel_of(std::size_t entry, int launch) {\n";
  s += fmt::format("  constexpr std::size_t kMaxLaunches = {};\n", kMaxExportLaunches);
  s += "  switch (entry * kMaxLaunches + static_cast<std::size_t>(launch)) {\n";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& lut = entries[i].lut;
    if (!lut)
      continue;
    for (std::size_t j = 0; j < lut->launches.size(); ++j) {
      const std::string name = name_space + "::" + lut->launches[j].kernel;
      s += fmt::format("  case {}: // {}\n    return {{{}({}), {}}};\n", i * kMaxExportLaunches + j,
                       entries[i].label, macro, name, quoted_literal(name));
    }
  }
  s += "  default:\n    return {nullptr, \"\"};\n  }\n}\n";
  s += replace_all(kDispatchTail, "{NS}", name_space);
  s += fmt::format("}} // namespace {}\n\n#undef {}\n", name_space, macro);
  return s;
}

} // namespace lutgemm::header_export
