#include <catch2/catch.hpp>

#include "impact/rules.hpp"

using namespace migsafe::impact;

namespace {

MeasuredRelation table(double rows, long long bytes, bool created = false) {
  return MeasuredRelation{"public.t", "table", "ShareLock", bytes, rows, created};
}

migsafe::config::Safety small_threshold() {
  migsafe::config::Safety s;
  s.large_table_rows = 1000;
  s.large_table_bytes = 1 << 20;
  return s;
}

}  // namespace

TEST_CASE("index_without_concurrently: only a plain CREATE INDEX on a large table that existed before", "[impact]") {
  const auto safety = small_threshold();
  const std::string sql = "create index t_idx on public.t (name)";
  auto finding = index_without_concurrently(sql, table(5000, 0), safety);
  REQUIRE(finding);
  CHECK((*finding)["rule"] == "index_without_concurrently");
  CHECK((*finding)["object"] == "public.t");
  CHECK((*finding)["level"] == "warn");
  CHECK(index_without_concurrently(sql, table(0, 0), safety) == std::nullopt);             // empty
  CHECK(index_without_concurrently(sql, table(5000, 0, true), safety) == std::nullopt);    // created in the run
  CHECK(index_without_concurrently(sql, table(10, 2 << 20), safety).has_value());          // large by bytes
  CHECK(index_without_concurrently("-- why\nCREATE UNIQUE INDEX u ON public.t (id)", table(5000, 0), safety));
  CHECK(!index_without_concurrently("create index concurrently t_idx on public.t (name)", table(5000, 0), safety));
  CHECK(!index_without_concurrently("update public.t set name = name", table(5000, 0), safety));
  MeasuredRelation write_lock = table(5000, 0);
  write_lock.mode = "RowExclusiveLock";
  CHECK(!index_without_concurrently(sql, write_lock, safety));
}

TEST_CASE("impact findings fail the run by level and fail_on", "[impact]") {
  nlohmann::json warn{{"level", "warn"}}, error{{"level", "error"}};
  CHECK(!fails_run(warn, migsafe::config::RlsFailOn::error));
  CHECK(fails_run(warn, migsafe::config::RlsFailOn::warn));
  CHECK(fails_run(error, migsafe::config::RlsFailOn::error));
}

namespace {

// The rule ids statement_findings returns for `sql` on `relation`.
std::vector<std::string> rules_for(const std::string& sql, const MeasuredRelation& relation, bool rewritten) {
  std::vector<std::string> out;
  for (const auto& f : statement_findings(sql, relation, rewritten, small_threshold())) {
    out.push_back(f["rule"]);
    CHECK(!f["remediation"].get<std::string>().empty());
  }
  return out;
}

MeasuredRelation exclusive(double rows, long long bytes, bool created = false) {
  MeasuredRelation r = table(rows, bytes, created);
  r.mode = "AccessExclusiveLock";
  return r;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("statement_findings: each rule on a large table, none on an empty or new one", "[impact]") {
  struct Case {
    const char* sql;
    const char* mode;
    bool rewritten;
    bool needs_large;  // false: any non-empty table
    const char* rule;
  };
  const Case cases[] = {
      {"alter table public.t add column c timestamptz default clock_timestamp()", "AccessExclusiveLock", true, true,
       "volatile_default_rewrite"},
      {"alter table public.t alter column id type bigint", "AccessExclusiveLock", true, true, "column_type_rewrite"},
      {"alter table public.t alter column name set not null", "AccessExclusiveLock", false, true, "set_not_null_scan"},
      {"alter table public.t add constraint t_fk foreign key (p) references public.p (id)", "ShareRowExclusiveLock",
       false, true, "constraint_without_not_valid"},
      {"alter table public.t add check (id > 0)", "AccessExclusiveLock", false, true, "constraint_without_not_valid"},
      {"alter table public.t rename column name to title", "AccessExclusiveLock", false, false, "rename_in_use"},
      {"alter table public.t rename to t2", "AccessExclusiveLock", false, false, "rename_in_use"},
      {"alter table public.t drop column name", "AccessExclusiveLock", false, false, "drop_column"},
  };
  for (const auto& c : cases) {
    INFO(c.sql);
    MeasuredRelation big = table(5000, 0);
    big.mode = c.mode;
    MeasuredRelation small = table(10, 8192);
    small.mode = c.mode;
    MeasuredRelation empty = table(0, 0);
    empty.mode = c.mode;
    MeasuredRelation fresh = table(5000, 0, true);
    fresh.mode = c.mode;
    for (MeasuredRelation* r : {&big, &small, &empty, &fresh}) r->scanned = true;  // as SET NOT NULL without proof
    CHECK(rules_for(c.sql, big, c.rewritten) == Ids{c.rule});
    CHECK(rules_for(c.sql, small, c.rewritten) == (c.needs_large ? Ids{} : Ids{c.rule}));
    CHECK(rules_for(c.sql, empty, c.rewritten).empty());
    CHECK(rules_for(c.sql, fresh, c.rewritten).empty());
  }
  // What the safe alternatives do is not a finding.
  CHECK(rules_for("alter table public.t add column c int default 7", exclusive(5000, 0), false).empty());
  CHECK(rules_for("alter table public.t add constraint c check (id > 0) not valid", exclusive(5000, 0), false).empty());
  CHECK(rules_for("alter table public.t validate constraint c", table(5000, 0), false).empty());
  CHECK(rules_for("alter table public.t alter column name type varchar(20)", exclusive(5000, 0), false).empty());
  // DROP COLUMN's COLUMN is optional; the other DROPs of ALTER TABLE are not dropped columns.
  CHECK(rules_for("alter table public.t drop if exists name", exclusive(5000, 0), false) == Ids{"drop_column"});
  CHECK(rules_for("ALTER TABLE public.t DROP name, DROP title", exclusive(5000, 0), false) == Ids{"drop_column"});
  CHECK(rules_for("alter table public.t drop constraint t_pkey", exclusive(5000, 0), false).empty());
  CHECK(rules_for("alter table public.t alter column name drop default", exclusive(5000, 0), false).empty());
  CHECK(rules_for("alter table public.t alter column name drop not null", exclusive(5000, 0), false).empty());
  CHECK(rules_for("alter table public.t alter column id drop identity if exists", exclusive(5000, 0), false).empty());
  // SET NOT NULL that a validated CHECK (name IS NOT NULL) proved: the table was not read.
  CHECK(rules_for("alter table public.t alter column name set not null", exclusive(5000, 0), false).empty());
}

TEST_CASE("exclusive_lock_over_budget: only above [safety] max_exclusive_lock", "[impact]") {
  auto safety = small_threshold();
  CHECK(!exclusive_lock_over_budget("public.t", 999999, safety));  // no budget
  safety.max_exclusive_lock = std::chrono::milliseconds{2000};
  CHECK(!exclusive_lock_over_budget("public.t", 2000, safety));
  auto finding = exclusive_lock_over_budget("public.t", 2500, safety);
  REQUIRE(finding);
  CHECK((*finding)["rule"] == "exclusive_lock_over_budget");
  CHECK((*finding)["object"] == "public.t");
  CHECK((*finding)["message"].get<std::string>().find("2500 ms") != std::string::npos);
}
