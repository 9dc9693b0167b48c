#pragma once
// Helpers for the BaasBox API tests (baasbox.md): a fixture whose server mounts the surface
// under /baasbox and on a dedicated port, Basic headers and envelope assertions.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/api_fixture.hpp"

namespace gbtest::bb {

namespace json = boost::json;

inline constexpr const char* kAppCode = "1234567890";
inline constexpr const char* kAdminPassword = "admin-secret-pw";
inline const std::string kAppHeader = std::string("X-BAASBOX-APPCODE: ") + kAppCode;

inline std::string Base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (in.size() - i == 1) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (in.size() - i == 2) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

/// Percent-encoding of a query-string value: ASCII letters, digits and `keep` stay, every other
/// byte becomes %XX (the default keeps RFC 3986's unreserved characters).
inline std::string PercentEncode(std::string_view s, std::string_view keep = "-_.~") {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || (ch != 0 && keep.find(static_cast<char>(ch)) != std::string_view::npos)) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

inline std::string Basic(const std::string& user, const std::string& password) {
  return "Authorization: Basic " + Base64(user + ":" + password);
}
inline std::string Session(const std::string& token) { return "X-BB-SESSION: " + token; }

/// The error envelope of §4.2 with exactly this status, message and bb_code ("" = none).
inline void ExpectBbError(const HttpResponse& r, long status, const std::string& message,
                          const std::string& bb_code = "", const char* where = "") {
  SCOPED_TRACE(where);
  EXPECT_EQ(r.status, status) << r.body;
  json::value j;
  ASSERT_NO_THROW(j = r.json()) << r.body;
  ASSERT_TRUE(j.is_object()) << r.body;
  const auto& o = j.as_object();
  EXPECT_EQ(o.at("result"), "error") << r.body;
  EXPECT_EQ(o.at("message"), json::value(message)) << r.body;
  EXPECT_EQ(o.at("http_code"), json::value(status)) << r.body;
  EXPECT_EQ(o.at("API_version"), "0.9.5") << r.body;
  EXPECT_TRUE(o.at("resource").is_string()) << r.body;
  EXPECT_TRUE(o.at("method").is_string()) << r.body;
  EXPECT_TRUE(o.at("request_header").is_object()) << r.body;
  if (bb_code.empty()) {
    EXPECT_FALSE(o.contains("bb_code")) << r.body;
  } else {
    ASSERT_TRUE(o.contains("bb_code")) << r.body;
    EXPECT_TRUE(o.at("bb_code").is_string()) << r.body;  // a JSON string (§4.2)
    EXPECT_EQ(o.at("bb_code"), json::value(bb_code)) << r.body;
  }
  EXPECT_NE(r.header("content-type").find("application/json"), std::string::npos);
}

/// The success envelope of §4.1; returns `data`.
inline json::value ExpectOk(const HttpResponse& r, long status = 200, const char* where = "") {
  SCOPED_TRACE(where);
  EXPECT_EQ(r.status, status) << r.body;
  json::value j;
  try {
    j = r.json();
  } catch (...) {
    ADD_FAILURE() << "not JSON: " << r.body;
    return nullptr;
  }
  if (!j.is_object() || !j.as_object().contains("data")) {
    ADD_FAILURE() << r.body;
    return nullptr;
  }
  EXPECT_EQ(j.as_object().at("result"), "ok") << r.body;
  EXPECT_EQ(j.as_object().at("http_code"), json::value(status)) << r.body;
  return j.as_object().at("data");
}

inline std::string Unique(const std::string& prefix) {
  static int n = 0;
  return prefix + std::to_string(::getpid()) + "_" + std::to_string(++n);
}

class BbTest : public ::testing::Test {
 protected:
  static std::vector<std::string> ServerArgs() {
    return {"--secret-key", kTestSecret, "--baasbox-admin-password", kAdminPassword};
  }
  static void StartServer(std::vector<std::string> args) {
    server_ = std::make_unique<ServerProcess>(std::move(args));
    server_->Start();
  }
  static void SetUpTestSuite() { StartServer(ServerArgs()); }
  static void TearDownTestSuite() {
    if (server_) {
      int rc = server_->Stop();
      EXPECT_EQ(rc, 0) << server_->log();
      server_.reset();
    }
  }
  /// A client for the surface under /baasbox on the main listener.
  HttpClient bb() const { return HttpClient(server_->base_url() + "/baasbox"); }
  HttpClient root() const { return HttpClient(server_->base_url()); }

  /// Signs a user up; returns the session token.
  std::string SignUp(const std::string& name, const std::string& password = "pw",
                     json::object extra = {}) {
    auto c = bb();
    extra["username"] = name;
    extra["password"] = password;
    auto r = c.Post("/user", extra, {kAppHeader});
    auto data = ExpectOk(r, 201, "sign-up");
    if (!data.is_object()) return "";
    return std::string(data.as_object().at("X-BB-SESSION").as_string());
  }
  std::string Login(const std::string& name, const std::string& password) {
    auto c = bb();
    auto r = c.Post("/login", json::object{{"username", name}, {"password", password}, {"appcode", kAppCode}});
    auto data = ExpectOk(r, 200, "login");
    if (!data.is_object()) return "";
    return std::string(data.as_object().at("X-BB-SESSION").as_string());
  }
  std::string AdminToken() { return Login("admin", kAdminPassword); }
  /// The headers of a call with the app code and `token`'s session.
  std::vector<std::string> As(const std::string& token) const { return {kAppHeader, Session(token)}; }
  /// A fresh collection created by the admin (201, data ""); returns its name.
  std::string NewCollection(const std::string& prefix) {
    std::string name = Unique(prefix);
    auto data = ExpectOk(bb().Post("/admin/collection/" + name, json::object{}, As(AdminToken())), 201, "collection");
    EXPECT_EQ(data, json::value(""));
    return name;
  }

  static inline std::unique_ptr<ServerProcess> server_;
};

}  // namespace gbtest::bb
