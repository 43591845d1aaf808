#include "report/report.hpp"

#include "util/utf8.hpp"

namespace migsafe::report {
namespace {

// Where ill-formed UTF-8 was found in a report, so it can say so.
struct Repairs {
  std::vector<std::string> places;  // JSON paths, e.g. "tests[2].failures[0].diagnostics"
  size_t count = 0;                 // sequences replaced in all
};

// Where a value sits in the report, kept as links to its parents: the text of a path is built only
// for the rare value that needs repairing, not for each of the report's many thousand values.
struct Place {
  const Place* parent = nullptr;
  const std::string* name = nullptr;  // an object member; otherwise an array element
  size_t index = 0;
};

// "tests[2].failures[0].diagnostics"
std::string path_of(const Place* at) {
  if (!at || !at->parent) return "";
  std::string parent = path_of(at->parent);
  if (!at->name) return parent + "[" + std::to_string(at->index) + "]";
  return parent + (parent.empty() ? "" : ".") + *at->name;
}

void fix(std::string& text, const Place* at, const char* suffix, Repairs& repairs) {
  if (!util::first_invalid_utf8(text)) return;
  size_t replaced = 0;
  text = util::to_valid_utf8(text, &replaced);
  repairs.count += replaced;
  const std::string path = path_of(at);
  repairs.places.push_back(path + (*suffix && !path.empty() ? "." : "") + suffix);
}

// Replaces ill-formed UTF-8 in every string (and key) of `j` with U+FFFD: a server, a test or a
// hook may print any bytes, and the report must stay valid JSON whatever they were.
void repair_text(nlohmann::json& j, const Place* at, Repairs& repairs) {
  if (j.is_string()) return fix(j.get_ref<std::string&>(), at, "", repairs);
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      const Place element{at, nullptr, i};
      repair_text(j[i], &element, repairs);
    }
    return;
  }
  if (!j.is_object()) return;
  bool keys_valid = true;
  for (auto it = j.begin(); it != j.end(); ++it) keys_valid = keys_valid && !util::first_invalid_utf8(it.key());
  if (keys_valid) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const Place member{at, &it.key()};
      repair_text(it.value(), &member, repairs);
    }
    return;
  }
  nlohmann::json fixed = nlohmann::json::object();  // keys cannot change in place
  for (auto& [key, value] : j.items()) {
    std::string name = key;
    fix(name, at, "<key>", repairs);
    const Place member{at, &name};
    repair_text(value, &member, repairs);
    fixed[name] = std::move(value);
  }
  j = std::move(fixed);
}

// `out` with its text repaired and, when anything was, a warning naming where.
nlohmann::json with_valid_text(nlohmann::json out) {
  Repairs repairs;
  const Place root;
  repair_text(out, &root, repairs);
  if (repairs.count == 0) return out;
  std::string where;
  for (size_t i = 0; i < repairs.places.size() && i < 5; ++i) where += (i ? ", " : "") + repairs.places[i];
  if (repairs.places.size() > 5) where += " and " + std::to_string(repairs.places.size() - 5) + " more";
  out["warnings"].push_back("invalid UTF-8 replaced by U+FFFD (" + std::to_string(repairs.count) +
                            " sequences) in " + where);
  out["invalid_utf8_replaced"] = repairs.count;
  return out;
}

nlohmann::json error_json(const MigrationError& e) {
  return {{"sqlstate", e.sqlstate}, {"message", e.message}, {"detail", e.detail}, {"hint", e.hint},
          {"file", e.file},         {"line", e.line},       {"column", e.column}, {"statement", e.statement}};
}

nlohmann::json migration_json(const Migration& m) {
  nlohmann::json j = {{"version", m.version},   {"name", m.name},
                      {"checksum", "sha256:" + m.checksum}, {"status", to_string(m.status)},
                      {"duration_ms", m.duration_ms}, {"error", nullptr}};
  if (m.error) j["error"] = error_json(*m.error);
  if (!m.non_transactional.empty()) j["non_transactional"] = m.non_transactional;
  if (!m.not_run.empty()) j["would_run_outside_transaction"] = m.not_run;
  if (!m.commit_after.empty()) j["commit_after"] = m.commit_after;
  return j;
}

nlohmann::json restore_json(const Restore& r) {
  return {{"method", r.method},
          {"verified", r.verified},
          {"fingerprint_before", r.fingerprint_before},
          {"fingerprint_after", r.fingerprint_after},
          {"duration_ms", r.duration_ms},
          {"differences", r.differences},
          {"outside", r.outside},
          {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}};
}

}  // namespace

