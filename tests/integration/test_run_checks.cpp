// Verification and RLS checks inside `run`: a failing check rolls the migrations back (exit 1);
// `test` and `rls` run the same checks alone and change nothing.
#include <catch2/catch.hpp>

#include <fstream>
#include <future>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

const char* kTodos =
    "create table public.todos (id int primary key, user_id uuid not null, title text not null);\n"
    "alter table public.todos enable row level security;\n"
    "create policy own on public.todos for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());\n"
    "insert into public.todos values (1, '00000000-0000-0000-0000-000000000001', 'mine'),"
    " (2, '00000000-0000-0000-0000-000000000002', 'theirs');\n";

std::string with_rls_cases() {
  return migsafe::test::default_pipeline_body() + R"TOML(
[rls]
exposed_schemas = ["public"]

[[rls.case]]
name = "a user sees only their own todos"
role = "authenticated"
claims = { sub = "00000000-0000-0000-0000-000000000001" }
sql = "select count(*) from public.todos"
expect = 1

[[rls.case]]
name = "anon sees nothing"
role = "anon"
sql = "select count(*) from public.todos"
expect = 0

[[rls.case]]
name = "a user cannot insert a todo for someone else"
role = "authenticated"
claims = { sub = "00000000-0000-0000-0000-000000000001" }
sql = "insert into public.todos values (3, '00000000-0000-0000-0000-000000000002', 'sneaky')"
expect_error = "42501"
)TOML";
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

}  // namespace

TEST_CASE("a failing pgTAP test in run rolls the migrations back (exit 1)", "[run-checks]") {
  Project p("run_failing_pgtap");
  p.pipeline(migsafe::test::default_pipeline_body() + "[verify]\ntests = [\"tests/*.sql\"]\n");
  write(p.dir() / "tests" / "todos.sql",
        "begin;\nselect plan(2);\nselect has_table('public', 'todos', 'todos exists');\n"
        "select has_column('public', 'todos', 'done', 'todos has done');\nselect * from finish();\nrollback;\n");
  p.migration("20240101000000_todos.sql", kTodos);
  // The first run ever creates migsafe's ledger, failed or not: judged apart from it.
  const std::vector<std::string> history = {"migsafe", "supabase_migrations"};
  const auto pre_run = p.snapshot(history);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  auto report = r.json();
  CHECK(report["status"] == "failed_restored");
  CHECK(report["restore"]["method"] == "rollback");
  REQUIRE(report["tests"].size() == 1);
  CHECK(report["tests"][0]["planned"] == 2);
  CHECK(report["tests"][0]["failed"] == 1);
  CHECK(differences(pre_run, p.snapshot(history)) == "");
  CHECK(p.value("select to_regclass('public.todos') is null") == "t");

  SECTION("with the column added, run succeeds and test passes alone without changing anything") {
    p.migration("20240101000000_todos.sql", std::string(kTodos) + "alter table public.todos add column done boolean;\n");
    REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
    const auto after = p.snapshot();
    auto t = p.migsafe({"test", "{pipeline}", "--db", "{db}", "--json"});
    CHECK(t.exit_code == 0);
    CHECK(t.json()["tests"][0]["passed"] == 2);
    CHECK(differences(after, p.snapshot()) == "");
  }
}

TEST_CASE("RLS cases: own rows, anon sees none, cross-user insert refused; a policy bug rolls back", "[run-checks]") {
  Project p("run_rls_cases");
  p.pipeline(with_rls_cases());
  p.migration("20240101000000_todos.sql", kTodos);
  auto ok = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  auto cases = ok.json()["rls"]["cases"];
  size_t passed = 0;
  for (const auto& c : cases) passed += c["passed"].get<bool>();
  CHECK(passed == cases.size());
  CHECK(cases.size() >= 3);

  const auto pre_run = p.snapshot();
  p.migration("20240102000000_oops.sql",
              "drop policy own on public.todos;\n"
              "create policy everyone on public.todos for all to authenticated using (true) with check (true);\n");
  auto bug = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(bug.exit_code == 1);
  CHECK(bug.json()["status"] == "failed_restored");
  CHECK(bug.err.find("a user sees only their own todos") != std::string::npos);
  CHECK(differences(pre_run, p.snapshot()) == "");

  auto alone = p.migsafe({"rls", "{pipeline}", "--db", "{db}"});
  CHECK(alone.exit_code == 0);
  CHECK(differences(pre_run, p.snapshot()) == "");
}

