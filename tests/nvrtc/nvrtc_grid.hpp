#pragma once
// Shared by the NVRTC tests: a declared list of variants compiled once for sm_80 and sm_90 with
// compile_all, and a SASS helper (nvdisasm on a cubin) for the static checks.
#include "jit/nvrtc_compiler.hpp"
#include "kernels/lut_params.hpp"
#include "kernels/optq_params.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace lutgemm::nvrtc_test {

inline const std::array<std::string, 2> kArchs = {"sm_80", "sm_90"};

struct Variant {
  std::string label;
  KernelSpec spec;
  bool is_default = false; // shipped without tuning: must not spill
  std::uint32_t dynamic_smem = 0;
};

inline Problem problem(int bits, int group, bool offset, int batch) {
  return Problem{
      .m = 4096, .k = 4096, .batch = batch, .bits = bits, .group = group, .has_offset = offset};
}

// Every distinct default_lut_params for q = `bits` (it depends on the batch only through its
// bucket), with the batch that first gives it.
inline std::vector<std::pair<Problem, LutParams>> default_variants(int bits) {
  std::vector<std::pair<Problem, LutParams>> out;
  std::vector<LutParams> seen;
  for (int batch = 1; batch <= kMaxBatch; ++batch) {
    const LutParams params = default_lut_params(bits, batch);
    if (std::find(seen.begin(), seen.end(), params) != seen.end())
      continue;
    seen.push_back(params);
    out.emplace_back(problem(bits, 128, true, batch), params);
  }
  return out;
}

// Adds variants with distinct specs only, in order.
class VariantList {
public:
  void add_lut(const Problem& p, const LutParams& params, bool is_default) {
    EXPECT_EQ(check(p, params), std::nullopt) << lut_label(p, params);
    add({lut_label(p, params), lut_kernel_spec(p, params), is_default,
         static_cast<std::uint32_t>(lut_smem_bytes(params))});
  }
  void add_optq(const Problem& p, const OptqParams& params, bool is_default) {
    EXPECT_EQ(check(p, params), std::nullopt) << optq_label(p, params);
    add({optq_label(p, params), optq_kernel_spec(p, params), is_default,
         static_cast<std::uint32_t>(optq_smem_bytes(params))});
  }
  void add(Variant v) {
    if (keys_.insert(v.spec.key_text()).second)
      variants_.push_back(std::move(v));
  }
  const std::vector<Variant>& variants() const { return variants_; }

private:
  std::set<std::string> keys_;
  std::vector<Variant> variants_;
};

// The list compiled for every arch of kArchs (outcome i is variant i % n on arch i / n).
struct GridResult {
  std::vector<Variant> variants;
  std::vector<CompileRequest> requests;
  std::vector<CompileOutcome> outcomes;
  double wall_s = 0;
  const Variant& variant(std::size_t i) const { return variants[i % variants.size()]; }
};

inline GridResult compile_grid(std::vector<Variant> variants) {
  GridResult r;
  r.variants = std::move(variants);
  for (const auto& arch : kArchs)
    for (const auto& v : r.variants)
      r.requests.push_back({v.spec, arch});
  NvrtcCompiler compiler;
  const auto start = std::chrono::steady_clock::now();
  r.outcomes = compiler.compile_all(r.requests, 0);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("compiled %zu programs (%zu variants x %zu archs) in %.1f s\n", r.requests.size(),
              r.variants.size(), kArchs.size(), r.wall_s);
  return r;
}

// nvdisasm from $LUTGEMM_NVDISASM, the PATH, the toolkit, or the project's .venv (scripts/setup
// installs the nvidia-cuda-nvdisasm wheel there); empty when none is found.
inline std::string find_nvdisasm() {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (const char* env = std::getenv("LUTGEMM_NVDISASM"); env != nullptr && fs::exists(env, ec))
    return env;
  std::vector<fs::path> candidates;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':'))
      if (!dir.empty())
        candidates.push_back(fs::path(dir) / "nvdisasm");
  }
  candidates.push_back("/usr/local/cuda/bin/nvdisasm");
  const fs::path site = fs::path(LUTGEMM_TEST_SOURCE_DIR) / ".venv" / "lib";
  if (fs::is_directory(site, ec))
    for (const auto& python : fs::directory_iterator(site, ec))
      for (const char* cu : {"cu13", "cu12"})
        candidates.push_back(python.path() / "site-packages" / "nvidia" / cu / "bin" / "nvdisasm");
  for (const auto& c : candidates)
    if (fs::exists(c, ec) && ::access(c.c_str(), X_OK) == 0)
      return c.string();
  return {};
}

// The SASS of a cubin as text (nvdisasm on a temporary file).
inline std::string disassemble(const std::string& nvdisasm, const std::vector<char>& cubin) {
  namespace fs = std::filesystem;
  const std::string stem =
      (fs::temp_directory_path() / ("lutgemm_sass_" + std::to_string(::getpid()))).string();
  {
    std::ofstream out(stem + ".cubin", std::ios::binary);
    out.write(cubin.data(), static_cast<std::streamsize>(cubin.size()));
  }
  const std::string command = "'" + nvdisasm + "' '" + stem + ".cubin' > '" + stem + ".sass' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(stem + ".sass");
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ec;
  fs::remove(stem + ".cubin", ec);
  fs::remove(stem + ".sass", ec);
  EXPECT_EQ(status, 0) << "nvdisasm failed: " << text.str().substr(0, 400);
  return text.str();
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
    ++n;
  return n;
}

// Every default variant of the grid: no spills, no stack frame (so no local-memory traffic); the
// registers and shared memory are printed (the README's table comes from this output).
inline void expect_defaults_do_not_spill(const GridResult& r) {
  std::printf("%-64s %-6s %5s %6s %6s\n", "default variant", "arch", "regs", "smem", "spill");
  for (std::size_t i = 0; i < r.outcomes.size(); ++i) {
    const auto& variant = r.variant(i);
    const auto& outcome = r.outcomes[i];
    if (!variant.is_default || !outcome.kernel)
      continue;
    const ResourceReport& res = outcome.kernel->resources;
    std::printf("%-64s %-6s %5d %6u %6d\n", variant.label.c_str(), r.requests[i].arch.c_str(),
                res.registers, variant.dynamic_smem + res.static_smem_bytes,
                res.spill_store_bytes + res.spill_load_bytes);
    EXPECT_FALSE(res.spills()) << variant.label << " " << r.requests[i].arch << ": "
                               << to_string(res);
    EXPECT_EQ(res.stack_frame_bytes, 0) << variant.label << " " << r.requests[i].arch;
  }
}

} // namespace lutgemm::nvrtc_test
