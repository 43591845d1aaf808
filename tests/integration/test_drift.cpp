// Drift: after a successful run, each out-of-band change made with plain SQL is reported by
// `migsafe drift` as exactly that object and change — and a schema-only pg_dump diff (a tool that
// is not migsafe) shows the same change. No drift after a run, a dry run or a restore;
// on_drift = "refuse" stops a run before it changes anything.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"
#include "pg/fingerprint.hpp"
#include "pg/session.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

const char* kSchema = R"SQL(
create type public.mood as enum ('sad', 'ok');
create table public.todos (
  id bigint generated always as identity primary key,
  title text not null default '',
  note text,
  score integer,
  owner_id integer,
  m public.mood
);
create index todos_title_idx on public.todos (title);
alter table public.todos enable row level security;
create policy "todos: owner can update" on public.todos for update to authenticated
  using (owner_id = 1) with check (owner_id = 1);
grant select on public.todos to authenticated;
comment on table public.todos is 'things to do';
create table public.secrets (id int primary key, body text);
revoke all on public.secrets from anon, authenticated;
create function public.add_one(x integer) returns integer language sql immutable as $$ select x + 1 $$;
create function public.touch() returns trigger language plpgsql as $$ begin new.score := coalesce(new.score, 0); return new; end $$;
create trigger todos_touch before insert on public.todos for each row execute function public.touch();
create view public.todo_titles with (security_invoker = true) as select id, title from public.todos;
)SQL";

struct OutOfBand {
  const char* name;
  const char* sql;
  const char* change;    // "added" | "removed" | "changed"
  const char* kind;      // as drift shows it
  const char* identity;
  const char* shown;     // a piece of drift's line for it (before → after)
  const char* dumped;    // a piece of the pg_dump diff that shows it too
};

const OutOfBand kChanges[] = {
    {"column type", "alter table public.todos alter column score type bigint", "changed", "column",
     "public.todos.score", "type: integer → bigint", "score bigint"},
    {"column default", "alter table public.todos alter column score set default 7", "changed", "column",
     "public.todos.score", "default: (none) → 7", "DEFAULT 7"},
    {"NOT NULL", "alter table public.todos alter column note set not null", "changed", "column",
     "public.todos.note", "not_null: false → true", "note text NOT NULL"},
    {"new index", "create index todos_score_idx on public.todos (score)", "added", "index", "public.todos_score_idx",
     "CREATE INDEX todos_score_idx ON public.todos USING btree (score)", "CREATE INDEX todos_score_idx"},
    {"dropped index", "drop index public.todos_title_idx", "removed", "index", "public.todos_title_idx",
     "- index public.todos_title_idx removed", "CREATE INDEX todos_title_idx"},
    {"policy USING", "alter policy \"todos: owner can update\" on public.todos using (true)", "changed", "policy",
     "public.todos.todos: owner can update", "using: (owner_id = 1) → true", "USING (true)"},
    {"policy roles", "alter policy \"todos: owner can update\" on public.todos to anon, authenticated", "changed",
     "policy", "public.todos.todos: owner can update", "roles: [\"authenticated\"] → [\"anon\",\"authenticated\"]",
     "anon"},  // pg_dump lists a policy's roles in pg_authid's scan order, which other tests can change
    {"grant", "grant select on public.secrets to anon", "changed", "table", "public.secrets",
     "grant SELECT to anon: added", "GRANT SELECT ON TABLE public.secrets TO anon"},
    {"revoke", "revoke select on public.todos from authenticated", "changed", "table", "public.todos",
     "grant SELECT to authenticated: revoked", "TO authenticated"},
    {"function body",
     "create or replace function public.add_one(x integer) returns integer language sql immutable as $$ select x + 2 $$",
     "changed", "function", "public.add_one(x integer)", "select x + 1 $function$ → AS $function$ select x + 2",
     "x + 2"},
    {"trigger disabled", "alter table public.todos disable trigger todos_touch", "changed", "trigger",
     "public.todos.todos_touch", "enabled: enabled → disabled", "DISABLE TRIGGER todos_touch"},
    {"RLS disabled", "alter table public.todos disable row level security", "changed", "table", "public.todos",
     "rls: true → false", "ENABLE ROW LEVEL SECURITY"},
    {"view definition",
     "create or replace view public.todo_titles with (security_invoker = true) as "
     "select id, upper(title) as title from public.todos",
     "changed", "view", "public.todo_titles", "upper(todos.title)", "upper("},
    {"security_invoker flipped", "alter view public.todo_titles set (security_invoker = false)", "changed", "view",
     "public.todo_titles", "options.security_invoker: true → false", "security_invoker='false'"},
    {"comment", "comment on table public.todos is 'changed by hand'", "changed", "table", "public.todos",
     "comment: things to do → changed by hand", "changed by hand"},
    {"owner", "alter table public.secrets owner to authenticated", "changed", "table", "public.secrets",
     "→ authenticated", "OWNER TO authenticated"},
    {"new table", "create table public.hand_made (id int, label text)", "added", "table", "public.hand_made",
     "+ table public.hand_made added", "CREATE TABLE public.hand_made"},
    {"dropped view", "drop view public.todo_titles", "removed", "view", "public.todo_titles",
     "- view public.todo_titles removed", "CREATE VIEW public.todo_titles"},
    {"enum value added", "alter type public.mood add value 'happy'", "changed", "type", "public.mood",
     "labels: [\"sad\",\"ok\"] → [\"sad\",\"ok\",\"happy\"]", "'happy'"},
};

