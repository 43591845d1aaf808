// Drift: the live owned schemas compared, object by object, with the newest stored baseline
// (pg/schema_snapshots.hpp) — for `migsafe drift`, for `run` before it changes anything
// (`[database] on_drift`), and for `status` and `plan`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg/object_diff.hpp"
#include "pg/schema_snapshots.hpp"
#include "pipeline/context.hpp"

namespace migsafe::pipeline {

struct DriftCheck {
  std::optional<pg::StoredSnapshot> baseline;  // none: nothing stored yet
  std::vector<pg::ObjectChange> changes;       // live vs baseline
  std::string live_fingerprint;
  std::vector<std::string> live_schemas;
};

// Compares the live `schemas` with the newest baseline.
DriftCheck check_drift(pg::Session& session, const std::vector<std::string>& schemas);

// One line per change (pg::describe), or a line saying there is no baseline.
std::vector<std::string> drift_lines(const DriftCheck& check);

// The report's `drift` object: {baseline: {id, taken_at, source, run_id, backup_id, fingerprint} or
// null, fingerprint (live), changes: [...]}.
nlohmann::json drift_json(const DriftCheck& check);

// `run`, before its first change: records the drift in the report; with on_drift = "refuse" and
// drift found, throws Error(Exit::refused) listing it. No baseline: a note, no refusal.
void check_drift_before_run(Context& context);

// `status` and `plan`: records the drift in the report and its lines as warnings.
void note_drift(Context& context);

}  // namespace migsafe::pipeline
