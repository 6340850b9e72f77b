// .npy reading: hand-built files (independent of the writer) in every supported dtype, byte order
// and memory order, writer round trips, and one clear error for each kind of bad file.
#include "common/error.hpp"
#include "common/half.hpp"
#include "io/npy.hpp"
#include "quant/generate.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace lutgemm;

namespace {
// A version-1 file, header padded to 64 bytes as NumPy does.
std::string npy_bytes(const std::string& dict, const std::string& data, char major = 1) {
  std::string header = dict;
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += major;
  out += '\0';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  if (major != 1)
    out += std::string(2, '\0');
  return out + header + data;
}

template <typename T> std::string raw_bytes(const std::vector<T>& values, bool big_endian) {
  std::string out(values.size() * sizeof(T), '\0');
  std::memcpy(out.data(), values.data(), out.size());
  if (big_endian)
    for (std::size_t i = 0; i < values.size(); ++i)
      std::reverse(out.begin() + static_cast<long>(i * sizeof(T)),
                   out.begin() + static_cast<long>((i + 1) * sizeof(T)));
  return out;
}

// Matrix [[1, 2, 3], [4, 5, 6]] * 0.5 in C order and in Fortran order.
const std::vector<float> kRowMajor{0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f};
const std::vector<float> kColMajor{0.5f, 2.0f, 1.0f, 2.5f, 1.5f, 3.0f};

std::string expect_usage_error(const std::string& bytes) {
  try {
    parse_npy_matrix(bytes, "w.npy");
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_NE(message.find("w.npy"), std::string::npos) << message;
    return message;
  }
  ADD_FAILURE() << "no UsageError";
  return {};
}
} // namespace

TEST(Npy, ReadsEveryDtypeByteOrderAndMemoryOrder) {
  for (bool fortran : {false, true}) {
    const auto& values = fortran ? kColMajor : kRowMajor;
    const std::string order = fortran ? "True" : "False";
    for (bool big : {false, true}) {
      const std::string e = big ? ">" : "<";
      std::vector<std::uint16_t> halves;
      std::vector<double> doubles;
      for (float v : values) {
        halves.push_back(float_to_half(v));
        doubles.push_back(v);
      }
      for (const auto& [descr, data] : {std::pair{e + "f2", raw_bytes(halves, big)},
                                        std::pair{e + "f4", raw_bytes(values, big)},
                                        std::pair{e + "f8", raw_bytes(doubles, big)}}) {
        const auto bytes = npy_bytes(
            "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': (2, 3), }", data);
        const auto m = parse_npy_matrix(bytes, "t.npy");
        EXPECT_EQ(m.rows, 2);
        EXPECT_EQ(m.cols, 3);
        EXPECT_EQ(m.values, kRowMajor) << descr << " fortran " << fortran;
      }
    }
  }
  // Version 2 header (4-byte length).
  const auto v2 = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                            raw_bytes(kRowMajor, false), 2);
  EXPECT_EQ(parse_npy_matrix(v2, "v2.npy").values, kRowMajor);
}

TEST(Npy, WriterRoundTripsThroughAFile) {
  const auto dir = std::filesystem::path(LUTGEMM_TEST_BINARY_DIR) / "test-npy";
  std::filesystem::create_directories(dir);
  NpyMatrix m{.rows = 5, .cols = 7, .values = gaussian_weights(5, 7, 3)};
  for (auto dtype : {NpyDtype::float16, NpyDtype::float32, NpyDtype::float64}) {
    for (bool fortran : {false, true}) {
      const auto path =
          (dir / ("m_" + to_string(dtype) + (fortran ? "_f" : "_c") + ".npy")).string();
      write_npy_matrix(path, m, dtype, fortran);
      const auto back = read_npy_matrix(path);
      ASSERT_EQ(back.rows, 5);
      ASSERT_EQ(back.cols, 7);
      for (std::size_t i = 0; i < m.values.size(); ++i) {
        const float want = dtype == NpyDtype::float16 ? round_to_half(m.values[i]) : m.values[i];
        ASSERT_EQ(back.values[i], want) << to_string(dtype) << " " << i;
      }
    }
  }
  EXPECT_EQ(npy_dtype_from_string("float16"), NpyDtype::float16);
  EXPECT_THROW(npy_dtype_from_string("int8"), UsageError);
}

TEST(Npy, BadFilesGetOneClearLine) {
  const std::string good_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const auto data = raw_bytes(kRowMajor, false);
  EXPECT_NE(expect_usage_error("not a numpy file at all").find("magic"), std::string::npos);
  EXPECT_NE(expect_usage_error(npy_bytes(good_dict, data).substr(0, 30)).find("header"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(npy_bytes(good_dict, data.substr(0, 20))).find("data bytes"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(npy_bytes(good_dict, data + "xx")).find("data bytes"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(
                npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data))
                .find("1 dimension"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(
                npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }", data))
                .find("3 dimension"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(
                npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", data))
                .find("'<i4' is not supported"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(
                npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", ""))
                .find("positive"),
            std::string::npos);
  EXPECT_NE(expect_usage_error(npy_bytes("{'descr': '<f4', 'shape': (2, 3), }", data))
                .find("fortran_order"),
            std::string::npos);
  // 2^31 x 2^31 float32 is 2^64 bytes: an unchecked product wraps to 0 and matches an empty body.
  EXPECT_NE(expect_usage_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                         "(2147483648, 2147483648), }",
                                         ""))
                .find("2^64"),
            std::string::npos);
  auto bad_version = npy_bytes(good_dict, data);
  bad_version[6] = 9;
  EXPECT_NE(expect_usage_error(bad_version).find("version 9"), std::string::npos);
  EXPECT_THROW(read_npy_matrix("/nonexistent/w.npy"), UsageError);
}
