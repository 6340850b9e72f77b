// scripts/ncu_compare.py, the part of scripts/gpu-validate's ncu check that runs without a GPU: it
// joins `lutgemm profile --json` with Nsight Compute's CSV. Here on hand-made files in both of
// ncu's CSV layouts (raw page: one column per metric; long: one row per metric), with numbers as
// ncu writes them (thousands separators), and the one-line errors for bad input.
#include "support/cli_run.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

using lutgemm::test::CliResult;
using lutgemm::test::fresh_path;
using lutgemm::test::run_command;
using lutgemm::test::work_dir;

namespace {

const std::string kDir = work_dir("test_ncu_compare");

std::string write(const std::string& name, const std::string& text) {
  const std::string path = fresh_path(kDir, name);
  std::ofstream(path) << text;
  return path;
}

CliResult compare(const std::string& args) {
  return run_command("python3 '" + std::string(LUTGEMM_TEST_SOURCE_DIR) +
                     "/scripts/ncu_compare.py' " + args);
}

// What `lutgemm profile --json` prints (abridged).
const std::string kOurs = R"({
  "variant": "lut_q3_g128_mu8_r8_t256_kt128_ld128_f32_half_b1_split16_reduce",
  "problem": "1024x1024 b1 q3 g128",
  "counted_at_shape": "1024x512",
  "target": "a100-80gb",
  "counters": {
    "smsp__inst_executed_op_shared_ld.sum": 14848,
    "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum": 25787,
    "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum": 10939,
    "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum": 528,
    "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum": 7200,
    "emu__shared_ld_conflict_factor": 1.737
  }
})";

// ncu --csv --page raw: a header, a units row, then one row per profiled kernel (a reduction
// kernel first, which must not be taken).
const std::string kRawCsv =
    "==PROF== Connected to process 4242\n"
    "\"ID\",\"Process ID\",\"Kernel Name\",\"l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_"
    "ld.sum\",\"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum\",\"l1tex__t_requests_pipe_"
    "lsu_mem_global_op_ld.sum\",\"l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum\",\"smsp__inst_"
    "executed_op_shared_ld.sum\"\n"
    "\"\",\"\",\"\",\"\",\"\",\"request\",\"sector\",\"inst\"\n"
    "\"0\",\"4242\",\"split_reduce\",\"0\",\"0\",\"16\",\"64\",\"0\"\n"
    "\"1\",\"4242\",\"void lutgemm::lutgemm_kernel<3, 128>(...)\",\"20,000\",\"50,000\","
    "\"1,056\",\"14,400\",\"25,000\"\n";

// ncu --csv (details page): one row per metric.
const std::string kLongCsv =
    "\"ID\",\"Kernel Name\",\"Section Name\",\"Metric Name\",\"Metric Unit\",\"Metric Value\"\n"
    "\"3\",\"lutgemm_kernel\",\"Command line profiler metrics\","
    "\"smsp__inst_executed_op_shared_ld.sum\",\"inst\",\"14,848\"\n"
    "\"3\",\"lutgemm_kernel\",\"Command line profiler metrics\","
    "\"l1tex__data_pipe_lsu_wavefronts_mem_shared_op_ld.sum\",\"\",\"29,696\"\n"
    "\"4\",\"lutgemm_kernel\",\"Command line profiler metrics\","
    "\"smsp__inst_executed_op_shared_ld.sum\",\"inst\",\"1\"\n";

std::string line_with(const std::string& text, const std::string& what) {
  const auto at = text.find(what);
  if (at == std::string::npos)
    return "";
  const auto start = text.rfind('\n', at) + 1;
  return text.substr(start, text.find('\n', at) - start);
}

} // namespace

TEST(NcuCompare, RawPageBesideOurCounters) {
  const CliResult r =
      compare("'" + write("ours.json", kOurs) + "' '" + write("raw.csv", kRawCsv) + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("emulator counted at 1024x512"), std::string::npos) << r.out;
  // The lutgemm kernel's row, not the reduction's; thousands separators read as ncu means them.
  const std::string shared = line_with(r.out, "smsp__inst_executed_op_shared_ld.sum");
  EXPECT_NE(shared.find("14848"), std::string::npos) << shared;
  EXPECT_NE(shared.find("25000"), std::string::npos) << shared;
  EXPECT_NE(shared.find("0.59"), std::string::npos) << shared; // 14848 / 25000
  EXPECT_NE(line_with(r.out, "bank_conflicts_pipe_lsu_mem_shared_op_ld").find("20000"),
            std::string::npos);
  // Size-independent ratios: conflict factor 25787/14848 = 1.737 vs 50000/25000 = 2.
  const std::string factor = line_with(r.out, "shared-load conflict factor");
  EXPECT_NE(factor.find("1.737"), std::string::npos) << factor;
  EXPECT_NE(factor.find(" 2"), std::string::npos) << factor;
  const std::string sectors = line_with(r.out, "global-load sectors per request");
  EXPECT_NE(sectors.find("13.636"), std::string::npos) << sectors; // 7200 / 528 and 14400 / 1056
  // A metric only we count is not listed as if ncu had it.
  EXPECT_EQ(line_with(r.out, "emu__shared_ld_conflict_factor"), "");
}

TEST(NcuCompare, LongCsvTakesTheFirstMatchingLaunch) {
  const CliResult r = compare("'" + write("ours.json", kOurs) + "' '" +
                              write("long.csv", kLongCsv) + "' --kernel lutgemm_kernel");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string shared = line_with(r.out, "smsp__inst_executed_op_shared_ld.sum");
  EXPECT_NE(shared.find("14848"), std::string::npos) << shared; // launch 3, not launch 4's "1"
  EXPECT_NE(shared.find("1.00"), std::string::npos) << shared;
  EXPECT_NE(line_with(r.out, "shared-load conflict factor").find(" 2"), std::string::npos);
}

TEST(NcuCompare, BadInputIsOneLineAndExitTwo) {
  const std::string ours = write("ours.json", kOurs), raw = write("raw.csv", kRawCsv);
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"'" + ours + "' '" + raw + "' --kernel no_such_kernel", "no launch of a kernel"},
           {"'" + kDir + "/missing.json' '" + raw + "'", "cannot read"},
           {"'" + write("bad.json", "{not json") + "' '" + raw + "'", "not JSON"},
           {"'" + write("empty.json", "{}") + "' '" + raw + "'", "no 'counters'"},
           {"'" + ours + "' '" + write("plain.csv", "a,b\n1,2\n") + "'", "no 'Kernel Name'"},
           {"'" + ours + "'", "usage"}}) {
    const CliResult r = compare(args);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << ": " << r.err;
    EXPECT_EQ(lutgemm::test::line_count(r.err), 1) << r.err;
    EXPECT_EQ(r.out, "") << args;
  }
}
