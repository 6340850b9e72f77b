#include "io/npy.hpp"

#include "common/error.hpp"
#include "common/half.hpp"

#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lutgemm {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

[[noreturn]] void fail(std::string_view name, std::string_view what) {
  throw UsageError(fmt::format("{}: not a usable .npy matrix: {}", name, what));
}

std::uint64_t read_le(std::string_view bytes, std::size_t offset, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return value;
}

// The text after `'key':` in the header dictionary, with leading blanks skipped.
std::string_view value_of(std::string_view header, std::string_view key, std::string_view name) {
  const std::string quoted = fmt::format("'{}'", key);
  auto at = header.find(quoted);
  if (at == std::string_view::npos)
    fail(name, fmt::format("the header has no '{}' entry", key));
  at = header.find(':', at + quoted.size());
  if (at == std::string_view::npos)
    fail(name, fmt::format("the header's '{}' entry has no value", key));
  auto value = header.substr(at + 1);
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  return value;
}

struct Header {
  char byte_order = '<';
  NpyDtype dtype = NpyDtype::float32;
  std::size_t item_size = 4;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
};

Header parse_header(std::string_view header, std::string_view name) {
  Header h;
  auto descr = value_of(header, "descr", name);
  if (descr.empty() || (descr.front() != '\'' && descr.front() != '"'))
    fail(name, "the 'descr' entry is not a string (structured dtypes are not supported)");
  const char quote = descr.front();
  const auto end = descr.find(quote, 1);
  if (end == std::string_view::npos)
    fail(name, "the 'descr' string is not terminated");
  const auto type = descr.substr(1, end - 1);
  if (type.size() == 3 && (type[0] == '<' || type[0] == '>' || type[0] == '=' || type[0] == '|') &&
      type[1] == 'f' && (type[2] == '2' || type[2] == '4' || type[2] == '8')) {
    h.byte_order = type[0] == '=' || type[0] == '|' ? '<' : type[0]; // '=': native, x86 = little
    h.item_size = static_cast<std::size_t>(type[2] - '0');
    h.dtype = type[2] == '2' ? NpyDtype::float16
                             : (type[2] == '4' ? NpyDtype::float32 : NpyDtype::float64);
  } else {
    fail(name, fmt::format("dtype '{}' is not supported (use float16 '<f2', float32 '<f4' or "
                           "float64 '<f8')",
                           type));
  }
  const auto fortran = value_of(header, "fortran_order", name);
  if (fortran.starts_with("True"))
    h.fortran_order = true;
  else if (fortran.starts_with("False"))
    h.fortran_order = false;
  else
    fail(name, "the 'fortran_order' entry is neither True nor False");

  auto shape = value_of(header, "shape", name);
  if (shape.empty() || shape.front() != '(')
    fail(name, "the 'shape' entry is not a tuple");
  const auto close = shape.find(')');
  if (close == std::string_view::npos)
    fail(name, "the 'shape' tuple is not terminated");
  auto items = shape.substr(1, close - 1);
  while (!items.empty()) {
    while (!items.empty() && (items.front() == ' ' || items.front() == ','))
      items.remove_prefix(1);
    if (items.empty())
      break;
    std::int64_t dim = 0;
    auto [ptr, ec] = std::from_chars(items.data(), items.data() + items.size(), dim);
    if (ec != std::errc() || dim < 0)
      fail(name, fmt::format("the 'shape' entry ({}) is not a tuple of sizes",
                             shape.substr(1, close - 1)));
    h.shape.push_back(dim);
    items.remove_prefix(static_cast<std::size_t>(ptr - items.data()));
  }
  return h;
}

float decode(std::string_view data, std::size_t index, const Header& h) {
  std::uint64_t raw = 0;
  const std::size_t at = index * h.item_size;
  if (h.byte_order == '<') {
    raw = read_le(data, at, h.item_size);
  } else {
    for (std::size_t i = 0; i < h.item_size; ++i)
      raw = (raw << 8) | static_cast<unsigned char>(data[at + i]);
  }
  switch (h.dtype) {
  case NpyDtype::float16:
    return half_to_float(static_cast<std::uint16_t>(raw));
  case NpyDtype::float32:
    return std::bit_cast<float>(static_cast<std::uint32_t>(raw));
  case NpyDtype::float64:
    return static_cast<float>(std::bit_cast<double>(raw));
  }
  return 0.0f;
}

} // namespace

std::string to_string(NpyDtype dtype) {
  switch (dtype) {
  case NpyDtype::float16:
    return "float16";
  case NpyDtype::float32:
    return "float32";
  case NpyDtype::float64:
    return "float64";
  }
  return "unknown";
}

NpyDtype npy_dtype_from_string(std::string_view text) {
  for (auto dtype : {NpyDtype::float16, NpyDtype::float32, NpyDtype::float64})
    if (text == to_string(dtype))
      return dtype;
  throw UsageError(fmt::format("dtype '{}' is not one of float16, float32, float64", text));
}

