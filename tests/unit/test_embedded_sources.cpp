// What lutgemm_core embeds: the kernels, never the tests' own kernels (tests/emu/kernels/), which
// only the emu and emudrv test binaries and the emulated driver carry (tests/CMakeLists.txt). This
// binary links lutgemm_core alone, so it sees exactly the library's table.
#include "common/embedded_sources.hpp"

#include <gtest/gtest.h>

using namespace lutgemm;

TEST(EmbeddedSources, TheLibraryCarriesTheKernelsButNoTestFiles) {
  ASSERT_TRUE(embedded::find("kernels/lutgemm.cuh")); // the table is there
  for (const auto& file : embedded::all_files())
    EXPECT_FALSE(file.name.starts_with("tests/")) << file.name;
  EXPECT_FALSE(embedded::find("tests/emu/kernels/noop_lutgemm.cuh"));
}
