#include "cuda/event.hpp"

#include "cuda/check.hpp"

#include <utility>

namespace lutgemm::cuda {

Event::Event() {
  LUTGEMM_CU(cuEventCreate, &event_, CU_EVENT_DEFAULT);
}

Event::~Event() {
  if (event_)
    LUTGEMM_CU_NOTHROW(cuEventDestroy, event_);
}

Event::Event(Event&& other) noexcept : event_(std::exchange(other.event_, nullptr)) {}

Event& Event::operator=(Event&& other) noexcept {
  if (this != &other) {
    if (event_)
      LUTGEMM_CU_NOTHROW(cuEventDestroy, event_);
    event_ = std::exchange(other.event_, nullptr);
  }
  return *this;
}

void Event::record(CUstream stream) {
  LUTGEMM_CU(cuEventRecord, event_, stream);
}

void Event::synchronize() const {
  LUTGEMM_CU(cuEventSynchronize, event_);
}

float elapsed_ms(const Event& start, const Event& stop) {
  stop.synchronize();
  float ms = 0.0f;
  LUTGEMM_CU(cuEventElapsedTime, &ms, start.get(), stop.get());
  return ms;
}

Stream::Stream() {
  LUTGEMM_CU(cuStreamCreate, &stream_, CU_STREAM_DEFAULT);
}

Stream::~Stream() {
  if (stream_)
    LUTGEMM_CU_NOTHROW(cuStreamDestroy, stream_);
}

void Stream::synchronize() const {
  LUTGEMM_CU(cuStreamSynchronize, stream_);
}

} // namespace lutgemm::cuda
