#include "backup/drill.hpp"

#include <chrono>
#include <random>

#include "backup/archive.hpp"
#include "core/error.hpp"
#include "pg/fingerprint.hpp"
#include "pg/session.hpp"
#include "util/process.hpp"
#include "util/progress.hpp"

namespace migsafe::backup {
namespace {

std::string scratch_name() {
  std::random_device rd;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", rd());
  return std::string("migsafe_drill_") + suffix;
}

// Drops the scratch database when the drill ends, however it ends.
class ScratchDatabase {
 public:
  ScratchDatabase(const pg::ConnInfo& server, std::string name)
      : admin_(server, "migsafe restore drill"), name_(std::move(name)) {
    if (auto error = admin_.try_exec("CREATE DATABASE " + admin_.quote_name(name_) +
                                     " TEMPLATE template0")) {
      throw Error(Exit::refused, "restore drill: cannot create the scratch database " + name_ +
                                     ": " + error->describe());
    }
  }
  ~ScratchDatabase() {
    admin_.try_exec("DROP DATABASE IF EXISTS " + admin_.quote_name(name_) + " WITH (FORCE)");
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

 private:
  pg::Session admin_;
  std::string name_;
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Restores the whole archive into `scratch` in one transaction; returns a problem or "".
std::string restore_into(const DrillRequest& r, const pg::ConnInfo& scratch) {
  util::Command restore;
  restore.argv = {r.pg_restore_path, "--exit-on-error", "--single-transaction", "--no-password",
                  "--dbname=" + scratch.without_password()};
  restore.env = scratch.child_environment();
  const bool directory = std::filesystem::is_directory(r.data_file);
  if (directory) {
    // Parallel workers cannot share one transaction; the scratch database is dropped anyway.
    restore.argv[2] = "--jobs=" + std::to_string(r.jobs);
    restore.argv.push_back(r.data_file.string());
  }
  try {
    util::Progress progress("restore drill");
    if (!directory) {
      util::InputSource plain = open_archive_stream(r.data_file, r.compression, r.key);
      restore.stdin_source = [plain, &progress](char* buffer, size_t capacity) {
        size_t n = plain(buffer, capacity);
        progress.add(n);
        return n;
      };
    }
    util::ProcessResult result = util::run_process(restore);
    if (result.ok()) return "";
    return "pg_restore " + result.describe() + ": " +
           pg::redact_password(trimmed(result.stderr_text), scratch.password());
  } catch (const std::exception& e) {
    return std::string("restore failed: ") + e.what();
  }
}

void check_restored(const DrillRequest& r, const pg::ConnInfo& scratch, DrillResult& out) {
  pg::Session session(scratch, "migsafe restore drill");
  pg::Fingerprint restored = pg::take_fingerprint(session, r.schemas, r.fingerprint_version);
  const std::string& got = restored.hash;
  if (!r.expected_fingerprint.empty() && got != r.expected_fingerprint) {
    out.problems.push_back("schema fingerprint " + got + " differs from the manifest's " +
                           r.expected_fingerprint);
    if (!r.expected_objects.empty()) {
      pg::Fingerprint expected;
      expected.facts = r.expected_objects;
      for (auto& line : pg::fingerprint_differences(expected, restored)) out.problems.push_back(line);
    }
  }
  auto rows = pg::count_rows(session, r.schemas);
  for (const auto& [table, count] : r.row_counts) {
    auto it = rows.find(table);
    long long have = it == rows.end() ? -1 : it->second;
    if (have != count) {
      out.problems.push_back(table + ": " + std::to_string(have) +
                             " rows restored, the manifest recorded " + std::to_string(count));
    }
  }
}

}  // namespace

DrillResult restore_drill(const DrillRequest& request) {
  DrillResult out;
  out.database = scratch_name();
  ScratchDatabase scratch_db(request.server, out.database);
  const pg::ConnInfo scratch = request.server.with("dbname", out.database);
  auto start = std::chrono::steady_clock::now();
  std::string problem = restore_into(request, scratch);
  out.restore_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  if (!problem.empty()) {
    out.problems.push_back(problem);
    return out;
  }
  try {
    check_restored(request, scratch, out);
    // The pipeline's pgTAP tests and [[verify.assert]] run here once the checks runner
    // (src/checks/) is wired in by the caller through `request.tests`.
    if (request.tests) {
      for (auto& line : request.tests(scratch)) out.problems.push_back(line);
    }
  } catch (const std::exception& e) {
    out.problems.push_back(std::string("checking the restored database failed: ") + e.what());
  }
  out.ok = out.problems.empty();
  return out;
}

}  // namespace migsafe::backup
