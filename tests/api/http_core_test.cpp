// API tests: the HTTP core (routing, media types, body limits, CORS, timeouts, connection
// cap), settings, login options and health (errors.md §3–§4, misc.md).
#include <unistd.h>

#include <thread>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

class HttpCoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--secret-key", kTestSecret, "--body-limit-kb", "64", "--header-timeout-ms", "700",
        "--idle-timeout-ms", "1500", "--max-connections", "40", "--cors-origins", "*"});
    server_->Start();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(), 0) << server_->log();
    server_.reset();
  }
  HttpClient client() const { return HttpClient(server_->base_url()); }
  static std::string StaffAuth(HttpClient& c) {
    std::string email = UniqueEmail("staff");
    std::string out;
    EXPECT_EQ(RunCli(WithArgs({"create-user", "--email", email,
                      "--password", "staff-password", "--staff"}, server_->StoreArgs()), &out), 0) << out;
    auto res = c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "staff-password"}});
    return "Authorization: JWT " + std::string(res.json().as_object().at("access_token").as_string());
  }
  static inline std::unique_ptr<ServerProcess> server_;
};

TEST_F(HttpCoreTest, RoutingErrors) {
  auto c = client();
  EXPECT_JSON(c.Get("/api/foo/"), 404, R"({"error":"URL_NOT_FOUND","detail":"URL /api/foo/ not found."})");
  EXPECT_JSON(c.Get("/api/foo/", {"Accept: text/html"}), 404, R"({"error":"URL_NOT_FOUND","detail":"URL /api/foo/ not found."})");
  EXPECT_JSON(c.Get("/api/workspaces/abc/permissions/"), 404,
              R"({"error":"URL_NOT_FOUND","detail":"URL /api/workspaces/abc/permissions/ not found."})");
  EXPECT_JSON(c.Get("/api/user/dashboard"), 404,
              R"({"error":"URL_TRAILING_SLASH_MISSING","detail":"A valid URL must end with a trailing slash. Please, redirect requests to /api/user/dashboard/"})");
  EXPECT_JSON(c.Request("POST", "/api/settings"), 404,
              R"({"error":"URL_TRAILING_SLASH_MISSING","detail":"A valid URL must end with a trailing slash. Please, redirect requests to /api/settings/"})");
  auto put = c.Request("PUT", "/api/settings/", "{}");
  EXPECT_JSON(put, 405, R"({"detail":"Method \"PUT\" not allowed."})");
  EXPECT_EQ(put.header("allow"), "GET");
  // Authentication runs before the method check.
  EXPECT_EQ(c.Request("PUT", "/api/workspaces/").status, 401);
}

TEST_F(HttpCoreTest, BodyParsingAndMediaTypes) {
  auto c = client();
  EXPECT_JSON(c.Request("POST", "/api/user/", "name=x", {"Content-Type: text/plain"}), 415,
              R"({"detail":"Unsupported media type \"text/plain\" in request."})");
  auto bad = c.Request("POST", "/api/user/", "{\"name\": ");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(std::string(bad.json().as_object().at("detail").as_string()).rfind("JSON parse error - ", 0), 0u) << bad.body;
  EXPECT_EQ(bad.json().as_object().size(), 1u);
  // Wrong types are body validation errors, not parse errors.
  EXPECT_JSON(c.Request("POST", "/api/user/", R"({"name":["x"],"email":"a@example.com","password":"password1"})"), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"Not a valid string.","code":"invalid"}]}})");
  // JSON with a charset parameter is fine.
  auto ok = c.Request("POST", "/api/user/token-auth/", R"({"email":"nobody@example.com","password":"x"})",
                      {"Content-Type: application/json; charset=utf-8"});
  EXPECT_ERROR(ok, 401, "ERROR_INVALID_CREDENTIALS");
}

