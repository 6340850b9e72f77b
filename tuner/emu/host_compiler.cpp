#include "emu/host_compiler.hpp"

#include "build_info.hpp"
#include "common/embedded_sources.hpp"
#include "common/error.hpp"
#include "common/fnv1a.hpp"
#include "common/outside_failure.hpp"
#include "common/process_status.hpp"
#include "emu/emulator.hpp"
#include "jit/nvrtc_compiler.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

namespace lutgemm::emu::detail {
namespace fs = std::filesystem;
namespace {

bool is_compiled_source(std::string_view name) {
  return name.ends_with(".cuh") || name.ends_with(".h") || name.ends_with(".hpp");
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

// A unique temporary name next to `path`, so that rename() is atomic and parallel processes
// writing the same entry never see each other's partial files.
std::string temp_name(const std::string& path) {
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  std::lock_guard lock(mutex);
  return fmt::format("{}.tmp.{}.{:x}", path, ::getpid(), rng());
}

void write_atomically(const std::string& path, std::string_view content) {
  const std::string tmp = temp_name(path);
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out)
      throw RuntimeError(fmt::format("cannot write {}", tmp));
  }
  fs::rename(tmp, path);
}

// Hash of every embedded file that a kernel library may include (after the shared-memory rewrite,
// which is a pure function of the text).
const std::string& sources_hash() {
  static const std::string hash = [] {
    std::uint64_t h = fnv1a("lutgemm-emu-sources");
    for (const auto& file : embedded::all_files()) {
      if (!is_compiled_source(file.name))
        continue;
      h = fnv1a(file.name, h);
      h = fnv1a(file.content, h);
    }
    return fmt::format("{:016x}", h);
  }();
  return hash;
}

// Writes the embedded sources (rewritten) under the cache directory: once per process and cache
// directory, again if someone removed them meanwhile (a ".complete" marker is written last).
std::string source_root() {
  static std::mutex mutex;
  static std::set<std::string> written;
  const std::string root = cache_dir() + "/src-" + sources_hash();
  const std::string marker = root + "/.complete";
  std::lock_guard lock(mutex);
  std::error_code ec;
  if (written.count(root) != 0 && fs::exists(marker, ec))
    return root;
  for (const auto& file : embedded::all_files()) {
    if (!is_compiled_source(file.name))
      continue;
    const fs::path path = fs::path(root) / std::string(file.name);
    fs::create_directories(path.parent_path());
    const std::string content = file.name.ends_with(".cuh") ? rewrite_dynamic_shared(file.content)
                                                            : std::string(file.content);
    if (fs::exists(path, ec) && fs::file_size(path, ec) == content.size())
      continue;
    write_atomically(path.string(), content);
  }
  write_atomically(marker, "");
  written.insert(root);
  return root;
}

// With a precompiled runtime (given by -include), the TU does not include it again.
// A kernel source given by a filesystem path rather than an embedded name (a user's own kernel).
bool is_external_source(const std::string& source) {
  return fs::path(source).is_absolute() || !embedded::find(source).has_value();
}

std::string read_external_source(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw EmuError(ErrorKind::compile_error,
                   fmt::format("cannot read the kernel source {} (neither an embedded kernel nor a "
                               "readable file)",
                               path));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The rewritten copy of an external kernel file, keyed by its contents, under the cache: the TU
// includes the copy (dynamic shared memory rewritten like the embedded kernels), and the file's
// own folder is on the include path for what it includes.
std::string external_source_copy(const std::string& path) {
  const std::string content = read_external_source(path);
  const std::string dir = fmt::format("{}/ext-{:016x}", cache_dir(), fnv1a(content));
  const std::string copy = dir + "/" + fs::path(path).filename().string();
  std::error_code ec;
  if (!fs::exists(copy, ec)) {
    fs::create_directories(dir);
    write_atomically(copy, rewrite_dynamic_shared(content));
  }
  return copy;
}

// `source` is what the TU includes: the embedded name, or the cache copy of a file given by path.
std::string translation_unit(const KernelSpec& spec, const std::string& source, BuildMode mode,
                             bool include_runtime) {
  std::string tu =
      fmt::format("// Generated by the lutgemm host SIMT emulator for: {}\n", spec.key_text());
  if (mode == BuildMode::race_check)
    tu += "#define LUTGEMM_EMU_RACE_CHECK 1\n";
  if (include_runtime)
    tu += "#include \"tuner/emu/device/emu_runtime.hpp\"\n";
  for (const auto& [name, value] : spec.defines)
    tu += fmt::format("#define {} {}\n", name, value);
  tu += fmt::format("#include \"{}\"\n", source);
  // The library is built with hidden visibility and --gc-sections: only what these exported
  // entries reach is kept, so the TLS segment (static __shared__) holds the launched kernel's
  // arrays only, not those of every kernel in the file.
  tu += fmt::format("extern \"C\" LUTGEMM_EMU_EXPORT void lutgemm_emu_entry(void** args) {{\n"
                    "  ::lutgemm_emu::invoke(&{}, args);\n}}\n",
                    spec.name_expression);
  tu += "extern \"C\" LUTGEMM_EMU_EXPORT unsigned lutgemm_emu_abi_version() {\n"
        "  return ::lutgemm_emu::kAbiVersion;\n}\n";
  return tu;
}

struct RunResult {
  int status = -1;
  std::string output;
};

RunResult run_command(const std::string& command) {
  RunResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    throw RuntimeError(fmt::format("cannot run: {}", command));
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
    result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string include_flags(const std::string& root) {
  return " -I" + shell_quote(root) + " -I" + shell_quote(root + "/kernels") + " -isystem " +
         shell_quote(cuda_include_dir());
}

// The device runtime (with cuda_fp16.h, most of every compile) precompiled once per sources,
// compiler and flags: "<dir>/emu_runtime.hpp" to pass with -include, or "" when the compiler
// could not build it (then each TU includes the runtime itself).
std::string precompiled_runtime(const std::string& root) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::string key = sources_hash() + host_compiler() + host_compiler_version();
  for (const auto& flag : host_compile_flags(BuildMode::normal))
    key += " " + flag;
  const std::string dir = fmt::format("{}/pch-{:016x}", cache_dir(), fnv1a(key));
  const std::string header = dir + "/emu_runtime.hpp";
  std::error_code ec;
  if (fs::exists(header + ".gch", ec) && fs::exists(header, ec))
    return header;
  if (fs::exists(dir + "/failed", ec))
    return {};
  fs::create_directories(dir);
  write_atomically(header,
                   "#pragma once\n#include \"" + root + "/tuner/emu/device/emu_runtime.hpp\"\n");
  const std::string tmp = temp_name(header + ".gch");
  std::string command = shell_quote(host_compiler());
  for (const auto& flag : host_compile_flags(BuildMode::normal))
    if (flag != "-shared")
      command += " " + flag;
  command +=
      include_flags(root) + " -x c++-header " + shell_quote(header) + " -o " + shell_quote(tmp);
  if (run_command(command).status != 0) {
    fs::remove(tmp, ec);
    write_atomically(dir + "/failed", command);
    return {};
  }
  fs::rename(tmp, header + ".gch");
  return header;
}

} // namespace

std::string host_compiler() {
  if (const char* cxx = std::getenv("LUTGEMM_EMU_CXX"); cxx != nullptr && *cxx != '\0')
    return cxx;
  return build_info::kHostCompiler;
}

std::string host_compiler_version() {
  static std::mutex mutex;
  static std::map<std::string, std::string> versions;
  const std::string cxx = host_compiler();
  std::lock_guard lock(mutex);
  auto it = versions.find(cxx);
  if (it == versions.end()) {
    const RunResult r = run_command(shell_quote(cxx) + " --version");
    // Killed from outside (a scancel or Ctrl-C reaching the whole process group) says nothing
    // about the compiler or the variant: retryable, as for a compile (compile() below).
    if (r.status > 128 && is_outside_signal(r.status - 128))
      throw EmuError(ErrorKind::interrupted,
                     fmt::format("host compiler {} --version did not finish{}", cxx,
                                 retryable_note(r.status - 128)),
                     r.output);
    if (r.status != 0)
      throw EmuError(
          ErrorKind::compile_error,
          fmt::format("host compiler {} does not run (exit {}): {}", cxx, r.status, r.output),
          r.output);
    it = versions.emplace(cxx, r.output.substr(0, r.output.find('\n'))).first;
  }
  return it->second;
}

std::vector<std::string> host_compile_flags(BuildMode mode) {
  // -O1 compiles the LUT-GEMM kernel markedly faster than -O2 and runs nearly as fast in the
  // emulator, where the fiber switches dominate (README, performance notes).
  // -fno-strict-aliasing: kernels reinterpret device words as vector structs, as CUDA allows.
  // -fstack-clash-protection: a frame larger than the guard page still touches it first, so a
  // stack overflow is reported instead of writing into the neighbouring fiber's stack.
  // -fno-gnu-unique: g++ gives the static locals of inline functions and templates (a template
  // kernel's static __shared__ arrays) STB_GNU_UNIQUE binding, which the dynamic loader merges
  // across every loaded library even with RTLD_LOCAL: two builds of one kernel name with different
  // array sizes (a define) would share the first one's storage.
  // -fvisibility=hidden and one section per function and object let the link drop everything the
  // exported entries do not reach (host_link_flags()).
  std::vector<std::string> flags = {"-std=c++20",
                                    "-O1",
                                    "-g0",
                                    "-fPIC",
                                    "-shared",
                                    "-fno-strict-aliasing",
                                    "-fstack-clash-protection",
                                    "-fno-gnu-unique",
                                    "-fvisibility=hidden",
                                    "-ffunction-sections",
                                    "-fdata-sections",
                                    "-w"};
  if (mode == BuildMode::race_check) {
    flags.push_back("-fsanitize=thread");
    flags.push_back("--param=tsan-instrument-func-entry-exit=0");
    // Keep a copy of a vector type (float4, uint4, ...) one access, as the GPU's vector load is:
    // scalar replacement of aggregates would split it into per-field loads, which the counters
    // (counting launches use this build) would see as separate requests.
    flags.push_back("-fno-tree-sra");
  }
  return flags;
}

std::vector<std::string> host_link_flags() {
  return {"-Wl,--gc-sections"};
}

std::string rewrite_dynamic_shared(std::string_view source) {
  // extern __shared__ [alignment] TYPE NAME[];
  static const std::regex decl(
      R"(extern\s+__shared__\s+((?:__align__\s*\(\s*\d+\s*\)\s*|alignas\s*\(\s*\d+\s*\)\s*)*)([A-Za-z_][\w:<>\s]*?)\s*\b([A-Za-z_]\w*)\s*\[\s*\]\s*;)");
  return std::regex_replace(
      std::string(source), decl,
      "auto& $3 = *reinterpret_cast<$2(*)[]>(::lutgemm_emu::dynamic_smem());");
}

std::string library_key(const KernelSpec& spec, BuildMode mode) {
  std::string text =
      fmt::format("abi=1;layout=3;sources={};spec={};cxx={};version={};cuda={}", sources_hash(),
                  spec.key_text(), host_compiler(), host_compiler_version(), cuda_include_dir());
  // A kernel file given by path is keyed on its contents: editing it builds a new library.
  if (is_external_source(spec.source))
    text += fmt::format(";file={:016x}", fnv1a(read_external_source(spec.source)));
  for (const auto& flag : host_compile_flags(mode))
    text += " " + flag;
  for (const auto& flag : host_link_flags())
    text += " " + flag;
  return text;
}

int remove_stale_temporaries(const std::string& dir) {
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.find(".tmp.");
    if (at == std::string::npos)
      continue;
    const std::string rest = name.substr(at + 5); // "<pid>.<rand>[.o]"
    const auto dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || rest.find_first_not_of("0123456789") != dot)
      continue;
    const long pid = std::stol(rest.substr(0, dot));
    if (!process_is_gone(static_cast<pid_t>(pid)))
      continue; // alive (or another user's: not ours to judge)
    std::error_code rm;
    if (fs::remove(it->path(), rm))
      ++removed;
  }
  return removed;
}

