#pragma once
// A GoogleTest fixture that starts one real server per test suite (per executable) and
// helpers that assert exact statuses and bodies.
#include <gtest/gtest.h>

#include <memory>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

namespace gbtest {

inline constexpr const char* kTestSecret = "test-secret-key-for-api-tests";

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--secret-key", kTestSecret});
    server_->Start();
  }
  static void TearDownTestSuite() {
    if (server_) {
      int rc = server_->Stop();
      EXPECT_EQ(rc, 0) << "server did not exit cleanly:\n" << server_->log();
      server_.reset();
    }
  }
  HttpClient client() const { return HttpClient(server_->base_url()); }
  static ServerProcess& server() { return *server_; }

  static inline std::unique_ptr<ServerProcess> server_;
};

inline boost::json::value J(std::string_view text) { return boost::json::parse(text); }

/// Exact status and JSON body (object key order does not matter).
#define EXPECT_JSON(res, status_code, expected)                                   \
  do {                                                                            \
    const auto& r_ = (res);                                                       \
    EXPECT_EQ(r_.status, status_code) << r_.body;                                 \
    EXPECT_EQ(r_.json(), ::gbtest::J(expected)) << "actual: " << r_.body;         \
  } while (0)

/// Status and Baserow error code.
#define EXPECT_ERROR(res, status_code, code)                                      \
  do {                                                                            \
    const auto& r_ = (res);                                                       \
    EXPECT_EQ(r_.status, status_code) << r_.body;                                 \
    auto j_ = r_.json();                                                          \
    ASSERT_TRUE(j_.is_object()) << r_.body;                                       \
    auto* e_ = j_.as_object().if_contains("error");                               \
    ASSERT_NE(e_, nullptr) << r_.body;                                            \
    EXPECT_EQ(std::string(e_->as_string()), code) << r_.body;                     \
  } while (0)

}  // namespace gbtest
