// The backup encryption key: read from the environment variable or file the pipeline names, never
// from argv, and known elsewhere only by its id (a fingerprint of the key, not the key).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/pipeline.hpp"

namespace migsafe::backup {

// A 32-byte AES-256 key and its id.
struct EncryptionKey {
  std::string bytes;  // 32 raw bytes
  std::string id;     // first 16 hex digits of sha256(bytes)
};

// Parses a key written as 64 hex digits or base64 of 32 bytes (surrounding whitespace ignored);
// `origin` names where it came from. Throws Error(Exit::usage) saying what is wrong, without the
// key.
EncryptionKey parse_key(const std::string& text, const std::string& origin);

// The key `backup` names (`encryption_key_env` or `encryption_key_file`), or nullopt when it names
// none. A named but unset variable, unreadable file or malformed key is Error(Exit::usage).
std::optional<EncryptionKey> load_key(const config::Backup& backup);

// The manifest's `encryption` object for data encrypted with `key`.
nlohmann::json encryption_json(const EncryptionKey& key);

// The key a backup with manifest `encryption` (null: not encrypted) needs, checked against `key`:
// returns "" for an unencrypted backup, else the key bytes. Throws Error(Exit::refused) when the
// backup is encrypted and no key or a key with another id is given; `backup_id` names it.
std::string key_for(const nlohmann::json& encryption, const std::optional<EncryptionKey>& key,
                    const std::string& backup_id);

}  // namespace migsafe::backup
