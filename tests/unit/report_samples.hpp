// Reports built by hand for the renderer tests: a successful run and a failed, rolled-back one,
// with every field a renderer reads, and nothing that depends on the clock.
#pragma once

#include "report/report.hpp"

namespace migsafe::test {

// The common header: pipeline, target, versions, timeouts, backup manifest, first steps.
inline report::Report base_report() {
  report::Report r;
  r.migsafe_version = "0.1.0";
  r.command = "run";
  r.pipeline = "deploy";
  r.pipeline_file = "pipelines/deploy.toml";
  r.run_id = "20240301T120000Z-4f2a";
  r.database_url = "host=db.example.com port=5432 dbname=app user=deploy";
  r.server_version = "15.6";
  r.from_version = "20240101000000";
  r.mode = report::Mode::atomic;
  r.lock_timeout = "5s";
  r.statement_timeout = "10min";
  r.backup = {
      {"backup_id", "20240301T120000Z_app_v20240101000000"},
      {"checksum", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
      {"bytes", 12939428},
      {"status", "verified"},
      {"file", "backups/20240301T120000Z_app_v20240101000000.dump.zst"},
      {"migration_version", "20240101000000"}};
  r.steps = {{"load", report::StepStatus::ok, 3, "2 migrations"},
             {"connect", report::StepStatus::ok, 12, "PostgreSQL 15.6"},
             {"lock", report::StepStatus::ok, 1, ""},
             {"history", report::StepStatus::ok, 4, "1 applied, 2 pending"},
             {"snapshot", report::StepStatus::ok, 40, "sha256:0b1c2d3e4f5a..., 212 catalog facts, 4 tables"},
             {"backup", report::StepStatus::ok, 412, "12.3 MiB, sha256:9f86d081884c..."}};
  return r;
}

// One migration record.
inline report::Migration migration(const std::string& version, const std::string& name,
                                   report::MigrationStatus status, long long ms) {
  report::Migration m;
  m.version = version;
  m.name = name;
  m.status = status;
  m.duration_ms = ms;
  m.checksum = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";
  return m;
}

// A run that applied two migrations, passed its tests and RLS checks, with hooks.
inline report::Report succeeded_report() {
  report::Report r = base_report();
  r.status = report::RunStatus::succeeded;
  r.to_version = "20240301000000";
  r.steps.push_back({"migrate", report::StepStatus::ok, 57, "2 migrations in one transaction"});
  r.steps.push_back({"verify", report::StepStatus::ok, 30, "1 test files, 1 assertions, row-loss guard"});
  r.steps.push_back({"rls", report::StepStatus::ok, 20, "1 findings, 1 cases"});
  r.migrations = {migration("20240201000000", "create_todos", report::MigrationStatus::applied, 21),
                  migration("20240301000000", "add_due_date", report::MigrationStatus::applied, 36)};
  r.tests = nlohmann::json::array({{{"file", "supabase/tests/todos.sql"},
                                    {"planned", 4},
                                    {"run", 4},
                                    {"passed", 4},
                                    {"failed", 0},
                                    {"skipped", 0},
                                    {"failures", nlohmann::json::array()}}});
  r.verify = {{"assertions", {{{"name", "no orphan profiles"}, {"passed", true}}}},
              {"row_loss", {{"violations", nlohmann::json::array()}}}};
  r.rls = {{"findings",
            {{{"lint", "rls_enabled_no_policy"},
              {"level", "warn"},
              {"object", "public.audit_log"},
              {"message", "RLS is enabled but no policy exists"}}}},
           {"cases", {{{"name", "a user sees only their own todos"}, {"passed", true}}}}};
  r.hooks = {{{"name", "before"},
              {"command", "./scripts/maintenance.sh on"},
              {"exit_code", 0},
              {"timed_out", false},
              {"output", "maintenance on\n"},
              {"duration_ms", 15}},
             {{"name", "on_success"},
              {"command", "./scripts/notify.sh"},
              {"exit_code", 0},
              {"timed_out", false},
              {"output", ""},
              {"duration_ms", 8}}};
  return r;
}

// A run whose second migration failed at line 7, rolled back and verified.
inline report::Report failed_report() {
  report::Report r = base_report();
  r.status = report::RunStatus::failed_restored;
  r.exit_code = 1;
  r.to_version = "20240101000000";
  r.steps.push_back({"migrate", report::StepStatus::failed, 25, "20240301000000_add_due_date failed"});
  r.steps.push_back({"rollback", report::StepStatus::ok, 9, "fingerprint equal to the pre-run snapshot"});
  r.migrations = {migration("20240201000000", "create_todos", report::MigrationStatus::rolled_back, 21),
                  migration("20240301000000", "add_due_date", report::MigrationStatus::failed, 4)};
  report::MigrationError e;
  e.sqlstate = "42703";
  e.message = "column \"due\" does not exist";
  e.hint = "Perhaps you meant to reference the column \"todos.due_at\".";
  e.file = "supabase/migrations/20240301000000_add_due_date.sql";
  e.line = 7;
  e.column = 12;
  r.migrations[1].error = e;
  report::Restore restore;
  restore.method = "rollback";
  restore.verified = true;
  restore.fingerprint_before =
      "sha256:0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
  restore.fingerprint_after = restore.fingerprint_before;
  restore.duration_ms = 9;
  r.restore = restore;
  r.hooks = {{{"name", "on_failure"},
              {"command", "./scripts/notify.sh failed"},
              {"exit_code", 0},
              {"timed_out", false},
              {"output", ""},
              {"duration_ms", 7}}};
  return r;
}

}  // namespace migsafe::test