HostLibrary build_library(const KernelSpec& spec, BuildMode mode) {
  const std::string key = library_key(spec, mode);
  const std::string dir = cache_dir();
  fs::create_directories(dir);
  {
    // A compile killed from outside leaves its temporaries: removed once per process and folder.
    static std::mutex mutex;
    static std::set<std::string> swept;
    std::lock_guard lock(mutex);
    if (swept.insert(dir).second)
      remove_stale_temporaries(dir);
  }
  const std::string stem =
      fmt::format("{}/{:016x}{}", dir, fnv1a(key), mode == BuildMode::race_check ? "-race" : "");
  HostLibrary lib;
  lib.path = stem + ".so";
  std::error_code ec;
  if (fs::exists(lib.path, ec)) {
    lib.cache_hit = true;
    return lib;
  }

  const auto start = std::chrono::steady_clock::now();
  const std::string root = source_root();
  const std::string pch = mode == BuildMode::normal ? precompiled_runtime(root) : std::string();
  const bool external = is_external_source(spec.source);
  const std::string source = external ? external_source_copy(spec.source) : spec.source;
  const std::string tu_path = stem + ".cpp";
  write_atomically(tu_path, translation_unit(spec, source, mode, pch.empty()));
  const std::string tmp = temp_name(lib.path);
  std::string command = shell_quote(host_compiler());
  for (const auto& flag : host_compile_flags(mode))
    command += " " + flag;
  command += include_flags(root);
  if (external)
    command += " -iquote " + shell_quote(fs::absolute(spec.source).parent_path().string());
  std::string link_flags;
  for (const auto& flag : host_link_flags())
    link_flags += " " + flag;
  if (!pch.empty())
    command += " -include " + shell_quote(pch);
  command += " " + shell_quote(tu_path);
  if (mode == BuildMode::race_check) {
    // Compile instrumented, but link without the TSan runtime: emu_race_hooks.h replaces it.
    command += " -c -o " + shell_quote(tmp + ".o") + " && " + shell_quote(host_compiler()) +
               " -shared" + link_flags + " " + shell_quote(tmp + ".o") + " -o " + shell_quote(tmp) +
               "; rc=$?; rm -f " + shell_quote(tmp + ".o") + "; exit $rc";
    command = "(" + command + ")";
  } else {
    command += link_flags + " -o " + shell_quote(tmp);
  }
  // Bounded by the compile timeout: coreutils' timeout sends TERM, then KILL 2 s later, and exits
  // 124 when the time ran out (137 when it or the compiler was killed from outside).
  const double limit = compile_timeout();
  command = fmt::format("timeout -k 2 {} sh -c {}", limit, shell_quote(command));
  const RunResult r = run_command(command);
  lib.compile_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (r.status != 0) {
    fs::remove(tmp, ec);
    write_atomically(stem + ".log", command + "\n" + r.output);
    if (r.status == 124) {
      throw EmuError(ErrorKind::timeout,
                     fmt::format("host compile of {} ran past {} s and was killed; log: {}.log",
                                 spec.name_expression, limit, stem),
                     r.output);
    }
    // A compiler killed from outside (status 128 + signal, from the shell) or out of memory says
    // nothing about the kernel: a resume compiles it again.
    if ((r.status > 128 && is_outside_signal(r.status - 128)) || says_out_of_memory(r.output)) {
      throw EmuError(ErrorKind::interrupted,
                     fmt::format("host compile of {} did not finish (exit {}){}; log: {}.log",
                                 spec.name_expression, r.status,
                                 r.status > 128 ? retryable_note(r.status - 128)
                                                : " (retryable: out of memory)",
                                 stem),
                     r.output);
    }
    std::string first_error = r.output.substr(0, std::min<std::size_t>(r.output.size(), 2000));
    throw EmuError(ErrorKind::compile_error,
                   fmt::format("host compile of {} failed (exit {}); log: {}.log\n{}",
                               spec.name_expression, r.status, stem, first_error),
                   r.output);
  }
  fs::rename(tmp, lib.path);
  return lib;
}

} // namespace lutgemm::emu::detail

namespace lutgemm::emu {
namespace {
std::atomic<double> g_compile_timeout_s{600};
} // namespace

void set_compile_timeout(double seconds) {
  g_compile_timeout_s = seconds;
}

double compile_timeout() {
  return g_compile_timeout_s;
}

} // namespace lutgemm::emu
