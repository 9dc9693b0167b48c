// API tests: database applications (applications-tables.md §2).
#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

class ApplicationsApiTest : public ApiTest {
 protected:
  static int64_t FirstWorkspace(HttpClient& c, const Account& a) {
    return c.Get("/api/workspaces/", {a.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  }
  static json::object CreateApp(HttpClient& c, const Account& a, int64_t ws, const std::string& name) {
    auto res = c.Post("/api/applications/workspace/" + std::to_string(ws) + "/",
                      json::object{{"name", name}, {"type", "database"}}, {a.auth()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
};

TEST_F(ApplicationsApiTest, CreateGetRenameDelete) {
  auto c = client();
  auto a = SignUp(c, "Apps", UniqueEmail("apps"));
  int64_t ws = FirstWorkspace(c, a);
  auto app = CreateApp(c, a, ws, "CRM");
  int64_t id = app.at("id").as_int64();
  EXPECT_EQ(app.at("order").as_int64(), 2);
  EXPECT_EQ(app.at("type"), json::value("database"));
  EXPECT_EQ(app.at("tables"), J("[]"));
  EXPECT_EQ(app.at("workspace"), J(R"({"id":)" + std::to_string(ws) +
                                   R"(,"name":"Apps's workspace","generative_ai_models_enabled":{}})"));
  std::string path = "/api/applications/" + std::to_string(id) + "/";
  auto got = c.Get(path, {a.auth()});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.json(), json::value(app));
  auto renamed = c.Patch(path, json::object{{"name", "Sales"}}, {a.auth()});
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json().as_object().at("name"), json::value("Sales"));
  // An empty body is valid and changes nothing.
  EXPECT_EQ(c.Patch(path, json::object{}, {a.auth()}).json().as_object().at("name"), json::value("Sales"));
  EXPECT_JSON(c.Patch(path, json::object{{"name", std::string(161, 'n')}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"Ensure this field has no more than 160 characters.","code":"max_length"}]}})");
  EXPECT_EQ(c.Delete(path, {a.auth()}).status, 204);
  const char* kMissing = R"({"error":"ERROR_APPLICATION_DOES_NOT_EXIST","detail":"The requested application does not exist."})";
  EXPECT_JSON(c.Get(path, {a.auth()}), 404, kMissing);
  // Existence is checked before the body for PATCH.
  EXPECT_JSON(c.Patch(path, json::object{{"name", std::string(161, 'n')}}, {a.auth()}), 404, kMissing);
  EXPECT_JSON(c.Delete(path, {a.auth()}), 404, kMissing);
  EXPECT_EQ(c.Get("/api/applications/", {a.auth()}).json().as_array().size(), 1u);
}

TEST_F(ApplicationsApiTest, CreateValidation) {
  auto c = client();
  auto a = SignUp(c, "Val", UniqueEmail("val"));
  std::string url = "/api/applications/workspace/" + std::to_string(FirstWorkspace(c, a)) + "/";
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}, {"type", "builder"}}, {a.auth()}), 400,
              R"({"error":"ERROR_APPLICATION_TYPE_DOES_NOT_EXIST","detail":"The application type builder does not exist."})");
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"type":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(url, json::object{{"type", "database"}}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_ERROR(c.Post("/api/applications/workspace/999999/", json::object{{"name", "x"}, {"type", "database"}}, {a.auth()}),
               404, "ERROR_GROUP_DOES_NOT_EXIST");
  EXPECT_EQ(c.Get("/api/applications/", {a.auth()}).json().as_array().size(), 1u);
}

TEST_F(ApplicationsApiTest, PartialReorder) {
  auto c = client();
  auto a = SignUp(c, "Ord", UniqueEmail("ord"));
  int64_t ws = FirstWorkspace(c, a);
  int64_t first = c.Get("/api/applications/", {a.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  int64_t b = CreateApp(c, a, ws, "B").at("id").as_int64();
  int64_t cc = CreateApp(c, a, ws, "C").at("id").as_int64();
  int64_t d = CreateApp(c, a, ws, "D").at("id").as_int64();
  std::string url = "/api/applications/workspace/" + std::to_string(ws) + "/order/";
  EXPECT_EQ(c.Post(url, json::object{{"application_ids", json::array{cc, first}}}, {a.auth()}).status, 204);
  auto list = c.Get("/api/applications/workspace/" + std::to_string(ws) + "/", {a.auth()}).json().as_array();
  std::vector<int64_t> ids;
  for (const auto& app : list) ids.push_back(app.as_object().at("id").as_int64());
  EXPECT_EQ(ids, (std::vector<int64_t>{b, cc, first, d}));
  EXPECT_EQ(list[0].as_object().at("order").as_int64(), 1);
  EXPECT_EQ(list[3].as_object().at("order").as_int64(), 4);
  EXPECT_JSON(c.Post(url, json::object{{"application_ids", json::array{999999}}}, {a.auth()}), 400,
              R"({"error":"ERROR_APPLICATION_NOT_IN_GROUP","detail":"The application id 999999 does not belong to the group."})");
  EXPECT_JSON(c.Post(url, json::object{}, {a.auth()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"application_ids":[{"error":"This field is required.","code":"required"}]}})");
}

TEST_F(ApplicationsApiTest, OtherUsersApplicationsAreInvisible) {
  auto c = client();
  auto owner = SignUp(c, "Owner", UniqueEmail("own"));
  auto other = SignUp(c, "Other", UniqueEmail("oth"));
  int64_t app = c.Get("/api/applications/", {owner.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  std::string path = "/api/applications/" + std::to_string(app) + "/";
  const char* kNotInGroup = R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})";
  EXPECT_JSON(c.Get(path, {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Patch(path, json::object{{"name", "mine"}}, {other.auth()}), 400, kNotInGroup);
  EXPECT_JSON(c.Delete(path, {other.auth()}), 400, kNotInGroup);
  auto list = c.Get("/api/applications/", {other.auth()}).json().as_array();
  for (const auto& a : list) EXPECT_NE(a.as_object().at("id").as_int64(), app);
  EXPECT_EQ(c.Get(path, {owner.auth()}).json().as_object().at("name"), json::value("Owner's company"));
  // Anonymous listing is only for template workspaces.
  int64_t ws = c.Get("/api/workspaces/", {owner.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  EXPECT_JSON(c.Get("/api/applications/workspace/" + std::to_string(ws) + "/"), 401,
              R"({"error":"PERMISSION_DENIED","detail":"You don't have the required permission to execute this operation."})");
}

TEST_F(ApplicationsApiTest, TrashedWorkspaceHidesItsApplications) {
  auto c = client();
  auto a = SignUp(c, "Trash", UniqueEmail("trash"));
  auto ws = c.Post("/api/workspaces/", json::object{{"name", "Temp"}}, {a.auth()}).json().as_object().at("id").as_int64();
  int64_t app = CreateApp(c, a, ws, "Gone").at("id").as_int64();
  ASSERT_EQ(c.Delete("/api/workspaces/" + std::to_string(ws) + "/", {a.auth()}).status, 204);
  EXPECT_ERROR(c.Get("/api/applications/" + std::to_string(app) + "/", {a.auth()}), 404, "ERROR_APPLICATION_DOES_NOT_EXIST");
  auto remaining = c.Get("/api/applications/", {a.auth()}).json();
  for (const auto& x : remaining.as_array()) EXPECT_NE(x.as_object().at("id").as_int64(), app);
}

}  // namespace
}  // namespace gbtest
