#include "pg/conninfo.hpp"

#include <libpq-fe.h>

#include "core/error.hpp"

namespace migsafe::pg {

std::string quote_conninfo_value(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

ConnInfo ConnInfo::parse(const std::string& text) {
  ConnInfo info;
  if (text.empty()) return info;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(text.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error ? error : "out of memory";
    PQfreemem(error);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    // libpq's message may quote the string; never echo a password.
    throw usage_error("invalid database connection string: " + reason);
  }
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string keyword = o->keyword;
    if (keyword == "password") info.password_ = o->val;
    else info.values_[keyword] = o->val;
  }
  PQconninfoFree(options);
  return info;
}

std::string ConnInfo::without_password() const {
  std::string out;
  for (const auto& [keyword, value] : values_) {
    if (!out.empty()) out += ' ';
    out += keyword + "=" + quote_conninfo_value(value);
  }
  return out;
}

std::string ConnInfo::with_password() const {
  std::string out = without_password();
  if (!password_.empty()) out += (out.empty() ? "" : " ") + std::string("password=") + quote_conninfo_value(password_);
  return out;
}

std::string ConnInfo::get(const std::string& keyword) const {
  auto it = values_.find(keyword);
  return it == values_.end() ? std::string() : it->second;
}

ConnInfo ConnInfo::with(const std::string& keyword, const std::string& value) const {
  ConnInfo copy = *this;
  copy.values_[keyword] = value;
  return copy;
}

std::vector<std::pair<std::string, std::string>> ConnInfo::child_environment() const {
  if (password_.empty()) return {};
  return {{"PGPASSWORD", password_}};
}

std::string redact_password(const std::string& text, const std::string& password) {
  if (password.empty()) return text;
  std::string out = text;
  for (size_t at = out.find(password); at != std::string::npos; at = out.find(password, at)) {
    out.replace(at, password.size(), "********");
    at += 8;
  }
  return out;
}

}  // namespace migsafe::pg
