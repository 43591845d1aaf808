// AES-256-GCM chunks over OpenSSL's EVP interface. The chunk index and a final flag are part of
// each nonce, and the header is each chunk's associated data: a chunk decrypts only at its own
// place in its own file, and the last one only as the last.
#include "util/aes_gcm_stream.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>
#include <vector>

namespace migsafe::util {
namespace {

constexpr char kMagic[8] = {'M', 'I', 'G', 'S', 'A', 'F', 'E', 1};
constexpr size_t kPrefixSize = 7;
constexpr size_t kMaxChunk = size_t(64) << 20;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Ctx new_ctx() {
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("aes-256-gcm: out of memory");
  return ctx;
}

void check_key(std::string_view key) {
  if (key.size() != 32) throw std::invalid_argument("aes-256-gcm: the key must be 32 bytes");
}

void put_u32(unsigned char* at, uint32_t value) {
  for (int i = 0; i < 4; ++i) at[i] = static_cast<unsigned char>(value >> (24 - 8 * i));
}

uint32_t get_u32(const unsigned char* at) {
  return uint32_t(at[0]) << 24 | uint32_t(at[1]) << 16 | uint32_t(at[2]) << 8 | uint32_t(at[3]);
}

// The 12-byte nonce of chunk `index`.
void make_nonce(unsigned char* nonce, const std::string& header, uint32_t index, bool final) {
  std::memcpy(nonce, header.data() + 12, kPrefixSize);
  put_u32(nonce + kPrefixSize, index);
  nonce[11] = final ? 1 : 0;
}

// Sets up `ctx` for one chunk (encrypting or decrypting) and feeds the header as AAD.
void start_chunk(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view key, const std::string& header,
                 uint32_t index, bool final) {
  unsigned char nonce[12];
  make_nonce(nonce, header, index, final);
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  int len = 0;
  bool ok =
      EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k, nonce, encrypt ? 1 : 0) == 1 &&
      EVP_CipherUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(header.data()),
                       int(header.size())) == 1;
  if (!ok) throw std::runtime_error("aes-256-gcm: OpenSSL could not start a chunk");
}

}  // namespace

struct AesGcmEncryptor::State {
  std::string key, header;
  OutputSink out;
  size_t chunk_size;
  std::string plain, sealed;
  uint32_t index = 0;
  bool header_sent = false, finished = false;
  Ctx ctx = new_ctx();

  void send_header() {
    if (header_sent) return;
    out(header);
    header_sent = true;
  }

  void seal(std::string_view bytes, bool final) {
    if (!final && index == UINT32_MAX) throw std::runtime_error("aes-256-gcm: too many chunks");
    start_chunk(ctx.get(), true, key, header, index, final);
    sealed.resize(bytes.size() + kAesGcmTagSize);
    auto* o = reinterpret_cast<unsigned char*>(sealed.data());
    int len = 0, tail = 0;
    bool ok =
        EVP_EncryptUpdate(ctx.get(), o, &len, reinterpret_cast<const unsigned char*>(bytes.data()),
                          int(bytes.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), o + len, &tail) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kAesGcmTagSize),
                            o + bytes.size()) == 1;
    if (!ok) throw std::runtime_error("aes-256-gcm: OpenSSL failed to encrypt");
    out(sealed);
    ++index;
  }
};

AesGcmEncryptor::AesGcmEncryptor(std::string_view key, OutputSink out, size_t chunk_size)
    : state_(std::make_unique<State>()) {
  check_key(key);
  if (chunk_size == 0 || chunk_size > kMaxChunk)
    throw std::invalid_argument("aes-256-gcm: bad chunk size");
  state_->key.assign(key);
  state_->out = std::move(out);
  state_->chunk_size = chunk_size;
  state_->header.assign(kMagic, sizeof kMagic);
  unsigned char fields[4 + kPrefixSize];
  put_u32(fields, uint32_t(chunk_size));
  if (RAND_bytes(fields + 4, int(kPrefixSize)) != 1)
    throw std::runtime_error("aes-256-gcm: no random bytes");
  state_->header.append(reinterpret_cast<char*>(fields), sizeof fields);
  state_->plain.reserve(chunk_size);
}

AesGcmEncryptor::~AesGcmEncryptor() {
  if (state_) OPENSSL_cleanse(state_->key.data(), state_->key.size());
}

