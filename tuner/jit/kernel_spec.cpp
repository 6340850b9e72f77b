#include "jit/kernel_spec.hpp"

#include <fmt/format.h>

namespace lutgemm {

std::string KernelSpec::key_text() const {
  std::string text = fmt::format("source={};name={}", source, name_expression);
  for (const auto& [name, value] : defines)
    text += fmt::format(";-D{}={}", name, value);
  return text;
}

} // namespace lutgemm
