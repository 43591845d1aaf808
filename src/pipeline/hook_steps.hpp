// The pipeline's [hooks] at their places in `run`: `before` once there is something to apply
// (a failure refuses the run, nothing changed), `on_success` / `on_failure` at the end.
#pragma once

#include "pipeline/context.hpp"

namespace migsafe::pipeline {

// Runs the `before` hook, if any; a failing one throws Error(Exit::refused).
void run_before_hook(Context& context);

// Runs `on_success` or `on_failure` for the run's outcome, if configured, after writing the
// report so far to options.report_file (MIGSAFE_REPORT). A failing one is a warning.
void run_after_hook(Context& context);

}  // namespace migsafe::pipeline
