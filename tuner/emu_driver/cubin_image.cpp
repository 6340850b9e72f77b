#include "emu_driver/cubin_image.hpp"

#include <fmt/format.h>

#include <elf.h>

#include <cstring>

namespace lutgemm::emucuda {
namespace {

// Reads a T at `offset` of the image, or nothing when it does not fit.
template <typename T>
std::optional<T> read_at(const std::uint8_t* base, std::size_t size, std::uint64_t offset) {
  if (offset > size || size - offset < sizeof(T))
    return std::nullopt;
  T value;
  std::memcpy(&value, base + offset, sizeof(T));
  return value;
}

std::string_view string_at(const std::uint8_t* base, std::size_t size, const Elf64_Shdr& table,
                           std::uint32_t index) {
  if (table.sh_offset > size || index >= table.sh_size || table.sh_size > size - table.sh_offset)
    return {};
  const char* start = reinterpret_cast<const char*>(base + table.sh_offset + index);
  const std::size_t room = table.sh_size - index;
  return {start, strnlen(start, room)};
}

} // namespace

std::optional<CubinImage> read_cubin(const void* image, std::string& why) {
  const auto* base = static_cast<const std::uint8_t*>(image);
  for (int i = 0; i < SELFMAG; ++i) {
    if (base[i] != static_cast<std::uint8_t>(ELFMAG[i])) {
      why = "the image is not an ELF CUBIN (PTX and fatbins are not run by the emulated driver)";
      return std::nullopt;
    }
  }
  std::size_t size = sizeof(Elf64_Ehdr);
  const auto header = read_at<Elf64_Ehdr>(base, size, 0);
  if (header->e_ident[EI_CLASS] != ELFCLASS64 || header->e_machine != EM_CUDA) {
    why = fmt::format("the ELF image is not a 64-bit CUDA CUBIN (machine {})", header->e_machine);
    return std::nullopt;
  }
  if (header->e_shentsize != sizeof(Elf64_Shdr) || header->e_shoff > (std::uint64_t(1) << 32)) {
    why = "the CUBIN's section table is malformed";
    return std::nullopt;
  }
  size = header->e_shoff + std::uint64_t(header->e_shnum) * sizeof(Elf64_Shdr);
  std::vector<Elf64_Shdr> sections;
  for (std::uint16_t i = 0; i < header->e_shnum; ++i) {
    const auto section = read_at<Elf64_Shdr>(base, size, header->e_shoff + i * sizeof(Elf64_Shdr));
    if (!section) {
      why = "the CUBIN's section table is truncated";
      return std::nullopt;
    }
    sections.push_back(*section);
  }
  for (const auto& section : sections)
    if (section.sh_type != SHT_NOBITS && section.sh_offset + section.sh_size > size &&
        section.sh_size < (std::uint64_t(1) << 32) && section.sh_offset < (std::uint64_t(1) << 32))
      size = section.sh_offset + section.sh_size;
  if (header->e_shstrndx >= sections.size()) {
    why = "the CUBIN has no section name table";
    return std::nullopt;
  }
  const Elf64_Shdr& names = sections[header->e_shstrndx];
  std::map<std::string, const Elf64_Shdr*> by_name;
  for (const auto& section : sections)
    by_name[std::string(string_at(base, size, names, section.sh_name))] = &section;

  CubinImage result;
  for (const auto& table : sections) {
    if (table.sh_type != SHT_SYMTAB || table.sh_link >= sections.size())
      continue;
    const Elf64_Shdr& strings = sections[table.sh_link];
    for (std::uint64_t offset = 0; offset + sizeof(Elf64_Sym) <= table.sh_size;
         offset += sizeof(Elf64_Sym)) {
      const auto symbol = read_at<Elf64_Sym>(base, size, table.sh_offset + offset);
      if (!symbol) {
        why = "the CUBIN's symbol table is truncated";
        return std::nullopt;
      }
      if (ELF64_ST_TYPE(symbol->st_info) != STT_FUNC)
        continue;
      const std::string name(string_at(base, size, strings, symbol->st_name));
      if (name.empty())
        continue;
      CubinFunction function;
      if (auto text = by_name.find(".text." + name); text != by_name.end()) {
        const Elf64_Shdr& code = *text->second;
        function.registers = static_cast<int>(code.sh_info >> 24);
        if (code.sh_type != SHT_NOBITS && code.sh_offset <= size &&
            code.sh_size <= size - code.sh_offset)
          function.code.assign(base + code.sh_offset, base + code.sh_offset + code.sh_size);
      }
      if (auto shared = by_name.find(".nv.shared." + name); shared != by_name.end())
        function.static_smem_bytes = static_cast<std::int64_t>(shared->second->sh_size);
      result.functions[name] = std::move(function);
    }
  }
  if (result.functions.empty()) {
    why = "the CUBIN's symbol table names no function";
    return std::nullopt;
  }
  return result;
}

} // namespace lutgemm::emucuda
