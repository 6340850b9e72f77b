// The drop-in header of `lutgemm export --with-kernels`, used as an engine would use it:
//  - nvcc compiles it for sm_80 (-c: every entry's kernels and launch() instantiated);
//  - a plain g++ build of the same header (no CUDA) does the engine's host part: find_config(),
//    workspace_bytes() and dispatch() for two shapes, one of them a split-K plan (main kernel +
//    reduce); each launch dispatch() asks for runs in the host emulator, which compiles the
//    kernel from the header's own embedded sources by the instantiation name the header gives;
//  - the outputs match the float64 reference of the quantized weights.
#include "common/half.hpp"
#include "emu/emulator.hpp"
#include "export/header_writer.hpp"
#include "export/lut_export.hpp"
#include "kernels/lut_params.hpp"
#include "quant/bcq.hpp"
#include "quant/generate.hpp"
#include "quant/pack_bcq.hpp"
#include "quant/reference.hpp"
#include "search/verification.hpp"
#include "support/toolkit.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <dlfcn.h>
#include <sys/wait.h>

using namespace lutgemm;
namespace fs = std::filesystem;

namespace {

constexpr const char* kNamespace = "engine::tuned";

struct Case {
  Problem problem;
  LutParams params;
};

// Small shapes (the emulator runs every thread on the CPU) whose plans differ: a split-K plan
// (main kernel, then reduce_split_kernel) at q3 g128 with offsets, and a one-launch plan at q2,
// row-wise, no offsets, three activation columns in pair tables with two table copies.
std::vector<Case> cases() {
  Case split;
  split.problem = Problem{.m = 200, .k = 1024, .batch = 1, .bits = 3, .group = 128};
  split.problem.has_offset = true;
  split.params.mu = 4;
  split.params.rows_per_thread = 2;
  split.params.threads = 64;
  split.params.k_tile = 64;
  split.params.load_bits = 64;
  split.params.batch_cols = 1;
  split.params.split = 4;
  split.params.combine = Combine::reduce;
  Case pairs;
  pairs.problem = Problem{.m = 72, .k = 256, .batch = 3, .bits = 2, .group = kRowWise};
  pairs.problem.has_offset = false;
  pairs.params.mu = 4;
  pairs.params.rows_per_thread = 1;
  pairs.params.threads = 64;
  pairs.params.k_tile = 64;
  pairs.params.load_bits = 32;
  pairs.params.accum = Accum::h2;
  pairs.params.table = TableKind::full;
  pairs.params.batch_cols = 4;
  pairs.params.copies = 2;
  pairs.params.build = TableBuild::split;
  return {split, pairs};
}

header_export::ExportEntry entry_of(const Case& c) {
  header_export::ExportEntry e;
  e.m = c.problem.m;
  e.k = c.problem.k;
  e.batch = c.problem.batch;
  e.bits = c.problem.bits;
  e.group = c.problem.group == kRowWise ? 0 : c.problem.group;
  e.has_offset = c.problem.has_offset;
  e.kernel = "lutgemm";
  e.label = lut_label(c.problem, c.params);
  e.median_us = 10;
  e.lut = header_export::lut_export_of(c.problem, e.label);
  return e;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The engine's translation unit for nvcc: the header's launch() for every entry.
constexpr const char* kNvccProgram = R"(#include "tuned.cuh"
cudaError_t launch_all(const engine::tuned::LutArgs& args, cudaStream_t stream) {
  for (const auto& e : engine::tuned::kConfigs)
    if (const cudaError_t rc = engine::tuned::launch(e.config, args, stream); rc != cudaSuccess)
      return rc;
  return cudaSuccess;
}
)";

// The engine's host part, built by g++ without CUDA into a library the test loads: it finds the
// entry of a shape and runs dispatch(), handing every launch to the test's emulator callback.
constexpr const char* kHostProgram = R"(#include "tuned.cuh"
using namespace engine::tuned;
using LaunchFn = int (*)(void* context, const char* name, const unsigned* grid,
                         const unsigned* block, unsigned smem, void** args);
// -1 when the shape has no exact entry.
extern "C" long long dropin_workspace(int m, int k, int batch, int bits, int group, int offset) {
  const LookupResult r = find_config(m, k, batch, bits, group, offset != 0);
  return r.match == Match::exact ? workspace_bytes(r.config->lut, m, k, batch) : -1;
}
extern "C" int dropin_run(int m, int k, int batch, int bits, int group, int offset,
                          void* const* buffers, LaunchFn launch, void* context) {
  const LookupResult r = find_config(m, k, batch, bits, group, offset != 0);
  if (r.match != Match::exact)
    return -100;
  const LutArgs args{static_cast<const std::uint32_t*>(buffers[0]), buffers[1], buffers[2],
                     buffers[3], buffers[4], static_cast<float*>(buffers[5]), m, k, batch};
  return dispatch(*r.config, args, [&](const LaunchRequest& q) {
    const unsigned grid[3] = {q.grid.x, q.grid.y, q.grid.z};
    const unsigned block[3] = {q.block.x, q.block.y, q.block.z};
    return launch(context, q.name, grid, block, q.dynamic_smem, q.args);
  });
}
)";

