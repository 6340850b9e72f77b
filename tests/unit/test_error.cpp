// source_location_text strips the project's own source/build directory from __FILE__, and only
// that: a checkout path that itself contains "/tuner/" must not cut the path in the wrong place.
#include "common/error.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace lutgemm;

TEST(SourceLocation, StripsTheProjectSourceDirectory) {
  const std::string file = std::string(LUTGEMM_TEST_SOURCE_DIR) + "/tuner/jit/nvrtc_compiler.cpp";
  EXPECT_EQ(source_location_text(file.c_str(), 42), "tuner/jit/nvrtc_compiler.cpp:42");
  const std::string test = std::string(LUTGEMM_TEST_SOURCE_DIR) + "/tests/unit/test_error.cpp";
  EXPECT_EQ(source_location_text(test.c_str(), 7), "tests/unit/test_error.cpp:7");
}

TEST(SourceLocation, StripsTheBuildDirectory) {
  const std::string file = std::string(LUTGEMM_TEST_BINARY_DIR) + "/generated/embedded.cpp";
  EXPECT_EQ(source_location_text(file.c_str(), 3), "generated/embedded.cpp:3");
}

TEST(SourceLocation, LeavesOtherPathsWhole) {
  // A file outside the project (a checkout elsewhere whose path contains /tuner/): the old
  // "/tuner/" search would have printed "tuner/x.cpp" here, hiding where the file really is.
  EXPECT_EQ(source_location_text("/home/u/tuner/src/tuner/x.cpp", 1),
            "/home/u/tuner/src/tuner/x.cpp:1");
  EXPECT_EQ(source_location_text(__FILE__, __LINE__).rfind("tests/unit/test_error.cpp:", 0), 0u);
  // A relative path from a compile in a build subfolder (ccache base_dir) reads from the project.
  EXPECT_EQ(source_location_text("../../tests/unit/x.cpp", 2), "tests/unit/x.cpp:2");
}
