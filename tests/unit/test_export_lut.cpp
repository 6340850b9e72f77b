// The typed LUT-GEMM part of the exported header: every value of every knob, q, g, the offset,
// the kernel instantiation and each launch of the plan are written as typed fields, and a program
// compiled against the header reads back exactly the parameters and launches the tuner had.
#include "export/header_writer.hpp"
#include "kernels/lut_params.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <sys/wait.h>

using namespace lutgemm;
using namespace lutgemm::header_export;
namespace fs = std::filesystem;

namespace {

// A base variant valid for batch 8 from which every single knob value can be reached.
LutParams base_params() {
  LutParams p;
  p.mu = 4;
  p.rows_per_thread = 4;
  p.threads = 128;
  p.k_tile = 32;
  p.load_bits = 32;
  p.accum = Accum::f32;
  p.table = TableKind::half;
  p.batch_cols = 2;
  p.split = 1;
  p.combine = Combine::none;
  return p;
}

// The base with one knob set to one of its declared values (and the combine a split needs).
LutParams with_knob(LutParams p, const std::string& name, const std::string& value) {
  KnobValues values = to_values(p);
  values[name] = value;
  if (name == "split")
    values["combine"] = value == "1" ? "none" : "reduce";
  if (name == "combine")
    values["split"] = value == "none" ? "1" : "4";
  if (name == "accum" && (value == "h4" || value == "h8" || value == "h4h" || value == "h8h"))
    values["batch_cols"] = "8"; // 4 or 8 columns per table entry
  if (name == "store" && value == "shfl")
    values["table"] = "full"; // register tables hold all 16 entries
  return lut_params_from_values(values);
}

struct Case {
  Problem problem;
  LutParams params;
  std::string label;
};

std::vector<Case> every_knob_value() {
  std::vector<Case> cases;
  std::int64_t m = 1024;
  for (const auto& knob : lut_knobs()) {
    for (const auto& value : knob.values) {
      Case c;
      c.problem = Problem{.m = m, .k = 2048, .batch = 8, .bits = 3, .group = 128};
      c.problem.has_offset = cases.size() % 2 == 0;
      if (cases.size() % 5 == 0)
        c.problem.group = kRowWise;
      c.params = with_knob(base_params(), knob.name, value);
      if (check(c.problem, c.params))
        continue; // e.g. copies 32 of an fp32 table: over the shared-memory limit
      c.label = lut_label(c.problem, c.params);
      if (std::any_of(cases.begin(), cases.end(), [&](const Case& o) {
            return lut_label(o.problem, o.params) == c.label ||
                   to_values(o.params) == to_values(c.params);
          }))
        continue; // the base value of each knob gives the base variant again
      cases.push_back(c);
      m += 32; // one shape per case, so no entry replaces another
    }
  }
  // The same shape with and without offsets: two entries, each found by its own lookup.
  Case twin = cases.front();
  twin.problem.has_offset = !twin.problem.has_offset;
  twin.label = lut_label(twin.problem, twin.params);
  cases.push_back(twin);
  return cases;
}

// The exported entries of the cases, then a LUT-GEMM row whose label this lutgemm cannot read
// (it still exports, marked not valid).
std::vector<ExportEntry> entries_of(const std::vector<Case>& cases) {
  std::vector<ExportEntry> entries;
  for (const auto& c : cases) {
    ExportEntry e;
    e.m = c.problem.m;
    e.k = c.problem.k;
    e.batch = c.problem.batch;
    e.bits = c.problem.bits;
    e.group = c.problem.group == kRowWise ? 0 : c.problem.group;
    e.kernel = "lutgemm";
    e.label = c.label;
    e.median_us = 10;
    e.has_offset = c.problem.has_offset;
    e.lut = lut_export_of(c.problem, c.label);
    EXPECT_TRUE(e.lut.has_value()) << c.label;
    entries.push_back(e);
  }
  ExportEntry foreign = entries.front();
  foreign.m = 99968;
  foreign.label = "lut_q3_g128_from_another_version";
  foreign.lut = lut_export_of(cases.front().problem, foreign.label);
  entries.push_back(foreign);
  return entries;
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The line the checking program prints for an entry, written here from the tuner's own values.
std::string expected_line(const Case& c) {
  const auto& p = c.params;
  const LaunchPlan plan = make_launch_plan(c.problem, p);
  std::string line = fmt::format(
      "{} q{} g{} off{} mu{} r{} t{} kt{} ld{} {} {} b{} s{} {} c{} {} {} ws{} {} n{}", c.label,
      c.problem.bits, c.problem.group == kRowWise ? 0 : c.problem.group, int(c.problem.has_offset),
      p.mu, p.rows_per_thread, p.threads, p.k_tile, p.load_bits, to_string(p.accum),
      to_string(p.table), p.batch_cols, p.split, to_string(p.combine), p.copies, to_string(p.build),
      to_string(p.store), plan.workspace_bytes, lut_kernel_spec(c.problem, p).name_expression,
      plan.launches.size());
  for (const auto& l : plan.launches)
    line += fmt::format(" [{} {}x{}x{} {}x{}x{} {}]", l.spec.name_expression, l.config.grid.x,
                        l.config.grid.y, l.config.grid.z, l.config.block.x, l.config.block.y,
                        l.config.block.z, l.config.dynamic_smem_bytes);
  return line;
}

constexpr const char* kPrinter = R"(#include "tuned.hpp"
#include <cstdio>
using namespace tuned;
const char* name(Accum a) {
  const char* names[] = {"f32", "f16", "h2", "h4", "h8", "h4h", "h8h"};
  return names[int(a)];
}
const char* name(Table t) { return t == Table::full ? "full" : "half"; }
const char* name(Combine c) {
  return c == Combine::none ? "none" : c == Combine::atomic ? "atomic" : "reduce";
}
const char* name(TableBuild b) { return b == TableBuild::direct ? "direct" : "split"; }
const char* name(TableStore s) { return s == TableStore::smem ? "smem" : "shfl"; }
int main() {
  for (const auto& e : kConfigs) {
    const LutKernel& l = e.config.lut;
    if (!l.valid) { std::printf("%s invalid\n", e.config.label); continue; }
    std::printf("%s q%d g%d off%d mu%d r%d t%d kt%d ld%d %s %s b%d s%d %s c%d %s %s ws%lld %s n%d",
                e.config.label, l.bits, l.group, int(l.has_offset), l.mu, l.rows_per_thread,
                l.threads, l.k_tile, l.load_bits, name(l.accum), name(l.table), l.batch_cols,
                l.split, name(l.combine), l.copies, name(l.build), name(l.store),
                (long long)l.workspace_bytes,
                l.instance, l.launch_count);
    for (int i = 0; i < l.launch_count; ++i) {
      const Launch& x = l.launches[i];
      std::printf(" [%s %ux%ux%u %ux%ux%u %u]", x.kernel, x.grid[0], x.grid[1], x.grid[2],
                  x.block[0], x.block[1], x.block[2], x.dynamic_smem);
    }
    const auto found = find_config(e.m, e.k, e.batch, e.bits, e.group, e.has_offset);
    std::printf("%s\n", found.config == &e.config ? "" : " LOOKUP-FAILED");
  }
}
)";

} // namespace

