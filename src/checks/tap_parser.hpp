// TAP (Test Anything Protocol) as pgTAP writes it and pg_prove reads it: the same grammar and the
// same counting rules as Perl's TAP::Parser (version 12 syntax), so a file's counts equal
// pg_prove's. Pure logic: lines in, a summary out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace migsafe::checks {

// A test that counts as failed: `not ok` without TODO, or a test beyond the plan.
struct TapFailure {
  int number = 0;           // the test's number (as written, else its position)
  std::string description;  // without the leading "- "; " (not planned)" added for unplanned tests
  std::string diagnostics;  // the `# ...` lines that followed it, without "# ", joined by '\n'
};

// What one TAP stream said. Counts follow TAP::Parser: `passed` + `failed` == `run`; a TODO test
// counts as passed whatever its ok; a skipped test counts as passed and as skipped.
struct TapSummary {
  int planned = -1;                   // the plan's N (0 for `1..0`, skip all); -1: no plan
  int run = 0;                        // test lines seen
  int passed = 0;                     // tests that are ok, or TODO
  int failed = 0;                     // `not ok` without TODO, and tests beyond the plan
  int skipped = 0;                    // tests with a SKIP directive
  int todo = 0;                       // tests with a TODO directive
  int todo_passed = 0;                // TODO tests that are ok anyway (pg_prove's "TODO passed")
  bool bailed_out = false;            // a `Bail out!` line was seen
  std::string bail_out_reason;        // the text after the first `Bail out!`
  std::vector<TapFailure> failures;   // the failed tests, in order
  std::vector<std::string> problems;  // plan and sequence errors, e.g. "planned 3 tests but ran 2"
  // True when a plan is present, every planned test ran, none failed, no bail out, no problem.
  bool ok() const;
  // {planned (null when none), run, passed, failed, skipped, todo, todo_passed, bail_out (reason
  // or null), failures[{number, description, diagnostics}], problems[]}.
  nlohmann::json to_json() const;
};

// Reads a TAP stream line by line. Lines that are not TAP are ignored, as pg_prove does.
class TapParser {
 public:
  // Feeds one line, without its line break (a trailing '\r' is ignored).
  void add_line(std::string_view line);
  // Feeds a text that may hold several lines (a result row of pgTAP), split at '\n'.
  void add_text(std::string_view text);
  // The summary of everything fed so far, with the end-of-stream plan checks applied.
  TapSummary finish() const;

 private:
  // A test line: `number` -1 when none was written, `rest` is the description and directive.
  void on_test(bool not_ok, int number, std::string_view rest);
  // A plan line `1..planned`.
  void on_plan(int planned);
  // A `#` line, `text` after the '#'.
  void on_comment(std::string_view text);

  TapSummary summary_;
  bool plan_seen_ = false;         // a plan line was read
  bool plan_after_tests_ = false;  // the plan followed tests: a further test is an error
  bool attach_comments_ = false;   // comments now belong to the last failure
};

}  // namespace migsafe::checks
