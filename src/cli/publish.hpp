// What a command publishes beside its report: the release checklist file and GitHub Actions output.
#pragma once

#include <cstdio>
#include <string>

#include "cli/console.hpp"
#include "report/report.hpp"

namespace migsafe::cli {

// Where and how to publish the extras of a report.
struct PublishOptions {
  std::string checklist_file;  // write the Markdown checklist here; empty: none
  bool github = false;         // GitHub Actions output (--github, or set from GITHUB_ACTIONS=true)
  std::string
      repo_root;  // annotation paths are relative to this; empty: report::default_repo_root()
  std::string report_file;  // the --report path, for the `report` step output; may be empty
};

// The stream GitHub workflow commands go to: stdout, or stderr under --json (stdout is then the
// report's alone; the runner reads commands from both).
std::FILE* workflow_stream(const Console& console);

// Writes the checklist (when `options.checklist_file` is set) and, when `options.github`, prints
// the workflow commands and appends the job summary and step outputs. A file that cannot be
// written is reported on `console`; it does not change the run's exit code.
void publish_extras(const report::Report& report, const PublishOptions& options,
                    const Console& console);

// publish_report() then publish_extras(); returns report.exit_code.
int publish_report(const report::Report& report, const Console& console,
                   const PublishOptions& options);

}  // namespace migsafe::cli