TEST_F(HttpCoreTest, OversizedBodyIs413AndChangesNothing) {
  auto c = client();
  std::string email = UniqueEmail("big");
  std::string big = R"({"name":"Big","email":")" + email + R"(","password":"password1","pad":")" +
                    std::string(70 * 1024, 'x') + "\"}";
  EXPECT_JSON(c.Request("POST", "/api/user/", big), 413, R"({"detail":"Request body too large."})");
  EXPECT_ERROR(c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "password1"}}), 401,
               "ERROR_INVALID_CREDENTIALS");
  // A body under the limit still works on a new connection.
  auto small = HttpClient(server_->base_url()).Get("/api/settings/");
  EXPECT_EQ(small.status, 200);
}

TEST_F(HttpCoreTest, CorsPreflightAndHeadersOnErrors) {
  auto c = client();
  auto pre = c.Request("OPTIONS", "/api/workspaces/", "",
                       {"Origin: http://frontend.test", "Access-Control-Request-Method: GET",
                        "Access-Control-Request-Headers: authorization,clientsessionid,websocketid"});
  EXPECT_EQ(pre.status, 200);
  EXPECT_EQ(pre.header("access-control-allow-origin"), "*");
  EXPECT_EQ(pre.header("access-control-allow-methods"), "DELETE, GET, OPTIONS, PATCH, POST, PUT");
  std::string allowed = pre.header("access-control-allow-headers");
  for (const char* h : {"authorization", "content-type", "clientsessionid", "websocketid",
                        "clientundoredoactiongroupid", "usersourceauthorization", "baserow-view-authorization"}) {
    EXPECT_NE(allowed.find(h), std::string::npos) << h;
  }
  auto err = c.Get("/api/workspaces/", {"Origin: http://frontend.test"});
  EXPECT_EQ(err.status, 401);
  EXPECT_EQ(err.header("access-control-allow-origin"), "*");
  EXPECT_EQ(c.Get("/api/settings/").header("access-control-allow-origin"), "");
}

TEST_F(HttpCoreTest, SettingsLoginOptionsAndHealth) {
  auto c = client();
  auto s = c.Get("/api/settings/");
  ASSERT_EQ(s.status, 200);
  auto keys = s.json().as_object();
  EXPECT_EQ(keys.size(), 11u);
  EXPECT_EQ(keys.at("co_branding_logo"), json::value(nullptr));
  EXPECT_EQ(keys.at("email_verification"), json::value("no_verification"));
  EXPECT_JSON(c.Get("/api/auth-provider/login-options/"), 200, R"({"password":{"type":"password"}})");
  for (const char* path : {"/api/_health/", "/_health/"}) {
    auto h = c.Get(path, {"Authorization: JWT broken"});
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(h.body, "OK");
    EXPECT_EQ(h.header("content-type"), "text/html; charset=utf-8");
  }
}

