#include <catch2/catch.hpp>

#include <stdexcept>

#include "remote/s3_client.hpp"
#include "remote/s3_location.hpp"
#include "remote/s3_xml.hpp"

using namespace migsafe::remote;

TEST_CASE("s3 urls: bucket, prefix, AWS endpoint and virtual-hosted addressing", "[remote]") {
  S3Location l = parse_location("s3://acme-backups/prod/db", "", "eu-west-1", false);
  CHECK(l.bucket == "acme-backups");
  CHECK(l.prefix == "prod/db/");
  CHECK(l.scheme == "https");
  CHECK(l.host == "s3.eu-west-1.amazonaws.com");
  CHECK(l.request_host() == "acme-backups.s3.eu-west-1.amazonaws.com");
  CHECK(l.request_path(l.key("x.json")) == "/prod/db/x.json");
  CHECK(l.request_path("") == "/");
  CHECK(l.url_of("prod/db/x.json") == "s3://acme-backups/prod/db/x.json");
}

TEST_CASE("s3 urls: path style on a custom endpoint; no prefix", "[remote]") {
  S3Location l = parse_location("s3://backups", "http://127.0.0.1:9000/", "", true);
  CHECK(l.prefix.empty());
  CHECK(l.region == "us-east-1");
  CHECK(l.request_host() == "127.0.0.1:9000");
  CHECK(l.request_path("a.json") == "/backups/a.json");
  CHECK(l.request_path("") == "/backups");
  CHECK(parse_location("s3://my.bucket/p", "", "", false).path_style);  // dots: path style
}

TEST_CASE("s3 urls: what is refused", "[remote]") {
  CHECK_THROWS_AS(parse_location("https://bucket/x", "", "", false), std::invalid_argument);
  CHECK_THROWS_AS(parse_location("s3://Bucket_Name/x", "", "", false), std::invalid_argument);
  CHECK_THROWS_AS(parse_location("s3://ab", "", "", false), std::invalid_argument);
  CHECK_THROWS_AS(parse_location("s3://bucket/a//b", "", "", false), std::invalid_argument);
  CHECK_THROWS_AS(parse_location("s3://bucket", "ftp://host", "", false), std::invalid_argument);
  CHECK_THROWS_AS(parse_location("s3://bucket", "https://host/path", "", false),
                  std::invalid_argument);
}

TEST_CASE("S3 XML: error code, listing entries, escapes", "[remote]") {
  const std::string error =
      "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match</Message></Error>";
  CHECK(xml_value(error, "Code") == "SignatureDoesNotMatch");
  CHECK(xml_value(error, "Missing").empty());
  const std::string list =
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsTruncated>true"
      "</IsTruncated><Contents><Key>p/a&amp;b.json</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag>"
      "</Contents><Contents><Key>p/c.json</Key><Size>3</Size></Contents>"
      "<NextContinuationToken>tok/en</NextContinuationToken></ListBucketResult>";
  auto contents = xml_blocks(list, "Contents");
  REQUIRE(contents.size() == 2);
  CHECK(xml_value(contents[0], "Key") == "p/a&b.json");
  CHECK(xml_value(contents[0], "ETag") == "\"abc\"");
  CHECK(xml_value(list, "NextContinuationToken") == "tok/en");
  CHECK(xml_value(list, "IsTruncated") == "true");
  CHECK(xml_unescape("&#233;&#x41;&bogus;") == "\xc3\xa9" "A&bogus;");
  CHECK(xml_escape("<a&\"b\">") == "&lt;a&amp;&quot;b&quot;&gt;");
}

TEST_CASE("multipart ETag: md5 of the parts' md5s and the part count", "[remote]") {
  // As `aws s3` and every S3 service compute it: parts "hello " and "world".
  std::string etag = multipart_etag({md5_raw("hello "), md5_raw("world")});
  CHECK(etag.size() == 34);
  CHECK(etag.substr(32) == "-2");
  CHECK(to_hex(md5_raw("")) == "d41d8cd98f00b204e9800998ecf8427e");
}
