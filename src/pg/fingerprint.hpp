// The schema fingerprint: the hash of an object-level snapshot of the owned schemas — a sorted list
// of (kind, identity, definition), one per object (tables, columns, types, constraints, indexes,
// policies, functions, triggers, views, grants, publications, default privileges, ... and what
// outside the owned schemas depends on them; docs/fingerprint.md has the list). OIDs and physical
// details are left out, so a database restored from a dump has the same fingerprint as the one
// dumped. Versioned: a manifest records the version it was made with, and every version stays
// computable so old manifests stay verifiable.
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

// The fingerprint version new snapshots and manifests use.
inline constexpr int kFingerprintVersion = 2;
// The oldest version still computable (manifests without a version are version 1).
inline constexpr int kOldestFingerprintVersion = 1;

// A fingerprint and the facts it was computed from.
struct Fingerprint {
  std::string hash;                // "sha256:<hex>"
  std::vector<SchemaFact> facts;   // sorted by kind, identity, definition (bytewise)
  int version = kFingerprintVersion;  // the catalog query it was computed with
};

// The object-level snapshot of `schemas`: every object as a fact, sorted. Two snapshots diff object
// by object (fingerprint_differences); the fingerprint is the hash of this list.
std::vector<SchemaFact> snapshot_objects(Session& session, const std::vector<std::string>& schemas,
                                         int version = kFingerprintVersion);

// Computes the fingerprint of `schemas` with catalog query `version` (the hash is computed by the
// server from the same facts). Throws std::invalid_argument for a version this build does not know.
Fingerprint take_fingerprint(Session& session, const std::vector<std::string>& schemas,
                             int version = kFingerprintVersion);

// A SQL expression (a scalar subquery) that evaluates to the fingerprint hash of `schemas_literal`
// (a SQL text[] literal) with catalog query `version`, for checks that must run inside another
// transaction. The expression expects search_path to be empty (names fully qualified).
std::string fingerprint_hash_sql(const std::string& schemas_literal, int version = kFingerprintVersion);

// True when this build can compute fingerprints of `version`.
bool fingerprint_version_known(int version);

// Human lines describing how `after` differs from `before`, object by object (pg/object_diff.hpp:
// "+ index public.x_idx added: CREATE INDEX ...", "~ column public.t.c: type integer → bigint"),
// at most `limit` lines.
std::vector<std::string> fingerprint_differences(const Fingerprint& before, const Fingerprint& after,
                                                 size_t limit = 20);

// Exact row counts of every table (and partitioned table's partitions) in `schemas`, by "schema.table".
std::map<std::string, long long> count_rows(Session& session, const std::vector<std::string>& schemas);

// The tables of `before` (count_rows before a run) counted again, those that still exist: a table
// created since had no rows to lose, so it is not counted. With `skip_unlocked`, a table the
// session's open transaction holds no lock on keeps its count from `before` instead (nothing the
// transaction did can have changed its rows: every change to a table, by DML, DDL, a trigger or a
// cascade, locks it).
std::map<std::string, long long> count_rows_again(Session& session, const std::vector<std::string>& schemas,
                                                  const std::map<std::string, long long>& before, bool skip_unlocked);

}  // namespace migsafe::pg
