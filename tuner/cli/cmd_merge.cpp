// `lutgemm merge --into OUT.db IN.db...`: one database from the databases of shards and nodes
// (tuner/store/merge.hpp says how rows are matched). Every input is checked before OUT is opened,
// and the copy is one transaction, so a bad input leaves OUT exactly as it was.
#include "cli/command_registry.hpp"
#include "store/merge.hpp"

#include <fmt/format.h>

namespace {
using namespace lutgemm;

class MergeCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--into", out_, "Database to merge into (created when missing)")->required();
    app.add_option("inputs", inputs_,
                   "Databases to merge (from `lutgemm tune`, e.g. one per shard)")
        ->required();
    app.add_flag("--quiet", quiet_, "Print nothing on success");
  }

  int run() override {
    const store::MergeCounts added = store::merge_databases(out_, inputs_);
    if (!quiet_) {
      fmt::print("merged {} database(s) into {}: added {} runs, {} measurements, {} variants, {} "
                 "problems, {} devices, {} compile cache entries, {} calibrations\n",
                 inputs_.size(), out_, added.runs, added.measurements, added.variants,
                 added.problems, added.devices, added.compile_cache, added.calibrations);
    }
    return 0;
  }

private:
  std::string out_;
  std::vector<std::string> inputs_;
  bool quiet_ = false;
};

const cli::Registration kRegistration{
    "merge", "Merge the databases of shards or nodes into one (ids remapped, provenance kept)", 62,
    [] { return std::make_unique<MergeCommand>(); }};
} // namespace
