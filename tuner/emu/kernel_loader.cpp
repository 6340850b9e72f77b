// load_kernel(): host compile (or disk cache) and dlopen.
#include "common/error.hpp"
#include "emu/device/emu_abi.h"
#include "emu/elf_tls.hpp"
#include "emu/loaded_kernel.hpp"

#include <fmt/format.h>

#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <map>

namespace lutgemm::emu {
namespace detail {
namespace {

struct TlsQuery {
  const char* name;
  std::size_t bytes = 0;
};

int find_tls(dl_phdr_info* info, std::size_t, void* data) {
  auto* query = static_cast<TlsQuery*>(data);
  if (info->dlpi_name == nullptr || std::strcmp(info->dlpi_name, query->name) != 0)
    return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    if (info->dlpi_phdr[i].p_type == PT_TLS)
      query->bytes = info->dlpi_phdr[i].p_memsz;
  }
  return 1;
}

} // namespace

std::shared_ptr<const LoadedLibrary> open_library(const HostLibrary& built) {
  static std::mutex mutex;
  static auto* opened = new std::map<std::string, std::shared_ptr<LoadedLibrary>>;
  std::lock_guard lock(mutex);
  auto lib = std::make_shared<LoadedLibrary>();
  lib->built = built;
  if (auto it = opened->find(built.path); it != opened->end()) {
    lib->handle = it->second->handle;
    lib->entry = it->second->entry;
    lib->touch_tls = it->second->touch_tls;
    lib->static_smem_bytes = it->second->static_smem_bytes;
    lib->tls_guards = it->second->tls_guards;
    return lib;
  }
  lib->handle = ::dlopen(built.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib->handle == nullptr)
    throw RuntimeError(fmt::format("emulator: cannot load {}: {}", built.path, ::dlerror()));
  lib->entry = reinterpret_cast<void (*)(void**)>(::dlsym(lib->handle, "lutgemm_emu_entry"));
  auto abi = reinterpret_cast<unsigned (*)()>(::dlsym(lib->handle, "lutgemm_emu_abi_version"));
  if (lib->entry == nullptr || abi == nullptr || abi() != lutgemm_emu::kAbiVersion)
    throw RuntimeError(fmt::format("emulator: {} is not a kernel library of this version (remove "
                                   "it from the cache)",
                                   built.path));
  lib->touch_tls = reinterpret_cast<void (*)()>(::dlsym(lib->handle, "lutgemm_emu_touch_tls"));
  link_map* map = nullptr;
  if (::dlinfo(lib->handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr) {
    TlsQuery query{map->l_name};
    ::dl_iterate_phdr(&find_tls, &query);
    lib->static_smem_bytes = query.bytes;
  }
  for (const TlsSymbol& symbol : tls_symbols(built.path))
    if (symbol.init_guard)
      lib->tls_guards.emplace_back(symbol.offset, symbol.bytes);
  opened->emplace(built.path, lib);
  return lib;
}

const LoadedLibrary& LoadedKernel::race_library() const {
  std::lock_guard lock(race_mutex_);
  if (!race_)
    race_ = open_library(build_library(spec_, BuildMode::race_check));
  return *race_;
}

} // namespace detail

std::shared_ptr<const Kernel> load_kernel(const KernelSpec& spec) {
  const detail::HostLibrary built = detail::build_library(spec, detail::BuildMode::normal);
  return std::make_shared<detail::LoadedKernel>(spec, detail::open_library(built));
}

} // namespace lutgemm::emu
