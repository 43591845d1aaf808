// A real S3 service for the remote-backup tests: OpenStack Swift with its s3api middleware
// (scripts/s3_server.sh) on 127.0.0.1, started on first use and stopped when the tests end. It
// checks SigV4 signatures and supports multipart uploads, as AWS does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "util/process.hpp"

namespace migsafe::test {

// The running service.
struct S3Server {
  std::string endpoint;                  // "http://127.0.0.1:<port>"
  std::string region = "us-east-1";      // the signing region it expects
  std::string access_key = "test:tester";  // tempauth's account:user
  std::string secret_key = "testing";    // its key
  std::string dir;                       // the servers' files (rings, data, logs)
};

// The service, started on the first call (throws with its log when it cannot start).
const S3Server& s3_server();
// Stops every Swift server (the data stays), for "the server went away" tests.
void stop_s3_server();
// Starts the stopped servers again on the same ports and data.
void start_s3_server_again();

// The environment a migsafe run needs for the service's credentials.
std::map<std::string, std::string> s3_env();

// Runs `rclone` (an independent S3 client) against the service with `args` (remote "s3:"), e.g.
// {"lsf", "s3:bucket/prefix"}; returns its result.
util::ProcessResult rclone(const std::vector<std::string>& args);

// Creates bucket `name` with rclone (an existing one is fine); throws on failure.
void make_bucket(const std::string& name);

// The keys under `bucket/prefix` as rclone lists them (recursive, relative to the prefix), sorted.
std::vector<std::string> list_keys(const std::string& bucket, const std::string& prefix = "");

}  // namespace migsafe::test
