// The integration test harness: one real PostgreSQL for the whole run (started by main), a fresh
// database per test, and the real migsafe binary driven as a user would.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/conninfo.hpp"
#include "pg/session.hpp"
#include "util/temp_dir.hpp"

namespace migsafe::test {

// Stops the shared server with a fast shutdown and starts it again (for connection-loss tests).
void restart_server();

// The server all integration tests share.
pg::ConnInfo server(const std::string& dbname = "postgres");

// What a migsafe invocation did.
struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
  // stdout parsed as JSON (for --json runs).
  nlohmann::json json() const;
};

// The state of a whole database, taken without migsafe's code: a schema-only `pg_dump` of every
// schema (its header and psql's random \restrict key taken out) and an md5 per user table of every
// schema over all its rows. `migsafe.runs`, `migsafe.statements` and `migsafe.schema_snapshots` are
// left out of the data: they log each run (its progress, the schema it left), which a restore keeps
// on purpose.
struct Snapshot {
  std::string schema;                        // pg_dump --schema-only, normalised
  std::map<std::string, std::string> data;   // "schema.table" -> md5 of its rows, sorted
};

// Empty when `a` and `b` are equal, else the differences, one line each (a unified-style excerpt
// of the schema dump and each table whose data differs): for INFO/CHECK messages.
std::string differences(const Snapshot& a, const Snapshot& b);

// A test's own database and project directory (pipeline file, migrations, backups).
class Project {
 public:
  // Creates database `<name>` (dropping a leftover one) with the Supabase shim, and a temp directory.
  explicit Project(const std::string& name, bool supabase_shim = true);
  ~Project();

  // Connection to this test's database.
  pg::ConnInfo conninfo() const { return server(db_); }
  // The URL-ish keyword string to pass as --db.
  std::string db_arg() const { return conninfo().without_password(); }
  // A new session on this test's database.
  std::unique_ptr<pg::Session> session() const;
  // Runs `sql` on this test's database.
  pg::Rows query(const std::string& sql) const;
  // First column of the first row of `sql`.
  std::string value(const std::string& sql) const;

  // Writes `migrations/<file>` with `sql`.
  void migration(const std::string& file, const std::string& sql) const;
  // Writes `pipeline.toml` with `body` (a default body when empty).
  void pipeline(const std::string& body = "") const;
  // The project directory.
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path pipeline_path() const { return dir() / "pipeline.toml"; }

  // Runs migsafe with `args`; "{pipeline}" and "{db}" are replaced.
  // With `shell_prefix` (e.g. "ulimit -f 8; "), runs it through /bin/sh with that prefix.
  Outcome migsafe(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                  const std::string& shell_prefix = "") const;

  // Starts migsafe with `args` in the background (output to files in the project dir); returns its pid.
  int spawn_migsafe(const std::vector<std::string>& args) const;
  // Waits for a spawned migsafe; returns its exit code, or 128 + signal.
  static int wait_migsafe(int pid);
  // Waits up to `seconds` until a backend of this database runs a query containing `text`.
  bool wait_for_query(const std::string& text, int seconds = 20) const;

  // The database as tools other than migsafe see it: judges restores independently of migsafe.
  // Schemas in `leave_out` are left out (e.g. the ledger a first run creates).
  Snapshot snapshot(const std::vector<std::string>& leave_out = {}) const;

 private:
  std::string db_;
  util::TempDir dir_;
};

// The whole content of the file at `path` (empty if it cannot be read).
std::string read_file(const std::filesystem::path& path);

// The default pipeline body for a project.
std::string default_pipeline_body();
// The default body with the first `anchor` replaced by `replacement`.
std::string pipeline_body_with(const std::string& anchor, const std::string& replacement);

}  // namespace migsafe::test
