// The foundation commands through the built binary: `lutgemm shapes` and `lutgemm quantize`
// (success, --json that parses and agrees with the library, bad input -> exit 2 with one line),
// and CLI11's own parse errors reduced to one line while --help stays intact.
#include "io/npy.hpp"
#include "problem/presets.hpp"
#include "quant/generate.hpp"
#include "quant/metrics.hpp"

#include "support/cli_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {
using namespace lutgemm;

std::string temp_path(const std::string& name) {
  return std::string(LUTGEMM_TEST_BINARY_DIR) + "/test_cli_foundation." + name;
}

using Result = lutgemm::test::CliResult;
Result run(const std::string& args) {
  return lutgemm::test::run_lutgemm(args);
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

// Exit 2, nothing on stdout, exactly one line on stderr that contains every `needles` entry.
void expect_usage_error(const std::string& args, const std::vector<std::string>& needles) {
  SCOPED_TRACE("lutgemm " + args);
  const Result r = run(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  for (const auto& needle : needles)
    EXPECT_NE(err[0].find(needle), std::string::npos) << "'" << needle << "' not in: " << err[0];
}

// A .npy v1.0 file with an arbitrary header dict and payload (for malformed-input tests).
void write_raw_npy(const std::string& path, const std::string& dict, const std::string& payload) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
      << char((header.size() >> 8) & 0xff) << header << payload;
}

nlohmann::json quantize_json(const std::string& args) {
  const Result r = run("quantize --json " + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

} // namespace

TEST(ShapesCli, ListsEveryPresetWithItsLayers) {
  const Result r = run("shapes");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const auto& preset : model_presets()) {
    EXPECT_NE(r.out.find(preset.name + ": "), std::string::npos) << preset.name;
    for (const auto& l : preset.linears)
      EXPECT_NE(r.out.find(l.name), std::string::npos) << preset.name << " " << l.name;
  }
  EXPECT_NE(r.out.find("49152 x 12288"), std::string::npos); // the paper's Table 1 layer
}

TEST(ShapesCli, JsonMatchesThePresets) {
  const Result all = run("shapes --json");
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const auto j = nlohmann::json::parse(all.out);
  ASSERT_EQ(j.size(), model_presets().size());
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& preset = model_presets()[i];
    EXPECT_EQ(j[i].at("name"), preset.name);
    EXPECT_EQ(j[i].at("layers"), preset.layers);
    ASSERT_EQ(j[i].at("linears").size(), preset.linears.size());
    for (std::size_t l = 0; l < preset.linears.size(); ++l) {
      EXPECT_EQ(j[i]["linears"][l].at("m"), preset.linears[l].m);
      EXPECT_EQ(j[i]["linears"][l].at("k"), preset.linears[l].k);
    }
    EXPECT_EQ(j[i].at("total_weights"), preset.total_weights());
  }
  // One preset, any case: the object itself.
  const Result one = run("shapes --preset llama-2-70b --json");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto p = nlohmann::json::parse(one.out);
  EXPECT_EQ(p.at("name"), "LLaMA-2-70B");
  EXPECT_EQ(p.at("layers"), 80);
  EXPECT_EQ(p.at("linears").at(1).at("m"), 1024); // k_proj under grouped-query attention
}

TEST(ShapesCli, UnknownPresetIsOneLineListingTheNames) {
  expect_usage_error("shapes --preset gpt-5", {"gpt-5", "OPT-175B", "LLaMA-7B", "paper-table1"});
}

TEST(QuantizeCli, RtnErrorAndStorageAgreeWithTheLibrary) {
  const std::string out = temp_path("rtn.npy");
  std::remove(out.c_str());
  const auto j = quantize_json(
      "--shape 256x512 --bits 3 --group 128 --method rtn --seed 5 --out '" + out + "'");
  // Gaussian weights, q3 g128: about 0.2 (the plausibility figure).
  const double e = j.at("rel_error").get<double>();
  EXPECT_GT(e, 0.12);
  EXPECT_LT(e, 0.30);
  // Packed layout: 3 bit-planes + 3 fp16 alphas + 1 fp16 offset per 128 weights.
  EXPECT_DOUBLE_EQ(j.at("bits_per_weight").get<double>(), 3.0 + 4 * 16.0 / 128);
  EXPECT_EQ(j.at("bytes").at("bit_words"), 512 / 32 * 3 * 256 * 4);
  EXPECT_EQ(j.at("bytes").at("alpha"), 512 / 128 * 3 * 256 * 2);
  EXPECT_EQ(j.at("bytes").at("offset"), 512 / 128 * 256 * 2);
  // The exact uniform -> BCQ conversion changes the error by fp16 rounding of offsets only.
  EXPECT_NEAR(j.at("converted_bcq_rel_error").get<double>(), e, 1e-3 * e);
  // The written matrix is the dequantized one: its error against the same seeded weights is the
  // printed one.
  const NpyMatrix q = read_npy_matrix(out);
  ASSERT_EQ(q.rows, 256);
  ASSERT_EQ(q.cols, 512);
  const auto w = gaussian_weights(256, 512, 5);
  const std::vector<double> qd(q.values.begin(), q.values.end());
  EXPECT_NEAR(reconstruction_error(w, qd).rel_frobenius, e, 1e-5);
  std::remove(out.c_str());
}

