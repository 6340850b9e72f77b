#pragma once
// How a variant's attempt ended (failure is data: every variant gets one, it is stored, and the
// sweep goes on), and where a time came from (never report a modelled or emulated time as if it
// were measured on a GPU).
#include <string>
#include <string_view>

namespace lutgemm {

enum class Disposition {
  ok,             // verified and timed (or modelled)
  compile_error,  // the compiler rejected the variant; the log is stored
  resource_limit, // too many registers / too much shared memory / threads for the target
  launch_error,   // the launch failed or the kernel faulted (illegal address, emulator report)
  wrong_result,   // output differs from the float64 reference beyond the tolerance
  timeout,        // the kernel (or the worker running it) did not finish in time
  skipped,        // not attempted (constraint, pre-filter, early stop, budget)
};

enum class TimeSource {
  measured, // CUDA events on the device named in the row
  modelled, // the performance model for the target named in the row
  emulated, // wall time in the host emulator (says nothing about a GPU)
};

std::string to_string(Disposition disposition);
// Throws UsageError listing the allowed names.
Disposition disposition_from_string(std::string_view text);
std::string to_string(TimeSource source);
TimeSource time_source_from_string(std::string_view text);

} // namespace lutgemm
