// API tests: database tokens (tokens.md): CRUD, the permissions object, key rotation, the
// `Authorization: Token <key>` scheme (errors.md §3), per-endpoint permissions (§4.2/§4.3),
// the token-only endpoints check/ and all-tables (applications-tables.md §3.10).
#include <algorithm>
#include <cctype>
#include <functional>
#include <set>
#include <utility>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

constexpr const char* kNoPermission =
    R"({"error":"ERROR_NO_PERMISSION_TO_TABLE","detail":"The token does not have permissions to the table."})";
constexpr const char* kNoCredentials = R"({"detail":"Authentication credentials were not provided."})";
constexpr const char* kUnknownKey =
    R"({"detail":"The provided token does not exist.","error":"ERROR_TOKEN_DOES_NOT_EXIST"})";
constexpr const char* kNoKeyInHeader =
    R"({"detail":"Invalid token header. No token provided.","error":"ERROR_INVALID_TOKEN_HEADER"})";
constexpr const char* kSpacesInHeader =
    R"({"detail":"Invalid token header. Token string should not contain spaces.",
        "error":"ERROR_INVALID_TOKEN_HEADER"})";
constexpr const char* kTokenMissing = R"({"error":"ERROR_TOKEN_DOES_NOT_EXIST","detail":"The token does not exist."})";
constexpr const char* kAllTrue = R"({"create":true,"read":true,"update":true,"delete":true})";
constexpr const char* kAllFalse = R"({"create":false,"read":false,"update":false,"delete":false})";
constexpr const char* kBadValue =
    "The value must either be a bool, or a list containing database or table ids like [[\"database\", 1], "
    "[\"table\", 1]].";

std::string S(int64_t n) { return std::to_string(n); }
std::string Tok(const std::string& key) { return "Authorization: Token " + key; }
int64_t Id(const json::value& v) { return v.as_object().at("id").as_int64(); }

/// A 400 ERROR_REQUEST_BODY_VALIDATION body with one error under `key`.
std::string BodyError(std::string_view key, std::string_view message, std::string_view code) {
  return json::serialize(json::object{
      {"error", "ERROR_REQUEST_BODY_VALIDATION"},
      {"detail", json::object{{key, json::array{json::object{{"error", message}, {"code", code}}}}}}});
}

/// The order of ["type", id] pairs in a response is unspecified: sort them.
json::value SortedPermissions(json::value p) {
  if (!p.is_object()) return p;
  for (auto& entry : p.as_object()) {
    if (!entry.value().is_array()) continue;
    auto& arr = entry.value().as_array();
    std::sort(arr.begin(), arr.end(),
              [](const json::value& a, const json::value& b) { return json::serialize(a) < json::serialize(b); });
  }
  return p;
}

bool IsKey(const json::value& v) {
  if (!v.is_string() || v.as_string().size() != 32) return false;
  return std::all_of(v.as_string().begin(), v.as_string().end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; });
}

class TokensApiTest : public ApiTest {
 protected:
  /// A new account with its example workspace; optionally a second workspace with one database/table.
  struct World {
    Account a;
    int64_t ws = 0, db = 0, customers = 0, projects = 0;
    int64_t ws2 = 0, db2 = 0, t2 = 0;
    std::string jwt() const { return a.auth(); }
    /// Replaces {ws} {db} {customers} {projects} {ws2} {db2} {t2} in `text`.
    std::string Expand(std::string text) const {
      const std::pair<const char*, int64_t> vars[] = {{"{ws}", ws},   {"{db}", db},   {"{customers}", customers},
                                                      {"{projects}", projects},      {"{ws2}", ws2},
                                                      {"{db2}", db2}, {"{t2}", t2}};
      for (const auto& [name, value] : vars) {
        const std::string_view var(name);
        for (size_t pos; (pos = text.find(var)) != std::string::npos;) text.replace(pos, var.size(), S(value));
      }
      return text;
    }
  };

