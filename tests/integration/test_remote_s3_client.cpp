// The S3 client against a real S3 service (Swift + s3api, which checks every SigV4 signature),
// each result checked with rclone, an independent client.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "remote/multipart_upload.hpp"
#include "remote/s3_client.hpp"
#include "s3_server.hpp"
#include "util/sha256.hpp"

using namespace migsafe;
using namespace migsafe::test;

namespace {

remote::S3Client client(const std::string& bucket, const std::string& secret = "") {
  const S3Server& s = s3_server();
  auto location = remote::parse_location("s3://" + bucket + "/p", s.endpoint, s.region, true);
  remote::RetryPolicy fast;
  fast.attempts = 2;
  fast.base_delay = std::chrono::milliseconds(50);
  return remote::S3Client(location, {s.access_key, secret.empty() ? s.secret_key : secret, ""},
                          fast);
}

std::string pattern(size_t size) {
  std::string out(size, '\0');
  uint32_t x = 12345;
  for (auto& c : out) {
    x = x * 1103515245 + 12345;
    c = char(x >> 24);
  }
  return out;
}

}  // namespace

TEST_CASE("S3 client: put, head with metadata, get, list, delete", "[s3]") {
  make_bucket("client-basic");
  auto s3 = client("client-basic");
  std::string etag = s3.put_object("p/a b&c.json", "{\"x\":1}", {{"migsafe-bytes", "7"}});
  CHECK(etag == remote::to_hex(remote::md5_raw("{\"x\":1}")));
  auto head = s3.head_object("p/a b&c.json");
  REQUIRE(head);
  CHECK(head->size == 7);
  CHECK(head->metadata["migsafe-bytes"] == "7");
  CHECK(s3.get_object("p/a b&c.json") == "{\"x\":1}");
  CHECK_FALSE(s3.head_object("p/missing"));
  auto listed = s3.list_objects("p/");
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].key == "p/a b&c.json");
  CHECK(list_keys("client-basic", "p") == std::vector<std::string>{"a b&c.json"});
  s3.delete_object("p/a b&c.json");
  CHECK(list_keys("client-basic", "p").empty());
}

TEST_CASE("S3 client: a multipart upload streams parts and rclone reads the same bytes", "[s3]") {
  make_bucket("client-multipart");
  auto s3 = client("client-multipart");
  const std::string data = pattern(11 * 1024 * 1024 + 123);
  remote::UploadResult result;
  {
    remote::MultipartUpload upload(s3, "p/big.bin", 5 * 1024 * 1024, {{"migsafe-id", "big"}});
    for (size_t at = 0; at < data.size(); at += 100000) upload.write(std::string_view(data).substr(at, 100000));
    result = upload.finish();
  }
  CHECK(result.parts == 3);
  CHECK(result.bytes == data.size());
  CHECK(result.etag == result.expected_etag);
  auto head = s3.head_object("p/big.bin");
  REQUIRE(head);
  CHECK(head->size == data.size());
  CHECK(head->etag == result.expected_etag);
  CHECK(head->metadata["migsafe-id"] == "big");
  auto cat = rclone({"cat", "s3:client-multipart/p/big.bin"});
  REQUIRE(cat.ok());
  CHECK(util::sha256_hex(cat.stdout_text) == util::sha256_hex(data));
  util::Sha256 streamed;
  s3.get_object("p/big.bin", [&](std::string_view chunk) { streamed.update(chunk); });
  CHECK(streamed.hex() == util::sha256_hex(data));

  // Metadata known only at the end: the service copies the object onto itself part by part; the
  // bytes and the ETag stay, the metadata is the new one.
  std::string etag = remote::rewrite_metadata(s3, "p/big.bin", data.size(), 5 * 1024 * 1024,
                                              {{"migsafe-id", "big"},
                                               {"migsafe-sha256", util::sha256_hex(data)}});
  CHECK(etag == result.expected_etag);
  head = s3.head_object("p/big.bin");
  REQUIRE(head);
  CHECK(head->size == data.size());
  CHECK(head->etag == result.expected_etag);
  CHECK(head->metadata["migsafe-id"] == "big");
  CHECK(head->metadata["migsafe-sha256"] == util::sha256_hex(data));
  cat = rclone({"cat", "s3:client-multipart/p/big.bin"});
  REQUIRE(cat.ok());
  CHECK(util::sha256_hex(cat.stdout_text) == util::sha256_hex(data));
  CHECK(list_keys("client-multipart", "p") == std::vector<std::string>{"big.bin"});
}

