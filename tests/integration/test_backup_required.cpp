// No verified backup, no migration: any backup failure is exit 4 with nothing applied.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

void check_nothing_applied(const Project& p, const migsafe::test::Outcome& r) {
  INFO(r.err);
  CHECK(r.exit_code == 4);
  CHECK(r.json()["status"] == "refused");
  CHECK(p.value("select to_regclass('public.a') is null") == "t");
  CHECK(p.value("select count(*) from supabase_migrations.schema_migrations") == "0");
}

}  // namespace

TEST_CASE("a missing pg_dump refuses the run before any migration", "[backup]") {
  Project p("no_pg_dump");
  std::filesystem::create_directories(p.dir() / "empty-bin");
  p.pipeline(migsafe::test::pipeline_body_with("[database]", "[database]\npg_bin_dir = \"empty-bin\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  check_nothing_applied(p, r);
  CHECK(r.err.find("pg_dump not found") != std::string::npos);
}

TEST_CASE("an unwritable backup directory refuses the run and leaves no partial file", "[backup]") {
  Project p("bad_backup_dir");
  std::ofstream(p.dir() / "not-a-dir") << "a file where the backup directory should be";
  p.pipeline(migsafe::test::pipeline_body_with("dir = \"backups\"", "dir = \"not-a-dir/backups\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  check_nothing_applied(p, r);
}

TEST_CASE("a pg_dump that dies mid-dump refuses the run and leaves no backup", "[backup]") {
  Project p("pg_dump_killed");
  auto bin = p.dir() / "fake-bin";
  std::filesystem::create_directories(bin);
  for (const char* tool : {"pg_restore", "psql"}) {
    std::filesystem::create_symlink(std::string("/usr/lib/postgresql/15/bin/") + tool, bin / tool);
  }
  std::ofstream(bin / "pg_dump") << "#!/bin/sh\nhead -c 100000 /dev/urandom\nkill -9 $$\n";
  std::filesystem::permissions(bin / "pg_dump", std::filesystem::perms::owner_all);
  p.pipeline(migsafe::test::pipeline_body_with("[database]", "[database]\npg_bin_dir = \"fake-bin\""));
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  check_nothing_applied(p, r);
  CHECK(r.err.find("signal 9") != std::string::npos);
  size_t files = 0;
  if (std::filesystem::exists(p.dir() / "backups")) {
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(p.dir() / "backups")) ++files;
  }
  CHECK(files == 0);
}
