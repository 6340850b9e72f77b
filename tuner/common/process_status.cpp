#include "common/process_status.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <string>

namespace lutgemm {

bool process_is_gone(pid_t pid) {
  if (pid <= 0)
    return false;
  if (::kill(pid, 0) != 0)
    return errno == ESRCH;
  // /proc/<pid>/stat: "pid (name) state ..."; the name may hold spaces and parentheses.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line))
    return false;
  const auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 >= line.size())
    return false;
  const char state = line[close + 2];
  return state == 'Z' || state == 'X';
}

} // namespace lutgemm
