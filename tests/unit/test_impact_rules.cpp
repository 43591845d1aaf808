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
