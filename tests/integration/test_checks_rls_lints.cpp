// The static RLS lints against real catalogs: one fixture with exactly one instance of each lint,
// and a well-secured schema that must be clean.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "checks/rls_lints.hpp"
#include "harness.hpp"

using migsafe::checks::Finding;
using migsafe::checks::LintOptions;
using migsafe::test::Project;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(MIGSAFE_SOURCE_DIR) + "/tests/fixtures/rls/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string describe(const std::vector<Finding>& findings) {
  std::string out;
  for (const auto& f : findings)
    out += f.lint + " " + f.level + " " + f.object + ": " + f.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("each RLS lint reports its fixture object exactly once", "[rls]") {
  Project p("rls_lints_each_once");
  auto session = p.session();
  session->exec(fixture("lints.sql"));
  auto findings = migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {}});
  INFO(describe(findings));

  const std::map<std::string, std::pair<std::string, std::string>> expected{
      {"rls_disabled_in_public", {"error", "public.open_notes"}},
      {"sensitive_columns_exposed", {"error", "public.api_credentials"}},
      {"policy_exists_rls_disabled", {"error", "public.drafts"}},
      {"rls_enabled_no_policy", {"info", "public.audit_log"}},
      {"rls_not_forced", {"info", "public.invoices"}},
      {"rls_policy_always_true", {"warn", "public.feedback.anyone sends feedback"}},
      {"rls_references_user_metadata", {"error", "public.team_docs.admins read team docs"}},
      {"rls_update_check_weaker_than_using", {"warn", "public.profiles.update own profile"}},
      {"rls_policy_to_public_on_authenticated_table",
       {"warn", "public.messages.read live messages"}},
      {"security_definer_view", {"error", "public.todo_titles"}},
      {"auth_users_exposed", {"error", "public.user_emails"}},
      {"materialized_view_in_api", {"warn", "public.todo_stats"}},
      {"foreign_table_in_api", {"warn", "public.remote_items"}},
      {"function_search_path_mutable", {"warn", "public.add_one(integer)"}},
      {"anon_security_definer_function_executable", {"warn", "public.anon_lookup()"}},
      {"authenticated_security_definer_function_executable", {"warn", "public.member_lookup()"}},
      {"extension_in_public", {"warn", "citext"}},
  };
  REQUIRE(findings.size() == expected.size());
  for (const auto& f : findings) {
    INFO(f.lint);
    REQUIRE(expected.count(f.lint) == 1);
    CHECK(f.level == expected.at(f.lint).first);
    CHECK(f.object == expected.at(f.lint).second);
    CHECK(!f.message.empty());
    CHECK(!f.remediation.empty());
  }
  CHECK(std::is_sorted(findings.begin(), findings.end(),
                       [](const Finding& a, const Finding& b) { return a.lint < b.lint; }));
}

TEST_CASE("a well-secured schema has no RLS findings", "[rls]") {
  Project p("rls_lints_clean");
  auto session = p.session();
  session->exec(fixture("clean.sql"));
  auto findings = migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {"countries"}});
  INFO(describe(findings));
  CHECK(findings.empty());
}

TEST_CASE("RLS lints only look at the exposed schemas for API exposure", "[rls]") {
  Project p("rls_lints_exposure");
  auto session = p.session();
  session->exec(
      "create schema api; grant usage on schema api to anon, authenticated;"
      "create table api.items (id int); grant select on api.items to anon;"
      "create table public.hidden (id int);");
  auto findings = migsafe::checks::run_rls_lints(*session, LintOptions{{"api"}, {}});
  INFO(describe(findings));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].lint == "rls_disabled_in_public");
  CHECK(findings[0].object == "api.items");
}

TEST_CASE("a public table may go without RLS while the API roles can only read it", "[rls]") {
  Project p("rls_lints_public_table");
  auto session = p.session();
  session->exec(
      "create table public.countries (code text primary key);"
      "revoke all on public.countries from anon, authenticated; grant select on public.countries "
      "to anon;");
  CHECK(migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {"public.countries"}})
            .empty());
  auto unlisted = migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {}});
  REQUIRE(unlisted.size() == 1);
  CHECK(unlisted[0].lint == "rls_disabled_in_public");
  session->exec("grant insert on public.countries to anon");
  CHECK(migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {"countries"}}).size() ==
        1);
}

TEST_CASE("RLS lints change nothing and work inside a transaction", "[rls]") {
  Project p("rls_lints_read_only");
  auto session = p.session();
  session->exec(fixture("lints.sql"));
  const std::string fingerprint = p.fingerprint();
  session->exec("BEGIN");
  auto inside = migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {}});
  CHECK(session->in_transaction());
  session->exec("ROLLBACK");
  CHECK(inside.size() ==
        migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {}}).size());
  CHECK(p.fingerprint() == fingerprint);
}

TEST_CASE("ignore entries hide their findings and unused ones are reported", "[rls]") {
  Project p("rls_lints_ignores");
  auto session = p.session();
  session->exec(fixture("lints.sql"));
  auto findings = migsafe::checks::run_rls_lints(*session, LintOptions{{"public"}, {}});
  const size_t total = findings.size();
  std::vector<migsafe::config::RlsIgnore> ignores{
      {"rls_enabled_no_policy", "public.audit_log", "service-only table", {}},
      {"rls_policy_always_true", "public.feedback", "feedback is open to everyone", {}},
      {"rls_enabled_no_policy", "public.gone", "table was dropped", {}},
  };
  auto outcome = migsafe::checks::apply_ignores(findings, ignores);
  CHECK(outcome.ignored.size() == 2);
  CHECK(outcome.kept.size() == total - 2);
  REQUIRE(outcome.unused.size() == 1);
  CHECK(outcome.unused[0].object == "public.gone");
}
