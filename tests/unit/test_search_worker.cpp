// Fault isolation: a worker that crashes or hangs is reported, killed, restarted, and the next
// request is served by a fresh worker.
#include "backend/worker_process.hpp"

#include <gtest/gtest.h>

#include <random>

using namespace lutgemm::backend;
using namespace std::chrono_literals;

namespace {
// A shell worker: echoes each line reversed-tagged; "segv" kills itself with SIGSEGV, "hang"
// sleeps, "exit" exits 3.
WorkerProcess make_worker() {
  return WorkerProcess({"/bin/sh", "-c",
                        "while IFS= read -r line; do case \"$line\" in "
                        "segv) kill -SEGV $$;; hang) sleep 30;; exit) exit 3;; "
                        "*) echo \"reply:$line\";; esac; done"});
}
} // namespace

TEST(WorkerProcess, AnswersEveryRequestInOrder) {
  auto worker = make_worker();
  std::mt19937 rng(1);
  for (int i = 0; i < 20; ++i) {
    auto text = "req" + std::to_string(rng());
    auto reply = worker.request(text, 5s);
    ASSERT_EQ(reply.status, WorkerReply::Status::ok) << reply.detail;
    EXPECT_EQ(reply.line, "reply:" + text);
  }
  EXPECT_EQ(worker.restarts(), 0);
}

TEST(WorkerProcess, CrashIsReportedAndTheWorkerRestarts) {
  auto worker = make_worker();
  EXPECT_EQ(worker.request("a", 5s).line, "reply:a");
  auto crash = worker.request("segv", 5s);
  EXPECT_EQ(crash.status, WorkerReply::Status::crashed);
  EXPECT_NE(crash.detail.find("signal 11"), std::string::npos) << crash.detail;
  EXPECT_FALSE(worker.running());
  auto after = worker.request("b", 5s);
  ASSERT_EQ(after.status, WorkerReply::Status::ok);
  EXPECT_EQ(after.line, "reply:b");
  EXPECT_EQ(worker.restarts(), 1);

  auto exited = worker.request("exit", 5s);
  EXPECT_EQ(exited.status, WorkerReply::Status::crashed);
  EXPECT_NE(exited.detail.find("status 3"), std::string::npos) << exited.detail;
}

TEST(WorkerProcess, HangIsATimeoutAndTheWorkerRestarts) {
  auto worker = make_worker();
  auto start = std::chrono::steady_clock::now();
  auto hang = worker.request("hang", 300ms);
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(hang.status, WorkerReply::Status::timeout);
  EXPECT_LT(waited, 5s);
  auto after = worker.request("c", 5s);
  ASSERT_EQ(after.status, WorkerReply::Status::ok);
  EXPECT_EQ(after.line, "reply:c");
  EXPECT_EQ(worker.restarts(), 1);
}
