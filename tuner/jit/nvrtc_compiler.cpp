#include "jit/nvrtc_compiler.hpp"

#include "build_info.hpp"
#include "common/embedded_sources.hpp"
#include "common/error.hpp"
#include "common/fnv1a.hpp"
#include "jit/nvrtc_check.hpp"

#include <fmt/format.h>
#include <nvrtc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace lutgemm {
namespace {

bool is_kernel_source(std::string_view name) {
  return name.starts_with("kernels/");
}

std::string base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

void validate_arch(const std::string& arch) {
  bool ok = arch.size() > 3 && arch.starts_with("sm_");
  std::size_t digits = 0;
  for (std::size_t i = 3; ok && i < arch.size(); ++i) {
    const char c = arch[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (!((c == 'a' || c == 'f') && i + 1 == arch.size()))
      ok = false;
  }
  if (!ok || digits < 2)
    throw UsageError(fmt::format("arch '{}' is not a GPU architecture like sm_80 or sm_90", arch));
}

// Owns an nvrtcProgram; destroys it without throwing.
class Program {
public:
  explicit Program(nvrtcProgram prog) : prog_(prog) {}
  ~Program() { (void)nvrtc_ok(nvrtcDestroyProgram(&prog_)); }
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;
  nvrtcProgram get() const { return prog_; }

private:
  nvrtcProgram prog_;
};

std::string program_log(nvrtcProgram prog) {
  std::size_t size = 0;
  LUTGEMM_NVRTC_CHECK(nvrtcGetProgramLogSize(prog, &size));
  std::string log(size, '\0');
  if (size > 0)
    LUTGEMM_NVRTC_CHECK(nvrtcGetProgramLog(prog, log.data()));
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n'))
    log.pop_back();
  return log;
}

// The first line of the log that reports an error, for one-line messages.
std::string first_error_line(const std::string& log) {
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos)
      end = log.size();
    std::string_view line(log.data() + start, end - start);
    if (line.find("error") != std::string_view::npos)
      return std::string(line);
    start = end + 1;
  }
  return log.substr(0, log.find('\n'));
}

} // namespace

std::string nvrtc_version_text() {
  int major = 0;
  int minor = 0;
  LUTGEMM_NVRTC_CHECK(nvrtcVersion(&major, &minor));
  return fmt::format("{}.{}", major, minor);
}

std::string cuda_include_dir() {
  namespace fs = std::filesystem;
  std::vector<std::string> tried;
  if (const char* home = std::getenv("CUDA_HOME"); home != nullptr && *home != '\0') {
    const std::string dir = std::string(home) + "/include";
    if (fs::exists(dir + "/cuda_fp16.h"))
      return dir;
    tried.push_back(dir + " (from CUDA_HOME)");
  }
  const std::string configured = build_info::kCudaIncludeDir;
  // CMake may list several directories separated by ';'.
  std::size_t start = 0;
  while (start <= configured.size() && !configured.empty()) {
    std::size_t end = configured.find(';', start);
    if (end == std::string::npos)
      end = configured.size();
    const std::string dir = configured.substr(start, end - start);
    if (!dir.empty() && fs::exists(dir + "/cuda_fp16.h"))
      return dir;
    if (!dir.empty())
      tried.push_back(dir + " (configure time)");
    start = end + 1;
  }
  std::string where;
  for (const auto& t : tried)
    where += (where.empty() ? "" : ", ") + t;
  throw RuntimeError(fmt::format("cuda_fp16.h not found (looked in: {}); set CUDA_HOME to the CUDA "
                                 "toolkit's root",
                                 where.empty() ? "nothing: CUDA_HOME unset" : where));
}

NvrtcCompiler::NvrtcCompiler() : NvrtcCompiler({std::make_shared<MemoryKernelCache>()}) {}

NvrtcCompiler::NvrtcCompiler(std::vector<std::shared_ptr<KernelCache>> tiers)
    : tiers_(std::move(tiers)) {
  if (tiers_.empty())
    tiers_.push_back(std::make_shared<MemoryKernelCache>());
  base_options_ = {"-std=c++17", "--ptxas-options=-v", "-DLUTGEMM_NVRTC=1"};
  std::uint64_t hash = fnv1a("lutgemm-kernels");
  for (const auto& file : embedded::all_files()) {
    if (!is_kernel_source(file.name))
      continue;
    hash = fnv1a(file.name, hash);
    hash = fnv1a(file.content, hash);
  }
  sources_hash_ = fmt::format("{:016x}", hash);
}

std::string NvrtcCompiler::compile_key(const KernelSpec& spec, const std::string& arch) const {
  std::string options;
  for (const auto& option : base_options_)
    options += option + " ";
  return fmt::format("nvrtc={};arch={};opts={};sources={};{}", nvrtc_version_text(), arch, options,
                     sources_hash_, spec.key_text());
}

std::shared_ptr<const CompiledKernel>
NvrtcCompiler::compile(const KernelSpec& spec, const std::string& arch, bool* cache_hit) {
  validate_arch(arch);
  const std::string key = compile_key(spec, arch);
  for (std::size_t i = 0; i < tiers_.size(); ++i) {
    if (auto found = tiers_[i]->lookup(key)) {
      for (std::size_t j = 0; j < i; ++j)
        tiers_[j]->insert(key, found);
      if (cache_hit != nullptr)
        *cache_hit = true;
      return found;
    }
  }
  for (auto& tier : tiers_) {
    if (auto failure = tier->lookup_failure(key)) {
      if (cache_hit != nullptr)
        *cache_hit = true;
      throw CompileError(failure->message, failure->log);
    }
  }
  if (cache_hit != nullptr)
    *cache_hit = false;
  std::shared_ptr<const CompiledKernel> kernel;
  try {
    kernel = compile_uncached(spec, arch, key);
  } catch (const CompileError& e) {
    for (auto& tier : tiers_)
      tier->insert_failure(key, spec, arch, {e.what(), e.log()});
    throw;
  }
  for (auto& tier : tiers_)
    tier->insert(key, kernel);
  if (cache_hit != nullptr)
    *cache_hit = false;
  return kernel;
}

