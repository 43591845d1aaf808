#include <catch2/catch.hpp>

#include "checks/finding.hpp"

using migsafe::checks::Finding;
using migsafe::config::RlsFailOn;
using migsafe::config::RlsIgnore;

namespace {

Finding finding(const std::string& lint, const std::string& level, const std::string& object) {
  return Finding{lint, level, object, "message", "remediation"};
}

RlsIgnore ignore(const std::string& lint, const std::string& object) {
  return RlsIgnore{lint, object, "because", {}};
}

}  // namespace

TEST_CASE("an ignore covers its lint on its object and on objects inside it", "[rls]") {
  auto policy = finding("rls_policy_always_true", "warn", "public.todos.anyone inserts");
  CHECK(migsafe::checks::ignore_matches(
      ignore("rls_policy_always_true", "public.todos.anyone inserts"), policy));
  CHECK(migsafe::checks::ignore_matches(ignore("rls_policy_always_true", "public.todos"), policy));
  CHECK_FALSE(
      migsafe::checks::ignore_matches(ignore("rls_policy_always_true", "public.todo"), policy));
  CHECK_FALSE(
      migsafe::checks::ignore_matches(ignore("rls_enabled_no_policy", "public.todos"), policy));
  auto function = finding("function_search_path_mutable", "warn", "public.f(integer)");
  CHECK(migsafe::checks::ignore_matches(ignore("function_search_path_mutable", "public.f"),
                                        function));
  CHECK_FALSE(
      migsafe::checks::ignore_matches(ignore("function_search_path_mutable", ""), function));
}

TEST_CASE("apply_ignores splits findings and reports unused ignores", "[rls]") {
  std::vector<Finding> findings{finding("rls_enabled_no_policy", "info", "public.audit_log"),
                                finding("rls_disabled_in_public", "error", "public.notes"),
                                finding("rls_disabled_in_public", "error", "public.todos")};
  auto outcome =
      migsafe::checks::apply_ignores(findings, {ignore("rls_enabled_no_policy", "public.audit_log"),
                                                ignore("rls_disabled_in_public", "public.gone")});
  REQUIRE(outcome.kept.size() == 2);
  CHECK(outcome.kept[0].object == "public.notes");
  CHECK(outcome.kept[1].object == "public.todos");
  REQUIRE(outcome.ignored.size() == 1);
  CHECK(outcome.ignored[0].object == "public.audit_log");
  REQUIRE(outcome.unused.size() == 1);
  CHECK(outcome.unused[0].object == "public.gone");
}

TEST_CASE("fail_on error fails on errors only, fail_on warn on warnings too, info never", "[rls]") {
  CHECK(migsafe::checks::fails_run(finding("l", "error", "o"), RlsFailOn::error));
  CHECK_FALSE(migsafe::checks::fails_run(finding("l", "warn", "o"), RlsFailOn::error));
  CHECK(migsafe::checks::fails_run(finding("l", "warn", "o"), RlsFailOn::warn));
  CHECK(migsafe::checks::fails_run(finding("l", "error", "o"), RlsFailOn::warn));
  CHECK_FALSE(migsafe::checks::fails_run(finding("l", "info", "o"), RlsFailOn::warn));
}

TEST_CASE("a finding serialises its five fields", "[rls]") {
  auto json = finding("rls_disabled_in_public", "error", "public.notes").to_json();
  CHECK(json["lint"] == "rls_disabled_in_public");
  CHECK(json["level"] == "error");
  CHECK(json["object"] == "public.notes");
  CHECK(json["message"] == "message");
  CHECK(json["remediation"] == "remediation");
}
