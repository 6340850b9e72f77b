#pragma once
// Chooses what `lutgemm export` writes: the fastest LUT-GEMM variant per problem of one device,
// with the provenance taken from the results themselves (never from the clock).
#include "export/header_writer.hpp"
#include "store/result_view.hpp"

namespace lutgemm::header_export {

struct ExportSelection {
  std::vector<ExportEntry> entries;
  ExportProvenance provenance;
};

// Measured results only, unless allow_modelled (then modelled results fill problems that have no
// measurement, flagged as modelled in the header). Throws UsageError when the device is unknown
// (listing the devices) or has nothing to export (saying what it has instead).
ExportSelection select_for_export(const store::ResultQueries& results, const std::string& device,
                                  bool allow_modelled);

} // namespace lutgemm::header_export
