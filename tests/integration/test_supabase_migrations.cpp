// Migration files as the Supabase CLI reads, orders, runs and records them, judged by the CLI
// itself: each fixture project under tests/fixtures/<shape>/ is applied by migsafe to one database
// and by `supabase migration up` (npm supabase@2.117.0, installed in .tools/ by scripts/setup.sh)
// to a second fresh one; the history rows must be equal, and `supabase migration list` must agree
// with `migsafe status`. Refused shapes must leave the database as pg_dump saw it before.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "pg/tools.hpp"
#include "util/process.hpp"
#include "util/temp_dir.hpp"

using migsafe::test::Outcome;
using migsafe::test::Project;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(MIGSAFE_SOURCE_DIR) / "tests" / "fixtures";
const fs::path kSupabaseCli = fs::path(MIGSAFE_SOURCE_DIR) / ".tools" / "node_modules" / ".bin" / "supabase";

// `text` with every run of white space made one space: the console wraps long lines.
std::string unwrapped(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!space) out += c;
    else if (!out.empty() && out.back() != ' ') out += ' ';
  }
  return out;
}

// Copies the migrations of fixture `shape` into `dir`.
void copy_migrations(const std::string& shape, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(kFixtures / shape / "supabase" / "migrations")) {
    fs::copy_file(entry.path(), dir / entry.path().filename(), fs::copy_options::overwrite_existing);
  }
}

// A project whose migrations are those of fixture `shape`.
void use_fixture(const Project& p, const std::string& shape, const std::string& pipeline_extra = "") {
  copy_migrations(shape, p.dir() / "migrations");
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"\n", "dir = \"migrations\"\n" + pipeline_extra));
}

// The Supabase CLI, run in a project directory holding supabase/migrations of fixture `shape`.
class SupabaseCli {
 public:
  explicit SupabaseCli(const std::string& shape) : workdir_("migsafe-supabase-cli-") {
    copy_migrations(shape, workdir_.path() / "supabase" / "migrations");
  }
  // Runs `supabase ARGS --workdir DIR` against `db`.
  migsafe::util::ProcessResult run(const std::vector<std::string>& args, const Project& db) const {
    INFO(kSupabaseCli.string() + " is missing: run scripts/setup.sh");
    REQUIRE(fs::exists(kSupabaseCli));
    migsafe::util::Command c;
    c.argv = {kSupabaseCli.string()};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    for (const std::string& a : {std::string("--db-url"), db.db_arg(), std::string("--workdir"), workdir_.path().string()}) {
      c.argv.push_back(a);
    }
    c.env = {{"DO_NOT_TRACK", "1"}, {"SUPABASE_TELEMETRY_DISABLED", "1"}};
    c.stderr_to_stdout = true;
    return migsafe::util::run_process(c);
  }

 private:
  migsafe::util::TempDir workdir_;
};

// The history rows as text: "version|name|statements as JSON", in version order.
std::vector<std::string> history(const Project& p) {
  std::vector<std::string> rows;
  auto result = p.query(
      "select version || '|' || coalesce(name, '<null>') || '|' || coalesce(array_to_json(statements)::text, '<null>') "
      "from supabase_migrations.schema_migrations order by version");
  for (const auto& row : result.rows) rows.push_back(*row[0]);
  return rows;
}

// `s` without surrounding white space and the backticks the CLI's table puts around values.
std::string trim(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '`'), s.end());
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// `supabase migration list`: local version -> whether the remote column has it too.
std::map<std::string, bool> cli_list(const SupabaseCli& cli, const Project& db) {
  auto r = cli.run({"migration", "list"}, db);
  INFO(r.stdout_text);
  REQUIRE(r.ok());
  std::map<std::string, bool> out;
  std::istringstream lines(r.stdout_text);
  for (std::string line; std::getline(lines, line);) {
    const size_t bar = line.find('|');
    if (bar == std::string::npos || line.find("Local") != std::string::npos) continue;
    const std::string local = trim(line.substr(0, bar));
    const std::string rest = line.substr(bar + 1);
    const std::string remote = trim(rest.substr(0, rest.find('|')));
    if (local.empty() || local.find_first_not_of("0123456789") != std::string::npos) continue;
    out[local] = remote == local;
  }
  return out;
}

// `migsafe status --json`: version -> whether it is applied.
std::map<std::string, bool> migsafe_status(const Project& p) {
  Outcome r = p.migsafe({"status", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, bool> out;
  const nlohmann::json report = r.json();  // kept: a loop over a temporary's member would dangle
  for (const auto& m : report["migrations"]) out[m["version"].get<std::string>()] = m["status"] == "applied";
  return out;
}

// The whole database as pg_dump sees it: schema, and the data of `schemas`.
std::string dump(const Project& p, const std::vector<std::string>& data_schemas) {
  const std::string pg_dump = migsafe::pg::find_pg_tool("pg_dump", 15, "", 3);
  auto run = [&](std::vector<std::string> args) {
    migsafe::util::Command c;
    c.argv = {pg_dump, "--no-owner", "--dbname", p.db_arg()};
    c.argv.insert(c.argv.end(), args.begin(), args.end());
    auto r = migsafe::util::run_process(c);
    INFO(r.stderr_text);
    REQUIRE(r.ok());
    // pg_dump 15.14+ brackets its output with \restrict/\unrestrict and a random key.
    std::istringstream lines(r.stdout_text);
    std::string kept;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) kept += line + "\n";
    }
    return kept;
  };
  std::string out = run({"--schema-only"});
  std::vector<std::string> data{"--data-only"};
  for (const auto& s : data_schemas) data.push_back("--schema=" + s);
  return out + run(data);
}

