#include "jit/resource_report.hpp"

#include <fmt/format.h>

#include <charconv>

namespace lutgemm {
namespace {

// The integer right before `suffix` in `line` (e.g. "40" in "Used 40 registers"), if present.
std::optional<int> number_before(std::string_view line, std::string_view suffix) {
  const auto pos = line.find(suffix);
  if (pos == std::string_view::npos)
    return std::nullopt;
  std::size_t end = pos;
  while (end > 0 && line[end - 1] == ' ')
    --end;
  std::size_t begin = end;
  while (begin > 0 && line[begin - 1] >= '0' && line[begin - 1] <= '9')
    --begin;
  if (begin == end)
    return std::nullopt;
  int value = 0;
  std::from_chars(line.data() + begin, line.data() + end, value);
  return value;
}

} // namespace

std::optional<ResourceReport> parse_resource_report(std::string_view log,
                                                    std::string_view lowered_name) {
  // ptxas writes, per entry: "Compiling entry function '<name>'", "Function properties for
  // <name>", the stack/spill line, then "Used ... registers". Track which entry we are in.
  ResourceReport report;
  bool in_entry = false;
  bool found = false;
  std::size_t start = 0;
  while (start <= log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string_view::npos)
      end = log.size();
    const std::string_view line = log.substr(start, end - start);
    start = end + 1;
    const bool names_entry = line.find("Compiling entry function") != std::string_view::npos ||
                             line.find("Function properties for") != std::string_view::npos;
    if (names_entry) {
      // Exact token match: the name ends the line or is followed by a quote.
      const auto pos = line.find(lowered_name);
      const auto after = pos == std::string_view::npos ? pos : pos + lowered_name.size();
      in_entry = pos != std::string_view::npos &&
                 (after == line.size() || line[after] == '\'' || line[after] == ' ');
      continue;
    }
    if (!in_entry)
      continue;
    if (auto v = number_before(line, "bytes stack frame"))
      report.stack_frame_bytes = *v;
    if (auto v = number_before(line, "bytes spill stores"))
      report.spill_store_bytes = *v;
    if (auto v = number_before(line, "bytes spill loads"))
      report.spill_load_bytes = *v;
    if (auto v = number_before(line, "registers")) {
      report.registers = *v;
      found = true;
      if (auto b = number_before(line, "barriers"))
        report.barriers = *b;
      if (auto s = number_before(line, "bytes smem"))
        report.static_smem_bytes = *s;
      if (auto c = number_before(line, "bytes cmem[0]"))
        report.const_bank0_bytes = *c;
    }
  }
  if (!found)
    return std::nullopt;
  return report;
}

std::string to_string(const ResourceReport& r) {
  return fmt::format("regs={} smem={} stack={} spill_st={} spill_ld={} bar={}", r.registers,
                     r.static_smem_bytes, r.stack_frame_bytes, r.spill_store_bytes,
                     r.spill_load_bytes, r.barriers);
}

} // namespace lutgemm
