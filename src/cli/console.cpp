#include "cli/console.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "report/evidence.hpp"

namespace migsafe::cli {

Console::Console(OutputOptions options) : options_(options) {
  if (getenv("NO_COLOR") != nullptr || !isatty(STDERR_FILENO)) options_.color = false;
}

std::string Console::paint(const std::string& text, const char* code) const {
  if (!options_.color) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

void Console::step(const report::Step& s) const {
  using report::StepStatus;
  if (options_.quiet && s.status != StepStatus::failed) return;
  const bool ok = s.status == StepStatus::ok;
  std::string mark = ok ? paint("ok  ", "32") : s.status == StepStatus::skipped ? paint("skip", "33") : paint("FAIL", "31");
  char timing[32];
  std::snprintf(timing, sizeof timing, "%7lld ms", s.duration_ms);
  std::fprintf(stderr, "%s %-10s %s  %s\n", mark.c_str(), s.name.c_str(), timing, s.detail.c_str());
}

void Console::note(const std::string& line) const {
  if (!options_.quiet) std::fprintf(stderr, "%s\n", line.c_str());
}

void Console::detail(const std::string& line) const {
  if (options_.verbose && !options_.quiet) std::fprintf(stderr, "%s\n", line.c_str());
}

void Console::error(const std::string& line) const {
  std::fprintf(stderr, "%s %s\n", paint("error:", "31;1").c_str(), line.c_str());
}

void Console::rls_findings(const report::Report& r) const {
  // One line per lint: "warn auth_rls_initplan (3): public.a.p, public.b.q, ..."; each finding is
  // in the report.
  std::map<std::string, std::vector<report::Finding>> by_lint;
  for (auto& f : report::rls_findings(r.rls)) {
    if (!f.ignored) by_lint[f.lint].push_back(std::move(f));
  }
  for (const auto& [lint, findings] : by_lint) {
    std::string line = findings[0].level + " " + lint + " (" + std::to_string(findings.size()) + "):";
    for (size_t i = 0; i < findings.size() && i < 5; ++i) line += (i ? ", " : " ") + findings[i].object;
    if (findings.size() > 5) line += ", +" + std::to_string(findings.size() - 5) + " more";
    note("  " + line);
  }
}

void Console::summary(const report::Report& r) const {
  for (const auto& m : r.migrations) {
    if (!m.error) continue;
    const auto& e = *m.error;
    error(e.file + ":" + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message +
          (e.sqlstate.empty() ? "" : " (SQLSTATE " + e.sqlstate + ")"));
    if (!e.detail.empty()) note("  DETAIL: " + e.detail);
    if (!e.hint.empty()) note("  HINT: " + e.hint);
  }
  for (const auto& e : r.errors) error(e);
  for (const auto& w : r.warnings) note(paint("warning: ", "33") + w);
  rls_findings(r);
  if (r.restore) {
    const auto& restore = *r.restore;
    note("restore: " + restore.method + (restore.verified ? ", verified: fingerprint equal to the pre-run snapshot"
                                                          : ", NOT verified"));
    for (const auto& d : restore.differences) note("  " + d);
    if (!restore.error.empty()) error("restore failed: " + restore.error);
  }
  using report::RunStatus;
  std::string line = "status: " + to_string(r.status) + " (exit " + std::to_string(r.exit_code) + ")";
  if (!r.from_version.empty()) line += ", version " + r.from_version + " -> " + r.to_version;
  if (r.status == RunStatus::succeeded || r.status == RunStatus::nothing_to_do || r.status == RunStatus::no_drift)
    note(paint(line, "32;1"));
  else if (r.status == RunStatus::failed_unrestored) error(line + " -- a human must act: the pre-run backup is " +
                                                  (r.backup.is_object() ? r.backup.value("backup_id", "?") : "none"));
  else note(paint(line, "31;1"));
}

}  // namespace migsafe::cli
