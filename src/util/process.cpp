#include "util/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

#include "util/fd.hpp"
#include "util/interrupt.hpp"

extern char** environ;

namespace migsafe::util {
namespace {

constexpr size_t kChunk = 1 << 17;  // 128 KiB: large enough that pipes are not the bottleneck

struct Identity {
  uid_t uid;
  gid_t gid;
};

std::optional<Identity> lookup_identity(const std::string& user) {
  if (user.empty() || geteuid() != 0) return std::nullopt;
  struct passwd* pw = getpwnam(user.c_str());
  if (pw == nullptr) throw std::runtime_error("no such user to run as: " + user);
  return Identity{pw->pw_uid, pw->pw_gid};
}

// The child's environment: ours, minus unset_env, with env applied.
std::vector<std::string> build_environment(const Command& command) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& name : command.unset_env) vars.erase(name);
  for (const auto& [name, value] : command.env) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Everything a child needs, prepared before fork() so the child only makes system calls.
struct Prepared {
  std::vector<std::string> argv_storage, env_storage;
  std::vector<char*> argv, envp;
  std::optional<Identity> identity;
  std::string cwd;
  bool stderr_to_stdout = false;
  pid_t parent = 0;  // us, so the child can tell whether we died before it asked to die with us
};

Prepared prepare(const Command& command) {
  if (command.argv.empty()) throw std::runtime_error("empty command");
  Prepared p;
  p.parent = getpid();
  p.argv_storage = command.argv;
  auto resolved = find_program(command.argv[0]);
  if (!resolved) throw std::runtime_error(command.argv[0] + ": program not found");
  p.argv_storage[0] = *resolved;
  p.env_storage = build_environment(command);
  p.argv = pointers(p.argv_storage);
  p.envp = pointers(p.env_storage);
  p.identity = lookup_identity(command.run_as);
  p.cwd = command.cwd;
  p.stderr_to_stdout = command.stderr_to_stdout;
  return p;
}

[[noreturn]] void exec_child(const Prepared& p, int in, int out, int err) {
  setpgid(0, 0);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  dup2(in, 0);
  dup2(out, 1);
  dup2(p.stderr_to_stdout ? out : err, 2);
  if (!p.cwd.empty() && chdir(p.cwd.c_str()) != 0) _exit(127);
  if (p.identity) {
    if (setgroups(1, &p.identity->gid) != 0 || setgid(p.identity->gid) != 0 ||
        setuid(p.identity->uid) != 0) {
      _exit(127);
    }
  }
  // Children die with migsafe: after a kill -9, a psql fed by a restore must not reach EOF and
  // commit half a restore, nor a pg_dump run on for nobody. (Set after setuid, which clears it.)
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != p.parent) _exit(127);  // the parent died before prctl
  execve(p.argv[0], p.argv.data(), p.envp.data());
  const char msg[] = "exec failed\n";
  [[maybe_unused]] auto ignored = write(2, msg, sizeof msg - 1);
  _exit(127);
}

// One running stage and the pipes the parent holds for it.
struct Stage {
  pid_t pid = -1;
  Fd stderr_read;
  ProcessResult result;
  bool waited = false;
};

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

ProcessResult decode_status(int status) {
  ProcessResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  return r;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 0;
  }
  unregister_child(pid);
  return status;
}

using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;

// When a command's timeout runs out, if it has one.
Deadline deadline_of(const Command& command) {
  if (command.timeout.count() <= 0) return std::nullopt;
  return Clock::now() + command.timeout;
}

// Waits for `pid` until `deadline`, then kills its process group; returns its status and whether
// it had to be killed. A child can close its pipes and still run, so the pump's deadline is not enough.
std::pair<int, bool> wait_until(pid_t pid, const Deadline& deadline) {
  if (!deadline) return {wait_for(pid), false};
  while (Clock::now() < *deadline) {
    int status = 0;
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      unregister_child(pid);
      return {status, false};
    }
    if (done < 0 && errno != EINTR) return {wait_for(pid), false};
    usleep(10000);
  }
  kill(-pid, SIGKILL);
  return {wait_for(pid), true};
}

// Moves bytes between the parent and the children until every pipe is closed.
class Pump {
 public:
  Pump(const std::vector<Command>& stages, std::vector<Stage>& running, Fd stdin_write,
       Fd stdout_read, Deadline deadline)
      : stages_(stages), running_(running), in_(std::move(stdin_write)), out_(std::move(stdout_read)),
        deadline_(deadline) {}

  // Pumps until every pipe is closed; returns false when the deadline passed first (the
  // children's process groups have then been killed).
  bool run() {
    std::vector<char> buffer(kChunk);
    while (true) {
      std::vector<pollfd> fds;
      std::vector<int> roles;  // -2 stdin, -1 stdout, i>=0 stderr of stage i
      if (in_) add(fds, roles, in_.get(), POLLOUT, -2);
      if (out_) add(fds, roles, out_.get(), POLLIN, -1);
      for (size_t i = 0; i < running_.size(); ++i) {
        if (running_[i].stderr_read) add(fds, roles, running_[i].stderr_read.get(), POLLIN, int(i));
      }
      if (fds.empty()) return true;
      int wait_ms = poll_timeout_ms();
      if (wait_ms == 0) return expire();
      if (poll(fds.data(), fds.size(), wait_ms) < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      for (size_t k = 0; k < fds.size(); ++k) {
        if (fds[k].revents == 0) continue;
        if (roles[k] == -2) feed_stdin(buffer);
        else if (roles[k] == -1) drain_stdout(buffer);
        else drain_stderr(size_t(roles[k]), buffer);
      }
    }
  }

 private:
  // Milliseconds poll() may wait: -1 without a deadline, 0 once it has passed.
  int poll_timeout_ms() const {
    if (!deadline_) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now()).count();
    return left <= 0 ? 0 : int(std::min<long long>(left, 1 << 30));
  }

