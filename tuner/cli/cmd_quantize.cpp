// `lutgemm quantize`: quantize one weight matrix (seeded Gaussian weights, or a 2-D .npy file)
// with uniform round-to-nearest or non-uniform BCQ, and print what it costs: the relative
// Frobenius reconstruction error and the storage of the kernels' packed BCQ layout. RTN weights
// are stored in that layout through the exact uniform -> BCQ conversion, whose error is shown too.
#include "cli/command_registry.hpp"
#include "cli/seed_option.hpp"
#include "common/error.hpp"
#include "io/npy.hpp"
#include "problem/problem.hpp"
#include "quant/bcq.hpp"
#include "quant/convert.hpp"
#include "quant/generate.hpp"
#include "quant/metrics.hpp"
#include "quant/uniform.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>

namespace {
using namespace lutgemm;

// Guards against a typo (an extra digit) turning into tens of GB of host memory: the float
// weights, two double copies and the codes take about 21 bytes per weight.
constexpr std::int64_t kMaxWeights = std::int64_t{1} << 28;

class QuantizeCommand final : public cli::Command {
public:
  void setup(CLI::App& app) override {
    app.add_option("--shape", shape_,
                   "Random Gaussian weights of this shape MxK (M outputs, K "
                   "inputs); with --weights, must match the file if given");
    app.add_option("--weights", weights_path_,
                   "2-D float16/float32/float64 .npy matrix [M][K] to quantize instead");
    app.add_option("--method", method_, "rtn (uniform round-to-nearest) or bcq (non-uniform)")
        ->default_val("rtn");
    app.add_option("--bits", bits_, "Bits per weight q (1..8)")->default_val(3);
    app.add_option("--group", group_, "Group size g along K (dividing K), or 'row'")
        ->default_val("128");
    app.add_option("--rounds", rounds_, "BCQ alternating-refinement rounds (>= 0)")
        ->default_val(15);
    app.add_flag("--no-offset", no_offset_, "BCQ without the offset z (plain BCQ)");
    app.add_option("--threads", threads_, "BCQ threads (0: all hardware threads)")->default_val(0);
    app.add_option("--seed", seed_, "Seed of the random weights")
        ->default_val(1)
        ->check(cli::kSeedValidator); // -1 would wrap to 2^64-1
    app.add_option("--out", out_path_, "Write the dequantized weights here as float32 .npy");
    app.add_flag("--json", json_, "Print JSON");
  }

