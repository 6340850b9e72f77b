#include "emu_driver/kernel_lookup.hpp"

#include "common/embedded_sources.hpp"
#include "jit/nvrtc_compiler.hpp"

#include <cxxabi.h>
#include <fmt/format.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <regex>

namespace lutgemm::emucuda {
namespace {

// Index of the '(' that opens the parameter list: the last one at template depth 0.
std::optional<std::size_t> parameter_list_start(const std::string& text) {
  int angle = 0;
  int paren = 0;
  std::optional<std::size_t> start;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '<')
      ++angle;
    else if (c == '>')
      --angle;
    else if (c == '(') {
      if (angle == 0 && paren == 0)
        start = i;
      ++paren;
    } else if (c == ')')
      --paren;
  }
  return start;
}

std::string unqualified_name(const std::string& expression) {
  std::string name = expression.substr(0, expression.find('<'));
  const auto colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

} // namespace

std::optional<std::string> name_expression_of(const std::string& lowered_name) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(lowered_name.c_str(), nullptr, nullptr, &status), &std::free);
  if (status != 0 || !demangled)
    return std::nullopt;
  const std::string text = demangled.get();
  const auto open = parameter_list_start(text);
  if (!open)
    return std::nullopt;
  std::string head = text.substr(0, *open);
  // A function template's demangled name starts with its return type: drop everything up to the
  // last space outside template arguments.
  int angle = 0;
  std::size_t name_start = 0;
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '<')
      ++angle;
    else if (head[i] == '>')
      --angle;
    else if (head[i] == ' ' && angle == 0)
      name_start = i + 1;
  }
  return head.substr(name_start);
}

std::vector<std::string> sources_defining(const std::string& name_expression) {
  const std::string name = unqualified_name(name_expression);
  // A definition: __global__, qualifiers and attributes (no ';', '{' or '(' before the name, except
  // inside __launch_bounds__(...)), the name, its parameter list.
  const std::regex definition("__global__\\s+(void\\s+)?(__launch_bounds__\\s*\\([^)]*\\)\\s*)?"
                              "(void\\s+)?" +
                              name + "\\s*\\(");
  std::vector<std::string> sources;
  for (const auto& file : embedded::all_files()) {
    // The library's kernels/, or kernel files (.cuh) a binary embeds on top (the tests' own).
    const bool kernel_file = file.name.starts_with("kernels/") || file.name.ends_with(".cuh");
    if (!kernel_file || file.content.find(name) == std::string_view::npos)
      continue;
    const std::string content(file.content);
    if (std::regex_search(content, definition))
      sources.emplace_back(file.name);
  }
  return sources;
}

std::optional<KernelSpec> recover_spec(const std::string& lowered_name, const CubinFunction& code,
                                       const std::string& arch, std::string& why) {
  const auto expression = name_expression_of(lowered_name);
  if (!expression) {
    why = fmt::format("'{}' does not demangle to a C++ function name", lowered_name);
    return std::nullopt;
  }
  const auto sources = sources_defining(*expression);
  if (sources.empty()) {
    why = fmt::format("no embedded kernel source defines {}", *expression);
    return std::nullopt;
  }
  if (sources.size() == 1)
    return KernelSpec{sources[0], *expression, {}};
  // Ambiguous: compile each candidate as the project does and compare the code.
  static std::mutex mutex;
  static NvrtcCompiler compiler;
  std::lock_guard lock(mutex);
  for (const auto& source : sources) {
    KernelSpec spec{source, *expression, {}};
    try {
      const auto compiled = compiler.compile(spec, arch);
      std::string ignored;
      const auto image = read_cubin(compiled->cubin.data(), ignored);
      if (!image)
        continue;
      const auto it = image->functions.find(lowered_name);
      if (it != image->functions.end() && it->second.code == code.code)
        return spec;
    } catch (const std::exception&) {
      continue; // a candidate that does not compile for this arch is not the one
    }
  }
  std::string list;
  for (const auto& source : sources)
    list += (list.empty() ? "" : ", ") + source;
  why = fmt::format("{} is defined in {} and none of them compiles to the CUBIN's code for {}",
                    *expression, list, arch);
  return std::nullopt;
}

} // namespace lutgemm::emucuda
