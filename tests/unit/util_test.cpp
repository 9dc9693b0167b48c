// Unit tests for util/: crypto, JWT, time formatting, strings.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "util/crypto.hpp"
#include "util/jwt.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::util {
namespace {

class UtilTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitCrypto(); }
};

TEST_F(UtilTest, Base64UrlRoundTripsEveryLength) {
  for (size_t n = 0; n < 40; ++n) {
    std::string raw = RandomBytes(n);
    auto encoded = Base64UrlEncode(raw);
    EXPECT_EQ(encoded.find('='), std::string::npos);
    EXPECT_EQ(encoded.find('+'), std::string::npos);
    auto decoded = Base64UrlDecode(encoded);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, raw);
  }
  EXPECT_EQ(Base64UrlEncode("hello"), "aGVsbG8");
  EXPECT_FALSE(Base64UrlDecode("a*b").has_value());
}

TEST_F(UtilTest, Sha256AndHmacMatchKnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(Base64UrlEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
}

TEST_F(UtilTest, RandomValuesHaveTheRequestedShape) {
  auto hex = RandomHex(16);
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  auto key = RandomAlphanumeric(32);
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(key.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            std::string::npos);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST_F(UtilTest, PasswordHashVerifies) {
  auto hash = HashPassword("correct horse");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(VerifyPassword(hash, "correct horse"));
  EXPECT_FALSE(VerifyPassword(hash, "correct horse "));
  EXPECT_FALSE(VerifyPassword("garbage", "x"));
}

TEST_F(UtilTest, JwtRoundTripAndTamperDetection) {
  boost::json::object claims{{"user_id", 7}, {"token_type", "access"}};
  auto token = JwtEncodeHs256(claims, "key");
  auto decoded = JwtDecodeHs256(token, "key");
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->at("user_id").as_int64(), 7);
  EXPECT_FALSE(JwtDecodeHs256(token, "other-key").has_value());
  std::string tampered = token;
  tampered[tampered.find('.') + 3] ^= 1;
  EXPECT_FALSE(JwtDecodeHs256(tampered, "key").has_value());
  EXPECT_FALSE(JwtDecodeHs256("a.b", "key").has_value());
  EXPECT_FALSE(JwtDecodeHs256("a.b.c.d", "key").has_value());
}

TEST_F(UtilTest, JwtRefusesAlgNone) {
  std::string header = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})");
  std::string payload = Base64UrlEncode(R"({"user_id":1,"token_type":"access"})");
  EXPECT_FALSE(JwtDecodeHs256(header + "." + payload + ".", "key").has_value());
  // A correct HMAC under a header that claims another algorithm is refused too.
  std::string h512 = Base64UrlEncode(R"({"alg":"HS512","typ":"JWT"})");
  std::string input = h512 + "." + payload;
  EXPECT_FALSE(JwtDecodeHs256(input + "." + Base64UrlEncode(HmacSha256("key", input)), "key").has_value());
}

TEST_F(UtilTest, SignedValues) {
  auto s = SignValue("k", "salt", "payload");
  EXPECT_EQ(UnsignValue("k", "salt", s).value_or(""), "payload");
  EXPECT_FALSE(UnsignValue("k", "other", s).has_value());
  EXPECT_FALSE(UnsignValue("k2", "salt", s).has_value());
}

TEST(TimeTest, IsoFormatPrintsMicrosOnlyWhenNonZero) {
  EXPECT_EQ(FormatIsoMicros(1577880000000000), "2020-01-01T12:00:00Z");
  EXPECT_EQ(FormatIsoMicros(1577880000123456), "2020-01-01T12:00:00.123456Z");
  EXPECT_EQ(FormatIsoMicros(0), "1970-01-01T00:00:00Z");
}

TEST(StringsTest, EmailValidation) {
  EXPECT_TRUE(IsValidEmail("ada@example.com"));
  EXPECT_TRUE(IsValidEmail("a.b+c@sub.example.org"));
  EXPECT_TRUE(IsValidEmail("x@localhost"));
  EXPECT_FALSE(IsValidEmail("ada"));
  EXPECT_FALSE(IsValidEmail("ada@"));
  EXPECT_FALSE(IsValidEmail("@example.com"));
  EXPECT_FALSE(IsValidEmail("ada@example"));
  EXPECT_FALSE(IsValidEmail("a da@example.com"));
  EXPECT_FALSE(IsValidEmail("ada@exa_mple.com"));
  EXPECT_FALSE(IsValidEmail("ada@example.123"));
}

TEST(StringsTest, UrlDecodeFollowsDjango) {
  EXPECT_EQ(UrlDecode("a+b%2Cc"), "a b,c");
  EXPECT_EQ(UrlDecode("a b"), "a b");
  EXPECT_EQ(UrlDecode("%2Bname"), "+name");
  EXPECT_EQ(UrlDecode("100%"), "100%");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
  EXPECT_EQ(UrlEncode("a b/ü"), "a%20b%2F%C3%BC");
}

TEST(StringsTest, TrimAndSplit) {
  EXPECT_EQ(Trim("  x \n"), "x");
  EXPECT_EQ(Trim(""), "");
  auto parts = Split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_TRUE(IEquals("Application/JSON", "application/json"));
}

}  // namespace
}  // namespace gridbase::util

TEST(Utf8CaseMap, MapsEveryCodePointSimplyAndKeepsInvalidBytes) {
  using gridbase::util::Utf8CaseMap;
  EXPECT_EQ(Utf8CaseMap("Hello World", false), "hello world");
  EXPECT_EQ(Utf8CaseMap("Hello World", true), "HELLO WORLD");
  EXPECT_EQ(Utf8CaseMap("\xc3\x89T\xc3\x89", false), "\xc3\xa9t\xc3\xa9");             // ÉTÉ → été
  EXPECT_EQ(Utf8CaseMap("\xc3\xa9t\xc3\xa9", true), "\xc3\x89T\xc3\x89");              // été → ÉTÉ
  EXPECT_EQ(Utf8CaseMap("\xce\xa3\xce\xb1", false), "\xcf\x83\xce\xb1");               // Σα → σα
  EXPECT_EQ(Utf8CaseMap("Stra\xc3\x9f" "e", true), "STRA\xc3\x9f" "E");                // ß: simple mapping keeps it
  EXPECT_EQ(Utf8CaseMap("\xd0\x96\xd0\xb8\xd0\xb7\xd0\xbd\xd1\x8c", true),
            "\xd0\x96\xd0\x98\xd0\x97\xd0\x9d\xd0\xac");                              // Жизнь → ЖИЗНЬ
  EXPECT_EQ(Utf8CaseMap("\xf0\x90\x90\x80", false), "\xf0\x90\x90\xa8");               // Deseret 𐐀 → 𐐨 (4 bytes)
  EXPECT_EQ(Utf8CaseMap("\xe6\x97\xa5\xe6\x9c\xac", true), "\xe6\x97\xa5\xe6\x9c\xac");  // no case
  EXPECT_EQ(Utf8CaseMap("a\xff" "B\xc3", false), "a\xff" "b\xc3");                     // invalid bytes kept
}