  static World NewWorld(HttpClient& c, const std::string& name = "Tok") {
    World w;
    w.a = SignUp(c, name, UniqueEmail("tok"));
    w.ws = Id(c.Get("/api/workspaces/", {w.jwt()}).json().as_array().at(0));
    w.db = Id(c.Get("/api/applications/", {w.jwt()}).json().as_array().at(0));
    auto tables = c.Get("/api/database/tables/database/" + S(w.db) + "/", {w.jwt()}).json();
    for (const auto& t : tables.as_array()) {
      if (t.as_object().at("name") == "Customers") w.customers = Id(t);
      if (t.as_object().at("name") == "Projects") w.projects = Id(t);
    }
    EXPECT_TRUE(w.customers && w.projects);
    return w;
  }
  static int64_t CreateDatabase(HttpClient& c, const World& w, int64_t ws, const std::string& name) {
    auto res = c.Post("/api/applications/workspace/" + S(ws) + "/", json::object{{"name", name}, {"type", "database"}},
                      {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return Id(res.json());
  }
  static int64_t CreateTable(HttpClient& c, const World& w, int64_t db, const std::string& name) {
    auto res = c.Post("/api/database/tables/database/" + S(db) + "/", json::object{{"name", name}}, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return Id(res.json());
  }
  static void AddSecondWorkspace(HttpClient& c, World& w) {
    auto res = c.Post("/api/workspaces/", json::object{{"name", "Second"}}, {w.jwt()});
    ASSERT_EQ(res.status, 200) << res.body;
    w.ws2 = Id(res.json());
    w.db2 = CreateDatabase(c, w, w.ws2, "Elsewhere");
    w.t2 = CreateTable(c, w, w.db2, "Remote");
  }
  static json::object CreateToken(HttpClient& c, const World& w, int64_t ws, const std::string& name = "Zapier") {
    auto res = c.Post("/api/database/tokens/", json::object{{"name", name}, {"workspace", ws}}, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
  static std::string TokenPath(int64_t id) { return "/api/database/tokens/" + S(id) + "/"; }
  /// PATCHes `permissions` (placeholders expanded) and returns the response body.
  static json::object SetPermissions(HttpClient& c, const World& w, int64_t id, const std::string& perms) {
    auto res = c.Patch(TokenPath(id), json::object{{"permissions", J(w.Expand(perms))}}, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
  /// A token of `ws` (default: the first workspace) with `perms`; returns its key.
  static std::string KeyWith(HttpClient& c, const World& w, const std::string& perms, int64_t ws = 0) {
    auto token = CreateToken(c, w, ws ? ws : w.ws);
    SetPermissions(c, w, Id(token), perms);
    return std::string(token.at("key").as_string());
  }
  static json::value Permissions(HttpClient& c, const World& w, int64_t id) {
    auto res = c.Get(TokenPath(id), {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return SortedPermissions(res.json().as_object().at("permissions"));
  }

  /// Calls every token endpoint of tokens.md §4.2 on `table` and asserts which are granted.
  static void ExpectTableAccess(HttpClient& c, const World& w, int64_t table, const std::string& key,
                                const std::set<std::string>& granted) {
    static int field_counter = 0;
    const std::string tok = Tok(key), t = S(table);
    const std::string rows = "/api/database/rows/table/" + t + "/", fields = "/api/database/fields/table/" + t + "/";
    auto state = [&] {
      return json::value(json::array{c.Get(rows + "?user_field_names=true", {w.jwt()}).json(),
                                     c.Get(fields, {w.jwt()}).json()});
    };
    auto make_row = [&](const char* name) {
      auto r = c.Post(rows + "?user_field_names=true", json::object{{"Name", name}}, {w.jwt()});
      EXPECT_EQ(r.status, 200) << r.body;
      return Id(r.json());
    };
    const int64_t r1 = make_row("one"), r2 = make_row("two");
    auto has = [&](const char* op) { return granted.count(op) > 0; };
    auto expect = [&](const std::string& what, bool allowed, long ok_status,
                      const std::function<HttpResponse()>& call) {
      SCOPED_TRACE(what);
      auto before = state();
      auto res = call();
      if (allowed) {
        EXPECT_EQ(res.status, ok_status) << res.body;
      } else {
        EXPECT_JSON(res, 401, kNoPermission);
        EXPECT_EQ(state(), before) << "a refused request changed the table";
      }
      return res;
    };
    expect("list rows", has("read"), 200, [&] { return c.Get(rows, {tok}); });
    expect("get row", has("read"), 200, [&] { return c.Get(rows + S(r1) + "/", {tok}); });
    auto names = expect("row names", has("read"), 200,
                        [&] { return c.Get("/api/database/rows/names/?table__" + t + "=" + S(r1), {tok}); });
    if (has("read")) {
      EXPECT_EQ(names.json(), J(R"({")" + t + R"(":{")" + S(r1) + R"(":"one"}})"));
    }
    expect("list fields", has("read") || has("create") || has("update"), 200, [&] { return c.Get(fields, {tok}); });
    expect("create row", has("create"), 200,
           [&] { return c.Post(rows + "?user_field_names=true", json::object{{"Name", "created"}}, {tok}); });
    expect("batch create", has("create"), 200, [&] {
      return c.Post(rows + "batch/?user_field_names=true", J(R"({"items":[{"Name":"batch"}]})"), {tok});
    });
    expect("update row", has("update"), 200, [&] {
      return c.Patch(rows + S(r1) + "/?user_field_names=true", json::object{{"Name", "updated"}}, {tok});
    });
    expect("move row", has("update"), 200, [&] { return c.Request("PATCH", rows + S(r1) + "/move/", "", {tok}); });
    expect("batch update", has("update"), 200, [&] {
      return c.Patch(rows + "batch/?user_field_names=true",
                     json::object{{"items", json::array{json::object{{"id", r2}, {"Name", "batch updated"}}}}}, {tok});
    });
    expect("create field (never allowed)", false, 200, [&] {
      return c.Post(fields, json::object{{"name", "Via token " + S(++field_counter)}, {"type", "text"}}, {tok});
    });
    expect("delete row", has("delete"), 204, [&] { return c.Delete(rows + S(r1) + "/", {tok}); });
    expect("batch delete", has("delete"), 204,
           [&] { return c.Post(rows + "batch-delete/", json::object{{"items", json::array{r2}}}, {tok}); });
  }
};

// ---------------------------------------------------------------------------------------------
// CRUD

TEST_F(TokensApiTest, CreateReturnsAFullTokenWithAllPermissions) {
  auto c = client();
  auto w = NewWorld(c);
  auto token = CreateToken(c, w, w.ws, "Zapier");
  EXPECT_EQ(token.size(), 5u) << json::serialize(token);
  EXPECT_TRUE(token.at("id").is_int64());
  EXPECT_EQ(token.at("name"), json::value("Zapier"));
  EXPECT_EQ(token.at("workspace").as_int64(), w.ws);
  EXPECT_TRUE(IsKey(token.at("key"))) << token.at("key");
  EXPECT_EQ(token.at("permissions"), J(kAllTrue));
  auto other = CreateToken(c, w, w.ws, "Second");
  EXPECT_NE(other.at("key"), token.at("key"));
  EXPECT_GT(Id(other), Id(token));
  // Reads return the same object, full key included.
  auto got = c.Get(TokenPath(Id(token)), {w.jwt()});
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), json::value(token));
  // A name of exactly 100 characters is accepted.
  EXPECT_EQ(CreateToken(c, w, w.ws, std::string(100, 'n')).at("name").as_string().size(), 100u);
}

TEST_F(TokensApiTest, CreateValidation) {
  auto c = client();
  auto w = NewWorld(c);
  auto stranger = NewWorld(c, "Stranger");
  const std::string url = "/api/database/tokens/";
  EXPECT_JSON(c.Post(url, json::object{}, {w.jwt()}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{
                   "name":[{"error":"This field is required.","code":"required"}],
                   "workspace":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(url, json::object{{"workspace", w.ws}}, {w.jwt()}), 400,
              BodyError("name", "This field is required.", "required"));
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}}, {w.jwt()}), 400,
              BodyError("workspace", "This field is required.", "required"));
  EXPECT_JSON(c.Post(url, json::object{{"name", std::string(101, 'x')}, {"workspace", w.ws}}, {w.jwt()}), 400,
              BodyError("name", "Ensure this field has no more than 100 characters.", "max_length"));
  EXPECT_JSON(c.Post(url, json::object{{"name", ""}, {"workspace", w.ws}}, {w.jwt()}), 400,
              BodyError("name", "This field may not be blank.", "blank"));
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}, {"workspace", 999999999}}, {w.jwt()}), 400,
              BodyError("workspace", "Invalid pk \"999999999\" - object does not exist.", "does_not_exist"));
  EXPECT_ERROR(c.Post(url, json::object{{"name", "x"}, {"workspace", stranger.ws}}, {w.jwt()}), 400,
               "ERROR_USER_NOT_IN_GROUP");
  EXPECT_EQ(c.Get(url, {w.jwt()}).json(), J("[]"));
  EXPECT_EQ(c.Get(url, {stranger.jwt()}).json(), J("[]"));
}

TEST_F(TokensApiTest, ListShowsOwnTokensOfAllWorkspacesInIdOrder) {
  auto c = client();
  auto w = NewWorld(c);
  AddSecondWorkspace(c, w);
  auto other = NewWorld(c, "Other");
  auto t1 = CreateToken(c, w, w.ws, "one");
  CreateToken(c, other, other.ws, "foreign");
  auto t2 = CreateToken(c, w, w.ws2, "two");
  auto t3 = CreateToken(c, w, w.ws, "three");
  auto list = c.Get("/api/database/tokens/", {w.jwt()});
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json(), (json::value(json::array{t1, t2, t3})));
  EXPECT_EQ(c.Get("/api/database/tokens/", {other.jwt()}).json().as_array().size(), 1u);
}