TEST(QuantizeCli, MoreBitsLessErrorAndBcqNoWorseThanRtn) {
  double previous = INFINITY;
  for (int bits : {2, 3, 4, 6}) {
    const auto j = quantize_json("--shape 64x256 --bits " + std::to_string(bits));
    const double e = j.at("rel_error").get<double>();
    EXPECT_LT(e, previous) << bits;
    previous = e;
  }
  const double rtn = quantize_json("--shape 128x256 --bits 3 --group 64").at("rel_error");
  const auto bcq = quantize_json("--shape 128x256 --bits 3 --group 64 --method bcq --rounds 5");
  EXPECT_LE(bcq.at("rel_error").get<double>(), rtn * 1.0001);
  EXPECT_EQ(bcq.at("rounds"), 5);
  const auto row = quantize_json("--shape 16x96 --bits 8 --group row --method bcq --no-offset");
  EXPECT_EQ(row.at("group"), "row");
  EXPECT_EQ(row.at("bytes").at("offset"), 0);
  EXPECT_LT(row.at("rel_error").get<double>(), 0.05);
}

TEST(QuantizeCli, ReadsANpyMatrix) {
  const std::string path = temp_path("weights.npy");
  NpyMatrix m{48, 160, {}};
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(0.25f, 2.0f); // never zero
  for (int i = 0; i < 48 * 160; ++i)
    m.values.push_back(dist(rng) * (i % 3 == 0 ? -1.0f : 1.0f));
  write_npy_matrix(path, m, NpyDtype::float16);
  const auto j = quantize_json("--weights '" + path + "' --bits 4 --group 32");
  EXPECT_EQ(j.at("m"), 48);
  EXPECT_EQ(j.at("k"), 160);
  EXPECT_GT(j.at("rel_error").get<double>(), 0.0);
  EXPECT_LT(j.at("rel_error").get<double>(), 0.15);
  expect_usage_error("quantize --weights '" + path + "' --shape 48x128", {"48x128", "48x160"});
  // A non-finite weight is named, for both quantizers (BCQ checks it on its worker threads).
  m.values[5 * 160 + 7] = std::nanf("");
  write_npy_matrix(path, m, NpyDtype::float32);
  for (const char* method : {"rtn", "bcq"})
    expect_usage_error("quantize --weights '" + path + "' --group 32 --method " + method,
                       {"[5][7]", "finite"});
  std::remove(path.c_str());
}

TEST(QuantizeCli, BadInputIsExitTwoWithOneLine) {
  expect_usage_error("quantize --shape 64x256 --bits 9", {"9", "1..8"});
  expect_usage_error("quantize --shape 64x256 --bits 0", {"0", "1..8"});
  expect_usage_error("quantize --shape 64x256 --group 100", {"100", "256"});
  expect_usage_error("quantize --shape 0x256", {"0"});
  expect_usage_error("quantize --shape 64x-3", {"-3"});
  expect_usage_error("quantize --shape 64by256", {"64by256", "MxK"});
  expect_usage_error("quantize --shape 64x256 --method gptq", {"gptq", "rtn", "bcq"});
  expect_usage_error("quantize --shape 64x256 --method bcq --rounds -1", {"-1"});
  expect_usage_error("quantize", {"--shape", "--weights"});
  expect_usage_error("quantize --weights /nonexistent/w.npy", {"/nonexistent/w.npy"});

  const std::string bad = temp_path("bad.npy");
  std::ofstream(bad, std::ios::binary) << "this is not a numpy file at all";
  expect_usage_error("quantize --weights '" + bad + "'", {bad});
  write_raw_npy(bad, "{'descr': '<f4', 'fortran_order': False, 'shape': (8,), }",
                std::string(8 * 4, '\1'));
  expect_usage_error("quantize --weights '" + bad + "'", {bad, "1 dimensions", "needs 2"});
  write_raw_npy(bad, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 32), }",
                std::string(64 * 4, '\1'));
  expect_usage_error("quantize --weights '" + bad + "'", {bad, "i4"});
  write_raw_npy(bad, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 32), }",
                std::string(10, '\1')); // truncated payload
  expect_usage_error("quantize --weights '" + bad + "'", {bad});
  std::remove(bad.c_str());
}

