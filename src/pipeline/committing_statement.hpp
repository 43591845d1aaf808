// One statement of a file that runs outside a transaction (CREATE INDEX CONCURRENTLY and the
// like): each commits on its own, so the ledger learns of each as it commits, and a failed
// concurrent build leaves no INVALID index.
#pragma once

#include <optional>
#include <string>

#include "pg/session.hpp"
#include "pipeline/context.hpp"
#include "sql/splitter.hpp"

namespace migsafe::pipeline {

// Runs `statement` (the `index`-th of migration `version`, 1-based) on the work session with its
// progress in migsafe.statements: "running" (with the INVALID indexes that existed before) while
// it runs, "committed" once it did. On failure it drops the INVALID indexes the statement left and
// forgets the row, then returns the error. A CONCURRENTLY statement runs without statement_timeout
// (a long build is cancelled by nothing but lock_timeout, a signal or its own failure).
std::optional<pg::SqlError> run_committing_statement(Context& context, const std::string& version, int index,
                                                     const sql::Statement& statement);

}  // namespace migsafe::pipeline
