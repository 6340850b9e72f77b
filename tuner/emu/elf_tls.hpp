#pragma once
// The thread-local symbols of a kernel library, read from its ELF symbol table. Static __shared__
// arrays are thread_local in the emulator (emu_runtime.hpp); a shared array of a class type (such
// as
// __half2) also gets a compiler-made initialization guard in the same TLS block, which every thread
// reads on first use. That guard is emulator machinery, not shared memory: the race check skips it.
#include <cstddef>
#include <string>
#include <vector>

namespace lutgemm::emu::detail {

struct TlsSymbol {
  std::string name;       // mangled
  std::size_t offset = 0; // from the start of the module's TLS block
  std::size_t bytes = 0;
  bool init_guard = false; // _ZGV* (guard variable) or __tls_guard
};

// Every STT_TLS symbol of the shared library at `path`; empty when it has no symbol table (a
// stripped file) or is not a 64-bit ELF file.
std::vector<TlsSymbol> tls_symbols(const std::string& path);

} // namespace lutgemm::emu::detail