TEST_F(TokensApiTest, UnknownAndForeignTokensDoNotExist) {
  auto c = client();
  auto w = NewWorld(c);
  auto other = NewWorld(c, "Other");
  auto foreign = CreateToken(c, other, other.ws, "theirs");
  for (const std::string& path : {TokenPath(Id(foreign)), TokenPath(999999999)}) {
    SCOPED_TRACE(path);
    EXPECT_JSON(c.Get(path, {w.jwt()}), 404, kTokenMissing);
    EXPECT_JSON(c.Patch(path, json::object{{"name", "mine"}}, {w.jwt()}), 404, kTokenMissing);
    EXPECT_JSON(c.Delete(path, {w.jwt()}), 404, kTokenMissing);
  }
  EXPECT_EQ(c.Get(TokenPath(Id(foreign)), {other.jwt()}).json(), json::value(foreign));
}

TEST_F(TokensApiTest, PatchRenamesAndValidatesTheBodyBeforeTheLookup) {
  auto c = client();
  auto w = NewWorld(c);
  auto other = NewWorld(c, "Other");
  auto token = CreateToken(c, w, w.ws, "Old");
  const std::string path = TokenPath(Id(token));
  auto renamed = c.Patch(path, json::object{{"name", "New"}}, {w.jwt()});
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  token["name"] = "New";
  EXPECT_EQ(renamed.json(), json::value(token));
  // An empty body is valid and returns the token unchanged; rotate_key false keeps the key.
  EXPECT_JSON(c.Patch(path, json::object{}, {w.jwt()}), 200, json::serialize(token));
  EXPECT_JSON(c.Patch(path, json::object{{"rotate_key", false}}, {w.jwt()}), 200, json::serialize(token));
  EXPECT_JSON(c.Patch(path, json::object{{"name", ""}}, {w.jwt()}), 400,
              BodyError("name", "This field may not be blank.", "blank"));
  EXPECT_JSON(c.Patch(path, json::object{{"name", std::string(101, 'x')}}, {w.jwt()}), 400,
              BodyError("name", "Ensure this field has no more than 100 characters.", "max_length"));
  EXPECT_JSON(c.Patch(path, json::object{{"rotate_key", "sometimes"}}, {w.jwt()}), 400,
              BodyError("rotate_key", "Must be a valid boolean.", "invalid"));
  EXPECT_EQ(c.Get(path, {w.jwt()}).json(), json::value(token));
  // Body validation runs before the token is looked up: foreign and unknown ids get 400.
  auto foreign = CreateToken(c, other, other.ws, "theirs");
  for (int64_t id : {Id(foreign), int64_t{999999999}}) {
    EXPECT_JSON(c.Patch(TokenPath(id), json::object{{"name", ""}}, {w.jwt()}), 400,
                BodyError("name", "This field may not be blank.", "blank"));
    EXPECT_JSON(c.Patch(TokenPath(id), json::object{{"permissions", json::object{}}}, {w.jwt()}), 400,
                BodyError("permissions", "Only create, read, update and delete keys are allowed.", "invalid_key"));
  }
  EXPECT_EQ(c.Get(TokenPath(Id(foreign)), {other.jwt()}).json(), json::value(foreign));
}

