#pragma once
// Whether a process recorded by pid (a run's tuner, a claimer, a compile that left temporaries) is
// still running on this host.
#include <sys/types.h>

namespace lutgemm {

// True when no process has `pid`, or it is a zombie (killed, not yet reaped: in a container whose
// init does not reap, a kill -9'd tuner stays a zombie and kill(pid, 0) still succeeds). False when
// it runs, or belongs to another user (EPERM: not ours to judge).
bool process_is_gone(pid_t pid);

} // namespace lutgemm
