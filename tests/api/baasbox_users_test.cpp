// API tests of the BaasBox surface: mount and envelope (§1, §4), the §2.3 decision table,
// account endpoints (§9.2), admin user and role management (§9.3), session revocation (§3),
// and a JS-SDK-style end-to-end run (§10.1).
#include <set>

#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

class BaasBoxUsersTest : public BbTest {
 protected:
  static void SetUpTestSuite() {
    bb_port_ = FreePort();
    auto args = ServerArgs();
    args.push_back("--baasbox-port");
    args.push_back(std::to_string(bb_port_));
    StartServer(args);
  }
  static inline int bb_port_ = 0;
};

// --- §1 mount, §4 envelope ---------------------------------------------------------------

TEST_F(BaasBoxUsersTest, UnknownPathAndMethodAnswerApiNotFound) {
  auto c = bb();
  ExpectBbError(c.Get("/nope", {kAppHeader}), 404, "API not found", "", "unknown path");
  ExpectBbError(c.Delete("/me", {kAppHeader}), 404, "API not found", "", "unknown method");
  ExpectBbError(c.Get("/me/", {kAppHeader}), 404, "API not found", "", "trailing slash");
  ExpectBbError(c.Get("", {kAppHeader}), 404, "API not found", "", "bare prefix");
  // The Baserow side keeps its own error bodies; root-level /login is not BaasBox's here.
  auto r = root();
  auto res = r.Post("/login", json::object{{"username", "x"}});
  EXPECT_FALSE(res.body.find("\"result\"") != std::string::npos) << res.body;
  auto api = r.Get("/api/nope/");
  EXPECT_EQ(api.status, 404);
  EXPECT_EQ(api.json().as_object().count("result"), 0u) << api.body;
}