struct EmuContext {
  std::string header;
  std::vector<std::string> launched;
  std::string error;
};

// The launcher the engine's dispatch() calls: the named kernel, compiled by the emulator from the
// header itself, launched with the header's geometry and arguments.
int emu_launch(void* context, const char* name, const unsigned* grid, const unsigned* block,
               unsigned smem, void** args) {
  auto& ctx = *static_cast<EmuContext*>(context);
  try {
    KernelSpec spec;
    spec.source = ctx.header;
    spec.name_expression = name;
    LaunchConfig config;
    config.grid = {grid[0], grid[1], grid[2]};
    config.block = {block[0], block[1], block[2]};
    config.dynamic_smem_bytes = smem;
    emu::LaunchOptions options;
    options.smem_limit_bytes = emu::kSmemOptinBytes; // launch() opts in like this on a GPU
    emu::launch(*emu::load_kernel(spec), config, args, options);
    ctx.launched.push_back(name);
    return 0;
  } catch (const std::exception& e) {
    ctx.error = e.what();
    return 1;
  }
}

template <class T> emu::DeviceBuffer upload(const std::vector<T>& v) {
  emu::DeviceBuffer b(std::max<std::size_t>(1, v.size() * sizeof(T)));
  b.upload(v.data(), v.size() * sizeof(T));
  return b;
}

} // namespace

