#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "util/atomic_file.hpp"
#include "util/process.hpp"
#include "util/temp_dir.hpp"
#include "util/zstd_stream.hpp"

using namespace migsafe::util;

namespace {

// Text that compresses like a database dump: repetitive rows with some noise.
std::string sample(size_t size) {
  std::mt19937 random(42);
  std::string out;
  while (out.size() < size) {
    out += std::to_string(random() % 100000) + "\tsome row text " + std::to_string(random()) + "\n";
  }
  out.resize(size);
  return out;
}

std::string compress(const std::string& plain, int level = 3, int workers = kZstdDefaultWorkers) {
  std::string out;
  ZstdCompressor zstd(
      level, [&](std::string_view chunk) { out.append(chunk); }, workers);
  for (size_t at = 0; at < plain.size(); at += 7777)
    zstd.write(std::string_view(plain).substr(at, 7777));
  zstd.finish();
  return out;
}

std::string decompress(const std::string& compressed) {
  std::string out;
  ZstdDecompressor zstd([&](std::string_view chunk) { out.append(chunk); });
  for (size_t at = 0; at < compressed.size(); at += 1000)
    zstd.write(std::string_view(compressed).substr(at, 1000));
  zstd.finish();
  return out;
}

std::string read_all(InputSource source, size_t capacity) {
  std::string out, buffer(capacity, '\0');
  while (size_t n = source(buffer.data(), buffer.size())) out.append(buffer.data(), n);
  return out;
}

InputSource string_source(const std::string& bytes) {
  auto at = std::make_shared<size_t>(0);
  return [bytes, at](char* buffer, size_t capacity) {
    size_t n = std::min(capacity, bytes.size() - *at);
    bytes.copy(buffer, n, *at);
    *at += n;
    return n;
  };
}

}  // namespace

TEST_CASE("zstd round trip restores the bytes, with and without workers", "[zstd]") {
  const std::string plain = sample(3 << 20);
  for (int workers : {0, 1}) {
    std::string compressed = compress(plain, 3, workers);
    CHECK(compressed.size() < plain.size() / 2);
    CHECK(decompress(compressed) == plain);
    CHECK(read_all(zstd_decompressing_source(string_source(compressed)), 4096) == plain);
  }
}

TEST_CASE("zstd of nothing is a valid frame of nothing", "[zstd]") {
  std::string compressed = compress("");
  CHECK_FALSE(compressed.empty());
  CHECK(decompress(compressed).empty());
  CHECK(read_all(zstd_decompressing_source(string_source(compressed)), 10).empty());
}

TEST_CASE("the stock zstd -dc reads our output", "[zstd]") {
  REQUIRE(find_program("zstd"));  // scripts/setup.sh installs it
  const std::string plain = sample(1 << 20);
  TempDir dir("migsafe-test-");
  AtomicFile file(dir.path() / "x.zst");
  file.write(compress(plain));
  file.commit();
  Command command;
  command.argv = {"zstd", "-dc", file.path().string()};
  ProcessResult result = run_process(command);
  REQUIRE(result.ok());
  CHECK(result.stdout_text == plain);

  command.argv = {"zstd", "-q", "-t", file.path().string()};  // also checks the frame checksum
  CHECK(run_process(command).ok());
}

TEST_CASE("we read the stock zstd's output, several frames in a row", "[zstd]") {
  REQUIRE(find_program("zstd"));  // scripts/setup.sh installs it
  const std::string plain = sample(300000);
  Command command;
  command.argv = {"zstd", "-c", "-q"};
  command.stdin_source = string_source(plain);
  ProcessResult result = run_process(command);
  REQUIRE(result.ok());
  CHECK(decompress(result.stdout_text + compress(plain)) == plain + plain);
}

TEST_CASE("a truncated zstd frame is detected", "[zstd]") {
  const std::string compressed = compress(sample(500000));
  for (size_t cut : {size_t(1), size_t(4), compressed.size() / 2, compressed.size() - 1}) {
    std::string truncated = compressed.substr(0, cut);
    CHECK_THROWS_WITH(decompress(truncated),
                      Catch::Contains("truncated") || Catch::Contains("zstd"));
    CHECK_THROWS_WITH(read_all(zstd_decompressing_source(string_source(truncated)), 65536),
                      Catch::Contains("truncated") || Catch::Contains("zstd"));
  }
  CHECK_THROWS_WITH(decompress(compressed.substr(0, compressed.size() - 1)),
                    Catch::Contains("truncated"));
}

TEST_CASE("a corrupted byte or an empty input fails decompression", "[zstd]") {
  std::string compressed = compress(sample(500000));
  compressed[compressed.size() / 2] ^= 0x55;
  CHECK_THROWS_AS(decompress(compressed), std::runtime_error);
  CHECK_THROWS_AS(read_all(zstd_decompressing_source(string_source(compressed)), 65536),
                  std::runtime_error);
  CHECK_THROWS_WITH(decompress(""), Catch::Contains("empty"));
  CHECK_THROWS_WITH(read_all(zstd_decompressing_source(string_source("")), 10),
                    Catch::Contains("empty"));
  CHECK_THROWS_AS(decompress("not zstd at all"), std::runtime_error);
}

TEST_CASE("writing to a finished compressor is a bug", "[zstd]") {
  ZstdCompressor zstd(1, [](std::string_view) {});
  zstd.finish();
  CHECK_THROWS_AS(zstd.write("x"), std::logic_error);
}
