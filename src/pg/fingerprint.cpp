#include "pg/fingerprint.hpp"

#include <stdexcept>

#include "pg/fingerprint_sql_v1.hpp"
#include "pg/fingerprint_sql_v2.hpp"
#include "pg/object_diff.hpp"
#include "pg/qualified_names.hpp"
#include "pg/session.hpp"

namespace migsafe::pg {
namespace {

// The facts query of `version`; old versions stay here unchanged so old manifests stay verifiable.
const char* facts_sql(int version) {
  switch (version) {
    case 1: return kFingerprintFactsSqlV1;
    case 2: return kFingerprintFactsSqlV2;
    default:
      throw std::invalid_argument("schema fingerprint version " + std::to_string(version) +
                                  " is unknown to this migsafe (it knows " +
                                  std::to_string(kOldestFingerprintVersion) + " to " +
                                  std::to_string(kFingerprintVersion) + "); use a newer migsafe");
  }
}

const char* kFactOrder = " order by kind collate \"C\", ident collate \"C\", def collate \"C\"";

// The server hashes the sorted facts; sorting in the "C" collation keeps the hash stable.
std::string hash_query(const std::string& facts_sql) {
  return "select 'sha256:' || encode(sha256(convert_to(coalesce(string_agg(kind || E'\\t' || ident || "
         "E'\\t' || def, E'\\n' order by kind collate \"C\", ident collate \"C\", def collate \"C\"), ''), "
         "'UTF8')), 'hex') from (" + facts_sql + ") f";
}

std::string replace_param(std::string sql, const std::string& literal) {
  for (size_t at = sql.find("$1"); at != std::string::npos; at = sql.find("$1", at + literal.size())) {
    sql.replace(at, 2, literal);
  }
  return sql;
}

}  // namespace

bool fingerprint_version_known(int version) {
  return version >= kOldestFingerprintVersion && version <= kFingerprintVersion;
}

std::vector<SchemaFact> snapshot_objects(Session& session, const std::vector<std::string>& schemas, int version) {
  QualifiedNames qualified_names(session);
  Rows rows = session.query(std::string(facts_sql(version)) + kFactOrder, {array_param(schemas)});
  std::vector<SchemaFact> facts;
  for (const auto& row : rows.rows) facts.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or("")});
  return facts;
}

Fingerprint take_fingerprint(Session& session, const std::vector<std::string>& schemas, int version) {
  Fingerprint fp;
  fp.version = version;
  {
    QualifiedNames qualified_names(session);
    fp.hash = session.query(hash_query(facts_sql(version)), {array_param(schemas)}).scalar().value_or("");
  }
  fp.facts = snapshot_objects(session, schemas, version);
  return fp;
}

std::string fingerprint_hash_sql(const std::string& schemas_literal, int version) {
  return "(" + hash_query(replace_param(facts_sql(version), schemas_literal)) + ")";
}

std::vector<std::string> fingerprint_differences(const Fingerprint& before, const Fingerprint& after,
                                                 size_t limit) {
  std::vector<std::string> out;
  for (const auto& change : diff_objects(before.facts, after.facts)) out.push_back(describe(change));
  if (out.size() > limit) {
    size_t more = out.size() - limit;
    out.resize(limit);
    out.push_back("... and " + std::to_string(more) + " more differences");
  }
  return out;
}

namespace {

using RowCounts = std::map<std::string, long long>;

// Exact row counts of the tables in `schemas`, in one query. With `before`: only the tables in it
// (one the run created had no rows to lose), and with `skip_unlocked` those this session's
// transaction holds no lock on keep their count from `before`.
RowCounts count_tables(Session& session, const std::vector<std::string>& schemas, const RowCounts* before,
                       bool skip_unlocked) {
  Rows tables = session.query(
      "select n.nspname, c.relname, exists (select 1 from pg_catalog.pg_locks l where l.pid = pg_catalog.pg_backend_pid() "
      "and l.locktype = 'relation' and l.relation = c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
      "where c.relkind = 'r' and n.nspname = any($1::text[]) order by 1, 2",
      {array_param(schemas)});
  RowCounts counts;
  std::string sql;
  for (const auto& row : tables.rows) {
    const std::string name = *row[0] + "." + *row[1];
    if (before) {
      auto known = before->find(name);
      if (known == before->end()) continue;
      if (skip_unlocked && *row[2] == "f") {
        counts[name] = known->second;
        continue;
      }
    }
    const std::string qualified = session.quote_name(*row[0]) + "." + session.quote_name(*row[1]);
    if (!sql.empty()) sql += " union all ";
    sql += "select " + session.quote(name) + ", count(*) from only " + qualified;
  }
  if (sql.empty()) return counts;
  for (const auto& row : session.query(sql).rows) counts[*row[0]] = std::stoll(*row[1]);
  return counts;
}

}  // namespace

RowCounts count_rows(Session& session, const std::vector<std::string>& schemas) {
  return count_tables(session, schemas, nullptr, false);
}

RowCounts count_rows_again(Session& session, const std::vector<std::string>& schemas, const RowCounts& before,
                           bool skip_unlocked) {
  return count_tables(session, schemas, &before, skip_unlocked);
}

}  // namespace migsafe::pg