TEST_F(TokensApiTest, PatchAcceptsEveryPermissionForm) {
  auto c = client();
  auto w = NewWorld(c);
  int64_t id = Id(CreateToken(c, w, w.ws));
  auto expect_perms = [&](const std::string& sent, const std::string& read_back) {
    SCOPED_TRACE(sent);
    auto res = SetPermissions(c, w, id, sent);
    EXPECT_EQ(SortedPermissions(res.at("permissions")), SortedPermissions(J(w.Expand(read_back))));
    EXPECT_EQ(Permissions(c, w, id), SortedPermissions(J(w.Expand(read_back))));
  };
  expect_perms(kAllFalse, kAllFalse);
  expect_perms(R"({"create":false,"read":true,"update":false,"delete":true})",
               R"({"create":false,"read":true,"update":false,"delete":true})");
  expect_perms(R"({"create":[["database",{db}]],"read":[["table",{customers}],["table",{projects}]],
                   "update":[],"delete":[["database",{db}],["table",{customers}]]})",
               R"({"create":[["database",{db}]],"read":[["table",{customers}],["table",{projects}]],
                   "update":false,"delete":[["database",{db}],["table",{customers}]]})");
  // Every PATCH replaces all four sets.
  expect_perms(R"({"create":[],"read":[],"update":[],"delete":[]})", kAllFalse);
  expect_perms(R"({"create":true,"read":[["table",{projects}]],"update":[["database",{db}]],"delete":false})",
               R"({"create":true,"read":[["table",{projects}]],"update":[["database",{db}]],"delete":false})");
  expect_perms(kAllTrue, kAllTrue);
}

TEST_F(TokensApiTest, PatchRejectsInvalidPermissions) {
  auto c = client();
  auto w = NewWorld(c);
  int64_t id = Id(CreateToken(c, w, w.ws));
  const char* kKeys = "Only create, read, update and delete keys are allowed.";
  struct Case {
    const char* permissions;
    std::string message;
    const char* code;
  };
  const Case table[] = {
      {R"("all")", kKeys, "invalid_key"},
      {"true", kKeys, "invalid_key"},
      {"{}", kKeys, "invalid_key"},
      {R"({"create":true,"update":true,"delete":true})", kKeys, "invalid_key"},
      {R"({"create":true,"read":true,"update":true,"delete":true,"admin":true})", kKeys, "invalid_key"},
      {R"({"create":true,"read":true,"update":true,"remove":true})", kKeys, "invalid_key"},
      {R"({"create":"yes","read":true,"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":1,"read":true,"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":null,"read":true,"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":true,"read":["database",{db}],"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":true,"read":[["database"]],"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":true,"read":[["table",{customers},1]],"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":true,"read":[["table","x"]],"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":true,"read":[[7,{customers}]],"update":true,"delete":true})", kBadValue, "invalid_value"},
      {R"({"create":true,"read":true,"update":[["view",{customers}]],"delete":true})",
       "The instance type can only be a database or table.", "invalid_instance_type"},
      {R"({"create":true,"read":true,"update":true,"delete":[["table",999999999]]})",
       "The table id 999999999 is not valid.", "invalid_table_id"},
      {R"({"create":[["database",999999998]],"read":true,"update":true,"delete":true})",
       "The database id 999999998 is not valid.", "invalid_database_id"},
  };
  for (const auto& tc : table) {
    SCOPED_TRACE(tc.permissions);
    auto body = J(R"({"permissions":)" + w.Expand(tc.permissions) + "}");
    EXPECT_JSON(c.Patch(TokenPath(id), body, {w.jwt()}), 400, BodyError("permissions", tc.message, tc.code));
  }
  EXPECT_EQ(Permissions(c, w, id), J(kAllTrue));
}

