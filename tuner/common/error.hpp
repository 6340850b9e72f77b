#pragma once
// The two kinds of failure the `lutgemm` command distinguishes (see tuner/cli/main.cpp):
//   UsageError   -> exit code 2: the user gave a bad value; the message names it and what is
//   allowed. RuntimeError -> exit code 1: something failed while doing valid work (a library call,
//   a file).
// Status-specific check families (NVRTC, driver, SQLite, cuBLAS) live with the module that owns
// the library and throw RuntimeError with the call text, file, line and the library's message.
#include <stdexcept>
#include <string>

namespace lutgemm {

class UsageError : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

class RuntimeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// "file:line" of a call site, for the check families.
std::string source_location_text(const char* file, int line);

} // namespace lutgemm
