#include "report/report.hpp"

namespace migsafe::report {
namespace {

nlohmann::json error_json(const MigrationError& e) {
  return {{"sqlstate", e.sqlstate}, {"message", e.message}, {"detail", e.detail}, {"hint", e.hint},
          {"file", e.file},         {"line", e.line},       {"column", e.column}, {"statement", e.statement}};
}

nlohmann::json migration_json(const Migration& m) {
  nlohmann::json j = {{"version", m.version},   {"name", m.name},
                      {"checksum", "sha256:" + m.checksum}, {"status", m.status},
                      {"duration_ms", m.duration_ms}, {"error", nullptr}};
  if (m.error) j["error"] = error_json(*m.error);
  if (!m.non_transactional.empty()) j["non_transactional"] = m.non_transactional;
  return j;
}

nlohmann::json restore_json(const Restore& r) {
  return {{"method", r.method},
          {"verified", r.verified},
          {"fingerprint_before", r.fingerprint_before},
          {"fingerprint_after", r.fingerprint_after},
          {"duration_ms", r.duration_ms},
          {"differences", r.differences},
          {"error", r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error)}};
}

}  // namespace

nlohmann::json to_json(const Report& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"name", s.name}, {"status", s.status}, {"duration_ms", s.duration_ms}, {"detail", s.detail}});
  }
  nlohmann::json migrations = nlohmann::json::array();
  for (const auto& m : r.migrations) migrations.push_back(migration_json(m));
  return {{"migsafe_version", r.migsafe_version},
          {"command", r.command},
          {"pipeline", r.pipeline},
          {"pipeline_file", r.pipeline_file},
          {"status", r.status},
          {"exit_code", r.exit_code},
          {"run_id", r.run_id},
          {"database", {{"url", r.database_url}, {"server_version", r.server_version}}},
          {"from_version", r.from_version},
          {"to_version", r.to_version},
          {"mode", r.mode},
          {"mode_reason", r.mode_reason},
          {"timeouts", {{"lock_timeout", r.lock_timeout}, {"statement_timeout", r.statement_timeout}}},
          {"backup", r.backup},
          {"steps", steps},
          {"migrations", migrations},
          {"tests", r.tests},
          {"rls", r.rls},
          {"restore", r.restore ? restore_json(*r.restore) : nlohmann::json(nullptr)},
          {"errors", r.errors},
          {"warnings", r.warnings}};
}

}  // namespace migsafe::report
