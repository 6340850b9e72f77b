#include "search/tune_output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace lutgemm::search {

std::string format_time_us(double us) {
  if (us >= 1000.0)
    return fmt::format("{:.3f} ms", us / 1000.0);
  return fmt::format("{:.1f} us", us);
}

std::string format_duration_s(double seconds) {
  auto total = static_cast<long>(std::lround(seconds));
  if (total >= 3600)
    return fmt::format("{}h{:02}m", total / 3600, (total / 60) % 60);
  if (total >= 60)
    return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

ProgressStyle ProgressPrinter::style_for(std::FILE* stream, bool quiet) {
  if (quiet)
    return ProgressStyle::quiet;
  return isatty(fileno(stream)) ? ProgressStyle::live : ProgressStyle::lines;
}

void ProgressPrinter::operator()(const ProgressEvent& e) {
  if (style_ == ProgressStyle::quiet)
    return;
  std::string best = e.best_us ? format_time_us(*e.best_us) : std::string("-");
  if (e.best_us && e.source != TimeSource::measured)
    best += " (" + to_string(e.source) + ")"; // never let a model's number pass for a measurement
  if (style_ == ProgressStyle::lines) {
    fmt::print(stream_, "{}[{}/{}] {} {} {}{} best {}\n", prefix_, e.done, e.total, e.problem,
               e.variant, to_string(e.disposition), e.resumed ? " (stored)" : "", best);
    std::fflush(stream_);
    return;
  }
  auto line = fmt::format("[{}/{}] {} | {} | best {} | ETA {}", e.done, e.total, e.problem,
                          e.variant, best, format_duration_s(e.eta_s));
  std::size_t width = line.size();
  if (width < last_width_)
    line.append(last_width_ - width, ' ');
  last_width_ = width;
  fmt::print(stream_, "\r{}", line);
  std::fflush(stream_);
}

void ProgressPrinter::finish() {
  if (style_ == ProgressStyle::live && last_width_ > 0) {
    fmt::print(stream_, "\n");
    std::fflush(stream_);
  }
  last_width_ = 0;
}

std::string summary_table(const std::vector<ProblemSummary>& summaries,
                          const std::string& source_note) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"problem", "best variant", "time", "source", "GB/s", "% peak", "ok", "failed",
                  "skipped", "stored"});
  for (const auto& s : summaries) {
    rows.push_back({to_string(s.problem), s.best_variant.value_or("(none ok)"),
                    s.best_us ? format_time_us(*s.best_us) : "-", to_string(s.source),
                    s.best_gbps ? fmt::format("{:.0f}", *s.best_gbps) : "-",
                    s.best_pct_peak ? fmt::format("{:.1f}", *s.best_pct_peak) : "-",
                    std::to_string(s.ok), std::to_string(s.failed), std::to_string(s.skipped),
                    std::to_string(s.resumed)});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  std::string text;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      text += fmt::format("{:<{}}{}", rows[r][c], widths[c], c + 1 < rows[r].size() ? "  " : "");
    text += "\n";
    if (r == 0) {
      for (std::size_t c = 0; c < widths.size(); ++c)
        text += std::string(widths[c], '-') + (c + 1 < widths.size() ? "  " : "");
      text += "\n";
    }
  }
  for (const auto& s : summaries) {
    if (!s.proxy_shape.empty())
      text += fmt::format("{}: verified in the emulator at proxy shape {}\n", to_string(s.problem),
                          s.proxy_shape);
    if (s.leaders_remeasured > 1)
      text += fmt::format("{}: {} leaders within 3% re-measured interleaved before choosing\n",
                          to_string(s.problem), s.leaders_remeasured);
    if (!s.note.empty())
      text += fmt::format("{}: {}\n", to_string(s.problem), s.note);
  }
  if (!source_note.empty())
    text += "times: " + source_note + "\n";
  return text;
}

nlohmann::json summary_json(const std::vector<ProblemSummary>& summaries) {
  auto array = nlohmann::json::array();
  for (const auto& s : summaries) {
    nlohmann::json j;
    j["problem"] = to_string(s.problem);
    j["m"] = s.problem.m;
    j["k"] = s.problem.k;
    j["batch"] = s.problem.batch;
    j["bits"] = s.problem.bits;
    j["group"] = s.problem.group;
    j["space_size"] = s.total;
    j["after_constraints"] = s.after_constraints;
    j["evaluated"] = s.evaluated;
    j["stored_before"] = s.resumed;
    j["ok"] = s.ok;
    j["failed"] = s.failed;
    j["skipped"] = s.skipped;
    j["source"] = to_string(s.source);
    j["best_variant"] = s.best_variant ? nlohmann::json(*s.best_variant) : nlohmann::json();
    j["best_us"] = s.best_us ? nlohmann::json(*s.best_us) : nlohmann::json();
    j["best_gbps"] = s.best_gbps ? nlohmann::json(*s.best_gbps) : nlohmann::json();
    j["best_pct_dram_peak"] = s.best_pct_peak ? nlohmann::json(*s.best_pct_peak) : nlohmann::json();
    j["proxy_shape"] = s.proxy_shape;
    j["leaders"] = s.leaders;
    j["leaders_remeasured"] = s.leaders_remeasured;
    j["missing"] = s.missing;
    j["note"] = s.note;
    array.push_back(j);
  }
  return array;
}

} // namespace lutgemm::search
