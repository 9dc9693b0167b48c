// Unit tests of the strict multipart/form-data parser (src/http/multipart.hpp).
#include <gtest/gtest.h>

#include "http/multipart.hpp"

namespace gridbase::http::multipart {
namespace {

std::string Body(std::initializer_list<std::string> parts, const std::string& boundary = "XyZ") {
  std::string out;
  for (const auto& p : parts) out += "--" + boundary + "\r\n" + p + "\r\n";
  return out + "--" + boundary + "--\r\n";
}

TEST(MultipartBoundary, MediaTypeAndBoundaryParameter) {
  EXPECT_EQ(BoundaryOf("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(BoundaryOf("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(BoundaryOf("multipart/form-data; charset=utf-8; BOUNDARY=----WebKitFormBoundary7MA4YWxk"),
            "----WebKitFormBoundary7MA4YWxk");
  EXPECT_EQ(BoundaryOf("application/json"), std::nullopt);
  EXPECT_EQ(BoundaryOf(""), std::nullopt);
  EXPECT_EQ(BoundaryOf("multipart/mixed; boundary=abc"), std::nullopt);
  EXPECT_THROW(BoundaryOf("multipart/form-data"), ParseError);
  EXPECT_THROW(BoundaryOf("multipart/form-data; charset=utf-8"), ParseError);
  EXPECT_THROW(BoundaryOf("multipart/form-data; boundary="), ParseError);
  EXPECT_THROW(BoundaryOf("multipart/form-data; boundary=\"\""), ParseError);
  EXPECT_THROW(BoundaryOf("multipart/form-data; boundary=\"abc "), ParseError);   // unterminated
  EXPECT_THROW(BoundaryOf("multipart/form-data; boundary=\"abc \""), ParseError);  // ends with a space
  EXPECT_THROW(BoundaryOf("multipart/form-data; boundary=\"a;b\""), ParseError);   // not a bchar
  EXPECT_THROW(BoundaryOf("multipart/form-data; boundary=" + std::string(71, 'a')), ParseError);
  EXPECT_EQ(BoundaryOf("multipart/form-data; boundary=" + std::string(70, 'a')), std::string(70, 'a'));
}

TEST(MultipartParams, QuotedAndTokenValues) {
  auto p = ParseParams("; name=\"a;b = c\"; filename=plain.txt ;  X=\"\"");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (std::pair<std::string, std::string>{"name", "a;b = c"}));
  EXPECT_EQ(p[1], (std::pair<std::string, std::string>{"filename", "plain.txt"}));
  EXPECT_EQ(p[2], (std::pair<std::string, std::string>{"x", ""}));
  // Browsers send backslashes literally and `"` as %22: no escape processing.
  auto q = ParseParams("; filename=\"C:\\dir\\a%22b.txt\"");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0].second, "C:\\dir\\a%22b.txt");
  EXPECT_THROW(ParseParams("; name"), ParseError);
  EXPECT_THROW(ParseParams("; =x"), ParseError);
  EXPECT_THROW(ParseParams("; name=\"x"), ParseError);
  EXPECT_THROW(ParseParams("; name=x y"), ParseError);
  EXPECT_THROW(ParseParams("; name="), ParseError);
}

TEST(MultipartParse, FileAndFieldParts) {
  static const char kBin[] = "\x00\x01\r\n--XyY-near-delimiter\r\n-XyZ--XyZ\xff";
  std::string bin(kBin, sizeof kBin - 1);
  std::string body = Body({"Content-Disposition: form-data; name=\"attachedData\"\r\n\r\n{\"a\":1}",
                           "content-disposition: form-data; name=\"file\"; filename=\"photo 1.png\"\r\n"
                           "Content-Type: image/png\r\n\r\n" + bin,
                           "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"});
  auto parts = Parse(body, "XyZ");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].name, "attachedData");
  EXPECT_FALSE(parts[0].file_name);
  EXPECT_EQ(parts[0].content_type, "");
  EXPECT_EQ(parts[0].data, "{\"a\":1}");
  EXPECT_EQ(parts[1].name, "file");
  EXPECT_EQ(parts[1].file_name, "photo 1.png");
  EXPECT_EQ(parts[1].content_type, "image/png");
  EXPECT_EQ(parts[1].data, bin);  // binary bytes, CR LF and a near-delimiter kept
  EXPECT_EQ(parts[2].name, "empty");
  EXPECT_EQ(parts[2].data, "");
}

