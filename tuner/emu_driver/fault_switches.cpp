#include "emu_driver/fault_switches.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace lutgemm::emucuda {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

std::uint64_t number(const char* name, std::uint64_t fallback) {
  const char* value = env(name);
  if (!value)
    return fallback;
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(value, &end, 10);
  if (*end != '\0' || std::string_view(value).starts_with("-")) {
    std::fprintf(stderr, "lutgemm emulated CUDA driver: %s='%s' is not a number; ignored\n", name,
                 value);
    return fallback;
  }
  return parsed;
}

FaultSwitches read() {
  FaultSwitches s;
  if (const char* target = env("LUTGEMM_EMUCUDA_TARGET"))
    s.target = target;
  s.fault_launch = static_cast<long>(number("LUTGEMM_EMUCUDA_FAULT_LAUNCH", 0));
  if (const char* marker = env("LUTGEMM_EMUCUDA_FAULT_MARKER"))
    s.fault_marker = marker;
  s.exclusive = number("LUTGEMM_EMUCUDA_EXCLUSIVE", 0) != 0;
  const char* lock = env("LUTGEMM_EMUCUDA_LOCK");
  s.lock_path = lock ? lock : fmt::format("/tmp/lutgemm-emucuda-{}.lock", getuid());
  s.memory_bytes = number("LUTGEMM_EMUCUDA_MEMORY", 0);
  s.reuse_freed = number("LUTGEMM_EMUCUDA_REUSE", 0) != 0;
  s.threads = static_cast<unsigned>(number("LUTGEMM_EMUCUDA_THREADS", 0));
  if (const char* broken = env("LUTGEMM_EMUCUDA_BROKEN_KERNEL"))
    s.broken_kernel = broken;
  return s;
}

} // namespace

const FaultSwitches& switches() {
  static const FaultSwitches parsed = read();
  return parsed;
}

} // namespace lutgemm::emucuda
