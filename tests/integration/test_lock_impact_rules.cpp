// The size-aware rules beyond the index one, and the ACCESS EXCLUSIVE budget, against a real
// server: the same statement is a finding on a big table that existed before the run, and not on
// an empty one or one the run created.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "harness.hpp"

using migsafe::test::Project;

namespace {

struct RuleCase {
  const char* rule;
  const char* table;      // suffix of the three tables big_<t>, empty_<t>, new_<t>
  const char* statement;  // with %s for the table
};

const RuleCase kRules[] = {
    {"volatile_default_rewrite", "vdef", "alter table public.%s add column created timestamptz default clock_timestamp()"},
    {"column_type_rewrite", "retype", "alter table public.%s alter column id type bigint"},
    {"set_not_null_scan", "notnull", "alter table public.%s alter column name set not null"},
    {"constraint_without_not_valid", "fkey", "alter table public.%s add constraint %s_fk foreign key (pid) references public.parent (id)"},
    {"constraint_without_not_valid", "chk", "alter table public.%s add constraint %s_chk check (id > 0)"},
    {"rename_in_use", "ren", "alter table public.%s rename column name to title"},
    {"drop_column", "dropc", "alter table public.%s drop column name"},
};

std::string fill(const char* pattern, const std::string& table) {
  std::string out = pattern;
  for (size_t at; (at = out.find("%s")) != std::string::npos;) out.replace(at, 2, table);
  return out;
}

std::string table_sql(const std::string& name, int rows) {
  return "create table public." + name + " (id int, name text, pid int);\n" +
         (rows ? "insert into public." + name + " select g, 'n' || g, 1 from generate_series(1, " +
                     std::to_string(rows) + ") g;\n"
               : "");
}

}  // namespace

TEST_CASE("each size-aware rule is a finding on a big table, and none on an empty one or one created in the run",
          "[impact][safety]") {
  Project p("impact_rules");
  // Large by rows (analyzed) and by bytes: a rewrite leaves reltuples unknown until the next ANALYZE.
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nlarge_table_rows = 1000\nlarge_table_bytes = 65536\n");
  std::string setup = "create table public.parent (id int primary key);\ninsert into public.parent values (1);\n";
  for (const auto& c : kRules) {
    setup += table_sql(std::string("big_") + c.table, 3000) + table_sql(std::string("empty_") + c.table, 0);
  }
  setup += "analyze;\n";
  p.migration("20240101000000_tables.sql", setup);
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);

  std::string change;
  for (const auto& c : kRules) {
    const std::string fresh = std::string("new_") + c.table;
    change += table_sql(fresh, 3000) + "analyze public." + fresh + ";\n";
    for (const char* prefix : {"big_", "empty_", "new_"}) change += fill(c.statement, prefix + std::string(c.table)) + ";\n";
  }
  p.migration("20240102000000_changes.sql", change);
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // warnings do not fail the run under fail_on = "error"
  const auto report = r.json();
  const auto& findings = report["impact"]["findings"];
  INFO(findings.dump(2));
  for (const auto& c : kRules) {
    INFO(c.rule << " on " << c.table);
    int on_big = 0, elsewhere = 0;
    for (const auto& f : findings) {
      if (f["rule"] != c.rule) continue;
      if (f["object"] == std::string("public.big_") + c.table) ++on_big;
      else if (f["object"].get<std::string>().find(c.table) != std::string::npos) ++elsewhere;
    }
    CHECK(on_big == 1);
    CHECK(elsewhere == 0);
  }
  // Every finding is about a big table, at the line of its statement.
  for (const auto& f : findings) {
    CHECK(f["object"].get<std::string>().rfind("public.big_", 0) == 0);
    CHECK(f["line"].get<int>() > 0);
  }
}

