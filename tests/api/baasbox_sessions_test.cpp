// BaasBox session lifetime (baasbox.md §3): sliding idle expiry with a short timeout, a
// restart forgetting every token, the serve flags; and the built-in admin's password (§2.4).
#include <thread>

#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

class BaasBoxSessionsTest : public BbTest {
 protected:
  static void SetUpTestSuite() {
    auto args = ServerArgs();
    // 0.02 minutes = 1.2 s of idle time.
    args.insert(args.end(), {"--baasbox-session-timeout", "0.02"});
    StartServer(args);
  }
};

constexpr const char* kGone = "Authentication info not valid or not provided. HINT: is your session expired?";

TEST_F(BaasBoxSessionsTest, IdleTokensExpireAndUseSlidesTheExpiry) {
  std::string name = Unique("idle");
  std::string token = SignUp(name);
  auto c = bb();
  // Used every 0.5 s for 2.5 s: longer than the timeout, never idle that long.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ExpectOk(c.Get("/refresh", {Session(token)}), 200, "sliding");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1700));
  ExpectBbError(c.Get("/me", {Session(token)}), 401, kGone, "40101", "expired");
  // Basic still works; a fresh login gives a fresh token.
  ExpectOk(c.Get("/me", {kAppHeader, Basic(name, "pw")}));
  ExpectOk(c.Get("/me", {Session(Login(name, "pw"))}));
}

TEST_F(BaasBoxSessionsTest, RestartForgetsEveryToken) {
  std::string name = Unique("restart");
  std::string token = SignUp(name);
  auto c = bb();
  ExpectOk(c.Get("/me", {Session(token)}));
  ASSERT_EQ(server_->Stop(), 0) << server_->log();
  server_->Start();
  ExpectBbError(c.Get("/me", {Session(token)}), 401, kGone, "40101", "after restart");
  // The account itself survives, and the admin is not created twice.
  ExpectOk(c.Get("/me", {Session(Login(name, "pw"))}));
  ExpectOk(c.Get("/admin/role", {Session(AdminToken())}));
}

TEST_F(BaasBoxSessionsTest, RevocationReachesOtherProcessesOverOneDatabase) {
  if (!UsingPostgres()) GTEST_SKIP() << "several processes over one database: PostgreSQL only";
  ServerProcess second(WithArgs(ServerArgs(), {"--database-url", server_->database_url()}));
  second.Start();
  HttpClient c2(second.base_url() + "/baasbox");
  std::string name = Unique("multi");
  std::string t1 = SignUp(name);
  auto data = ExpectOk(c2.Post("/login", json::object{{"username", name}, {"password", "pw"}, {"appcode", kAppCode}}));
  std::string t2(data.as_object().at("X-BB-SESSION").as_string());
  // Tokens live in the memory of the process that made them.
  ExpectBbError(c2.Get("/me", {Session(t1)}), 401, kGone, "40101", "foreign token");
  ExpectOk(c2.Get("/me", {Session(t2)}));
  // A password change in process 1 ends the user's sessions in process 2 too (session_gen).
  ExpectOk(bb().Request("PUT", "/me/password", R"({"old":"pw","new":"pw2"})", {Session(t1)}));
  ExpectBbError(c2.Get("/me", {Session(t2)}), 401, kGone, "40101", "revoked elsewhere");
  EXPECT_EQ(second.Stop(), 0) << second.log();
}

class BaasBoxNeverExpireTest : public BbTest {
 protected:
  static void SetUpTestSuite() {
    auto args = ServerArgs();
    args.insert(args.end(), {"--baasbox-session-timeout", "0", "--baasbox-prefix", "/bb/v1", "--baasbox-appcode", "xyz",
                            "--body-limit-kb", "1"});
    StartServer(args);
  }
};

TEST_F(BaasBoxNeverExpireTest, ZeroNeverExpiresAndFlagsApply) {
  HttpClient c(server_->base_url() + "/bb/v1");
  std::string name = Unique("never");
  auto data = ExpectOk(c.Post("/user", json::object{{"username", name}, {"password", "pw"}}, {"X-BAASBOX-APPCODE: xyz"}),
                       201);
  std::string token(data.as_object().at("X-BB-SESSION").as_string());
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  ExpectOk(c.Get("/me", {Session(token)}));
  ExpectBbError(c.Get("/me", {kAppHeader, Basic(name, "pw")}), 401,
                "Authentication info not valid or not provided: 1234567890 is an Invalid App Code");
  // Refused before routing: still the envelope under the prefix, Baserow's body elsewhere.
  std::string big(4096, 'x');
  auto r = c.Request("POST", "/user", "{\"username\":\"" + big + "\"}", {"X-BAASBOX-APPCODE: xyz"});
  ExpectBbError(r, 413, "Request body too large.");
  EXPECT_EQ(r.json().as_object().at("resource"), "/bb/v1/user");
  auto api = root().Request("POST", "/api/user/", big);
  EXPECT_EQ(api.status, 413);
  EXPECT_EQ(api.json(), J(R"({"detail":"Request body too large."})"));
  HttpClient old(server_->base_url() + "/baasbox");
  EXPECT_EQ(old.Get("/me", {Session(token)}).body.find("\"result\""), std::string::npos);
}

class BaasBoxDevModeTest : public BbTest {
 protected:
  static void SetUpTestSuite() { StartServer({"--secret-key", kTestSecret, "--baasbox-dev-mode", "true"}); }
};

TEST_F(BaasBoxDevModeTest, DevModeAdminHasTheLiteralPassword) {
  auto c = bb();
  ExpectOk(c.Get("/admin/role", {kAppHeader, Basic("admin", "admin")}));
}

class BaasBoxGeneratedAdminTest : public BbTest {
 protected:
  static void SetUpTestSuite() { StartServer({"--secret-key", kTestSecret}); }
};

TEST_F(BaasBoxGeneratedAdminTest, WithoutPasswordOrDevModeTheAdminPasswordIsGeneratedAndLogged) {
  auto c = bb();
  ExpectBbError(c.Get("/admin/role", {kAppHeader, Basic("admin", "admin")}), 401,
                "User admin is not authorized to access");
  std::string log = server_->log();
  const std::string marker = "created the BaasBox admin account with the generated password ";
  auto at = log.find(marker);
  ASSERT_NE(at, std::string::npos) << log;
  std::string pw = log.substr(at + marker.size(), 20);
  ExpectOk(c.Get("/admin/role", {kAppHeader, Basic("admin", pw)}));
}

}  // namespace
}  // namespace gbtest::bb
