#include <catch2/catch.hpp>

#include "pipeline/migration_state.hpp"

using namespace migsafe;

namespace {

config::MigrationFile file(const std::string& version, const std::string& checksum = "aaa") {
  return config::MigrationFile{version, "m" + version, "migrations/" + version + "_m.sql", "", checksum};
}

pg::History history(std::initializer_list<std::pair<std::string, std::optional<std::string>>> applied) {
  pg::History h;
  for (const auto& [version, checksum] : applied) h.applied[version] = pg::AppliedMigration{version, "m" + version, checksum, "", "", ""};
  return h;
}

}  // namespace

TEST_CASE("compare_with_history sorts files into applied and pending", "[state]") {
  std::vector<config::MigrationFile> files = {file("1"), file("2"), file("3")};
  auto state = pipeline::compare_with_history(files, history({{"1", "aaa"}, {"2", std::nullopt}}));
  CHECK(state.applied.size() == 2);
  REQUIRE(state.pending.size() == 1);
  CHECK(state.pending[0]->version == "3");
  CHECK(state.problems.empty());
  CHECK(state.current_version == "2");
}

TEST_CASE("compare_with_history orders versions by text, as the Supabase CLI and file names do", "[state]") {
  // A 12-digit 2024 version is newer than a 14-digit 2023 one, although its number is smaller.
  std::vector<config::MigrationFile> files = {file("20230517185943"), file("2024041012052"), file("202406201411")};
  auto state = pipeline::compare_with_history(files, history({{"20230517185943", "aaa"}, {"2024041012052", "aaa"}}));
  REQUIRE(state.pending.size() == 1);
  CHECK(state.pending[0]->version == "202406201411");
  CHECK(state.problems.empty());
  CHECK(state.current_version == "2024041012052");
  auto late = pipeline::compare_with_history(files, history({{"202406201411", "aaa"}}));
  CHECK(late.problems.size() == 2);  // both older files are pending behind the newest applied
}

TEST_CASE("compare_with_history reports changed, missing and out-of-order migrations", "[state]") {
  std::vector<config::MigrationFile> files = {file("1", "bbb"), file("3"), file("5")};
  auto state = pipeline::compare_with_history(files, history({{"1", "aaa"}, {"2", "aaa"}, {"4", "aaa"}}));
  std::map<std::string, std::string> kinds;
  for (const auto& p : state.problems) kinds[p.version] = p.kind;
  CHECK(kinds == std::map<std::string, std::string>{{"1", "changed"}, {"2", "missing"}, {"3", "out_of_order"}, {"4", "missing"}});
}

TEST_CASE("limit_pending keeps migrations up to and including --to", "[state]") {
  std::vector<config::MigrationFile> files = {file("1"), file("2"), file("3")};
  auto state = pipeline::compare_with_history(files, history({}));
  pipeline::limit_pending(state, "2");
  REQUIRE(state.pending.size() == 2);
  CHECK(state.pending.back()->version == "2");
}
