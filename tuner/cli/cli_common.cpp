#include "cli/cli_common.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace lutgemm::cli {

void ProblemOptions::add_to(CLI::App& app) {
  app.add_option("--shape", shape, "Weight shape MxK (M outputs, K inputs)")->default_val(shape);
  add_quantization_to(app);
}

void ProblemOptions::add_quantization_to(CLI::App& app) {
  app.add_option("--batch", batch, "Activation columns (1..32)")->default_val(batch);
  app.add_option("--bits", bits, "Bit-planes q (1..8)")->default_val(bits);
  app.add_option("--group", group, "Group size g along K, or 'row'")->default_val(group);
  app.add_flag("--no-offset", no_offset, "BCQ without offsets");
}

Problem ProblemOptions::problem() const {
  Problem p;
  parse_shape(shape, p.m, p.k);
  p.batch = batch;
  p.bits = bits;
  p.group = parse_group(group);
  p.has_offset = !no_offset;
  validate(p);
  return p;
}

std::string default_db_path() {
  if (const char* env = std::getenv("LUTGEMM_DB"); env != nullptr && *env != '\0')
    return env;
  return "results/local/lutgemm.db";
}

const GpuSpec& resolve_target(const std::string& target, const std::string& arch,
                              const std::string& fallback) {
  if (!target.empty())
    return find_target(target);
  if (!arch.empty()) {
    for (const auto& spec : gpu_specs())
      if (spec.arch == arch)
        return spec;
    throw UsageError(fmt::format("no built-in target has arch '{}'; give --target (known: {})",
                                 arch, known_target_keys()));
  }
  return find_target(fallback);
}

void validate_arch_text(const std::string& arch) {
  std::size_t digits = 0;
  bool ok = arch.starts_with("sm_");
  for (std::size_t i = 3; ok && i < arch.size(); ++i) {
    if (arch[i] >= '0' && arch[i] <= '9')
      ++digits;
    else
      ok = (arch[i] == 'a' || arch[i] == 'f') && i + 1 == arch.size();
  }
  if (!ok || digits < 2)
    throw UsageError(fmt::format("arch '{}' is not a GPU architecture like sm_80 or sm_90", arch));
}

} // namespace lutgemm::cli
