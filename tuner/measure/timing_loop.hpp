#pragma once
// How a GPU sample is timed so that launch latency does not dominate it. A GEMV of a few
// microseconds is as short as the latency of the launch itself; an event pair around one launch
// then measures mostly the host (and penalises plans of several launches, e.g. split-K plus a
// reduce). Instead each event pair spans many back-to-back launches, each on the next rotated
// copy of the weights (so they stay cold), and the sample is the span divided by the count. The
// loop itself is cuda/event_sampling.hpp.

namespace lutgemm::measure {

// Launches per event pair: enough that one pair spans at least `min_span_us` given the estimated
// time of one launch, between 1 and `max_launches`. A non-positive estimate gives max_launches.
int launches_per_sample(double estimated_launch_us, double min_span_us = 200.0,
                        int max_launches = 256);

} // namespace lutgemm::measure