// kSchema without the REVOKE: a table whose privileges were revoked from roles that the owned
// schema's default privileges grant to does not restore to the same ACL (restore exit 3; found
// while writing these tests, see docs/drift.md), so the restore test leaves it out.
std::string restorable_schema() {
  std::string schema = kSchema;
  const std::string revoke = "revoke all on public.secrets from anon, authenticated;\n";
  return schema.replace(schema.find(revoke), revoke.size(), "");
}

void base_project(Project& p, const std::string& pipeline_extra = "", const std::string& schema = kSchema) {
  p.pipeline(pipeline_extra.empty() ? ""
                                    : migsafe::test::pipeline_body_with("lock_wait = \"2s\"",
                                                                        "lock_wait = \"2s\"\n" + pipeline_extra));
  p.migration("20240101000000_schema.sql", schema);
  auto run = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
}

nlohmann::json drift_report(const Project& p, int expected_exit) {
  auto r = p.migsafe({"drift", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == expected_exit);
  return r.json();
}

}  // namespace

TEST_CASE("each out-of-band change is reported as exactly that object and change, as pg_dump sees it too",
          "[drift]") {
  int n = 0;
  for (const auto& c : kChanges) {
    DYNAMIC_SECTION(c.name) {
      Project p("drift_case_" + std::to_string(n));
      base_project(p);
      const auto before = p.snapshot();
      CHECK(drift_report(p, 0)["drift"]["changes"].empty());

      p.query(c.sql);
      const std::string dumped = differences(before, p.snapshot());
      INFO("pg_dump diff:\n" << dumped);
      CHECK(dumped.find(c.dumped) != std::string::npos);

      auto report = drift_report(p, 4);
      const auto& changes = report["drift"]["changes"];
      INFO("drift: " << changes.dump(2));
      REQUIRE(changes.size() == 1);
      CHECK(changes[0]["change"] == c.change);
      CHECK(changes[0]["kind"] == c.kind);
      CHECK(changes[0]["identity"] == c.identity);
      CHECK(changes[0]["text"].get<std::string>().find(c.shown) != std::string::npos);
      CHECK(report["status"] == "drift");
    }
    ++n;
  }
}