TEST_F(BaasBoxUsersTest, ErrorEnvelopeShapeHeadersCallIdAndRedaction) {
  auto c = bb();
  auto res = c.Get("/me?call_id=abc+1", {kAppHeader, "Authorization: Basic !!!", "X-Custom: v",
                                         "Cookie: sid=secret"});
  ExpectBbError(res, 401, "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  auto o = res.json().as_object();
  EXPECT_EQ(o.at("call_id"), "abc 1");
  EXPECT_EQ(o.at("resource"), "/baasbox/me");
  EXPECT_EQ(o.at("method"), "GET");
  const auto& h = o.at("request_header").as_object();
  EXPECT_EQ(h.at("authorization"), json::array{"***"});
  EXPECT_EQ(h.at("cookie"), json::array{"***"});
  EXPECT_EQ(h.at("x-custom"), json::array{"v"});
  EXPECT_EQ(h.at("x-baasbox-appcode"), json::array{kAppCode});
  EXPECT_EQ(res.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(res.header("access-control-allow-origin"), "*");
  EXPECT_EQ(res.header("access-control-allow-headers"), "X-Requested-With");
  EXPECT_FALSE(res.header("date").empty());
  // A token is redacted too.
  auto t = c.Get("/me", {Session("00000000-0000-4000-8000-000000000000")});
  EXPECT_EQ(t.json().as_object().at("request_header").as_object().at("x-bb-session"), json::array{"***"});
  EXPECT_EQ(t.body.find("00000000-0000-4000-8000-000000000000"), std::string::npos);
}

TEST_F(BaasBoxUsersTest, SuccessEnvelopeAndOptions) {
  std::string token = SignUp(Unique("env"));
  auto c = bb();
  auto res = c.Get("/refresh?call_id=7", {Session(token)});
  EXPECT_EQ(res.json(), J(R"({"result":"ok","data":"","http_code":200,"call_id":"7"})"));
  EXPECT_EQ(res.header("access-control-allow-origin"), "*");
  EXPECT_FALSE(res.header("date").empty());
  auto opt = c.Request("OPTIONS", "/anything/at/all", "", {"Access-Control-Request-Headers: x-bb-session, x-baasbox-appcode"});
  EXPECT_EQ(opt.status, 200);
  EXPECT_EQ(opt.header("access-control-allow-methods"), "OPTIONS, GET, POST, PUT, DELETE");
  EXPECT_EQ(opt.header("allow"), "OPTIONS, GET, POST, PUT, DELETE");
  EXPECT_EQ(opt.header("access-control-allow-origin"), "*");
  EXPECT_EQ(opt.header("access-control-allow-headers"), "x-bb-session, x-baasbox-appcode");
}

TEST_F(BaasBoxUsersTest, DedicatedListenerServesTheRootPaths) {
  HttpClient c("http://127.0.0.1:" + std::to_string(bb_port_));
  std::string name = Unique("root");
  ExpectOk(c.Post("/user", json::object{{"username", name}, {"password", "pw"}}, {kAppHeader}), 201);
  auto data = ExpectOk(c.Request("POST", "/login", "username=" + name + "&password=pw&appcode=1234567890",
                                 {"Content-Type: application/x-www-form-urlencoded"}));
  std::string token(data.as_object().at("X-BB-SESSION").as_string());
  // One session table for both mounts.
  ExpectOk(bb().Get("/me", {Session(token)}));
  ExpectBbError(c.Get("/baasbox/me", {Session(token)}), 404, "API not found");
  ExpectBbError(c.Get("/api/_health/"), 404, "API not found");
}

// --- §2.3 decision table, row by row (USER: GET /me; ADMIN: GET /admin/role) -------------

TEST_F(BaasBoxUsersTest, DecisionTableForUserEndpoint) {
  std::string name = Unique("dt");
  std::string token = SignUp(name, "secret");
  auto c = bb();
  const std::string gone = "Authentication info not valid or not provided. HINT: is your session expired?";
  // Row 1: nothing but the app code / nothing at all.
  ExpectBbError(c.Get("/me", {kAppHeader}), 401, "Missing both Session Token and Authorization info", "", "1a");
  ExpectBbError(c.Get("/me"), 400, "Missing Session Token, Authorization info and even the AppCode", "", "1b");
  // Row 2: Authorization without app code.
  ExpectBbError(c.Get("/me", {Basic(name, "secret")}), 400, "Invalid App Code. AppCode is empty or not set", "", "2");
  // Row 3: token present — unknown, and the app-code header ignored for a live one.
  ExpectBbError(c.Get("/me", {Session("not-a-token"), kAppHeader}), 401, gone, "40101", "3 unknown");
  ExpectOk(c.Get("/me", {Session(token), "X-BAASBOX-APPCODE: wrong"}), 200, "3 own app code");
  ExpectOk(c.Get("/me", {Session(token)}), 200, "3 no app code");
  ExpectOk(c.Get("/me?X-BB-SESSION=" + token), 200, "3 query token");
  ExpectOk(c.Get("/me", {Session(token), "Authorization: Basic !!"}), 200, "3 token wins");
  // Row 4: undecodable Basic / no pair / another scheme.
  ExpectBbError(c.Get("/me", {kAppHeader, "Authorization: Basic %%%"}), 401, gone, "40101", "4 undecodable");
  ExpectBbError(c.Get("/me", {kAppHeader, "Authorization: Basic " + Base64("nocolon")}), 401, gone, "40101", "4 pair");
  ExpectBbError(c.Get("/me", {kAppHeader, "Authorization: Bearer " + Base64(name + ":secret")}), 401, gone, "40101",
                "4 scheme");
  // Row 5: internal accounts, whatever the password and app code.
  ExpectBbError(c.Get("/me", {"X-BAASBOX-APPCODE: wrong", Basic("baasbox", "baasbox")}), 403,
                "The user baasbox cannot access via REST", "", "5 baasbox");
  ExpectBbError(c.Get("/me", {kAppHeader, Basic("Internal_Admin", "x")}), 403,
                "The user Internal_Admin cannot access via REST", "", "5 internal_admin");
  // Row 6: wrong app code; unknown user; wrong password.
  ExpectBbError(c.Get("/me", {"X-BAASBOX-APPCODE: wrong", Basic(name, "secret")}), 401,
                "Authentication info not valid or not provided: wrong is an Invalid App Code", "", "6 app code");
  ExpectBbError(c.Get("/me", {kAppHeader, Basic("ghost_user", "secret")}), 401,
                "User ghost_user is not authorized to access", "", "6 unknown");
  ExpectBbError(c.Get("/me", {kAppHeader, Basic(name, "wrong")}), 401,
                "User " + name + " is not authorized to access", "", "6 password");
  // Basic with the app code in the query string; colon inside the password splits at the first.
  ExpectOk(c.Get("/me?X-BAASBOX-APPCODE=1234567890", {Basic(name, "secret")}), 200, "basic query app code");
  std::string colon = Unique("colon");
  SignUp(colon, "a:b:c");
  ExpectOk(c.Get("/me", {kAppHeader, Basic(colon, "a:b:c")}), 200, "colon password");
  // Row 6, suspended account.
  ExpectOk(c.Request("PUT", "/me/suspend", "", {Session(token)}));
  ExpectBbError(c.Get("/me", {kAppHeader, Basic(name, "secret")}), 401,
                "User " + name + " is not authorized to access", "", "6 suspended");
}

TEST_F(BaasBoxUsersTest, AdminAndAppCodeAccessClasses) {
  std::string name = Unique("plain");
  std::string token = SignUp(name);
  auto c = bb();
  ExpectBbError(c.Get("/admin/role", {Session(token)}), 403, "User " + name + " is not an administrator");
  ExpectBbError(c.Get("/admin/role", {kAppHeader}), 401, "Missing both Session Token and Authorization info");
  ExpectOk(c.Get("/admin/role", {kAppHeader, Basic("admin", kAdminPassword)}));
  // APPCODE class: header, X-BAASBOX-APPCODE or appcode query parameter; credentials ignored.
  ExpectBbError(c.Get("/user/x/exists"), 400, "Invalid App Code. AppCode is empty or not set");
  ExpectBbError(c.Get("/user/x/exists", {"X-BAASBOX-APPCODE: nope", Session(token)}), 401,
                "Authentication info not valid or not provided: nope is an Invalid App Code");
  ExpectBbError(c.Get("/user/x/exists?appcode=1234567890"), 501, "");
  ExpectBbError(c.Get("/user/x/exists", {kAppHeader, Session("stale")}), 501, "");
  ExpectBbError(c.Post("/user", json::object{{"username", "u"}, {"password", "p"}}), 400,
                "Invalid App Code. AppCode is empty or not set");
}

// --- §9.2.1 sign-up ----------------------------------------------------------------------

TEST_F(BaasBoxUsersTest, SignUpReturnsProfileAndSession) {
  auto c = bb();
  std::string name = Unique("Cesare");
  auto res = c.Post("/user",
                    json::object{{"username", name},
                                 {"password", "password"},
                                 {"appcode", kAppCode},
                                 {"visibleByTheUser", {{"email", "c@example.com"}}},
                                 {"visibleByRegisteredUsers", {{"nick", "ces"}}}},
                    {kAppHeader, Session("stale-token-ignored")});
  auto data = ExpectOk(res, 201).as_object();
  std::string token(data.at("X-BB-SESSION").as_string());
  EXPECT_EQ(token.size(), 36u);
  EXPECT_EQ(token[14], '4');
  EXPECT_EQ(res.header("x-bb-session"), token);
  EXPECT_EQ(data.at("user"), json::value({{"name", name}, {"status", "ACTIVE"},
                                          {"roles", json::array{{{"name", "registered"}, {"isrole", true}}}}}));
  EXPECT_EQ(data.at("visibleByTheUser"), J(R"({"email":"c@example.com"})"));
  EXPECT_EQ(data.at("visibleByRegisteredUsers"), J(R"({"nick":"ces","_social":{}})"));
  EXPECT_EQ(data.at("visibleByFriends"), J("{}"));
  EXPECT_EQ(data.at("visibleByAnonymousUsers"), J("{}"));
  EXPECT_EQ(data.at("generated_username"), false);
  std::string date(data.at("signUpDate").as_string());
  EXPECT_EQ(date.size(), 28u) << date;
  EXPECT_EQ(date.substr(23), "+0000");
  EXPECT_EQ(data.at("id").as_string().size(), 36u);
  EXPECT_FALSE(data.contains("password"));
  // The new session works.
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(token)})).as_object().at("user").as_object().at("name"), json::value(name));
}

