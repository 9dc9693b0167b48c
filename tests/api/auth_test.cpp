// API tests: registration, login, token refresh/verify/blacklist, account, passwords, and
// JWT edge cases (auth.md, errors.md §3).
#include <thread>

#include "support/api_fixture.hpp"
#include "util/crypto.hpp"
#include "util/jwt.hpp"
#include "util/time.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

std::string SignedToken(json::object claims, const std::string& key = kTestSecret) {
  return gridbase::util::JwtEncodeHs256(claims, key);
}

json::object Claims(int64_t user_id, const char* type, int64_t iat_offset = 0, int64_t exp_offset = 600) {
  int64_t now = gridbase::util::NowSeconds();
  return json::object{{"token_type", type},
                      {"exp", now + exp_offset},
                      {"iat", now + iat_offset},
                      {"jti", "0123456789abcdef0123456789abcdef"},
                      {"user_id", user_id}};
}

class AuthApiTest : public ApiTest {};

TEST_F(AuthApiTest, RegisterReturnsSessionPayloadWithFirstWorkspace) {
  auto c = client();
  std::string email = UniqueEmail("reg");
  auto res = c.Post("/api/user/", json::object{{"name", "  Grace "},
                                               {"email", "  " + email + " "},
                                               {"password", "password123"},
                                               {"authenticate", true}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = res.json().as_object();
  for (const char* key : {"token", "access_token", "refresh_token", "user_session", "user",
                          "permissions", "user_notifications"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j.at("token"), j.at("access_token"));
  EXPECT_EQ(j.at("user_notifications"), J(R"({"unread_count":0})"));
  auto user = j.at("user").as_object();
  int64_t id = user.at("id").as_int64();
  user.erase("id");
  user.erase("is_staff");  // the first account of the instance is staff, whichever test ran first
  EXPECT_EQ(json::value(user), J(R"({"first_name":"Grace","username":")" + email +
                                 R"(","language":"en","email_notification_frequency":"instant",)"
                                 R"("email_verified":false,"completed_onboarding":true,"completed_guided_tours":[]})"));
  // Permissions name only managers the open-source frontend registers.
  for (const auto& p : j.at("permissions").as_array()) {
    std::string name(p.as_object().at("name").as_string());
    EXPECT_TRUE(name == "core" || name == "setting_operation" || name == "staff" ||
                name == "allow_if_template" || name == "member")
        << name;
  }
  std::string auth = "Authorization: JWT " + std::string(j.at("access_token").as_string());
  auto ws = c.Get("/api/workspaces/", {auth}).json().as_array();
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].as_object().at("name"), json::value("Grace's workspace"));
  EXPECT_EQ(ws[0].as_object().at("permissions"), json::value("ADMIN"));
  EXPECT_EQ(ws[0].as_object().at("users").as_array()[0].as_object().at("user_id").as_int64(), id);
  auto apps = c.Get("/api/applications/", {auth}).json().as_array();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0].as_object().at("name"), json::value("Grace's company"));
  EXPECT_EQ(apps[0].as_object().at("type"), json::value("database"));
}

