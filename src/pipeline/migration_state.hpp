// Compares the migration files with the database's history: what is applied, pending, changed
// (edited after it was applied) or missing (applied, but its file is gone). Shared by run, plan, status.
#pragma once

#include <string>
#include <vector>

#include "config/migration_files.hpp"
#include "pg/history.hpp"
#include "report/report.hpp"

namespace migsafe::pipeline {

// A problem with an applied migration that makes `run` refuse.
struct HistoryProblem {
  std::string version;
  std::string kind;     // changed | missing | out_of_order
  std::string message;  // a full sentence naming the file
};

// The files sorted into what the database has and has not seen.
struct MigrationState {
  std::vector<const config::MigrationFile*> applied;  // file present, in history (checksum equal or unknown)
  std::vector<const config::MigrationFile*> pending;  // file present, not in history
  std::vector<HistoryProblem> problems;               // changed, missing, out of order
  std::string current_version;                        // highest applied version, "0" if none
};

// Sorts `files` against `history`. Pending migrations older than the newest applied one are
// `out_of_order` problems, as the Supabase CLI treats them.
MigrationState compare_with_history(const std::vector<config::MigrationFile>& files, const pg::History& history);

// The report's record of `file` with `status`.
report::Migration migration_record(const config::MigrationFile& file, report::MigrationStatus status);

// Keeps only pending migrations up to and including `to_version` (all when empty).
void limit_pending(MigrationState& state, const std::string& to_version);

}  // namespace migsafe::pipeline
