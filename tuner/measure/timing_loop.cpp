#include "measure/timing_loop.hpp"

#include <algorithm>
#include <cmath>

namespace lutgemm::measure {

int launches_per_sample(double estimated_launch_us, double min_span_us, int max_launches) {
  max_launches = std::max(1, max_launches);
  if (!(estimated_launch_us > 0.0))
    return max_launches;
  const double wanted = std::ceil(min_span_us / estimated_launch_us);
  return static_cast<int>(std::clamp(wanted, 1.0, double(max_launches)));
}

} // namespace lutgemm::measure
