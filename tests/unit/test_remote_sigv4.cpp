// SigV4 against AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite: the
// expected canonical requests, string-to-sign digests and signatures are theirs, entered as data)
// and the S3 developer guide's GET Object example.
#include <catch2/catch.hpp>

#include "remote/sigv4.hpp"

using namespace migsafe::remote;

namespace {

const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

// A request of the suite: service "service", region us-east-1, 2015-08-30T12:36:00Z.
SignedRequest suite(const std::string& method, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> query = {},
                    std::vector<std::pair<std::string, std::string>> extra = {}) {
  SignedRequest r;
  r.method = method;
  r.path = path;
  r.query = std::move(query);
  r.headers = {{"Host", "example.amazonaws.com"}};
  for (auto& h : extra) r.headers.push_back(h);
  r.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
  r.amz_date = "20150830T123600Z";
  r.region = "us-east-1";
  r.service = "service";
  r.payload_hash = kEmptyHash;
  return r;
}

std::string authz(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" + signed_headers + ", Signature=" + signature;
}

}  // namespace

TEST_CASE("get-vanilla: canonical request, string to sign and signature", "[remote][sigv4]") {
  SignedRequest r = suite("GET", "/");
  CHECK(canonical_request(r) ==
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
            std::string(kEmptyHash));
  CHECK(string_to_sign(r) ==
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
        "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  CHECK(authorization(r, kSuite) ==
        authz("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST_CASE("get-vanilla-query-order-key-case: query sorted by name", "[remote][sigv4]") {
  SignedRequest r = suite("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}});
  CHECK(encoded_query(r) == "Param1=value1&Param2=value2");
  CHECK(string_to_sign(r).substr(string_to_sign(r).rfind('\n') + 1) ==
        "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  CHECK(signature(r, kSuite.secret_access_key) ==
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST_CASE("get-vanilla-query-order-value: equal names sorted by value", "[remote][sigv4]") {
  SignedRequest r = suite("GET", "/", {{"Param1", "value2"}, {"Param1", "value1"}});
  CHECK(encoded_query(r) == "Param1=value1&Param1=value2");
  CHECK(signature(r, kSuite.secret_access_key) ==
        "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
}

TEST_CASE("get-vanilla-query-unreserved and get-unreserved: unreserved characters stay",
          "[remote][sigv4]") {
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  SignedRequest q = suite("GET", "/", {{unreserved, unreserved}});
  CHECK(signature(q, kSuite.secret_access_key) ==
        "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");
  SignedRequest p = suite("GET", "/" + unreserved);
  CHECK(signature(p, kSuite.secret_access_key) ==
        "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
}

TEST_CASE("get-utf8 and get-vanilla-utf8-query: UTF-8 percent-encoded", "[remote][sigv4]") {
  SignedRequest p = suite("GET", "/\xe1\x88\xb4");
  CHECK(encoded_path(p) == "/%E1%88%B4");
  CHECK(signature(p, kSuite.secret_access_key) ==
        "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
  SignedRequest q = suite("GET", "/", {{"\xe1\x88\xb4", "bar"}});
  CHECK(encoded_query(q) == "%E1%88%B4=bar");
  CHECK(signature(q, kSuite.secret_access_key) ==
        "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
}

TEST_CASE("get-header-key-duplicate: repeated headers joined in order", "[remote][sigv4]") {
  SignedRequest r = suite("GET", "/", {},
                          {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}});
  CHECK(canonical_request(r).find("my-header1:value2,value2,value1\n") != std::string::npos);
  CHECK(authorization(r, kSuite) ==
        authz("host;my-header1;x-amz-date",
              "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST_CASE("get-header-value-trim: values trimmed, inner spaces collapsed", "[remote][sigv4]") {
  SignedRequest r = suite("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}});
  CHECK(canonical_request(r) ==
        "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\n"
        "x-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n" +
            std::string(kEmptyHash));
  CHECK(signature(r, kSuite.secret_access_key) ==
        "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST_CASE("post-vanilla, post-vanilla-query, post-header-key-sort, post-header-value-case",
          "[remote][sigv4]") {
  CHECK(signature(suite("POST", "/"), kSuite.secret_access_key) ==
        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  CHECK(signature(suite("POST", "/", {{"Param1", "value1"}}), kSuite.secret_access_key) ==
        "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11");
  CHECK(signature(suite("POST", "/", {}, {{"My-Header1", "value1"}}), kSuite.secret_access_key) ==
        "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c");
  CHECK(signature(suite("POST", "/", {}, {{"My-Header1", "VALUE1"}}), kSuite.secret_access_key) ==
        "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d");
}

TEST_CASE("post-x-www-form-urlencoded: a signed body", "[remote][sigv4]") {
  SignedRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"Host", "example.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.amz_date = "20150830T123600Z";
  r.service = "service";
  r.payload_hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";  // "Param1=value1"
  CHECK(canonical_request(r) ==
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
        "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  CHECK(string_to_sign(r).substr(string_to_sign(r).rfind('\n') + 1) ==
        "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  CHECK(authorization(r, kSuite) ==
        authz("content-type;host;x-amz-date",
              "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST_CASE("the S3 guide's GET Object example signs to its published signature", "[remote][sigv4]") {
  SignedRequest r;
  r.method = "GET";
  r.path = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  r.amz_date = "20130524T000000Z";
  r.region = "us-east-1";
  r.service = "s3";
  r.payload_hash = kEmptyHash;
  CHECK(string_to_sign(r) ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  CHECK(signature(r, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") ==
        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST_CASE("a wrong secret gives another signature; the secret is not in the header",
          "[remote][sigv4]") {
  SignedRequest r = suite("GET", "/");
  CHECK(signature(r, "not-the-secret") !=
        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  CHECK(authorization(r, kSuite).find(kSuite.secret_access_key) == std::string::npos);
}

TEST_CASE("amz_date formats UTC seconds", "[remote][sigv4]") {
  CHECK(amz_date(1440938160) == "20150830T123600Z");
}
