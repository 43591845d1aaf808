#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "report/report.hpp"

using namespace migsafe::report;

TEST_CASE("statuses and modes keep the contract's strings in JSON and read back", "[report]") {
  Report r;
  r.status = RunStatus::failed_restored;
  r.mode = Mode::per_migration;
  r.steps.push_back({"migrate", StepStatus::skipped, 1, ""});
  Migration m;
  m.status = MigrationStatus::rolled_back;
  r.migrations.push_back(m);
  nlohmann::json j = to_json(r);
  CHECK(j["status"] == "failed_restored");
  CHECK(j["mode"] == "per-migration");
  CHECK(j["steps"][0]["status"] == "skipped");
  CHECK(j["migrations"][0]["status"] == "rolled_back");
  Report back = from_json(j);
  CHECK(back.status == RunStatus::failed_restored);
  CHECK(back.mode == Mode::per_migration);
  CHECK(back.steps[0].status == StepStatus::skipped);
  CHECK(back.migrations[0].status == MigrationStatus::rolled_back);
}

TEST_CASE("an unset status and mode are empty strings; an unknown one is bad input", "[report]") {
  nlohmann::json j = to_json(Report{});
  CHECK(j["status"] == "");
  CHECK(j["mode"] == "");
  CHECK(from_json(j).status == RunStatus::unset);
  j["status"] = "exploded";
  CHECK_THROWS_AS(from_json(j), migsafe::Error);
}

TEST_CASE("ill-formed UTF-8 anywhere in a report is replaced, and the warning names where", "[report][utf8]") {
  Report r;
  r.hooks.push_back({{"name", "before"}, {"output", "cut \xE2\x94 here"}});
  r.impact["statements"] = nlohmann::json::array({nlohmann::json{{"statement", "ok"}}, nlohmann::json{{"statement", "\xFF"}}});
  r.impact["by \xFF key"] = 1;
  nlohmann::json j = to_json(r);
  CHECK(j["hooks"][0]["output"] == "cut \xEF\xBF\xBD here");
  CHECK(j["impact"]["statements"][1]["statement"] == "\xEF\xBF\xBD");
  CHECK(j["impact"]["statements"][0]["statement"] == "ok");
  CHECK(j["impact"]["by \xEF\xBF\xBD key"] == 1);
  CHECK(j["invalid_utf8_replaced"] == 3);
  const std::string warning = j["warnings"].back();
  CHECK(warning.find("hooks[0].output") != std::string::npos);
  CHECK(warning.find("impact.statements[1].statement") != std::string::npos);
  CHECK(warning.find("impact.<key>") != std::string::npos);
  CHECK(j.dump().size() > 0);  // valid UTF-8 throughout: dump() would throw otherwise
}