TEST_F(TokensApiTest, PatchRejectsItemsOfAnotherWorkspace) {
  auto c = client();
  auto w = NewWorld(c);
  AddSecondWorkspace(c, w);
  auto stranger = NewWorld(c, "Stranger");
  int64_t id = Id(CreateToken(c, w, w.ws));
  const std::string foreign_db = R"({"create":true,"read":[["database",{db2}]],"update":true,"delete":true})";
  const std::string foreign_table = R"({"create":true,"read":true,"update":[["table",{t2}]],"delete":true})";
  auto patch = [&](const std::string& perms) {
    return c.Patch(TokenPath(id), json::object{{"permissions", J(w.Expand(perms))}}, {w.jwt()});
  };
  EXPECT_ERROR(patch(foreign_db), 400, "ERROR_DATABASE_DOES_NOT_BELONG_TO_GROUP");
  EXPECT_ERROR(patch(foreign_table), 400, "ERROR_TABLE_DOES_NOT_BELONG_TO_GROUP");
  // Another user's items exist, so they pass validation but fail the scope check.
  EXPECT_ERROR(patch(R"({"create":[["database",)" + S(stranger.db) + R"(]],"read":true,"update":true,"delete":true})"),
               400, "ERROR_DATABASE_DOES_NOT_BELONG_TO_GROUP");
  EXPECT_ERROR(
      patch(R"({"create":[["table",)" + S(stranger.customers) + R"(]],"read":true,"update":true,"delete":true})"), 400,
      "ERROR_TABLE_DOES_NOT_BELONG_TO_GROUP");
  EXPECT_EQ(Permissions(c, w, id), J(kAllTrue));
  // The same items are fine for a token of the second workspace.
  int64_t id2 = Id(CreateToken(c, w, w.ws2));
  EXPECT_EQ(SortedPermissions(SetPermissions(c, w, id2, foreign_db).at("permissions")),
            SortedPermissions(J(w.Expand(foreign_db))));
}

TEST_F(TokensApiTest, RotateKeyInvalidatesTheOldKeyAtOnce) {
  auto c = client();
  auto w = NewWorld(c);
  auto token = CreateToken(c, w, w.ws, "Rotating");
  const std::string old_key(token.at("key").as_string());
  EXPECT_JSON(c.Get("/api/database/tokens/check/", {Tok(old_key)}), 200, R"({"token":"OK"})");
  auto res = c.Patch(TokenPath(Id(token)), json::object{{"rotate_key", true}, {"name", "Rotated"}}, {w.jwt()});
  ASSERT_EQ(res.status, 200) << res.body;
  auto rotated = res.json().as_object();
  EXPECT_TRUE(IsKey(rotated.at("key")));
  EXPECT_NE(rotated.at("key"), token.at("key"));
  EXPECT_EQ(rotated.at("name"), json::value("Rotated"));
  EXPECT_EQ(rotated.at("permissions"), J(kAllTrue));
  EXPECT_EQ(c.Get(TokenPath(Id(token)), {w.jwt()}).json(), json::value(rotated));
  const std::string new_key(rotated.at("key").as_string());
  EXPECT_JSON(c.Get("/api/database/tokens/check/", {Tok(old_key)}), 403, kUnknownKey);
  EXPECT_JSON(c.Get("/api/database/rows/table/" + S(w.customers) + "/", {Tok(old_key)}), 401, kUnknownKey);
  EXPECT_JSON(c.Get("/api/database/tokens/check/", {Tok(new_key)}), 200, R"({"token":"OK"})");
  EXPECT_EQ(c.Get("/api/database/rows/table/" + S(w.customers) + "/", {Tok(new_key)}).status, 200);
}

TEST_F(TokensApiTest, DeleteRevokesTheKey) {
  auto c = client();
  auto w = NewWorld(c);
  auto keep = CreateToken(c, w, w.ws, "keep");
  auto token = CreateToken(c, w, w.ws, "gone");
  const std::string key(token.at("key").as_string());
  auto res = c.Delete(TokenPath(Id(token)), {w.jwt()});
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(res.body, "");
  EXPECT_JSON(c.Get(TokenPath(Id(token)), {w.jwt()}), 404, kTokenMissing);
  EXPECT_JSON(c.Delete(TokenPath(Id(token)), {w.jwt()}), 404, kTokenMissing);
  EXPECT_JSON(c.Get("/api/database/tokens/check/", {Tok(key)}), 403, kUnknownKey);
  EXPECT_JSON(c.Get("/api/database/rows/table/" + S(w.customers) + "/", {Tok(key)}), 401, kUnknownKey);
  EXPECT_EQ(c.Get("/api/database/tokens/", {w.jwt()}).json(), (json::value(json::array{keep})));
}