TEST(CliParseErrors, AreOneLineNamingTheValue) {
  expect_usage_error("quantize --shape 64x256 --bits three", {"three", "lutgemm quantize --help"});
  expect_usage_error("quantize --shape 64x256 --no-such-option", {"--no-such-option"});
  expect_usage_error("no-such-command", {"no-such-command"});
  expect_usage_error("shapes --preset", {"--preset"}); // missing value
}

TEST(CliParseErrors, HelpIsIntact) {
  const Result top = run("--help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("quantize"), std::string::npos);
  EXPECT_NE(top.out.find("shapes"), std::string::npos);
  const Result sub = run("quantize --help");
  EXPECT_EQ(sub.exit_code, 0);
  for (const char* option : {"--shape", "--weights", "--method", "--bits", "--group", "--rounds",
                             "--seed", "--out", "--json"})
    EXPECT_NE(sub.out.find(option), std::string::npos) << option;
  EXPECT_GT(lines(sub.out).size(), 5u);
}

TEST(Reliability, AbsurdSizesTimeoutsAndSeedsAreExitTwoNamingTheValue) {
  // Sizes are bounded where they are parsed (a 2^63 M used to print negative megabytes).
  expect_usage_error("predict --shape 9223372036854775807x4096", {"9223372036854775807"});
  expect_usage_error("predict --shape 99999999999999999999x4096", {"99999999999999999999"});
  expect_usage_error("predict --shape 33554432x4096", {"33554432", "16777216"});
  expect_usage_error("tune --backend emu --shape 16777216x16777216 --db /nonexistent/x.db",
                     {"16777216x16777216", "weights"});
  // --variant-timeout: nan, inf, absurdly large or small (every variant would be a timeout).
  for (const char* bad : {"nan", "inf", "1e30", "0.000001", "0", "-3"})
    expect_usage_error(std::string("tune --backend emu --shape 512x512 --db /nonexistent/x.db "
                                   "--variant-timeout ") +
                           bad,
                       {"--variant-timeout"});
  expect_usage_error("tune --backend emu --shape 512x512 --db /nonexistent/x.db --verify some",
                     {"some", "proxy", "full"});
  // --seed -1 used to wrap to 2^64-1.
  expect_usage_error("quantize --shape 64x256 --seed -1", {"-1"});
  expect_usage_error("tune --backend emu --shape 512x512 --db /nonexistent/x.db --seed -1", {"-1"});
  // An unwritable --out is the user's input (exit 2), as in export.
  expect_usage_error("quantize --shape 64x256 --out /nonexistent/dir/q.npy",
                     {"/nonexistent/dir/q.npy"});
  // --target '' means the default everywhere.
  EXPECT_EQ(run("predict --shape 4096x4096 --target ''").exit_code, 0);
}

TEST(Reliability, RelativeErrorOfZeroOrTinyWeightsIsFinite) {
  // All-zero weights printed "inf"; weights of 1e-9 gave 15.7 from fp16 rounding noise.
  const std::vector<float> zeros(64, 0.0f), tiny(64, 1e-9f);
  const std::vector<double> exact(64, 0.0), noisy(64, 1.6e-8);
  EXPECT_EQ(reconstruction_error(zeros, exact).rel_frobenius, 0.0);
  const double zero_ref = reconstruction_error(zeros, noisy).rel_frobenius;
  EXPECT_TRUE(std::isfinite(zero_ref));
  EXPECT_LT(zero_ref, 1e-3);
  EXPECT_LT(reconstruction_error(tiny, noisy).rel_frobenius, 1e-3);
  // Ordinary weights keep the plain relative error.
  const std::vector<float> ones(64, 1.0f);
  const std::vector<double> off(64, 1.01);
  EXPECT_NEAR(reconstruction_error(ones, off).rel_frobenius, 0.01, 1e-9);
  // Through the command: all-zero weights give numbers, not inf (JSON null).
  const std::string zero_npy = temp_path("zeros.npy");
  write_npy_matrix(zero_npy, NpyMatrix{4, 64, std::vector<float>(256, 0.0f)}, NpyDtype::float32);
  const auto j = quantize_json("--weights '" + zero_npy + "' --group 32");
  EXPECT_TRUE(j.at("rel_error").is_number()) << j.dump();
  EXPECT_TRUE(j.at("converted_bcq_rel_error").is_number()) << j.dump();
  std::remove(zero_npy.c_str());
}
