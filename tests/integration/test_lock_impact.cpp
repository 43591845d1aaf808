// Lock impact: the report's per-statement locks and rewrites against PostgreSQL's documented lock
// levels (https://www.postgresql.org/docs/15/explicit-locking.html, sql-altertable.html), and the
// size-aware index rule.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "pg/tools.hpp"
#include "util/process.hpp"

using migsafe::test::Project;
using migsafe::test::differences;
using migsafe::test::read_file;

namespace {

// The impact entry of the statement at `line` of the second migration file.
nlohmann::json statement_at(const nlohmann::json& report, int line) {
  for (const auto& s : report["impact"]["statements"]) {
    if (s["line"] == line && s["file"].get<std::string>().find("20240102000000_catalogue.sql") != std::string::npos) {
      return s;
    }
  }
  return nullptr;
}

bool has_lock(const nlohmann::json& statement, const std::string& relation, const std::string& mode) {
  for (const auto& l : statement["locks"]) {
    if (l["relation"] == relation && l["mode"] == mode) return true;
  }
  return false;
}

bool rewrote(const nlohmann::json& statement, const std::string& relation) {
  for (const auto& r : statement["rewrites"]) {
    if (r == relation) return true;
  }
  return false;
}

// One line per statement, so each statement's line number is its index in the table below.
struct Expected {
  const char* sql;
  const char* relation;
  const char* mode;
  bool rewrites;
};

const Expected kCatalogue[] = {
    {"alter table public.a add column c int", "public.a", "AccessExclusiveLock", false},
    {"alter table public.b add column c int default 7", "public.b", "AccessExclusiveLock", false},
    {"alter table public.c add column c timestamptz default clock_timestamp()", "public.c", "AccessExclusiveLock", true},
    {"alter table public.d alter column id type bigint", "public.d", "AccessExclusiveLock", true},
    {"create index e_id_idx on public.e (id)", "public.e", "ShareLock", false},
    {"alter table public.g validate constraint g_pos", "public.g", "ShareUpdateExclusiveLock", false},
    {"alter table public.h add constraint h_fk foreign key (parent_id) references public.parent (id)", "public.h",
     "ShareRowExclusiveLock", false},
    {"create trigger i_touch before update on public.i for each row execute function public.touch()", "public.i",
     "ShareRowExclusiveLock", false},
    {"alter table public.j alter column name set not null", "public.j", "AccessExclusiveLock", false},
    {"alter table public.k set (fillfactor = 70)", "public.k", "ShareUpdateExclusiveLock", false},
    {"alter table public.s alter column name type varchar(20)", "public.s", "AccessExclusiveLock", false},
    {"update public.n set id = id", "public.n", "RowExclusiveLock", false},
    {"drop table public.l", "public.l", "AccessExclusiveLock", false},
    {"create table public.m (id int)", "public.m", "AccessExclusiveLock", false},
};

}  // namespace

