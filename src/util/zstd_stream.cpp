#include "util/zstd_stream.hpp"

#include <zstd.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace migsafe::util {
namespace {

// Returns `code`, or throws when it is a zstd error.
size_t check(size_t code, const char* doing) {
  if (ZSTD_isError(code))
    throw std::runtime_error(std::string("zstd: ") + doing + ": " + ZSTD_getErrorName(code));
  return code;
}

std::runtime_error truncated() {
  return std::runtime_error("zstd: the data ends inside a frame (truncated file)");
}

}  // namespace

struct ZstdCompressor::State {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  OutputSink out;
  std::vector<char> buffer = std::vector<char>(ZSTD_CStreamOutSize());
  bool finished = false;
  ~State() { ZSTD_freeCCtx(ctx); }

  // Feeds `in` with `mode`; returns what zstd says is left to flush.
  size_t step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
    size_t left = check(ZSTD_compressStream2(ctx, &o, &in, mode), "compressing");
    if (o.pos > 0) out(std::string_view(buffer.data(), o.pos));
    return left;
  }
};

ZstdCompressor::ZstdCompressor(int level, OutputSink out, int workers)
    : state_(std::make_unique<State>()) {
  if (state_->ctx == nullptr) throw std::runtime_error("zstd: out of memory");
  state_->out = std::move(out);
  check(ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_compressionLevel, level), "setting the level");
  check(ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_checksumFlag, 1), "enabling the checksum");
  // A libzstd built without threads rejects this; compressing on this thread is still correct.
  if (workers > 0) ZSTD_CCtx_setParameter(state_->ctx, ZSTD_c_nbWorkers, workers);
}

ZstdCompressor::~ZstdCompressor() = default;

void ZstdCompressor::write(std::string_view bytes) {
  if (state_->finished) throw std::logic_error("ZstdCompressor::write after finish");
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  // With workers, zstd may take only part of the input per call (it blocks rather than spins).
  while (in.pos < in.size) state_->step(in, ZSTD_e_continue);
}

void ZstdCompressor::finish() {
  if (state_->finished) return;
  ZSTD_inBuffer none{nullptr, 0, 0};
  while (state_->step(none, ZSTD_e_end) != 0) {
  }
  state_->finished = true;
}

struct ZstdDecompressor::State {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  OutputSink out;
  std::vector<char> buffer = std::vector<char>(ZSTD_DStreamOutSize());
  size_t last = 0;  // zstd's last answer: 0 once a frame is complete and flushed
  bool seen_input = false;
  ~State() { ZSTD_freeDCtx(ctx); }
};

ZstdDecompressor::ZstdDecompressor(OutputSink out) : state_(std::make_unique<State>()) {
  if (state_->ctx == nullptr) throw std::runtime_error("zstd: out of memory");
  state_->out = std::move(out);
}

ZstdDecompressor::~ZstdDecompressor() = default;

void ZstdDecompressor::write(std::string_view bytes) {
  State& s = *state_;
  if (!bytes.empty()) s.seen_input = true;
  ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
  bool full = false;
  // A full output buffer may leave decoded bytes inside zstd: call again until it has none. Not
  // after a completed frame, where an empty call would report the next frame's header as missing.
  while (in.pos < in.size || (full && s.last != 0)) {
    ZSTD_outBuffer o{s.buffer.data(), s.buffer.size(), 0};
    s.last = check(ZSTD_decompressStream(s.ctx, &o, &in), "decompressing");
    full = o.pos == o.size;
    if (o.pos > 0) s.out(std::string_view(s.buffer.data(), o.pos));
  }
}

void ZstdDecompressor::finish() {
  if (!state_->seen_input) throw std::runtime_error("zstd: no data (empty file)");
  if (state_->last != 0) throw truncated();
}

namespace {

// Pulls compressed bytes from a source and decompresses them into the reader's buffer.
struct DecompressingSource {
  InputSource compressed;
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  std::vector<char> in_buffer = std::vector<char>(ZSTD_DStreamInSize());
  ZSTD_inBuffer in{in_buffer.data(), 0, 0};
  size_t last = 0;
  bool seen_input = false, at_end = false;

  ~DecompressingSource() { ZSTD_freeDCtx(ctx); }

  size_t read(char* buffer, size_t capacity) {
    if (capacity == 0) return 0;
    while (true) {
      if (in.pos == in.size && !at_end) refill();
      if (in.pos == in.size && at_end) return read_at_end(buffer, capacity);
      ZSTD_outBuffer o{buffer, capacity, 0};
      last = check(ZSTD_decompressStream(ctx, &o, &in), "decompressing");
      if (o.pos > 0) return o.pos;
    }
  }

  void refill() {
    in.size = compressed(in_buffer.data(), in_buffer.size());
    in.pos = 0;
    if (in.size == 0)
      at_end = true;
    else
      seen_input = true;
  }

  // The input is exhausted: hand out what zstd still holds, then insist the last frame was
  // complete.
  size_t read_at_end(char* buffer, size_t capacity) {
    if (!seen_input) throw std::runtime_error("zstd: no data (empty file)");
    if (last == 0) return 0;
    ZSTD_outBuffer o{buffer, capacity, 0};
    last = check(ZSTD_decompressStream(ctx, &o, &in), "decompressing");
    if (o.pos > 0 || last == 0) return o.pos;
    throw truncated();
  }
};

}  // namespace

InputSource zstd_decompressing_source(InputSource compressed) {
  auto source = std::make_shared<DecompressingSource>();
  if (source->ctx == nullptr) throw std::runtime_error("zstd: out of memory");
  source->compressed = std::move(compressed);
  return [source](char* buffer, size_t capacity) { return source->read(buffer, capacity); };
}

}  // namespace migsafe::util
