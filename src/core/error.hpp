// The one error family: every exception migsafe throws derives from `Error`, which carries the
// contract's exit code. Code at the edges (libpq, nlohmann_json, the filesystem) converts what it
// catches; `as_error` is the last safety net for anything that still escapes.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include "util/interrupt.hpp"

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

// SIGINT or SIGTERM arrived; raised at step boundaries so the run unwinds and settles (exit 130).
class Interrupted : public Error {
 public:
  explicit Interrupted(int signal_number)
      : Error(Exit::interrupted, "interrupted by signal " + std::to_string(signal_number)),
        signal_number_(signal_number) {}
  // SIGINT or SIGTERM.
  int signal_number() const { return signal_number_; }

 private:
  int signal_number_;
};

// Shorthand for the most common case: bad input (exit 2).
inline Error usage_error(const std::string& message) { return Error(Exit::usage, message); }

// Throws `Interrupted` when a signal has arrived; call at step boundaries.
inline void throw_if_interrupted() {
  if (int signal_number = util::interrupted_by()) throw Interrupted(signal_number);
}

// `thrown` as an Error: itself when it is one, else an Error with `fallback` naming what it was
// ("unexpected failure: ..."), so no exception leaves a command without its exit code.
inline Error as_error(const std::exception_ptr& thrown, Exit fallback) {
  try {
    std::rethrow_exception(thrown);
  } catch (const Error& e) {
    return e;
  } catch (const util::Interrupted& i) {
    return Interrupted(i.signal_number);
  } catch (const std::exception& e) {
    return Error(fallback, std::string("unexpected failure: ") + e.what());
  } catch (...) {
    return Error(fallback, "unexpected failure (not a std::exception)");
  }
}

}  // namespace migsafe
