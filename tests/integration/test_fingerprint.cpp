// The schema fingerprint itself: each thing docs/fingerprint.md says it covers changes it alone, it
// is the hash of the object-level snapshot, and manifests made with version 1 stay verifiable.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"
#include "pg/fingerprint.hpp"
#include "util/process.hpp"

using migsafe::test::differences;
using migsafe::test::Project;

namespace {

const char* kSchema = R"SQL(
create type public.plan_tier as enum ('free', 'pro');
create table public.accounts (id int primary key, owner text not null, tier public.plan_tier);
create unique index accounts_owner on public.accounts (owner);
alter table public.accounts add constraint owner_not_blank check (owner <> '');
create function public.touch() returns trigger language plpgsql as $$ begin return new; end $$;
create trigger accounts_touch before update on public.accounts for each row execute function public.touch();
alter table public.accounts enable row level security;
create policy accounts_read on public.accounts for select using (true);
create schema billing;
create table billing.invoices (id int primary key, account int);
create publication migsafe_test_pub;
)SQL";

}  // namespace

TEST_CASE("each blind spot of version 1 changes the version 2 fingerprint on its own", "[fingerprint]") {
  Project p("fingerprint_blind_spots", false);
  p.session()->exec(kSchema);
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"index validity", "update pg_index set indisvalid = false where indexrelid = 'public.accounts_owner'::regclass"},
      {"replica identity", "alter table public.accounts replica identity full"},
      {"comment on a constraint", "comment on constraint owner_not_blank on public.accounts is 'x'"},
      {"comment on a trigger", "comment on trigger accounts_touch on public.accounts is 'x'"},
      {"comment on a policy", "comment on policy accounts_read on public.accounts is 'x'"},
      {"comment on an index", "comment on index public.accounts_owner is 'x'"},
      {"a NOT VALID constraint", "alter table public.accounts drop constraint owner_not_blank; "
                                 "alter table public.accounts add constraint owner_not_blank check (owner <> '') not valid"},
      {"a statistics object", "create statistics public.accounts_stats on id, owner from public.accounts"},
      {"publication membership", "alter publication migsafe_test_pub add table public.accounts"},
      {"default privileges", "alter default privileges in schema public grant select on tables to public"},
      {"a column outside of an owned type", "alter table billing.invoices add column tier public.plan_tier"},
      {"a foreign key from outside", "alter table billing.invoices add foreign key (account) references public.accounts (id)"},
      {"a view outside on an owned table", "create view billing.owners as select owner from public.accounts"},
      {"a trigger outside calling an owned function",
       "create trigger invoices_touch before update on billing.invoices for each row execute function public.touch()"},
  };
  auto s = p.session();
  const std::string v2 = migsafe::pg::take_fingerprint(*s, {"public"}).hash;
  const std::string v1 = migsafe::pg::take_fingerprint(*s, {"public"}, 1).hash;
  CHECK(v1 != v2);
  for (const auto& [what, sql] : changes) {
    INFO(what);
    s->exec("begin");
    s->exec(sql);
    auto changed = migsafe::pg::take_fingerprint(*s, {"public"});
    s->exec("rollback");
    CHECK(changed.hash != v2);
    CHECK(changed.version == 2);
  }
  // Nothing was left behind: the same again.
  CHECK(migsafe::pg::take_fingerprint(*s, {"public"}).hash == v2);
}

TEST_CASE("the fingerprint is the hash of the sorted object-level snapshot", "[fingerprint]") {
  Project p("fingerprint_snapshot", false);
  p.session()->exec(kSchema);
  auto s = p.session();
  auto fp = migsafe::pg::take_fingerprint(*s, {"public"});
  auto objects = migsafe::pg::snapshot_objects(*s, {"public"});
  REQUIRE(objects.size() == fp.facts.size());
  std::string text;
  for (size_t i = 0; i < objects.size(); ++i) {
    CHECK(objects[i].identity == fp.facts[i].identity);
    text += (i ? "\n" : "") + objects[i].kind + "\t" + objects[i].identity + "\t" + objects[i].definition;
  }
  // Recomputed outside migsafe's hashing: sha256 of the lines, as sha256sum prints it.
  std::ofstream(p.dir() / "facts.txt", std::ios::binary) << text;
  migsafe::util::Command sha;
  sha.argv = {"sha256sum", (p.dir() / "facts.txt").string()};
  auto r = migsafe::util::run_process(sha);
  REQUIRE(r.ok());
  CHECK(fp.hash == "sha256:" + r.stdout_text.substr(0, 64));
  bool has_outside = false;
  for (const auto& o : objects) has_outside = has_outside || o.kind == "outside dependent";
  CHECK_FALSE(has_outside);
  s->exec("create view billing.owners as select owner from public.accounts");
  auto after = migsafe::pg::fingerprint_differences(fp, migsafe::pg::take_fingerprint(*s, {"public"}));
  REQUIRE_FALSE(after.empty());  // the view's rule, object by object
  for (const auto& line : after) CHECK(line.find("+ outside dependent") == 0);
}

TEST_CASE("a manifest made with fingerprint version 1 still verifies and restores", "[fingerprint][backup]") {
  Project p("fingerprint_old_manifest");
  p.pipeline();
  p.migration("20240101000000_base.sql", "create table public.t (id int primary key, v text);\n"
                                         "insert into public.t select g, md5(g::text) from generate_series(1, 100) g;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  auto created = p.migsafe({"backup", "create", "{pipeline}", "--db", "{db}", "--json"});
  REQUIRE(created.exit_code == 0);
  const std::string id = created.json()["backup_id"];
  const auto at_backup = p.snapshot();

  // As an older migsafe wrote it: a version 1 fingerprint and no version field.
  auto manifest_path = p.dir() / "backups" / (id + ".json");
  auto manifest = nlohmann::json::parse(migsafe::test::read_file(manifest_path));
  CHECK(manifest["fingerprint_version"] == 2);
  manifest.erase("fingerprint_version");
  manifest["schema_fingerprint"] = migsafe::pg::take_fingerprint(*p.session(), {"public"}, 1).hash;
  std::ofstream(manifest_path) << manifest.dump(2);

  auto drill = p.migsafe({"backup", "verify", "{pipeline}", "--db", "{db}", "--id", id, "--restore-drill"});
  INFO(drill.err);
  CHECK(drill.exit_code == 0);

  p.session()->exec("delete from public.t where id > 50; alter table public.t add column w int;");
  auto restored = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--id", id, "--yes", "--json"});
  INFO(restored.err);
  CHECK(restored.exit_code == 0);
  CHECK(differences(at_backup, p.snapshot()) == "");

  SECTION("a version this migsafe does not know is refused before anything changes") {
    manifest["fingerprint_version"] = 99;
    std::ofstream(manifest_path) << manifest.dump(2);
    auto refused = p.migsafe({"backup", "restore", "{pipeline}", "--db", "{db}", "--id", id, "--yes"});
    CHECK(refused.exit_code == 4);
    CHECK(refused.err.find("version 99") != std::string::npos);
  }
}
