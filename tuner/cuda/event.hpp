#pragma once
// CUDA events and streams (RAII) and the elapsed time between two events.
#include "cuda/driver_api.hpp"

namespace lutgemm::cuda {

class Event {
public:
  Event(); // timing enabled (no CU_EVENT_DISABLE_TIMING)
  ~Event();
  Event(Event&& other) noexcept;
  Event& operator=(Event&& other) noexcept;
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;

  void record(CUstream stream = nullptr);
  void synchronize() const;
  CUevent get() const { return event_; }

private:
  CUevent event_ = nullptr;
};

// Milliseconds from `start` to `stop`, both recorded; waits for `stop`.
float elapsed_ms(const Event& start, const Event& stop);

class Stream {
public:
  Stream(); // an ordinary stream (synchronizes with the legacy default stream)
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void synchronize() const;
  CUstream get() const { return stream_; }

private:
  CUstream stream_ = nullptr;
};

} // namespace lutgemm::cuda
