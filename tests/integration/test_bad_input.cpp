// Bad input gets exit 2 and a message naming the file and line; the database is not touched.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

void check_refused_untouched(const Project& p, const migsafe::test::Outcome& r, const std::string& expected) {
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(expected) != std::string::npos);
  CHECK(p.value("select to_regclass('supabase_migrations.schema_migrations') is null") == "t");
  CHECK(p.value("select to_regnamespace('migsafe') is null") == "t");
}

}  // namespace

TEST_CASE("bad pipelines and migration files are exit 2 with file and line", "[input]") {
  Project p("bad_input");
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");

  SECTION("TOML syntax error") {
    p.pipeline("version = 1\n[migrations\ndir = \"migrations\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}), "pipeline.toml:2:");
  }
  SECTION("unknown key") {
    p.pipeline("version = 1\n[migrations]\ndir = \"migrations\"\nmdoe = \"atomic\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}),
                            "pipeline.toml:4:1: unknown key 'migrations.mdoe' (did you mean 'mode'?)");
  }
  SECTION("bad duration") {
    p.pipeline("version = 1\n[database]\nlock_timeout = \"5 parsecs\"\n[migrations]\ndir = \"migrations\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}), "pipeline.toml:3:");
  }
  SECTION("missing migrations directory") {
    p.pipeline("version = 1\n[migrations]\ndir = \"nowhere\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}), "nowhere");
  }
  SECTION("a .sql file that is not <digits>_<name>.sql, with [migrations] strict = true") {
    p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"\n", "dir = \"migrations\"\nstrict = true\n"));
    p.migration("add_users.sql", "select 1;\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}), "add_users.sql: not a migration file name");
  }
  SECTION("two files with one version, both named") {
    p.pipeline();
    p.migration("20240101000000_b.sql", "select 1;\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
    check_refused_untouched(p, r, "duplicate migration version 20240101000000");
    CHECK(r.err.find("20240101000000_a.sql") != std::string::npos);
    CHECK(r.err.find("20240101000000_b.sql") != std::string::npos);
  }
  SECTION("validate reports the same offline") {
    p.pipeline("version = 1\n[migrations]\ndir = \"migrations\"\nmdoe = \"atomic\"\n");
    auto r = p.migsafe({"validate", "{pipeline}"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("pipeline.toml:4:1") != std::string::npos);
  }
  SECTION("a backup directory that escapes into a system directory through '..'") {
    p.pipeline("version = 1\n[migrations]\ndir = \"migrations\"\n[backup]\ndir = \"../../../../../../../../etc/migsafe\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}),
                            "pipeline.toml:5:7: 'backup.dir' resolves to /etc/migsafe");
  }
  SECTION("a backup directory that escapes through a symlink") {
    std::filesystem::create_directory_symlink("/usr/share", p.dir() / "shared");
    p.pipeline("version = 1\n[migrations]\ndir = \"migrations\"\n[backup]\ndir = \"shared/backups\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}), "(through '..' or a symlink)");
  }
  SECTION("a backup directory inside the migrations directory") {
    p.pipeline("version = 1\n[migrations]\ndir = \"migrations\"\n[backup]\ndir = \"migrations/backups\"\n");
    check_refused_untouched(p, p.migsafe({"run", "{pipeline}", "--db", "{db}"}), "inside the migrations directory");
  }
  SECTION("unknown command-line flag") {
    p.pipeline();
    CHECK(p.migsafe({"run", "{pipeline}", "--no-such-flag"}).exit_code == 2);
  }
}

TEST_CASE("validate accepts a good pipeline without a database", "[input]") {
  Project p("validate_ok", false);
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  auto r = p.migsafe({"validate", "{pipeline}"});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("valid") != std::string::npos);
}

TEST_CASE("new creates a timestamped migration file and prints its path", "[input]") {
  Project p("new_file", false);
  auto r = p.migsafe({"new", "Add user profiles", "--dir", (p.dir() / "supabase" / "migrations").string()});
  REQUIRE(r.exit_code == 0);
  std::string path = r.out.substr(0, r.out.find('\n'));
  CHECK(std::filesystem::exists(path));
  std::string name = std::filesystem::path(path).filename().string();
  CHECK(name.size() == std::string("20240101000000_add_user_profiles.sql").size());
  CHECK(name.substr(14) == "_add_user_profiles.sql");
}