// Writes `header` as tuned.hpp and `printer` as print.cpp in a fresh `dir`, compiles them with g++
// (`flags` added), runs the program and returns what it printed: first word of each line (the
// entry's label) -> the whole line. Fails the test, naming `what`, when either step fails.
void compile_and_print(const fs::path& dir, const std::string& header, const char* printer,
                       const std::string& flags, const std::string& what,
                       std::map<std::string, std::string>& printed) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "tuned.hpp") << header;
  std::ofstream(dir / "print.cpp") << printer;
  ASSERT_EQ(run(fmt::format("g++ -std=c++17 {1} -Werror -I{0} {0}/print.cpp -o {0}/print",
                            dir.string(), flags)),
            0)
      << what << " does not compile; see " << dir;
  ASSERT_EQ(run(fmt::format("{0}/print > {0}/out.txt", dir.string())), 0);
  std::ifstream in(dir / "out.txt");
  for (std::string line; std::getline(in, line);)
    printed[line.substr(0, line.find(' '))] = line;
}

TEST(ExportLut, EveryKnobValueRoundTripsThroughTheCompiledHeader) {
  const auto cases = every_knob_value();
  // Every declared value of every knob is in at least one exported entry.
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& c : cases)
    for (const auto& [name, value] : to_values(c.params))
      seen[name].insert(value);
  for (const auto& knob : lut_knobs())
    for (const auto& value : knob.values)
      EXPECT_TRUE(seen[knob.name].count(value)) << knob.name << "=" << value << " never exported";

  std::vector<ExportEntry> entries = entries_of(cases);
  const ExportEntry& foreign = entries.back();
  EXPECT_FALSE(foreign.lut.has_value());

  ExportProvenance provenance;
  provenance.device = "test";
  std::map<std::string, std::string> printed; // label -> line
  ASSERT_NO_FATAL_FAILURE(compile_and_print(fs::path(LUTGEMM_TEST_BINARY_DIR) / "test-export-lut",
                                            write_header(entries, provenance, {"tuned"}), kPrinter,
                                            "-Wall -Wextra", "the header", printed));
  ASSERT_EQ(printed.size(), cases.size() + 1);
  EXPECT_EQ(printed.at(foreign.label), foreign.label + " invalid");
  for (const auto& c : cases)
    EXPECT_EQ(printed.at(c.label), expected_line(c));
}

