// `lutgemm export`: a self-contained C++ header with the best LUT-GEMM variant per shape of one
// device (tuner/export/header_writer.hpp describes the header and its fallback).
#include "build_info.hpp"
#include "cli/command_registry.hpp"
#include "common/error.hpp"
#include "export/from_results.hpp"
#include "export/header_writer.hpp"
#include "store/result_view.hpp"

#include <fmt/format.h>

#include <fstream>

namespace {
using namespace lutgemm;

class ExportCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--db", db_, "Results database (from `lutgemm tune`)")->required();
    app.add_option("--device", device_, "Device name as stored in the database")->required();
    app.add_option("--out", out_, "Header to write, e.g. lutgemm_tuned.hpp")->required();
    app.add_option("--namespace", namespace_, "C++ namespace of the header's contents")
        ->default_val("lutgemm_tuned");
    app.add_flag("--allow-modelled", allow_modelled_,
                 "Also export modelled (emulator) rankings where nothing was measured; they are "
                 "flagged in the header");
    app.add_flag("--with-kernels", with_kernels_,
                 "Also embed the kernel sources and a launch() of each entry's plan (compile the "
                 "header with nvcc)");
  }

  int run() override {
    header_export::check_namespace(namespace_); // before anything is read or written
    header_export::ExportOptions options;
    options.name_space = namespace_;
    options.with_kernels = with_kernels_;
    const auto results = store::open_result_database(db_);
    auto selection = header_export::select_for_export(*results, device_, allow_modelled_);
    // The version, not the build's git SHA, so that two builds of a release write the same bytes.
    selection.provenance.generator = fmt::format("lutgemm {}", build_info::kVersion);
    const std::size_t count = selection.entries.size();
    const std::string header =
        header_export::write_header(std::move(selection.entries), selection.provenance, options);
    std::ofstream out(out_, std::ios::binary);
    if (!out)
      throw UsageError(fmt::format("cannot write '{}'", out_));
    out << header;
    out.close();
    if (!out)
      throw RuntimeError(fmt::format("writing '{}' failed", out_));
    fmt::print("wrote {} ({} shapes, device '{}')\n", out_, count, device_);
    return 0;
  }

private:
  std::string db_, device_, out_, namespace_;
  bool allow_modelled_ = false;
  bool with_kernels_ = false;
};

const cli::Registration kRegistration{
    "export", "Write a self-contained C++ header with the best variant per shape of a device", 80,
    [] { return std::make_unique<ExportCommand>(); }};
} // namespace
