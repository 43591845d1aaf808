#include "pipeline/checks_step.hpp"

#include "checks/assertions.hpp"
#include "checks/finding.hpp"
#include "checks/pgtap_runner.hpp"
#include "checks/rls_cases.hpp"
#include "checks/rls_lints.hpp"
#include "checks/row_loss_guard.hpp"
#include "checks/seed_loader.hpp"
#include "checks/test_files.hpp"
#include "config/seed_files.hpp"
#include "core/error.hpp"

namespace migsafe::pipeline {
namespace {

void fail(ChecksOutcome& outcome, const std::string& line) {
  outcome.ok = false;
  outcome.failures.push_back(line);
}

// Where `\i` finds relative paths: the directory the first tests pattern names before its first
// wildcard, as `supabase test db` runs pg_prove in the tests directory.
std::string include_dir(const std::vector<std::string>& patterns) {
  if (patterns.empty()) return "";
  std::filesystem::path dir;
  for (const auto& part : std::filesystem::path(patterns.front())) {
    if (part.string().find_first_of("*?[") != std::string::npos) return dir.string();
    dir /= part;
  }
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) ? dir.string() : dir.parent_path().string();
}

// Seeds load inside the suite's scope, after the migrations and before the first test file, on a
// throwaway database (or where the pipeline says `seed_real_target = true`); they are undone with
// the suite. Returns the hook for PgtapOptions::before_files, or none.
std::function<bool()> seed_hook(Context& context, ChecksOutcome& outcome) {
  const auto& verify = context.pipeline.verify;
  config::SeedFiles seeds;
  try {
    seeds = config::find_seed_files(context.pipeline);
  } catch (const Error& e) {  // an unreadable config.toml: the seeds, and so the tests, cannot run
    fail(outcome, std::string("seed: ") + e.what());
    return [] { return false; };
  }
  nlohmann::json& report = context.report.verify["seed"];
  report = {{"source", seeds.source}, {"files", nlohmann::json::array()}, {"loaded", false}};
  for (const auto& f : seeds.files) report["files"].push_back(f.string());
  if (seeds.files.empty()) return {};
  if (!context.options.throwaway_target && !verify.seed_real_target) {
    report["reason"] = "not loaded on a real target (set [verify] seed_real_target = true to load them there)";
    return {};
  }
  for (const auto& w : seeds.warnings) context.report.warnings.push_back(w);
  return [&context, &outcome, files = seeds.files] {
    const std::string root = context.pipeline.dir.string();
    auto results = checks::load_seeds(*context.work, files, [&root](const std::filesystem::path& p) {
      auto rel = p.lexically_relative(root);
      return rel.empty() || rel.native().rfind("..", 0) == 0 ? p.string() : rel.string();
    });
    nlohmann::json& out = context.report.verify["seed"];
    out["loaded"] = true;
    out["results"] = nlohmann::json::array();
    for (const auto& r : results) {
      out["results"].push_back(r.to_json());
      if (r.error) {
        out["loaded"] = false;
        fail(outcome, "seed " + r.error->describe() + "; the test files were not run");
      }
    }
    return out["loaded"].get<bool>();
  };
}

void run_test_files(Context& context, ChecksOutcome& outcome) {
  const auto& verify = context.pipeline.verify;
  auto files = checks::expand_test_globs(verify.tests);
  if (!verify.tests.empty() && files.empty()) {
    context.report.warnings.push_back("verify.tests matched no files");
  }
  checks::PgtapOptions options;
  options.pgtap_schema = verify.pgtap_schema;
  options.display_root = context.pipeline.dir.string();
  options.include_dir = include_dir(verify.tests);
  if (!files.empty()) options.before_files = seed_hook(context, outcome);
  for (const auto& result : checks::run_pgtap_files(*context.work, files, options, &context.report.warnings)) {
    context.report.tests.push_back(result.to_json());
    if (!result.passed()) fail(outcome, "test " + result.file + " failed");
  }
}

void run_assertion_checks(Context& context, bool inside_transaction, ChecksOutcome& outcome) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& result : checks::run_assertions(*context.work, context.pipeline.verify.asserts, inside_transaction)) {
    out.push_back(result.to_json());
    if (!result.passed) fail(outcome, "assertion \"" + result.name + "\" failed: expected " + result.expected + ", got " + result.actual);
  }
  context.report.verify["assertions"] = out;
}

