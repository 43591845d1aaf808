// Tests for sql/transaction_safety.cpp: statements that cannot run inside a transaction block.
#include <catch2/catch.hpp>
#include <string>

#include "sql/transaction_safety.hpp"

using migsafe::sql::is_transaction_control;
using migsafe::sql::non_transactional_reason;

namespace {

bool flagged(const std::string& statement) {
  return !non_transactional_reason(statement).empty();
}

}  // namespace

TEST_CASE("CREATE INDEX CONCURRENTLY is reported with PostgreSQL's wording") {
  CHECK(non_transactional_reason("CREATE INDEX CONCURRENTLY i ON t (a)") ==
        "CREATE INDEX CONCURRENTLY cannot run inside a transaction block");
  CHECK(flagged("create unique index concurrently if not exists i on t (a)"));
  CHECK(flagged("Create Index Concurrently on t (a)"));
  CHECK_FALSE(flagged("create index i on t (a)"));
  CHECK_FALSE(flagged("create unique index i on t (a)"));
}

TEST_CASE("DROP INDEX CONCURRENTLY is reported") {
  CHECK(non_transactional_reason("drop index concurrently if exists i") ==
        "DROP INDEX CONCURRENTLY cannot run inside a transaction block");
  CHECK_FALSE(flagged("drop index i"));
}

TEST_CASE("REINDEX CONCURRENTLY is reported in keyword and option form") {
  CHECK(non_transactional_reason("reindex table concurrently t") ==
        "REINDEX CONCURRENTLY cannot run inside a transaction block");
  CHECK(flagged("reindex index concurrently i"));
  CHECK(flagged("reindex (concurrently) table t"));
  CHECK(flagged("reindex (verbose, concurrently true) table t"));
  CHECK_FALSE(flagged("reindex (concurrently false) table t"));
  CHECK_FALSE(flagged("reindex (verbose) table t"));
  CHECK_FALSE(flagged("reindex index i"));
}

TEST_CASE("REINDEX SCHEMA, DATABASE and SYSTEM are reported") {
  CHECK(non_transactional_reason("reindex schema public") ==
        "REINDEX SCHEMA cannot run inside a transaction block");
  CHECK(flagged("reindex database db"));
  CHECK(flagged("reindex (verbose) system"));
}

TEST_CASE("VACUUM in any form is reported, ANALYZE is not") {
  CHECK(non_transactional_reason("VACUUM") == "VACUUM cannot run inside a transaction block");
  CHECK(flagged("vacuum (analyze, verbose) t"));
  CHECK(flagged("vacuum full t"));
  CHECK_FALSE(flagged("analyze t"));
}

TEST_CASE("ALTER SYSTEM is reported") {
  CHECK(non_transactional_reason("alter system set work_mem = '64MB'") ==
        "ALTER SYSTEM cannot run inside a transaction block");
}

TEST_CASE("CREATE and DROP of databases and tablespaces are reported") {
  CHECK(non_transactional_reason("create database d") ==
        "CREATE DATABASE cannot run inside a transaction block");
  CHECK(non_transactional_reason("drop database if exists d") ==
        "DROP DATABASE cannot run inside a transaction block");
  CHECK(non_transactional_reason("create tablespace s location '/x'") ==
        "CREATE TABLESPACE cannot run inside a transaction block");
  CHECK(non_transactional_reason("drop tablespace s") ==
        "DROP TABLESPACE cannot run inside a transaction block");
  CHECK_FALSE(flagged("alter tablespace s rename to s2"));
}

TEST_CASE("ALTER DATABASE ... SET TABLESPACE is reported, other ALTER DATABASE SETs are not") {
  CHECK(non_transactional_reason("alter database \"d\" set tablespace s") ==
        "ALTER DATABASE SET TABLESPACE cannot run inside a transaction block");
  CHECK_FALSE(flagged("alter database d set default_tablespace = s"));
  CHECK_FALSE(flagged("alter database d set search_path = public"));
}

TEST_CASE("ALTER TYPE ... ADD VALUE is allowed in a transaction from PostgreSQL 12 on") {
  CHECK_FALSE(flagged("alter type mood add value 'meh'"));
  CHECK_FALSE(flagged("alter type mood add value if not exists 'meh' before 'ok'"));
}

