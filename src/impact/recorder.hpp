// Measured lock impact: after each migration statement, in its own transaction, what it locked,
// what it rewrote, how big those relations are and how long it took; and the findings the
// `[safety]` rules draw from that.
#pragma once

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
  // Reads which relations exist and where their storage is; call once before the first statement
  // (outside any transaction is best). Without it, the first measured statement reads them itself.
  void start(pg::Session& session, const config::Safety& safety);

  // Measures the statement that just succeeded on `session` (one catalog query; the first call
  // also reads which relations existed before the run) and appends it to `impact["statements"]`,
  // with any finding under `safety` to `impact["findings"]` (ignored ones to `impact["ignored"]`).
  // Returns "<rule> on <object>: <message>" for the first new finding that fails the run under
  // `safety.fail_on`, so the caller fails the statement; nullopt otherwise.
  std::optional<std::string> after_statement(pg::Session& session, const StatementSource& source, long long duration_ms,
                       const config::Safety& safety, nlohmann::json& impact);

  // Number of statements measured so far.
  size_t measured() const { return measured_; }

 private:
  // Forgets the locks of a transaction that ended: its locks were released at COMMIT/ROLLBACK.
  void enter_transaction(const std::string& vxid);

  bool started_ = false;
  std::map<std::string, pg::RelationState> before_run_;  // oid -> relation, before the first statement
  std::map<std::string, std::string> filenodes_;          // oid -> last seen filenode
  std::set<std::string> known_keys_;                      // locks already attributed, this transaction
  std::set<std::string> held_oids_;                       // relations locked in this transaction
  std::string vxid_;                                      // the current transaction
  size_t measured_ = 0;
};

}  // namespace migsafe::impact
