#include <cstdio>
#include <fstream>

#include "cli/command.hpp"
#include "core/error.hpp"

namespace migsafe::cli {

int publish_report(const report::Report& report, const Console& console, const std::string& report_file) {
  const std::string json = report::to_json(report).dump(2);
  if (!report_file.empty()) {
    std::ofstream out(report_file, std::ios::trunc);
    out << json << "\n";
    if (!out) console.error("cannot write the report to " + report_file);
  }
  if (console.options().json) std::printf("%s\n", json.c_str());
  console.summary(report);
  return report.exit_code;
}

}  // namespace migsafe::cli
