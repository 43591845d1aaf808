#include "checks/pgtap_runner.hpp"

#include <chrono>

#include "checks/psql_file_run.hpp"
#include "checks/suite_scope.hpp"
#include "sql/splitter.hpp"

namespace migsafe::checks {
namespace fs = std::filesystem;
namespace {

std::string display_path(const fs::path& path, const std::string& root) {
  if (root.empty()) return path.string();
  fs::path relative = path.lexically_normal().lexically_relative(fs::path(root).lexically_normal());
  if (relative.empty() || relative.native().rfind("..", 0) == 0) return path.string();
  return relative.string();
}

bool file_creates_pgtap(const std::optional<std::string>& source) {
  if (!source) return false;
  for (const auto& s : sql::split(*source)) {
    if (creates_pgtap(s.text)) return true;
  }
  return false;
}

// Runs one file as psql would for pg_prove.
void run_file(pg::Session& session, const fs::path& path, const std::optional<std::string>& source,
              const std::string& read_error, const PgtapOptions& options, TestFileResult& result) {
  if (!source) {
    result.error = SqlFailure{};
    result.error->message = "cannot read test file: " + read_error;
    result.error->file = result.file;
    return;
  }
  TapParser parser;
  PsqlFileEnv env{options.include_dir.empty() ? fs::current_path() : fs::path(options.include_dir),
                  [&options](const fs::path& p) { return display_path(p, options.display_root); }};
  PsqlFileRun run(session, env, parser);
  result.error = run.run(path, *source);
  result.ignored_errors = run.ignored_errors();
  result.tap = parser.finish();
}

}  // namespace

bool TestFileResult::passed() const {
  return !error && tap.ok();
}

nlohmann::json TestFileResult::to_json() const {
  nlohmann::json out = {{"file", file}, {"status", passed() ? "passed" : "failed"}};
  out.update(tap.to_json());
  out["error"] = error ? error->to_json() : nlohmann::json();
  if (!ignored_errors.empty()) {
    out["ignored_errors"] = nlohmann::json::array();
    for (const auto& e : ignored_errors) out["ignored_errors"].push_back(e.to_json());
  }
  out["duration_ms"] = duration_ms;
  return out;
}

std::vector<TestFileResult> run_pgtap_files(pg::Session& session, const std::vector<fs::path>& files,
                                            const PgtapOptions& options, std::vector<std::string>* warnings) {
  std::vector<std::optional<std::string>> sources;
  std::vector<std::string> read_errors(files.size());
  for (size_t i = 0; i < files.size(); ++i) sources.push_back(read_test_file(files[i], read_errors[i]));
  std::vector<TestFileResult> results;
  if (files.empty()) return results;
  SuiteScope suite(session, options.pgtap_schema);
  for (const auto& source : sources) {
    if (source) suite.note_custom_settings(*source);
  }
  if (options.before_files && !options.before_files()) {
    suite.close();
    return results;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    auto start = std::chrono::steady_clock::now();
    TestFileResult result;
    result.file = display_path(files[i], options.display_root);
    if (auto setup = suite.prepare_file(file_creates_pgtap(sources[i]))) {
      result.error = setup;
      result.error->file = result.file;
    } else {
      run_file(session, files[i], sources[i], read_errors[i], options, result);
      std::string problem = suite.between_files();
      if (!problem.empty() && warnings) warnings->push_back(result.file + ": " + problem);
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    results.push_back(std::move(result));
  }
  suite.close();
  return results;
}

}  // namespace migsafe::checks
