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
CREATE TABLE IF NOT EXISTS migsafe.statements (
  run_id         text NOT NULL,
  version        text NOT NULL,
  statement      int NOT NULL,
  line           int,
  status         text NOT NULL,
  invalid_before text[],
  at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, version, statement)
);
CREATE TABLE IF NOT EXISTS migsafe.schema_snapshots (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  taken_at            timestamptz NOT NULL DEFAULT now(),
  source              text NOT NULL,
  run_id              text,
  backup_id           text,
  schemas             text[] NOT NULL,
  fingerprint         text NOT NULL,
  fingerprint_version int NOT NULL,
  objects             jsonb NOT NULL
);
)SQL";

bool table_exists(Session& session, const char* qualified) {
  return session.query("select to_regclass($1) is not null", {std::string(qualified)}).scalar() == "t";
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
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

std::vector<Session::BatchPiece> record_applied(Session& session, bool supabase, const AppliedMigration& m,
                                               const std::vector<std::string>& statements, long long duration_ms,
                                               const std::string& extra_ms_sql) {
  std::vector<Session::BatchPiece> out;
  if (supabase) {
    session.prepare("migsafe_record_supabase",
                    "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) "
                    "VALUES($1::text, $2::text, $3::text[])");
    out.push_back({"migsafe_record_supabase", false, true, {m.version, m.name, array_param(statements)}});
  }
  session.prepare("migsafe_record_ledger",
                  "INSERT INTO migsafe.migrations(version, name, checksum, duration_ms, run_id, backup_id) "
                  "VALUES($1::text, $2::text, $3::text, ($4::bigint + " + extra_ms_sql + ")::bigint, $5::text, $6::text) "
                  "ON CONFLICT (version) DO UPDATE SET name = excluded.name, checksum = excluded.checksum, "
                  "applied_at = now(), duration_ms = excluded.duration_ms, run_id = excluded.run_id, "
                  "backup_id = excluded.backup_id");
  out.push_back({"migsafe_record_ledger", false, true,
                 {m.version, m.name, m.checksum.value_or(""), std::to_string(duration_ms), m.run_id, m.backup_id}});
  return out;
}

void record_run_start(Session& session, const RunRecord& run) {
  session.query(
      "INSERT INTO migsafe.runs(run_id, pipeline, status, host, ci_url, backup_id, from_version) "
      "VALUES($1, $2, 'running', $3, nullif($4, ''), nullif($5, ''), $6)",
      {run.run_id, run.pipeline, run.host, run.ci_url, run.backup_id, run.from_version});
}

bool InterruptedRun::partly_applied() const { return restoring || !partial.empty(); }

namespace {

// The files of `run` whose statements partly committed (no ledger row for the file), and the
// INVALID indexes that existed before a statement it was running when it died.
void read_progress(Session& session, InterruptedRun& run) {
  const char* partial_sql =
      "select s.version, max(s.statement) filter (where s.status = 'committed'), "
      "coalesce((select max(line) from migsafe.statements t where t.run_id = s.run_id and t.version = s.version "
      "and t.status = 'committed'), 0) from migsafe.statements s where s.run_id = $1 "
      "and not exists (select 1 from migsafe.migrations m where m.version = s.version) "
      "group by s.run_id, s.version having count(*) filter (where s.status = 'committed') > 0 order by 1";
  for (const auto& row : session.query(partial_sql, {run.run_id}).rows) {
    run.partial.push_back(*row[0] + " (statements 1-" + *row[1] + " committed, up to line " + *row[2] + ")");
    run.committed_through[*row[0]] = std::stoi(*row[1]);
  }
  const char* running_sql =
      "select coalesce(array_to_string(invalid_before, ','), '') from migsafe.statements "
      "where run_id = $1 and status = 'running'";
  for (const auto& row : session.query(running_sql, {run.run_id}).rows) {
    run.cut_statement = true;
    std::string list = *row[0];
    for (size_t start = 0; !list.empty() && start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      run.invalid_before.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
  }
}

}  // namespace

void record_statement(Session& session, const StatementProgress& p) {
  session.query(
      "INSERT INTO migsafe.statements(run_id, version, statement, line, status, invalid_before) "
      "VALUES($1, $2, $3, $4, $5, string_to_array(nullif($6, ''), ',')) ON CONFLICT (run_id, version, statement) "
      "DO UPDATE SET status = excluded.status, at = now()",
      {p.run_id, p.version, std::to_string(p.statement), std::to_string(p.line), p.status, join_names(p.invalid_before)});
}

void forget_statement(Session& session, const StatementProgress& p) {
  session.query("DELETE FROM migsafe.statements WHERE run_id = $1 AND version = $2 AND statement = $3",
                {p.run_id, p.version, std::to_string(p.statement)});
}

std::vector<InterruptedRun> find_interrupted_runs(Session& session) {
  std::vector<InterruptedRun> out;
  if (!table_exists(session, "migsafe.runs")) return out;
  const char* sql =
      "select r.run_id, coalesce(r.pipeline, ''), coalesce(r.host, ''), r.started_at::text, coalesce(r.backup_id, ''), "
      "coalesce(r.from_version, ''), coalesce(r.to_version, ''), "
      "coalesce((select string_agg(m.version, ',' order by m.version) from migsafe.migrations m where m.run_id = r.run_id), ''), "
      "r.status from migsafe.runs r where r.status in ('running', 'restoring') order by r.started_at";
  const bool progress = table_exists(session, "migsafe.statements");
  for (const auto& row : session.query(sql).rows) {
    InterruptedRun run;
    run.run_id = *row[0];
    run.pipeline = *row[1];
    run.host = *row[2];
    run.started_at = *row[3];
    run.backup_id = *row[4];
    run.from_version = *row[5];
    run.to_version = *row[6];
    run.restoring = *row[8] == "restoring";
    if (progress) read_progress(session, run);
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

void close_interrupted_runs(Session& session, const std::string& why) {
  if (!table_exists(session, "migsafe.runs")) return;
  session.query(
      "UPDATE migsafe.runs SET status = 'restored', finished_at = coalesce(finished_at, now()), "
      "report = coalesce(report, '{}'::jsonb) || jsonb_build_object('closed', $1::text) "
      "WHERE status in ('running', 'restoring')",
      {why});
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
