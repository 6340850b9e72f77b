#include "backend/backend.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

namespace lutgemm::backend {

std::string to_string(BackendKind kind) {
  return kind == BackendKind::cuda ? "cuda" : "emu";
}

BackendKind backend_kind_from_string(std::string_view text) {
  if (text == "cuda")
    return BackendKind::cuda;
  if (text == "emu")
    return BackendKind::emu;
  throw UsageError(fmt::format("unknown backend '{}' (allowed: cuda, emu)", text));
}

} // namespace lutgemm::backend
