#include "store/sqlite_kernel_cache.hpp"

#include "jit/nvrtc_compiler.hpp"

#include <nlohmann/json.hpp>

namespace lutgemm {

std::string spec_to_json(const KernelSpec& spec) {
  nlohmann::json defines = nlohmann::json::array();
  for (const auto& [name, value] : spec.defines)
    defines.push_back({name, value});
  return nlohmann::json{
      {"source", spec.source}, {"name_expression", spec.name_expression}, {"defines", defines}}
      .dump();
}

KernelSpec spec_from_json(const std::string& text) {
  KernelSpec spec;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object())
    return spec;
  spec.source = j.value("source", "");
  spec.name_expression = j.value("name_expression", "");
  if (j.contains("defines"))
    for (const auto& d : j["defines"])
      spec.defines.emplace_back(d.at(0).get<std::string>(), d.at(1).get<std::string>());
  return spec;
}

SqliteKernelCache::SqliteKernelCache(const std::string& path) : store_(store::Store::open(path)) {}

std::shared_ptr<const CompiledKernel> SqliteKernelCache::lookup(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto entry = store_.find_compiled(key);
  if (!entry || !entry->ok)
    return nullptr;
  auto kernel = std::make_shared<CompiledKernel>();
  kernel->spec = spec_from_json(entry->spec_json);
  kernel->arch = entry->arch;
  kernel->key = entry->key_text;
  kernel->lowered_name = entry->lowered_name;
  kernel->cubin.assign(entry->binary.begin(), entry->binary.end());
  kernel->ptx = entry->ptx;
  kernel->log = entry->log;
  kernel->resources.registers = entry->registers.value_or(0);
  kernel->resources.static_smem_bytes = static_cast<int>(entry->smem_bytes.value_or(0));
  kernel->resources.spill_store_bytes = static_cast<int>(entry->spill_stores.value_or(0));
  kernel->resources.spill_load_bytes = static_cast<int>(entry->spill_loads.value_or(0));
  kernel->resources.stack_frame_bytes = static_cast<int>(entry->stack_bytes.value_or(0));
  kernel->resources.barriers = static_cast<int>(entry->barriers.value_or(0));
  kernel->compile_ms = entry->compile_ms.value_or(0.0);
  // The stored ptxas log holds the whole report (the columns keep the fields queries need).
  if (auto report = parse_resource_report(kernel->log, kernel->lowered_name))
    kernel->resources = *report;
  return kernel;
}

void SqliteKernelCache::insert(const std::string& key,
                               std::shared_ptr<const CompiledKernel> kernel) {
  store::CompileCacheEntry e;
  e.key_text = key;
  e.arch = kernel->arch;
  e.nvrtc_version = nvrtc_version_text();
  e.ok = true;
  e.binary.assign(kernel->cubin.begin(), kernel->cubin.end());
  e.lowered_name = kernel->lowered_name;
  e.ptx = kernel->ptx;
  e.spec_json = spec_to_json(kernel->spec);
  e.log = kernel->log;
  e.registers = kernel->resources.registers;
  e.smem_bytes = kernel->resources.static_smem_bytes;
  e.spill_stores = kernel->resources.spill_store_bytes;
  e.spill_loads = kernel->resources.spill_load_bytes;
  e.stack_bytes = kernel->resources.stack_frame_bytes;
  e.barriers = kernel->resources.barriers;
  e.compile_ms = kernel->compile_ms;
  std::lock_guard lock(mutex_);
  store_.store_compiled(e);
}

std::optional<KernelCache::Failure> SqliteKernelCache::lookup_failure(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto entry = store_.find_compiled(key);
  if (!entry || entry->ok)
    return std::nullopt;
  // The one-line message is the first line of what was stored; the rest is the compiler log.
  const auto newline = entry->log.find('\n');
  Failure failure;
  failure.message = entry->log.substr(0, newline);
  failure.log = newline == std::string::npos ? std::string() : entry->log.substr(newline + 1);
  return failure;
}

void SqliteKernelCache::insert_failure(const std::string& key, const KernelSpec& spec,
                                       const std::string& arch, const Failure& failure) {
  store::CompileCacheEntry e;
  e.key_text = key;
  e.arch = arch;
  e.nvrtc_version = nvrtc_version_text();
  e.ok = false;
  e.spec_json = spec_to_json(spec);
  e.log = failure.message + "\n" + failure.log;
  std::lock_guard lock(mutex_);
  store_.store_compiled(e);
}

std::int64_t SqliteKernelCache::size() {
  std::lock_guard lock(mutex_);
  return store_.compile_cache_size();
}

} // namespace lutgemm