// ---------------------------------------------------------------------------------------------
// Authentication with a token

TEST_F(TokensApiTest, CheckEndpointAndHeaderShapes) {
  auto c = client();
  auto w = NewWorld(c);
  const std::string key = KeyWith(c, w, kAllFalse);  // permissions are not evaluated by check/
  const std::string rows = "/api/database/rows/table/" + S(w.customers) + "/";
  for (const std::string keyword : {"Token", "token", "TOKEN", "tOkEn"}) {
    SCOPED_TRACE(keyword);
    EXPECT_JSON(c.Get("/api/database/tokens/check/", {"Authorization: " + keyword + " " + key}), 200,
                R"({"token":"OK"})");
    EXPECT_JSON(c.Get(rows, {"Authorization: " + keyword + " " + key}), 401, kNoPermission);
  }
  // Token-only endpoints answer 403; endpoints that also accept JWT answer 401.
  for (const std::string& path :
       {std::string("/api/database/tokens/check/"), std::string("/api/database/tables/all-tables/")}) {
    SCOPED_TRACE(path);
    EXPECT_JSON(c.Get(path), 403, kNoCredentials);
    EXPECT_JSON(c.Get(path, {w.jwt()}), 403, kNoCredentials);
    EXPECT_JSON(c.Get(path, {"Authorization: Bearer " + key}), 403, kNoCredentials);
    EXPECT_JSON(c.Get(path, {Tok("ThisKeyDoesNotExist0000000000000")}), 403, kUnknownKey);
    EXPECT_JSON(c.Get(path, {"Authorization: Token"}), 403, kNoKeyInHeader);
    EXPECT_JSON(c.Get(path, {"Authorization: Token a b"}), 403, kSpacesInHeader);
    EXPECT_EQ(c.Get(path).header("www-authenticate"), "");
  }
  EXPECT_JSON(c.Get(rows, {Tok("ThisKeyDoesNotExist0000000000000")}), 401, kUnknownKey);
  EXPECT_JSON(c.Get(rows, {"Authorization: Token"}), 401, kNoKeyInHeader);
  EXPECT_JSON(c.Get(rows, {"Authorization: Token a b"}), 401, kSpacesInHeader);
  EXPECT_JSON(c.Post(rows, J("{}"), {"Authorization: token a b"}), 401, kSpacesInHeader);
  EXPECT_JSON(c.Get(rows, {"Authorization: Bearer " + key}), 401, kNoCredentials);
  EXPECT_EQ(c.Get(rows, {w.jwt()}).status, 200);
}

TEST_F(TokensApiTest, JwtOnlyEndpointsTreatATokenAsNoCredentials) {
  auto c = client();
  auto w = NewWorld(c);
  auto token = CreateToken(c, w, w.ws, "full");
  const std::string tok = Tok(std::string(token.at("key").as_string()));
  int64_t field = Id(c.Get("/api/database/fields/table/" + S(w.customers) + "/", {w.jwt()}).json().as_array().at(0));
  struct Call {
    const char* method;
    std::string path;
    std::string body;
  };
  const Call calls[] = {
      {"GET", "/api/workspaces/", ""},
      {"GET", "/api/applications/", ""},
      {"GET", "/api/database/tables/database/" + S(w.db) + "/", ""},
      {"GET", "/api/database/tables/" + S(w.customers) + "/", ""},
      {"PATCH", "/api/database/fields/" + S(field) + "/", R"({"name":"Renamed by token"})"},
      {"GET", "/api/database/tokens/", ""},
      {"POST", "/api/database/tokens/", R"({"name":"by token","workspace":)" + S(w.ws) + "}"},
      {"GET", TokenPath(Id(token)), ""},
      {"PATCH", TokenPath(Id(token)), R"({"name":"hijacked","rotate_key":true})"},
      {"DELETE", TokenPath(Id(token)), ""},
  };
  for (const auto& call : calls) {
    SCOPED_TRACE(std::string(call.method) + " " + call.path);
    auto res = c.Request(call.method, call.path, call.body, {tok});
    EXPECT_JSON(res, 401, kNoCredentials);
    EXPECT_EQ(res.header("www-authenticate"), "JWT realm=\"api\"");
  }
  EXPECT_EQ(c.Get(TokenPath(Id(token)), {w.jwt()}).json(), json::value(token));
  EXPECT_EQ(c.Get("/api/database/tokens/", {w.jwt()}).json().as_array().size(), 1u);
  EXPECT_NE(c.Get("/api/database/fields/" + S(field) + "/", {w.jwt()}).json().as_object().at("name"),
            json::value("Renamed by token"));
}

