#include "report/evidence.hpp"

#include <cstdio>

namespace migsafe::report {
namespace {

int count(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int>() : 0;
}

std::string field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// A string member as is, any other value as JSON text.
std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

const nlohmann::json& list(const nlohmann::json& j, const char* key) {
  static const nlohmann::json empty = nlohmann::json::array();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

}  // namespace

TestTotals tally_tests(const nlohmann::json& tests) {
  TestTotals t;
  if (!tests.is_array()) return t;
  for (const auto& file : tests) {
    ++t.files;
    t.planned += count(file, "planned");
    t.passed += count(file, "passed");
    t.failed += count(file, "failed");
    t.skipped += count(file, "skipped");
    if (file.contains("error") && file["error"].is_object()) ++t.errored_files;
  }
  return t;
}

std::vector<Finding> rls_findings(const nlohmann::json& rls) {
  std::vector<Finding> out;
  for (const auto& f : list(rls, "findings")) {
    out.push_back(Finding{field(f, "lint"), field(f, "level"), field(f, "object"),
                          field(f, "message"), f.value("ignored", false)});
  }
  return out;
}

std::vector<RlsCase> rls_cases(const nlohmann::json& rls) {
  std::vector<RlsCase> out;
  for (const auto& c : list(rls, "cases")) {
    bool passed = c.contains("passed") ? c.value("passed", false) : field(c, "status") == "passed";
    std::string message = field(c, "message");
    if (message.empty() && c.contains("expected"))
      message = "expected " + text(c, "expected") + ", got " + text(c, "actual");
    out.push_back(RlsCase{field(c, "name"), message, passed});
  }
  return out;
}

VerifyFacts verify_facts(const nlohmann::json& verify) {
  VerifyFacts v;
  for (const auto& a : list(verify, "assertions")) {
    ++v.assertions;
    if (a.value("passed", false)) ++v.assertions_passed;
  }
  if (verify.is_object() && verify.contains("row_loss") && verify["row_loss"].is_object()) {
    v.row_guard = true;
    v.row_violations = int(list(verify["row_loss"], "violations").size());
  }
  return v;
}

BackupFacts backup_facts(const Report& report) {
  BackupFacts b;
  if (!report.backup.is_object()) return b;
  b.present = true;
  b.id = field(report.backup, "backup_id");
  b.checksum = field(report.backup, "checksum");
  b.status = field(report.backup, "status");
  b.file = field(report.backup, "file");
  b.migration_version = field(report.backup, "migration_version");
  auto bytes = report.backup.find("bytes");
  if (bytes != report.backup.end() && bytes->is_number()) b.bytes = bytes->get<long long>();
  return b;
}

bool step_ok(const Report& report, const std::string& name) {
  for (const auto& s : report.steps) {
    if (s.name == name && s.status == StepStatus::ok) return true;
  }
  return false;
}

std::vector<const Migration*> migrations_with(const Report& report, MigrationStatus status) {
  std::vector<const Migration*> out;
  for (const auto& m : report.migrations) {
    if (m.status == status) out.push_back(&m);
  }
  return out;
}

std::string format_ms(long long ms) {
  char buffer[48];
  if (ms < 1000)
    std::snprintf(buffer, sizeof buffer, "%lld ms", ms);
  else if (ms < 60000)
    std::snprintf(buffer, sizeof buffer, "%.1f s", double(ms) / 1000.0);
  else
    std::snprintf(buffer, sizeof buffer, "%lld min %lld s", ms / 60000, (ms % 60000) / 1000);
  return buffer;
}

std::string format_bytes(long long bytes) {
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = double(bytes) / 1024.0;
  int unit = 0;
  while (value >= 1024.0 && unit < 3) {
    value /= 1024.0;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f %s", value, units[unit]);
  return buffer;
}

std::string table_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else if (c != '\r')
      out += c;
  }
  return out;
}

std::string short_hash(const std::string& digest) {
  std::string hex = digest.rfind("sha256:", 0) == 0 ? digest.substr(7) : digest;
  return hex.substr(0, 12);
}

}  // namespace migsafe::report