TEST_CASE("the lock report matches PostgreSQL's documented lock levels, and only rewriting statements rewrite",
          "[impact]") {
  Project p("impact_catalogue");
  p.pipeline(migsafe::test::default_pipeline_body() + "[verify]\nallow_dropped_tables = [\"public.l\"]\n");
  std::string setup = "create function public.touch() returns trigger language plpgsql as $$begin return new; end$$;\n"
                      "create table public.parent (id int primary key);\n"
                      "insert into public.parent select generate_series(1, 50);\n";
  for (const char* t : {"a", "b", "c", "d", "e", "f", "g", "i", "j", "k", "l", "n"}) {
    setup += std::string("create table public.") + t + " (id int, name text);\n";
    setup += std::string("insert into public.") + t + " select g, 'x' || g from generate_series(1, 100) g;\n";
  }
  setup += "create table public.h (id int, parent_id int);\ninsert into public.h select g, g from generate_series(1, 50) g;\n"
           "alter table public.g add constraint g_pos check (id > 0) not valid;\n"
           "create table public.s (id int, name varchar(10));\n";
  p.migration("20240101000000_setup.sql", setup);
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);

  std::string catalogue;
  for (const auto& e : kCatalogue) catalogue += std::string(e.sql) + ";\n";
  p.migration("20240102000000_catalogue.sql", catalogue);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto report = r.json();

  int line = 0;
  for (const auto& e : kCatalogue) {
    ++line;
    const auto statement = statement_at(report, line);
    INFO(e.sql << "\n" << statement.dump(2));
    REQUIRE(statement.is_object());
    CHECK(has_lock(statement, e.relation, e.mode));
    CHECK(rewrote(statement, e.relation) == e.rewrites);
    CHECK(statement["duration_ms"].is_number());
  }
  // A foreign key locks both tables in SHARE ROW EXCLUSIVE mode.
  CHECK(has_lock(statement_at(report, 7), "public.parent", "ShareRowExclusiveLock"));
  // Sizes: CREATE INDEX counted the table's rows; a table created in the run says so.
  const auto index = statement_at(report, 5);
  REQUIRE(index["relations"].size() >= 1);
  bool sized = false;
  for (const auto& rel : index["relations"]) {
    if (rel["relation"] == "public.e") sized = rel["rows"] == 100 && rel["bytes"].get<long long>() > 0 && rel["created"] == false;
  }
  CHECK(sized);
  bool created = false;
  const auto create_table = statement_at(report, 14);  // kept: a loop over a temporary's member would dangle
  for (const auto& rel : create_table["relations"]) created = created || (rel["relation"] == "public.m" && rel["created"] == true);
  CHECK(created);
  // PostgreSQL itself agrees on what was rewritten: the column is bigint now, and the table was applied.
  CHECK(p.value("select data_type from information_schema.columns where table_name = 'd' and column_name = 'id'") ==
        "bigint");
}

// Above 256 locks held, statements are read together (docs/lock-impact.md): the last of them lists
// their locks, those before it say so, and what a lock means is filed at the statement naming it.
TEST_CASE("in a transaction holding hundreds of locks, statements read together keep each lock's statement",
          "[impact]") {
  Project p("impact_amortised");
  p.pipeline();
  p.migration("20240101000000_setup.sql", "create table public.a (id int);\ncreate table public.b (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  std::string many;  // a table, its TOAST table and index, and its key: four locks each
  for (int i = 0; i < 150; ++i) many += "create table public.t" + std::to_string(i) + " (id int primary key, v text);\n";
  p.migration("20240102000000_many.sql", many);
  p.migration("20240103000000_late.sql",
              "alter table public.a add column c int;\ninsert into public.b values (1);\ncreate index on public.b (id);\n"
              "select 1;\nselect 2;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto report = r.json();
  std::vector<nlohmann::json> late;
  for (const auto& s : report["impact"]["statements"]) {
    if (s["file"].get<std::string>().find("_late.sql") != std::string::npos) late.push_back(s);
  }
  REQUIRE(late.size() == 5);
  INFO(nlohmann::json(late).dump(2));
  for (size_t i = 0; i + 1 < late.size(); ++i) {
    CHECK(late[i].value("measured_with_next", false));
    CHECK(late[i]["locks"].empty());
  }
  CHECK(late.back().value("batch", 0) >= 5);  // the last statement before COMMIT is always read
  CHECK(has_lock(late.back(), "public.a", "AccessExclusiveLock"));
  CHECK(has_lock(late.back(), "public.b", "RowExclusiveLock"));
  CHECK(has_lock(late.back(), "public.b", "ShareLock"));
  // How long public.a was held exclusively counts from the statement that took it, at its own line.
  bool filed = false;
  for (const auto& hold : report["impact"]["exclusive_locks"]) {
    if (hold["relation"] == "public.a") {
      filed = hold["line"] == 1 && hold["file"].get<std::string>().find("_late.sql") != std::string::npos;
    }
  }
  CHECK(filed);
}

namespace {

void sized_tables(const Project& p, const std::string& safety) {
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nlarge_table_rows = 1000\n" + safety);
  p.migration("20240101000000_tables.sql",
              "create table public.big (id int, name text);\n"
              "insert into public.big select g, 'n' || g from generate_series(1, 5000) g;\n"
              "analyze public.big;\n"
              "create table public.empty (id int, name text);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240102000000_indexes.sql",
              "create index big_name_idx on public.big (name);\n"
              "create index empty_name_idx on public.empty (name);\n"
              "create table public.fresh (id int, name text);\n"
              "insert into public.fresh select g, 'n' || g from generate_series(1, 5000) g;\n"
              "create index fresh_name_idx on public.fresh (name);\n");
}

}  // namespace

TEST_CASE("the same CREATE INDEX is a finding on a big table, not on an empty one or one created in the run",
          "[impact][safety]") {
  Project p("impact_index_rule");
  sized_tables(p, "");
  const auto dir = p.dir();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--report", (dir / "report.json").string()},
                     {{"GITHUB_ACTIONS", "true"}, {"GITHUB_WORKSPACE", dir.string()}});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);  // fail_on = "error" by default: a warning does not fail the run
  const auto report = nlohmann::json::parse(read_file(dir / "report.json"));
  const auto& findings = report["impact"]["findings"];
  REQUIRE(findings.size() == 1);
  CHECK(findings[0]["rule"] == "index_without_concurrently");
  CHECK(findings[0]["object"] == "public.big");
  CHECK(findings[0]["line"] == 1);
  CHECK(r.out.find("::warning file=migrations/20240102000000_indexes.sql,line=1,title=migsafe "
                   "index_without_concurrently%3A public.big::") != std::string::npos);
  CHECK(p.value("select count(*) from pg_indexes where indexname like '%_name_idx'") == "3");
}