TEST_F(HttpCoreTest, SettingsUpdateIsStaffOnlyAndValidated) {
  auto c = client();
  std::string staff = StaffAuth(c);
  auto user = SignUp(c, "Plain", UniqueEmail("plain"));
  EXPECT_JSON(c.Patch("/api/settings/update/", json::object{{"allow_new_signups", false}}), 401,
              R"({"detail":"Authentication credentials were not provided."})");
  EXPECT_JSON(c.Patch("/api/settings/update/", json::object{{"allow_new_signups", false}}, {user.auth()}), 403,
              R"({"detail":"You do not have permission to perform this action."})");
  EXPECT_JSON(c.Patch("/api/settings/update/", json::object{{"email_verification", nullptr}}, {staff}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"email_verification":[{"error":"'null' is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_JSON(c.Patch("/api/settings/update/", json::object{{"account_deletion_grace_delay", -1}, {"allow_new_signups", "x"}}, {staff}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "allow_new_signups":[{"error":"Must be a valid boolean.","code":"invalid"}],
                   "account_deletion_grace_delay":[{"error":"Ensure this value is greater than or equal to 0.","code":"min_value"}]}})");
  auto res = c.Patch("/api/settings/update/", json::object{{"allow_new_signups", false}, {"account_deletion_grace_delay", 7}}, {staff});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().as_object().at("allow_new_signups"), json::value(false));
  EXPECT_EQ(res.json().as_object().at("account_deletion_grace_delay").as_int64(), 7);
  EXPECT_EQ(res.json().as_object().at("show_admin_signup_page"), json::value(false));
  EXPECT_JSON(c.Post("/api/user/", json::object{{"name", "Late"}, {"email", UniqueEmail("late")}, {"password", "password1"}}),
              400, R"({"error":"ERROR_DISABLED_SIGNUP","detail":""})");
  ASSERT_EQ(c.Patch("/api/settings/update/", json::object{{"allow_new_signups", true}}, {staff}).status, 200);
  EXPECT_EQ(c.Get("/api/settings/").json().as_object().at("allow_new_signups"), json::value(true));
  auto id1 = c.Get("/api/settings/instance-id/", {staff});
  ASSERT_EQ(id1.status, 200);
  EXPECT_EQ(id1.json().as_object().at("instance_id").as_string().size(), 32u);
  EXPECT_EQ(c.Get("/api/settings/instance-id/", {staff}).json(), id1.json());
  EXPECT_EQ(c.Get("/api/settings/instance-id/", {user.auth()}).status, 403);
  auto full = c.Get("/api/_health/full/", {staff});
  EXPECT_JSON(full, 200, R"({"passing":true,"checks":{"DatabaseBackend":"working"},"celery_queue_size":0,"celery_export_queue_size":0})");
  EXPECT_EQ(c.Get("/api/_health/full/", {user.auth()}).status, 403);
}

TEST_F(HttpCoreTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  int fd = ConnectRaw(server_->port());
  ASSERT_GE(fd, 0);
  std::string req = "GET /api/_health/ HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(SendRaw(fd, req + req));
  bool closed = false;
  std::string out = ReadUntilClose(fd, 500, &closed);
  EXPECT_FALSE(closed);
  size_t count = 0;
  for (size_t pos = 0; (pos = out.find("HTTP/1.1 200 OK", pos)) != std::string::npos; ++pos) ++count;
  EXPECT_EQ(count, 2u) << out;
  ::close(fd);
}

TEST_F(HttpCoreTest, SlowClientIsDisconnected) {
  int fd = ConnectRaw(server_->port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendRaw(fd, "GET /api/_health/ HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  bool closed = false;
  auto started = std::chrono::steady_clock::now();
  ReadUntilClose(fd, 5000, &closed);
  EXPECT_TRUE(closed) << "the server kept a connection with an unfinished header";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  ::close(fd);
  // The server still serves others.
  EXPECT_EQ(client().Get("/api/_health/").status, 200);
}

TEST_F(HttpCoreTest, OversizedHeaderIsRefused) {
  int fd = ConnectRaw(server_->port());
  ASSERT_GE(fd, 0);
  std::string req = "GET /api/_health/ HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
  SendRaw(fd, req);
  bool closed = false;
  std::string out = ReadUntilClose(fd, 3000, &closed);
  EXPECT_NE(out.find("431"), std::string::npos) << out.substr(0, 200);
  ::close(fd);
}

TEST_F(HttpCoreTest, ConnectionCapRefusesExtraConnections) {
  std::vector<int> fds;
  for (int i = 0; i < 40; ++i) {
    int fd = ConnectRaw(server_->port());
    ASSERT_GE(fd, 0);
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int extra = ConnectRaw(server_->port());
  ASSERT_GE(extra, 0);
  bool closed = false;
  std::string out = ReadUntilClose(extra, 2000, &closed);
  EXPECT_NE(out.find("503"), std::string::npos) << out;
  EXPECT_TRUE(closed);
  ::close(extra);
  for (int fd : fds) ::close(fd);
  // Once they are gone the server accepts again.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(client().Get("/api/_health/").status, 200);
}

}  // namespace
}  // namespace gbtest