TEST_F(AuthApiTest, RegisterWithoutAuthenticateReturnsOnlyTheUser) {
  auto c = client();
  auto res = c.Post("/api/user/", json::object{{"name", "Alan"}, {"email", UniqueEmail()}, {"password", "password123"}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = res.json().as_object();
  EXPECT_EQ(j.size(), 1u);
  EXPECT_TRUE(j.contains("user"));
}

TEST_F(AuthApiTest, RegisterValidationErrors) {
  auto c = client();
  EXPECT_JSON(c.Post("/api/user/", json::object{}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "name":[{"error":"This field is required.","code":"required"}],
                   "email":[{"error":"This field is required.","code":"required"}],
                   "password":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post("/api/user/", json::object{{"name", std::string(151, 'a')},
                                               {"email", "not-an-email"},
                                               {"password", "short"},
                                               {"language", "xx"}}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "name":[{"error":"Ensure this field has no more than 150 characters.","code":"max_length"}],
                   "email":[{"error":"Enter a valid email address.","code":"invalid"}],
                   "password":[{"error":"This password is too short. It must contain at least 8 characters.","code":"password_validation_failed"}],
                   "language":[{"error":"Only the following language keys are valid: en,fr,nl,de,es,it,pl,ko","code":"invalid_language"}]}})");
  EXPECT_JSON(c.Post("/api/user/", json::object{{"name", "A"}, {"email", UniqueEmail()},
                                               {"password", std::string(257, 'p')}}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "name":[{"error":"Ensure this field has at least 2 characters.","code":"min_length"}],
                   "password":[{"error":"This password is too long. It must not exceed 256 characters.","code":"password_validation_failed"}]}})");
  EXPECT_JSON(c.Post("/api/user/", json::object{{"name", "Abc"}, {"email", UniqueEmail()},
                                               {"password", "password123"}, {"template_id", 5}}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "template_id":[{"error":"Invalid pk \"5\" - object does not exist.","code":"does_not_exist"}]}})");
  EXPECT_JSON(c.Request("POST", "/api/user/", "[1,2]"), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "non_field_errors":[{"error":"Invalid data. Expected a dictionary, but got list.","code":"invalid"}]}})");
}

TEST_F(AuthApiTest, DuplicateEmailAfterNormalisationIsRefused) {
  auto c = client();
  std::string email = UniqueEmail("dup");
  SignUp(c, "First", email);
  std::string upper = email;
  for (auto& ch : upper) ch = static_cast<char>(toupper(ch));
  EXPECT_JSON(c.Post("/api/user/", json::object{{"name", "Second"}, {"email", upper}, {"password", "password123"}}),
              400, R"({"error":"ERROR_EMAIL_ALREADY_EXISTS","detail":""})");
}

TEST_F(AuthApiTest, TokenAuthSucceedsWithEmailOrUsername) {
  auto c = client();
  std::string email = UniqueEmail("login");
  SignUp(c, "Login", email, "secret-pass");
  auto res = c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "secret-pass"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().as_object().at("token"), res.json().as_object().at("access_token"));
  // n8n and acdh-baserow-pyutils log in with `username`; e-mails are case-insensitive.
  std::string upper = email;
  for (auto& ch : upper) ch = static_cast<char>(toupper(ch));
  res = c.Post("/api/user/token-auth/", json::object{{"username", upper}, {"password", "secret-pass"}});
  EXPECT_EQ(res.status, 200) << res.body;
  // A Broken Authorization header is ignored by token-auth.
  res = c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "secret-pass"}},
               {"Authorization: JWT broken"});
  EXPECT_EQ(res.status, 200) << res.body;
}

TEST_F(AuthApiTest, TokenAuthErrorsUsePlainDrfFormAndInvalidCredentials) {
  auto c = client();
  std::string email = UniqueEmail("bad");
  SignUp(c, "Bad", email, "secret-pass");
  EXPECT_JSON(c.Post("/api/user/token-auth/", json::object{{"password", "x"}}), 400,
              R"({"email":["This field is required."]})");
  EXPECT_JSON(c.Post("/api/user/token-auth/", json::object{{"email", "nope"}}), 400,
              R"({"email":["Enter a valid email address."],"password":["This field is required."]})");
  EXPECT_JSON(c.Post("/api/user/token-auth/", json::object{{"username", "nope"}, {"password", "x"}}), 400,
              R"({"username":["Enter a valid email address."]})");
  EXPECT_JSON(c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "wrong-pass"}}), 401,
              R"({"error":"ERROR_INVALID_CREDENTIALS","detail":"No active account found with the given credentials."})");
  EXPECT_JSON(c.Post("/api/user/token-auth/", json::object{{"email", UniqueEmail("ghost")}, {"password", "secret-pass"}}),
              401,
              R"({"error":"ERROR_INVALID_CREDENTIALS","detail":"No active account found with the given credentials."})");
}

