// SIGINT/SIGTERM handling: record the signal, stop children, cancel the running query.
// Work in progress then fails with migsafe::Interrupted (core/error.hpp, raised at step boundaries)
// and unwinds, so RAII cleans up.
#pragma once

#include <sys/types.h>

namespace migsafe::util {

// Installs the SIGINT/SIGTERM handlers and ignores SIGPIPE and SIGXFSZ. Call once, early in main.
void install_interrupt_handlers();
// The signal received (SIGINT or SIGTERM), or 0.
int interrupted_by();
// Thrown by util code (a child process ended by the signal) when a signal cut its work short.
// util knows nothing of migsafe::Error: migsafe::as_error (core/error.hpp) converts it to
// migsafe::Interrupted at the edge, and the CLI maps both to exit 130.
struct Interrupted {
  int signal_number;  // SIGINT or SIGTERM
};

// Children registered here are sent SIGTERM (their whole process group) when a signal arrives.
void register_child(pid_t pid);
// Removes a child after it has been waited for.
void unregister_child(pid_t pid);

// A function the signal handler calls (async-signal-safe, e.g. libpq's PQcancel) to cancel the
// running query; `arg` is passed back. Pass nullptr to clear.
void set_cancel_hook(void (*hook)(void*), void* arg);

}  // namespace migsafe::util
