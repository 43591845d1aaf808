// `run` applies pending migrations in order after a verified, tagged backup.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <fstream>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

void three_migrations(const Project& p) {
  p.migration("20240101000000_create_todos.sql",
              "create table public.todos (id bigint generated always as identity primary key,\n"
              "  user_id uuid not null, title text not null);\n");
  p.migration("20240102000000_add_done.sql", "alter table public.todos add column done boolean not null default false;\n");
  p.migration("20240103000000_seed.sql",
              "insert into public.todos (user_id, title) values ('00000000-0000-0000-0000-000000000001', 'a');\n"
              "insert into public.todos (user_id, title) values ('00000000-0000-0000-0000-000000000002', 'b');\n");
}

}  // namespace

TEST_CASE("run applies three migrations in order and records them in both history tables", "[run]") {
  Project p("happy_path");
  p.pipeline();
  three_migrations(p);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json", "--report", (p.dir() / "report.json").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  CHECK(p.value("select string_agg(version || ':' || name, ',' order by version) from supabase_migrations.schema_migrations") ==
        "20240101000000:create_todos,20240102000000:add_done,20240103000000:seed");
  CHECK(p.value("select count(*) from migsafe.migrations where checksum ~ '^[0-9a-f]{64}$'") == "3");
  CHECK(p.value("select array_length(statements, 1) from supabase_migrations.schema_migrations where version = '20240103000000'") == "2");
  CHECK(p.value("select count(*) from public.todos") == "2");

  auto report = r.json();
  CHECK(report["status"] == "succeeded");
  CHECK(report["exit_code"] == 0);
  CHECK(report["from_version"] == "0");
  CHECK(report["to_version"] == "20240103000000");
  REQUIRE(report["migrations"].size() == 3);
  CHECK(report["migrations"][0]["version"] == "20240101000000");
  CHECK(report["migrations"][2]["status"] == "applied");
  CHECK(report["mode"] == "atomic");

  auto backup = report["backup"];
  const std::string id = backup["backup_id"];
  CHECK(backup["migration_version"] == "0");
  CHECK(backup["target_version"] == "20240103000000");
  CHECK(backup["status"] == "verified");
  CHECK(id.find("_happy_path_v0") != std::string::npos);
  auto data = p.dir() / "backups" / backup["file"].get<std::string>();
  auto manifest = p.dir() / "backups" / (id + ".json");
  REQUIRE(std::filesystem::exists(data));
  REQUIRE(std::filesystem::exists(manifest));
  struct stat st {};
  stat(data.c_str(), &st);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(std::filesystem::file_size(data) == backup["bytes"].get<uint64_t>());
  CHECK(nlohmann::json::parse(std::ifstream(p.dir() / "report.json"))["status"] == "succeeded");

  SECTION("a second run has nothing to do and takes no backup") {
    auto again = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
    CHECK(again.exit_code == 0);
    CHECK(again.json()["status"] == "nothing_to_do");
    CHECK(again.json()["backup"].is_null());
    size_t files = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(p.dir() / "backups")) ++files;
    CHECK(files == 3);  // data, manifest, schema snapshot of the first run only
  }
  SECTION("the next backup is tagged with the version it restores to") {
    p.migration("20240104000000_more.sql", "alter table public.todos add column note text;\n");
    auto next = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
    REQUIRE(next.exit_code == 0);
    CHECK(next.json()["backup"]["migration_version"] == "20240103000000");
    CHECK(next.json()["backup"]["backup_id"].get<std::string>().find("_v20240103000000") != std::string::npos);
  }
}

TEST_CASE("--to applies pending migrations only up to the given version", "[run]") {
  Project p("to_version");
  p.pipeline();
  three_migrations(p);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--to", "20240102000000", "--json"});
  REQUIRE(r.exit_code == 0);
  CHECK(p.value("select max(version) from supabase_migrations.schema_migrations") == "20240102000000");
}

TEST_CASE("--ephemeral runs a pipeline on a throwaway server with the Supabase emulation", "[run][ephemeral]") {
  Project p("ephemeral_unused", false);
  p.pipeline();
  p.migration("20240101000000_uses_auth.sql",
              "create table public.profiles (id uuid primary key references auth.users(id));\n"
              "alter table public.profiles enable row level security;\n"
              "create policy p on public.profiles for select to authenticated using (id = auth.uid());\n");
  auto r = p.migsafe({"run", "{pipeline}", "--ephemeral", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.json()["status"] == "succeeded");
}

TEST_CASE("--ephemeral runs migrations that use Storage and the Realtime publication", "[run][ephemeral]") {
  Project p("ephemeral_storage_unused", false);
  p.pipeline();
  p.migration("20240101000000_avatars.sql",
              "create extension if not exists \"uuid-ossp\" with schema extensions;\n"
              "create table public.messages (id uuid primary key default extensions.uuid_generate_v4(), body text);\n"
              "alter publication supabase_realtime add table public.messages;\n"
              "insert into storage.buckets (id, name, public) values ('avatars', 'avatars', true);\n"
              "create policy \"avatar owners\" on storage.objects for insert to authenticated\n"
              "  with check (bucket_id = 'avatars' and (storage.foldername(name))[1] = auth.uid()::text);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--ephemeral", "--json"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("the Supabase emulation's storage path helpers answer as Supabase's do", "[shim]") {
  Project p("storage_helpers");
  CHECK(p.value("select storage.foldername('user-1/photos/cat.png')::text") == "{user-1,photos}");
  CHECK(p.value("select storage.filename('user-1/photos/cat.png')") == "cat.png");
  CHECK(p.value("select storage.extension('user-1/photos/cat.png')") == "png");
  CHECK(p.value("select count(*) from pg_publication where pubname = 'supabase_realtime'") == "1");
}
