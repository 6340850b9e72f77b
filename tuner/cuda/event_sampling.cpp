#include "cuda/event_sampling.hpp"

#include "cuda/check.hpp"
#include "cuda/event.hpp"
#include "measure/timing_loop.hpp"

#include <algorithm>
#include <chrono>

namespace lutgemm::cuda {

EventSamples sample_with_events(CUstream stream, const EventSampling& how,
                                const EnqueueOperation& enqueue,
                                const TakeAnotherSample& take_another) {
  EventSamples out;
  Event start, stop;
  std::size_t index = 0;
  if (how.size_from_warmup) {
    out.warmup = std::max(1, how.warmup);
    start.record(stream);
    for (; index < static_cast<std::size_t>(out.warmup); ++index)
      enqueue(index, stream);
    stop.record(stream); // elapsed_ms waits for it: the warm-up is done
    out.operations_per_sample =
        measure::launches_per_sample(1000.0 * elapsed_ms(start, stop) / out.warmup);
  } else {
    out.warmup = std::max(0, how.warmup);
    for (; index < static_cast<std::size_t>(out.warmup); ++index)
      enqueue(index, stream);
    LUTGEMM_CU(cuStreamSynchronize, stream);
  }
  if (how.restart_numbering)
    index = 0;

  const auto began = std::chrono::steady_clock::now();
  const auto elapsed_s = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  };
  while (take_another({out.us, out.operations_per_sample, elapsed_s()})) {
    start.record(stream);
    for (int r = 0; r < out.operations_per_sample; ++r)
      enqueue(index++, stream);
    stop.record(stream);
    out.us.push_back(1000.0 * elapsed_ms(start, stop) / out.operations_per_sample);
  }
  return out;
}

} // namespace lutgemm::cuda