TEST_CASE("an RLS lint at error level fails the run and is reported once with its object", "[run-checks]") {
  Project p("run_rls_lint");
  p.pipeline(migsafe::test::default_pipeline_body() + "[rls]\nexposed_schemas = [\"public\"]\ndefault_deny = false\n");
  p.migration("20240101000000_open.sql", "create table public.wide_open (id int primary key, note text);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(r.exit_code == 1);
  const auto report = r.json();
  size_t hits = 0;
  for (const auto& f : report["rls"]["findings"]) hits += f["object"] == "public.wide_open" && f["lint"] == "rls_disabled_in_public";
  CHECK(hits == 1);
  CHECK(p.value("select to_regclass('public.wide_open') is null") == "t");
}

TEST_CASE("the data-loss guard catches a DELETE and a dropped table", "[run-checks]") {
  Project p("run_row_guard");
  p.pipeline();
  p.migration("20240101000000_base.sql",
              "create table public.a (id int primary key);\ninsert into public.a select generate_series(1, 10);\n"
              "create table public.b (id int);\ninsert into public.b values (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  const auto pre_run = p.snapshot();

  SECTION("a DELETE") {
    p.migration("20240102000000_delete.sql", "delete from public.a where id > 8;\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("table public.a lost rows: 10 -> 8") != std::string::npos);
    CHECK(p.value("select count(*) from public.a") == "10");
  }
  SECTION("a dropped table") {
    p.migration("20240102000000_drop.sql", "drop table public.b;\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("table public.b was dropped") != std::string::npos);
    CHECK(p.value("select to_regclass('public.b') is not null") == "t");
  }
  SECTION("allowed by the pipeline") {
    p.pipeline(migsafe::test::default_pipeline_body() +
               "[verify]\nmax_row_loss_pct = 25\nallow_dropped_tables = [\"public.b\"]\n");
    p.migration("20240102000000_both.sql", "delete from public.a where id > 8;\ndrop table public.b;\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
  }
  if (p.value("select count(*) from supabase_migrations.schema_migrations") == "1") CHECK(differences(pre_run, p.snapshot()) == "");
}

// Inside the open transaction of an atomic run, a table the run holds no lock on cannot have lost
// rows to it, so the guard does not count it again (counting a big untouched table would only
// lengthen the locks the run holds until COMMIT).
TEST_CASE("the data-loss guard counts what the run touched: a trigger's DELETE is caught, another session's is not",
          "[run-checks]") {
  Project p("run_row_guard_locks");
  p.pipeline();
  p.migration("20240101000000_base.sql",
              "create table public.a (id int primary key);\ninsert into public.a select generate_series(1, 10);\n"
              "create table public.b (id int);\ninsert into public.b values (1);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);

  SECTION("a DELETE by a trigger the migration fires") {
    p.migration("20240102000000_trigger.sql",
                "create function public.purge() returns trigger language plpgsql as $$\n"
                "begin delete from public.a where id > 8; return new; end $$;\n"
                "create trigger purge after insert on public.b for each row execute function public.purge();\n"
                "insert into public.b values (2);\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("table public.a lost rows: 10 -> 8") != std::string::npos);
    CHECK(p.value("select count(*) from public.a") == "10");
  }
  SECTION("rows another session deletes meanwhile from a table the run never touches") {
    p.migration("20240102000000_slow.sql", "alter table public.b add column note text;\nselect pg_sleep(1.5);\n");
    auto run = std::async(std::launch::async, [&] { return p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"}); });
    REQUIRE(p.wait_for_query("pg_sleep(1.5)"));
    p.session()->query("delete from public.a where id > 5");
    auto r = run.get();
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.json()["verify"]["row_loss"]["passed"] == true);
    CHECK(p.value("select count(*) from public.a") == "5");
  }
}
