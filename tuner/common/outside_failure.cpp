#include "common/outside_failure.hpp"

#include <fmt/format.h>

#include <array>
#include <csignal>
#include <cstring>

namespace lutgemm {

bool is_outside_signal(int signal) {
  switch (signal) {
  case SIGKILL:
  case SIGTERM:
  case SIGINT:
  case SIGHUP:
  case SIGQUIT:
  case SIGPIPE:
  case SIGUSR1:
  case SIGUSR2:
  case SIGXCPU:
  case SIGXFSZ:
    return true;
  default:
    return false;
  }
}

bool says_out_of_memory(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kPhrases = {
      "out of memory",  "virtual memory exhausted", "Cannot allocate memory",
      "std::bad_alloc", "CUDA_ERROR_OUT_OF_MEMORY", "cannot allocate"};
  for (auto phrase : kPhrases)
    if (text.find(phrase) != std::string_view::npos)
      return true;
  return false;
}

std::string retryable_note(int signal) {
  return fmt::format(" (retryable: killed by signal {}, {}; says nothing about the variant)",
                     signal, ::strsignal(signal));
}

} // namespace lutgemm
