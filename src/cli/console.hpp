// Human output on stderr: step lines with timings, notes, errors. Machine output (--json) is stdout's.
#pragma once

#include <string>

#include "report/report.hpp"

namespace migsafe::cli {

// Global output flags.
struct OutputOptions {
  bool json = false;     // print the report as JSON on stdout
  bool quiet = false;    // only errors on stderr
  bool verbose = false;  // details too
  bool color = true;     // ANSI colours (off with --no-color, NO_COLOR or when stderr is not a TTY)
};

// Writes human output to stderr according to OutputOptions.
class Console {
 public:
  explicit Console(OutputOptions options);
  // A finished step: "✓ backup  412 ms  <detail>".
  void step(const report::Step& step) const;
  // An informational line (hidden by --quiet).
  void note(const std::string& line) const;
  // A detail line (shown only with --verbose).
  void detail(const std::string& line) const;
  // An error line, always shown.
  void error(const std::string& line) const;
  // The closing summary of a report: status, versions, errors, RLS findings, restore result.
  void summary(const report::Report& report) const;
  // The report's RLS findings, one line per lint with the objects it names.
  void rls_findings(const report::Report& report) const;
  // The options in force.
  const OutputOptions& options() const { return options_; }

 private:
  std::string paint(const std::string& text, const char* code) const;
  OutputOptions options_;
};

}  // namespace migsafe::cli
