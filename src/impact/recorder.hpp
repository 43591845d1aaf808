// Measured lock impact: after each migration statement, in its own transaction, what it locked,
// what it rewrote, how big those relations are and how long it took; and the findings the
// `[safety]` rules draw from that.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/pipeline.hpp"
#include "pg/lock_impact.hpp"
#include "pg/session.hpp"

namespace migsafe::impact {

// Where a measured statement was written.
struct StatementSource {
  std::string file;  // the migration file, as the report names it
  int line = 0;      // 1-based line of the statement's first character
  std::string text;  // the statement as run
};

// Follows one run's migration session and builds the report's `impact` object.
class Recorder {
 public:
  // Reads which relations exist and where their storage is, and prepares the lock read on
  // `session`; call before the first statement (outside any transaction is best).
  void start(pg::Session& session, const config::Safety& safety);

  // Which of the next `count` statements a read should follow (sent in their batch, see
  // Session::run_batch), given what the last read found. Reading pg_locks costs time in proportion
  // to the locks the transaction holds, so in a transaction holding more than kExactUpTo a read
  // waits until the statements since the last one number at least held/kLocksPerRead: those
  // statements are then measured together (see docs/lock-impact.md); flush() measures the rest.
  // `read_last`: the last of them is read whatever the rule (its transaction ends after it, and
  // a read then saves flush() a round trip). Empty when nothing is measured.
  std::vector<bool> plan_reads(size_t count, const config::Safety& safety, bool read_last) const;
  // The read of the locks taken since the last read (pg::own_lock_read_sql), prepared on the
  // session given to start(), to send in a batch after a statement.
  pg::Session::BatchPiece read_piece() const;
  static constexpr const char* kReadStatement = "migsafe_lock_read";

  // Records the statement that just succeeded, started at `started`, in `impact["statements"]`;
  // with `read` (the rows of read_piece() sent after it) measures what it and the statements
  // waiting since the last read locked, rewrote and sized. Findings under `safety` go to
  // `impact["findings"]` (ignored ones to `impact["ignored"]`). Returns "<rule> on <object>: <message>"
  // for the first new finding that fails the run under `safety.fail_on`, so the caller fails the
  // statement; nullopt otherwise.
  std::optional<std::string> after_statement(const StatementSource& source, std::chrono::steady_clock::time_point started,
                                             long long duration_ms, const config::Safety& safety, nlohmann::json& impact,
                                             const pg::Rows* read);

  // Measures the statements still waiting for a read (see after_statement); call while their
  // transaction is still open and healthy, before it commits. Returns as after_statement does.
  std::optional<std::string> flush(pg::Session& session, const config::Safety& safety, nlohmann::json& impact);

  // Up to this many locks held, every statement is read on its own; above, a read waits for one
  // statement per kLocksPerRead locks held, which bounds the cost per statement.
  static constexpr size_t kExactUpTo = 256;
  static constexpr size_t kLocksPerRead = 8;

  // The transaction the statements ran in ends now (before its COMMIT, or the rollback that ends a
  // dry run): for each relation that existed before the run and that it held in ACCESS EXCLUSIVE
  // mode, how long — from the start of the statement that took the lock until now — goes to
  // `impact["exclusive_locks"]`; above `[safety] max_exclusive_lock` that is a finding when
  // `budget_findings` (dry runs and plan --analyze: a real run has already held it).
  void end_transaction(const config::Safety& safety, nlohmann::json& impact, bool budget_findings);

  // Where a transaction started, to forget what a rolled-back try of it measured (rewind).
  struct Mark {
    size_t statements = 0, findings = 0, ignored = 0, measured = 0;
    std::map<std::string, std::string> filenodes;
  };
  Mark mark(const nlohmann::json& impact) const;
  // Forgets the statements, findings and storage changes recorded since `mark`: their transaction
  // was rolled back (a lock_timeout retry runs them again).
  void rewind(const Mark& mark, nlohmann::json& impact);

  // Number of statements measured so far.
  size_t measured() const { return measured_; }

 private:
  // Forgets the locks of a transaction that ended: its locks were released at COMMIT/ROLLBACK.
  void enter_transaction(const std::string& vxid);

  // Files what `read` found on the pending statements (the last, or the one naming the relation).
  std::optional<std::string> file_read(const pg::OwnLockRead& read, const config::Safety& safety, nlohmann::json& impact);

  struct Pending {
    StatementSource source;
    size_t entry = 0;  // index in impact["statements"]
    std::chrono::steady_clock::time_point started;
  };
  // The first ACCESS EXCLUSIVE lock of this transaction on a relation that existed before the run.
  struct ExclusiveHold {
    std::string relation;
    StatementSource source;  // the statement that took it (the first of its read, when read together)
    std::chrono::steady_clock::time_point since;
  };
  std::map<std::string, ExclusiveHold> exclusive_;        // oid -> hold, this transaction
  std::vector<Pending> pending_;                          // recorded, not yet measured
  size_t held_ = 0;                                       // own relation locks at the last read (seen keys)

  bool started_ = false;
  std::map<std::string, pg::RelationState> before_run_;  // oid -> relation, before the first statement
  unsigned long max_before_oid_ = 0;                      // the highest oid among them: later ones are the run's own
  std::map<std::string, std::string> filenodes_;          // oid -> last seen filenode
  std::map<std::string, long long> scans_;                // oid -> sequential scans at the last read, this transaction
  std::set<pg::SeenLock> seen_;                           // locks already attributed, this transaction
  std::set<std::string> held_oids_;                       // relations from before the run locked in this transaction
  std::string vxid_;                                      // the current transaction
  size_t measured_ = 0;
};

}  // namespace migsafe::impact