// Applies fixture `shape` with the Supabase CLI to a fresh database, and checks the CLI's history
// rows equal migsafe's on `p` and both tools agree on what is applied.
void compare_with_cli(const Project& p, const std::string& shape, const std::string& db_name, size_t expected_rows) {
  Project cli_db(db_name);
  SupabaseCli cli(shape);
  auto up = cli.run({"migration", "up"}, cli_db);
  INFO(up.stdout_text);
  REQUIRE(up.ok());
  CHECK(history(p).size() == expected_rows);
  CHECK(history(p) == history(cli_db));
  CHECK(cli_list(cli, p) == migsafe_status(p));
}

}  // namespace

TEST_CASE("12/13/14-digit versions run in file-name order; history and list equal the Supabase CLI's",
          "[supabase_cli][migration_files]") {
  Project p("sb_mixed_versions");
  use_fixture(p, "mixed_versions");
  // Part first: status and `supabase migration list` agree on a half-applied database.
  Outcome first = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "2024041012052"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(unwrapped(first.err).find("notes.sql: skipped, not a migration file name") != std::string::npos);
  SupabaseCli cli("mixed_versions");
  auto half = cli_list(cli, p);
  CHECK(half == migsafe_status(p));
  CHECK(half == std::map<std::string, bool>{{"20230517185943", true}, {"2024041012052", true}, {"202406201411", false}});

  Outcome rest = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(rest.err);
  REQUIRE(rest.exit_code == 0);
  auto report = rest.json();
  CHECK(report["status"] == "succeeded");
  REQUIRE(report["migrations"].size() == 1);
  CHECK(report["migrations"][0]["name"] == "seed-todos@v2");
  CHECK(report["warnings"].dump().find("notes.sql") != std::string::npos);
  CHECK(p.value("select count(*) from public.todos where start_date is not null") == "1");
  compare_with_cli(p, "mixed_versions", "sb_mixed_versions_cli", 3);
  CHECK(history(p)[1].rfind("2024041012052|start.date col|", 0) == 0);
}

TEST_CASE("[migrations] strict = true makes a .sql file that is not a migration an error (exit 2)",
          "[supabase_cli][migration_files]") {
  Project p("sb_strict");
  use_fixture(p, "mixed_versions", "strict = true\n");
  for (const char* command : {"validate", "run"}) {
    std::vector<std::string> args{command, "{pipeline}"};
    if (std::string(command) == "run") args.insert(args.end(), {"--db", "{db}"});
    Outcome r = p.migsafe(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(unwrapped(r.err).find("notes.sql: not a migration file name") != std::string::npos);
  }
  CHECK(p.value("select to_regclass('public.todos') is null") == "t");
}

TEST_CASE("an enum value added and used by the next migration commits at that boundary and succeeds",
          "[supabase_cli][commit_points]") {
  Project p("sb_enum_commit");
  use_fixture(p, "enum_commit_point");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "20240101000000"}).exit_code == 0);

  Outcome plan = p.migsafe({"plan", "{pipeline}", "--db", "{db}"});
  CHECK(plan.exit_code == 0);
  CHECK(unwrapped(plan.err).find("commit point: the run commits after this migration: 20240102000000_add_meh.sql:2 adds value "
                      "'meh' to enum public.mood and 20240103000000_use_meh.sql uses it") != std::string::npos);

  Outcome run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(unwrapped(run.err).find("2 applied (atomic, committed after 20240102000000_add_meh)") != std::string::npos);
  auto report = run.json();
  CHECK(report["status"] == "succeeded");
  CHECK(report["mode"] == "atomic");
  REQUIRE(report["commit_points"].size() == 1);
  CHECK(report["commit_points"][0]["after_version"] == "20240102000000");
  CHECK(report["mode_reason"].get<std::string>().find("commits after 20240102000000_add_meh") != std::string::npos);
  CHECK(p.value("select string_agg(mood::text, ',' order by id) from public.people") == "happy,meh");
  compare_with_cli(p, "enum_commit_point", "sb_enum_commit_cli", 3);
}

