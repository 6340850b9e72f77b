#pragma once
// Reading 2-D weight matrices from NumPy .npy files (format versions 1.0, 2.0, 3.0):
// dtype float16, float32 or float64 in either byte order, C or Fortran order. Values come back
// as float in row-major order. Anything else (not 2-D, another dtype, a truncated or malformed
// file) is a UsageError with one line naming the file and what is wrong.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm {

struct NpyMatrix {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<float> values; // [rows][cols]
};

enum class NpyDtype { float16, float32, float64 };
std::string to_string(NpyDtype dtype);                 // "float16", ...
NpyDtype npy_dtype_from_string(std::string_view text); // throws UsageError

NpyMatrix read_npy_matrix(const std::string& path);

// The same from the bytes of a file; `name` is used in error messages.
NpyMatrix parse_npy_matrix(std::string_view bytes, std::string_view name);

// Writes a little-endian .npy version 1.0 (float16 values are rounded to nearest even).
// Throws RuntimeError when the file cannot be written.
void write_npy_matrix(const std::string& path, const NpyMatrix& matrix, NpyDtype dtype,
                      bool fortran_order = false);

} // namespace lutgemm
