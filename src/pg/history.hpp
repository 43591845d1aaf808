// Migration history in the target database: the Supabase CLI's table
// `supabase_migrations.schema_migrations` and migsafe's own ledger in schema `migsafe`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pg/session.hpp"

namespace migsafe::pg {

// One applied migration as the database remembers it.
struct AppliedMigration {
  std::string version;                  // e.g. "20240101000000"
  std::string name;                     // name part of the file name
  std::optional<std::string> checksum;  // sha256 hex from migsafe's ledger; none if applied by other tools
  std::string applied_at;               // from the ledger, or empty
  std::string run_id;                   // the migsafe run that applied it, or empty
  std::string backup_id;                // the backup taken before it, or empty
};

// Everything applied, by version.
struct History {
  std::map<std::string, AppliedMigration> applied;  // ordered by version text; see version_less
  bool supabase_table = false;                      // supabase_migrations.schema_migrations exists
  bool ledger = false;                              // migsafe.migrations exists
  // The highest applied version, or "0" when none.
  std::string current_version() const;
};

// A run of migsafe, as recorded in migsafe.runs.
struct RunRecord {
  std::string run_id, pipeline, host, ci_url, backup_id, from_version, to_version;
};

// A run whose row still says "running" although no session holds the run lock: migsafe died
// (kill -9, lost machine) in the middle of it.
struct InterruptedRun {
  std::string run_id, pipeline, host, started_at, backup_id, from_version, to_version;
  std::vector<std::string> applied;  // versions it committed, per the ledger
  std::vector<std::string> partial;  // files whose statements partly committed: "V (statements 1-2 committed, ...)"
  std::map<std::string, int> committed_through;  // for those files: version -> last statement committed
  bool restoring = false;            // it died while restoring its backup after a failure
  bool cut_statement = false;        // it died while a statement of a non-transactional file ran
  std::vector<std::string> invalid_before;  // INVALID indexes that existed before that statement
  // True when the database is not at a migration boundary: a file partly committed, or a restore
  // was under way. A run that died between whole migrations is not partly applied.
  bool partly_applied() const;
};

// Progress through a file whose statements commit one by one (non-transactional statements).
struct StatementProgress {
  std::string run_id, version;
  int statement = 0;  // 1-based, in the file
  int line = 0;
  std::string status;                       // running | committed
  std::vector<std::string> invalid_before;  // INVALID indexes before it ran (for cleanup after a kill)
};

// Records (or updates) one statement's progress in migsafe.statements.
void record_statement(Session& session, const StatementProgress& progress);
// Removes a statement's row (it failed and was cleaned up: nothing of it committed).
void forget_statement(Session& session, const StatementProgress& progress);

// Runs left "running" (or "restoring") by a migsafe that died. Only meaningful while the caller holds the run lock
// (or has just checked that nobody does).
std::vector<InterruptedRun> find_interrupted_runs(Session& session);
// Sets a run's status (e.g. "interrupted") without touching its report.
void mark_run(Session& session, const std::string& run_id, const std::string& status);
// Marks every run left "running" or "restoring" as "restored" (a restore replaced what it left),
// noting `why` in its report; a no-op without the ledger.
void close_interrupted_runs(Session& session, const std::string& why);
// Records the run's backup and target version as soon as they are known.
void record_run_backup(Session& session, const std::string& run_id, const std::string& backup_id,
                       const std::string& to_version);

// Reads both history tables; missing tables mean empty history.
History read_history(Session& session);
// Creates the Supabase CLI's history table (exactly as the CLI does) when `supabase`, and the ledger.
void ensure_history_tables(Session& session, bool supabase);
// The statements that record `migration` as applied by its run (in the caller's transaction, if
// any), as batch pieces (Session::run_batch) run prepared: the same two statements follow every
// migration. The ledger's duration is `duration_ms` plus `extra_ms_sql`, an SQL expression the
// server computes as the row is written (the same text every time for a session).
std::vector<Session::BatchPiece> record_applied(Session& session, bool supabase, const AppliedMigration& migration,
                                               const std::vector<std::string>& statements, long long duration_ms,
                                               const std::string& extra_ms_sql);
// Inserts the run's row with status "running".
void record_run_start(Session& session, const RunRecord& run);
// Sets the run's final status and report.
void record_run_end(Session& session, const std::string& run_id, const std::string& status,
                    const std::string& to_version, const std::string& report_json);

}  // namespace migsafe::pg