TEST_F(BaasBoxUsersTest, SignUpErrorsChangeNothing) {
  auto c = bb();
  std::string taken = Unique("Taken");
  SignUp(taken, "pw", {{"visibleByTheUser", {{"email", "Taken@Example.com"}}}});
  auto count = [&] { return RunSql(server_->db_file(), "SELECT COUNT(*) FROM bb_user"); };
  auto before = count();
  ASSERT_TRUE(before.has_value());
  const std::string body_missing =
      "The body payload cannot be empty. Hint: put in the request header Content-Type: application/json";
  ExpectBbError(c.Request("POST", "/user", "", {kAppHeader}), 400, body_missing, "", "empty");
  ExpectBbError(c.Request("POST", "/user", "username=a", {kAppHeader, "Content-Type: text/plain"}), 400, body_missing,
                "", "text/plain");
  ExpectBbError(c.Request("POST", "/user", "{bad", {kAppHeader}), 400, body_missing, "", "bad json");
  ExpectBbError(c.Request("POST", "/user", "[1]", {kAppHeader}), 400, body_missing, "", "array");
  ExpectBbError(c.Post("/user", json::object{{"password", "p"}}, {kAppHeader}), 400, "The 'username' field is missing");
  ExpectBbError(c.Post("/user", json::object{{"username", ""}, {"password", "p"}}, {kAppHeader}), 400,
                "The 'username' field is missing");
  ExpectBbError(c.Post("/user", json::object{{"username", 5}, {"password", "p"}}, {kAppHeader}), 400,
                "The 'username' field is missing");
  ExpectBbError(c.Post("/user", json::object{{"username", "n1"}}, {kAppHeader}), 400, "The 'password' field is missing");
  ExpectBbError(c.Post("/user", json::object{{"username", "n1"}, {"password", ""}}, {kAppHeader}), 422,
                "The password field cannot be empty");
  ExpectBbError(c.Post("/user", json::object{{"username", "n1"}, {"password", "p"}, {"visibleByFriends", "x"}},
                       {kAppHeader}),
                400, "One or more profile sections is not a valid JSON object");
  ExpectBbError(c.Post("/user", json::object{{"username", "n1"}, {"password", "p"},
                                             {"visibleByTheUser", {{"email", "not-an-email"}}}},
                       {kAppHeader}),
                400, "The email address must be valid.");
  ExpectBbError(c.Post("/user", json::object{{"username", taken}, {"password", "p"}}, {kAppHeader}), 400,
                "Error signing up", "", "taken");
  std::string upper = taken;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  ExpectBbError(c.Post("/user", json::object{{"username", upper}, {"password", "p"}}, {kAppHeader}), 400,
                "Error signing up", "", "case-insensitive");
  ExpectBbError(c.Post("/user", json::object{{"username", "n2"}, {"password", "p"},
                                             {"visibleByTheUser", {{"email", "taken@example.COM"}}}},
                       {kAppHeader}),
                400, "Error signing up", "", "email taken");
  for (const char* reserved : {"baasbox", "INTERNAL_ADMIN", "a/b"})
    ExpectBbError(c.Post("/user", json::object{{"username", reserved}, {"password", "p"}}, {kAppHeader}), 400,
                  "Error signing up", "", reserved);
  ExpectBbError(c.Post("/user", json::object{{"username", std::string(256, 'x')}, {"password", "p"}}, {kAppHeader}),
                400, "Error signing up", "", "too long");
  EXPECT_EQ(count(), before);
}

// --- §9.2.2–3 login, logout ---------------------------------------------------------------

TEST_F(BaasBoxUsersTest, LoginFormAndJsonAndErrors) {
  std::string name = Unique("login");
  SignUp(name, "pw one");
  auto c = bb();
  const std::string form = "Content-Type: application/x-www-form-urlencoded";
  auto f = c.Request("POST", "/login", "username=" + name + "&password=pw+one&appcode=1234567890",
                     {form, Session("stale-token"), "Authorization: Basic garbage"});
  auto data = ExpectOk(f, 200, "form").as_object();
  EXPECT_EQ(f.header("x-bb-session"), std::string(data.at("X-BB-SESSION").as_string()));
  EXPECT_EQ(data.at("user").as_object().at("name"), json::value(name));
  EXPECT_TRUE(data.contains("visibleByTheUser"));
  // Case-insensitive login name; JSON body with charset; numeric app code.
  std::string upper = name;
  upper[0] = 'L';
  auto j = c.Request("POST", "/login",
                     json::serialize(json::object{{"username", upper}, {"password", "pw one"}, {"appcode", 1234567890}}),
                     {"Content-Type: application/json; charset=utf-8"});
  ExpectOk(j, 200, "json");
  // Two logins, two independent tokens.
  EXPECT_NE(Login(name, "pw one"), Login(name, "pw one"));

  ExpectBbError(c.Request("POST", "/login", "x", {"Content-Type: text/plain"}), 400,
                "missing data : is the body x-www-form-urlencoded or application/json? Detected: text/plain");
  ExpectBbError(c.Request("POST", "/login", "password=a&appcode=1234567890", {form}), 400,
                "The 'username' field is missing");
  ExpectBbError(c.Request("POST", "/login", "username=a&appcode=1234567890", {form}), 400,
                "The 'password' field is missing");
  ExpectBbError(c.Request("POST", "/login", "username=a&password=b", {form}), 400, "The 'appcode' field is missing");
  ExpectBbError(c.Request("POST", "/login", "username=baasbox&password=b&appcode=1234567890", {form}), 403,
                "baasbox cannot login");
  ExpectBbError(c.Request("POST", "/login", "username=" + name + "&password=pw+one&appcode=999", {form}), 400,
                "user " + name + " unauthorized");
  ExpectBbError(c.Request("POST", "/login", "username=" + name + "&password=bad&appcode=1234567890", {form}), 401,
                "user " + name + " unauthorized");
  ExpectBbError(c.Request("POST", "/login", "username=nobody_here&password=bad&appcode=1234567890", {form}), 401,
                "user nobody_here unauthorized");
  ExpectBbError(c.Request("POST", "/login",
                          "username=" + name + "&password=pw+one&appcode=1234567890&login_data=%7Bnot", {form}),
                400, "login_data field is not a valid json string");
  ExpectOk(c.Request("POST", "/login",
                     "username=" + name +
                         "&password=pw+one&appcode=1234567890&login_data=%7B%22os%22%3A%22android%22%2C%22deviceId%22%3A%22d1%22%7D",
                     {form}));
}

