// pgTAP suites as pg_prove runs them, judged by pg_prove itself: files whose commits later files
// use, psql meta-commands, sessions that must not leak into the next file, UTF-8 everywhere, and
// seeds loaded as `supabase db reset` loads them. pg_prove runs the same files on a second fresh
// database (one psql per file, as `supabase test db`), and the per-file counts must be equal.
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "harness.hpp"
#include "util/process.hpp"
#include "util/utf8.hpp"

using migsafe::test::Outcome;
using migsafe::test::Project;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(MIGSAFE_SOURCE_DIR) / "tests" / "fixtures";

// Copies fixture project `name` (its supabase/ tree) into `p`'s directory.
void copy_fixture(const Project& p, const std::string& name) {
  fs::copy(kFixtures / name, p.dir(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

std::string suite_pipeline(const std::string& tests, const std::string& extra = "") {
  return "version = 1\nname = \"suite\"\n[database]\nschemas = [\"public\"]\nlock_wait = \"2s\"\n"
         "[migrations]\ndir = \"supabase/migrations\"\n[backup]\ndir = \"backups\"\n[verify]\ntests = [" +
         tests + "]\n" + extra;
}

migsafe::util::ProcessResult psql_file(const Project& p, const fs::path& file) {
  auto info = p.conninfo();
  migsafe::util::Command c;
  c.argv = {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", info.get("dbname"), "-h", info.get("host"),
            "-p", info.get("port"), "-U", "postgres", "-f", file.string()};
  c.unset_env = {"PGDATABASE", "PGSERVICE", "PGHOSTADDR", "PGPASSWORD"};
  return migsafe::util::run_process(c);
}

// Applies the fixture's migrations with psql, as a reference independent of migsafe.
void migrate_with_psql(const Project& p, const fs::path& supabase_dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(supabase_dir / "migrations")) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto r = psql_file(p, f);
    REQUIRE(r.exit_code == 0);
  }
}

// pg_prove's view of one file.
struct ProveFile {
  std::string path;
  int planned = -1, run = 0, failed = 0;
  bool pass = false;
};

// Runs pg_prove as `supabase test db` does (`--ext .pg --ext .sql -r DIR`, in DIR) with -v, and
// reads each file's section: its plan, its test lines, and pg_prove's verdict line.
std::vector<ProveFile> pg_prove(const Project& p, const fs::path& tests_dir, std::string& output) {
  auto info = p.conninfo();
  migsafe::util::Command c;
  c.argv = {"pg_prove", "--nocolor", "-v", "--ext", ".pg", "--ext", ".sql", "-r", "-d", info.get("dbname"),
            "-h", info.get("host"), "-p", info.get("port"), "-U", "postgres", tests_dir.string()};
  c.cwd = tests_dir.string();
  c.env = {{"PGOPTIONS", "-c search_path=public,extensions"}};
  c.unset_env = {"PGDATABASE", "PGSERVICE", "PGHOSTADDR", "PGPASSWORD"};
  auto r = migsafe::util::run_process(c);
  output = r.stdout_text + "\n--- stderr ---\n" + r.stderr_text;
  std::vector<ProveFile> files;
  std::istringstream lines(r.stdout_text);
  const std::regex header(R"(^(/.*\.(?:sql|pg)) \.+ ?(.*)$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, header)) {
      files.push_back(ProveFile{m[1].str()});
      line = m[2].str();
      if (line.empty()) continue;
    }
    if (files.empty() || line.rfind("Test Summary Report", 0) == 0 || line.rfind("Files=", 0) == 0) continue;
    ProveFile& f = files.back();
    if (std::regex_search(line, m, std::regex(R"(^1\.\.(\d+))"))) f.planned = std::stoi(m[1]);
    if (std::regex_search(line, std::regex(R"(^(not )?ok \d)"))) {
      ++f.run;
      bool todo = std::regex_search(line, std::regex("#\\s*TODO", std::regex::icase));
      f.failed += line.rfind("not ok", 0) == 0 && !todo;
    }
    if (line == "ok") f.pass = true;
  }
  return files;
}

