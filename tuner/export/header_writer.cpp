#include "export/header_writer.hpp"

#include "common/error.hpp"
#include "export/with_kernels.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

namespace lutgemm::header_export {
namespace {

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// C++ keywords and alternative tokens: a namespace spelled like one does not compile.
const std::set<std::string_view> kKeywords{"alignas",       "alignof",     "and",
                                           "and_eq",        "asm",         "auto",
                                           "bitand",        "bitor",       "bool",
                                           "break",         "case",        "catch",
                                           "char",          "char8_t",     "char16_t",
                                           "char32_t",      "class",       "compl",
                                           "concept",       "const",       "consteval",
                                           "constexpr",     "constinit",   "const_cast",
                                           "continue",      "co_await",    "co_return",
                                           "co_yield",      "decltype",    "default",
                                           "delete",        "do",          "double",
                                           "dynamic_cast",  "else",        "enum",
                                           "explicit",      "export",      "extern",
                                           "false",         "float",       "for",
                                           "friend",        "goto",        "if",
                                           "inline",        "int",         "long",
                                           "mutable",       "namespace",   "new",
                                           "noexcept",      "not",         "not_eq",
                                           "nullptr",       "operator",    "or",
                                           "or_eq",         "private",     "protected",
                                           "public",        "register",    "reinterpret_cast",
                                           "requires",      "return",      "short",
                                           "signed",        "sizeof",      "static",
                                           "static_assert", "static_cast", "struct",
                                           "switch",        "template",    "this",
                                           "thread_local",  "throw",       "true",
                                           "try",           "typedef",     "typeid",
                                           "typename",      "union",       "unsigned",
                                           "using",         "virtual",     "void",
                                           "volatile",      "wchar_t",     "while",
                                           "xor",           "xor_eq"};

// Why `part` cannot name a namespace of the header, or empty when it can. Besides keywords, the
// standard reserves `std` (and `posix`), names with a double underscore and names starting with
// an underscore and a capital letter.
std::string namespace_part_problem(std::string_view part) {
  if (!is_identifier(part))
    return "is not a C++ identifier (letters, digits, '_', parts joined by ::)";
  if (kKeywords.count(part))
    return fmt::format("uses the C++ keyword '{}'", part);
  if (part == "std" || part == "posix" || part.find("__") != std::string_view::npos ||
      (part.size() > 1 && part[0] == '_' && std::isupper(static_cast<unsigned char>(part[1]))))
    return fmt::format("uses the reserved name '{}'", part);
  return {};
}

} // namespace

void check_namespace(const std::string& ns) {
  std::size_t start = 0;
  while (true) {
    const auto sep = ns.find("::", start);
    const auto problem = namespace_part_problem(std::string_view(ns).substr(start, sep - start));
    if (!problem.empty())
      throw UsageError(fmt::format("namespace '{}' {}", ns, problem));
    if (sep == std::string::npos)
      break;
    start = sep + 2;
  }
}

namespace {

// One line of a comment: no control characters, and nothing that could end the comment early.
std::string comment_safe(const std::string& s) {
  std::string out;
  for (char c : s)
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  return out.empty() ? std::string("unknown") : out;
}

using Key = std::tuple<std::int64_t, std::int64_t, int, int, int, bool>;
Key key_of(const ExportEntry& e) {
  return {e.m, e.k, e.batch, e.bits, e.group, e.has_offset};
}

// Fields every config has; parameter names must not collide with them.
const std::set<std::string> kReservedFields{"kernel", "label", "median_us", "measured", "lut"};

} // namespace

std::string identifier_of(const std::string& name) {
  std::string out;
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
               : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])))
    out = "p_" + out;
  if (kReservedFields.count(out))
    out = "param_" + out;
  return out;
}