void AesGcmEncryptor::write(std::string_view bytes) {
  State& s = *state_;
  if (s.finished) throw std::logic_error("aes-256-gcm: write after finish");
  s.send_header();
  while (!bytes.empty()) {
    if (s.plain.size() == s.chunk_size) {  // more follows, so this one is not the last
      s.seal(s.plain, false);
      s.plain.clear();
    }
    size_t n = std::min(bytes.size(), s.chunk_size - s.plain.size());
    s.plain.append(bytes.data(), n);
    bytes.remove_prefix(n);
  }
}

void AesGcmEncryptor::finish() {
  State& s = *state_;
  if (s.finished) return;
  s.send_header();
  s.seal(s.plain, true);
  s.plain.clear();
  s.finished = true;
}

namespace {

// Pulls encrypted bytes, checks each chunk's tag, and hands out its plaintext.
struct DecryptingSource {
  InputSource encrypted;
  std::string key, header;
  size_t chunk_size = 0;
  std::vector<char> in;  // encrypted bytes not yet decrypted
  std::string plain;     // the current chunk's plaintext
  size_t plain_pos = 0;
  uint32_t index = 0;
  bool at_end = false, done = false;
  Ctx ctx = new_ctx();

  ~DecryptingSource() { OPENSSL_cleanse(key.data(), key.size()); }

  // Reads until `in` holds `n` bytes or the input ends.
  void fill(size_t n) {
    while (in.size() < n && !at_end) {
      size_t have = in.size();
      in.resize(n);
      size_t got = encrypted(in.data() + have, n - have);
      in.resize(have + got);
      if (got == 0) at_end = true;
    }
  }

  void read_header() {
    fill(kAesGcmHeaderSize);
    if (in.size() < kAesGcmHeaderSize || std::memcmp(in.data(), kMagic, sizeof kMagic) != 0)
      throw std::runtime_error(
          "not a migsafe AES-256-GCM file (no MIGSAFE header), or not encrypted");
    header.assign(in.data(), kAesGcmHeaderSize);
    chunk_size = get_u32(reinterpret_cast<const unsigned char*>(header.data()) + 8);
    if (chunk_size == 0 || chunk_size > kMaxChunk)
      throw std::runtime_error("encrypted file: bad chunk size in header");
    in.erase(in.begin(), in.begin() + kAesGcmHeaderSize);
    in.reserve(chunk_size + kAesGcmTagSize + 1);
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("encrypted file: chunk " + std::to_string(index) + " " + why);
  }

  void open_chunk(size_t sealed_size, bool final) {
    size_t size = sealed_size - kAesGcmTagSize;
    start_chunk(ctx.get(), false, key, header, index, final);
    plain.resize(size);
    auto* data = reinterpret_cast<unsigned char*>(in.data());
    int len = 0, tail = 0;
    bool ok =
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, data,
                          int(size)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kAesGcmTagSize), data + size) == 1;
    if (!ok || EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len,
                                   &tail) != 1) {
      plain.clear();
      fail(std::string("failed authentication") + (final ? " as the last chunk" : "") +
           ": wrong key, or the file was altered, reordered or truncated");
    }
    in.erase(in.begin(), in.begin() + long(sealed_size));
    plain_pos = 0;
    ++index;
    done = final;
  }

  void next_chunk() {
    if (header.empty()) read_header();
    const size_t full = chunk_size + kAesGcmTagSize;
    fill(full + 1);  // one byte more tells whether this chunk is the last
    if (in.size() > full) return open_chunk(full, false);
    if (in.size() < kAesGcmTagSize) fail("is missing or cut short: the file is truncated");
    open_chunk(in.size(), true);
  }

  size_t read(char* buffer, size_t capacity) {
    while (plain_pos == plain.size()) {
      if (done) return 0;
      next_chunk();
    }
    size_t n = std::min(capacity, plain.size() - plain_pos);
    std::memcpy(buffer, plain.data() + plain_pos, n);
    plain_pos += n;
    return n;
  }
};

}  // namespace

InputSource aes_gcm_decrypting_source(InputSource encrypted, std::string_view key) {
  check_key(key);
  auto source = std::make_shared<DecryptingSource>();
  source->encrypted = std::move(encrypted);
  source->key.assign(key);
  return [source](char* buffer, size_t capacity) { return source->read(buffer, capacity); };
}

}  // namespace migsafe::util
