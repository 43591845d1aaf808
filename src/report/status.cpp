// One table per state type maps each value to the contract's string, both ways.
#include "report/status.hpp"

#include <utility>

#include "core/error.hpp"

namespace migsafe::report {
namespace {

const std::pair<RunStatus, const char*> run_names[] = {
    {RunStatus::unset, ""},
    {RunStatus::succeeded, "succeeded"},
    {RunStatus::nothing_to_do, "nothing_to_do"},
    {RunStatus::pending, "pending"},
    {RunStatus::failed, "failed"},
    {RunStatus::failed_restored, "failed_restored"},
    {RunStatus::failed_unrestored, "failed_unrestored"},
    {RunStatus::refused, "refused"},
    {RunStatus::dry_run, "dry_run"},
    {RunStatus::no_drift, "no_drift"},
    {RunStatus::drift, "drift"},
    {RunStatus::no_baseline, "no_baseline"},
};

const std::pair<Mode, const char*> mode_names[] = {
    {Mode::unset, ""}, {Mode::atomic, "atomic"}, {Mode::per_migration, "per-migration"}};

const std::pair<StepStatus, const char*> step_names[] = {
    {StepStatus::ok, "ok"}, {StepStatus::failed, "failed"}, {StepStatus::skipped, "skipped"}};

const std::pair<MigrationStatus, const char*> migration_names[] = {
    {MigrationStatus::pending, "pending"},         {MigrationStatus::applied, "applied"},
    {MigrationStatus::failed, "failed"},           {MigrationStatus::rolled_back, "rolled_back"},
    {MigrationStatus::restored, "restored"},       {MigrationStatus::skipped, "skipped"},
    {MigrationStatus::would_apply, "would_apply"},
};

template <typename E, size_t N>
std::string name_of(const std::pair<E, const char*> (&names)[N], E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return "?";
}

template <typename E, size_t N>
E value_of(const std::pair<E, const char*> (&names)[N], const std::string& text, const char* what) {
  for (const auto& [v, name] : names) {
    if (text == name) return v;
  }
  throw usage_error(std::string("unknown ") + what + " \"" + text + "\"");
}

}  // namespace

std::string to_string(RunStatus status) { return name_of(run_names, status); }
std::string to_string(Mode mode) { return name_of(mode_names, mode); }
std::string to_string(StepStatus status) { return name_of(step_names, status); }
std::string to_string(MigrationStatus status) { return name_of(migration_names, status); }

RunStatus parse_run_status(const std::string& text) { return value_of(run_names, text, "run status"); }
Mode parse_mode(const std::string& text) { return value_of(mode_names, text, "mode"); }
StepStatus parse_step_status(const std::string& text) { return value_of(step_names, text, "step status"); }
MigrationStatus parse_migration_status(const std::string& text) {
  return value_of(migration_names, text, "migration status");
}

}  // namespace migsafe::report
