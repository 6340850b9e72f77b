#include "quant/parallel_rows.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace lutgemm {

void parallel_rows(std::int64_t rows, const std::function<void(std::int64_t, std::int64_t)>& body,
                   int threads, std::int64_t work_per_row) {
  if (rows <= 0)
    return;
  constexpr std::int64_t kMinWorkPerThread = 1 << 16; // below this, thread start-up dominates
  std::int64_t count = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  count = std::min(count, rows);
  count = std::min(count, std::max<std::int64_t>(1, rows * work_per_row / kMinWorkPerThread));
  if (count <= 1) {
    body(0, rows);
    return;
  }
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto run = [&](std::int64_t begin, std::int64_t end) {
    try {
      body(begin, end);
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure)
        failure = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  const std::int64_t block = (rows + count - 1) / count;
  for (std::int64_t begin = block; begin < rows; begin += block)
    workers.emplace_back(run, begin, std::min(rows, begin + block));
  run(0, std::min(rows, block));
  for (auto& worker : workers)
    worker.join();
  if (failure)
    std::rethrow_exception(failure);
}

} // namespace lutgemm
