#include "store/sqlite.hpp"

#include "common/error.hpp"

#include <fmt/format.h>

#include <chrono>
#include <thread>
#include <utility>

namespace lutgemm::store {
namespace {

bool is_busy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// Retries `attempt` while SQLite reports busy, until the connection's timeout has passed. The
// busy handler already waits inside most calls; this covers the cases where SQLite returns BUSY
// without calling it (e.g. a WAL snapshot that changed under a read transaction).
template <typename F> int retry_busy(int timeout_ms, F&& attempt) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int rc = attempt();
  while (is_busy(rc) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    rc = attempt();
  }
  return rc;
}

} // namespace

void check_sqlite(int rc, sqlite3* db, const char* call, const char* file, int line) {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE)
    return;
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw RuntimeError(fmt::format("SQLite call `{}` failed at {}: {} (code {})", call,
                                 source_location_text(file, line), message, rc));
}

Database::Database(const std::string& path, Mode mode, int busy_timeout_ms)
    : path_(path), busy_timeout_ms_(busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |=
      mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw RuntimeError(fmt::format("cannot open database '{}': {}", path, message));
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, busy_timeout_ms);
}

Database::~Database() {
  if (db_ != nullptr)
    sqlite3_close_v2(db_); // no-throw: nothing useful to do with an error here
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)),
      busy_timeout_ms_(other.busy_timeout_ms_) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr)
      sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    busy_timeout_ms_ = other.busy_timeout_ms_;
  }
  return *this;
}

void Database::exec(std::string_view sql, const char* file, int line) {
  std::string text(sql);
  char* error = nullptr;
  int rc = retry_busy(busy_timeout_ms_, [&] {
    sqlite3_free(error);
    error = nullptr;
    return sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  });
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw RuntimeError(fmt::format("SQLite exec `{}` failed at {}: {} (code {})",
                                   text.substr(0, 80), source_location_text(file, line), message,
                                   rc));
  }
}

std::int64_t Database::last_insert_rowid() const {
  return sqlite3_last_insert_rowid(db_);
}
int Database::changes() const {
  return sqlite3_changes(db_);
}

Statement::Statement(Database& db, std::string_view sql, const char* file, int line)
    : db_(&db), sql_(sql), file_(file), line_(line) {
  int rc = retry_busy(db.busy_timeout_ms(), [&] {
    return sqlite3_prepare_v2(db.handle(), sql_.c_str(), static_cast<int>(sql_.size()), &stmt_,
                              nullptr);
  });
  check_sqlite(rc, db.handle(), sql_.c_str(), file_, line_);
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), sql_(std::move(other.sql_)),
      file_(other.file_), line_(other.line_) {}

Statement& Statement::bind(int index, std::int64_t value) {
  check_sqlite(sqlite3_bind_int64(stmt_, index, value), db_->handle(), sql_.c_str(), file_, line_);
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check_sqlite(sqlite3_bind_double(stmt_, index, value), db_->handle(), sql_.c_str(), file_, line_);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  check_sqlite(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      db_->handle(), sql_.c_str(), file_, line_);
  return *this;
}

Statement& Statement::bind_blob(int index, const std::vector<std::uint8_t>& value) {
  check_sqlite(sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT),
               db_->handle(), sql_.c_str(), file_, line_);
  return *this;
}

Statement& Statement::bind_null(int index) {
  check_sqlite(sqlite3_bind_null(stmt_, index), db_->handle(), sql_.c_str(), file_, line_);
  return *this;
}

bool Statement::step() {
  int rc = retry_busy(db_->busy_timeout_ms(), [&] {
    int r = sqlite3_step(stmt_);
    if (is_busy(r))
      sqlite3_reset(stmt_);
    return r;
  });
  check_sqlite(rc, db_->handle(), sql_.c_str(), file_, line_);
  return rc == SQLITE_ROW;
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
std::int64_t Statement::column_int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}
std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr)
    return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}
std::vector<std::uint8_t> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column));
  return data == nullptr ? std::vector<std::uint8_t>{}
                         : std::vector<std::uint8_t>(data, data + size);
}
std::optional<std::int64_t> Statement::column_optional_int(int column) const {
  if (is_null(column))
    return std::nullopt;
  return column_int(column);
}
std::optional<double> Statement::column_optional_double(int column) const {
  if (is_null(column))
    return std::nullopt;
  return column_double(column);
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_)
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr); // no-throw
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

} // namespace lutgemm::store