bool valid_utf8(const std::string& text) { return !migsafe::util::first_invalid_utf8(text); }

size_t chars(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

TEST_CASE("a suite whose first files install helpers and fixtures: per-file counts equal pg_prove's",
          "[pgtap][suite]") {
  REQUIRE(migsafe::util::find_program("pg_prove"));
  Project mine("suite_migsafe");
  Project ref("suite_pg_prove");
  copy_fixture(mine, "pgtap_suite");
  mine.pipeline(suite_pipeline("\"supabase/tests/**/*.sql\""));
  const fs::path supabase = kFixtures / "pgtap_suite" / "supabase";
  migrate_with_psql(mine, supabase);
  migrate_with_psql(ref, supabase);
  ref.session()->exec("create extension if not exists pgtap with schema extensions");

  std::string prove_output;
  std::vector<ProveFile> theirs = pg_prove(ref, supabase / "tests", prove_output);
  Outcome ours = mine.migsafe({"test", "{pipeline}", "--db", "{db}", "--json"});
  INFO("pg_prove said:\n" << prove_output << "\nmigsafe said:\n" << ours.out << ours.err);
  CHECK(ours.exit_code == 1);  // 04 and 05 fail on purpose
  nlohmann::json report = ours.json();
  const nlohmann::json& tests = report["tests"];
  REQUIRE(theirs.size() == 10);
  REQUIRE(tests.size() == theirs.size());
  for (size_t i = 0; i < theirs.size(); ++i) {
    const std::string file = tests[i]["file"];
    INFO(file << " vs " << theirs[i].path << "\n" << tests[i].dump(2));
    CHECK(theirs[i].path == (supabase.parent_path() / file).string());
    CHECK(tests[i]["planned"] == theirs[i].planned);
    CHECK(tests[i]["run"] == theirs[i].run);
    CHECK(tests[i]["failed"] == theirs[i].failed);
    CHECK(tests[i]["passed"] == theirs[i].run - theirs[i].failed);
    CHECK((tests[i]["status"] == "passed") == theirs[i].pass);
  }
  // What the shapes are about, as migsafe reports them.
  CHECK(tests[1]["file"] == "supabase/tests/00001-fixtures.sql");
  CHECK(tests[1]["status"] == "passed");                        // \gset, :var, helpers of 00000
  CHECK(tests[2]["status"] == "passed");                        // :'var', rows committed by 00001
  CHECK(tests[4]["file"] == "supabase/tests/03-clean.sql");
  CHECK(tests[4]["status"] == "passed");                        // nothing of 02 leaked
  CHECK(tests[5]["failures"][0]["description"] == "a failing test — with ✗ and 🙈 in its description");
  CHECK(tests[7]["file"] == "supabase/tests/06-include.sql");
  CHECK(tests[7]["status"] == "passed");                        // \ir, \echo
  CHECK(tests[8]["file"] == "supabase/tests/10-sub-a.sql");     // pg_prove's byte order
  // migsafe test changes nothing: not the helpers, not the fixture rows, not pgTAP.
  CHECK(mine.value("select count(*) from public.accounts") == "0");
  CHECK(mine.value("select to_regnamespace('tests') is null") == "t");
  CHECK(mine.value("select count(*) from pg_extension where extname = 'pgtap'") == "0");
}

TEST_CASE("failing statements with multi-byte characters at every cut position keep the report valid",
          "[pgtap][suite][utf8]") {
  Project p("suite_utf8_cuts");
  copy_fixture(p, "pgtap_suite");
  p.pipeline(suite_pipeline("\"supabase/tests/00000-helpers.sql\", \"supabase/tests/04-unicode.sql\", "
                            "\"supabase/tests/05-errors-utf8.sql\""));
  Outcome r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", (p.dir() / "report.json").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const std::string text = migsafe::test::read_file(p.dir() / "report.json");
  REQUIRE(valid_utf8(text));
  nlohmann::json report = nlohmann::json::parse(text);  // strict: throws on invalid UTF-8
  CHECK(report["status"] == "failed_restored");
  CHECK(report["exit_code"] == 1);
  const nlohmann::json& errors = report["tests"][2];
  CHECK(errors["file"] == "supabase/tests/05-errors-utf8.sql");
  REQUIRE(errors["ignored_errors"].size() == 7);
  std::vector<nlohmann::json> cut = errors["ignored_errors"];
  cut.push_back(errors["error"]);
  for (const auto& e : cut) {
    const std::string statement = e["statement"];
    CHECK(e["sqlstate"] == "42P01");
    CHECK(valid_utf8(statement));
    CHECK(chars(statement) == 200);
  }
  CHECK(errors["error"]["line"] == 13);
  CHECK(errors["passed"] == 1);
  // The run's transaction took the suite with it.
  CHECK(p.value("select to_regclass('public.accounts') is null") == "t");
}

TEST_CASE("bytes that are not UTF-8 end up replaced in a valid report", "[pgtap][suite][utf8]") {
  Project p("suite_invalid_bytes");
  copy_fixture(p, "pgtap_suite");
  p.pipeline(suite_pipeline("\"supabase/tests/00000-helpers.sql\"",
                            "[hooks]\nbefore = \"printf 'cut \\\\342\\\\224 and \\\\377 bytes'\"\n"));
  Outcome r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", (p.dir() / "report.json").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  nlohmann::json report = nlohmann::json::parse(migsafe::test::read_file(p.dir() / "report.json"));
  CHECK(report["hooks"][0]["output"] == "cut \xEF\xBF\xBD and \xEF\xBF\xBD bytes");
  CHECK(report["invalid_utf8_replaced"] == 2);
  bool noted = false;
  for (const auto& w : report["warnings"]) noted = noted || w.get<std::string>().find("invalid UTF-8") != std::string::npos;
  CHECK(noted);
}

TEST_CASE("a run keeps the suite inside its transaction and leaves nothing of it", "[pgtap][suite]") {
  Project p("suite_in_run");
  copy_fixture(p, "pgtap_suite");
  p.pipeline(suite_pipeline("\"supabase/tests/0000*.sql\", \"supabase/tests/0[1236]-*.sql\""));
  Outcome r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.json()["tests"].size() == 6);
  CHECK(p.value("select count(*) from public.accounts") == "0");  // the migration committed, the fixtures not
  CHECK(p.value("select to_regnamespace('tests') is null") == "t");
  CHECK(p.value("select count(*) from pg_extension where extname = 'pgtap'") == "0");
}

