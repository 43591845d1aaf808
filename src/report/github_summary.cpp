// The GitHub job summary and step outputs: what a reviewer reads on the run's page, and what later
// steps of a workflow read from `steps.<id>.outputs`.
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

#include "report/evidence.hpp"
#include "report/github.hpp"

namespace migsafe::report {
namespace {

std::string status_badge(const Report& r) {
  const std::string name = to_string(r.status);
  if (r.status == RunStatus::succeeded || r.status == RunStatus::nothing_to_do || r.status == RunStatus::no_drift)
    return "✅ " + name;
  if (r.status == RunStatus::dry_run) return "🧪 " + name;
  if (r.status == RunStatus::failed_restored) return "⚠️ " + name;
  return "❌ " + name;
}

std::string code(const std::string& text) {
  return text.empty() ? "—" : "`" + table_cell(text) + "`";
}

std::string overview(const Report& r) {
  std::string out = "## migsafe " + (r.command.empty() ? std::string("run") : r.command) + " " +
                    code(r.pipeline) + ": " + status_badge(r) + "\n\n| | |\n|---|---|\n";
  out += "| status | " + to_string(r.status) + " (exit " + std::to_string(r.exit_code) + ") |\n";
  out += "| version | " + code(r.from_version) + " → " + code(r.to_version) + " |\n";
  if (!r.database_url.empty())
    out += "| database | " + code(r.database_url) + " " + table_cell(r.server_version) + " |\n";
  if (r.mode != Mode::unset)
    out += "| mode | " + table_cell(to_string(r.mode)) +
           (r.mode_reason.empty() ? "" : ": " + table_cell(r.mode_reason)) + " |\n";
  BackupFacts b = backup_facts(r);
  if (b.present) {
    out += "| backup | " + code(b.id) + " · " + code(b.checksum) + " · " + format_bytes(b.bytes) +
           " · " + (b.status.empty() ? "unverified" : table_cell(b.status)) + " |\n";
  } else {
    out +=
        std::string("| backup | ") + (r.backup_skipped ? "skipped (--no-backup)" : "none") + " |\n";
  }
  return out + "\n";
}

std::string migrations_table(const Report& r) {
  if (r.migrations.empty()) return "";
  std::string out =
      "### Migrations\n\n| version | name | status | duration |\n|---|---|---|---:|\n";
  for (const auto& m : r.migrations) {
    std::string status = to_string(m.status);
    if (m.error)
      status += ": " + m.error->file + ":" + std::to_string(m.error->line) + " " + m.error->message;
    out += "| " + code(m.version) + " | " + table_cell(m.name) + " | " + table_cell(status) +
           " | " + format_ms(m.duration_ms) + " |\n";
  }
  return out + "\n";
}

std::string tests_section(const Report& r) {
  TestTotals t = tally_tests(r.tests);
  if (t.files == 0) return "";
  std::string out = "### Tests\n\n" + std::to_string(t.passed) + "/" + std::to_string(t.planned) +
                    " passed, " + std::to_string(t.failed) + " failed, " +
                    std::to_string(t.skipped) + " skipped in " + std::to_string(t.files) +
                    " file(s)";
  if (t.errored_files > 0) out += "; " + std::to_string(t.errored_files) + " file(s) could not run";
  return out + "\n\n";
}

std::string rls_section(const Report& r) {
  auto findings = rls_findings(r.rls);
  auto cases = rls_cases(r.rls);
  if (findings.empty() && cases.empty()) return "";
  std::string out = "### RLS\n\n";
  if (!findings.empty()) out += "| level | lint | object | message |\n|---|---|---|---|\n";
  for (const auto& f : findings) {
    out += "| " + table_cell(f.level) + (f.ignored ? " (ignored)" : "") + " | " + code(f.lint) +
           " | " + code(f.object) + " | " + table_cell(f.message) + " |\n";
  }
  int passed = 0;
  for (const auto& c : cases) passed += c.passed ? 1 : 0;
  if (!cases.empty())
    out +=
        "\nRLS cases: " + std::to_string(passed) + "/" + std::to_string(cases.size()) + " passed\n";
  return out + "\n";
}

std::string restore_section(const Report& r) {
  if (!r.restore) return "";
  const Restore& x = *r.restore;
  std::string out = "### Restore\n\n" + table_cell(x.method) + ", " +
                    (x.verified ? "verified" : "**NOT verified**") + " in " +
                    format_ms(x.duration_ms) + ": fingerprint before " +
                    code(short_hash(x.fingerprint_before)) + ", after " +
                    code(short_hash(x.fingerprint_after)) + "\n";
  for (const auto& d : x.differences) out += "- " + table_cell(d) + "\n";
  if (!x.error.empty()) out += "- restore error: " + table_cell(x.error) + "\n";
  return out + "\n";
}

std::string messages_section(const Report& r) {
  std::string out;
  for (const auto& e : r.errors) out += "- ❌ " + table_cell(e) + "\n";
  for (const auto& w : r.warnings) out += "- ⚠️ " + table_cell(w) + "\n";
  for (const auto& h : r.hooks) {
    out += "- hook " + code(h.value("name", std::string())) + ": " +
           (h.value("timed_out", false) ? "timed out"
                                        : "exit " + std::to_string(h.value("exit_code", -1))) +
           "\n";
  }
  return out.empty() ? "" : "### Notes\n\n" + out + "\n";
}

// A heredoc delimiter that does not occur in `value`.
std::string delimiter_for(const std::string& value) {
  std::random_device random;
  while (true) {
    std::string candidate = "MIGSAFE_EOF_" + std::to_string(random());
    if (value.find(candidate) == std::string::npos) return candidate;
  }
}

std::string output_line(const std::string& name, const std::string& value) {
  if (value.find('\n') == std::string::npos && value.find('\r') == std::string::npos)
    return name + "=" + value + "\n";
  std::string delimiter = delimiter_for(value);
  return name + "<<" + delimiter + "\n" + value + "\n" + delimiter + "\n";
}

void append_to(const char* variable, const std::string& text) {
  const char* path = std::getenv(variable);
  if (path == nullptr || *path == '\0') return;
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  out.flush();
  if (!out)
    throw std::runtime_error(std::string("cannot append to $") + variable + " (" + path + ")");
}

}  // namespace

std::string step_summary_markdown(const Report& r) {
  return overview(r) + migrations_table(r) + tests_section(r) + rls_section(r) +
         restore_section(r) + messages_section(r);
}

std::string github_output_lines(const Report& r, const std::string& report_path) {
  return output_line("status", to_string(r.status)) + output_line("exit_code", std::to_string(r.exit_code)) +
         output_line("from_version", r.from_version) + output_line("to_version", r.to_version) +
         output_line("backup_id", backup_facts(r).id) + output_line("report", report_path);
}

void append_github_files(const Report& report, const std::string& report_path) {
  append_to("GITHUB_STEP_SUMMARY", step_summary_markdown(report));
  append_to("GITHUB_OUTPUT", github_output_lines(report, report_path));
}

}  // namespace migsafe::report
