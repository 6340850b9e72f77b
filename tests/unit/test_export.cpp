// The best-config header: deterministic bytes, and a program that includes it compiles with g++
// and with nvcc and finds every entry exactly, the nearest entry for shapes not in the table, and
// nothing for a bit width that is not there.
#include "export/header_writer.hpp"

#include "common/error.hpp"
#include "support/toolkit.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

using namespace lutgemm::header_export;
namespace fs = std::filesystem;

namespace {

std::vector<ExportEntry> random_entries(std::mt19937& rng) {
  std::vector<ExportEntry> entries;
  std::uniform_int_distribution<int> words(4, 600), tile(0, 2);
  std::uniform_real_distribution<double> us(5, 500);
  const int groups[] = {64, 128, 0};
  for (int bits = 2; bits <= 4; ++bits) {
    for (int g : groups) {
      for (int i = 0; i < 4; ++i) {
        ExportEntry e;
        e.m = 32 * words(rng);
        e.k = 128 * words(rng);
        e.batch = 1 << tile(rng);
        e.bits = bits;
        e.group = g;
        e.kernel = "lutgemm";
        e.label = fmt::format("lut_q{}_g{}_v{}_{}", bits, g, i, words(rng));
        e.params = {{"rows_per_block", 256 << tile(rng)},
                    {"k-tile", 32 << tile(rng)},
                    {"threads", 64 * (1 + tile(rng))}};
        if (i == 0)
          e.params.push_back({"table_copies", 1 + tile(rng)}); // only some variants have it
        e.median_us = us(rng);
        e.run_id = 1 + i;
        entries.push_back(e);
      }
    }
  }
  return entries;
}

ExportProvenance provenance() {
  ExportProvenance p;
  p.device = "NVIDIA H100 80GB HBM3";
  p.driver_version = "580.65";
  p.cuda_version = "13.0";
  p.git_sha = "abc1234";
  p.generator = "lutgemm test";
  p.runs = {{4, "2026-11-21T09:00:00Z"}, {1, "2026-11-20T08:00:00Z"}, {4, "2026-11-21T09:00:00Z"}};
  return p;
}

// The test's own idea of the nearest entry (sum of |log ratio|, first on ties).
const ExportEntry* nearest(const std::vector<ExportEntry>& sorted, std::int64_t m, std::int64_t k,
                           int batch, int bits, int group) {
  const ExportEntry* best = nullptr;
  double best_d = 0;
  for (const auto& e : sorted) {
    if (e.bits != bits || e.group != group)
      continue;
    const double d = std::abs(std::log(double(e.m) / m)) + std::abs(std::log(double(e.k) / k)) +
                     std::abs(std::log(double(e.batch) / batch));
    if (!best || d < best_d - 1e-12) {
      best = &e;
      best_d = d;
    }
  }
  return best;
}

std::int64_t param(const ExportEntry& e, const std::string& name) {
  for (const auto& [n, v] : e.params)
    if (n == name)
      return v;
  return -1;
}

int run(const std::string& command) {
  const int status = std::system((command + " > /dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Fixture {
  fs::path dir;
  std::vector<ExportEntry> sorted;
};

// Writes the header and a checking program into a fresh folder.
Fixture write_program() {
  std::mt19937 rng(2024);
  auto entries = random_entries(rng);
  Fixture f;
  f.dir = fs::path(LUTGEMM_TEST_BINARY_DIR) / "test-export";
  fs::remove_all(f.dir);
  fs::create_directories(f.dir);
  std::ofstream(f.dir / "tuned.hpp") << write_header(entries, provenance(), {"engine::tuned"});
  f.sorted = entries;
  std::sort(f.sorted.begin(), f.sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a.m, a.k, a.batch, a.bits, a.group) <
           std::tie(b.m, b.k, b.batch, b.bits, b.group);
  });

  std::string body;
  const auto& first = entries.front();
  body += fmt::format("static_assert(engine::tuned::find_config({}, {}, {}, {}, {}).match == "
                      "engine::tuned::Match::exact, \"constexpr lookup\");\n",
                      first.m, first.k, first.batch, first.bits, first.group);
  body += "int main() {\n  int failures = 0;\n  using namespace engine::tuned;\n";
  auto expect = [&](std::int64_t m, std::int64_t k, int batch, int bits, int group,
                    const ExportEntry* want, const char* match) {
    body +=
        fmt::format("  {{ auto r = find_config({}, {}, {}, {}, {});\n", m, k, batch, bits, group);
    if (!want) {
      body += "    if (r.config != nullptr || r.match != Match::none) { ++failures; "
              "std::puts(\"none\"); } }\n";
      return;
    }
    body += fmt::format(
        "    if (r.match != Match::{} || !r.config || std::strcmp(r.config->label, \"{}\") != 0 ||"
        " r.config->k_tile != {} || r.config->rows_per_block != {} || r.config->table_copies != {})"
        " {{ ++failures; std::printf(\"wrong for {}x{}\\n\"); }} }}\n",
        match, want->label, param(*want, "k-tile"), param(*want, "rows_per_block"),
        param(*want, "table_copies"), m, k);
  };
  for (const auto& e : entries) {
    expect(e.m, e.k, e.batch, e.bits, e.group, &e, "exact");
    // Shapes not in the table: nearest by the test's own rule.
    const std::int64_t m2 = e.m + 32, k2 = e.k * 2;
    expect(m2, k2, e.batch, e.bits, e.group, nearest(f.sorted, m2, k2, e.batch, e.bits, e.group),
           "nearest");
  }
  // Row-wise spelled as g = K finds the row-wise entry.
  for (const auto& e : entries) {
    if (e.group == 0) {
      expect(e.m, e.k, e.batch, e.bits, static_cast<int>(e.k), &e, "exact");
      break;
    }
  }
  expect(4096, 4096, 1, 7, 128, nullptr, "none"); // no 7-bit entries
  body += "  std::printf(\"failures=%d\\n\", failures);\n  return failures == 0 ? 0 : 1;\n}\n";
  const std::string program =
      "#include \"tuned.hpp\"\n#include <cstdio>\n#include <cstring>\n" + body;
  std::ofstream(f.dir / "check.cpp") << program;
  std::ofstream(f.dir / "check.cu") << program;
  return f;
}

} // namespace

