#include "pipeline/drift.hpp"

#include "core/error.hpp"
#include "util/strings.hpp"

namespace migsafe::pipeline {

DriftCheck check_drift(pg::Session& session, const std::vector<std::string>& schemas) {
  DriftCheck check;
  check.live_schemas = schemas;
  check.baseline = pg::latest_baseline(session);
  std::vector<pg::SchemaFact> live = pg::snapshot_objects(session, schemas);
  check.live_fingerprint = pg::hash_facts(live);
  if (check.baseline) check.changes = pg::diff_objects(check.baseline->objects, live);
  return check;
}

std::vector<std::string> drift_lines(const DriftCheck& check) {
  std::vector<std::string> lines;
  if (!check.baseline) {
    lines.push_back("no schema snapshot is stored yet: drift is known after the first successful run "
                    "(or `migsafe drift PIPELINE --accept`)");
    return lines;
  }
  if (check.baseline->schemas != check.live_schemas) {
    lines.push_back("the stored snapshot covers schemas " + util::join(check.baseline->schemas) +
                    ", the pipeline owns " + util::join(check.live_schemas));
  }
  for (const auto& change : check.changes) lines.push_back(pg::describe(change));
  return lines;
}

nlohmann::json drift_json(const DriftCheck& check) {
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& change : check.changes) changes.push_back(pg::to_json(change));
  nlohmann::json baseline = nullptr;
  if (check.baseline) {
    const auto& b = *check.baseline;
    baseline = {{"id", b.id}, {"taken_at", b.taken_at}, {"source", b.source}, {"run_id", b.run_id},
                {"backup_id", b.backup_id}, {"schemas", b.schemas}, {"fingerprint", b.fingerprint}};
  }
  return {{"baseline", baseline}, {"fingerprint", check.live_fingerprint}, {"schemas", check.live_schemas},
          {"drifted", !check.changes.empty()}, {"changes", changes}};
}

namespace {

std::string baseline_text(const pg::StoredSnapshot& b) {
  std::string of = b.source == pg::kSnapshotOfRun ? "run " + b.run_id
                   : b.source == pg::kSnapshotOfRestore ? "the restore of backup " + b.backup_id
                                                        : std::string("the accepted snapshot");
  return of + " (" + b.taken_at + ")";
}

DriftCheck drift_step(Context& context) {
  StepTimer step(context, "drift");
  DriftCheck check = check_drift(*context.control, context.pipeline.database.schemas);
  context.report.drift = drift_json(check);
  if (!check.baseline) step.skipped("no schema snapshot stored yet");
  else if (check.changes.empty()) step.ok("none since " + baseline_text(*check.baseline));
  else step.ok(std::to_string(check.changes.size()) + " object(s) changed since " + baseline_text(*check.baseline));
  return check;
}

}  // namespace

void check_drift_before_run(Context& context) {
  DriftCheck check = drift_step(context);
  if (!check.baseline || check.changes.empty()) return;
  std::vector<std::string> lines = drift_lines(check);
  if (context.pipeline.database.on_drift == config::OnDrift::refuse) {
    std::string text;
    for (const auto& line : lines) text += "\n  " + line;
    throw Error(Exit::refused, "the live schema drifted from " + baseline_text(*check.baseline) +
                                   " (on_drift = \"refuse\"); nothing was changed:" + text +
                                   "\n(undo these changes, or accept them with `migsafe drift " +
                                   context.pipeline.file.string() + " --accept`)");
  }
  for (const auto& line : lines) context.report.warnings.push_back("drift: " + line);
}

void note_drift(Context& context) {
  DriftCheck check = drift_step(context);
  if (!check.baseline) return;
  for (const auto& line : drift_lines(check)) context.report.warnings.push_back("drift: " + line);
}

}  // namespace migsafe::pipeline
