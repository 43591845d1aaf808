// Where an atomic run must commit before it goes on: a migration whose effect PostgreSQL lets
// later statements use only once it is committed. The run stays one transaction between these
// points; what is committed at one is covered by the run's backup.
#pragma once

#include <string>
#include <vector>

#include "config/migration_files.hpp"

namespace migsafe::pipeline {

// A commit at the boundary after one pending migration.
struct CommitPoint {
  size_t after = 0;     // index in the pending list: commit once this migration is applied
  std::string version;  // that migration's version
  std::string name;     // and name
  std::string file;     // its path
  int line = 0;         // the statement that makes the commit necessary (in `file`, or the next file)
  std::string reason;   // one sentence: what, where, and why it must commit
};

// The commit points `pending` (in run order) needs. Detected:
//  - `ALTER TYPE t ADD VALUE 'v'` (also inside a DO block) when a later pending migration mentions
//    'v': PostgreSQL refuses a new enum value until its transaction commits (SQLSTATE 55P04; on
//    PostgreSQL 15 even when t was created in the same transaction), so the run commits after it;
//  - `pg_create_logical_replication_slot()`: refused in a transaction that has written (SQLSTATE
//    25001), so the run commits before that migration.
std::vector<CommitPoint> plan_commit_points(const std::vector<const config::MigrationFile*>& pending);

}  // namespace migsafe::pipeline
