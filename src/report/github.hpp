// GitHub Actions output: workflow commands on stdout (groups, annotations, masks), the Markdown
// job summary ($GITHUB_STEP_SUMMARY) and step outputs ($GITHUB_OUTPUT).
#pragma once

#include <cstdio>
#include <string>

#include "report/report.hpp"

namespace migsafe::report {

// True when GitHub output is wanted: `flag` (--github) or the environment's GITHUB_ACTIONS=true.
bool github_actions_enabled(bool flag);

// `GITHUB_WORKSPACE` when set, else the current directory: what annotation paths are relative to.
std::string default_repo_root();

// Escapes a workflow command's message: `%`, CR and LF.
std::string escape_data(const std::string& text);

// Escapes a workflow command's property value: as escape_data, plus `:` and `,`.
std::string escape_property(const std::string& text);

// Prints `::add-mask::<secret>` on `stream` (stdout; stderr under --json) and flushes, so the
// runner shows `***` for `secret` in every later line. Call before anything else is printed. An
// empty `secret` prints nothing.
void emit_mask(const std::string& secret, std::FILE* stream = stdout);

// `file` (as the report names it, relative to the current directory or absolute) relative to
// `repo_root`; unchanged when it lies outside.
std::string path_in_repo(const std::string& file, const std::string& repo_root);

// The workflow commands for `report`: a `::group::` per step and hook with its detail, `::error`
// for a failing migration (file relative to `repo_root`, line, col), failing pgTAP tests, RLS
// findings at error level and failing RLS cases, run errors; `::warning` for warn-level findings
// and run warnings.
std::string workflow_commands(const Report& report, const std::string& repo_root);

// The job summary in Markdown: status, from -> to, backup id and checksum, migrations with
// durations, tests, RLS findings, restore result, hooks and errors.
std::string step_summary_markdown(const Report& report);

// The `$GITHUB_OUTPUT` lines: status, exit_code, from_version, to_version, backup_id and report
// (`report_path`), as `name=value`, or the `name<<DELIMITER` form for a value with a newline.
std::string github_output_lines(const Report& report, const std::string& report_path);

// Appends the summary to `$GITHUB_STEP_SUMMARY` and the outputs to `$GITHUB_OUTPUT`, each only when
// its variable is set. Throws std::runtime_error naming the file when one cannot be written.
void append_github_files(const Report& report, const std::string& report_path);

}  // namespace migsafe::report