TEST_F(AuthApiTest, RefreshVerifyAndBlacklist) {
  auto c = client();
  auto a = SignUp(c, "Refresh", UniqueEmail("refresh"));
  auto res = c.Post("/api/user/token-refresh/", json::object{{"refresh_token", a.refresh}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto j = res.json().as_object();
  EXPECT_FALSE(j.contains("refresh_token"));
  EXPECT_FALSE(j.contains("user_session"));
  EXPECT_EQ(j.at("token"), j.at("access_token"));
  EXPECT_EQ(c.Get("/api/workspaces/", {"Authorization: JWT " + std::string(j.at("access_token").as_string())}).status, 200);
  // The deprecated `token` key works for refresh.
  EXPECT_EQ(c.Post("/api/user/token-refresh/", json::object{{"token", a.refresh}}).status, 200);

  res = c.Post("/api/user/token-verify/", json::object{{"refresh_token", a.refresh}});
  ASSERT_EQ(res.status, 200) << res.body;
  auto v = res.json().as_object();
  EXPECT_EQ(v.size(), 3u);
  EXPECT_EQ(v.at("user").as_object().at("id").as_int64(), a.id);
  EXPECT_JSON(c.Post("/api/user/token-verify/", json::object{{"token", a.refresh}}), 400,
              R"({"refresh_token":["This field is required."]})");

  // An access token is not a refresh token.
  EXPECT_JSON(c.Post("/api/user/token-refresh/", json::object{{"refresh_token", a.access}}), 401,
              R"({"error":"ERROR_INVALID_REFRESH_TOKEN","detail":"Refresh token is expired or invalid."})");
  EXPECT_JSON(c.Post("/api/user/token-refresh/", json::object{}), 401,
              R"({"error":"ERROR_INVALID_REFRESH_TOKEN","detail":"Refresh token is expired or invalid."})");

  EXPECT_JSON(c.Post("/api/user/token-blacklist/", json::object{}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"refresh_token":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post("/api/user/token-blacklist/", json::object{{"refresh_token", "garbage"}}), 401,
              R"({"error":"ERROR_INVALID_REFRESH_TOKEN","detail":"Refresh token is expired or invalid."})");
  res = c.Post("/api/user/token-blacklist/", json::object{{"refresh_token", a.refresh}});
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_EQ(res.body, "");
  EXPECT_JSON(c.Post("/api/user/token-blacklist/", json::object{{"refresh_token", a.refresh}}), 400,
              R"({"error":"ERROR_REFRESH_TOKEN_ALREADY_BLACKLISTED","detail":"The provided refresh token is already blacklisted."})");
  EXPECT_ERROR(c.Post("/api/user/token-refresh/", json::object{{"refresh_token", a.refresh}}), 401,
               "ERROR_INVALID_REFRESH_TOKEN");
  EXPECT_ERROR(c.Post("/api/user/token-verify/", json::object{{"refresh_token", a.refresh}}), 401,
               "ERROR_INVALID_REFRESH_TOKEN");
  // The access token of the session keeps working until it expires.
  EXPECT_EQ(c.Get("/api/workspaces/", {a.auth()}).status, 200);
}

TEST_F(AuthApiTest, BlacklistSurvivesARestart) {
  auto c = client();
  auto a = SignUp(c, "Persist", UniqueEmail("persist"));
  ASSERT_EQ(c.Post("/api/user/token-blacklist/", json::object{{"refresh_token", a.refresh}}).status, 204);
  ASSERT_EQ(server().Stop(), 0);
  server().Start();
  auto c2 = client();
  EXPECT_ERROR(c2.Post("/api/user/token-refresh/", json::object{{"refresh_token", a.refresh}}), 401,
               "ERROR_INVALID_REFRESH_TOKEN");
}

TEST_F(AuthApiTest, JwtEdgeCases) {
  auto c = client();
  auto a = SignUp(c, "Edge", UniqueEmail("edge"));
  const char* kInvalid = R"({"detail":"Access token is expired or invalid.","error":"ERROR_INVALID_ACCESS_TOKEN"})";
  // Expired.
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT " + SignedToken(Claims(a.id, "access", -700, -100))}),
              401, kInvalid);
  // Signed with another key.
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT " + SignedToken(Claims(a.id, "access"), "other")}),
              401, kInvalid);
  // Tampered payload (user id changed, old signature).
  std::string token = a.access;
  size_t d1 = token.find('.'), d2 = token.rfind('.');
  std::string forged_payload = gridbase::util::Base64UrlEncode(json::serialize(Claims(a.id + 1000, "access")));
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT " + token.substr(0, d1 + 1) + forged_payload + token.substr(d2)}),
              401, kInvalid);
  // alg: none.
  std::string none = gridbase::util::Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                     gridbase::util::Base64UrlEncode(json::serialize(Claims(a.id, "access"))) + ".";
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT " + none}), 401, kInvalid);
  // A refresh token is not an access token.
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT " + a.refresh}), 401, kInvalid);
  // A validly signed token of a user that does not exist.
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT " + SignedToken(Claims(999999, "access"))}), 401,
              R"({"detail":"User not found"})");
  // Header shapes.
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT"}), 401,
              R"({"detail":"Authorization header must contain two space-delimited values"})");
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: JWT a b"}), 401,
              R"({"detail":"Authorization header must contain two space-delimited values"})");
  auto none_res = c.Get("/api/workspaces/");
  EXPECT_JSON(none_res, 401, R"({"detail":"Authentication credentials were not provided."})");
  EXPECT_EQ(none_res.header("www-authenticate"), "JWT realm=\"api\"");
  // `jwt` (lower case) and `Bearer` are not the JWT keyword: no credentials.
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: jwt " + a.access}), 401,
              R"({"detail":"Authentication credentials were not provided."})");
  EXPECT_JSON(c.Get("/api/workspaces/", {"Authorization: Bearer " + a.access}), 401,
              R"({"detail":"Authentication credentials were not provided."})");
  // A broken JWT is refused even on public endpoints.
  EXPECT_JSON(c.Get("/api/settings/", {"Authorization: JWT broken"}), 401, kInvalid);
}

