#pragma once
// Writes the best-config header for an inference engine: a self-contained C++ header (only <array>,
// <cstddef> and <cstdint>) with a struct of kernel parameters, a constexpr table from
// (M, K, batch, bits, group) to the best variant, a constexpr lookup with a documented fallback,
// and a provenance comment. The writer takes plain rows, so it is testable without a database.
// Deterministic: the same rows and provenance give the same bytes (rows are sorted, nothing reads
// the clock).
#include "export/lut_export.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lutgemm::header_export {

struct ExportEntry {
  std::int64_t m = 0;
  std::int64_t k = 0;
  int batch = 1;
  int bits = 3;
  int group = 128;                                          // 0 = row-wise (g = K)
  std::string kernel;                                       // kernel family, e.g. "lutgemm"
  std::string label;                                        // the variant's stable label
  std::vector<std::pair<std::string, std::int64_t>> params; // named integer parameters
  double median_us = 0;
  bool measured = true; // false: a modelled (emulator) ranking, not a GPU time
  std::int64_t run_id = 0;
  std::optional<ExportLut> lut; // typed template arguments and launches of a LUT-GEMM variant
  bool has_offset = true;       // the problem's BCQ offsets (part of the lookup key)
};

struct ExportProvenance {
  std::string device;
  std::string driver_version;
  std::string cuda_version;
  std::string git_sha;   // of the lutgemm that measured
  std::string generator; // "lutgemm 0.1.0 (git abc)": the lutgemm that wrote the header
  std::vector<std::pair<std::int64_t, std::string>> runs; // run id, its start date (ISO 8601)
};

struct ExportOptions {
  std::string name_space = "lutgemm_tuned"; // C++ namespace of everything in the header
  // Also embed the kernel sources and write dispatch() / launch() (export/with_kernels.hpp).
  bool with_kernels = false;
};

// Throws UsageError when `ns` is not a valid, non-reserved C++ namespace path ("a::b"): each part
// an identifier that is neither a keyword nor reserved (std, double underscores, _Capital).
void check_namespace(const std::string& ns);

// Throws UsageError when the namespace is not a C++ identifier (optionally qualified with ::).
std::string write_header(std::vector<ExportEntry> entries, ExportProvenance provenance,
                         const ExportOptions& options);

// A C identifier made from a parameter name ("k-tile" -> "k_tile"); public for the tests.
std::string identifier_of(const std::string& name);

} // namespace lutgemm::header_export
