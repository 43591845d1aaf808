// Two object-level snapshots (pg::snapshot_objects), compared object by object: what was added,
// removed or changed, and for a change each field before → after ("using: (owner_id = 1) → true",
// "grant SELECT to anon: added"). Drift, exit 3 and restore drills all explain themselves with it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/fingerprint.hpp"

namespace migsafe::pg {

// One field of an object that differs; an absent value is "(none)".
struct FieldChange {
  std::string field;   // "using", "grants", "options.security_invoker", "definition line 3", ...
  std::string before;  // as text
  std::string after;
  std::string note;    // for grants: "grant SELECT to anon: added"; else empty
};

// One object that was added, removed or changed.
struct ObjectChange {
  enum class How { added, removed, changed };
  How how = How::changed;
  std::string kind;      // as shown: "table", "view", "column", "policy", "grant" is never one
  std::string identity;  // schema-qualified name
  std::vector<FieldChange> fields;  // for `changed`
  std::string summary;   // for added/removed: the object's main definition, when it has one
};

// The objects of `after` that differ from `before`, sorted by kind and identity.
std::vector<ObjectChange> diff_objects(const std::vector<SchemaFact>& before, const std::vector<SchemaFact>& after);

// One line per change, e.g. `~ policy public.todos."todos: owner": using: (owner_id = 1) → true`,
// `+ index public.todos_title: CREATE INDEX ...`, `- view public.v`.
std::string describe(const ObjectChange& change);

// The change as JSON: {change, kind, identity, fields: [{field, before, after}], summary}.
nlohmann::json to_json(const ObjectChange& change);

// The sha256 ("sha256:<hex>") of `facts` as the fingerprint hashes them: sorted by kind, identity,
// definition (bytewise), one "kind\tidentity\tdefinition" line each, joined by "\n".
std::string hash_facts(std::vector<SchemaFact> facts);

}  // namespace migsafe::pg
