// API tests: workspaces, order, leave, members, permission objects (workspaces.md).
#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

class WorkspacesApiTest : public ApiTest {
 protected:
  static int64_t FirstWorkspace(HttpClient& c, const Account& a) {
    return c.Get("/api/workspaces/", {a.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  }
  static int64_t CreateWorkspace(HttpClient& c, const Account& a, const std::string& name) {
    auto res = c.Post("/api/workspaces/", json::object{{"name", name}}, {a.auth()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object().at("id").as_int64();
  }
};

TEST_F(WorkspacesApiTest, CreateListRenameDelete) {
  auto c = client();
  auto a = SignUp(c, "Owner", UniqueEmail("ws"));
  auto res = c.Post("/api/workspaces/", json::object{{"name", "  Acme  "}}, {a.auth()});
  ASSERT_EQ(res.status, 200) << res.body;
  auto created = res.json().as_object();
  int64_t id = created.at("id").as_int64();
  EXPECT_EQ(created.at("name"), json::value("Acme"));
  EXPECT_EQ(created.at("order").as_int64(), 2);
  EXPECT_EQ(created.at("permissions"), json::value("ADMIN"));
  EXPECT_FALSE(created.contains("unread_notifications_count"));
  EXPECT_EQ(created.at("generative_ai_models_enabled"), J("{}"));
  auto member = created.at("users").as_array().at(0).as_object();
  EXPECT_EQ(member.at("user_id").as_int64(), a.id);
  EXPECT_EQ(member.at("email"), json::value(a.email));
  EXPECT_EQ(member.at("name"), json::value("Owner"));
  EXPECT_EQ(member.at("workspace").as_int64(), id);
  EXPECT_EQ(member.at("to_be_deleted"), json::value(false));
  EXPECT_TRUE(member.at("created_on").as_string().ends_with("Z"));

  auto list = c.Get("/api/workspaces/", {a.auth()}).json().as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].as_object().at("id").as_int64(), id);
  EXPECT_EQ(list[1].as_object().at("unread_notifications_count").as_int64(), 0);

  EXPECT_JSON(c.Patch("/api/workspaces/" + std::to_string(id) + "/", json::object{{"name", "Acme 2"}}, {a.auth()}),
              200, R"({"id":)" + std::to_string(id) + R"(,"name":"Acme 2","generative_ai_models_enabled":{}})");
  EXPECT_JSON(c.Patch("/api/workspaces/" + std::to_string(id) + "/", json::object{{"name", std::string(166, 'x')}}, {a.auth()}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"Ensure this field has no more than 165 characters.","code":"max_length"}]}})");
  EXPECT_JSON(c.Post("/api/workspaces/", json::object{{"name", ""}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"This field may not be blank.","code":"blank"}]}})");

  auto del = c.Delete("/api/workspaces/" + std::to_string(id) + "/", {a.auth()});
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(del.body, "");
  EXPECT_EQ(c.Get("/api/workspaces/", {a.auth()}).json().as_array().size(), 1u);
  EXPECT_JSON(c.Patch("/api/workspaces/" + std::to_string(id) + "/", json::object{{"name", "x"}}, {a.auth()}), 404,
              R"({"error":"ERROR_GROUP_DOES_NOT_EXIST","detail":"The requested group does not exist."})");
  EXPECT_JSON(c.Delete("/api/workspaces/" + std::to_string(id) + "/", {a.auth()}), 404,
              R"({"error":"ERROR_GROUP_DOES_NOT_EXIST","detail":"The requested group does not exist."})");
  EXPECT_JSON(c.Get("/api/workspaces/" + std::to_string(id) + "/", {a.auth()}), 405,
              R"({"detail":"Method \"GET\" not allowed."})");
}