TEST_CASE("with [safety] fail_on = \"warn\" the finding fails the run and it is rolled back; an ignore with a reason "
          "lets it through",
          "[impact][safety]") {
  Project p("impact_index_fail");
  sized_tables(p, "fail_on = \"warn\"\n");
  const auto before = p.snapshot();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  const auto report = r.json();
  CHECK(report["migrations"][0]["error"]["line"] == 1);
  CHECK(report["migrations"][0]["error"]["message"].get<std::string>().find("index_without_concurrently on public.big") !=
        std::string::npos);
  CHECK(differences(before, p.snapshot()) == "");
  CHECK(p.value("select count(*) from pg_indexes where indexname like '%_name_idx'") == "0");

  p.pipeline(migsafe::test::default_pipeline_body() +
             "[safety]\nlarge_table_rows = 1000\nfail_on = \"warn\"\n"
             "ignore = [{ rule = \"index_without_concurrently\", object = \"public.big\", reason = \"maintenance window\" }]\n");
  auto again = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.json()["impact"]["ignored"].size() == 1);
}

namespace {

// The database as pg_dump sees it (schema and data), with pg_dump 15.14+'s random \restrict keys left out.
std::string pg_dump_of(const Project& p) {
  migsafe::util::Command c;
  c.argv = {migsafe::pg::find_pg_tool("pg_dump", 15, "", 3), "--no-owner", "--dbname", p.db_arg()};
  auto r = migsafe::util::run_process(c);
  INFO(r.stderr_text);
  REQUIRE(r.ok());
  std::string kept;
  size_t start = 0;
  while (start < r.stdout_text.size()) {
    size_t end = r.stdout_text.find('\n', start);
    if (end == std::string::npos) end = r.stdout_text.size();
    const std::string line = r.stdout_text.substr(start, end - start);
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) kept += line + "\n";
    start = end + 1;
  }
  return kept;
}

}  // namespace

TEST_CASE("plan --analyze prints what each statement locks and rewrites and changes nothing", "[impact][plan]") {
  Project p("impact_plan_analyze");
  sized_tables(p, "");
  const std::string before = pg_dump_of(p);
  auto r = p.migsafe({"plan", "{pipeline}", "--db", "{db}", "--analyze", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto report = r.json();
  CHECK(report["command"] == "plan");
  CHECK(report["impact"]["statements"].size() == 5);
  CHECK(report["impact"]["findings"].size() == 1);
  CHECK(r.err.find("20240102000000_indexes.sql:1") != std::string::npos);
  CHECK(r.err.find("public.big ShareLock") != std::string::npos);
  CHECK(pg_dump_of(p) == before);
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "1");
}
