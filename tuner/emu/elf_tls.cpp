#include "emu/elf_tls.hpp"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace lutgemm::emu::detail {
namespace {

template <class T> bool read_at(const std::string& image, std::size_t offset, T& out) {
  if (offset > image.size() || image.size() - offset < sizeof(T))
    return false;
  std::memcpy(&out, image.data() + offset, sizeof(T));
  return true;
}

bool is_guard_name(const char* name) {
  return std::strncmp(name, "_ZGV", 4) == 0 || std::strcmp(name, "__tls_guard") == 0;
}

} // namespace

std::vector<TlsSymbol> tls_symbols(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Elf64_Ehdr header{};
  if (!read_at(image, 0, header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr))
    return {};
  std::vector<TlsSymbol> symbols;
  for (unsigned i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section{};
    if (!read_at(image, header.e_shoff + std::size_t(i) * sizeof(Elf64_Shdr), section))
      return {};
    if (section.sh_type != SHT_SYMTAB || section.sh_entsize != sizeof(Elf64_Sym))
      continue;
    Elf64_Shdr strings{};
    if (!read_at(image, header.e_shoff + std::size_t(section.sh_link) * sizeof(Elf64_Shdr),
                 strings))
      return {};
    for (std::size_t s = 0; s < section.sh_size / sizeof(Elf64_Sym); ++s) {
      Elf64_Sym sym{};
      if (!read_at(image, section.sh_offset + s * sizeof(Elf64_Sym), sym))
        break;
      if (ELF64_ST_TYPE(sym.st_info) != STT_TLS || sym.st_name >= strings.sh_size ||
          strings.sh_offset > image.size() || image.size() - strings.sh_offset < strings.sh_size)
        continue;
      const char* name = image.data() + strings.sh_offset + sym.st_name;
      if (::strnlen(name, strings.sh_size - sym.st_name) == strings.sh_size - sym.st_name)
        continue; // not terminated inside the string table
      // For a shared object, a TLS symbol's value is its offset in the TLS template.
      symbols.push_back({name, sym.st_value, sym.st_size, is_guard_name(name)});
    }
  }
  return symbols;
}

} // namespace lutgemm::emu::detail
