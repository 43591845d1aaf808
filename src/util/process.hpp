// The one way migsafe starts another program: an argv vector (never a shell), stdin from /dev/null
// or a producer, stdout streamed to a callback, stderr kept for the error message.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace migsafe::util {

// Receives a chunk of a child's stdout; throwing stops the child and propagates.
using OutputSink = std::function<void(std::string_view chunk)>;
// Fills `buffer` with up to `capacity` bytes for a child's stdin; returns 0 at the end.
using InputSource = std::function<size_t(char* buffer, size_t capacity)>;

// A program to run and how to wire it.
struct Command {
  std::vector<std::string> argv;                            // argv[0] is looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;     // variables set or replaced
  std::vector<std::string> unset_env;                       // variables removed
  std::string run_as;    // user to switch to (only when running as root); empty: stay
  std::string cwd;       // working directory; empty: inherit
  InputSource stdin_source;  // null: stdin is /dev/null (or the previous stage of a pipeline)
  OutputSink on_stdout;      // null: stdout is captured into ProcessResult::stdout_text
  bool stderr_to_stdout = false;  // the child's stderr goes where its stdout goes (one ordered stream)
  std::chrono::milliseconds timeout{0};  // > 0: the stages' process groups are killed when exceeded
                                         // (pipelines: the first stage's timeout counts)
};

// How a child ended.
struct ProcessResult {
  int exit_code = -1;       // exit status, or -1 when killed by a signal
  int term_signal = 0;      // the signal that killed it, or 0
  bool timed_out = false;   // killed because Command::timeout was exceeded
  std::string stdout_text;  // captured stdout when the command had no on_stdout sink
  std::string stderr_text;  // everything it wrote to stderr
  // True when it exited with status 0.
  bool ok() const { return exit_code == 0; }
  // "exit status 2" / "killed by signal 9 (Killed)" / "timed out (killed by signal 9 (Killed))".
  std::string describe() const;
};

// Runs `command` to completion.
ProcessResult run_process(const Command& command);

// Runs `stages` connected stdout-to-stdin (like `a | b`), all to completion; one result per stage.
// Only the first stage's stdin_source and the last stage's on_stdout are used.
std::vector<ProcessResult> run_pipeline(const std::vector<Command>& stages);

// The full path of `program` found in PATH (or as given if it has a '/'), if it is executable.
std::optional<std::string> find_program(const std::string& program);

}  // namespace migsafe::util
