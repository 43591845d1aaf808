#include "pg/tools.hpp"

#include <unistd.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/error.hpp"
#include "util/process.hpp"

namespace migsafe::pg {
namespace fs = std::filesystem;
namespace {

const char* kDebianRoot = "/usr/lib/postgresql";

// Installed majors under /usr/lib/postgresql that have `program`.
std::set<int> installed_majors_with(const std::string& program) {
  std::set<int> majors;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kDebianRoot, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (access((entry.path() / "bin" / program).c_str(), X_OK) == 0) majors.insert(std::stoi(name));
  }
  return majors;
}

}  // namespace

int tool_major_version(const std::string& program_path) {
  util::Command command;
  command.argv = {program_path, "--version"};
  util::ProcessResult result = util::run_process(command);
  std::smatch m;
  static const std::regex version(R"((\d+)(\.\d+)?)");
  if (!result.ok() || !std::regex_search(result.stdout_text, m, version)) return 0;
  return std::stoi(m[1]);
}

std::string find_pg_tool(const std::string& program, int server_major, const std::string& preferred_dir,
                         int exit_code) {
  if (!preferred_dir.empty()) {
    std::string path = (fs::path(preferred_dir) / program).string();
    if (access(path.c_str(), X_OK) == 0) return path;
    throw Error(Exit(exit_code), program + " not found in pg_bin_dir " + preferred_dir);
  }
  for (int major : installed_majors_with(program)) {
    if (major >= server_major) return std::string(kDebianRoot) + "/" + std::to_string(major) + "/bin/" + program;
  }
  if (auto in_path = util::find_program(program)) {
    if (tool_major_version(*in_path) >= server_major) return *in_path;
  }
  throw Error(Exit(exit_code),
              program + " for PostgreSQL " + std::to_string(server_major) +
                  " (or newer) is not installed: install postgresql-client-" + std::to_string(server_major) +
                  " (looked in " + kDebianRoot + "/<version>/bin and PATH), or set database.pg_bin_dir");
}

std::string newest_server_bin_dir() {
  auto majors = installed_majors_with("initdb");
  if (majors.empty()) {
    throw Error(Exit::usage, "no PostgreSQL server is installed for --ephemeral: install postgresql-15");
  }
  return std::string(kDebianRoot) + "/" + std::to_string(*majors.rbegin()) + "/bin";
}

}  // namespace migsafe::pg
