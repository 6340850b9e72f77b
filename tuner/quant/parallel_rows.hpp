#pragma once
// Splits rows [0, rows) into contiguous blocks, one std::thread each (the calling thread takes
// the first block). Rows are independent in every quantizer and reference here, so no locking.
// An exception thrown by any block is rethrown on the calling thread after all blocks finish.
#include <cstdint>
#include <functional>

namespace lutgemm {

// threads <= 0 means std::thread::hardware_concurrency(). Never more threads than rows, and
// small jobs (rows * work_per_row below a threshold) run on the calling thread alone.
void parallel_rows(std::int64_t rows, const std::function<void(std::int64_t, std::int64_t)>& body,
                   int threads = 0, std::int64_t work_per_row = 1);

} // namespace lutgemm
