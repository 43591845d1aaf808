// What a restore will run, worked out before anything changes: which archive entries come back,
// what is dropped first, and how the failed run's changes outside the owned schemas are undone.
// restore.cpp explains the design.
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "backup/toc.hpp"

namespace migsafe::pg {
class Session;
struct OutsideSnapshot;
}  // namespace migsafe::pg

namespace migsafe::backup {

struct RestoreRequest;

// One table outside the owned schemas whose rows the failed run changed.
struct DataRevert {
  std::string table;    // qualified name
  std::string scratch;  // temp table the archive's rows are loaded into
  std::string prepare_sql;  // creates the scratch table (before the archive's rows are loaded)
  std::string apply_sql;    // puts the table's rows back to the scratch table's, if the run alone changed them
};

// The restore, as scripts and pg_restore lists.
struct RestorePlan {
  std::string undo_outside;           // REVOKE/GRANT and DROP of what the run changed outside
  std::vector<DataRevert> reverts;    // tables outside whose rows come back
  std::string revert_list;            // pg_restore --use-list of those tables' TABLE DATA
  std::string drop;                   // empties the owned schemas and what must come back whole
  std::string list;                   // pg_restore --use-list of the main restore
  std::vector<std::string> notes;     // what the plan decided beyond the owned schemas, for the report
};

// Works out the plan for `request` over `toc` (read with --verbose, for dependencies). Queries the
// database through `session` and tries the drop in a transaction it rolls back.
RestorePlan plan_restore(pg::Session& session, const std::vector<TocEntry>& toc, const RestoreRequest& request);

}  // namespace migsafe::backup
