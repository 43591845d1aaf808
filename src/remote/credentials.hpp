// Where S3 credentials come from: environment variables (the standard AWS_* ones unless the
// pipeline names others), never the pipeline file or argv.
#pragma once

#include <string>

#include "remote/sigv4.hpp"

namespace migsafe::remote {

// The names of the variables that hold the credentials.
struct CredentialVariables {
  std::string access_key_id = "AWS_ACCESS_KEY_ID";          // required
  std::string secret_access_key = "AWS_SECRET_ACCESS_KEY";  // required
  std::string session_token = "AWS_SESSION_TOKEN";          // optional
};

// Reads the credentials from the environment. A required variable that is unset or empty is
// Error(Exit::usage) naming the variable (never its value).
Credentials load_credentials(const CredentialVariables& variables);

}  // namespace migsafe::remote
