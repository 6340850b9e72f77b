#pragma once
// What `lutgemm tune` prints: a live progress line on a terminal (rewritten in place), one plain
// line per variant otherwise, nothing with --quiet; a summary table of the best variant per
// problem; the same as JSON with --json. Every time says where it came from.
#include "search/tune_driver.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace lutgemm::search {

enum class ProgressStyle { live, lines, quiet };

class ProgressPrinter {
public:
  // `prefix` starts every line (the `--devices` workers': "device 1: "); a live line is never
  // prefixed, since several processes sharing a terminal print plain lines.
  ProgressPrinter(std::FILE* stream, ProgressStyle style, std::string prefix = "")
      : stream_(stream), style_(style), prefix_(std::move(prefix)) {}
  void operator()(const ProgressEvent& event);
  void finish(); // ends a live line
  static ProgressStyle style_for(std::FILE* stream, bool quiet);

private:
  std::FILE* stream_;
  ProgressStyle style_;
  std::string prefix_;
  std::size_t last_width_ = 0;
};

// "12.3 us", "1.234 ms"
std::string format_time_us(double us);
// "1m05s", "12s"
std::string format_duration_s(double seconds);

// `source_note`: e.g. "modelled for a100-80gb (not measured), verified in the emulator".
std::string summary_table(const std::vector<ProblemSummary>& summaries,
                          const std::string& source_note);
nlohmann::json summary_json(const std::vector<ProblemSummary>& summaries);

} // namespace lutgemm::search
