// What of a migration file migsafe runs, and what it refuses before anything runs: psql
// meta-commands (the server cannot run them) and transaction control that would end the run's
// transaction in the middle of a file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/splitter.hpp"

namespace migsafe::sql {

// A reason a migration file cannot run, at the 1-based line and column of its cause.
struct Refusal {
  int line = 1;
  int column = 1;
  std::string message;  // names the statement or command and says what to do
};

// A migration file's statements as migsafe runs them.
struct MigrationBody {
  std::vector<Statement> statements;  // to execute: the file's own BEGIN ... COMMIT left out
  bool own_transaction = false;       // the file wraps itself in BEGIN ... COMMIT (or ends in COMMIT)
  std::vector<Refusal> refusals;      // empty when the file can run
};

// Splits `source` and checks it. A file wrapped in its own BEGIN (BEGIN [WORK|TRANSACTION], START
// TRANSACTION, any case) ... COMMIT (COMMIT [WORK|TRANSACTION], END) runs as one unit inside
// migsafe's transaction, so the wrapper is left out. Refused: a backslash command outside strings,
// dollar quotes and comments (psql's `\i`, `\set`, `\connect`, ...); COMMIT, END, ROLLBACK or
// ABORT anywhere but as the last statement after a leading BEGIN; ROLLBACK as the last statement;
// a BEGIN that is not the first statement or has no COMMIT at the end; PREPARE TRANSACTION.
MigrationBody migration_body(std::string_view source);

}  // namespace migsafe::sql
