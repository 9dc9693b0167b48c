// API tests: workspace invitations, member roles and leaving (workspaces.md §4–§5).
#include <fstream>
#include <regex>
#include <sstream>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

class InvitationsTest : public ApiTest {
 protected:
  static int64_t FirstWorkspace(HttpClient& c, const Account& a) {
    return c.Get("/api/workspaces/", {a.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  }
  static json::object Invite(HttpClient& c, const Account& admin, int64_t ws, const std::string& email,
                             const std::string& role = "MEMBER") {
    auto res = c.Post("/api/workspaces/invitations/workspace/" + std::to_string(ws) + "/",
                      json::object{{"email", email}, {"permissions", role}, {"message", "Join us"},
                                   {"base_url", "http://frontend.test/invite"}},
                      {admin.auth()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
  /// The token of the last invitation link the server logged for `email`.
  static std::string TokenFromLog() {
    std::string log = server().log();
    static const std::regex kLink(R"(http://frontend\.test/invite/([A-Za-z0-9_.-]+))");
    std::string token;
    for (std::sregex_iterator it(log.begin(), log.end(), kLink), end; it != end; ++it) token = (*it)[1];
    return token;
  }
};

TEST_F(InvitationsTest, InviteAcceptAndRoles) {
  auto c = client();
  auto admin = SignUp(c, "Admin", UniqueEmail("adm"));
  int64_t ws = FirstWorkspace(c, admin);
  std::string bob_email = UniqueEmail("bob");
  auto bob = SignUp(c, "Bob", bob_email);
  std::string upper = bob_email;
  for (auto& ch : upper) ch = static_cast<char>(toupper(ch));
  auto inv = Invite(c, admin, ws, upper);
  int64_t id = inv.at("id").as_int64();
  EXPECT_EQ(inv.at("email"), json::value(bob_email));  // normalised
  EXPECT_EQ(inv.at("permissions"), json::value("MEMBER"));
  EXPECT_EQ(inv.at("message"), json::value("Join us"));
  EXPECT_EQ(inv.at("workspace").as_int64(), ws);
  EXPECT_EQ(inv.size(), 6u);
  // Inviting the same address again updates the same invitation.
  auto again = c.Post("/api/workspaces/invitations/workspace/" + std::to_string(ws) + "/",
                      json::object{{"email", bob_email}, {"permissions", "ADMIN"}, {"base_url", "http://frontend.test/x"}},
                      {admin.auth()});
  EXPECT_EQ(again.json().as_object().at("id").as_int64(), id);
  EXPECT_EQ(again.json().as_object().at("permissions"), json::value("ADMIN"));
  EXPECT_EQ(again.json().as_object().at("message"), json::value(""));
  // The invitee sees it on the dashboard.
  auto dash = c.Get("/api/user/dashboard/", {bob.auth()}).json().as_object().at("workspace_invitations").as_array();
  ASSERT_EQ(dash.size(), 1u);
  EXPECT_EQ(dash[0].as_object().at("invited_by"), json::value("Admin"));
  EXPECT_EQ(dash[0].as_object().at("workspace"), json::value("Admin's workspace"));
  EXPECT_EQ(dash[0].as_object().at("email_exists"), json::value(nullptr));
  std::string path = "/api/workspaces/invitations/" + std::to_string(id) + "/";
  EXPECT_EQ(c.Patch(path, json::object{{"permissions", "MEMBER"}}, {admin.auth()}).json().as_object().at("permissions"),
            json::value("MEMBER"));
  EXPECT_EQ(c.Get(path, {admin.auth()}).status, 200);
  // Only the invitee may accept.
  auto other = SignUp(c, "Other", UniqueEmail("oth"));
  EXPECT_JSON(c.Post(path + "accept/", json::object{}, {other.auth()}), 400,
              R"({"error":"ERROR_GROUP_INVITATION_EMAIL_MISMATCH","detail":"Your email address does not match with the invitation."})");
  auto accepted = c.Post(path + "accept/", json::object{}, {bob.auth()});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json().as_object().at("id").as_int64(), ws);
  EXPECT_EQ(accepted.json().as_object().at("permissions"), json::value("MEMBER"));
  EXPECT_FALSE(accepted.json().as_object().contains("unread_notifications_count"));
  EXPECT_JSON(c.Get(path, {admin.auth()}), 404,
              R"({"error":"ERROR_GROUP_INVITATION_DOES_NOT_EXIST","detail":"The requested group invitation does not exist."})");
  // A member uses the workspace's databases but not its admin operations.
  int64_t table = c.Get("/api/applications/", {admin.auth()}).json().as_array()[0].as_object().at("tables").as_array()[0]
                      .as_object().at("id").as_int64();
  EXPECT_EQ(c.Get("/api/database/rows/table/" + std::to_string(table) + "/", {bob.auth()}).status, 200);
  EXPECT_JSON(c.Get("/api/workspaces/users/workspace/" + std::to_string(ws) + "/", {bob.auth()}), 400,
              R"({"error":"ERROR_USER_INVALID_GROUP_PERMISSIONS","detail":"You need workspace.list_workspace_users permissions."})");
  EXPECT_JSON(c.Patch("/api/workspaces/" + std::to_string(ws) + "/", json::object{{"name", "x"}}, {bob.auth()}), 400,
              R"({"error":"ERROR_USER_INVALID_GROUP_PERMISSIONS","detail":"You need workspace.update permissions."})");
  EXPECT_JSON(c.Get("/api/workspaces/invitations/workspace/" + std::to_string(ws) + "/", {bob.auth()}), 400,
              R"({"error":"ERROR_USER_INVALID_GROUP_PERMISSIONS","detail":"You need workspace.list_invitations permissions."})");
  // Promote Bob, then the first admin may leave; the last admin may not.
  auto members = c.Get("/api/workspaces/users/workspace/" + std::to_string(ws) + "/", {admin.auth()}).json().as_array();
  ASSERT_EQ(members.size(), 2u);
  int64_t bob_member = members[1].as_object().at("id").as_int64();
  EXPECT_EQ(c.Patch("/api/workspaces/users/" + std::to_string(bob_member) + "/", json::object{{"permissions", "ADMIN"}},
                    {admin.auth()}).json().as_object().at("permissions"),
            json::value("ADMIN"));
  EXPECT_EQ(c.Post("/api/workspaces/" + std::to_string(ws) + "/leave/", json::object{}, {admin.auth()}).status, 204);
  EXPECT_ERROR(c.Post("/api/workspaces/" + std::to_string(ws) + "/leave/", json::object{}, {bob.auth()}), 400,
               "ERROR_GROUP_USER_IS_LAST_ADMIN");
  EXPECT_ERROR(c.Get("/api/database/rows/table/" + std::to_string(table) + "/", {admin.auth()}), 400,
               "ERROR_USER_NOT_IN_GROUP");
}

TEST_F(InvitationsTest, InvitationErrorsAndListing) {
  auto c = client();
  auto admin = SignUp(c, "Admin", UniqueEmail("adm"));
  int64_t ws = FirstWorkspace(c, admin);
  std::string url = "/api/workspaces/invitations/workspace/" + std::to_string(ws) + "/";
  EXPECT_JSON(c.Post(url, json::object{}, {admin.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "email":[{"error":"This field is required.","code":"required"}],
                   "permissions":[{"error":"This field is required.","code":"required"}],
                   "base_url":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(url, json::object{{"email", "x@example.com"}, {"permissions", "MEMBER"}, {"base_url", "nope"},
                                       {"message", std::string(251, 'm')}},
                     {admin.auth()}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "message":[{"error":"Ensure this field has no more than 250 characters.","code":"max_length"}],
                   "base_url":[{"error":"Enter a valid URL.","code":"invalid"}]}})");
  EXPECT_JSON(c.Post(url, json::object{{"email", admin.email}, {"permissions", "MEMBER"}, {"base_url", "http://f.test"}},
                     {admin.auth()}),
              400, R"({"error":"ERROR_GROUP_USER_ALREADY_EXISTS","detail":"The user is already a member of the group."})");
  EXPECT_ERROR(c.Post("/api/workspaces/invitations/workspace/999999/",
                      json::object{{"email", "y@example.com"}, {"permissions", "MEMBER"}, {"base_url", "http://f.test"}},
                      {admin.auth()}),
               404, "ERROR_GROUP_DOES_NOT_EXIST");
  auto outsider = SignUp(c, "Out", UniqueEmail("out"));
  EXPECT_JSON(c.Get(url, {outsider.auth()}), 400, R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
  Invite(c, admin, ws, "zed@example.com");
  Invite(c, admin, ws, "amy@example.com");
  auto list = c.Get(url + "?sorts=%2Bemail", {admin.auth()}).json().as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].as_object().at("email"), json::value("amy@example.com"));
  EXPECT_EQ(c.Get(url + "?search=ZED", {admin.auth()}).json().as_array().size(), 1u);
  EXPECT_ERROR(c.Get(url + "?sorts=-name", {admin.auth()}), 400, "ERROR_INVALID_SORT_ATTRIBUTE");
  int64_t id = list[1].as_object().at("id").as_int64();
  std::string path = "/api/workspaces/invitations/" + std::to_string(id) + "/";
  EXPECT_JSON(c.Patch(path, json::object{{"permissions", "OWNER"}}, {admin.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"permissions":[{"error":"\"OWNER\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_EQ(c.Delete(path, {admin.auth()}).status, 204);
  EXPECT_ERROR(c.Delete(path, {admin.auth()}), 404, "ERROR_GROUP_INVITATION_DOES_NOT_EXIST");
  EXPECT_EQ(c.Get(url, {admin.auth()}).json().as_array().size(), 1u);
}

TEST_F(InvitationsTest, TokenLookupRejectAndSignUpWithInvitation) {
  auto c = client();
  auto admin = SignUp(c, "Admin", UniqueEmail("adm"));
  int64_t ws = FirstWorkspace(c, admin);
  std::string email = UniqueEmail("new");
  auto inv = Invite(c, admin, ws, email, "ADMIN");
  std::string token = TokenFromLog();
  ASSERT_FALSE(token.empty());
  auto looked = c.Get("/api/workspaces/invitations/token/" + token + "/");
  ASSERT_EQ(looked.status, 200) << looked.body;
  EXPECT_EQ(looked.json().as_object().at("email_exists"), json::value(false));
  EXPECT_EQ(looked.json().as_object().at("workspace"), json::value("Admin's workspace"));
  EXPECT_JSON(c.Get("/api/workspaces/invitations/token/not-a-token/"), 400, R"({"error":"BAD_TOKEN_SIGNATURE","detail":""})");
  EXPECT_JSON(c.Post("/api/user/", json::object{{"name", "Eve"}, {"email", UniqueEmail("eve")}, {"password", "password123"},
                                               {"workspace_invitation_token", token}}),
              400, R"({"error":"ERROR_GROUP_INVITATION_EMAIL_MISMATCH","detail":"Your email address does not match with the invitation."})");
  auto res = c.Post("/api/user/", json::object{{"name", "New"}, {"email", email}, {"password", "password123"},
                                              {"authenticate", true}, {"workspace_invitation_token", token}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().as_object().at("user").as_object().at("email_verified"), json::value(true));
  std::string auth = "Authorization: JWT " + std::string(res.json().as_object().at("access_token").as_string());
  auto workspaces = c.Get("/api/workspaces/", {auth}).json().as_array();
  ASSERT_EQ(workspaces.size(), 1u);  // the invited one, no workspace of its own
  EXPECT_EQ(workspaces[0].as_object().at("id").as_int64(), ws);
  EXPECT_EQ(workspaces[0].as_object().at("permissions"), json::value("ADMIN"));
  EXPECT_ERROR(c.Get("/api/workspaces/invitations/token/" + token + "/"), 404, "ERROR_GROUP_INVITATION_DOES_NOT_EXIST");
  // Reject deletes the invitation.
  std::string carol_email = UniqueEmail("carol");
  auto carol = SignUp(c, "Carol", carol_email);
  int64_t id = Invite(c, admin, ws, carol_email).at("id").as_int64();
  EXPECT_EQ(c.Post("/api/workspaces/invitations/" + std::to_string(id) + "/reject/", json::object{}, {carol.auth()}).status, 204);
  EXPECT_ERROR(c.Post("/api/workspaces/invitations/" + std::to_string(id) + "/accept/", json::object{}, {carol.auth()}), 404,
               "ERROR_GROUP_INVITATION_DOES_NOT_EXIST");
  (void)inv;
}

TEST_F(InvitationsTest, RemovedMembersAndTheirTokensLoseAccessAtOnce) {
  auto c = client();
  auto admin = SignUp(c, "Admin", UniqueEmail("adm"));
  int64_t ws = FirstWorkspace(c, admin);
  std::string email = UniqueEmail("mem");
  auto member = SignUp(c, "Mem", email);
  int64_t id = Invite(c, admin, ws, email).at("id").as_int64();
  ASSERT_EQ(c.Post("/api/workspaces/invitations/" + std::to_string(id) + "/accept/", json::object{}, {member.auth()}).status, 200);
  auto token = c.Post("/api/database/tokens/", json::object{{"name", "script"}, {"workspace", ws}}, {member.auth()});
  ASSERT_EQ(token.status, 200) << token.body;
  std::string key = "Authorization: Token " + std::string(token.json().as_object().at("key").as_string());
  int64_t table = c.Get("/api/applications/", {admin.auth()}).json().as_array()[0].as_object().at("tables").as_array()[0]
                      .as_object().at("id").as_int64();
  std::string rows = "/api/database/rows/table/" + std::to_string(table) + "/";
  EXPECT_EQ(c.Get(rows, {key}).status, 200);
  auto members = c.Get("/api/workspaces/users/workspace/" + std::to_string(ws) + "/", {admin.auth()}).json().as_array();
  int64_t member_id = members[1].as_object().at("id").as_int64();
  EXPECT_EQ(c.Delete("/api/workspaces/users/" + std::to_string(member_id) + "/", {admin.auth()}).status, 204);
  EXPECT_JSON(c.Get(rows, {key}), 400, R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
  EXPECT_JSON(c.Get(rows, {member.auth()}), 400, R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
  EXPECT_EQ(c.Post(rows, json::object{}, {key}).status, 400);
  EXPECT_EQ(c.Get(rows, {admin.auth()}).json().as_object().at("count").as_int64(), 5);
}

}  // namespace
}  // namespace gbtest
