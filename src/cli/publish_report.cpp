// How a command's outcome leaves migsafe: the JSON report (file, --json), the human summary, and
// the extras (release checklist, GitHub Actions output).
#include <cstdio>
#include <exception>
#include <fstream>

#include "cli/command.hpp"
#include "cli/publish.hpp"
#include "core/error.hpp"
#include "report/checklist.hpp"
#include "report/github.hpp"
#include "util/atomic_file.hpp"

namespace migsafe::cli {
namespace {

void write_checklist(const report::Report& report, const std::string& file,
                     const Console& console) {
  try {
    util::AtomicFile out(file, 0644);
    out.write(report::render_checklist(report));
    out.commit();
    console.detail("checklist written to " + file);
  } catch (const std::exception& e) {
    console.error("cannot write the checklist to " + file + ": " + e.what());
  }
}

void publish_github(const report::Report& report, const PublishOptions& options,
                    const Console& console) {
  const std::string root =
      options.repo_root.empty() ? report::default_repo_root() : options.repo_root;
  std::FILE* stream = workflow_stream(console);
  std::fputs(report::workflow_commands(report, root).c_str(), stream);
  std::fflush(stream);
  try {
    report::append_github_files(report, options.report_file);
  } catch (const std::exception& e) {
    console.error(e.what());
  }
}

}  // namespace

int publish_report(const report::Report& report, const Console& console,
                   const std::string& report_file) {
  const std::string json = report::to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!report_file.empty()) {
    std::ofstream out(report_file, std::ios::trunc);
    out << json << "\n";
    if (!out) console.error("cannot write the report to " + report_file);
  }
  if (console.options().json) std::printf("%s\n", json.c_str());
  console.summary(report);
  return report.exit_code;
}

std::FILE* workflow_stream(const Console& console) {
  return console.options().json ? stderr : stdout;
}

void publish_extras(const report::Report& report, const PublishOptions& options,
                    const Console& console) {
  if (!options.checklist_file.empty()) write_checklist(report, options.checklist_file, console);
  if (options.github) publish_github(report, options, console);
}

int publish_report(const report::Report& report, const Console& console,
                   const PublishOptions& options) {
  int code = publish_report(report, console, options.report_file);
  std::fflush(stdout);
  publish_extras(report, options, console);
  return code;
}

}  // namespace migsafe::cli
