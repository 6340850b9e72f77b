#pragma once
// What the emulated driver reads from a CUBIN (an ELF image with e_machine EM_CUDA): the functions
// its symbol table names, each with the register count ptxas gave it (the top byte of sh_info of
// its .text.<name> section, where cuobjdump reads it), its static shared memory (the size of
// .nv.shared.<name>) and its code bytes (to tell apart two sources that define one kernel name).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::emucuda {

struct CubinFunction {
  int registers = 0;
  std::int64_t static_smem_bytes = 0;
  std::vector<std::uint8_t> code;
};

struct CubinImage {
  std::map<std::string, CubinFunction> functions; // by lowered (mangled) name
};

// nullopt with `why` set when `image` is not a CUDA ELF (PTX text, other machine, no functions).
// cuModuleLoadData gets no size: an ELF image's extent is that of its section table and sections,
// read from its header once the magic bytes are seen (compared byte by byte, so a short PTX string
// is never read past its terminator).
std::optional<CubinImage> read_cubin(const void* image, std::string& why);

} // namespace lutgemm::emucuda