std::string write_header(std::vector<ExportEntry> entries, ExportProvenance provenance,
                         const ExportOptions& options) {
  check_namespace(options.name_space);
  for (auto& e : entries) {
    if (e.group == e.k)
      e.group = 0; // g = K is row-wise: one spelling in the table
  }
  // One entry per key: the fastest (ties: the smaller label), so the order of rows never matters.
  std::sort(entries.begin(), entries.end(), [](const ExportEntry& a, const ExportEntry& b) {
    return std::tie(a.m, a.k, a.batch, a.bits, a.group, a.has_offset, a.median_us, a.label,
                    a.kernel) < std::tie(b.m, b.k, b.batch, b.bits, b.group, b.has_offset,
                                         b.median_us, b.label, b.kernel);
  });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const ExportEntry& a, const ExportEntry& b) {
                              return key_of(a) == key_of(b);
                            }),
                entries.end());
  // Columns: the union of parameter names, sorted.
  std::map<std::string, std::string> fields; // identifier -> original name
  for (auto& e : entries) {
    std::sort(e.params.begin(), e.params.end());
    for (const auto& [name, value] : e.params) {
      const auto id = identifier_of(name);
      auto [it, fresh] = fields.emplace(id, name);
      if (!fresh && it->second != name) {
        throw UsageError(fmt::format("parameters '{}' and '{}' map to the same C++ name '{}'",
                                     it->second, name, id));
      }
    }
  }
  std::sort(provenance.runs.begin(), provenance.runs.end());
  provenance.runs.erase(std::unique(provenance.runs.begin(), provenance.runs.end()),
                        provenance.runs.end());
  std::string latest_date;
  for (const auto& [id, date] : provenance.runs)
    latest_date = std::max(latest_date, date);
  const bool any_modelled =
      std::any_of(entries.begin(), entries.end(), [](const auto& e) { return !e.measured; });

  std::string h;
  h += "// Best LUT-GEMM kernel configurations per shape. Generated by `lutgemm export`; do not "
       "edit.\n";
  if (options.with_kernels)
    h += "// With the kernels (--with-kernels): the table, find_config() and dispatch() need only "
         "the\n// C++17 standard library; compiled by nvcc (a .cu file) it also holds the kernel "
         "sources and\n// launch(config, args, stream), which runs an entry's plan with "
         "cudaLaunchKernel.\n";
  else
    h += "// Self-contained: needs only the C++17 standard library (<array>, <cstddef>, "
         "<cstdint>).\n";
  h += "//\n// Provenance\n";
  h += fmt::format("//   device:        {}\n", comment_safe(provenance.device));
  h += fmt::format("//   driver:        {}\n", comment_safe(provenance.driver_version));
  h += fmt::format("//   CUDA:          {}\n", comment_safe(provenance.cuda_version));
  h += fmt::format("//   git SHA:       {}\n", comment_safe(provenance.git_sha));
  h += fmt::format("//   date:          {} (start of the latest run)\n", comment_safe(latest_date));
  h += "//   runs:          ";
  if (provenance.runs.empty())
    h += "none";
  for (std::size_t i = 0; i < provenance.runs.size(); ++i) {
    h += fmt::format("{}{} ({})", i ? ", " : "", provenance.runs[i].first,
                     comment_safe(provenance.runs[i].second));
  }
  h += "\n";
  h += fmt::format("//   written by:    {}\n", comment_safe(provenance.generator));
  h += fmt::format("//   times:         {}\n",
                   any_modelled ? "SOME ENTRIES ARE MODELLED (emulator tune ranked by the "
                                  "performance model), NOT MEASURED: see `measured`"
                                : "measured on the device above (median of CUDA-event timings)");
  h += "//\n// Lookup: find_config(m, k, batch, bits, group) with group = 0 for row-wise (a group "
       "equal\n// to k is read as row-wise too).\n";
  h += "//   Only entries with the same has_offset (BCQ offsets z; true unless quantized without)\n"
       "//   are candidates.\n";
  h += "//   1. An entry with exactly (m, k, batch, bits, group): match == Match::exact.\n";
  h +=
      "//   2. Else the entry with the same bits and group whose (m, k, batch) is nearest, by the\n"
      "//      product of the ratios max(a, b) / min(a, b) of m, k and batch (the first in table\n"
      "//      order on ties): match == Match::nearest. Its tile parameters were tuned for "
      "another\n//      shape: check that they divide yours before using them.\n";
  h += "//   3. Else config == nullptr and match == Match::none: use your default kernel.\n";
  h += "#pragma once\n\n#include <array>\n#include <cstddef>\n#include <cstdint>\n\n";
  h += fmt::format("namespace {} {{\n\n", options.name_space);
  h += lut_header_types();
  h += "// Parameters of the chosen variant; -1 = not a parameter of this variant's family.\n";
  h += "struct KernelConfig {\n  const char* kernel; // kernel family\n";
  h += "  const char* label;  // the variant's stable label in the tuner\n";
  for (const auto& [id, name] : fields)
    h += fmt::format("  std::int64_t {}; // {}\n", id, comment_safe(name));
  h += "  double median_us; // time of the variant on the device\n";
  h += "  bool measured;    // false: modelled (emulator tune), not a GPU measurement\n";
  h += "  LutKernel lut;    // every template argument and the launches (LUT-GEMM entries)\n};\n\n";
  h += "struct ConfigEntry {\n  std::int64_t m;\n  std::int64_t k;\n  std::int32_t batch;\n"
       "  std::int32_t bits;\n  std::int32_t group; // 0 = row-wise\n  bool has_offset;\n"
       "  KernelConfig config;\n"
       "};\n\n";
  h += fmt::format("inline constexpr std::array<ConfigEntry, {}> kConfigs{{{{\n", entries.size());
  for (const auto& e : entries) {
    std::string params;
    for (const auto& [id, name] : fields) {
      std::int64_t value = -1;
      for (const auto& [n, v] : e.params) {
        if (n == name)
          value = v;
      }
      params += fmt::format("{}, ", value);
    }
    h += fmt::format(
        "    {{{}, {}, {}, {}, {}, {}, {{{}, {}, {}{:.3f}, {},\n      {}}}}}, // run {}\n", e.m,
        e.k, e.batch, e.bits, e.group, e.has_offset ? "true" : "false", quoted_literal(e.kernel),
        quoted_literal(e.label), params, e.median_us, e.measured ? "true" : "false",
        lut_initializer(e.lut), e.run_id);
  }
  h += "}};\n\n";
  h += "enum class Match { exact, nearest, none };\n\n";
  h += "struct LookupResult {\n  const KernelConfig* config;\n  Match match;\n};\n\n";
  h += R"(namespace detail {
