// What the steps of a command share: the pipeline, the target, the sessions, the report being built.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/migration_files.hpp"
#include "config/pipeline.hpp"
#include "impact/lock_watch.hpp"
#include "impact/recorder.hpp"
#include "pg/conninfo.hpp"
#include "pg/fingerprint.hpp"
#include "pg/history.hpp"
#include "pg/outside.hpp"
#include "pg/session.hpp"
#include "pipeline/migration_state.hpp"
#include "pipeline/test_fault.hpp"
#include "report/report.hpp"

namespace migsafe::pipeline {

// Options of `run` beyond the pipeline file.
struct RunOptions {
  bool dry_run = false;        // roll everything back at the end, even on success
  bool no_backup = false;      // dry runs only: skip the backup (reported as skipped)
  bool allow_changed = false;  // run although applied migrations were edited
  bool resume = false;
  bool progress = false;       // draw progress lines on the terminal (stderr is a TTY, not --quiet)         // go on although an interrupted run left the database partly migrated
  std::string to_version;      // apply pending migrations up to this version only
  std::string report_file;     // --report, for hooks (MIGSAFE_REPORT); may be empty
  bool throwaway_target = false;  // --ephemeral: seeds are loaded before the tests
  TestFault test_fault;        // --test-fault (tests only): fail at one named point
};

// Receives progress as it happens, for the terminal; the report holds the same facts.
struct Observer {
  std::function<void(const report::Step&)> on_step;    // a step finished
  std::function<void(const std::string&)> on_note;     // a line worth showing now
};

// The state of one command as its steps go.
struct Context {
  Context(const config::Pipeline& pipeline_in, pg::ConnInfo target_in)
      : pipeline(pipeline_in), target(std::move(target_in)) {}

  const config::Pipeline& pipeline;
  pg::ConnInfo target;
  RunOptions options;
  Observer observer;
  report::Report report;

  std::vector<config::MigrationFile> files;
  std::unique_ptr<pg::Session> control;  // lock, history, run records; never in a long transaction
  std::unique_ptr<pg::Session> work;     // the migrations' session
  pg::History history;
  MigrationState state;
  pg::Fingerprint before;                          // the pre-run snapshot
  pg::OutsideSnapshot outside_before;              // ... of what lies outside the owned schemas (runs)
  std::map<std::string, long long> rows_before;    // per-table row counts before
  std::string backup_file;                         // data file of this run's backup, if any
  std::string backup_compression;
  std::vector<std::string> applied_this_run;       // versions committed by this run
  std::vector<pg::InterruptedRun> interrupted;     // runs a dead migsafe left "running"
  std::map<std::string, int> resume_after;         // --resume: version -> statements a dead run committed
  impact::Recorder impact;                         // measures each migration statement's locks
  std::unique_ptr<impact::LockWatch> lock_watch;   // who blocks a waiting migration statement
  bool ledger_started = false;                     // this run's migsafe.runs row exists

  // The test-only fault hook: fails here when --test-fault names `point`.
  void fault_point(const std::string& point) const { pipeline::fault_point(options.test_fault, point); }

  // Shows `line` now (stderr, unless quiet).
  void note(const std::string& line) const {
    if (observer.on_note) observer.on_note(line);
  }
};

// Times one step and records it in the report; a step not marked ok() by its end counts as failed.
// Each step is a point of the test-only fault hook (Context::fault_point) under its name.
class StepTimer {
 public:
  StepTimer(Context& context, std::string name);
  ~StepTimer();
  // Marks the step done with a one-line `detail`.
  void ok(const std::string& detail = "");
  // Marks the step skipped with a reason.
  void skipped(const std::string& reason);
  // Marks the step failed with a one-line reason.
  void failed(const std::string& reason);

 private:
  void finish(report::StepStatus status, const std::string& detail);
  Context& context_;
  std::string name_;
  std::chrono::steady_clock::time_point start_;
  bool done_ = false;
};

// Milliseconds since `start`.
long long elapsed_ms(std::chrono::steady_clock::time_point start);

}  // namespace migsafe::pipeline
