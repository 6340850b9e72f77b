#pragma once
// FNV-1a, 64 bits: the one hash behind every content key of the project (the compile caches of
// NVRTC and of the emulator, the store's compile-cache keys). Not cryptographic; chosen because it
// is stable across builds, compilers and machines, unlike std::hash.
#include <cstdint>
#include <string_view>

namespace lutgemm {

inline constexpr std::uint64_t kFnv1aOffsetBasis = 14695981039346656037ull;
inline constexpr std::uint64_t kFnv1aPrime = 1099511628211ull;

// Hash of `text`, continuing from `hash` so that several pieces can be chained.
constexpr std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = kFnv1aOffsetBasis) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= kFnv1aPrime;
  }
  return hash;
}

// The published test vectors: a wrong constant fails the build, not a cache lookup.
static_assert(fnv1a("") == 0xcbf29ce484222325ull);
static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cull);
static_assert(fnv1a("foobar") == 0x85944171f73967e8ull);

} // namespace lutgemm
