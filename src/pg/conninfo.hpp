// A libpq connection target (URL or keyword string), parsed so the password can be kept apart:
// it never goes into argv, logs or reports, only into a child's environment.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace migsafe::pg {

// A parsed connection string.
class ConnInfo {
 public:
  // Parses a URL (`postgresql://...`) or keyword string (`host=... dbname=...`); empty means
  // "libpq's defaults" (PG* variables, passfile). Throws a usage error naming the cause.
  static ConnInfo parse(const std::string& text);

  // Keyword string without the password, for libpq and for child processes' --dbname.
  std::string without_password() const;
  // The full keyword string including the password; only for opening a connection.
  std::string with_password() const;
  // The password given in the string, or empty.
  const std::string& password() const { return password_; }
  // A value given in the string (e.g. "host", "port", "dbname"), or empty.
  std::string get(const std::string& keyword) const;
  // Returns a copy with `keyword` set to `value`.
  ConnInfo with(const std::string& keyword, const std::string& value) const;
  // Environment variables a child process needs beside --dbname (PGPASSWORD when a password was given).
  std::vector<std::pair<std::string, std::string>> child_environment() const;

 private:
  std::map<std::string, std::string> values_;  // without the password
  std::string password_;
};

// Removes the password from a URL or keyword string, and from any text that quotes one.
// Used on everything a user might see: messages, reports, manifests.
std::string redact_password(const std::string& text, const std::string& password);

// Quotes `value` for a libpq keyword string.
std::string quote_conninfo_value(const std::string& value);

}  // namespace migsafe::pg