  // Kills every stage's process group and stops pumping: a grandchild that left the group could
  // otherwise hold a pipe open forever.
  bool expire() {
    for (auto& s : running_) {
      if (s.pid > 0) kill(-s.pid, SIGKILL);
      s.stderr_read.reset();
    }
    in_.reset();
    out_.reset();
    return false;
  }

  static void add(std::vector<pollfd>& fds, std::vector<int>& roles, int fd, short events, int role) {
    fds.push_back(pollfd{fd, events, 0});
    roles.push_back(role);
  }

  void feed_stdin(std::vector<char>& buffer) {
    if (pending_.empty()) {
      size_t n = stages_.front().stdin_source(buffer.data(), buffer.size());
      if (n == 0) {
        in_.reset();
        return;
      }
      pending_.assign(buffer.data(), n);
    }
    ssize_t n = write(in_.get(), pending_.data(), pending_.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      in_.reset();  // the child closed its stdin (EPIPE): it has read all it wants
      pending_.clear();
      return;
    }
    pending_.erase(0, size_t(n));
  }

  void drain_stdout(std::vector<char>& buffer) {
    ssize_t n = read(out_.get(), buffer.data(), buffer.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      out_.reset();
      return;
    }
    std::string_view chunk(buffer.data(), size_t(n));
    const auto& sink = stages_.back().on_stdout;
    if (sink) sink(chunk);
    else running_.back().result.stdout_text.append(chunk);
  }

  void drain_stderr(size_t i, std::vector<char>& buffer) {
    ssize_t n = read(running_[i].stderr_read.get(), buffer.data(), buffer.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      running_[i].stderr_read.reset();
      return;
    }
    running_[i].result.stderr_text.append(buffer.data(), size_t(n));
  }

  const std::vector<Command>& stages_;
  std::vector<Stage>& running_;
  Fd in_, out_;
  std::string pending_;
  Deadline deadline_;
};

void kill_all(std::vector<Stage>& running) {
  for (auto& s : running) {
    if (s.pid > 0 && !s.waited) {
      kill(-s.pid, SIGTERM);
      wait_for(s.pid);
      s.waited = true;
    }
  }
}

}  // namespace

std::string ProcessResult::describe() const {
  if (timed_out) return "timed out (killed by signal " + std::to_string(term_signal) + ")";
  if (term_signal != 0) {
    return "killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) + ")";
  }
  return "exit status " + std::to_string(exit_code);
}

std::optional<std::string> find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::vector<ProcessResult> run_pipeline(const std::vector<Command>& stages) {
  std::vector<Prepared> prepared;
  for (const auto& c : stages) prepared.push_back(prepare(c));

  Fd dev_null(open("/dev/null", O_RDWR | O_CLOEXEC));
  Fd stdin_write, next_stdin;
  if (stages.front().stdin_source) {
    auto [r, w] = make_pipe();
    next_stdin = std::move(r);
    stdin_write = std::move(w);
    set_nonblocking(stdin_write.get());
  }
  std::vector<Stage> running(stages.size());
  Fd stdout_read;
  bool timed_out = false;
  const Deadline deadline = deadline_of(stages.front());
  const bool signalled_before = interrupted_by() != 0;
  try {
    for (size_t i = 0; i < stages.size(); ++i) {
      auto [out_r, out_w] = make_pipe();
      auto [err_r, err_w] = make_pipe();
      int in = next_stdin ? next_stdin.get() : dev_null.get();
      pid_t pid = fork();
      if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
      if (pid == 0) exec_child(prepared[i], in, out_w.get(), err_w.get());
      setpgid(pid, pid);
      register_child(pid);
      running[i].pid = pid;
      running[i].stderr_read = std::move(err_r);
      next_stdin = std::move(out_r);  // the next stage reads this stage's stdout
    }
    stdout_read = std::move(next_stdin);
    set_nonblocking(stdout_read.get());
    for (auto& s : running) set_nonblocking(s.stderr_read.get());
    timed_out = !Pump(stages, running, std::move(stdin_write), std::move(stdout_read), deadline).run();
  } catch (...) {
    kill_all(running);
    throw;
  }
  std::vector<ProcessResult> results;
  for (auto& s : running) {
    auto [status, killed] = wait_until(s.pid, deadline);
    timed_out |= killed;
    ProcessResult r = decode_status(status);
    s.waited = true;
    r.stdout_text = std::move(s.result.stdout_text);
    r.stderr_text = std::move(s.result.stderr_text);
    r.timed_out = timed_out;
    results.push_back(std::move(r));
  }
  // A signal that arrived while the children ran also ended them (the handler stops every
  // registered child): their failure is the interruption, not a fault of theirs to report.
  const bool any_failed = std::any_of(results.begin(), results.end(), [](const ProcessResult& r) { return !r.ok(); });
  if (!signalled_before && interrupted_by() != 0 && any_failed) throw Interrupted{interrupted_by()};
  return results;
}

ProcessResult run_process(const Command& command) { return run_pipeline({command}).front(); }

}  // namespace migsafe::util