  int run() override {
    if (method_ != "rtn" && method_ != "bcq")
      throw UsageError(fmt::format("--method '{}' is not one of: rtn, bcq", method_));
    if (bits_ < kMinBits || bits_ > kMaxBits)
      throw UsageError(fmt::format("--bits {} is outside {}..{}", bits_, kMinBits, kMaxBits));
    if (rounds_ < 0)
      throw UsageError(fmt::format("--rounds {} must be >= 0", rounds_));
    if (threads_ < 0)
      throw UsageError(
          fmt::format("--threads {} must be >= 0 (0: all hardware threads)", threads_));
    if (method_ == "rtn" && no_offset_)
      throw UsageError("--no-offset applies to --method bcq only (uniform weights need offsets)");
    const int group = parse_group(group_);

    std::int64_t m = 0, k = 0;
    if (!shape_.empty())
      parse_shape(shape_, m, k);
    std::vector<float> weights;
    std::string source;
    if (!weights_path_.empty()) {
      NpyMatrix matrix = read_npy_matrix(weights_path_);
      if (!shape_.empty() && (matrix.rows != m || matrix.cols != k)) {
        throw UsageError(fmt::format("--shape {} does not match '{}', which is {}x{}", shape_,
                                     weights_path_, matrix.rows, matrix.cols));
      }
      m = matrix.rows;
      k = matrix.cols;
      weights = std::move(matrix.values);
      source = weights_path_;
    } else if (shape_.empty()) {
      throw UsageError("give --shape MxK (random Gaussian weights) or --weights FILE.npy");
    }
    if (m > kMaxWeights / k) {
      throw UsageError(fmt::format("{}x{} has more than {} weights (the host memory guard); "
                                   "quantize a smaller matrix",
                                   m, k, kMaxWeights));
    }
    if (weights_path_.empty()) {
      weights = gaussian_weights(m, k, seed_);
      source = fmt::format("Gaussian N(0,1), seed {}", seed_);
    }
    const std::int64_t g = group == kRowWise ? k : group;

    const auto start = std::chrono::steady_clock::now();
    std::vector<double> dequantized;
    std::optional<double> converted_error;
    bool has_offset = true;
    if (method_ == "rtn") {
      const UniformQuant quant = quantize_rtn(weights, m, k, bits_, group);
      dequantized = dequantize(quant);
      // The kernels read BCQ: the conversion is exact up to one fp16 rounding of the offset.
      converted_error =
          reconstruction_error(weights, dequantize(uniform_to_bcq(quant))).rel_frobenius;
    } else {
      BcqOptions options;
      options.bits = bits_;
      options.group = group;
      options.has_offset = !no_offset_;
      options.rounds = rounds_;
      options.threads = threads_;
      has_offset = options.has_offset;
      dequantized = dequantize(quantize_bcq(weights, m, k, options));
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    const ReconstructionError error = reconstruction_error(weights, dequantized);
    const PackedBcqBytes bytes = packed_bcq_bytes(m, k, bits_, g, has_offset);
    const double bpw = bits_per_weight(bytes, m, k);

    if (!out_path_.empty()) {
      NpyMatrix out{m, k, std::vector<float>(dequantized.begin(), dequantized.end())};
      write_npy_matrix(out_path_, out, NpyDtype::float32);
    }

    const unsigned threads = threads_ > 0 ? static_cast<unsigned>(threads_)
                                          : std::max(1u, std::thread::hardware_concurrency());
    if (json_) {
      nlohmann::json j{{"method", method_},
                       {"bits", bits_},
                       {"group", group == kRowWise ? nlohmann::json("row") : nlohmann::json(group)},
                       {"m", m},
                       {"k", k},
                       {"weights", source},
                       {"has_offset", has_offset},
                       {"rel_error", error.rel_frobenius},
                       {"max_abs_error", error.max_abs},
                       {"rmse", error.rmse},
                       {"bits_per_weight", bpw},
                       {"layout", "packed BCQ (tuner/quant/packed_bcq.hpp)"},
                       {"bytes",
                        {{"bit_words", bytes.bit_words},
                         {"alpha", bytes.alpha},
                         {"offset", bytes.offset},
                         {"total", bytes.total()}}},
                       {"quantize_ms", ms}};
      if (method_ == "bcq") {
        j["rounds"] = rounds_;
        j["threads"] = threads;
      }
      if (converted_error)
        j["converted_bcq_rel_error"] = *converted_error;
      if (!out_path_.empty())
        j["out"] = out_path_;
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    fmt::print("{} q{} g{}{} of {}x{} weights ({})\n", method_ == "rtn" ? "RTN" : "BCQ", bits_,
               group_text(group), method_ == "bcq" ? fmt::format(", {} rounds", rounds_) : "", m, k,
               source);
    fmt::print("  relative Frobenius error  {:.6f}\n", error.rel_frobenius);
    fmt::print("  max |error|               {:.6g}\n", error.max_abs);
    fmt::print("  RMSE                      {:.6g}\n", error.rmse);
    if (converted_error) {
      fmt::print("  after uniform -> BCQ      {:.6f} (exact conversion, offset rounded to fp16)\n",
                 *converted_error);
    }
    fmt::print(
        "  storage (packed BCQ)      {:.4f} bits/weight, {:.3f} MB: bit planes {} B, alpha {} "
        "B, offsets {} B\n",
        bpw, static_cast<double>(bytes.total()) / 1e6, bytes.bit_words, bytes.alpha, bytes.offset);
    fmt::print("  time                      {:.1f} ms{}\n", ms,
               method_ == "bcq" ? fmt::format(" on {} threads", threads) : "");
    if (!out_path_.empty())
      fmt::print("  dequantized weights       {}\n", out_path_);
    return 0;
  }

private:
  std::string shape_, weights_path_, method_, group_, out_path_;
  int bits_ = 3, rounds_ = 15, threads_ = 0;
  std::uint64_t seed_ = 1;
  bool no_offset_ = false, json_ = false;
};

const cli::Registration kRegistration{
    "quantize",
    "Quantize a weight matrix (RTN or BCQ): reconstruction error and packed storage cost", 30,
    [] { return std::make_unique<QuantizeCommand>(); }};
} // namespace