nlohmann::json to_json(const Report& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"name", s.name}, {"status", to_string(s.status)}, {"duration_ms", s.duration_ms}, {"detail", s.detail}});
  }
  nlohmann::json migrations = nlohmann::json::array();
  nlohmann::json commit_points = nlohmann::json::array();  // the versions after which an atomic run commits
  for (const auto& m : r.migrations) {
    migrations.push_back(migration_json(m));
    if (!m.commit_after.empty()) commit_points.push_back({{"after_version", m.version}, {"reason", m.commit_after}});
  }
  return with_valid_text({{"migsafe_version", r.migsafe_version},
          {"command", r.command},
          {"pipeline", r.pipeline},
          {"pipeline_file", r.pipeline_file},
          {"status", to_string(r.status)},
          {"exit_code", r.exit_code},
          {"run_id", r.run_id},
          {"database", {{"url", r.database_url}, {"server_version", r.server_version}}},
          {"from_version", r.from_version},
          {"to_version", r.to_version},
          {"mode", to_string(r.mode)},
          {"dry_run", r.dry_run},
          {"mode_reason", r.mode_reason},
          {"commit_points", commit_points},
          {"timeouts", {{"lock_timeout", r.lock_timeout}, {"statement_timeout", r.statement_timeout}}},
          {"backup", r.backup},
          {"steps", steps},
          {"migrations", migrations},
          {"tests", r.tests},
          {"verify", r.verify},
          {"rls", r.rls},
          {"impact", r.impact},
          {"restore", r.restore ? restore_json(*r.restore) : nlohmann::json(nullptr)},
          {"hooks", r.hooks},
          {"drift", r.drift},
          {"errors", r.errors},
          {"warnings", r.warnings}});
}

namespace {

// `j[key]` as a string; "" when absent or null.
std::string text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? "" : it->get<std::string>();
}

// `j[key]` as a number; 0 when absent or null.
long long number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? 0 : it->get<long long>();
}

// `j[key]` as a list of strings; empty when absent or null.
std::vector<std::string> texts(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? std::vector<std::string>{} : it->get<std::vector<std::string>>();
}

// `j[key]` as is; `fallback` when absent or null.
nlohmann::json member(const nlohmann::json& j, const char* key, nlohmann::json fallback) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? fallback : *it;
}

MigrationError error_from(const nlohmann::json& j) {
  MigrationError e{text(j, "sqlstate"), text(j, "message"), text(j, "detail"), text(j, "hint"), text(j, "file"),
                   int(number(j, "line")), int(number(j, "column")), text(j, "statement")};
  return e;
}

Migration migration_from(const nlohmann::json& j) {
  Migration m;
  m.version = text(j, "version");
  m.name = text(j, "name");
  m.checksum = text(j, "checksum");
  if (m.checksum.rfind("sha256:", 0) == 0) m.checksum.erase(0, 7);
  m.status = parse_migration_status(text(j, "status"));
  m.duration_ms = number(j, "duration_ms");
  if (j.contains("error") && j["error"].is_object()) m.error = error_from(j["error"]);
  m.non_transactional = texts(j, "non_transactional");
  m.not_run = texts(j, "would_run_outside_transaction");
  m.commit_after = text(j, "commit_after");
  return m;
}

Restore restore_from(const nlohmann::json& j) {
  Restore r;
  r.method = text(j, "method");
  r.verified = j.value("verified", false);
  r.fingerprint_before = text(j, "fingerprint_before");
  r.fingerprint_after = text(j, "fingerprint_after");
  r.duration_ms = number(j, "duration_ms");
  r.differences = texts(j, "differences");
  r.outside = texts(j, "outside");
  r.error = text(j, "error");
  return r;
}

// The identity, target and outcome fields.
void header_from(const nlohmann::json& j, Report& r) {
  r.migsafe_version = text(j, "migsafe_version");
  r.command = text(j, "command");
  r.pipeline = text(j, "pipeline");
  r.pipeline_file = text(j, "pipeline_file");
  r.status = parse_run_status(text(j, "status"));
  r.exit_code = int(number(j, "exit_code"));
  r.run_id = text(j, "run_id");
  const nlohmann::json database = member(j, "database", nlohmann::json::object());
  r.database_url = text(database, "url");
  r.server_version = text(database, "server_version");
  r.from_version = text(j, "from_version");
  r.to_version = text(j, "to_version");
  r.dry_run = j.value("dry_run", false);
  r.backup_skipped = j.value("backup_skipped", false);
  r.mode = parse_mode(text(j, "mode"));
  r.mode_reason = text(j, "mode_reason");
  const nlohmann::json timeouts = member(j, "timeouts", nlohmann::json::object());
  r.lock_timeout = text(timeouts, "lock_timeout");
  r.statement_timeout = text(timeouts, "statement_timeout");
}

}  // namespace

Report from_json(const nlohmann::json& j) {
  Report r;
  header_from(j, r);
  r.backup = member(j, "backup", nullptr);
  for (const auto& s : member(j, "steps", nlohmann::json::array())) {
    r.steps.push_back(Step{text(s, "name"), parse_step_status(text(s, "status")), number(s, "duration_ms"), text(s, "detail")});
  }
  for (const auto& m : member(j, "migrations", nlohmann::json::array())) r.migrations.push_back(migration_from(m));
  r.tests = member(j, "tests", nlohmann::json::array());
  r.verify = member(j, "verify", nlohmann::json::object());
  r.rls = member(j, "rls", nlohmann::json::object());
  r.impact = member(j, "impact", nlohmann::json::object());
  if (j.contains("restore") && j["restore"].is_object()) r.restore = restore_from(j["restore"]);
  r.hooks = member(j, "hooks", nlohmann::json::array());
  r.drift = member(j, "drift", nullptr);
  r.errors = texts(j, "errors");
  r.warnings = texts(j, "warnings");
  return r;
}

}  // namespace migsafe::report