TEST_F(BaasBoxUsersTest, LogoutRemovesOnlyThePresentedToken) {
  std::string name = Unique("logout");
  std::string t1 = SignUp(name);
  std::string t2 = Login(name, "pw");
  auto c = bb();
  EXPECT_EQ(ExpectOk(c.Request("POST", "/logout", "", {Session(t1), "Content-Type: application/x-www-form-urlencoded"})),
            json::value("user logged out"));
  ExpectBbError(c.Get("/me", {Session(t1)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  ExpectOk(c.Get("/me", {Session(t2)}));
  EXPECT_EQ(ExpectOk(c.Request("POST", "/logout/device-9", "", {Session(t2)})),
            json::value("pushToken: device-9 logged out"));
  ExpectBbError(c.Get("/me", {Session(t2)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  // Basic: a no-op 200.
  EXPECT_EQ(ExpectOk(c.Request("POST", "/logout", "", {kAppHeader, Basic(name, "pw")})), json::value("user logged out"));
}

// --- §9.2.4–9 me, profile, visibility ------------------------------------------------------

TEST_F(BaasBoxUsersTest, UpdateProfileReplacesSectionsAndKeepsSocial) {
  std::string name = Unique("prof");
  std::string token = SignUp(name, "pw", {{"visibleByFriends", {{"a", 1}}}, {"visibleByTheUser", {{"x", 1}}}});
  auto c = bb();
  auto res = c.Request("PUT", "/me",
                       json::serialize(json::object{{"visibleByTheUser", {{"email", "p@example.com"}}},
                                                    {"visibleByRegisteredUsers", {{"k", "v"}}},
                                                    {"ignored", 1}}),
                       {Session(token)});
  auto data = ExpectOk(res).as_object();
  EXPECT_EQ(data.at("visibleByTheUser"), J(R"({"email":"p@example.com"})"));
  EXPECT_EQ(data.at("visibleByRegisteredUsers"), J(R"({"k":"v","_social":{}})"));
  EXPECT_EQ(data.at("visibleByFriends"), J(R"({"a":1})"));
  EXPECT_FALSE(data.contains("X-BB-SESSION"));
  // Deprecated alias PUT /user (iOS) and GET /user.
  ExpectOk(c.Request("PUT", "/user", R"({"visibleByAnonymousUsers":{"pub":true}})", {Session(token)}));
  EXPECT_EQ(ExpectOk(c.Get("/user", {Session(token)})).as_object().at("visibleByAnonymousUsers"), J(R"({"pub":true})"));
  // Errors change nothing.
  ExpectBbError(c.Request("PUT", "/me", "", {Session(token)}), 400,
                "The body payload cannot be empty. Hint: put in the request header Content-Type: application/json");
  ExpectBbError(c.Request("PUT", "/me", R"({"visibleByTheUser":{"email":"bad"},"visibleByFriends":{}})", {Session(token)}),
                400, "The email address must be valid.");
  ExpectBbError(c.Request("PUT", "/me", R"({"visibleByFriends":[1],"visibleByTheUser":{}})", {Session(token)}), 400,
                "One or more profile sections is not a valid JSON object");
  auto after = ExpectOk(c.Get("/me", {Session(token)})).as_object();
  EXPECT_EQ(after.at("visibleByTheUser"), J(R"({"email":"p@example.com"})"));
  EXPECT_EQ(after.at("visibleByFriends"), J(R"({"a":1})"));
}

TEST_F(BaasBoxUsersTest, ProfileVisibilityPerViewer) {
  std::string owner = Unique("owner");
  SignUp(owner, "pw",
         {{"visibleByTheUser", {{"secret", 1}}}, {"visibleByFriends", {{"f", 1}}},
          {"visibleByRegisteredUsers", {{"r", 1}}}, {"visibleByAnonymousUsers", {{"a", 1}}}});
  std::string other = SignUp(Unique("viewer"));
  auto c = bb();
  auto seen = ExpectOk(c.Get("/user/" + owner, {Session(other)})).as_object();
  EXPECT_FALSE(seen.contains("visibleByTheUser"));
  EXPECT_FALSE(seen.contains("visibleByFriends"));
  EXPECT_EQ(seen.at("visibleByRegisteredUsers"), J(R"({"r":1,"_social":{}})"));
  EXPECT_EQ(seen.at("visibleByAnonymousUsers"), J(R"({"a":1})"));
  auto admin = ExpectOk(c.Get("/user/" + owner, {Session(AdminToken())})).as_object();
  EXPECT_EQ(admin.at("visibleByTheUser"), J(R"({"secret":1})"));
  EXPECT_EQ(admin.at("visibleByFriends"), J(R"({"f":1})"));
  auto self = ExpectOk(c.Get("/user/" + owner, {kAppHeader, Basic(owner, "pw")})).as_object();
  EXPECT_EQ(self.at("visibleByTheUser"), J(R"({"secret":1})"));
  ExpectBbError(c.Get("/user/nobody_at_all", {Session(other)}), 404, "nobody_at_all not found");
  ExpectBbError(c.Get("/user/baasbox", {Session(other)}), 400, "baasbox cannot be queried");
  ExpectBbError(c.Get("/user/internal_admin", {Session(other)}), 400, "internal_admin cannot be queried");
}

// --- §9.2.6–8 and §3 revocation ------------------------------------------------------------

TEST_F(BaasBoxUsersTest, PasswordChangeRevokesEveryToken) {
  std::string name = Unique("pwc");
  std::string t1 = SignUp(name, "old");
  std::string t2 = Login(name, "old");
  auto c = bb();
  ExpectBbError(c.Request("PUT", "/me/password", R"({"new":"x"})", {Session(t1)}), 400, "The 'old' field is missing");
  ExpectBbError(c.Request("PUT", "/me/password", R"({"old":"old"})", {Session(t1)}), 400, "The 'new' field is missing");
  ExpectBbError(c.Request("PUT", "/me/password", R"({"old":"old","new":""})", {Session(t1)}), 422,
                "The password field cannot be empty");
  ExpectBbError(c.Request("PUT", "/me/password", R"({"old":"nope","new":"x"})", {Session(t1)}), 400,
                "The old password does not match with the current one");
  ExpectOk(c.Get("/me", {Session(t2)}));  // nothing changed so far
  EXPECT_EQ(ExpectOk(c.Request("PUT", "/me/password", R"({"old":"old","new":"new"})", {Session(t1)})), json::value(""));
  for (const auto& t : {t1, t2})
    ExpectBbError(c.Get("/me", {Session(t)}), 401,
                  "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  ExpectBbError(c.Get("/me", {kAppHeader, Basic(name, "old")}), 401, "User " + name + " is not authorized to access");
  ExpectOk(c.Get("/me", {kAppHeader, Basic(name, "new")}));
  // Deprecated alias.
  std::string t3 = Login(name, "new");
  ExpectOk(c.Request("PUT", "/user/password", R"({"old":"new","new":"newer"})", {Session(t3)}));
  Login(name, "newer");
}

TEST_F(BaasBoxUsersTest, UsernameChangeRevokesTokens) {
  std::string name = Unique("ren");
  std::string taken = Unique("rentaken");
  SignUp(taken);
  std::string token = SignUp(name);
  auto c = bb();
  ExpectBbError(c.Request("PUT", "/me/username", R"({"username":5})", {Session(token)}), 400,
                "'username' field must be a String");
  ExpectBbError(c.Request("PUT", "/me/username", R"({})", {Session(token)}), 400, "'username' field must be a String");
  for (const std::string& bad : {taken, std::string("baasbox"), std::string(""), std::string("a/b")})
    ExpectBbError(c.Request("PUT", "/me/username", json::serialize(json::object{{"username", bad}}), {Session(token)}),
                  400, "Username not valid", "", bad.c_str());
  std::string renamed = Unique("renamed");
  ExpectOk(c.Request("PUT", "/me/username", json::serialize(json::object{{"username", renamed}}), {Session(token)}));
  ExpectBbError(c.Get("/me", {Session(token)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  std::string t2 = Login(renamed, "pw");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(t2)})).as_object().at("user").as_object().at("name"), json::value(renamed));
  ExpectBbError(c.Get("/user/" + name, {Session(t2)}), 404, name + " not found");
}

TEST_F(BaasBoxUsersTest, SuspensionEndsSessionsForGood) {
  std::string name = Unique("susp");
  std::string token = SignUp(name);
  auto c = bb();
  ExpectOk(c.Request("PUT", "/me/suspend", "", {Session(token)}));
  ExpectBbError(c.Get("/me", {Session(token)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  ExpectBbError(c.Post("/login", json::object{{"username", name}, {"password", "pw"}, {"appcode", kAppCode}}), 401,
                "user " + name + " unauthorized");
  std::string admin = AdminToken();
  auto status = [&] {
    return ExpectOk(c.Get("/admin/user/" + name, {Session(admin)})).as_object().at("user").as_object().at("status");
  };
  EXPECT_EQ(status(), "SUSPENDED");
  ExpectOk(c.Request("PUT", "/admin/user/activate/" + name, "", {Session(admin)}));
  EXPECT_EQ(status(), "ACTIVE");
  // Re-activation does not revive the old token (§3 Deviation).
  ExpectBbError(c.Get("/me", {Session(token)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  std::string fresh = Login(name, "pw");
  ExpectOk(c.Request("PUT", "/admin/user/suspend/" + name, "", {Session(admin)}));
  ExpectBbError(c.Get("/me", {Session(fresh)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  ExpectBbError(c.Request("PUT", "/admin/user/suspend/baasbox", "", {Session(admin)}), 400,
                "Cannot disable/suspend internal users");
  ExpectBbError(c.Request("PUT", "/admin/user/activate/internal_admin", "", {Session(admin)}), 400,
                "Cannot enable/activate internal users");
  ExpectBbError(c.Request("PUT", "/admin/user/activate/ghost_x", "", {Session(admin)}), 400, "User ghost_x not found");
}

// --- §9.2.11–12 exists, password reset ---------------------------------------------------

TEST_F(BaasBoxUsersTest, PasswordResetWithoutMailServer) {
  std::string with_mail = Unique("mail");
  SignUp(with_mail, "pw", {{"visibleByTheUser", {{"email", with_mail + "@example.com"}}}});
  std::string without = Unique("nomail");
  SignUp(without);
  auto c = bb();
  ExpectBbError(c.Get("/user/ghost_u/password/reset", {kAppHeader}), 400, "Username ghost_u not found!");
  ExpectBbError(c.Get("/user/" + without + "/password/reset", {kAppHeader}), 400,
                "Cannot reset password, the \"email\" attribute is not defined into the user's private profile");
  ExpectBbError(c.Get("/user/" + with_mail + "/password/reset", {kAppHeader}), 400,
                "Cannot send mail to reset the password:  Could not reach the mail server. Please contact the server "
                "administrator");
  ExpectBbError(c.Get("/user/" + with_mail + "/password/reset"), 400, "Invalid App Code. AppCode is empty or not set");
  ExpectBbError(c.Get("/user/" + with_mail + "/exists", {kAppHeader}), 501, "");
}

// --- §9.2.10 GET /users, §9.3 GET /admin/user: criteria over user paths (§8.6) ----------------

TEST_F(BaasBoxUsersTest, UserListsWithCriteriaAndVisibility) {
  std::string prefix = Unique("lst") + "_";
  std::string a = prefix + "a", b = prefix + "b";
  std::string ta = SignUp(a, "pw",
                          {{"visibleByTheUser", {{"email", a + "@example.com"}}},
                           {"visibleByRegisteredUsers", {{"team", "red"}}}});
  SignUp(b, "pw", {{"visibleByTheUser", {{"email", b + "@example.com"}}}, {"visibleByRegisteredUsers", {{"team", "blue"}}}});
  auto c = bb();
  const std::string like = "where=user.name+like+%3F&params=" + prefix + "%25";
  auto names = [](const json::value& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows.as_array()) out.emplace_back(r.as_object().at("user").as_object().at("name").as_string());
    return out;
  };
  auto list = ExpectOk(c.Get("/users?" + like, {Session(ta)}));
  EXPECT_EQ(names(list), (std::vector<std::string>{a, b}));
  // The other user's private section is left out of the row, and cannot be probed.
  EXPECT_FALSE(list.as_array()[1].as_object().contains("visibleByTheUser"));
  EXPECT_TRUE(list.as_array()[0].as_object().contains("visibleByTheUser"));
  auto mine = ExpectOk(c.Get("/users?where=visibleByTheUser.email+like+%3F&params=" + prefix + "%25", {Session(ta)}));
  EXPECT_EQ(names(mine), (std::vector<std::string>{a}));
  auto red = ExpectOk(c.Get("/users?where=visibleByRegisteredUsers.team+%3D+%3F&params=blue&params=x", {Session(ta)}));
  ASSERT_EQ(red.as_array().size(), 1u);
  EXPECT_EQ(names(red), (std::vector<std::string>{b}));
  // count, paging, orderBy, fields with the system section (§5.5).
  EXPECT_EQ(ExpectOk(c.Get("/users?" + like + "&count=true", {Session(ta)})), J(R"([{"count":2}])"));
  EXPECT_EQ(names(ExpectOk(c.Get("/users?" + like + "&orderBy=user.name+desc&page=0&recordsPerPage=1", {Session(ta)}))),
            (std::vector<std::string>{b}));
  auto proj = ExpectOk(c.Get("/users?" + like + "&fields=user.name+as+n,system+as+s", {Session(ta)})).as_array();
  ASSERT_EQ(proj.size(), 2u);
  EXPECT_EQ(proj[0].as_object().at("n"), json::value(a));
  EXPECT_TRUE(proj[0].as_object().at("s").is_object());
  EXPECT_TRUE(proj[1].as_object().at("s").is_null());
  // Criteria errors.
  const std::string bad = "Invalid criteria. Please check your query, the syntax and the parameters";
  ExpectBbError(c.Get("/users?where=user.password+%3D+%27x%27", {Session(ta)}), 400, bad);
  ExpectBbError(c.Get("/users?where=user.name+%3D%3D", {Session(ta)}), 400, bad);
  ExpectBbError(c.Get("/users?where=user.name+%3D+%3F", {Session(ta)}), 400, bad);
  ExpectBbError(c.Get("/users?page=x", {Session(ta)}), 400, "page parameter must be a valid Integer");
  ExpectBbError(c.Get("/users", {kAppHeader}), 401, "Missing both Session Token and Authorization info");
  // The admin list: everything visible, plus system.login_info; its own criteria message.
  std::string admin = AdminToken();
  auto all = ExpectOk(c.Get("/admin/user?" + like, {Session(admin)})).as_array();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[1].as_object().contains("visibleByTheUser"));
  EXPECT_TRUE(all[1].as_object().at("system").as_object().at("login_info").is_array());
  ExpectBbError(c.Get("/admin/user?where=((", {Session(admin)}), 400, "The request is malformed: check your query criteria");
  ExpectBbError(c.Get("/admin/user", {Session(ta)}), 403, "User " + a + " is not an administrator");
}

// --- §9.3 admin user management -------------------------------------------------------------

TEST_F(BaasBoxUsersTest, AdminCreatesUsersWithRoles) {
  std::string admin = AdminToken();
  auto c = bb();
  auto post = [&](const json::object& body) { return c.Post("/admin/user", body, {Session(admin)}); };
  std::string name = Unique("made");
  ExpectBbError(post({{"password", "p"}, {"role", "registered"}}), 400, "The 'username' field is missing");
  ExpectBbError(post({{"username", name}, {"role", "registered"}}), 400, "The 'password' field is missing");
  ExpectBbError(post({{"username", name}, {"password", "p"}}), 400, "The 'role' field is missing");
  ExpectBbError(post({{"username", name}, {"password", "p"}, {"role", "nosuchrole"}}), 400,
                "Role nosuchrole does not exists");
  ExpectBbError(post({{"username", name}, {"password", "p"}, {"role", "anonymous"}}), 400,
                "Role anonymous is not assignable");
  ExpectBbError(post({{"username", name}, {"password", "p"}, {"role", "registered"},
                      {"visibleByTheUser", {{"email", "nope"}}}}),
                400, "The email address must be valid.");
  ExpectBbError(c.Get("/admin/user/" + name, {Session(admin)}), 404, "User " + name + " not found");
  EXPECT_EQ(ExpectOk(post({{"username", name}, {"password", "p"}, {"role", "backoffice"},
                           {"visibleByTheUser", {{"email", name + "@example.com"}}}, {"id", "my-own-id-" + name}}),
                     201),
            json::value(""));
  auto prof = ExpectOk(c.Get("/admin/user/" + name, {Session(admin)})).as_object();
  EXPECT_EQ(prof.at("id"), json::value("my-own-id-" + name));
  EXPECT_EQ(prof.at("user").as_object().at("roles"), J(R"([{"name":"backoffice","isrole":true}])"));
  ExpectBbError(post({{"username", name}, {"password", "p"}, {"role", "registered"}}), 400,
                "User " + name + " already exists");
  std::string m2 = Unique("m2");
  ExpectBbError(post({{"username", m2}, {"password", "p"}, {"role", "registered"},
                      {"visibleByTheUser", {{"email", name + "@EXAMPLE.com"}}}}),
                400, m2 + ": the email provided is already in use");
  std::string other = Unique("m3");
  auto dup = post({{"username", other}, {"password", "p"}, {"role", "registered"}, {"id", "my-own-id-" + name}});
  ExpectBbError(dup, 400, "Provided ID already exists: \"my-own-id-" + name + "\"");
  ExpectBbError(post({{"username", other}, {"password", "p"}, {"role", "registered"}, {"id", "#1:2"}}), 400,
                "Invalid id");
  ExpectBbError(c.Get("/admin/user/" + other, {Session(admin)}), 404, "User " + other + " not found");
  // The new account logs in and holds its role.
  std::string t = Login(name, "p");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(t)})).as_object().at("user").as_object().at("roles"),
            J(R"([{"name":"backoffice","isrole":true}])"));
}

TEST_F(BaasBoxUsersTest, AdminUpdateUserAndPassword) {
  std::string admin = AdminToken();
  std::string name = Unique("upd");
  std::string token = SignUp(name);
  auto c = bb();
  auto put = [&](const std::string& u, const std::string& body) {
    return c.Request("PUT", "/admin/user/" + u, body, {Session(admin)});
  };
  const std::string all4 =
      R"("visibleByTheUser":{"e":1},"visibleByFriends":{},"visibleByRegisteredUsers":{},"visibleByAnonymousUsers":{})";
  ExpectBbError(put(name, R"({"visibleByFriends":{},"visibleByRegisteredUsers":{},"visibleByAnonymousUsers":{}})"), 400,
                "The 'visibleByTheUser' field is missing");
  ExpectBbError(put(name, R"({"visibleByTheUser":{"email":"x"},"visibleByFriends":{},"visibleByRegisteredUsers":{},"visibleByAnonymousUsers":{}})"),
                400, "The email address must be valid.");
  ExpectBbError(put("ADMIN", "{" + all4 + "}"), 400, "User 'admin' cannot change role");
  ExpectBbError(put("ghost_upd", "{" + all4 + "}"), 400, "ghost_upd is not a user");
  ExpectBbError(put(name, "{" + all4 + R"(,"role":"nope"})"), 400, "nope is not a role");
  ExpectBbError(put(name, "{" + all4 + R"(,"role":"anonymous"})"), 400, "Role anonymous is not assignable");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(token)})).as_object().at("visibleByTheUser"), J("{}"));
  auto data = ExpectOk(put(name, "{" + all4 + R"(,"role":"backoffice"})")).as_object();
  EXPECT_EQ(data.at("visibleByTheUser"), J(R"({"e":1})"));
  EXPECT_EQ(data.at("user").as_object().at("roles"), J(R"([{"name":"backoffice","isrole":true}])"));
  // Password set by the admin: errors, then every token revoked.
  auto pw = [&](const std::string& u, const std::string& body) {
    return c.Request("PUT", "/admin/user/" + u + "/password", body, {Session(admin)});
  };
  ExpectBbError(pw(name, R"({"pass":"x"})"), 400, "The body payload doesn't contain password field");
  ExpectBbError(pw("ghost_pw", R"({"password":"x"})"), 404, "Username not found");
  ExpectBbError(pw(name, R"({"password":""})"), 422, "The password field cannot be empty");
  ExpectOk(c.Get("/me", {Session(token)}));
  ExpectOk(pw(name, R"({"password":"reset"})"));
  ExpectBbError(c.Get("/me", {Session(token)}), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
  Login(name, "reset");
}

// --- §9.3.1 roles ---------------------------------------------------------------------------

TEST_F(BaasBoxUsersTest, RoleManagement) {
  std::string admin = AdminToken();
  auto c = bb();
  auto list = ExpectOk(c.Get("/admin/role", {Session(admin)})).as_array();
  std::vector<std::string> names;
  for (const auto& r : list) names.emplace_back(r.as_object().at("name").as_string());
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::count(names.begin(), names.end(), "anonymous"), 0);
  for (const char* builtin : {"administrator", "backoffice", "registered"})
    EXPECT_EQ(std::count(names.begin(), names.end(), builtin), 1) << builtin;
  auto reg = ExpectOk(c.Get("/admin/role/registered", {Session(admin)})).as_object();
  EXPECT_EQ(reg.at("internal"), true);
  EXPECT_EQ(reg.at("modifiable"), false);
  ExpectBbError(c.Get("/admin/role/anonymous", {Session(admin)}), 404, "Role anonymous not found");
  ExpectBbError(c.Get("/admin/role/nope", {Session(admin)}), 404, "Role nope not found");
  EXPECT_EQ(ExpectOk(c.Get("/admin/roles", {Session(admin)})), json::value(list));

  std::string role = Unique("editors");
  ExpectBbError(c.Request("POST", "/admin/role/bad%20name", "", {Session(admin)}), 400, "Role name bad name is not valid");
  ExpectBbError(c.Request("POST", "/admin/role/friends_of_x", "", {Session(admin)}), 400,
                "Role name friends_of_x is not valid");
  ExpectBbError(c.Request("POST", "/admin/role/registered", "", {Session(admin)}), 400, "Role registered already exists");
  ExpectBbError(c.Request("POST", "/admin/role/anonymous", "", {Session(admin)}), 400, "Role anonymous already exists");
  EXPECT_EQ(ExpectOk(c.Request("POST", "/admin/role/" + role, R"({"description":"Editors"})", {Session(admin)}), 201),
            json::value(""));
  ExpectBbError(c.Request("POST", "/admin/role/" + role, "", {Session(admin)}), 400, "Role " + role + " already exists");
  EXPECT_EQ(ExpectOk(c.Get("/admin/role/" + role, {Session(admin)})),
            json::value({{"name", role}, {"description", "Editors"}, {"internal", false}, {"modifiable", true},
                         {"assignable", true}}));
  // Edit.
  ExpectBbError(c.Request("PUT", "/admin/role/nope", "{}", {Session(admin)}), 404, "Role nope does not exists");
  ExpectBbError(c.Request("PUT", "/admin/role/backoffice", R"({"description":"x"})", {Session(admin)}), 400,
                "Role backoffice is not modifiable");
  ExpectBbError(c.Request("PUT", "/admin/role/" + role, R"({"new_name":"registered"})", {Session(admin)}), 400,
                "Role " + role + " already exists");
  ExpectBbError(c.Request("PUT", "/admin/role/" + role, R"({"new_name":"a b"})", {Session(admin)}), 400,
                "Role name a b is not valid");
  // A member keeps the role across a rename.
  std::string member = Unique("member");
  std::string renamed = role + "_v2";
  ExpectOk(c.Post("/admin/user", json::object{{"username", member}, {"password", "p"}, {"role", role}}, {Session(admin)}),
           201);
  ExpectOk(c.Request("PUT", "/admin/role/" + role, json::serialize(json::object{{"new_name", renamed}}), {Session(admin)}));
  ExpectBbError(c.Get("/admin/role/" + role, {Session(admin)}), 404, "Role " + role + " not found");
  EXPECT_EQ(ExpectOk(c.Get("/admin/role/" + renamed, {Session(admin)})).as_object().at("description"), "Editors");
  std::string mt = Login(member, "p");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(mt)})).as_object().at("user").as_object().at("roles"),
            json::value(json::array{{{"name", renamed}, {"isrole", true}}}));
  // Delete: members fall back to registered.
  ExpectBbError(c.Request("DELETE", "/admin/role/nope", "", {Session(admin)}), 404, "Role nope does not exist");
  ExpectBbError(c.Request("DELETE", "/admin/role/registered", "", {Session(admin)}), 400,
                "Role registered is not deletable. HINT: maybe you tried to delete an internal role?");
  ExpectOk(c.Request("DELETE", "/admin/role/" + renamed, "", {Session(admin)}));
  ExpectBbError(c.Get("/admin/role/" + renamed, {Session(admin)}), 404, "Role " + renamed + " not found");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(mt)})).as_object().at("user").as_object().at("roles"),
            J(R"([{"name":"registered","isrole":true}])"));
}