std::shared_ptr<const CompiledKernel>
NvrtcCompiler::compile_uncached(const KernelSpec& spec, const std::string& arch,
                                const std::string& key) const {
  if (!embedded::find(spec.source))
    throw RuntimeError(fmt::format("kernel source '{}' is not embedded", spec.source));
  const std::string include_option = "-I" + cuda_include_dir();

  // Headers: every embedded kernel file under its path and its base name.
  std::vector<std::string> header_names;
  std::vector<std::string_view> header_contents;
  for (const auto& file : embedded::all_files()) {
    // The spec's own source may be embedded outside kernels/ (the tests' deliberately broken
    // kernels, tests/emu/kernels/): it is the variant's, so it is in the compile key already.
    if (!is_kernel_source(file.name) && file.name != spec.source)
      continue;
    header_names.emplace_back(file.name);
    header_contents.push_back(file.content);
    header_names.push_back(base_name(file.name));
    header_contents.push_back(file.content);
  }
  std::vector<std::string> header_storage(header_contents.begin(), header_contents.end());
  std::vector<const char*> header_ptrs;
  std::vector<const char*> name_ptrs;
  for (std::size_t i = 0; i < header_storage.size(); ++i) {
    header_ptrs.push_back(header_storage[i].c_str());
    name_ptrs.push_back(header_names[i].c_str());
  }

  const std::string source = fmt::format("// lutgemm variant\n#include \"{}\"\n", spec.source);
  nvrtcProgram raw = nullptr;
  LUTGEMM_NVRTC_CHECK(nvrtcCreateProgram(&raw, source.c_str(), "lutgemm_variant.cu",
                                         static_cast<int>(header_ptrs.size()), header_ptrs.data(),
                                         name_ptrs.data()));
  Program program(raw);
  LUTGEMM_NVRTC_CHECK(nvrtcAddNameExpression(program.get(), spec.name_expression.c_str()));

  std::vector<std::string> options = base_options_;
  options.push_back("-arch=" + arch);
  options.push_back(include_option);
  for (const auto& [name, value] : spec.defines)
    options.push_back(value.empty() ? "-D" + name : fmt::format("-D{}={}", name, value));
  std::vector<const char*> option_ptrs;
  for (const auto& option : options)
    option_ptrs.push_back(option.c_str());

  const auto start = std::chrono::steady_clock::now();
  const nvrtcResult result =
      nvrtcCompileProgram(program.get(), static_cast<int>(option_ptrs.size()), option_ptrs.data());
  std::string log = program_log(program.get());
  if (result == NVRTC_ERROR_COMPILATION) {
    throw CompileError(fmt::format("{} for {} does not compile: {}", spec.name_expression, arch,
                                   first_error_line(log)),
                       log);
  }
  LUTGEMM_NVRTC_CHECK(result);

  auto kernel = std::make_shared<CompiledKernel>();
  kernel->spec = spec;
  kernel->arch = arch;
  kernel->key = key;
  const char* lowered = nullptr;
  LUTGEMM_NVRTC_CHECK(nvrtcGetLoweredName(program.get(), spec.name_expression.c_str(), &lowered));
  kernel->lowered_name = lowered;
  std::size_t cubin_size = 0;
  LUTGEMM_NVRTC_CHECK(nvrtcGetCUBINSize(program.get(), &cubin_size));
  kernel->cubin.resize(cubin_size);
  LUTGEMM_NVRTC_CHECK(nvrtcGetCUBIN(program.get(), kernel->cubin.data()));
  std::size_t ptx_size = 0;
  if (nvrtcGetPTXSize(program.get(), &ptx_size) == NVRTC_SUCCESS && ptx_size > 1) {
    kernel->ptx.resize(ptx_size);
    LUTGEMM_NVRTC_CHECK(nvrtcGetPTX(program.get(), kernel->ptx.data()));
    while (!kernel->ptx.empty() && kernel->ptx.back() == '\0')
      kernel->ptx.pop_back();
  }
  kernel->compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  kernel->log = std::move(log);
  auto report = parse_resource_report(kernel->log, kernel->lowered_name);
  if (!report) {
    throw RuntimeError(fmt::format("no ptxas resource report for {} ({}) in the NVRTC log",
                                   spec.name_expression, kernel->lowered_name));
  }
  kernel->resources = *report;
  return kernel;
}

std::vector<CompileOutcome> NvrtcCompiler::compile_all(const std::vector<CompileRequest>& requests,
                                                       int threads) {
  std::vector<CompileOutcome> outcomes(requests.size());
  if (threads <= 0)
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(std::max<std::size_t>(1, requests.size())));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < requests.size(); i = next++) {
      auto& outcome = outcomes[i];
      try {
        outcome.kernel = compile(requests[i].spec, requests[i].arch, &outcome.cache_hit);
      } catch (const CompileError& e) {
        outcome.error = e.what();
        outcome.log = e.log();
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t)
    pool.emplace_back(worker);
  worker();
  for (auto& thread : pool)
    thread.join();
  return outcomes;
}

} // namespace lutgemm
