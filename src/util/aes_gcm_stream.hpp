// Streaming AES-256-GCM in independently authenticated chunks, so memory stays flat whatever the
// size and a flipped byte, a missing tail or chunks put in another order are all detected.
//
// File format (all integers big-endian; docs/backups.md has a decryption recipe):
//   header  = "MIGSAFE" 0x01 (8 bytes) | chunk_size (uint32) | nonce_prefix (7 random bytes)
//   chunk i = AES-256-GCM(key, nonce = nonce_prefix | i (uint32) | final (1 byte: 1 on the last
//             chunk, else 0), aad = header) -> ciphertext | 16-byte tag
// Every chunk but the last holds exactly chunk_size plaintext bytes; the last holds 0..chunk_size.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "util/process.hpp"

namespace migsafe::util {

// Plaintext bytes per chunk when none is asked for (1 MiB).
constexpr size_t kAesGcmDefaultChunk = size_t(1) << 20;
// Bytes of the header in front of the first chunk.
constexpr size_t kAesGcmHeaderSize = 19;
// Bytes of the tag after each chunk's ciphertext.
constexpr size_t kAesGcmTagSize = 16;

// Encrypts bytes written in any number of pieces into the format above, passed to a sink.
class AesGcmEncryptor {
 public:
  // `key` must be 32 bytes. Throws std::invalid_argument otherwise, std::runtime_error if OpenSSL
  // fails. Writes the header to `out` on the first write() or finish().
  AesGcmEncryptor(std::string_view key, OutputSink out, size_t chunk_size = kAesGcmDefaultChunk);
  ~AesGcmEncryptor();
  AesGcmEncryptor(const AesGcmEncryptor&) = delete;
  AesGcmEncryptor& operator=(const AesGcmEncryptor&) = delete;

  // Encrypts `bytes`; whole chunks reach the sink as they fill.
  void write(std::string_view bytes);
  // Writes the final chunk; nothing may follow.
  void finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A source producing the plaintext of the encrypted stream `encrypted` produces. Reading throws
// std::runtime_error naming the chunk when one fails authentication (wrong key, altered, reordered
// or truncated data) or the header is not migsafe's; no byte of a chunk is handed out before its
// tag was checked.
InputSource aes_gcm_decrypting_source(InputSource encrypted, std::string_view key);

}  // namespace migsafe::util