TEST_F(WorkspacesApiTest, AnotherUsersWorkspaceIsRefusedEverywhere) {
  auto c = client();
  auto owner = SignUp(c, "Owner", UniqueEmail("own"));
  auto other = SignUp(c, "Other", UniqueEmail("oth"));
  std::string ws = std::to_string(FirstWorkspace(c, owner));
  const char* kNotInGroup = R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})";
  EXPECT_JSON(c.Patch("/api/workspaces/" + ws + "/", json::object{{"name", "hijack"}}, {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Delete("/api/workspaces/" + ws + "/", {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Post("/api/workspaces/" + ws + "/leave/", json::object{}, {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Get("/api/workspaces/users/workspace/" + ws + "/", {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Get("/api/applications/workspace/" + ws + "/", {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Post("/api/applications/workspace/" + ws + "/", json::object{{"name", "x"}, {"type", "database"}}, {other.auth()}),
              400, kNotInGroup);
  EXPECT_JSON(c.Post("/api/applications/workspace/" + ws + "/order/", json::object{{"application_ids", json::array{}}},
                     {other.auth()}),
              400, kNotInGroup);
  // Ordering someone else's workspace is silently ignored.
  EXPECT_EQ(c.Post("/api/workspaces/order/", json::object{{"workspaces", json::array{std::stoll(ws)}}}, {other.auth()}).status, 204);
  // Unknown workspaces are 404 before membership.
  EXPECT_ERROR(c.Patch("/api/workspaces/999999/", json::object{{"name", "x"}}, {other.auth()}), 404,
               "ERROR_GROUP_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Get("/api/workspaces/users/workspace/999999/", {other.auth()}), 404, "ERROR_GROUP_DOES_NOT_EXIST");
  // Nothing changed for the owner.
  auto list = c.Get("/api/workspaces/", {owner.auth()}).json().as_array();
  EXPECT_EQ(list[0].as_object().at("name"), json::value("Owner's workspace"));
  // The permission objects of a non-member carry member:false and no basic entry.
  auto perms = c.Get("/api/workspaces/" + ws + "/permissions/", {other.auth()}).json().as_array();
  EXPECT_EQ(perms.back(), J(R"({"name":"member","permissions":false})"));
  auto mine = c.Get("/api/workspaces/" + ws + "/permissions/", {owner.auth()}).json().as_array();
  EXPECT_EQ(mine.back().as_object().at("name"), json::value("basic"));
  EXPECT_EQ(mine.back().as_object().at("permissions").as_object().at("is_admin"), json::value(true));
  EXPECT_ERROR(c.Get("/api/workspaces/999999/permissions/", {owner.auth()}), 404, "ERROR_GROUP_DOES_NOT_EXIST");
}

TEST_F(WorkspacesApiTest, OrderIsPerUser) {
  auto c = client();
  auto a = SignUp(c, "Orderer", UniqueEmail("ord"));
  int64_t first = FirstWorkspace(c, a);
  int64_t second = CreateWorkspace(c, a, "Second");
  int64_t third = CreateWorkspace(c, a, "Third");
  EXPECT_EQ(c.Post("/api/workspaces/order/", json::object{{"workspaces", json::array{third, first}}}, {a.auth()}).status, 204);
  auto list = c.Get("/api/workspaces/", {a.auth()}).json().as_array();
  ASSERT_EQ(list.size(), 3u);
  // third → 1, first → 2, second keeps 2; ties by id.
  EXPECT_EQ(list[0].as_object().at("id").as_int64(), third);
  EXPECT_EQ(list[1].as_object().at("id").as_int64(), first);
  EXPECT_EQ(list[2].as_object().at("id").as_int64(), second);
  EXPECT_JSON(c.Post("/api/workspaces/order/", json::object{{"workspaces", "nope"}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"workspaces":[{"error":"Expected a list of items but got type \"str\".","code":"not_a_list"}]}})");
  EXPECT_JSON(c.Post("/api/workspaces/order/", json::object{{"workspaces", json::array{"x"}}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"workspaces":{"0":[{"error":"A valid integer is required.","code":"invalid"}]}}})");
}

TEST_F(WorkspacesApiTest, LastAdminCannotLeave) {
  auto c = client();
  auto a = SignUp(c, "Leaver", UniqueEmail("leave"));
  std::string ws = std::to_string(FirstWorkspace(c, a));
  EXPECT_JSON(c.Post("/api/workspaces/" + ws + "/leave/", json::object{}, {a.auth()}), 400,
              R"({"error":"ERROR_GROUP_USER_IS_LAST_ADMIN","detail":"The related user is the last admin in the group. They must delete the group or give someone else admin permissions."})");
  EXPECT_ERROR(c.Post("/api/workspaces/999999/leave/", json::object{}, {a.auth()}), 404, "ERROR_GROUP_DOES_NOT_EXIST");
}

TEST_F(WorkspacesApiTest, MembersListSearchAndSortGrammar) {
  auto c = client();
  auto a = SignUp(c, "Lister", UniqueEmail("list"));
  std::string ws = std::to_string(FirstWorkspace(c, a));
  auto res = c.Get("/api/workspaces/users/workspace/" + ws + "/", {a.auth()});
  ASSERT_EQ(res.status, 200) << res.body;
  auto members = res.json().as_array();
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].as_object().at("permissions"), json::value("ADMIN"));
  EXPECT_EQ(c.Get("/api/workspaces/users/workspace/" + ws + "/?search=LIST", {a.auth()}).json().as_array().size(), 1u);
  EXPECT_EQ(c.Get("/api/workspaces/users/workspace/" + ws + "/?search=zzz", {a.auth()}).json().as_array().size(), 0u);
  EXPECT_EQ(c.Get("/api/workspaces/users/workspace/" + ws + "/?sorts=%2Bname,-email", {a.auth()}).status, 200);
  EXPECT_EQ(c.Get("/api/workspaces/users/workspace/" + ws + "/?sorts=%2Bname,-role_uid", {a.auth()}).status, 200);
  EXPECT_JSON(c.Get("/api/workspaces/users/workspace/" + ws + "/?sorts=+name", {a.auth()}), 400,
              R"({"error":"ERROR_INVALID_SORT_DIRECTION","detail":"Attributes to sort by must be prefixed with one of '-' or '+'."})");
  EXPECT_JSON(c.Get("/api/workspaces/users/workspace/" + ws + "/?sorts=-unknown", {a.auth()}), 400,
              R"({"error":"ERROR_INVALID_SORT_ATTRIBUTE","detail":"Invalid attribute name provided to sort by."})");
  EXPECT_JSON(c.Get("/api/workspaces/users/workspace/" + ws + "/?sorts=-name,%2Bname", {a.auth()}), 400,
              R"({"error":"ERROR_INVALID_SORT_ATTRIBUTE","detail":"Invalid attribute name provided to sort by."})");
}

TEST_F(WorkspacesApiTest, MemberUpdateAndDeleteRules) {
  auto c = client();
  auto a = SignUp(c, "Admin", UniqueEmail("adm"));
  std::string ws = std::to_string(FirstWorkspace(c, a));
  int64_t member_id = c.Get("/api/workspaces/users/workspace/" + ws + "/", {a.auth()})
                          .json().as_array()[0].as_object().at("id").as_int64();
  std::string mpath = "/api/workspaces/users/" + std::to_string(member_id) + "/";
  EXPECT_JSON(c.Patch(mpath, json::object{{"permissions", "MEMBER"}}, {a.auth()}), 400,
              R"({"error":"ERROR_LAST_ADMIN_OF_GROUP","detail":"You can't remove the last admin of a workspace."})");
  EXPECT_JSON(c.Patch(mpath, json::object{{"permissions", "OWNER"}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"permissions":[{"error":"\"OWNER\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_JSON(c.Patch(mpath, json::object{}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"permissions":[{"error":"This field is required.","code":"required"}]}})");
  auto same = c.Patch(mpath, json::object{{"permissions", "ADMIN"}}, {a.auth()});
  EXPECT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(same.json().as_object().at("id").as_int64(), member_id);
  EXPECT_JSON(c.Delete(mpath, {a.auth()}), 400,
              R"({"error":"ERROR_CANNOT_DELETE_YOURSELF_FROM_GROUP","detail":"You cannot delete yourself from the group. Use the leave group endpoint for that."})");
  EXPECT_JSON(c.Patch("/api/workspaces/users/999999/", json::object{{"permissions", "ADMIN"}}, {a.auth()}), 404,
              R"({"error":"ERROR_GROUP_USER_DOES_NOT_EXIST","detail":"The requested group user does not exist."})");
  EXPECT_ERROR(c.Delete("/api/workspaces/users/999999/", {a.auth()}), 404, "ERROR_GROUP_USER_DOES_NOT_EXIST");
  auto other = SignUp(c, "Other", UniqueEmail("oth"));
  EXPECT_JSON(c.Patch(mpath, json::object{{"permissions", "ADMIN"}}, {other.auth()}), 400,
              R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
  EXPECT_JSON(c.Delete(mpath, {other.auth()}), 400, R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
}

TEST_F(WorkspacesApiTest, CreateInitialWorkspaceBuildsTheCompanyDatabase) {
  auto c = client();
  auto a = SignUp(c, "Ivy", UniqueEmail("init"));
  auto res = c.Post("/api/workspaces/create-initial-workspace/", json::object{}, {a.auth()});
  ASSERT_EQ(res.status, 200) << res.body;
  auto ws = res.json().as_object();
  EXPECT_EQ(ws.at("name"), json::value("Ivy's workspace"));
  EXPECT_FALSE(ws.contains("unread_notifications_count"));
  int64_t id = ws.at("id").as_int64();
  auto apps = c.Get("/api/applications/workspace/" + std::to_string(id) + "/", {a.auth()}).json().as_array();
  ASSERT_EQ(apps.size(), 1u);
  EXPECT_EQ(apps[0].as_object().at("name"), json::value("Ivy's company"));
}

TEST_F(WorkspacesApiTest, NonStaffCannotCreateWorkspacesWhenRestricted) {
  auto c = client();
  std::string staff_email = UniqueEmail("staff");
  std::string out;
  ASSERT_EQ(RunCli(WithArgs({"create-user", "--email", staff_email,
                    "--password", "staff-password", "--staff"}, server().StoreArgs()), &out), 0) << out;
  auto login = c.Post("/api/user/token-auth/", json::object{{"email", staff_email}, {"password", "staff-password"}});
  ASSERT_EQ(login.status, 200) << login.body;
  std::string staff_auth = "Authorization: JWT " + std::string(login.json().as_object().at("access_token").as_string());
  auto user = SignUp(c, "Plain", UniqueEmail("plain"));
  ASSERT_EQ(c.Patch("/api/settings/update/", json::object{{"allow_global_workspace_creation", false}}, {staff_auth}).status, 200);
  EXPECT_JSON(c.Post("/api/workspaces/", json::object{{"name", "Nope"}}, {user.auth()}), 401,
              R"({"error":"PERMISSION_DENIED","detail":"You don't have the required permission to execute this operation."})");
  EXPECT_ERROR(c.Post("/api/workspaces/create-initial-workspace/", json::object{}, {user.auth()}), 401, "PERMISSION_DENIED");
  EXPECT_EQ(c.Post("/api/workspaces/", json::object{{"name", "Staff may"}}, {staff_auth}).status, 200);
  ASSERT_EQ(c.Patch("/api/settings/update/", json::object{{"allow_global_workspace_creation", true}}, {staff_auth}).status, 200);
  EXPECT_EQ(c.Post("/api/workspaces/", json::object{{"name", "Now allowed"}}, {user.auth()}).status, 200);
}

}  // namespace
}  // namespace gbtest