TEST(Export, SameRowsGiveIdenticalBytesInAnyOrder) {
  std::mt19937 rng(99);
  auto entries = random_entries(rng);
  const auto a = write_header(entries, provenance(), {});
  std::shuffle(entries.begin(), entries.end(), rng);
  auto p = provenance();
  std::reverse(p.runs.begin(), p.runs.end());
  const auto b = write_header(entries, p, {});
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("//   device:        NVIDIA H100 80GB HBM3"), std::string::npos);
  EXPECT_NE(a.find("//   runs:          1 (2026-11-20T08:00:00Z), 4 (2026-11-21T09:00:00Z)"),
            std::string::npos);
  EXPECT_NE(a.find("//   date:          2026-11-21T09:00:00Z"), std::string::npos);
  EXPECT_NE(a.find("measured on the device above"), std::string::npos);
  EXPECT_EQ(a.find("#include \""), std::string::npos) << "must not include project headers";
}

TEST(Export, DuplicateShapesKeepTheFastestAndModelledIsFlagged) {
  ExportEntry slow{.m = 64,
                   .k = 256,
                   .batch = 1,
                   .bits = 3,
                   .group = 128,
                   .kernel = "lutgemm",
                   .label = "slow",
                   .params = {},
                   .median_us = 20,
                   .measured = false,
                   .run_id = 1,
                   .lut = std::nullopt,
                   .has_offset = true};
  ExportEntry fast = slow;
  fast.label = "fast";
  fast.median_us = 10;
  const auto h = write_header({slow, fast}, provenance(), {});
  EXPECT_NE(h.find("\"fast\""), std::string::npos);
  EXPECT_EQ(h.find("\"slow\""), std::string::npos);
  EXPECT_NE(h.find("MODELLED"), std::string::npos);
  EXPECT_NE(h.find("std::array<ConfigEntry, 1>"), std::string::npos);
}

TEST(Export, BadNamespaceAndIdentifiers) {
  EXPECT_THROW(write_header({}, provenance(), {"1bad"}), lutgemm::UsageError);
  EXPECT_THROW(write_header({}, provenance(), {"a::"}), lutgemm::UsageError);
  EXPECT_THROW(write_header({}, provenance(), {"a b"}), lutgemm::UsageError);
  EXPECT_NO_THROW(write_header({}, provenance(), {"a::b_2"}));
  // Keywords and reserved names write a header that does not compile (issue 16 item 9).
  for (const char* bad : {"class", "std", "a::namespace", "int::b", "a__b", "_Upper", "std::x"})
    EXPECT_THROW(write_header({}, provenance(), {bad}), lutgemm::UsageError) << bad;
  EXPECT_NO_THROW(write_header({}, provenance(), {"_lower::classy::std2"}));
  EXPECT_EQ(identifier_of("K-Tile"), "k_tile");
  EXPECT_EQ(identifier_of("2x"), "p_2x");
  EXPECT_EQ(identifier_of("label"), "param_label");
}

TEST(Export, CliRefusesAReservedNamespaceWithExitTwoAndWritesNothing) {
  const fs::path out = fs::temp_directory_path() / fmt::format("lutgemm_ns_{}.hpp", ::getpid());
  fs::remove(out);
  for (const char* bad : {"class", "std", "a::__b"}) {
    // The namespace is checked before the database is opened, so a missing one does not matter.
    EXPECT_EQ(run(fmt::format("{} export --db /nonexistent.db --device d --out {} --namespace '{}' "
                              "2>/dev/null",
                              LUTGEMM_CLI_PATH, out.string(), bad)),
              2)
        << bad;
    EXPECT_FALSE(fs::exists(out)) << bad;
  }
}

TEST(Export, HeaderCompilesWithGppAndFindsExactAndNearest) {
  const auto f = write_program();
  const auto exe = f.dir / "check_gpp";
  ASSERT_EQ(run(fmt::format("g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -I{} {} -o {}",
                            f.dir.string(), (f.dir / "check.cpp").string(), exe.string())),
            0)
      << "g++ could not compile the header; see " << f.dir;
  EXPECT_EQ(run(exe.string()), 0) << "lookups wrong; run " << exe;
}

TEST(Export, HeaderCompilesWithNvcc) {
  const fs::path nvcc = lutgemm::test::cuda_tool("nvcc");
  if (!fs::exists(nvcc)) {
    LUTGEMM_SKIP_OR_FAIL("no nvcc at " << nvcc);
  }
  const auto f = write_program();
  const auto exe = f.dir / "check_nvcc";
  ASSERT_EQ(run(fmt::format("{} -std=c++17 -I{} {} -o {}", nvcc.string(), f.dir.string(),
                            (f.dir / "check.cu").string(), exe.string())),
            0)
      << "nvcc could not compile the header; see " << f.dir;
  EXPECT_EQ(run(exe.string()), 0) << "lookups wrong; run " << exe;
}