// ---------------------------------------------------------------------------------------------
// Permissions per endpoint

TEST_F(TokensApiTest, EachSinglePermissionGrantsExactlyItsEndpoints) {
  auto c = client();
  auto w = NewWorld(c);
  for (const std::string op : {"create", "read", "update", "delete"}) {
    SCOPED_TRACE("only " + op);
    auto perms = J(kAllFalse);
    perms.as_object()[op] = true;
    ExpectTableAccess(c, w, w.customers, KeyWith(c, w, json::serialize(perms)), {op});
  }
  {
    SCOPED_TRACE("all true");
    ExpectTableAccess(c, w, w.customers, KeyWith(c, w, kAllTrue), {"create", "read", "update", "delete"});
  }
  {
    SCOPED_TRACE("all false");
    ExpectTableAccess(c, w, w.customers, KeyWith(c, w, kAllFalse), {});
  }
}

TEST_F(TokensApiTest, ScopedGrantsApplyOnlyToTheirTablesAndWorkspace) {
  auto c = client();
  auto w = NewWorld(c);
  AddSecondWorkspace(c, w);
  {
    SCOPED_TRACE("every permission on Projects only");
    const std::string key = KeyWith(c, w, R"({"create":[["table",{projects}]],"read":[["table",{projects}]],
                                             "update":[["table",{projects}]],"delete":[["table",{projects}]]})");
    ExpectTableAccess(c, w, w.customers, key, {});
    ExpectTableAccess(c, w, w.projects, key, {"create", "read", "update", "delete"});
  }
  {
    SCOPED_TRACE("database grants");
    const std::string key =
        KeyWith(c, w, R"({"create":false,"read":[["database",{db}]],"update":[["database",{db}]],"delete":false})");
    ExpectTableAccess(c, w, w.customers, key, {"read", "update"});
    ExpectTableAccess(c, w, w.projects, key, {"read", "update"});
  }
  {
    SCOPED_TRACE("token of the second workspace on a table of the first");
    const std::string key = KeyWith(c, w, kAllTrue, w.ws2);
    ExpectTableAccess(c, w, w.customers, key, {});
    ExpectTableAccess(c, w, w.t2, key, {"create", "read", "update", "delete"});
  }
}

TEST_F(TokensApiTest, RowNamesNeedReadOnEveryTable) {
  auto c = client();
  auto w = NewWorld(c);
  const std::string both = "/api/database/rows/names/?table__" + S(w.customers) + "=1&table__" + S(w.projects) + "=1";
  auto customers_only = KeyWith(c, w, R"({"create":true,"read":[["table",{customers}]],"update":true,"delete":true})");
  EXPECT_JSON(c.Get(both, {Tok(customers_only)}), 401, kNoPermission);
  auto res = c.Get("/api/database/rows/names/?table__" + S(w.customers) + "=1", {Tok(customers_only)});
  EXPECT_EQ(res.status, 200) << res.body;
  auto both_tables = KeyWith(c, w, R"({"create":false,"read":[["database",{db}]],"update":false,"delete":false})");
  res = c.Get(both, {Tok(both_tables)});
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json(), c.Get(both, {w.jwt()}).json());
}

TEST_F(TokensApiTest, TableChecksRunBeforeThePermissionCheck) {
  auto c = client();
  auto w = NewWorld(c);
  auto stranger = NewWorld(c, "Stranger");
  const std::string all = Tok(KeyWith(c, w, kAllTrue));
  const std::string none = Tok(KeyWith(c, w, kAllFalse));
  EXPECT_ERROR(c.Get("/api/database/rows/table/999999999/", {none}), 404, "ERROR_TABLE_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Get("/api/database/rows/table/" + S(stranger.customers) + "/", {all}), 400,
               "ERROR_USER_NOT_IN_GROUP");
  EXPECT_ERROR(c.Get("/api/database/rows/table/" + S(w.customers) + "/999999999/", {all}), 404,
               "ERROR_ROW_DOES_NOT_EXIST");
  EXPECT_JSON(c.Get("/api/database/rows/table/" + S(w.customers) + "/999999999/", {none}), 401, kNoPermission);
}

TEST_F(TokensApiTest, TokensCannotIncludeRowMetadata) {
  auto c = client();
  auto w = NewWorld(c);
  const std::string rows = "/api/database/rows/table/" + S(w.customers) + "/";
  auto first = c.Get(rows, {w.jwt()}).json().as_object().at("results").as_array().at(0);
  const std::string row_path = rows + S(Id(first)) + "/";
  const std::string key = KeyWith(c, w, kAllTrue);
  EXPECT_JSON(c.Get(row_path + "?include=metadata", {Tok(key)}), 400,
              R"({"error":"ERROR_CANNOT_INCLUDE_ROW_METADATA","detail":"The token cannot include row metadata."})");
  auto plain = c.Get(row_path, {Tok(key)});
  EXPECT_EQ(plain.status, 200) << plain.body;
  auto with_meta = c.Get(row_path + "?include=metadata", {w.jwt()});
  EXPECT_EQ(with_meta.status, 200) << with_meta.body;
  auto expected = plain.json().as_object();
  expected["metadata"] = json::object{};
  EXPECT_EQ(with_meta.json(), json::value(expected));
}