TEST_CASE("the stored snapshot is the fingerprint's list: no drift after a run, a dry run or a restore",
          "[drift]") {
  Project p("drift_none");
  p.pipeline();
  auto none = p.migsafe({"drift", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(none.exit_code == 2);
  CHECK(none.json()["status"] == "no_baseline");
  CHECK(none.err.find("no schema snapshot is stored yet") != std::string::npos);

  base_project(p, "", restorable_schema());
  CHECK(p.value("select fingerprint from migsafe.schema_snapshots where source = 'run' order by id desc limit 1") ==
        migsafe::pg::take_fingerprint(*p.session(), {"public"}).hash);
  CHECK(drift_report(p, 0)["status"] == "no_drift");

  p.migration("20240102000000_more.sql", "alter table public.todos add column due date;\n");
  auto dry = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--dry-run"});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(drift_report(p, 0)["drift"]["changes"].empty());

  const auto at_v1 = p.snapshot();
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  CHECK(drift_report(p, 0)["drift"]["changes"].empty());
  auto restore = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--tag", "20240101000000", "--yes"});
  INFO(restore.err);
  REQUIRE(restore.exit_code == 0);
  CHECK(differences(at_v1, p.snapshot()) == "");
  auto after_restore = drift_report(p, 0);
  CHECK(after_restore["drift"]["changes"].empty());
  CHECK(after_restore["drift"]["baseline"]["source"] == "restore");
}

TEST_CASE("on_drift = \"refuse\" stops the run with exit 4 and changes nothing; warn goes on", "[drift]") {
  Project p("drift_refuse");
  base_project(p, "on_drift = \"refuse\"");
  p.query("grant select on public.secrets to anon");
  p.migration("20240102000000_more.sql", "alter table public.todos add column due date;\n");
  const auto before = p.snapshot();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 4);
  CHECK(r.json()["status"] == "refused");
  CHECK(r.err.find("grant SELECT to anon: added") != std::string::npos);
  CHECK(differences(before, p.snapshot()) == "");

  auto status = p.migsafe({"status", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(status.json()["drift"]["drifted"] == true);
  CHECK(status.err.find("drift: ~ table public.secrets: grant SELECT to anon: added") != std::string::npos);
  auto plan = p.migsafe({"plan", "{pipeline}", "--db", "{db}"});
  CHECK(plan.err.find("grant SELECT to anon: added") != std::string::npos);

  p.pipeline();  // on_drift defaults to warn
  auto warned = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(warned.err);
  REQUIRE(warned.exit_code == 0);
  CHECK(warned.json()["warnings"].dump().find("drift: ~ table public.secrets") != std::string::npos);
  CHECK(drift_report(p, 0)["drift"]["changes"].empty());  // the run's snapshot is the new baseline
}

TEST_CASE("drift --accept makes the live schemas the baseline; GitHub gets warnings and a summary", "[drift]") {
  Project p("drift_accept");
  base_project(p);
  p.query("drop index public.todos_title_idx");
  const std::string summary = (p.dir() / "summary.md").string();
  auto gh = p.migsafe({"drift", "{pipeline}", "--db", "{db}"},
                      {{"GITHUB_ACTIONS", "true"}, {"GITHUB_STEP_SUMMARY", summary}});
  CHECK(gh.exit_code == 4);
  CHECK(gh.out.find("::warning title=migsafe::drift: - index public.todos_title_idx removed") != std::string::npos);
  CHECK(migsafe::test::read_file(summary).find("index public.todos_title_idx removed") != std::string::npos);

  const auto before = p.snapshot({"migsafe"});
  auto accept = p.migsafe({"drift", "{pipeline}", "--db", "{db}", "--accept"});
  INFO(accept.err);
  CHECK(accept.exit_code == 0);
  CHECK(differences(before, p.snapshot({"migsafe"})) == "");
  CHECK(drift_report(p, 0)["drift"]["baseline"]["source"] == "accept");
}

TEST_CASE("a bad on_drift value is a usage error naming file and line", "[drift]") {
  Project p("drift_bad_config", false);
  p.pipeline(migsafe::test::pipeline_body_with("lock_wait = \"2s\"", "lock_wait = \"2s\"\non_drift = \"ignore\""));
  auto r = p.migsafe({"validate", "{pipeline}"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("pipeline.toml:6") != std::string::npos);
  CHECK(r.err.find("on_drift") != std::string::npos);
}

TEST_CASE("an exit 3 names what differs from the pre-run snapshot object by object, as pg_dump shows it",
          "[drift]") {
  Project p("drift_exit3");
  base_project(p, "", restorable_schema());
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"per-migration\"") +
             "[on_failure]\nrestore = false\n");
  p.migration("20240102000000_index.sql", "create index todos_score_idx on public.todos (score);\n");
  p.migration("20240103000000_broken.sql", "select no_such_function();\n");
  const auto before = p.snapshot();
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 3);
  const std::string listed = r.json()["restore"]["differences"].dump();
  CHECK(listed.find("+ index public.todos_score_idx added: CREATE INDEX todos_score_idx ON public.todos USING btree "
                    "(score)") != std::string::npos);
  CHECK(r.json()["restore"]["differences"].size() == 1);
  CHECK(differences(before, p.snapshot()).find("CREATE INDEX todos_score_idx") != std::string::npos);
}