TEST(MultipartParse, PreambleEpilogueAndPadding) {
  std::string body =
      "This is a preamble\r\n--b1 \t\r\nContent-Disposition: form-data; name=x\r\n\r\nvalue\r\n--b1--\r\nepilogue";
  auto parts = Parse(body, "b1");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].name, "x");
  EXPECT_EQ(parts[0].data, "value");
  // No parts at all is a valid (empty) body.
  EXPECT_TRUE(Parse("--b1--\r\n", "b1").empty());
}

TEST(MultipartParse, ExtendedFileName) {
  std::string body = Body({"Content-Disposition: form-data; name=f; filename=\"fallback.txt\"; "
                           "filename*=UTF-8''na%C3%AFve%20file.txt\r\n\r\nx"});
  auto parts = Parse(body, "XyZ");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].file_name, "na\xC3\xAFve file.txt");
  EXPECT_THROW(Parse(Body({"Content-Disposition: form-data; name=f; filename*=latin1''x\r\n\r\nx"}), "XyZ"),
               ParseError);
  EXPECT_THROW(Parse(Body({"Content-Disposition: form-data; name=f; filename*=UTF-8''%G1\r\n\r\nx"}), "XyZ"),
               ParseError);
}

TEST(MultipartParse, MalformedBodiesAreErrors) {
  const std::string cd = "Content-Disposition: form-data; name=\"a\"\r\n\r\n";
  // No delimiter at all; another boundary.
  EXPECT_THROW(Parse("just text", "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({cd + "v"}, "other"), "XyZ"), ParseError);
  // Missing close delimiter.
  EXPECT_THROW(Parse("--XyZ\r\n" + cd + "v", "XyZ"), ParseError);
  EXPECT_THROW(Parse("--XyZ\r\n" + cd + "v\r\n--XyZ\r\n" + cd + "w", "XyZ"), ParseError);
  // LF-only line endings.
  EXPECT_THROW(Parse("--XyZ\nContent-Disposition: form-data; name=a\n\nv\n--XyZ--\n", "XyZ"), ParseError);
  EXPECT_THROW(Parse("--XyZ\r\nContent-Disposition: form-data; name=a\n\nv\r\n--XyZ--\r\n", "XyZ"), ParseError);
  // Junk after a delimiter.
  EXPECT_THROW(Parse("--XyZjunk\r\n" + cd + "v\r\n--XyZ--", "XyZ"), ParseError);
  // Headers that never end before the next delimiter.
  EXPECT_THROW(Parse("--XyZ\r\nContent-Disposition: form-data; name=a\r\n--XyZ--\r\n", "XyZ"), ParseError);
  // Parts without a usable Content-Disposition.
  EXPECT_THROW(Parse(Body({"Content-Type: text/plain\r\n\r\nv"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"\r\nv"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"Content-Disposition: attachment; name=a\r\n\r\nv"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"Content-Disposition: form-data; filename=a.txt\r\n\r\nv"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\nv"}),
                     "XyZ"),
               ParseError);
  // Malformed header lines: folding, no colon, bad name, control characters.
  EXPECT_THROW(Parse(Body({"Content-Disposition: form-data;\r\n name=a\r\n\r\nv"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"Content-Disposition form-data; name=a\r\n\r\nv"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"Bad Name: x\r\n" + cd + "v"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({std::string("X-A: a\x01\r\n") + cd + "v"}), "XyZ"), ParseError);
  EXPECT_THROW(Parse(Body({"Content-Disposition: form-data; name=\"a\r\n\r\nv"}), "XyZ"), ParseError);
}

}  // namespace
}  // namespace gridbase::http::multipart
