#pragma once
// Failures that say nothing about the variant being evaluated: a child process (the emulator's
// launch child, the worker, the host compiler) killed by a signal that the variant's code does not
// raise by faulting (a user's kill, the OOM killer's SIGKILL, a hang-up), or a compiler or
// allocator that ran out of memory. They are stored with measurements.retryable = 1 and a resume
// evaluates the variant again; a variant's own faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
// wrong results, timeouts) stay final.
#include <string>
#include <string_view>

namespace lutgemm {

// True for SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1/2, SIGXCPU, SIGXFSZ.
bool is_outside_signal(int signal);

// True when a tool's output or an error message says it ran out of memory ("out of memory",
// "virtual memory exhausted", "Cannot allocate memory", std::bad_alloc, CUDA_ERROR_OUT_OF_MEMORY).
bool says_out_of_memory(std::string_view text);

// " (retryable: killed by signal 9, Killed; says nothing about the variant)"
std::string retryable_note(int signal);

} // namespace lutgemm
