// Each migration and the checks start from the pipeline's session state: what a migration leaves
// set (role, search_path, set_config) does not reach the next migration or the checks.
#include <catch2/catch.hpp>

#include "harness.hpp"

using migsafe::test::Project;

TEST_CASE("a migration ending in set role anon; set search_path = x does not change the next one or the checks",
          "[session]") {
  for (const std::string mode : {"atomic", "per-migration"}) {
    Project p("session_state_" + std::string(mode == "atomic" ? "atomic" : "per_migration"));
    p.pipeline(migsafe::test::pipeline_body_with("dir = \"migrations\"", "dir = \"migrations\"\nmode = \"" + mode + "\"") +
               "[[verify.assert]]\nname = \"checks run as the pipeline's user with its search_path\"\n"
               "sql = \"select current_user = session_user and not ('x' = any(current_schemas(false))) "
               "and current_setting('request.leak', true) is distinct from 'yes' and to_regclass('t2') = 'public.t2'::regclass\"\n");
    p.migration("20240101000000_leaky.sql",
                "create schema x;\ngrant usage on schema x to anon;\n"
                "select set_config('request.leak', 'yes', false);\nset role anon;\nset search_path = x;\n");
    p.migration("20240102000000_next.sql",
                "create table t2 (id int);\ncreate table t3 (who text default current_user);\n"
                "insert into t3 default values;\nselect set_config('search_path', 'x', false);\n");
    p.migration("20240103000000_last.sql", "create table t4 (id int);\n");
    auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
    INFO(mode << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(p.value("select to_regclass('public.t2') is not null and to_regclass('x.t2') is null") == "t");
    CHECK(p.value("select to_regclass('public.t4') is not null and to_regclass('x.t4') is null") == "t");
    CHECK(p.value("select who from public.t3") == p.value("select current_user"));
    CHECK(p.value("select pg_get_userbyid(relowner) from pg_class where oid = 'public.t2'::regclass") ==
          p.value("select current_user"));
  }
}
