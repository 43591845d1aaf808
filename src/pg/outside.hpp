// What lies outside the owned schemas, object by object and table by table: taken before a run so
// that a restore after a failed per-migration run can undo what the run did outside them (a policy
// on storage.objects, a row in storage.buckets, a grant) and prove that nothing is left over.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace migsafe::pg {

class Session;

// One object outside the owned schemas (or its privileges, type "privileges").
struct OutsideObject {
  std::string type;          // pg_identify_object's type: "policy", "trigger", "table column", ...
  std::string identity;      // its identity, quoted and schema-qualified
  std::string definition;    // everything about it that matters, as text
  unsigned long classid = 0, objid = 0;  // the catalog row (OIDs change when an object is recreated)
  int objsubid = 0;          // column number for columns, else 0
  std::string drop_sql;      // statement that removes it (empty: none)
  std::string grant_target;  // type "privileges": "TABLE storage.buckets", ... for GRANT/REVOKE
  std::string acl;           // type "privileges": the ACL as aclitem[] text
  // "type identity", the key two snapshots are compared by.
  std::string key() const { return type + " " + identity; }
};

// The state outside the owned schemas: every object, and a hash of each user table's rows.
struct OutsideSnapshot {
  bool taken = false;                        // false: no snapshot (nothing to compare)
  std::vector<OutsideObject> objects;        // sorted by key()
  std::map<std::string, std::string> data;   // qualified table -> "rows:hash"
};

// Takes the snapshot of everything outside `owned` (system schemas and migsafe's history schemas
// excepted). Reads every row of every such table once.
OutsideSnapshot take_outside_snapshot(Session& session, const std::vector<std::string>& owned);

// Human lines naming what differs between `before` and `after` ("policy \"p\" on storage.objects:
// not there before", "table storage.buckets: rows differ"), at most `limit` lines.
std::vector<std::string> outside_differences(const OutsideSnapshot& before, const OutsideSnapshot& after,
                                             size_t limit = 50);

// The statements (REVOKE/GRANT) that give `grant_target` the ACL `want` instead of `have`.
std::string revert_privileges_sql(Session& session, const std::string& grant_target, const std::string& want,
                                  const std::string& have);

// The order-independent hash of `table`'s rows (as in OutsideSnapshot::data).
std::string table_data_hash(Session& session, const std::string& qualified_table);

}  // namespace migsafe::pg
