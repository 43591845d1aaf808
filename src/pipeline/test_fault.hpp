// Test-only fault injection: `migsafe run --test-fault WHERE[:HOW]` (hidden from --help) makes the
// run fail at one named point, so tests can prove that every way out settles the run (report,
// ledger row, on_failure, lock, exit code). Nothing happens without the flag.
#pragma once

#include <string>

namespace migsafe::pipeline {

// Where and how to fail, parsed from the flag's value.
struct TestFault {
  std::string where;  // a step name ("backup", "verify", "hook on_failure", ...), "commit" (atomic),
                      // "applied:<version>" (its statements ran, before it commits),
                      // "committed:<version>" (after its commit), or "statement:<version>:<n>"
                      // (before statement n of a file that commits statement by statement)
  std::string how;    // throw (a foreign std::runtime_error), error (migsafe::Error), query (a lost
                      // connection, pg::QueryError), term (SIGTERM to itself), kill (SIGKILL to itself)
  // True when the flag was given.
  bool armed() const { return !where.empty(); }
};

// Parses "WHERE[:HOW]" (HOW defaults to "throw"); throws a usage error on an unknown HOW.
TestFault parse_test_fault(const std::string& spec);

// Fails as `fault` says when `point` is its WHERE; otherwise does nothing.
void fault_point(const TestFault& fault, const std::string& point);

}  // namespace migsafe::pipeline