TEST_CASE("CLUSTER without a table name is reported, CLUSTER of a table is not") {
  CHECK(non_transactional_reason("cluster") ==
        "CLUSTER without a table name cannot run inside a transaction block");
  CHECK(flagged("cluster verbose"));
  CHECK(flagged("cluster (verbose)"));
  CHECK_FALSE(flagged("cluster t"));
  CHECK_FALSE(flagged("cluster verbose t using i"));
  CHECK_FALSE(flagged("cluster (verbose) t"));
}

TEST_CASE("CREATE SUBSCRIPTION is reported unless it creates no replication slot") {
  CHECK(flagged("create subscription s connection 'host=x' publication p"));
  CHECK(
      flagged("create subscription s connection 'host=x' publication p with (copy_data = false)"));
  CHECK_FALSE(flagged(
      "create subscription s connection 'host=x' publication p with (create_slot = false)"));
  CHECK_FALSE(
      flagged("create subscription s connection 'host=x' publication p with (connect = 'off')"));
}

TEST_CASE("DROP SUBSCRIPTION is reported conservatively") {
  CHECK(flagged("drop subscription if exists s"));
}

TEST_CASE("ALTER SUBSCRIPTION ... REFRESH and publication changes with refresh are reported") {
  CHECK(non_transactional_reason("alter subscription s refresh publication") ==
        "ALTER SUBSCRIPTION ... REFRESH cannot run inside a transaction block");
  CHECK(flagged("alter subscription s set publication p"));
  CHECK(flagged("alter subscription s add publication p with (refresh = true)"));
  CHECK_FALSE(flagged("alter subscription s set publication p with (refresh = false)"));
  CHECK_FALSE(flagged("alter subscription s disable"));
  CHECK_FALSE(flagged("alter subscription s owner to r"));
}

TEST_CASE("other server-enforced forms are reported: DETACH CONCURRENTLY, DISCARD ALL, 2PC") {
  CHECK(flagged("alter table t detach partition p concurrently"));
  CHECK_FALSE(flagged("alter table t detach partition p"));
  CHECK(flagged("discard all"));
  CHECK_FALSE(flagged("discard temp"));
  CHECK(non_transactional_reason("commit prepared 'x'") ==
        "COMMIT PREPARED cannot run inside a transaction block");
  CHECK(flagged("rollback prepared 'x'"));
  CHECK_FALSE(is_transaction_control("commit prepared 'x'"));
}

TEST_CASE("transaction control written in a migration file is reported as such") {
  for (const char* statement :
       {"BEGIN", "begin transaction isolation level serializable", "start transaction", "COMMIT",
        "commit work", "END", "abort", "ROLLBACK", "prepare transaction 'x'"}) {
    INFO(statement);
    CHECK(non_transactional_reason(statement).rfind("transaction control statement", 0) == 0);
    CHECK(is_transaction_control(statement));
  }
}

TEST_CASE("savepoints are not transaction control") {
  CHECK_FALSE(flagged("savepoint a"));
  CHECK_FALSE(flagged("release savepoint a"));
  CHECK_FALSE(flagged("rollback to savepoint a"));
  CHECK_FALSE(flagged("rollback work to a"));
  CHECK_FALSE(is_transaction_control("rollback to a"));
}

TEST_CASE("leading comments and whitespace are skipped") {
  CHECK(flagged(
      "-- add an index\n  /* without /* locking */ */\n\tcreate index concurrently i on t (a)"));
  CHECK(flagged("\n\nVACUUM;"));
}

TEST_CASE("keywords inside strings, identifiers, dollar quotes and comments are not detected") {
  CHECK_FALSE(flagged("select 'vacuum'"));
  CHECK_FALSE(flagged("-- vacuum\nselect 1"));
  CHECK_FALSE(flagged("/* create index concurrently */ create index i on t (a)"));
  CHECK_FALSE(flagged("create index \"concurrently\" on t (a)"));
  CHECK_FALSE(flagged("do $$ begin perform 1; end $$"));
  CHECK_FALSE(flagged("create function f() returns void language sql as $$ vacuum $$"));
  CHECK_FALSE(flagged("insert into log values ('drop database d')"));
  CHECK_FALSE(flagged("select E'\\'; vacuum'"));
}

TEST_CASE("ordinary statements and empty input are allowed") {
  CHECK(non_transactional_reason("") == "");
  CHECK(non_transactional_reason("-- only a comment") == "");
  CHECK_FALSE(flagged("create table t (a int)"));
  CHECK_FALSE(flagged("refresh materialized view concurrently mv"));
  CHECK_FALSE(flagged("alter table t add column b int"));
}
