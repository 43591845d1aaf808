// The built-in pgTAP runner against a real server: its counts equal pg_prove's on every fixture,
// files leave nothing behind, and a pgTAP the runner created is gone again afterwards.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "checks/pgtap_runner.hpp"
#include "checks/test_files.hpp"
#include "harness.hpp"
#include "util/process.hpp"

using migsafe::checks::PgtapOptions;
using migsafe::checks::TestFileResult;
using migsafe::test::Project;
using migsafe::test::differences;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(MIGSAFE_SOURCE_DIR) / "tests" / "fixtures" / "pgtap";

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A project database with the fixtures' schema.
void load_schema(const Project& p) {
  p.session()->exec(slurp(kFixtures / "schema.sql"));
}

std::vector<fs::path> fixture_files() {
  return migsafe::checks::expand_test_globs({(kFixtures / "tests" / "*").string()});
}

std::map<std::string, TestFileResult> run_fixtures(const Project& p, PgtapOptions options = {}) {
  options.display_root = kFixtures.string();
  auto session = p.session();
  std::map<std::string, TestFileResult> out;
  for (auto& r : migsafe::checks::run_pgtap_files(*session, fixture_files(), options))
    out[r.file] = r;
  return out;
}

// What pg_prove said about one file.
struct Prove {
  int planned = -1, run = 0, failed = 0, skipped = 0, todo = 0;
  bool bailed_out = false, pass = false;
  std::string output;
};

int capture_int(const std::string& text, const std::string& pattern, int otherwise) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(pattern)) ? std::stoi(m[1]) : otherwise;
}

// Runs pg_prove on `file`. `--directives` makes it echo exactly the tests it classified as SKIP or
// TODO; the other counts come from its summary.
Prove pg_prove(const Project& p, const fs::path& file) {
  auto info = p.conninfo();
  migsafe::util::Command c;
  c.argv = {"pg_prove",         "--nocolor", "--directives",   "-d",
            info.get("dbname"), "-h",        info.get("host"), "-p",
            info.get("port"),   "-U",        "postgres",       file.string()};
  c.env = {{"PGOPTIONS", "-c search_path=public,extensions"}};
  c.unset_env = {"PGDATABASE", "PGSERVICE", "PGHOSTADDR", "PGPASSWORD"};
  auto r = migsafe::util::run_process(c);
  Prove out;
  out.output = r.stdout_text + r.stderr_text;
  out.run = capture_int(out.output, R"(Files=\d+, Tests=(\d+))", -1);
  out.failed = capture_int(out.output, R"(Tests: \d+ Failed: (\d+)\))", 0);
  out.planned = capture_int(out.output, R"(You planned (\d+) tests? but ran)", out.run);
  if (out.output.find("No plan found") != std::string::npos) out.planned = -1;
  std::istringstream lines(r.stdout_text);
  for (std::string line; std::getline(lines, line);) {
    if (!std::regex_search(line, std::regex("^(not )?ok\\b"))) continue;
    out.skipped += std::regex_search(line, std::regex("#\\s*skip", std::regex::icase));
    out.todo += std::regex_search(line, std::regex("#\\s*todo", std::regex::icase));
  }
  out.bailed_out = out.output.find("Bailout called") != std::string::npos;
  out.pass = out.output.find("Result: PASS") != std::string::npos;
  return out;
}

bool has_pgtap(const Project& p) {
  return p.value("select count(*) from pg_extension where extname = 'pgtap'") == "1";
}

}  // namespace

TEST_CASE("the runner's counts equal pg_prove's on every fixture", "[pgtap]") {
  REQUIRE(migsafe::util::find_program("pg_prove"));  // Debian: libtap-parser-sourcehandler-pgtap-perl
  Project p("checks_pgtap_vs_pg_prove");
  load_schema(p);
  auto ours = run_fixtures(p);
  REQUIRE(ours.size() == fixture_files().size());
  p.session()->exec("create extension pgtap schema extensions");
  for (const auto& path : fixture_files()) {
    const TestFileResult& mine = ours.at(fs::path(path).lexically_relative(kFixtures).string());
    Prove theirs = pg_prove(p, path);
    INFO(mine.file << "\npg_prove said:\n"
                   << theirs.output << "\nmigsafe said: " << mine.to_json().dump(2));
    CHECK(mine.tap.planned == theirs.planned);
    CHECK(mine.tap.run == theirs.run);
    CHECK(mine.tap.passed == theirs.run - theirs.failed);
    CHECK(mine.tap.failed == theirs.failed);
    CHECK(mine.tap.skipped == theirs.skipped);
    CHECK(mine.tap.todo == theirs.todo);
    CHECK(mine.tap.bailed_out == theirs.bailed_out);
    CHECK(mine.passed() == theirs.pass);
  }
}

