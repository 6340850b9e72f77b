// The results database: schema, upgrade, bad files, resume lookups, concurrent writers, a writer
// killed with SIGKILL.
#include "common/error.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

using namespace lutgemm;
using namespace lutgemm::store;
namespace fs = std::filesystem;

namespace {

fs::path temp_path(const std::string& name) {
  auto dir =
      fs::temp_directory_path() / ("lutgemm_test_store_" + std::to_string(getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  auto path = dir / name;
  fs::remove(path);
  fs::remove(path.string() + "-wal");
  fs::remove(path.string() + "-shm");
  return path;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Ids {
  std::int64_t device, problem, run;
};

Ids make_ids(Store& store, const Problem& problem) {
  Ids ids{};
  ids.device = store.device_id({.key = "model:a100-80gb",
                                .name = "A100 80GB (model)",
                                .backend = "emu",
                                .arch = "sm_80",
                                .sm_count = 108,
                                .dram_gbps = 2039.0,
                                .l2_bytes = 40 << 20});
  ids.problem = store.problem_id(problem);
  ids.run = store.begin_run({.command_line = "lutgemm tune --test",
                             .git_sha = "abc",
                             .toolkit_version = "13.0",
                             .nvrtc_version = "13.0",
                             .driver_version = "none",
                             .backend = "emu",
                             .strategy = "exhaustive",
                             .device_id = ids.device,
                             .shard = ""});
  return ids;
}

MeasurementRecord ok_record(const Ids& ids, std::int64_t variant, double median) {
  MeasurementRecord r;
  r.run_id = ids.run;
  r.device_id = ids.device;
  r.problem_id = ids.problem;
  r.variant_id = variant;
  r.disposition = Disposition::ok;
  r.source = TimeSource::modelled;
  r.median_us = median;
  r.iqr_us = median * 0.01;
  r.min_us = median * 0.99;
  r.noise_pct = 0.3;
  r.samples = 10;
  r.proxy_shape = "256x512";
  return r;
}

const Problem kProblem{.m = 4096, .k = 4096, .batch = 1, .bits = 3, .group = 128};

} // namespace

TEST(Store, CreatesNewestSchemaAndIsIdempotent) {
  auto path = temp_path("new.db");
  {
    auto store = Store::open(path.string());
    auto probe = probe_schema(store.database());
    EXPECT_TRUE(probe.is_lutgemm);
    EXPECT_EQ(probe.version, kSchemaVersion);
  }
  auto store = Store::open(path.string()); // reopening keeps it as it is
  EXPECT_EQ(probe_schema(store.database()).version, kSchemaVersion);
  Statement mode(store.database(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
}

TEST(Store, UpgradesVersionOneKeepingRows) {
  auto path = temp_path("v1.db");
  {
    Database db(path.string());
    create_schema_v1(db);
    db.exec("INSERT INTO problems (key, m, k, batch, bits, group_size, has_offset) VALUES "
            "('old', 64, 64, 1, 3, 32, 1)");
    EXPECT_EQ(probe_schema(db).version, 1);
  }
  auto store = Store::open(path.string());
  EXPECT_EQ(probe_schema(store.database()).version, kSchemaVersion);
  Statement old(store.database(), "SELECT m, k FROM problems WHERE key = 'old'");
  ASSERT_TRUE(old.step());
  EXPECT_EQ(old.column_int(0), 64);
  // v2 columns and table exist after the upgrade.
  auto ids = make_ids(store, kProblem);
  auto variant = store.variant_id("toy", "a=1", R"({"a":1})");
  auto record = ok_record(ids, variant, 12.5);
  record.pct_dram_peak = 55.0;
  EXPECT_TRUE(store.record(record));
  EXPECT_EQ(store.compile_cache_size(), 0);
}

TEST(Store, CorruptFileIsRejectedAndLeftUntouched) {
  auto path = temp_path("corrupt.db");
  std::mt19937 rng(7);
  std::string junk(8192, '\0');
  for (auto& c : junk)
    c = static_cast<char>(rng() & 0xff);
  std::ofstream(path, std::ios::binary) << junk;
  try {
    Store::open(path.string());
    FAIL() << "a corrupt file was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("not a usable SQLite database"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read_file(path), junk);
  EXPECT_FALSE(fs::exists(path.string() + "-wal"));
}

TEST(Store, ForeignAndNewerDatabasesAreRejectedUntouched) {
  auto foreign = temp_path("foreign.db");
  {
    Database db(foreign.string());
    db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('ada');");
  }
  auto before = read_file(foreign);
  EXPECT_THROW(Store::open(foreign.string()), UsageError);
  EXPECT_EQ(read_file(foreign), before);

  auto newer = temp_path("newer.db");
  {
    Database db(newer.string());
    db.exec(fmt::format("CREATE TABLE t (x); PRAGMA application_id = {}; PRAGMA user_version = {};",
                        kApplicationId, kSchemaVersion + 1));
  }
  before = read_file(newer);
  try {
    Store::open(newer.string());
    FAIL() << "a newer schema was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(newer), before);
}

TEST(Store, DirectoryIsAUsageError) {
  auto dir = temp_path("adir");
  fs::create_directories(dir);
  EXPECT_THROW(Store::open(dir.string()), UsageError);
}

TEST(Store, RecordsEveryDispositionAndResumes) {
  auto path = temp_path("resume.db");
  auto store = Store::open(path.string());
  auto ids = make_ids(store, kProblem);
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> time(5.0, 500.0);
  const Disposition all[] = {
      Disposition::ok,           Disposition::compile_error, Disposition::resource_limit,
      Disposition::launch_error, Disposition::wrong_result,  Disposition::timeout,
      Disposition::skipped};
  std::map<std::string, std::pair<Disposition, double>> written;
  for (int i = 0; i < 7; ++i) {
    auto label = "tile=" + std::to_string(64 << i);
    auto variant = store.variant_id("toy", label, "{}");
    auto record = ok_record(ids, variant, time(rng));
    record.disposition = all[i];
    if (all[i] != Disposition::ok)
      record.message = "because " + std::to_string(i);
    EXPECT_TRUE(store.record(record));
    EXPECT_FALSE(store.record(record)) << "a retried record must not duplicate";
    written[label] = {all[i], *record.median_us};
  }
  store.end_run(ids.run, RunStatus::completed);

  // A second process (connection) asks what is already there.
  auto other = Store::open(path.string());
  auto found = other.existing(ids.device, ids.problem, TimeSource::modelled);
  ASSERT_EQ(found.size(), written.size());
  for (const auto& [label, expected] : written) {
    ASSERT_TRUE(found.count(label)) << label;
    EXPECT_EQ(found[label].disposition, expected.first);
    EXPECT_DOUBLE_EQ(*found[label].median_us, expected.second);
    EXPECT_EQ(found[label].proxy_shape, "256x512");
  }
  EXPECT_TRUE(other.existing(ids.device, ids.problem, TimeSource::measured).empty());
  EXPECT_EQ(other.run_measurements(ids.run).size(), 7u);

  auto best = other.best_per_problem(ids.device);
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].variant_label, "tile=64"); // the only ok row
}

TEST(Store, BestPerProblemPicksLowestOkMedian) {
  auto store = Store::open(temp_path("best.db").string());
  auto ids = make_ids(store, kProblem);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> time(1.0, 100.0);
  double best_time = 1e9;
  std::string best_label;
  for (int i = 0; i < 20; ++i) {
    auto label = "v" + std::to_string(i);
    double t = time(rng);
    auto record = ok_record(ids, store.variant_id("toy", label, "{}"), t);
    if (i % 5 == 4) { // failures never win, whatever their time
      record.disposition = Disposition::wrong_result;
      record.median_us = 0.001;
    } else if (t < best_time) {
      best_time = t;
      best_label = label;
    }
    store.record(record);
  }
  auto best = store.best_per_problem(ids.device);
  ASSERT_EQ(best.size(), 1u);
  EXPECT_EQ(best[0].variant_label, best_label);
  EXPECT_DOUBLE_EQ(*best[0].median_us, best_time);
}

TEST(Store, CompileCacheRoundTripsByFullKey) {
  auto store = Store::open(temp_path("cache.db").string());
  EXPECT_FALSE(store.find_compiled("key-a").has_value());
  CompileCacheEntry entry;
  entry.key_text = "key-a";
  entry.arch = "sm_90";
  entry.nvrtc_version = "13.0";
  entry.ok = true;
  std::mt19937 rng(5);
  for (int i = 0; i < 1000; ++i)
    entry.binary.push_back(static_cast<std::uint8_t>(rng()));
  entry.log = "ptxas info: Used 40 registers";
  entry.registers = 40;
  entry.smem_bytes = 4096;
  store.store_compiled(entry);
  auto hit = store.find_compiled("key-a");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->binary, entry.binary);
  EXPECT_EQ(hit->registers, 40);
  EXPECT_EQ(hit->log, entry.log);
  EXPECT_FALSE(store.find_compiled("key-b").has_value());
}

TEST(Store, TwoConcurrentWritersLoseNothing) {
  auto path = temp_path("concurrent.db");
  Ids ids{};
  {
    auto store = Store::open(path.string());
    ids = make_ids(store, kProblem);
  }
  constexpr int kPerWriter = 150;
  auto writer = [&](int which) {
    auto store = Store::open(path.string()); // its own connection
    RunInfo info;
    info.command_line = "writer";
    info.backend = "emu";
    auto run = store.begin_run(info);
    for (int i = 0; i < kPerWriter; ++i) {
      auto variant = store.variant_id("toy", fmt::format("w{}_{}", which, i), "{}");
      Ids mine = ids;
      mine.run = run;
      store.record(ok_record(mine, variant, 1.0 + i));
    }
  };
  std::thread a(writer, 0), b(writer, 1);
  a.join();
  b.join();
  auto store = Store::open(path.string());
  auto found = store.existing(ids.device, ids.problem, TimeSource::modelled);
  EXPECT_EQ(found.size(), 2u * kPerWriter);
}

TEST(Store, WriterKilledWithSigkillLosesNothingCommitted) {
  auto path = temp_path("killed.db");
  Ids ids{};
  {
    auto store = Store::open(path.string());
    ids = make_ids(store, kProblem);
  }
  int pipe_fd[2];
  ASSERT_EQ(pipe(pipe_fd), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fd[0]);
    auto store = Store::open(path.string());
    for (int i = 0;; ++i) {
      auto variant = store.variant_id("toy", "k" + std::to_string(i), "{}");
      store.record(ok_record(ids, variant, 1.0 + i));
      // Report each committed index to the parent.
      if (write(pipe_fd[1], &i, sizeof i) != sizeof i)
        _exit(1);
    }
  }
  close(pipe_fd[1]);
  int committed = -1, value = 0;
  while (committed < 40 && read(pipe_fd[0], &value, sizeof value) == sizeof value)
    committed = value;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (read(pipe_fd[0], &value, sizeof value) == sizeof value)
    committed = value; // reports written before the kill
  close(pipe_fd[0]);
  ASSERT_GE(committed, 40);

  auto store = Store::open(path.string());
  auto found = store.existing(ids.device, ids.problem, TimeSource::modelled);
  // Every reported commit is there, with its value; at most one more (committed, not reported).
  EXPECT_GE(static_cast<int>(found.size()), committed + 1);
  EXPECT_LE(static_cast<int>(found.size()), committed + 2);
  for (int i = 0; i <= committed; ++i) {
    auto label = "k" + std::to_string(i);
    ASSERT_TRUE(found.count(label)) << label;
    EXPECT_DOUBLE_EQ(*found[label].median_us, 1.0 + i);
  }
  Statement integrity(store.database(), "PRAGMA integrity_check");
  ASSERT_TRUE(integrity.step());
  EXPECT_EQ(integrity.column_text(0), "ok");
}

TEST(Store, RunOfAKilledProcessBecomesInterruptedOnOpen) {
  auto path = temp_path("dead_run.db");
  std::int64_t live_run = 0;
  {
    auto store = Store::open(path.string());
    RunInfo info;
    info.command_line = "this process";
    live_run = store.begin_run(info);
  }
  int pipe_fd[2];
  ASSERT_EQ(pipe(pipe_fd), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fd[0]);
    auto store = Store::open(path.string());
    RunInfo info;
    info.command_line = "killed";
    std::int64_t run = store.begin_run(info);
    if (write(pipe_fd[1], &run, sizeof run) != sizeof run)
      _exit(1);
    pause(); // killed with -9 below, never ending its run
    _exit(0);
  }
  close(pipe_fd[1]);
  std::int64_t dead_run = 0;
  ASSERT_EQ(read(pipe_fd[0], &dead_run, sizeof dead_run), static_cast<ssize_t>(sizeof dead_run));
  close(pipe_fd[0]);
  auto status_of = [&](Store& store, std::int64_t run) {
    Statement select(store.database(),
                     "SELECT status, ended_at IS NOT NULL FROM runs WHERE id = ?1");
    select.bind(1, run);
    EXPECT_TRUE(select.step());
    return select.column_text(0) + (select.column_int(1) ? "+ended" : "");
  };
  {
    auto store = Store::open(path.string()); // the child is alive: its run is still running
    EXPECT_EQ(status_of(store, dead_run), "running");
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  auto store = Store::open(path.string());
  EXPECT_EQ(status_of(store, dead_run), "interrupted+ended");
  EXPECT_EQ(status_of(store, live_run), "running") << "this process is alive";
}

TEST(Store, DamagedDatabaseIsRefusedWithOneLineAndNothingWritten) {
  // A dropped column and a dropped table: refused on open, naming what is missing, file unchanged.
  for (const std::string& damage :
       {std::string("ALTER TABLE measurements DROP COLUMN retryable"),
        std::string("DROP TABLE claims"), std::string("DROP TABLE runs")}) {
    auto path = temp_path("damaged.db");
    fs::remove(path);
    {
      auto store = Store::open(path.string());
      make_ids(store, kProblem);
    }
    {
      Database db(path.string());
      db.exec("PRAGMA foreign_keys = OFF; " + damage);
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    const auto before = read_file(path);
    try {
      Store::open(path.string());
      ADD_FAILURE() << "accepted after: " << damage;
    } catch (const UsageError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("damaged lutgemm database"), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
    EXPECT_EQ(read_file(path), before) << damage;
  }
}