NpyMatrix parse_npy_matrix(std::string_view bytes, std::string_view name) {
  if (bytes.size() < 10 || bytes.substr(0, kMagic.size()) != kMagic)
    fail(name, "it does not start with the .npy magic string \\x93NUMPY");
  const int major = static_cast<unsigned char>(bytes[6]);
  if (major < 1 || major > 3)
    fail(name, fmt::format("format version {} is not supported (1, 2 or 3)", major));
  const std::size_t length_size = major == 1 ? 2 : 4;
  if (bytes.size() < 8 + length_size)
    fail(name, "the file ends inside the header");
  const std::size_t header_length = read_le(bytes, 8, length_size);
  const std::size_t data_offset = 8 + length_size + header_length;
  if (bytes.size() < data_offset)
    fail(name, "the file ends inside the header");
  const auto header = bytes.substr(8 + length_size, header_length);
  if (header.find('{') == std::string_view::npos || header.find('}') == std::string_view::npos)
    fail(name, "the header is not a dictionary");
  const Header h = parse_header(header, name);
  if (h.shape.size() != 2) {
    fail(name,
         fmt::format("it has {} dimensions, a weight matrix needs 2 (M x K)", h.shape.size()));
  }
  if (h.shape[0] <= 0 || h.shape[1] <= 0)
    fail(name,
         fmt::format("shape {}x{} is empty: M and K must be positive", h.shape[0], h.shape[1]));
  if (h.shape[0] > (std::int64_t{1} << 31) || h.shape[1] > (std::int64_t{1} << 31))
    fail(name, fmt::format("shape {}x{} is too large", h.shape[0], h.shape[1]));
  // Checked arithmetic: 2^31 x 2^31 float32 is 2^64 bytes, which would wrap to 0 and pass.
  std::size_t count = 0, needed = 0;
  const auto data = bytes.substr(data_offset);
  if (__builtin_mul_overflow(static_cast<std::size_t>(h.shape[0]),
                             static_cast<std::size_t>(h.shape[1]), &count) ||
      __builtin_mul_overflow(count, h.item_size, &needed)) {
    fail(name, fmt::format("shape {}x{} of {} needs more than 2^64 data bytes", h.shape[0],
                           h.shape[1], to_string(h.dtype)));
  }
  if (data.size() != needed) {
    fail(name, fmt::format("shape {}x{} of {} needs {} data bytes, the file has {}", h.shape[0],
                           h.shape[1], to_string(h.dtype), needed, data.size()));
  }
  NpyMatrix matrix;
  matrix.rows = h.shape[0];
  matrix.cols = h.shape[1];
  matrix.values.resize(count);
  for (std::int64_t r = 0; r < matrix.rows; ++r) {
    for (std::int64_t c = 0; c < matrix.cols; ++c) {
      const auto stored =
          static_cast<std::size_t>(h.fortran_order ? c * matrix.rows + r : r * matrix.cols + c);
      matrix.values[static_cast<std::size_t>(r * matrix.cols + c)] = decode(data, stored, h);
    }
  }
  return matrix;
}

NpyMatrix read_npy_matrix(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw UsageError(fmt::format("{}: cannot open the file", path));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_npy_matrix(buffer.view(), path);
}

void write_npy_matrix(const std::string& path, const NpyMatrix& matrix, NpyDtype dtype,
                      bool fortran_order) {
  const char* descr = dtype == NpyDtype::float16   ? "<f2"
                      : dtype == NpyDtype::float32 ? "<f4"
                                                   : "<f8";
  std::string header =
      fmt::format("{{'descr': '{}', 'fortran_order': {}, 'shape': ({}, {}), }}", descr,
                  fortran_order ? "True" : "False", matrix.rows, matrix.cols);
  // Pad with spaces so that the data starts at a multiple of 64 bytes, ending in a newline.
  while ((10 + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  out += header;
  const auto put = [&out](std::uint64_t raw, int size) {
    for (int i = 0; i < size; ++i)
      out += static_cast<char>((raw >> (8 * i)) & 0xff);
  };
  for (std::int64_t i = 0; i < matrix.rows * matrix.cols; ++i) {
    const std::int64_t r = fortran_order ? i % matrix.rows : i / matrix.cols;
    const std::int64_t c = fortran_order ? i / matrix.rows : i % matrix.cols;
    const float v = matrix.values[static_cast<std::size_t>(r * matrix.cols + c)];
    switch (dtype) {
    case NpyDtype::float16:
      put(float_to_half(v), 2);
      break;
    case NpyDtype::float32:
      put(std::bit_cast<std::uint32_t>(v), 4);
      break;
    case NpyDtype::float64:
      put(std::bit_cast<std::uint64_t>(static_cast<double>(v)), 8);
      break;
    }
  }
  std::ofstream file(path, std::ios::binary);
  if (!file.is_open()) // a bad path is the user's input (exit 2), as in `export --out`
    throw UsageError(fmt::format("cannot write '{}'", path));
  file.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!file)
    throw RuntimeError(fmt::format("{}: cannot write the file", path));
}

} // namespace lutgemm