TEST(ExportDropIn, NvccCompilesAndTheEmulatorRunsTheDispatchAgainstTheReference) {
  const auto all = cases();
  std::vector<header_export::ExportEntry> entries;
  for (const auto& c : all) {
    entries.push_back(entry_of(c));
    ASSERT_TRUE(entries.back().lut) << entries.back().label;
  }
  header_export::ExportOptions options;
  options.name_space = kNamespace;
  options.with_kernels = true;
  const std::string header = header_export::write_header(entries, {}, options);
  // A fixed folder in the build tree: the same bytes on a rerun hit the emulator's cache.
  const fs::path dir = fs::path(LUTGEMM_TEST_BINARY_DIR) / "test-export-dropin";
  fs::create_directories(dir);
  std::ofstream(dir / "tuned.cuh", std::ios::binary) << header;
  std::ofstream(dir / "engine.cu") << kNvccProgram;
  std::ofstream(dir / "engine_host.cpp") << kHostProgram;

  // nvcc in the background while the emulator compiles the kernels.
  const fs::path nvcc = test::cuda_tool("nvcc");
  std::future<int> nvcc_rc;
  if (fs::exists(nvcc))
    nvcc_rc = std::async(std::launch::async, [&] {
      return run(fmt::format("{} -std=c++17 -arch=sm_80 -c {} -o {} > {} 2>&1", nvcc.string(),
                             (dir / "engine.cu").string(), (dir / "engine.o").string(),
                             (dir / "nvcc.log").string()));
    });
  const fs::path host_lib = dir / "engine_host.so";
  ASSERT_EQ(run(fmt::format("g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -O1 -shared -fPIC "
                            "{} -o {}",
                            (dir / "engine_host.cpp").string(), host_lib.string())),
            0)
      << "g++ could not compile the header's host part; see " << dir;
  std::vector<std::thread> compiles;
  for (const auto& e : entries)
    for (const auto& l : e.lut->launches)
      compiles.emplace_back([&dir, name = std::string(kNamespace) + "::" + l.kernel] {
        try {
          (void)emu::load_kernel({(dir / "tuned.cuh").string(), name, {}});
        } catch (const std::exception&) {
          // reported again by the launch
        }
      });
  for (auto& t : compiles)
    t.join();

  void* lib = ::dlopen(host_lib.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << ::dlerror();
  using WorkspaceFn = long long (*)(int, int, int, int, int, int);
  using RunFn = int (*)(int, int, int, int, int, int, void* const*, decltype(&emu_launch), void*);
  const auto workspace_of = reinterpret_cast<WorkspaceFn>(::dlsym(lib, "dropin_workspace"));
  const auto dispatch = reinterpret_cast<RunFn>(::dlsym(lib, "dropin_run"));
  ASSERT_TRUE(workspace_of && dispatch);

  for (std::size_t i = 0; i < all.size(); ++i) {
    const Problem& p = all[i].problem;
    SCOPED_TRACE(entries[i].label);
    BcqOptions quant;
    quant.bits = p.bits;
    quant.group = p.group;
    quant.has_offset = p.has_offset;
    quant.rounds = 2;
    const PackedBcq w = pack_bcq(quantize_bcq(gaussian_weights(p.m, p.k, 11 + i), p.m, p.k, quant));
    const auto x = random_activations(p.batch, p.k, 5 + i);
    const auto ref = reference_gemm(w, x, p.batch);
    const LaunchPlan plan = make_launch_plan(p, all[i].params);

    const int group = p.group == kRowWise ? 0 : static_cast<int>(p.group);
    const long long ws = workspace_of(int(p.m), int(p.k), p.batch, p.bits, group, p.has_offset);
    ASSERT_EQ(ws, plan.workspace_bytes);
    emu::DeviceBuffer d_words = upload(w.bit_words), d_alpha = upload(w.alpha),
                      d_offset = upload(w.offset), d_x = upload(x);
    // y and the workspace start as NaN: an output the plan forgets to write fails below.
    emu::DeviceBuffer d_y = upload(std::vector<std::uint16_t>(p.batch * p.m, kHalfQuietNaN));
    emu::DeviceBuffer d_ws =
        upload(std::vector<std::uint32_t>(std::size_t(std::max(ws, 4ll) / 4), 0x7fc00000u));
    void* const buffers[] = {
        d_words.data(), d_alpha.data(), p.has_offset ? d_offset.data() : nullptr,
        d_x.data(),     d_y.data(),     ws > 0 ? d_ws.data() : nullptr};
    EmuContext ctx{(dir / "tuned.cuh").string(), {}, {}};
    ASSERT_EQ(dispatch(int(p.m), int(p.k), p.batch, p.bits, group, p.has_offset, buffers,
                       &emu_launch, &ctx),
              0)
        << ctx.error;
    // Exactly the plan's kernels, in order.
    ASSERT_EQ(ctx.launched.size(), plan.launches.size());
    for (std::size_t j = 0; j < plan.launches.size(); ++j)
      EXPECT_EQ(ctx.launched[j],
                std::string(kNamespace) + "::" + plan.launches[j].spec.name_expression);

    std::vector<std::uint16_t> y(std::size_t(p.batch * p.m));
    d_y.download(y.data(), y.size() * 2);
    // The verifier's rule (search/verification.hpp); y started as NaN, so a forgotten output fails.
    const auto comparison =
        search::compare_output(y, ref, p.k, rounds_sums_to_fp16(all[i].params.accum));
    EXPECT_TRUE(comparison.ok) << comparison.message;
    std::printf("  %s: %zu launches, max |err| %.3g (%.2f of the allowed error)\n",
                entries[i].label.c_str(), ctx.launched.size(), comparison.max_abs_error,
                comparison.worst_ratio);
  }
  ::dlclose(lib);

  if (!nvcc_rc.valid()) {
    LUTGEMM_SKIP_OR_FAIL("no nvcc at " << nvcc << "; the emulator part ran");
  }
  EXPECT_EQ(nvcc_rc.get(), 0) << "nvcc -arch=sm_80 could not compile the header; see "
                              << (dir / "nvcc.log");
}
