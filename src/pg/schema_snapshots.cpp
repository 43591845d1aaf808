#include "pg/schema_snapshots.hpp"

#include "core/error.hpp"
#include "pg/history.hpp"
#include "pg/object_diff.hpp"
#include "pg/session.hpp"

namespace migsafe::pg {
namespace {

constexpr int kSnapshotsKept = 20;

bool ledger_exists(Session& session) {
  return session.query("select to_regclass('migsafe.runs') is not null").scalar() == "t";
}

std::vector<std::string> split_array(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; !text.empty() && start <= text.size();) {
    size_t end = text.find('\x1f', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string store_snapshot(Session& session, const std::string& source, const std::string& run_id,
                           const std::string& backup_id, const std::vector<std::string>& schemas,
                           const std::vector<SchemaFact>& objects) {
  ensure_history_tables(session, false);
  std::vector<std::string> kinds, idents, defs;
  for (const auto& f : objects) {
    kinds.push_back(f.kind);
    idents.push_back(f.identity);
    defs.push_back(f.definition);
  }
  const std::string fingerprint = hash_facts(objects);
  // The definitions go in as jsonb and come back as the server prints jsonb: the same text, since
  // the catalog query printed them that way.
  session.query(
      "INSERT INTO migsafe.schema_snapshots(source, run_id, backup_id, schemas, fingerprint, fingerprint_version, objects) "
      "SELECT $1, nullif($2, ''), nullif($3, ''), $4::text[], $5, $6::int, coalesce((SELECT jsonb_object_agg(kind, members) "
      "FROM (SELECT kind, jsonb_object_agg(ident, def::jsonb) AS members FROM unnest($7::text[], $8::text[], $9::text[]) "
      "AS u(kind, ident, def) GROUP BY kind) k), '{}')",
      {source, run_id, backup_id, array_param(schemas), fingerprint, std::to_string(kFingerprintVersion),
       array_param(kinds), array_param(idents), array_param(defs)});
  session.exec("DELETE FROM migsafe.schema_snapshots WHERE id NOT IN (SELECT id FROM migsafe.schema_snapshots "
               "ORDER BY id DESC LIMIT " + std::to_string(kSnapshotsKept) + ")");
  return fingerprint;
}

std::string store_live_snapshot(Session& session, const std::string& source, const std::string& run_id,
                                const std::string& backup_id, const std::vector<std::string>& schemas,
                                bool create_ledger) {
  if (!create_ledger && !ledger_exists(session)) return "";
  return store_snapshot(session, source, run_id, backup_id, schemas, snapshot_objects(session, schemas));
}

namespace {

// The newest snapshot matching `where` (SQL over migsafe.schema_snapshots with $1.. `params`).
std::optional<StoredSnapshot> load_newest(Session& session, const std::string& where,
                                          const std::vector<std::optional<std::string>>& params) {
  if (session.query("select to_regclass('migsafe.schema_snapshots') is not null").scalar() != "t") return std::nullopt;
  Rows rows = session.query(
      "select id, to_char(taken_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), source, coalesce(run_id, ''), "
      "coalesce(backup_id, ''), array_to_string(schemas, E'\\x1f'), fingerprint, fingerprint_version "
      "from migsafe.schema_snapshots where " + where + " order by id desc limit 1",
      params);
  if (rows.rows.empty()) return std::nullopt;
  const auto& row = rows.rows.front();
  StoredSnapshot s;
  s.id = std::stoll(*row[0]);
  s.taken_at = *row[1];
  s.source = *row[2];
  s.run_id = *row[3];
  s.backup_id = *row[4];
  s.schemas = split_array(*row[5]);
  s.fingerprint = *row[6];
  s.fingerprint_version = std::stoi(*row[7]);
  for (const auto& o : session.query("select k.key, i.key, i.value::text from migsafe.schema_snapshots s "
                                     "cross join lateral jsonb_each(s.objects) k cross join lateral jsonb_each(k.value) i "
                                     "where s.id = $1",
                                     {*row[0]}).rows) {
    s.objects.push_back({*o[0], *o[1], *o[2]});
  }
  if (hash_facts(s.objects) != s.fingerprint) {
    throw Error(Exit::refused, "the stored schema snapshot " + std::to_string(s.id) + " (" + s.source + ", " +
                                   s.taken_at + ") does not match its fingerprint: migsafe.schema_snapshots was "
                                   "edited; accept the live schema with `migsafe drift PIPELINE --accept` once checked");
  }
  return s;
}

}  // namespace

std::optional<StoredSnapshot> latest_baseline(Session& session) {
  return load_newest(session, "source in ($1, $2, $3)",
                     {std::string(kSnapshotOfRun), std::string(kSnapshotOfRestore), std::string(kSnapshotAccepted)});
}

std::optional<StoredSnapshot> snapshot_of_backup(Session& session, const std::string& backup_id) {
  return load_newest(session, "source = $1 and backup_id = $2", {std::string(kSnapshotOfBackup), backup_id});
}

}  // namespace migsafe::pg