TEST_CASE("fixtures produce the expected counts, failures and diagnostics", "[pgtap]") {
  Project p("checks_pgtap_fixtures");
  load_schema(p);
  auto r = run_fixtures(p);
  CHECK(r.at("tests/passing.sql").passed());
  CHECK(r.at("tests/passing.sql").tap.passed == 4);
  const auto& failing = r.at("tests/failing.sql");
  CHECK_FALSE(failing.passed());
  REQUIRE(failing.tap.failures.size() == 2);
  CHECK(failing.tap.failures[0].number == 2);
  CHECK(failing.tap.failures[0].description == "arithmetic is broken");
  CHECK(failing.tap.failures[0].diagnostics ==
        "Failed test 2: \"arithmetic is broken\"\n        have: 2\n        want: 3");
  CHECK(r.at("tests/skipped.sql").tap.skipped == 2);
  CHECK(r.at("tests/todo.sql").passed());
  CHECK(r.at("tests/todo.sql").tap.todo == 2);
  CHECK(r.at("tests/short_plan.sql").tap.problems ==
        std::vector<std::string>{"planned 3 tests but ran 2"});
  CHECK(r.at("tests/no_plan.sql").passed());
  CHECK(r.at("tests/bail_out.sql").tap.bail_out_reason == "the seed data is missing");
  CHECK(r.at("tests/rls_claims.sql").passed());
  CHECK(r.at("tests/throws_and_results.sql").passed());
  CHECK(r.at("tests/policies.sql").tap.failures.at(0).diagnostics ==
        "Failed test 3: \"a list missing one policy fails\"\n    Extra policies:\n        "
        "todos_owner_insert");
  CHECK(r.at("tests/multi_statement.pg").passed());
  CHECK(r.at("tests/psql_settings.sql").passed());
  const auto& raw = r.at("tests/raw_tap.sql");
  CHECK(raw.tap.problems == std::vector<std::string>{"no plan found in TAP output"});
  REQUIRE(raw.tap.failures.size() == 1);
  CHECK(raw.tap.failures[0].diagnostics == "why it failed\n  in detail");
  CHECK(r.at("tests/over_plan.sql").tap.failures.at(0).description == "not planned (not planned)");
  auto json = failing.to_json();
  CHECK(json["status"] == "failed");
  CHECK(json["planned"] == 5);
  CHECK(json["failures"].size() == 2);
}

TEST_CASE("an SQL error fails its file at file:line:column and the next file still runs",
          "[pgtap]") {
  Project p("checks_pgtap_sql_error");
  load_schema(p);
  auto r = run_fixtures(p);
  const auto& broken = r.at("tests/sql_error.sql");
  REQUIRE(broken.error);
  CHECK(broken.error->sqlstate == "42P01");
  CHECK(broken.error->file == "tests/sql_error.sql");
  CHECK(broken.error->line == 6);
  CHECK(broken.error->column == 22);
  CHECK(broken.error->statement == "select count(*) from public.no_such_table");
  CHECK(broken.tap.run == 2);
  CHECK(broken.to_json()["error"]["sqlstate"] == "42P01");
  CHECK(r.at("tests/throws_and_results.sql").passed());  // sorted after sql_error.sql
}

TEST_CASE("test files leave no data, settings or pgTAP behind", "[pgtap]") {
  Project p("checks_pgtap_no_trace");
  load_schema(p);
  auto session = p.session();
  const auto pre_run = p.snapshot();
  std::string path_before = session->query("show search_path").scalar().value_or("");
  REQUIRE_FALSE(has_pgtap(p));
  auto results = migsafe::checks::run_pgtap_files(*session, fixture_files(), PgtapOptions{});
  CHECK(results.size() == fixture_files().size());
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK_FALSE(has_pgtap(p));
  CHECK_FALSE(session->in_transaction());
  CHECK(session->query("show search_path").scalar() == path_before);
  CHECK(session->query("select current_user").scalar() == "postgres");
  CHECK(session->query("select to_regclass('pg_temp.scratch') is null").scalar() == "t");
}

TEST_CASE("a pgTAP that was installed before stays installed", "[pgtap]") {
  Project p("checks_pgtap_preinstalled");
  load_schema(p);
  p.session()->exec("create schema tap; create extension pgtap schema tap");
  auto r = run_fixtures(p);
  CHECK(r.at("tests/passing.sql").passed());
  CHECK(has_pgtap(p));
}

TEST_CASE("inside a transaction the suite is a savepoint rolled back; the transaction stays open",
          "[pgtap]") {
  Project p("checks_pgtap_savepoints");
  load_schema(p);
  auto session = p.session();
  session->exec("begin");
  session->exec(
      "insert into public.todos (user_id, title) values (gen_random_uuid(), 'from the run')");
  auto results = migsafe::checks::run_pgtap_files(*session, fixture_files(), PgtapOptions{});
  CHECK(results.size() == fixture_files().size());
  REQUIRE(session->in_transaction());
  CHECK(session->query("select count(*) from public.todos").scalar() ==
        "4");  // the run's row, none of the tests'
  CHECK(session->query("select count(*) from pg_extension where extname = 'pgtap'").scalar() ==
        "0");
  session->exec("rollback");
  CHECK(p.value("select count(*) from public.todos") == "3");
}

TEST_CASE("files that create pgTAP themselves, or set roles for good, work and are undone",
          "[pgtap]") {
  Project p("checks_pgtap_own_extension");
  load_schema(p);
  auto file = p.dir() / "own.sql";
  std::ofstream(file) << "create extension pgtap;\nselect plan(2);\nset role authenticated;\n"
                         "select is(current_user::text, 'authenticated', 'role set');\n"
                         "select ok(true);\nselect * from finish();\n";
  auto file2 = p.dir() / "quoted.sql";
  std::string version =
      p.value("select default_version from pg_available_extensions where name = 'pgtap'");
  std::ofstream(file2)
      << "begin;\ncreate extension if not exists \"pgtap\" with schema \"extensions\" version '"
      << version
      << "';\n"
         "select plan(1);\nselect pass('fine');\nselect * from finish();\ncommit;\n";
  auto session = p.session();
  auto results = migsafe::checks::run_pgtap_files(*session, {file, file2}, PgtapOptions{});
  REQUIRE(results.size() == 2);
  INFO(results[0].to_json().dump(2) << results[1].to_json().dump(2));
  CHECK_FALSE(results[0].error);
  CHECK(results[0].passed());
  CHECK(results[1].passed());
  CHECK(session->query("select current_user").scalar() == "postgres");
  CHECK_FALSE(has_pgtap(p));
}