TEST_CASE("an unsupported meta-command fails its file at file:line naming it", "[pgtap][suite]") {
  Project p("suite_unknown_meta");
  p.migration("20240101000000_t.sql", "create table public.t (id int);\n");
  fs::create_directories(p.dir() / "tests");
  std::ofstream(p.dir() / "tests" / "a.sql") << "select plan(1);\n-- ── section ──\n\\timing on\nselect pass('x');\n";
  std::ofstream(p.dir() / "tests" / "b.sql") << "select plan(1);\nselect pass('the next file runs');\n";
  p.pipeline(migsafe::test::pipeline_body_with("[backup]", "[verify]\ntests = [\"tests/*.sql\"]\n[backup]"));
  Outcome r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(r.exit_code == 1);
  auto tests = r.json()["tests"];
  CHECK(tests[0]["error"]["file"] == "tests/a.sql");
  CHECK(tests[0]["error"]["line"] == 3);
  CHECK(tests[0]["error"]["message"].get<std::string>().rfind("\\timing is not supported", 0) == 0);
  CHECK(tests[1]["status"] == "passed");
}

TEST_CASE("seed rows are visible to the tests on --ephemeral and absent on a real target", "[pgtap][seed]") {
  Project p("suite_seed", false);
  copy_fixture(p, "pgtap_seed");
  p.pipeline(suite_pipeline("\"supabase/tests/*.sql\""));

  Outcome test_ephemeral = p.migsafe({"test", "{pipeline}", "--ephemeral", "--json"});
  INFO(test_ephemeral.out << test_ephemeral.err);
  CHECK(test_ephemeral.exit_code == 0);
  nlohmann::json seed = test_ephemeral.json()["verify"]["seed"];
  CHECK(seed["loaded"] == true);
  CHECK(seed["results"].size() == 2);  // seed.sql, then seeds/02_more.sql (config.toml's sql_paths)
  CHECK(seed["source"].get<std::string>().find("config.toml") != std::string::npos);

  Outcome run_ephemeral = p.migsafe({"run", "{pipeline}", "--ephemeral", "--json"});
  INFO(run_ephemeral.out << run_ephemeral.err);
  CHECK(run_ephemeral.exit_code == 0);

  // A real target: no seed unless the pipeline asks for it; the seed-dependent test then fails.
  Outcome real = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(real.out << real.err);
  CHECK(real.exit_code == 1);
  CHECK(real.json()["verify"]["seed"]["loaded"] == false);
  CHECK(real.json()["tests"][0]["failures"][0]["diagnostics"].get<std::string>().find("have: 0") != std::string::npos);
  CHECK(p.value("select to_regclass('public.plans') is null") == "t");

  // Asked for by name: loaded for the tests, undone with the suite; the migration stays.
  p.pipeline(suite_pipeline("\"supabase/tests/*.sql\"", "seed_real_target = true\n"));
  Outcome asked = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(asked.out << asked.err);
  CHECK(asked.exit_code == 0);
  CHECK(p.value("select count(*) from public.plans") == "0");
}

