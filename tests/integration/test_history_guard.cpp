// `run` refuses (exit 4, nothing touched) when applied history no longer matches the files.
#include <catch2/catch.hpp>

#include <filesystem>

#include "harness.hpp"

using migsafe::test::Project;
using migsafe::test::differences;

namespace {

void applied_two(const Project& p) {
  p.pipeline();
  p.migration("20240101000000_a.sql", "create table public.a (id int);\n");
  p.migration("20240102000000_b.sql", "create table public.b (id int);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240103000000_c.sql", "create table public.c (id int);\n");
}

size_t backups(const Project& p) {
  size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(p.dir() / "backups")) n += e.path().extension() == ".json";
  return n;
}

}  // namespace

TEST_CASE("an applied migration edited afterwards makes run refuse with exit 4", "[history]") {
  Project p("changed_migration");
  applied_two(p);
  const auto pre_run = p.snapshot();
  p.migration("20240101000000_a.sql", "create table public.a (id int, sneaky text);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  CHECK(r.exit_code == 4);
  CHECK(r.json()["status"] == "refused");
  CHECK(r.err.find("20240101000000_a.sql: changed after it was applied") != std::string::npos);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(p.value("select to_regclass('public.c') is null") == "t");
  CHECK(backups(p) == 1);

  SECTION("status lists it as changed") {
    auto s = p.migsafe({"status", "{pipeline}", "--db", "{db}"});
    CHECK(s.exit_code == 0);
    CHECK(s.err.find("changed") != std::string::npos);
  }
  SECTION("--allow-changed runs anyway and warns") {
    auto forced = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--allow-changed", "--json"});
    CHECK(forced.exit_code == 0);
    CHECK(forced.json()["warnings"].size() == 1);
  }
}

TEST_CASE("an applied migration whose file is gone makes run refuse with exit 4", "[history]") {
  Project p("missing_migration");
  applied_two(p);
  const auto pre_run = p.snapshot();
  std::filesystem::remove(p.dir() / "migrations" / "20240102000000_b.sql");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("20240102000000_b is applied in the database but its file is missing") != std::string::npos);
  CHECK(differences(pre_run, p.snapshot()) == "");
  CHECK(backups(p) == 1);
}

TEST_CASE("a pending migration older than the newest applied one is refused", "[history]") {
  Project p("out_of_order");
  applied_two(p);
  p.migration("20231231000000_late.sql", "create table public.late (id int);\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("older than the newest applied migration") != std::string::npos);
  CHECK(p.value("select to_regclass('public.late') is null") == "t");
}