TEST_CASE("S3 client: a PUT streamed from a source is signed with its known sha256", "[s3]") {
  make_bucket("client-stream");
  auto s3 = client("client-stream");
  const std::string data = pattern(3 * 1024 * 1024 + 7);
  int opened = 0;
  auto source_of = [&](const std::string& bytes) {
    return std::function<util::InputSource()>([&opened, &bytes] {
      ++opened;
      auto at = std::make_shared<size_t>(0);
      return util::InputSource([&bytes, at](char* buffer, size_t capacity) {
        size_t n = std::min(capacity, bytes.size() - *at);
        std::copy_n(bytes.data() + *at, n, buffer);
        *at += n;
        return n;
      });
    });
  };
  std::string etag = s3.put_object_from("p/s.bin", data.size(), util::sha256_hex(data),
                                        source_of(data), {{"migsafe-bytes", "x"}});
  CHECK(opened == 1);
  CHECK(etag == remote::to_hex(remote::md5_raw(data)));
  auto cat = rclone({"cat", "s3:client-stream/p/s.bin"});
  REQUIRE(cat.ok());
  CHECK(cat.stdout_text == data);
  CHECK(s3.head_object("p/s.bin")->metadata["migsafe-bytes"] == "x");

  // Bytes that do not hash to the signed sha256: the service refuses them.
  std::string other = data;
  other[100] = char(other[100] ^ 1);
  CHECK_THROWS_AS(s3.put_object_from("p/t.bin", other.size(), util::sha256_hex(data),
                                     source_of(other)),
                  Error);
  CHECK(list_keys("client-stream", "p") == std::vector<std::string>{"s.bin"});
}

TEST_CASE("S3 client: an abandoned multipart upload leaves no object", "[s3]") {
  make_bucket("client-abort");
  auto s3 = client("client-abort");
  {
    remote::MultipartUpload upload(s3, "p/half.bin", 5 * 1024 * 1024);
    upload.write(pattern(6 * 1024 * 1024));
  }  // destroyed unfinished: aborted
  CHECK_FALSE(s3.head_object("p/half.bin"));
  CHECK(list_keys("client-abort", "p").empty());
}

TEST_CASE("S3 client: a listing of more than one page is followed to the end", "[s3]") {
  make_bucket("client-pages");
  auto s3 = client("client-pages");
  for (int i = 0; i < 1005; i += 67) s3.put_object("p/k" + std::to_string(1000 + i), "x");
  // Swift pages at 1000 by default; fewer objects still go through the token loop once.
  CHECK(s3.list_objects("p/").size() == 15);
}

TEST_CASE("S3 client: a wrong secret is a clear error naming bucket, key and code", "[s3]") {
  make_bucket("client-denied");
  auto s3 = client("client-denied", "not-the-secret");
  try {
    s3.put_object("p/x.json", "{}");
    FAIL("a wrong secret was accepted");
  } catch (const Error& e) {
    std::string message = e.what();
    CHECK(e.code() == Exit::refused);
    CHECK(message.find("client-denied") != std::string::npos);
    CHECK(message.find("p/x.json") != std::string::npos);
    CHECK(message.find("SignatureDoesNotMatch") != std::string::npos);
    CHECK(message.find("not-the-secret") == std::string::npos);
    CHECK(message.find("403") != std::string::npos);
  }
  auto good = client("no-such-bucket-here");
  CHECK_THROWS_WITH(good.put_object("p/x", "x"), Catch::Contains("NoSuchBucket"));
}
