// Tests for sql/migration_body.cpp: own BEGIN ... COMMIT wrappers, refused transaction control and
// psql meta-commands, with their line and column.
#include <catch2/catch.hpp>
#include <string>

#include "sql/migration_body.hpp"

using migsafe::sql::migration_body;

namespace {

std::string texts(const migsafe::sql::MigrationBody& body) {
  std::string out;
  for (const auto& s : body.statements) out += s.text + "|";
  return out;
}

}  // namespace

TEST_CASE("a file wrapped in its own BEGIN ... COMMIT runs its inside as one unit") {
  for (const char* source : {"BEGIN;\ncreate table a();\ninsert into a default values;\nCOMMIT;\n",
                             "begin transaction;\ncreate table a();\ninsert into a default values;\ncommit work;",
                             "Start Transaction;\ncreate table a();\ninsert into a default values;\nEND;",
                             "begin work;create table a();insert into a default values;end transaction"}) {
    INFO(source);
    auto body = migration_body(source);
    CHECK(body.refusals.empty());
    CHECK(body.own_transaction);
    CHECK(texts(body) == "create table a()|insert into a default values|");
  }
}

TEST_CASE("a file ending in COMMIT without BEGIN is one unit too") {
  auto body = migration_body("create table a();\ncommit;\n");
  CHECK(body.refusals.empty());
  CHECK(texts(body) == "create table a()|");
}

TEST_CASE("a file without transaction control is left alone; savepoints are not transaction control") {
  auto body = migration_body("create table a();\nsavepoint s;\nrollback to savepoint s;\nrelease s;\n");
  CHECK(body.refusals.empty());
  CHECK_FALSE(body.own_transaction);
  CHECK(body.statements.size() == 4);
}

TEST_CASE("COMMIT or ROLLBACK in the middle of a file is refused at its line and column") {
  auto body = migration_body("begin;\ncreate table a();\n  -- done\n  COMMIT;\ncreate table b();\n");
  REQUIRE(body.refusals.size() == 2);  // and the BEGIN, which no COMMIT ends the file for
  CHECK(body.refusals[0].line == 1);
  CHECK(body.refusals[1].line == 4);
  CHECK(body.refusals[1].column == 3);
  CHECK(body.refusals[1].message.rfind("COMMIT in the middle of a migration", 0) == 0);

  body = migration_body("create table a();\nrollback;\ncreate table b();");
  REQUIRE(body.refusals.size() == 1);
  CHECK(body.refusals[0].line == 2);
  CHECK(body.refusals[0].message.rfind("ROLLBACK in the middle of a migration", 0) == 0);
}

TEST_CASE("two BEGIN ... COMMIT blocks in one file are refused at the inner COMMIT and BEGIN") {
  auto body = migration_body("begin;\nselect 1;\ncommit;\nbegin;\nselect 2;\ncommit;\n");
  REQUIRE(body.refusals.size() == 2);
  CHECK(body.refusals[0].line == 3);
  CHECK(body.refusals[1].line == 4);
}

TEST_CASE("BEGIN without COMMIT, a final ROLLBACK and PREPARE TRANSACTION are refused") {
  CHECK(migration_body("begin;\ncreate table a();\n").refusals.size() == 1);
  auto rollback = migration_body("begin;\ncreate table a();\nrollback;\n");
  REQUIRE(rollback.refusals.size() == 2);
  CHECK(rollback.refusals[1].message.find("undo the migration") != std::string::npos);
  CHECK(migration_body("begin;\nselect 1;\nprepare transaction 'x';\ncommit;").refusals.size() == 1);
}

TEST_CASE("psql meta-commands are refused with their name, line and column") {
  auto body = migration_body("create table a();\n\\i ./other.sql\nselect 1 \\gset\n\\connect db\n");
  REQUIRE(body.refusals.size() == 3);
  CHECK(body.refusals[0].line == 2);
  CHECK(body.refusals[0].column == 1);
  CHECK(body.refusals[0].message.rfind("psql meta-command \\i in a migration", 0) == 0);
  CHECK(body.refusals[1].line == 3);
  CHECK(body.refusals[1].column == 10);
  CHECK(body.refusals[1].message.rfind("psql meta-command \\gset", 0) == 0);
  CHECK(body.refusals[2].message.rfind("psql meta-command \\connect", 0) == 0);
}

TEST_CASE("backslashes inside strings, dollar quotes and comments are not meta-commands") {
  auto body = migration_body(
      "select 'C:\\temp', E'a\\'b', $$ \\i x $$;\n-- \\i in a comment\n/* \\set x */ select \"a\\b\";\n");
  CHECK(body.refusals.empty());
}

TEST_CASE("inline COPY data is refused at its terminating \\. with advice") {
  auto body = migration_body("copy t (a) from stdin;\n1\n2\n\\.\n");
  REQUIRE_FALSE(body.refusals.empty());
  CHECK(body.refusals.back().line == 4);
  CHECK(body.refusals.back().message.find("INSERT ... VALUES") != std::string::npos);
}