namespace {

// What the --with-kernels header's dispatch() hands to a launcher, per entry: each launch's
// kernel name, grid, block, dynamic shared memory and arguments (buffers by name).
constexpr const char* kDispatchPrinter = R"(#include "tuned.hpp"
#include <cstdio>
#include <cstring>
using namespace tuned;
static std::uint32_t words[1];
static char alpha[1], offset[1], x[1], y[1];
static float workspace[1];
const char* buffer(const void* p) {
  return p == words ? "bit_words" : p == alpha ? "alpha" : p == offset ? "offset" : p == x ? "x"
       : p == y ? "y" : p == workspace ? "workspace" : "?";
}
int main() {
  for (const auto& e : kConfigs) {
    LutArgs args{words, alpha, offset, x, y, workspace, int(e.m), int(e.k), e.batch};
    std::printf("%s", e.config.label);
    const int rc = dispatch(e.config, args, [](const LaunchRequest& r) {
      std::printf(" [%s %ux%ux%u %ux%ux%u %u", r.name, r.grid.x, r.grid.y, r.grid.z, r.block.x,
                  r.block.y, r.block.z, r.dynamic_smem);
      const bool main = std::strstr(r.name, "lutgemm_kernel<") != nullptr;
      const int pointers = main ? 6 : std::strstr(r.name, "zero_f32") ? 1 : 2;
      for (int i = 0; i < pointers; ++i)
        std::printf(" %s", buffer(*static_cast<void**>(r.args[i])));
      if (main)
        std::printf(" %d %d %d", *static_cast<int*>(r.args[6]), *static_cast<int*>(r.args[7]),
                    *static_cast<int*>(r.args[8]));
      else
        std::printf(" %lld", *static_cast<long long*>(r.args[pointers]));
      if (std::strstr(r.name, "reduce_split"))
        std::printf(" %d", *static_cast<int*>(r.args[3]));
      std::printf("]");
      return 0;
    });
    // Without the workspace a split-K plan launches nothing.
    args.workspace = nullptr;
    const bool refused = rc == 0 && dispatch(e.config, args, [](const LaunchRequest&) {
                                      return 1;
                                    }) == kNotLaunchable;
    std::printf(" rc%d%s\n", rc, refused ? " needs-workspace" : "");
  }
}
)";

std::string expected_dispatch(const Case& c) {
  const LaunchPlan plan = make_launch_plan(c.problem, c.params);
  std::string line = c.label;
  for (const auto& l : plan.launches) {
    line += fmt::format(" [tuned::{} {}x{}x{} {}x{}x{} {}", l.spec.name_expression, l.config.grid.x,
                        l.config.grid.y, l.config.grid.z, l.config.block.x, l.config.block.y,
                        l.config.block.z, l.config.dynamic_smem_bytes);
    for (const auto& a : l.args)
      line += a.kind == KernelArg::Kind::buffer ? " " + a.buffer : fmt::format(" {}", a.int_value);
    line += "]";
  }
  return line + (plan.workspace_bytes > 0 ? " rc0 needs-workspace" : " rc0");
}

} // namespace

// --with-kernels: the header's dispatch() launches, for every entry, the kernels of the tuner's
// plan in order with its grid, block, shared memory and arguments; the header without the flag
// has no kernels and no dispatch.
TEST(ExportLut, WithKernelsDispatchLaunchesEachPlanAsTheTuner) {
  const auto cases = every_knob_value();
  const auto entries = entries_of(cases);
  ExportOptions options{"tuned"};
  const std::string plain = write_header(entries, {}, options);
  EXPECT_EQ(plain.find("dispatch("), std::string::npos);
  EXPECT_EQ(plain.find("__global__"), std::string::npos);
  options.with_kernels = true;
  const std::string header = write_header(entries, {}, options);
  EXPECT_NE(header.find("__global__ void __launch_bounds__(T, "), std::string::npos)
      << "the kernel sources are not embedded";

  std::map<std::string, std::string> printed; // label -> line
  ASSERT_NO_FATAL_FAILURE(compile_and_print(
      fs::path(LUTGEMM_TEST_BINARY_DIR) / "test-export-lut-dispatch", header, kDispatchPrinter,
      "-Wall -Wextra -Wpedantic", "the header's plain C++ part", printed));
  ASSERT_EQ(printed.size(), cases.size() + 1);
  EXPECT_EQ(printed.at(entries.back().label), entries.back().label + " rc-1");
  for (const auto& c : cases)
    EXPECT_EQ(printed.at(c.label), expected_dispatch(c));
}
