#include "export/from_results.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <map>
#include <tuple>

namespace lutgemm::header_export {

ExportSelection select_for_export(const store::ResultQueries& results, const std::string& device,
                                  bool allow_modelled) {
  const auto devices = results.devices();
  const store::DeviceInfo* info = nullptr;
  std::string names;
  for (const auto& d : devices) {
    names += (names.empty() ? "'" : ", '") + d.name + "'";
    if (d.name == device)
      info = &d;
  }
  if (!info) {
    throw UsageError(fmt::format("no device '{}' in the database (devices: {})", device,
                                 names.empty() ? std::string("none") : names));
  }
  using Key = std::tuple<std::int64_t, std::int64_t, int, int, int, bool>;
  std::map<Key, store::ResultRow> best; // measured rows win over modelled ones, then speed
  std::size_t modelled = 0, lutgemm_rows = 0;
  for (const auto& row : results.results(device)) {
    if (row.kernel != "lutgemm")
      continue;
    ++lutgemm_rows;
    const bool measured = row.source == TimeSource::measured;
    modelled += !measured;
    if (!measured && !allow_modelled)
      continue;
    const auto& p = row.problem;
    const Key key{p.m, p.k, p.batch, p.bits, p.group, p.has_offset};
    auto it = best.find(key);
    const bool it_measured = it != best.end() && it->second.source == TimeSource::measured;
    if (it == best.end() || (measured && !it_measured) ||
        (measured == it_measured && std::tie(row.median_us, row.variant_label) <
                                        std::tie(it->second.median_us, it->second.variant_label))) {
      best[key] = row;
    }
  }
  if (best.empty()) {
    if (modelled > 0) {
      throw UsageError(fmt::format(
          "device '{}' has no measured LUT-GEMM results, only {} modelled (emulator) ones; pass "
          "--allow-modelled to export those, flagged as modelled",
          device, modelled));
    }
    throw UsageError(fmt::format("device '{}' has no LUT-GEMM results to export ({} rows)", device,
                                 lutgemm_rows));
  }
  ExportSelection s;
  s.provenance.device = info->name;
  s.provenance.driver_version = info->driver_version;
  s.provenance.cuda_version = info->cuda_version;
  std::map<std::int64_t, std::string> runs;
  std::map<std::string, int> shas;
  for (const auto& [key, row] : best) {
    ExportEntry e;
    e.m = row.problem.m;
    e.k = row.problem.k;
    e.batch = row.problem.batch;
    e.bits = row.problem.bits;
    e.group = row.problem.group;
    e.kernel = row.kernel;
    e.label = row.variant_label;
    e.params = row.params;
    e.median_us = row.median_us;
    e.measured = row.source == TimeSource::measured;
    e.run_id = row.run_id;
    e.has_offset = row.problem.has_offset;
    if (row.kernel == "lutgemm")
      e.lut = lut_export_of(row.problem, row.variant_label);
    s.entries.push_back(std::move(e));
    runs[row.run_id] = row.run_started;
    ++shas[row.git_sha];
    if (s.provenance.driver_version.empty())
      s.provenance.driver_version = row.driver_version;
    if (s.provenance.cuda_version.empty())
      s.provenance.cuda_version = row.cuda_version;
  }
  for (const auto& [id, date] : runs)
    s.provenance.runs.emplace_back(id, date);
  for (const auto& [sha, count] : shas) {
    (void)count;
    s.provenance.git_sha += (s.provenance.git_sha.empty() ? "" : ", ") + sha;
  }
  return s;
}

} // namespace lutgemm::header_export
