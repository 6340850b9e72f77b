#pragma once
// A small RAII layer over sqlite3 (the only place, with the rest of tuner/store/, that touches
// SQL). Database owns a connection (WAL, busy timeout), Statement a prepared statement with typed
// binds and column reads, Transaction an IMMEDIATE transaction that rolls back unless committed.
// Errors go through the SQLite check family: RuntimeError with the call text, file:line and
// SQLite's own message.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lutgemm::store {

// Throws RuntimeError "SQLite call `call` failed at file:line: message (code N)" unless rc is OK,
// ROW or DONE.
void check_sqlite(int rc, sqlite3* db, const char* call, const char* file, int line);
#define LUTGEMM_SQLITE_CHECK(db, call)                                                             \
  ::lutgemm::store::check_sqlite((call), (db), #call, __FILE__, __LINE__)

class Database {
public:
  enum class Mode { read_write_create, read_only };
  // Opens (or creates, in read_write_create mode) the file. Does not write anything: schema work is
  // the caller's (tuner/store/schema.hpp). ":memory:" is allowed for tests.
  explicit Database(const std::string& path, Mode mode = Mode::read_write_create,
                    int busy_timeout_ms = 10000);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;

  // Runs one or more statements without results (DDL, pragmas). Retries while busy.
  void exec(std::string_view sql, const char* file = __builtin_FILE(), int line = __builtin_LINE());
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  int busy_timeout_ms() const { return busy_timeout_ms_; }

private:
  sqlite3* db_ = nullptr;
  std::string path_;
  int busy_timeout_ms_ = 0;
};

class Statement {
public:
  Statement(Database& db, std::string_view sql, const char* file = __builtin_FILE(),
            int line = __builtin_LINE());
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;

  // Typed binds, 1-based like SQLite; chainable.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::string& value) {
    return bind(index, std::string_view(value));
  }
  Statement& bind_blob(int index, const std::vector<std::uint8_t>& value);
  Statement& bind_null(int index);
  template <typename T> Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Steps once: true when a row is available. Retries while the database is busy (up to the
  // connection's busy timeout, then throws).
  bool step();
  // Steps until done (for INSERT/UPDATE/DELETE).
  void run();
  void reset();

  bool is_null(int column) const;
  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  std::optional<std::int64_t> column_optional_int(int column) const;
  std::optional<double> column_optional_double(int column) const;

private:
  Database* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
  const char* file_;
  int line_;
};

// BEGIN IMMEDIATE (takes the write lock at once, so two writers never deadlock on an upgrade from
// read to write); rolls back in the destructor unless commit() was called.
class Transaction {
public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

private:
  Database& db_;
  bool done_ = false;
};

} // namespace lutgemm::store
