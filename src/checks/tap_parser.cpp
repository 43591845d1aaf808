#include "checks/tap_parser.hpp"

#include <climits>

namespace migsafe::checks {
namespace {

// Perl's \s and \w, in ASCII.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

std::string_view skip_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

std::string trim(std::string_view s) {
  s = skip_space(s);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool starts_with_nocase(std::string_view s, std::string_view upper) {
  if (s.size() < upper.size()) return false;
  for (size_t i = 0; i < upper.size(); ++i) {
    if ((s[i] & ~0x20) != upper[i]) return false;
  }
  return true;
}

// Consumes leading digits as a number, saturating at INT_MAX; -1 when there are none.
int take_number(std::string_view& s) {
  if (s.empty() || !is_digit(s.front())) return -1;
  long long n = 0;
  while (!s.empty() && is_digit(s.front())) {
    n = std::min<long long>(n * 10 + (s.front() - '0'), INT_MAX);
    s.remove_prefix(1);
  }
  return static_cast<int>(n);
}

// A test line's description split from its `# SKIP` / `# TODO` directive. As TAP::Parser, only
// the first '#' not escaped by a backslash can start a directive.
struct Directive {
  std::string description, directive, explanation;
};

Directive split_directive(std::string_view desc) {
  size_t i = 0;
  while (i < desc.size() && desc[i] != '#') i += (desc[i] == '\\' && i + 1 < desc.size()) ? 2 : 1;
  if (i < desc.size() && desc[i] == '\\') i = desc.size();  // a lone trailing backslash
  if (i >= desc.size()) return {trim(desc), "", ""};
  std::string_view after = skip_space(desc.substr(i + 1));
  for (std::string_view word : {"SKIP", "TODO"}) {
    if (starts_with_nocase(after, word) && (after.size() == 4 || !is_word(after[4]))) {
      return {trim(desc.substr(0, i)), std::string(word), trim(after.substr(4))};
    }
  }
  return {trim(desc), "", ""};
}

// `TAP version 13`: harmless first, a parse error anywhere else.
bool is_version_line(std::string_view line) {
  if (!starts_with_nocase(line, "TAP") || line.size() < 4 || !is_space(line[3])) return false;
  line = skip_space(line.substr(3));
  if (!starts_with_nocase(line, "VERSION") || line.size() < 8 || !is_space(line[7])) return false;
  line = skip_space(line.substr(7));
  return take_number(line) >= 0 && skip_space(line).empty();
}

// The obsolete `1..N todo 2 3` plan tail (the listed tests' TODO marks are not applied).
bool is_todo_list(std::string_view tail) {
  if (!starts_with(tail, "todo") || tail.size() < 5 || !is_space(tail[4])) return false;
  tail = skip_space(tail.substr(4));
  return !tail.empty() && is_digit(tail.front());
}

std::string display_description(std::string description) {
  if (starts_with(description, "-")) description = trim(std::string_view(description).substr(1));
  return description;
}

}  // namespace

bool TapSummary::ok() const {
  return planned >= 0 && run == planned && failed == 0 && !bailed_out && problems.empty();
}

nlohmann::json TapSummary::to_json() const {
  nlohmann::json fails = nlohmann::json::array();
  for (const auto& f : failures) {
    fails.push_back(
        {{"number", f.number}, {"description", f.description}, {"diagnostics", f.diagnostics}});
  }
  return nlohmann::json{
      {"planned", planned >= 0 ? nlohmann::json(planned) : nlohmann::json()},
      {"run", run},
      {"passed", passed},
      {"failed", failed},
      {"skipped", skipped},
      {"todo", todo},
      {"todo_passed", todo_passed},
      {"bail_out", bailed_out ? nlohmann::json(bail_out_reason) : nlohmann::json()},
      {"failures", fails},
      {"problems", problems}};
}

void TapParser::add_text(std::string_view text) {
  while (true) {
    size_t nl = text.find('\n');
    add_line(text.substr(0, nl));
    if (nl == std::string_view::npos) return;
    text.remove_prefix(nl + 1);
  }
}

void TapParser::add_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  bool not_ok = starts_with(line, "not ok");
  if (not_ok || starts_with(line, "ok")) {
    std::string_view rest = line.substr(not_ok ? 6 : 2);
    if (rest.empty() || !is_word(rest.front())) {  // "ok" as a word: not "okay"
      rest = skip_space(rest);
      int number = take_number(rest);
      return on_test(not_ok, number, skip_space(rest));
    }
  }
  if (starts_with(line, "#")) return on_comment(line.substr(1));
  if (starts_with(line, "1..") && line.size() > 3 && is_digit(line[3])) {
    std::string_view tail = line.substr(3);
    int planned = take_number(tail);
    tail = skip_space(tail);
    if (tail.empty() || planned == 0 || is_todo_list(tail)) return on_plan(planned);
    return;  // "1..3 junk" is not a plan
  }
  std::string_view unindented = skip_space(line);
  if (starts_with(unindented, "Bail out!")) {
    if (!summary_.bailed_out) summary_.bail_out_reason = trim(unindented.substr(9));
    summary_.bailed_out = true;
    attach_comments_ = false;
    return;
  }
  if (is_version_line(line) && (plan_seen_ || summary_.run > 0)) {
    summary_.problems.push_back("a TAP version line must be the first line of output");
  }
}

void TapParser::on_test(bool not_ok, int number, std::string_view rest) {
  ++summary_.run;
  if (plan_after_tests_) {
    summary_.problems.push_back("plan 1.." + std::to_string(summary_.planned) +
                                " must be at the beginning or end of the TAP output");
    plan_after_tests_ = false;
  }
  if (number >= 0 && number != summary_.run) {
    summary_.problems.push_back("tests out of sequence: found " + std::to_string(number) +
                                " but expected " + std::to_string(summary_.run));
  }
  if (number < 0) number = summary_.run;
  Directive d = split_directive(rest);
  bool todo = d.directive == "TODO", skip = d.directive == "SKIP";
  bool unplanned = plan_seen_ && summary_.run > summary_.planned;
  bool ok = !unplanned && (todo || !not_ok);
  summary_.todo += todo;
  summary_.todo_passed += todo && !not_ok;
  summary_.skipped += skip;
  (ok ? summary_.passed : summary_.failed) += 1;
  attach_comments_ = !ok;
  if (!ok) {
    std::string description =
        display_description(d.description) + (unplanned ? " (not planned)" : "");
    summary_.failures.push_back({number, description, ""});
  }
}

void TapParser::on_plan(int planned) {
  attach_comments_ = false;
  if (plan_seen_) {
    summary_.problems.push_back("more than one plan found in TAP output");
    plan_after_tests_ = false;
    return;
  }
  plan_seen_ = true;
  summary_.planned = planned;
  plan_after_tests_ = summary_.run > 0;
}

void TapParser::on_comment(std::string_view text) {
  if (!attach_comments_ || summary_.failures.empty()) return;
  if (starts_with(text, " ")) text.remove_prefix(1);
  if (starts_with(text, "Looks like you")) return;  // pgTAP's end-of-file summary, not this test's
  std::string& diagnostics = summary_.failures.back().diagnostics;
  if (!diagnostics.empty()) diagnostics += '\n';
  diagnostics += text;
}

TapSummary TapParser::finish() const {
  TapSummary out = summary_;
  if (!plan_seen_) {
    out.problems.push_back("no plan found in TAP output");
  } else if (out.run != out.planned) {
    out.problems.push_back("planned " + std::to_string(out.planned) + " tests but ran " +
                           std::to_string(out.run));
  }
  return out;
}

}  // namespace migsafe::checks
