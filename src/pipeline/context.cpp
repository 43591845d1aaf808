#include "pipeline/context.hpp"

namespace migsafe::pipeline {

long long elapsed_ms(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

StepTimer::StepTimer(Context& context, std::string name)
    : context_(context), name_(std::move(name)), start_(std::chrono::steady_clock::now()) {
  try {
    context_.fault_point(name_);
  } catch (...) {
    finish(report::StepStatus::failed, "test fault");
    throw;
  }
}

StepTimer::~StepTimer() {
  if (!done_) finish(report::StepStatus::failed, "");
}

void StepTimer::ok(const std::string& detail) { finish(report::StepStatus::ok, detail); }
void StepTimer::skipped(const std::string& reason) { finish(report::StepStatus::skipped, reason); }
void StepTimer::failed(const std::string& reason) { finish(report::StepStatus::failed, reason); }

void StepTimer::finish(report::StepStatus status, const std::string& detail) {
  done_ = true;
  report::Step step{name_, status, elapsed_ms(start_), detail};
  context_.report.steps.push_back(step);
  if (context_.observer.on_step) context_.observer.on_step(step);
}

}  // namespace migsafe::pipeline