// ---------------------------------------------------------------------------------------------
// all-tables and trash

TEST_F(TokensApiTest, AllTablesListsTablesWithAnyPermission) {
  auto c = client();
  auto w = NewWorld(c);
  AddSecondWorkspace(c, w);
  int64_t db_b = CreateDatabase(c, w, w.ws, "Second database");
  int64_t third = CreateTable(c, w, db_b, "Third");
  auto tables_of = [&](std::initializer_list<int64_t> dbs, std::set<int64_t> only = {}) {
    std::vector<json::object> out;
    for (int64_t db : dbs) {
      auto tables = c.Get("/api/database/tables/database/" + S(db) + "/", {w.jwt()}).json();
      for (const auto& t : tables.as_array()) {
        auto obj = t.as_object();
        EXPECT_EQ(obj.at("data_sync"), json::value(nullptr));
        obj.erase("data_sync");
        if (only.empty() || only.count(Id(obj))) out.push_back(std::move(obj));
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const json::object& a, const json::object& b) {
      return std::make_pair(a.at("order").as_int64(), a.at("id").as_int64()) <
             std::make_pair(b.at("order").as_int64(), b.at("id").as_int64());
    });
    return json::value(json::array(out.begin(), out.end()));
  };
  auto all_tables = [&](const std::string& key) {
    auto res = c.Get("/api/database/tables/all-tables/", {Tok(key)});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json();
  };
  const std::string everything = KeyWith(c, w, kAllTrue);
  EXPECT_EQ(all_tables(everything), tables_of({w.db, db_b}));
  EXPECT_EQ(all_tables(everything).as_array().size(), 3u);
  // `true` also covers tables created later.
  int64_t later = CreateTable(c, w, w.db, "Later");
  EXPECT_EQ(all_tables(everything), tables_of({w.db, db_b}));
  EXPECT_EQ(all_tables(everything).as_array().size(), 4u);
  EXPECT_EQ(all_tables(KeyWith(c, w, kAllFalse)), J("[]"));
  EXPECT_EQ(all_tables(KeyWith(c, w, R"({"create":false,"read":false,"update":false,
                                         "delete":[["table",{projects}]]})")),
            tables_of({w.db}, {w.projects}));
  EXPECT_EQ(all_tables(KeyWith(c, w, R"({"create":false,"read":false,"update":[["database",)" + S(db_b) +
                                         R"(]],"delete":false})")),
            tables_of({db_b}));
  EXPECT_EQ(all_tables(KeyWith(c, w, R"({"create":[["table",)" + S(later) + R"(]],"read":[["table",)" + S(third) +
                                         R"(]],"update":false,"delete":false})")),
            tables_of({w.db, db_b}, {later, third}));
  EXPECT_EQ(all_tables(KeyWith(c, w, kAllTrue, w.ws2)), tables_of({w.db2}));
}

TEST_F(TokensApiTest, TrashedTableDisappearsFromThePermissions) {
  auto c = client();
  auto w = NewWorld(c);
  auto token = CreateToken(c, w, w.ws);
  SetPermissions(c, w, Id(token), R"({"create":[["table",{customers}]],
                                     "read":[["table",{customers}],["table",{projects}]],
                                     "update":[["database",{db}]],"delete":false})");
  ASSERT_EQ(c.Delete("/api/database/tables/" + S(w.customers) + "/", {w.jwt()}).status, 204);
  EXPECT_EQ(Permissions(c, w, Id(token)),
            SortedPermissions(J(w.Expand(R"({"create":false,"read":[["table",{projects}]],
                                             "update":[["database",{db}]],"delete":false})"))));
  const std::string tok = Tok(std::string(token.at("key").as_string()));
  EXPECT_ERROR(c.Get("/api/database/rows/table/" + S(w.customers) + "/", {tok}), 404, "ERROR_TABLE_DOES_NOT_EXIST");
  auto listed = c.Get("/api/database/tables/all-tables/", {tok}).json().as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(Id(listed[0]), w.projects);
}

TEST_F(TokensApiTest, TrashedDatabaseDisappearsButItsTableGrantStaysListed) {
  auto c = client();
  auto w = NewWorld(c);
  AddSecondWorkspace(c, w);
  int64_t id = Id(CreateToken(c, w, w.ws2));
  SetPermissions(c, w, id, R"({"create":false,"read":[["database",{db2}],["table",{t2}]],"update":[["database",{db2}]],
                               "delete":false})");
  ASSERT_EQ(c.Delete("/api/applications/" + S(w.db2) + "/", {w.jwt()}).status, 204);
  // pitfalls.md 27: the database reference disappears, the table inside it stays listed.
  EXPECT_EQ(Permissions(c, w, id),
            J(w.Expand(R"({"create":false,"read":[["table",{t2}]],"update":false,"delete":false})")));
}

}  // namespace
}  // namespace gbtest
