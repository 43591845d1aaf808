// Starting Swift costs ~20 s of Python imports on this machine, so it is started once, lazily,
// only when a [s3] test runs.
#include "s3_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#include "util/temp_dir.hpp"

namespace migsafe::test {
namespace {

bool port_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

int free_port_block() {
  std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> pick(20000, 40000);
  for (int i = 0; i < 200; ++i) {
    int port = pick(random) & ~3;
    if (port_free(port) && port_free(port + 1) && port_free(port + 2) && port_free(port + 3))
      return port;
  }
  throw std::runtime_error("no four free loopback ports for the S3 server");
}

std::string script() { return std::string(MIGSAFE_SOURCE_DIR) + "/scripts/s3_server.sh"; }

struct Running {
  util::TempDir dir{"migsafe-s3-"};
  S3Server server;
  int port = 0;
  ~Running() {
    util::Command stop;
    stop.argv = {script(), "stop", dir.path().string()};
    try {
      util::run_process(stop);
    } catch (...) {
    }
  }
};

std::unique_ptr<Running>& running() {
  static std::unique_ptr<Running> instance;
  return instance;
}

void start(Running& r) {
  util::Command start;
  start.argv = {script(), "start", r.dir.path().string(), std::to_string(r.port)};
  auto result = util::run_process(start);
  if (!result.ok())
    throw std::runtime_error("cannot start the S3 server (Swift): " + result.stderr_text);
}

}  // namespace

const S3Server& s3_server() {
  if (!running()) {
    auto r = std::make_unique<Running>();
    r->port = free_port_block();
    r->server.endpoint = "http://127.0.0.1:" + std::to_string(r->port);
    r->server.dir = r->dir.path().string();
    start(*r);
    running() = std::move(r);
  }
  return running()->server;
}

void stop_s3_server() {
  s3_server();
  util::Command stop;
  stop.argv = {script(), "stop", running()->dir.path().string()};
  util::run_process(stop);
}

void start_s3_server_again() { start(*running()); }

std::map<std::string, std::string> s3_env() {
  const S3Server& s = s3_server();
  return {{"AWS_ACCESS_KEY_ID", s.access_key}, {"AWS_SECRET_ACCESS_KEY", s.secret_key}};
}

util::ProcessResult rclone(const std::vector<std::string>& args) {
  const S3Server& s = s3_server();
  util::Command c;
  c.argv = {"rclone", "--config", "/dev/null", "-q"};
  c.argv.insert(c.argv.end(), args.begin(), args.end());
  c.env = {{"RCLONE_CONFIG_S3_TYPE", "s3"},
           {"RCLONE_CONFIG_S3_PROVIDER", "Other"},
           {"RCLONE_CONFIG_S3_ACCESS_KEY_ID", s.access_key},
           {"RCLONE_CONFIG_S3_SECRET_ACCESS_KEY", s.secret_key},
           {"RCLONE_CONFIG_S3_ENDPOINT", s.endpoint},
           {"RCLONE_CONFIG_S3_REGION", s.region},
           {"RCLONE_CONFIG_S3_FORCE_PATH_STYLE", "true"}};
  c.unset_env = {"AWS_CA_BUNDLE"};  // rclone refuses a CA bundle on its plain-HTTP transport
  return util::run_process(c);
}

void make_bucket(const std::string& name) {
  auto r = rclone({"mkdir", "s3:" + name});
  if (!r.ok()) throw std::runtime_error("rclone mkdir " + name + ": " + r.stderr_text);
}

std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix) {
  auto r = rclone({"lsf", "-R", "--files-only", "s3:" + bucket + "/" + prefix});
  if (!r.ok()) throw std::runtime_error("rclone lsf " + bucket + ": " + r.stderr_text);
  std::vector<std::string> out;
  std::istringstream lines(r.stdout_text);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) out.push_back(line);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace migsafe::test
