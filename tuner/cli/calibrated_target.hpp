#pragma once
// How a calibration reaches the model: `--target NAME` (tune, worker, predict), where NAME is the
// name or key of a device with a calibration in the results database (`lutgemm calibrate --db D
// --device NAME`), selects the device's base target with the fitted efficiency constants. The
// calibrated target is registered (tuner/targets/calibrated_targets.hpp) under NAME, so every
// later find_target(NAME) in the process, and a tune's worker given the same --target and --db,
// sees the same spec. GpuSpec::calibration says which calibration it is.
#include "targets/gpu_spec.hpp"

#include <string>

namespace lutgemm::cli {

// Registers the calibrated target when `target` is neither a built-in key nor a spec file and the
// database at `db_path` (if it exists) has a device of that name or key (compared as target keys:
// case-insensitive, ' ' and '_' read as '-') with a calibration. Returns it, or nullptr when
// `target` is not such a device (find_target then says what is known). UsageError when the device
// is there but has no calibration, or the stored calibration cannot be read.
const GpuSpec* load_calibrated_target(const std::string& target, const std::string& db_path);

} // namespace lutgemm::cli