TEST_CASE("a failure after a commit point is restored from the backup (exit 1), as pg_dump shows",
          "[commit_points][failure]") {
  Project p("sb_enum_commit_fail");
  use_fixture(p, "enum_commit_point");
  p.migration("20240104000000_broken.sql", "insert into public.people values (3, 'sad');\nselect 1/0;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "20240101000000"}).exit_code == 0);
  const std::string before = dump(p, {"public", "supabase_migrations"});

  Outcome run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  CHECK(run.exit_code == 1);
  auto report = run.json();
  CHECK(report["status"] == "failed_restored");
  CHECK(report["restore"]["method"] == "pg_restore");
  CHECK(report["restore"]["verified"] == true);
  CHECK(report["commit_points"][0]["after_version"] == "20240102000000");
  CHECK(report["migrations"][2]["error"]["sqlstate"] == "22012");
  CHECK(report["migrations"][2]["error"]["line"] == 2);
  CHECK(dump(p, {"public", "supabase_migrations"}) == before);
  CHECK(p.value("select count(*) from pg_enum where enumlabel = 'meh'") == "0");
}

TEST_CASE("a migration wrapped in its own BEGIN ... COMMIT runs as one unit; history equals the CLI's",
          "[supabase_cli][transactions]") {
  Project p("sb_own_transaction");
  use_fixture(p, "own_transaction");
  Outcome run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto report = run.json();
  CHECK(report["mode"] == "atomic");
  CHECK(report["mode_reason"] == "");
  CHECK(p.value("select count(*) from public.ledger") == "1");
  compare_with_cli(p, "own_transaction", "sb_own_transaction_cli", 3);
  CHECK(history(p)[0].find("\\nBEGIN\"") != std::string::npos);  // recorded as the CLI records it
}

TEST_CASE("a COMMIT in the middle of a migration is refused at file:line before anything runs (exit 2)",
          "[transactions]") {
  Project p("sb_mid_file_commit");
  use_fixture(p, "mid_file_commit");
  const std::string before = dump(p, {"public"});
  for (const char* command : {"validate", "plan", "run"}) {
    std::vector<std::string> args{command, "{pipeline}", "--json"};
    if (std::string(command) != "validate") args.insert(args.end(), {"--db", "{db}"});
    Outcome r = p.migsafe(args);
    INFO(command << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(unwrapped(r.err).find("20240102000000_commit_inside.sql:3:1: COMMIT in the middle of a migration") !=
          std::string::npos);
    if (std::string(command) == "run") CHECK(r.json()["errors"].dump().find("commit_inside.sql:3:1") != std::string::npos);
  }
  CHECK(dump(p, {"public"}) == before);
  CHECK(p.value("select to_regnamespace('migsafe') is null") == "t");
}

TEST_CASE("a psql meta-command in a migration is refused at file:line (exit 2); the Supabase CLI fails on it too",
          "[supabase_cli][meta_commands]") {
  Project p("sb_meta_command");
  use_fixture(p, "meta_command");
  const std::string before = dump(p, {"public"});
  Outcome run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  CHECK(run.exit_code == 2);
  CHECK(unwrapped(run.err).find("20240102000000_include.sql:2:1: psql meta-command \\i in a migration") !=
        std::string::npos);
  auto report = run.json();  // the report is valid JSON and says the same
  CHECK(report["exit_code"] == 2);
  CHECK(report["errors"][0].get<std::string>().find("20240102000000_include.sql:2:1: psql meta-command \\i") !=
        std::string::npos);
  CHECK(dump(p, {"public"}) == before);
  CHECK(p.value("select to_regnamespace('migsafe') is null") == "t");

  // The CLI sends the line to the server, which rejects it: the file is not applied.
  Project cli_db("sb_meta_command_cli");
  SupabaseCli cli("meta_command");
  auto up = cli.run({"migration", "up"}, cli_db);
  INFO(up.stdout_text);
  CHECK_FALSE(up.ok());
  CHECK(cli_db.value("select count(*) from supabase_migrations.schema_migrations where version = '20240102000000'") == "0");
}

TEST_CASE("a dry run stops at a commit point, says so, and changes nothing", "[commit_points][dry-run]") {
  Project p("sb_enum_commit_dry_run");
  use_fixture(p, "enum_commit_point");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "20240101000000"}).exit_code == 0);
  const std::string before = dump(p, {"public", "supabase_migrations"});
  Outcome dry = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--dry-run", "--json"});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  auto report = dry.json();
  CHECK(report["status"] == "dry_run");
  CHECK(report["warnings"].dump().find("dry run stopped after 20240102000000_add_meh") != std::string::npos);
  CHECK(report["migrations"][0]["status"] == "would_apply");
  CHECK(report["migrations"][1]["status"] == "pending");
  CHECK(dump(p, {"public", "supabase_migrations"}) == before);
}

TEST_CASE("a failing check after a commit point is restored from the backup too (exit 1)", "[commit_points][failure]") {
  Project p("sb_enum_commit_check_fails");
  use_fixture(p, "enum_commit_point");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "20240101000000"}).exit_code == 0);
  p.pipeline(migsafe::test::default_pipeline_body() +
             "[[verify.assert]]\nname = \"nobody is meh\"\nsql = \"select count(*) = 0 from public.people where mood = 'meh'\"\n");
  const std::string before = dump(p, {"public", "supabase_migrations"});
  Outcome run = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(run.err);
  CHECK(run.exit_code == 1);
  auto report = run.json();
  CHECK(report["status"] == "failed_restored");
  CHECK(report["restore"]["method"] == "pg_restore");
  CHECK(dump(p, {"public", "supabase_migrations"}) == before);
}
