// An RLS lint finding, and the pipeline's `[rls] ignore` and `fail_on` applied to a list of them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "config/pipeline.hpp"

namespace migsafe::checks {

// One problem a lint found in the database's catalogs.
struct Finding {
  std::string lint;  // the lint's id, as Supabase's advisors name it, e.g. "rls_disabled_in_public"
  std::string level;  // "error", "warn" or "info"
  std::string
      object;  // what it is about: "public.todos", "public.todos.<policy>", "public.f(integer)"
  std::string message;      // what is wrong, naming the object
  std::string remediation;  // how to fix it: SQL to run, and a link for Supabase's lints
  // {lint, level, object, message, remediation}.
  nlohmann::json to_json() const;
};

// `findings` split by the pipeline's ignore entries.
struct IgnoreOutcome {
  std::vector<Finding> kept;              // matched no ignore entry
  std::vector<Finding> ignored;           // matched one
  std::vector<config::RlsIgnore> unused;  // ignore entries that matched no finding, to report
};

// Whether `ignore` covers `finding`: the same lint, and the same object or an object inside it
// ("public.todos" also covers "public.todos.<policy>"; "public.f" covers "public.f(integer)").
bool ignore_matches(const config::RlsIgnore& ignore, const Finding& finding);

// Splits `findings` into kept and ignored by `ignores`, and lists the ignore entries that matched
// nothing (a stale ignore hides the next real problem on that object, so users are told).
IgnoreOutcome apply_ignores(std::vector<Finding> findings,
                            const std::vector<config::RlsIgnore>& ignores);

// Whether `finding` fails the run under `fail_on`: `error` fails on level error only, `warn` on
// warn or error; info never fails.
bool fails_run(const Finding& finding, config::RlsFailOn fail_on);

}  // namespace migsafe::checks