// Seed files often wrap themselves in BEGIN ... COMMIT (as `supabase db reset` tolerates). Loaded
// inside the run's transaction, that COMMIT would commit the migrations before the checks, and a
// failing test could then not be rolled back (found on hpi-studyu/studyu: exit 3).
TEST_CASE("a seed's own BEGIN ... COMMIT does not commit the run: a failing test still rolls it back", "[pgtap][seed]") {
  Project p("suite_seed_wrapped", false);
  copy_fixture(p, "pgtap_seed");
  p.pipeline(suite_pipeline("\"supabase/tests/*.sql\"", "seed_real_target = true\n"));
  std::ofstream(p.dir() / "supabase" / "seed.sql") << "BEGIN;\ninsert into public.plans (name) values ('free — 🌱'), ('pro');\nCOMMIT;\n";
  std::ofstream(p.dir() / "supabase" / "tests" / "seeded.sql") <<
      ("select plan(1);\nselect is((select count(*) from public.plans)::int, 99, 'fails on purpose');\n"
       "select * from finish();\n");
  Outcome r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.json()["status"] == "failed_restored");
  CHECK(r.json()["verify"]["seed"]["results"][0]["status"] == "loaded");
  CHECK(p.value("select to_regclass('public.plans') is null") == "t");

  SECTION("a COMMIT in the middle of a seed file is refused at its line, and nothing of the run stays") {
    std::ofstream(p.dir() / "supabase" / "seed.sql") << ("insert into public.plans (name) values ('a');\ncommit;\ninsert into public.plans (name) values ('b');\n");
    Outcome refused = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 1);
    const auto seed = refused.json()["verify"]["seed"]["results"][0];
    CHECK(seed["status"] == "failed");
    CHECK(seed["error"]["line"] == 2);
    CHECK(p.value("select to_regclass('public.plans') is null") == "t");
  }
}
