#include "util/interrupt.hpp"

#include <signal.h>

#include <atomic>

namespace migsafe::util {
namespace {

constexpr int kMaxChildren = 64;

volatile sig_atomic_t g_signal = 0;
std::atomic<pid_t> g_children[kMaxChildren];
std::atomic<void (*)(void*)> g_cancel_hook{nullptr};
std::atomic<void*> g_cancel_arg{nullptr};

void on_signal(int signal_number) {
  g_signal = signal_number;
  for (auto& child : g_children) {
    pid_t pid = child.load();
    if (pid > 0) kill(-pid, SIGTERM);
  }
  auto hook = g_cancel_hook.load();
  if (hook != nullptr) hook(g_cancel_arg.load());
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGXFSZ, SIG_IGN);  // past a file-size limit, write() fails with EFBIG: an error, not a kill
}

int interrupted_by() { return g_signal; }

void register_child(pid_t pid) {
  for (auto& child : g_children) {
    pid_t empty = 0;
    if (child.compare_exchange_strong(empty, pid)) return;
  }
}

void unregister_child(pid_t pid) {
  for (auto& child : g_children) {
    pid_t expected = pid;
    if (child.compare_exchange_strong(expected, 0)) return;
  }
}

void set_cancel_hook(void (*hook)(void*), void* arg) {
  g_cancel_arg.store(arg);
  g_cancel_hook.store(hook);
}

}  // namespace migsafe::util
