#pragma once
// The database schema: a version number (PRAGMA user_version), an application id that marks a file
// as a lutgemm database (PRAGMA application_id), and stepwise upgrades v1 -> v2 -> ... so that a
// database written by an older lutgemm is upgraded in place, never recreated.
#include "problem/problem.hpp"
#include "store/sqlite.hpp"

namespace lutgemm::store {

inline constexpr int kSchemaVersion = 3;
inline constexpr int kApplicationId = 0x4C555447; // "LUTG"

// What a file holds before ensure_schema() touches it.
struct SchemaProbe {
  bool empty = false;      // no tables at all: a new database
  bool is_lutgemm = false; // application id matches
  int version = 0;         // user_version
};

// Reads the header. Throws UsageError when the file is not a SQLite database.
SchemaProbe probe_schema(Database& db);

// Creates the newest schema in an empty database or upgrades an older lutgemm database step by
// step, in one IMMEDIATE transaction (safe when two processes open a new file at once). Throws
// UsageError, without writing, when the file is another application's database or comes from a
// newer lutgemm. Also switches the connection to WAL.
void ensure_schema(Database& db);

// Throws UsageError (one line, naming the first missing table or column) when a lutgemm database of
// `version` lacks a table or column that version has: a damaged file is refused before anything
// reads or writes it. Extra tables and columns are allowed.
void check_schema_intact(Database& db, int version);

// A problem read back from the problems table's columns m, k, batch, bits, group_size, has_offset,
// selected in that order from `first_column` on (every query that reports results selects them).
Problem problem_from_columns(const Statement& s, int first_column);

// Creates schema version 1 exactly as the first lutgemm release wrote it (for upgrade tests).
void create_schema_v1(Database& db);

} // namespace lutgemm::store
