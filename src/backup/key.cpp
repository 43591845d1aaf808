#include "backup/key.hpp"

#include <openssl/evp.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "util/aes_gcm_stream.hpp"
#include "util/sha256.hpp"

namespace migsafe::backup {
namespace {

std::string trimmed(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

std::optional<std::string> from_hex(const std::string& text) {
  if (text.size() != 64 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2)
    out += char(std::strtol(text.substr(i, 2).c_str(), nullptr, 16));
  return out;
}

std::optional<std::string> from_base64(const std::string& text) {
  if (text.size() != 44 || text.compare(42, 2, "==") == 0 || text.back() != '=')
    return std::nullopt;
  unsigned char out[33];
  int n =
      EVP_DecodeBlock(out, reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
  if (n != 33)
    return std::nullopt;  // 44 characters with one '=' decode to 32 bytes plus one pad byte
  return std::string(reinterpret_cast<char*>(out), 32);
}

}  // namespace

EncryptionKey parse_key(const std::string& text, const std::string& origin) {
  std::string t = trimmed(text);
  std::optional<std::string> bytes = from_hex(t);
  if (!bytes) bytes = from_base64(t);
  if (!bytes) {
    throw usage_error(
        origin +
        ": not a backup encryption key: expected 32 bytes written as 64 hex digits or "
        "base64 (e.g. from `openssl rand -hex 32`)");
  }
  return EncryptionKey{*bytes, util::sha256_hex(*bytes).substr(0, 16)};
}

std::optional<EncryptionKey> load_key(const config::Backup& backup) {
  if (backup.encryption_key_env) {
    const char* value = std::getenv(backup.encryption_key_env->c_str());
    if (value == nullptr || *value == '\0') {
      throw usage_error("backup.encryption_key_env names " + *backup.encryption_key_env +
                        ", which is not set: backups are to be encrypted, and there is no key");
    }
    return parse_key(value, "environment variable " + *backup.encryption_key_env);
  }
  if (!backup.encryption_key_file) return std::nullopt;
  std::ifstream in(*backup.encryption_key_file, std::ios::binary);
  if (!in)
    throw usage_error("cannot read the backup key file " + backup.encryption_key_file->string());
  std::stringstream text;
  text << in.rdbuf();
  return parse_key(text.str(), "key file " + backup.encryption_key_file->string());
}

nlohmann::json encryption_json(const EncryptionKey& key) {
  return {{"algorithm", "aes-256-gcm"},
          {"format", "migsafe-aesgcm-v1"},
          {"chunk_size", util::kAesGcmDefaultChunk},
          {"key_id", key.id}};
}

std::string key_for(const nlohmann::json& encryption, const std::optional<EncryptionKey>& key,
                    const std::string& backup_id) {
  if (encryption.is_null()) return "";
  std::string wanted = encryption.is_object() ? encryption.value("key_id", "") : "";
  if (!key) {
    throw Error(Exit::refused, "backup " + backup_id + " is encrypted (key id " + wanted +
                                   ") and the pipeline names no key (backup.encryption_key_env or "
                                   "backup.encryption_key_file)");
  }
  if (wanted != key->id) {
    throw Error(Exit::refused, "wrong key for backup " + backup_id +
                                   ": it was encrypted with key id " + wanted +
                                   ", the key given has id " + key->id);
  }
  return key->bytes;
}

}  // namespace migsafe::backup
