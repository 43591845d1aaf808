// Credentials are read at the last moment and kept in memory only; errors name the variable.
#include "remote/credentials.hpp"

#include <cstdlib>

#include "core/error.hpp"

namespace migsafe::remote {
namespace {

std::string variable(const std::string& name, bool required) {
  const char* value = std::getenv(name.c_str());
  if ((value == nullptr || *value == '\0') && required) {
    throw usage_error("backup.remote: the environment variable " + name +
                      " is not set; it must hold the S3 " +
                      (name.find("SECRET") != std::string::npos ? "secret access key"
                                                                  : "credential") +
                      " (name another variable with backup.remote's *_env keys)");
  }
  return value ? value : "";
}

}  // namespace

Credentials load_credentials(const CredentialVariables& v) {
  Credentials out;
  out.access_key_id = variable(v.access_key_id, true);
  out.secret_access_key = variable(v.secret_access_key, true);
  out.session_token = variable(v.session_token, false);
  return out;
}

}  // namespace migsafe::remote