TEST_F(AuthApiTest, AccessTokenClaimsAreBaserows) {
  auto c = client();
  auto a = SignUp(c, "Claims", UniqueEmail("claims"));
  auto payload = [](const std::string& t) {
    size_t d1 = t.find('.'), d2 = t.rfind('.');
    return json::parse(*gridbase::util::Base64UrlDecode(t.substr(d1 + 1, d2 - d1 - 1))).as_object();
  };
  auto access = payload(a.access);
  EXPECT_EQ(access.at("token_type"), json::value("access"));
  EXPECT_EQ(access.at("user_id").as_int64(), a.id);
  EXPECT_EQ(access.at("exp").as_int64() - access.at("iat").as_int64(), 600);
  EXPECT_EQ(access.at("jti").as_string().size(), 32u);
  auto refresh = payload(a.refresh);
  EXPECT_EQ(refresh.at("token_type"), json::value("refresh"));
  EXPECT_EQ(refresh.at("exp").as_int64() - refresh.at("iat").as_int64(), 168 * 3600);
  EXPECT_EQ(refresh.at("verified_email_claim"), json::value("enforced"));
}

TEST_F(AuthApiTest, AccountUpdateMergesGuidedTours) {
  auto c = client();
  auto a = SignUp(c, "Account", UniqueEmail("acct"));
  EXPECT_JSON(c.Patch("/api/user/account/", json::object{}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"non_field_errors":[{"error":"At least one of the fields first_name, language, email_notification_frequency, completed_onboarding, completed_guided_tours must be provided.","code":"invalid"}]}})");
  EXPECT_JSON(c.Patch("/api/user/account/", json::object{{"first_name", "Ada"}, {"language", "fr"},
                                                         {"email_notification_frequency", "daily"},
                                                         {"completed_guided_tours", json::array{"sidebar"}}},
                      {a.auth()}),
              200,
              R"({"first_name":"Ada","language":"fr","email_notification_frequency":"daily","completed_onboarding":true,"completed_guided_tours":["sidebar"]})");
  EXPECT_JSON(c.Patch("/api/user/account/", json::object{{"completed_guided_tours", json::array{"database", "sidebar"}}},
                      {a.auth()}),
              200,
              R"({"first_name":"Ada","language":"fr","email_notification_frequency":"daily","completed_onboarding":true,"completed_guided_tours":["sidebar","database"]})");
  EXPECT_JSON(c.Patch("/api/user/account/", json::object{{"email_notification_frequency", "hourly"}, {"first_name", "A"}},
                      {a.auth()}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "first_name":[{"error":"Ensure this field has at least 2 characters.","code":"min_length"}],
                   "email_notification_frequency":[{"error":"\"hourly\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_JSON(c.Get("/api/user/account/", {a.auth()}), 405, R"({"detail":"Method \"GET\" not allowed."})");
  // The user object of later logins carries the change.
  auto v = c.Post("/api/user/token-verify/", json::object{{"refresh_token", a.refresh}}).json();
  EXPECT_EQ(v.as_object().at("user").as_object().at("first_name"), json::value("Ada"));
}

TEST_F(AuthApiTest, ChangePasswordInvalidatesEarlierTokens) {
  auto c = client();
  std::string email = UniqueEmail("pw");
  auto a = SignUp(c, "Pw", email, "old-password");
  EXPECT_JSON(c.Post("/api/user/change-password/", json::object{{"old_password", "nope-nope"}, {"new_password", "new-password"}},
                     {a.auth()}),
              400, R"({"error":"ERROR_INVALID_OLD_PASSWORD","detail":""})");
  EXPECT_JSON(c.Post("/api/user/change-password/", json::object{{"old_password", "old-password"}, {"new_password", "short"}},
                     {a.auth()}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"new_password":[{"error":"This password is too short. It must contain at least 8 characters.","code":"password_validation_failed"}]}})");
  // Tokens are compared at whole seconds: make sure the change lands in a later second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto res = c.Post("/api/user/change-password/", json::object{{"old_password", "old-password"}, {"new_password", "new-password"}},
                    {a.auth()});
  EXPECT_EQ(res.status, 204) << res.body;
  EXPECT_ERROR(c.Get("/api/workspaces/", {a.auth()}), 401, "ERROR_INVALID_ACCESS_TOKEN");
  EXPECT_ERROR(c.Post("/api/user/token-refresh/", json::object{{"refresh_token", a.refresh}}), 401,
               "ERROR_INVALID_REFRESH_TOKEN");
  EXPECT_ERROR(c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "old-password"}}), 401,
               "ERROR_INVALID_CREDENTIALS");
  res = c.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "new-password"}});
  ASSERT_EQ(res.status, 200) << res.body;
  std::string fresh = "Authorization: JWT " + std::string(res.json().as_object().at("access_token").as_string());
  EXPECT_EQ(c.Get("/api/workspaces/", {fresh}).status, 200);
}

TEST_F(AuthApiTest, DashboardListsNoInvitations) {
  auto c = client();
  auto a = SignUp(c, "Dash", UniqueEmail("dash"));
  EXPECT_JSON(c.Get("/api/user/dashboard/", {a.auth()}), 200, R"({"workspace_invitations":[]})");
  EXPECT_EQ(c.Get("/api/user/dashboard/").status, 401);
}

}  // namespace
}  // namespace gbtest
