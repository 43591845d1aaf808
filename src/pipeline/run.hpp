// `migsafe run`: the engine, as the list of its steps.
#pragma once

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// Runs the whole pipeline against context.target and fills context.report (status, exit code).
// Errors before the run lock (load, connect, lock) propagate (nothing changed); every way out
// after it (a failure, any exception, a signal) is settled and reported, not thrown.
void run(Context& context);

// Reads the migration files and the database history (no lock, no changes): for plan and status.
void inspect(Context& context);

// A new run id: UTC time and random hex, e.g. "20240501T120000Z-3fa2c1".
std::string new_run_id();

}  // namespace migsafe::pipeline
