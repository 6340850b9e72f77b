#pragma once
// `lutgemm tune --devices LIST`: one tuner process per device, all on the same database. Each is
// this command again with `--devices` replaced by `--device I` and the hidden `--devices-worker
// FIRST`; the claims (store::Store::claim) make every variant evaluated by exactly one of them.
#include <atomic>
#include <map>
#include <string>
#include <vector>

namespace lutgemm::cli {

struct DeviceWorkerExit {
  int ordinal = 0;
  int exit_code = 0; // the worker's exit status; 128 + N when killed by signal N
  // Problem key -> variants this worker evaluated (from its --json summary; empty if unreadable).
  std::map<std::string, std::size_t> evaluated;
};

// Starts one worker per ordinal and waits for all of them. When *stop becomes true (Ctrl-C on
// this process) each worker is sent SIGINT once, so it stops between variants; a worker dies with
// this process. Their errors go to this process's stderr, and with `progress` their progress lines
// too, each starting "device N: "; without it they are quiet.
std::vector<DeviceWorkerExit> run_device_workers(const std::vector<int>& ordinals,
                                                 const std::atomic<bool>& stop, bool progress);

} // namespace lutgemm::cli
