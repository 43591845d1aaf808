// The one error type that ends a command, and the contract's exit codes it carries.
#pragma once

#include <stdexcept>
#include <string>

namespace migsafe {

// Exit codes from shared/CONTRACT.md; the numbers are a promise to users' scripts.
enum class Exit : int {
  ok = 0,                 // succeeded, or nothing to do
  failed_restored = 1,    // failed, database returned to its pre-run state and verified
  usage = 2,              // bad usage or configuration; database not touched
  failed_unrestored = 3,  // failed and the pre-run state could not be restored or verified
  refused = 4,            // refused before changing anything
  interrupted = 130,      // SIGINT/SIGTERM
};

// An error that stops the current command. `what()` is the full user-facing message: it names
// the file, line, object and cause where they are known, and never contains a password.
class Error : public std::runtime_error {
 public:
  Error(Exit code, const std::string& message) : std::runtime_error(message), code_(code) {}
  // The exit code the top-level handler returns for this error.
  Exit code() const { return code_; }

 private:
  Exit code_;
};

// Shorthand for the most common case: bad input (exit 2).
inline Error usage_error(const std::string& message) { return Error(Exit::usage, message); }

}  // namespace migsafe
