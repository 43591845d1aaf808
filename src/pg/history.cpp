#include "pg/history.hpp"

#include "config/migration_files.hpp"
#include "pg/session.hpp"

namespace migsafe::pg {
namespace {

// The Supabase CLI's own DDL (pkg/migration/history.go), so `supabase migration list` agrees.
const char* kSupabaseHistoryDdl = R"SQL(
CREATE SCHEMA IF NOT EXISTS supabase_migrations;
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[];
ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text;
)SQL";

const char* kLedgerDdl = R"SQL(
CREATE SCHEMA IF NOT EXISTS migsafe;
CREATE TABLE IF NOT EXISTS migsafe.migrations (
  version     text PRIMARY KEY,
  name        text NOT NULL,
  checksum    text NOT NULL,
  applied_at  timestamptz NOT NULL DEFAULT now(),
  duration_ms bigint,
  run_id      text,
  backup_id   text
);
CREATE TABLE IF NOT EXISTS migsafe.runs (
  run_id       text PRIMARY KEY,
  pipeline     text,
  status       text NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  host         text,
  ci_url       text,
  backup_id    text,
  from_version text,
  to_version   text,
  report       jsonb
);
)SQL";

bool table_exists(Session& session, const char* qualified) {
  return session.query("select to_regclass($1) is not null", {std::string(qualified)}).scalar() == "t";
}

std::optional<std::string> nonempty(const std::optional<std::string>& v) {
  if (!v || v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string History::current_version() const {
  std::string best = "0";
  for (const auto& [version, m] : applied) {
    if (config::version_less(best, version)) best = version;
  }
  return best;
}

History read_history(Session& session) {
  History h;
  h.supabase_table = table_exists(session, "supabase_migrations.schema_migrations");
  h.ledger = table_exists(session, "migsafe.migrations");
  if (h.supabase_table) {
    for (const auto& row : session.query("select version, coalesce(name, '') from supabase_migrations.schema_migrations").rows) {
      h.applied[*row[0]] = AppliedMigration{*row[0], *row[1], std::nullopt, "", "", ""};
    }
  }
  if (h.ledger) {
    const char* sql =
        "select version, name, checksum, to_char(applied_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "coalesce(run_id, ''), coalesce(backup_id, '') from migsafe.migrations";
    for (const auto& row : session.query(sql).rows) {
      h.applied[*row[0]] = AppliedMigration{*row[0], *row[1], nonempty(row[2]), *row[3], *row[4], *row[5]};
    }
  }
  return h;
}

void ensure_history_tables(Session& session, bool supabase) {
  if (supabase) session.exec(kSupabaseHistoryDdl);
  session.exec(kLedgerDdl);
}

void record_applied(Session& session, bool supabase, const AppliedMigration& m,
                    const std::vector<std::string>& statements, long long duration_ms) {
  if (supabase) {
    session.exec("INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES(" +
                 session.quote(m.version) + ", " + session.quote(m.name) + ", " + text_array(session, statements) +
                 ")");
  }
  session.query(
      "INSERT INTO migsafe.migrations(version, name, checksum, duration_ms, run_id, backup_id) "
      "VALUES($1, $2, $3, $4, $5, $6) ON CONFLICT (version) DO UPDATE SET name = excluded.name, "
      "checksum = excluded.checksum, applied_at = now(), duration_ms = excluded.duration_ms, "
      "run_id = excluded.run_id, backup_id = excluded.backup_id",
      {m.version, m.name, m.checksum.value_or(""), std::to_string(duration_ms), m.run_id, m.backup_id});
}

void record_run_start(Session& session, const RunRecord& run) {
  session.query(
      "INSERT INTO migsafe.runs(run_id, pipeline, status, host, ci_url, backup_id, from_version) "
      "VALUES($1, $2, 'running', $3, nullif($4, ''), nullif($5, ''), $6)",
      {run.run_id, run.pipeline, run.host, run.ci_url, run.backup_id, run.from_version});
}

bool InterruptedRun::partly_applied() const {
  if (applied.empty()) return false;
  for (const auto& v : applied) {
    if (v == to_version) return false;
  }
  return true;
}

std::vector<InterruptedRun> find_interrupted_runs(Session& session) {
  std::vector<InterruptedRun> out;
  if (!table_exists(session, "migsafe.runs")) return out;
  const char* sql =
      "select r.run_id, coalesce(r.pipeline, ''), coalesce(r.host, ''), r.started_at::text, coalesce(r.backup_id, ''), "
      "coalesce(r.from_version, ''), coalesce(r.to_version, ''), "
      "coalesce((select string_agg(m.version, ',' order by m.version) from migsafe.migrations m where m.run_id = r.run_id), '') "
      "from migsafe.runs r where r.status = 'running' order by r.started_at";
  for (const auto& row : session.query(sql).rows) {
    InterruptedRun run{*row[0], *row[1], *row[2], *row[3], *row[4], *row[5], *row[6], {}};
    std::string list = *row[7];
    for (size_t start = 0; !list.empty() && start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      run.applied.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    out.push_back(std::move(run));
  }
  return out;
}

void mark_run(Session& session, const std::string& run_id, const std::string& status) {
  session.query("UPDATE migsafe.runs SET status = $2, finished_at = coalesce(finished_at, now()) WHERE run_id = $1",
                {run_id, status});
}

void record_run_backup(Session& session, const std::string& run_id, const std::string& backup_id,
                       const std::string& to_version) {
  session.query("UPDATE migsafe.runs SET backup_id = $2, to_version = $3 WHERE run_id = $1", {run_id, backup_id, to_version});
}

void record_run_end(Session& session, const std::string& run_id, const std::string& status,
                    const std::string& to_version, const std::string& report_json) {
  session.query(
      "UPDATE migsafe.runs SET status = $2, finished_at = now(), to_version = $3, report = $4::jsonb "
      "WHERE run_id = $1",
      {run_id, status, to_version, report_json});
}

}  // namespace migsafe::pg
