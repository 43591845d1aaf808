// The fault hook behind `run --test-fault`: a test names a point, migsafe fails there.
#include "pipeline/test_fault.hpp"

#include <signal.h>

#include <stdexcept>

#include "core/error.hpp"
#include "pg/session.hpp"

namespace migsafe::pipeline {

TestFault parse_test_fault(const std::string& spec) {
  TestFault fault;
  if (spec.empty()) return fault;
  // "applied:<version>" carries a colon of its own: HOW is after the last colon, if it names one.
  const size_t colon = spec.rfind(':');
  const std::string tail = colon == std::string::npos ? "" : spec.substr(colon + 1);
  const bool has_how = tail == "throw" || tail == "error" || tail == "query" || tail == "term" || tail == "kill";
  fault.where = has_how ? spec.substr(0, colon) : spec;
  fault.how = has_how ? tail : "throw";
  if (fault.where.empty()) throw usage_error("--test-fault: no point named in \"" + spec + "\"");
  return fault;
}

void fault_point(const TestFault& fault, const std::string& point) {
  if (!fault.armed() || fault.where != point) return;
  const std::string what = "test fault at " + point;
  if (fault.how == "kill") raise(SIGKILL);
  if (fault.how == "term") {
    raise(SIGTERM);
    throw_if_interrupted();
  }
  if (fault.how == "error") throw Error(Exit::failed_unrestored, what);
  if (fault.how == "query") throw pg::QueryError(pg::SqlError{"08006", what + ": connection lost", "", "", "", 0});
  throw std::runtime_error(what);
}

}  // namespace migsafe::pipeline
