// The schema fingerprint: a stable hash over the catalog facts of the owned schemas (tables,
// columns, types, constraints, indexes, policies, RLS flags, functions, triggers, views, grants,
// sequences, extensions, comments). OIDs and physical details are left out, so a database restored
// from a dump has the same fingerprint as the one dumped.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace migsafe::pg {

class Session;

// One catalog fact, e.g. {"column", "public.todos.title", "2 text not null default ''"}.
struct SchemaFact {
  std::string kind;        // relation, column, constraint, index, trigger, policy, function, ...
  std::string identity;    // schema-qualified name
  std::string definition;  // everything about it that matters, as text
};

// A fingerprint and the facts it was computed from.
struct Fingerprint {
  std::string hash;                // "sha256:<hex>"
  std::vector<SchemaFact> facts;   // sorted by kind, identity
};

// Computes the fingerprint of `schemas` (the hash is computed by the server from the same facts).
Fingerprint take_fingerprint(Session& session, const std::vector<std::string>& schemas);

// A SQL expression (a scalar subquery) that evaluates to the fingerprint hash of `schemas_literal`
// (a SQL text[] literal), for checks that must run inside another transaction.
std::string fingerprint_hash_sql(const std::string& schemas_literal);

// Human lines describing how `after` differs from `before` ("+ index public.x_idx", "- table ...",
// "~ column public.t.c: ..."), at most `limit` lines.
std::vector<std::string> fingerprint_differences(const Fingerprint& before, const Fingerprint& after,
                                                 size_t limit = 20);

// Exact row counts of every table (and partitioned table's partitions) in `schemas`, by "schema.table".
std::map<std::string, long long> count_rows(Session& session, const std::vector<std::string>& schemas);

}  // namespace migsafe::pg