// `open_transaction`: every change of the run is in the work session's open transaction (an
// atomic run before any commit point, or a dry run), so tables it holds no lock on are not
// counted again — counting a big table the run never touched would only lengthen the locks it
// holds until COMMIT.
void run_row_guard(Context& context, bool open_transaction, ChecksOutcome& outcome) {
  auto after = pg::count_rows_again(*context.work, context.pipeline.database.schemas, context.rows_before,
                                    open_transaction);
  auto result = checks::check_row_loss(context.rows_before, after, context.pipeline.verify);
  context.report.verify["row_loss"] = result.to_json();
  for (const auto& v : result.violations) {
    fail(outcome, v.dropped ? "table " + v.table + " was dropped (" + std::to_string(v.before) + " rows)"
                            : "table " + v.table + " lost rows: " + std::to_string(v.before) + " -> " + std::to_string(v.after));
  }
}

checks::LintOptions lint_options(const config::Pipeline& p) {
  checks::LintOptions options;
  options.exposed_schemas = p.rls.exposed_schemas.empty() ? p.database.schemas : p.rls.exposed_schemas;
  options.public_tables = p.rls.public_tables;
  return options;
}

nlohmann::json run_lints(Context& context, ChecksOutcome& outcome) {
  const auto& rls = context.pipeline.rls;
  auto sorted = checks::apply_ignores(checks::run_rls_lints(*context.work, lint_options(context.pipeline)), rls.ignore);
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : sorted.kept) {
    findings.push_back(f.to_json());
    if (checks::fails_run(f, rls.fail_on)) fail(outcome, f.level + " " + f.lint + " on " + f.object + ": " + f.message);
  }
  nlohmann::json ignored = nlohmann::json::array();
  for (const auto& f : sorted.ignored) ignored.push_back(f.to_json());
  nlohmann::json unused = nlohmann::json::array();
  for (const auto& i : sorted.unused) {
    unused.push_back({{"lint", i.lint}, {"object", i.object}, {"reason", i.reason}});
    context.report.warnings.push_back("rls.ignore for " + i.lint + " on " + i.object + " matched nothing");
  }
  return {{"findings", findings}, {"ignored", ignored}, {"unused_ignores", unused}};
}

nlohmann::json run_cases(Context& context, bool inside_transaction, ChecksOutcome& outcome) {
  const auto& rls = context.pipeline.rls;
  auto results = checks::run_rls_cases(*context.work, rls.cases, inside_transaction);
  if (rls.default_deny) {
    auto deny = checks::run_default_deny(*context.work, lint_options(context.pipeline), inside_transaction);
    results.insert(results.end(), deny.begin(), deny.end());
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : results) {
    out.push_back(c.to_json());
    if (!c.passed) fail(outcome, "RLS case \"" + c.name + "\" failed: expected " + c.expected + ", got " + c.actual);
  }
  return out;
}

}  // namespace

bool has_verify_checks(const config::Pipeline& p) { return !p.verify.tests.empty() || !p.verify.asserts.empty(); }

ChecksOutcome run_verify(Context& context, bool inside_transaction, bool with_row_guard) {
  StepTimer step(context, "verify");
  ChecksOutcome outcome;
  context.report.verify = nlohmann::json::object();
  run_test_files(context, outcome);
  run_assertion_checks(context, inside_transaction, outcome);
  if (with_row_guard) run_row_guard(context, inside_transaction && context.applied_this_run.empty(), outcome);
  const std::string summary = std::to_string(context.report.tests.size()) + " test files, " +
                              std::to_string(context.report.verify["assertions"].size()) + " assertions" +
                              (with_row_guard ? ", row-loss guard" : "");
  if (outcome.ok) step.ok(summary);
  else step.failed(std::to_string(outcome.failures.size()) + " failed of " + summary);
  return outcome;
}

ChecksOutcome run_rls(Context& context, bool inside_transaction) {
  StepTimer step(context, "rls");
  ChecksOutcome outcome;
  nlohmann::json lints = run_lints(context, outcome);
  context.report.rls = lints;
  context.report.rls["cases"] = run_cases(context, inside_transaction, outcome);
  const std::string summary = std::to_string(lints["findings"].size()) + " findings, " +
                              std::to_string(context.report.rls["cases"].size()) + " cases";
  if (outcome.ok) step.ok(summary);
  else step.failed(std::to_string(outcome.failures.size()) + " failed: " + summary);
  return outcome;
}

}  // namespace migsafe::pipeline