constexpr double ratio(std::int64_t a, std::int64_t b) {
  return a > b ? static_cast<double>(a) / static_cast<double>(b)
               : static_cast<double>(b) / static_cast<double>(a);
}
} // namespace detail

// See the comment at the top of this file for the fallback rule.
constexpr LookupResult find_config(std::int64_t m, std::int64_t k, std::int32_t batch,
                                   std::int32_t bits, std::int32_t group,
                                   bool has_offset = true) {
  if (m <= 0 || k <= 0 || batch <= 0)
    return {nullptr, Match::none};
  if (group == k)
    group = 0;
  const ConfigEntry* nearest = nullptr;
  double nearest_distance = 0;
  for (std::size_t i = 0; i < kConfigs.size(); ++i) {
    const ConfigEntry& e = kConfigs[i];
    if (e.bits != bits || e.group != group || e.has_offset != has_offset)
      continue;
    if (e.m == m && e.k == k && e.batch == batch)
      return {&e.config, Match::exact};
    const double distance =
        detail::ratio(e.m, m) * detail::ratio(e.k, k) * detail::ratio(e.batch, batch);
    if (nearest == nullptr || distance < nearest_distance) {
      nearest = &e;
      nearest_distance = distance;
    }
  }
  if (nearest == nullptr)
    return {nullptr, Match::none};
  return {&nearest->config, Match::nearest};
}

)";
  h += fmt::format("}} // namespace {}\n", options.name_space);
  if (options.with_kernels) {
    h += "\n" + kernel_sources_section(options.name_space);
    h += dispatch_section(entries, options.name_space);
  }
  return h;
}

} // namespace lutgemm::header_export