TEST_CASE("an ACCESS EXCLUSIVE lock held past [safety] max_exclusive_lock is a finding in plan --analyze, reported "
          "per relation",
          "[impact][safety][plan]") {
  Project p("impact_exclusive_budget");
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nmax_exclusive_lock = \"100ms\"\n");
  p.migration("20240101000000_orders.sql", "create table public.orders (id int primary key);\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  // The lock is taken by a quick statement, then held while the rest of the transaction runs.
  p.migration("20240102000000_slow.sql",
              "alter table public.orders add column note text;\nselect pg_sleep(0.5);\n");
  auto r = p.migsafe({"plan", "{pipeline}", "--db", "{db}", "--analyze", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto report = r.json();
  const auto& holds = report["impact"]["exclusive_locks"];
  INFO(report["impact"].dump(2));
  REQUIRE(holds.size() == 1);
  CHECK(holds[0]["relation"] == "public.orders");
  CHECK(holds[0]["line"] == 1);
  CHECK(holds[0]["held_ms"].get<long long>() >= 500);  // pg_sleep(0.5) ran while it was held
  bool found = false;
  for (const auto& f : report["impact"]["findings"]) {
    found = found || (f["rule"] == "exclusive_lock_over_budget" && f["object"] == "public.orders" && f["line"] == 1);
  }
  CHECK(found);
  CHECK(r.err.find("exclusive_lock_over_budget") != std::string::npos);

  // Within a generous budget there is no finding; the hold is still reported.
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nmax_exclusive_lock = \"1h\"\n");
  auto within = p.migsafe({"plan", "{pipeline}", "--db", "{db}", "--analyze", "--json"});
  REQUIRE(within.exit_code == 0);
  report = within.json();
  CHECK(report["impact"]["exclusive_locks"].size() == 1);
  CHECK(!report["impact"].contains("findings"));
}

// SET NOT NULL reads the whole table to check it, unless a validated CHECK (col IS NOT NULL)
// proves it: the safe pattern the rule itself recommends. Which of the two happened is measured
// (the backend's sequential scans of the table), not guessed from the statement.
TEST_CASE("SET NOT NULL is a finding when it scanned a big table, and not when a validated CHECK proved it",
          "[impact][safety]") {
  Project p("impact_not_null_proved");
  p.pipeline(migsafe::test::default_pipeline_body() + "[safety]\nlarge_table_rows = 1000\n");
  p.migration("20240101000000_tables.sql",
              "create table public.plain (id int, name text);\n"
              "create table public.proved (id int, name text);\n"
              "insert into public.plain select g, 'n' || g from generate_series(1, 3000) g;\n"
              "insert into public.proved select g, 'n' || g from generate_series(1, 3000) g;\n"
              "alter table public.proved add constraint proved_name_nn check (name is not null) not valid;\n"
              "analyze;\n");
  p.migration("20240102000000_validate.sql", "alter table public.proved validate constraint proved_name_nn;\n");
  REQUIRE(p.migsafe({"run", "{pipeline}", "--db", "{db}"}).exit_code == 0);
  p.migration("20240103000000_not_null.sql",
              "alter table public.plain alter column name set not null;\n"
              "alter table public.proved alter column name set not null;\n");
  auto r = p.migsafe({"run", "{pipeline}", "--db", "{db}", "--json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto report = r.json();
  INFO(report["impact"].dump(2));
  std::vector<std::string> flagged;
  for (const auto& f : report["impact"]["findings"]) {
    if (f["rule"] == "set_not_null_scan") flagged.push_back(f["object"]);
  }
  CHECK(flagged == std::vector<std::string>{"public.plain"});
  std::map<int, nlohmann::json> scans;  // line -> the statement's scans
  for (const auto& s : report["impact"]["statements"]) scans[s["line"].get<int>()] = s["scans"];
  CHECK(scans[1] == nlohmann::json::array({"public.plain"}));
  CHECK(scans[2] == nlohmann::json::array());
  CHECK(p.value("select attnotnull from pg_attribute where attrelid = 'public.proved'::regclass and attname = 'name'") == "t");
}
