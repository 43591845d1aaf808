// Tests for pipeline/commit_points.cpp: where an atomic run must commit, and where it need not.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "pipeline/commit_points.hpp"
#include "sql/transaction_safety.hpp"

using migsafe::config::MigrationFile;
using migsafe::pipeline::plan_commit_points;

namespace {

std::vector<const MigrationFile*> pointers(const std::vector<MigrationFile>& files) {
  std::vector<const MigrationFile*> out;
  for (const auto& f : files) out.push_back(&f);
  return out;
}

MigrationFile file(const std::string& version, const std::string& sql) {
  return MigrationFile{version, "m", version + "_m.sql", sql, ""};
}

}  // namespace

TEST_CASE("enum_values_added reads the type and label of ALTER TYPE ... ADD VALUE, also in DO blocks") {
  auto added = migsafe::sql::enum_values_added("-- c\nALTER TYPE Public.\"Mood\" ADD VALUE IF NOT EXISTS 'it''s' BEFORE 'x'");
  REQUIRE(added.size() == 1);
  CHECK(added[0].type == "public.Mood");
  CHECK(added[0].label == "it's");
  CHECK(migsafe::sql::enum_values_added("alter type mood rename value 'a' to 'b'").empty());
  CHECK(migsafe::sql::enum_values_added("select 'alter type mood add value ''x'''").empty());
  auto in_do = migsafe::sql::enum_values_added(
      "DO $$\nBEGIN\n  IF NOT EXISTS (select 1) THEN\n    ALTER TYPE app_role ADD VALUE 'supplier';\n  END IF;\nEND$$");
  REQUIRE(in_do.size() == 1);
  CHECK(in_do[0].type == "app_role");
  CHECK(in_do[0].label == "supplier");
}

TEST_CASE("an enum value added and used by a later migration makes a commit point after it") {
  std::vector<MigrationFile> files{file("1", "create table t (m public.mood);"),
                                   file("2", "-- why\nalter type public.mood add value 'meh';"),
                                   file("3", "select 1;"), file("4", "insert into t values ('meh');")};
  auto points = plan_commit_points(pointers(files));
  REQUIRE(points.size() == 1);
  CHECK(points[0].after == 1);
  CHECK(points[0].version == "2");
  CHECK(points[0].line == 2);
  CHECK(points[0].reason.find("55P04") != std::string::npos);
  CHECK(points[0].reason.find("4_m.sql uses it") != std::string::npos);
}

TEST_CASE("no commit point when nothing later uses the value, or nothing follows") {
  std::vector<MigrationFile> unused{file("1", "alter type mood add value 'meh';"), file("2", "select 'other';")};
  CHECK(plan_commit_points(pointers(unused)).empty());
  std::vector<MigrationFile> last{file("1", "alter type mood add value 'b';")};
  CHECK(plan_commit_points(pointers(last)).empty());
}

TEST_CASE("a commit point also when the type was created earlier in the same run (PostgreSQL 15 refuses that too)") {
  std::vector<MigrationFile> created{file("1", "create type mood as enum ('a');"),
                                     file("2", "alter type mood add value 'b';"), file("3", "select 'b'::mood;")};
  auto points = plan_commit_points(pointers(created));
  REQUIRE(points.size() == 1);
  CHECK(points[0].after == 1);
}

TEST_CASE("a logical replication slot gets a commit point before its migration") {
  std::vector<MigrationFile> files{file("1", "create table t ();"),
                                   file("2", "select pg_create_logical_replication_slot('s', 'pgoutput');")};
  auto points = plan_commit_points(pointers(files));
  REQUIRE(points.size() == 1);
  CHECK(points[0].after == 0);
  CHECK(points[0].reason.find("25001") != std::string::npos);
}