// --- §10.1: the JavaScript SDK's request shapes ------------------------------------------

TEST_F(BaasBoxUsersTest, JsSdkEndToEnd) {
  auto c = bb();
  // The SDK sends the app code on every call and a stored token when it has one.
  std::vector<std::string> headers = {kAppHeader};
  std::string name = Unique("jsuser");
  auto signup = c.Post("/user", json::object{{"username", name}, {"password", "jspw"}}, headers);
  auto sd = ExpectOk(signup, 201).as_object();
  std::string token(sd.at("X-BB-SESSION").as_string());
  EXPECT_EQ(sd.at("user").as_object().at("name"), json::value(name));
  EXPECT_EQ(sd.at("user").as_object().at("roles").as_array().at(0).as_object().at("name"), "registered");
  headers.push_back(Session(token));
  // login (form) with the old token still attached.
  auto login = c.Request("POST", "/login", "username=" + name + "&password=jspw&appcode=1234567890",
                         {kAppHeader, Session(token), "Content-Type: application/x-www-form-urlencoded; charset=UTF-8",
                          "X-Requested-With: XMLHttpRequest"});
  auto ld = ExpectOk(login).as_object();
  for (const char* s : {"visibleByTheUser", "visibleByFriends", "visibleByRegisteredUsers", "visibleByAnonymousUsers"})
    EXPECT_TRUE(ld.contains(s)) << s;
  std::string token2(ld.at("X-BB-SESSION").as_string());
  headers = {kAppHeader, Session(token2)};
  auto me = ExpectOk(c.Get("/me", headers)).as_object();
  EXPECT_EQ(me.at("user").as_object().at("name"), json::value(name));
  ExpectOk(c.Request("PUT", "/me", R"({"visibleByTheUser":{"email":"js@example.com"}})", headers));
  ExpectOk(c.Request("PUT", "/me/password", R"({"old":"jspw","new":"jspw2"})", headers));
  headers = {kAppHeader, Session(Login(name, "jspw2"))};
  EXPECT_EQ(ExpectOk(c.Request("POST", "/logout", "", {headers[0], headers[1],
                                                      "Content-Type: application/x-www-form-urlencoded"})),
            json::value("user logged out"));
  ExpectBbError(c.Get("/me", headers), 401,
                "Authentication info not valid or not provided. HINT: is your session expired?", "40101");
}

}  // namespace
}  // namespace gbtest::bb
