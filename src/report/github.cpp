#include "report/github.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "report/evidence.hpp"

namespace migsafe::report {
namespace {

// One annotation's location; an empty file means "no location".
struct Location {
  std::string file;
  int line = 0, column = 0;
};

std::string annotation(const char* kind, const Location& at, const std::string& title,
                       const std::string& message) {
  std::string props;
  auto add = [&props](const char* key, const std::string& value) {
    props += (props.empty() ? " " : ",") + std::string(key) + "=" + escape_property(value);
  };
  if (!at.file.empty()) add("file", at.file);
  if (!at.file.empty() && at.line > 0) add("line", std::to_string(at.line));
  if (!at.file.empty() && at.line > 0 && at.column > 0) add("col", std::to_string(at.column));
  if (!title.empty()) add("title", title);
  return "::" + std::string(kind) + props + "::" + escape_data(message) + "\n";
}

// Plain lines inside a group; a line that starts with "::" is indented so it is not a command.
std::string plain_lines(const std::string& text) {
  std::string out, line;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    line = text.substr(start, end - start);
    out += (line.rfind("::", 0) == 0 ? " " : "") + line + "\n";
    start = end + 1;
  }
  return out;
}

std::string group(const std::string& title, const std::string& body) {
  return "::group::" + escape_data(title) + "\n" + plain_lines(body) + "::endgroup::\n";
}

std::string step_groups(const Report& r) {
  std::string out;
  for (const auto& s : r.steps)
    out += group(s.name + ": " + to_string(s.status) + " (" + format_ms(s.duration_ms) + ")", s.detail);
  for (const auto& h : r.hooks) {
    std::string title =
        "hook " + h.value("name", std::string("?")) + ": " +
        (h.value("timed_out", false) ? "timed out"
                                     : "exit " + std::to_string(h.value("exit_code", -1)));
    out +=
        group(title, h.value("command", std::string()) + "\n" + h.value("output", std::string()));
  }
  return out;
}

std::string migration_errors(const Report& r, const std::string& root) {
  std::string out;
  for (const auto& m : r.migrations) {
    if (!m.error) continue;
    const MigrationError& e = *m.error;
    std::string message = e.message + (e.sqlstate.empty() ? "" : " (SQLSTATE " + e.sqlstate + ")");
    if (!e.detail.empty()) message += "\nDETAIL: " + e.detail;
    if (!e.hint.empty()) message += "\nHINT: " + e.hint;
    Location at{e.file.empty() ? "" : path_in_repo(e.file, root), e.line, e.column};
    out += annotation("error", at, "migration " + m.version + "_" + m.name + " failed", message);
  }
  return out;
}

std::string text_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    std::string joined;
    for (const auto& line : *it)
      joined +=
          (joined.empty() ? "" : "\n") + (line.is_string() ? line.get<std::string>() : line.dump());
    return joined;
  }
  return it->is_null() ? "" : it->dump();
}

int int_of(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

std::string test_errors(const Report& r, const std::string& root) {
  std::string out;
  if (!r.tests.is_array()) return out;
  for (const auto& t : r.tests) {
    std::string file = text_of(t, "file");
    std::string where = file.empty() ? "" : path_in_repo(file, root);
    if (t.contains("error") && t["error"].is_object()) {
      const auto& e = t["error"];
      std::string efile =
          text_of(e, "file").empty() ? where : path_in_repo(text_of(e, "file"), root);
      out += annotation("error", {efile, int_of(e, "line"), int_of(e, "column")},
                        "pgTAP test file failed to run", text_of(e, "message"));
    }
    if (t.contains("bail_out") && t["bail_out"].is_string()) {
      out +=
          annotation("error", {where, 0, 0}, "pgTAP: Bail out!", t["bail_out"].get<std::string>());
    }
    if (t.contains("problems") && t["problems"].is_array()) {
      for (const auto& p : t["problems"])
        out += annotation("error", {where, 0, 0}, "pgTAP: plan",
                          p.is_string() ? p.get<std::string>() : p.dump());
    }
    if (!t.contains("failures") || !t["failures"].is_array()) continue;
    for (const auto& f : t["failures"]) {
      std::string title =
          "pgTAP: not ok " + std::to_string(int_of(f, "number")) + " " + text_of(f, "description");
      std::string diagnostics = text_of(f, "diagnostics");
      out += annotation("error", {where, int_of(f, "line"), 0}, title,
                        diagnostics.empty() ? title : diagnostics);
    }
  }
  return out;
}

std::string rls_annotations(const Report& r) {
  std::string out;
  for (const auto& f : rls_findings(r.rls)) {
    if (f.ignored || (f.level != "error" && f.level != "warn" && f.level != "warning")) continue;
    const char* kind = f.level == "error" ? "error" : "warning";
    out += annotation(kind, {}, "RLS " + f.lint + ": " + f.object,
                      f.message.empty() ? f.lint : f.message);
  }
  for (const auto& c : rls_cases(r.rls)) {
    if (!c.passed)
      out += annotation("error", {}, "RLS case failed: " + c.name,
                        c.message.empty() ? c.name : c.message);
  }
  return out;
}

// `::warning`/`::error` at the migration's file:line for each lock-impact finding not ignored.
std::string impact_annotations(const Report& r, const std::string& root) {
  std::string out;
  if (!r.impact.is_object() || !r.impact.contains("findings") || !r.impact["findings"].is_array()) return out;
  for (const auto& f : r.impact["findings"]) {
    const std::string level = text_of(f, "level");
    const std::string file = text_of(f, "file");
    out += annotation(level == "error" ? "error" : "warning", {file.empty() ? "" : path_in_repo(file, root), int_of(f, "line"), 0},
                      "migsafe " + text_of(f, "rule") + ": " + text_of(f, "object"),
                      text_of(f, "message") + " Instead: " + text_of(f, "remediation"));
  }
  return out;
}

std::string run_messages(const Report& r) {
  std::string out;
  for (const auto& e : r.errors) out += annotation("error", {}, "migsafe: " + to_string(r.status), e);
  for (const auto& w : r.warnings) out += annotation("warning", {}, "migsafe", w);
  return out;
}

}  // namespace

bool github_actions_enabled(bool flag) {
  const char* env = std::getenv("GITHUB_ACTIONS");
  return flag || (env != nullptr && std::string(env) == "true");
}

std::string default_repo_root() {
  const char* workspace = std::getenv("GITHUB_WORKSPACE");
  if (workspace != nullptr && *workspace != '\0') return workspace;
  return std::filesystem::current_path().string();
}

std::string escape_data(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string escape_property(const std::string& text) {
  std::string out;
  for (char c : escape_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

void emit_mask(const std::string& secret, std::FILE* stream) {
  if (secret.empty()) return;
  std::fprintf(stream, "::add-mask::%s\n", escape_data(secret).c_str());
  std::fflush(stream);
}

std::string path_in_repo(const std::string& file, const std::string& repo_root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path path = fs::weakly_canonical(fs::absolute(file, ec), ec);
  fs::path root = fs::weakly_canonical(fs::absolute(repo_root, ec), ec);
  if (ec) return file;
  fs::path relative = path.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return file;
  return relative.generic_string();
}

std::string workflow_commands(const Report& report, const std::string& repo_root) {
  return step_groups(report) + migration_errors(report, repo_root) +
         test_errors(report, repo_root) + rls_annotations(report) + impact_annotations(report, repo_root) + run_messages(report);
}

}  // namespace migsafe::report
