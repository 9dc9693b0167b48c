// The acceptance scenarios of baasbox.md §14 that the other BaasBox API tests leave open or cover
// only in part, over HTTP (both stores through ctest): the §2.3 decision table for a
// USER_OR_ANON endpoint; the token in the query string on document routes; the field-part PUT
// cases of §9.5.9; custom roles and role inheritance reaching documents (§2.4, §9.3.1); the §8.2
// example expressions with the rows they must return, coercion, NOT over missing fields, LIKE
// case, links' in./out. paths and the rejected constructs of §8.4; paging arithmetic (§7.2);
// orderBy over mixed types and UTF-8 criteria (§7.5); the profile visibility matrix with `where`,
// orderBy and aggregate probes on hidden sections (§5.2, §8.6), also through a link's user node
// (§5.3); expired tokens on every access class (§2.3, §3). The follower column of the matrix
// needs the friendship endpoints, which are out of scope (§12).
#include <chrono>
#include <set>
#include <thread>

#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

constexpr const char* kGone = "Authentication info not valid or not provided. HINT: is your session expired?";
constexpr const char* kCriteria = "Invalid criteria. Please check your query, the syntax and the parameters";

using Names = std::vector<std::string>;

/// The query-string form of one value (RFC 3986 unreserved kept, everything else %XX).
std::string Q(std::string_view s) { return PercentEncode(s); }

/// `where=…&params=…` for a criteria query.
std::string Where(const std::string& where, const std::vector<std::string>& params = {}) {
  std::string out = "where=" + Q(where);
  for (const auto& p : params) out += "&params=" + Q(p);
  return out;
}

/// The values of `key` in a list answer, in order.
Names Column(const json::value& rows, const char* key = "name") {
  Names out;
  if (!rows.is_array()) {
    ADD_FAILURE() << "not an array: " << rows;
    return out;
  }
  for (const auto& r : rows.as_array()) {
    const json::value* v = r.is_object() ? r.as_object().if_contains(key) : nullptr;
    out.push_back(v && v->is_string() ? std::string(v->as_string()) : "<" + json::serialize(r) + ">");
  }
  return out;
}

/// User names in a /users answer, in order.
Names UserNames(const json::value& rows) {
  Names out;
  for (const auto& r : rows.as_array()) out.emplace_back(r.at("user").at("name").as_string());
  return out;
}

/// The criteria error of §7.6 (BaasBox's text, optionally followed by ": detail").
void ExpectCriteriaError(const HttpResponse& r, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(r.status, 400) << r.body;
  json::value j;
  ASSERT_NO_THROW(j = r.json()) << r.body;
  ASSERT_TRUE(j.is_object() && j.as_object().contains("message")) << r.body;
  EXPECT_EQ(j.at("result"), "error");
  EXPECT_EQ(std::string(j.at("message").as_string()).rfind(kCriteria, 0), 0u) << r.body;
  EXPECT_FALSE(j.as_object().contains("bb_code")) << r.body;
}

class BaasBoxScenariosTest : public BbTest {
 protected:
  /// Signs up; returns {token, user id}.
  std::pair<std::string, std::string> NewUser(const std::string& name, const std::string& password = "pw",
                                              json::object extra = {}) {
    extra["username"] = name;
    extra["password"] = password;
    auto data = ExpectOk(bb().Post("/user", extra, {kAppHeader}), 201, "sign-up");
    if (!data.is_object()) return {};
    return {std::string(data.at("X-BB-SESSION").as_string()), std::string(data.at("id").as_string())};
  }

  /// Creates a document; returns it.
  json::object NewDoc(const std::string& col, const std::string& token, std::string_view body) {
    auto data = ExpectOk(bb().Post("/document/" + col, J(body), As(token)), 200, "create");
    return data.is_object() ? data.as_object() : json::object{};
  }

  /// `name` of the documents a GET /document/{c}?{query} returns for these headers.
  Names List(const std::string& col, const std::string& query, const std::vector<std::string>& headers) {
    auto r = bb().Get("/document/" + col + (query.empty() ? "" : "?" + query), headers);
    SCOPED_TRACE(query);
    return Column(ExpectOk(r));
  }
};

// --- §2.3 row by row for USER_OR_ANON endpoints (GET /document/{c}, …/{id}, …/count) ---------

TEST_F(BaasBoxScenariosTest, DecisionTableForUserOrAnonymousEndpoints) {
  auto c = bb();
  std::string col = NewCollection("dtdocs");
  std::string owner = Unique("dtowner");
  auto [token, owner_id] = NewUser(owner, "secret");
  std::string pub(NewDoc(col, token, R"({"name":"public"})").at("id").as_string());
  std::string priv(NewDoc(col, token, R"({"name":"private"})").at("id").as_string());
  ExpectOk(c.Put("/document/" + col + "/" + pub + "/read/role/anonymous", json::object{}, As(token)));
  const std::string list = "/document/" + col;
  const Names both{"public", "private"};

  // Row 1: no token, no Authorization.
  EXPECT_EQ(Column(ExpectOk(c.Get(list, {kAppHeader}), 200, "1 anonymous")), Names{"public"});
  EXPECT_EQ(Column(ExpectOk(c.Get(list + "?X-BAASBOX-APPCODE=1234567890"), 200, "1 query app code")), Names{"public"});
  EXPECT_EQ(ExpectOk(c.Get(list + "/count", {kAppHeader}), 200, "1 count"), J(R"({"count":1})"));
  EXPECT_EQ(ExpectOk(c.Get(list + "/" + pub, {kAppHeader}), 200, "1 get").at("name"), "public");
  ExpectBbError(c.Get(list + "/" + priv, {kAppHeader}), 404, priv + " not found", "", "1 get private");
  ExpectBbError(c.Get(list + "/" + pub + "/.name", {"X-BAASBOX-APPCODE: wrong"}), 401,
                "Authentication info not valid or not provided: wrong is an Invalid App Code", "", "1 part, wrong code");
  EXPECT_EQ(ExpectOk(c.Get(list + "/" + pub + "/.name", {kAppHeader}), 200, "1 part"), J(R"({"result":"public"})"));
  ExpectBbError(c.Get(list, {"X-BAASBOX-APPCODE: wrong"}), 401,
                "Authentication info not valid or not provided: wrong is an Invalid App Code", "", "1 wrong code");
  ExpectBbError(c.Get(list + "/count", {"X-BAASBOX-APPCODE: 12345678901"}), 401,
                "Authentication info not valid or not provided: 12345678901 is an Invalid App Code", "", "1 count code");
  ExpectBbError(c.Get(list), 400, "Missing Session Token, Authorization info and even the AppCode", "", "1 nothing");
  ExpectBbError(c.Get(list + "/" + pub), 400, "Missing Session Token, Authorization info and even the AppCode", "",
                "1 get nothing");
  // Row 2: Authorization without any app code.
  ExpectBbError(c.Get(list, {Basic(owner, "secret")}), 400, "Invalid App Code. AppCode is empty or not set", "", "2");
  ExpectBbError(c.Get(list + "/" + pub, {Basic(owner, "wrong")}), 400, "Invalid App Code. AppCode is empty or not set",
                "", "2 get");
  // Row 3: a token wins; unknown → 40101 whatever else is sent; its own app code is used.
  for (const auto& headers : std::vector<std::vector<std::string>>{{Session("no-such-token")},
                                                                   {Session("no-such-token"), kAppHeader},
                                                                   {Session("no-such-token"), Basic(owner, "secret"), kAppHeader}})
    ExpectBbError(c.Get(list, headers), 401, kGone, "40101", "3 unknown token");
  ExpectBbError(c.Get(list + "?X-BB-SESSION=no-such-token", {kAppHeader}), 401, kGone, "40101", "3 unknown query token");
  EXPECT_EQ(Column(ExpectOk(c.Get(list, {Session(token), "X-BAASBOX-APPCODE: wrong"}), 200, "3 header code ignored")), both);
  EXPECT_EQ(Column(ExpectOk(c.Get(list, {Session(token)}), 200, "3 no app code")), both);
  EXPECT_EQ(Column(ExpectOk(c.Get(list + "?X-BB-SESSION=" + token), 200, "3 query token")), both);
  EXPECT_EQ(Column(ExpectOk(c.Get(list, {Session(token), "Authorization: Basic !!"}), 200, "3 token wins")), both);
  EXPECT_EQ(ExpectOk(c.Get(list + "/" + priv + "?X-BB-SESSION=" + token), 200, "3 query token get").at("name"), "private");
  // Row 4: Authorization that is not a Basic user:password pair.
  ExpectBbError(c.Get(list, {kAppHeader, "Authorization: Basic %%%"}), 401, kGone, "40101", "4 undecodable");
  ExpectBbError(c.Get(list, {kAppHeader, "Authorization: Basic " + Base64(owner)}), 401, kGone, "40101", "4 no colon");
  ExpectBbError(c.Get(list, {kAppHeader, "Authorization: Bearer " + Base64(owner + ":secret")}), 401, kGone, "40101",
                "4 scheme");
  ExpectBbError(c.Get(list, {kAppHeader, "Authorization;"}), 401, kGone, "40101", "4 empty");
  // Row 5: the internal accounts, before app code and password are looked at.
  ExpectBbError(c.Get(list, {"X-BAASBOX-APPCODE: wrong", Basic("baasbox", "baasbox")}), 403,
                "The user baasbox cannot access via REST", "", "5 baasbox");
  ExpectBbError(c.Get(list + "/count", {kAppHeader, Basic("INTERNAL_ADMIN", "x")}), 403,
                "The user INTERNAL_ADMIN cannot access via REST", "", "5 internal_admin");
  // Row 6: wrong app code, unknown user, wrong password, suspended.
  ExpectBbError(c.Get(list, {"X-BAASBOX-APPCODE: wrong", Basic(owner, "secret")}), 401,
                "Authentication info not valid or not provided: wrong is an Invalid App Code", "", "6 code");
  ExpectBbError(c.Get(list, {kAppHeader, Basic("ghost_" + owner, "secret")}), 401,
                "User ghost_" + owner + " is not authorized to access", "", "6 unknown");
  ExpectBbError(c.Get(list + "/" + pub, {kAppHeader, Basic(owner, "wrong")}), 401,
                "User " + owner + " is not authorized to access", "", "6 password");
  EXPECT_EQ(Column(ExpectOk(c.Get(list, {kAppHeader, Basic(owner, "secret")}), 200, "6 basic ok")), both);
  EXPECT_EQ(Column(ExpectOk(c.Get(list + "?X-BAASBOX-APPCODE=1234567890", {Basic(owner, "secret")}), 200,
                            "6 basic, query app code")),
            both);
  ExpectOk(c.Request("PUT", "/me/suspend", "", {Session(token)}));
  ExpectBbError(c.Get(list, {kAppHeader, Basic(owner, "secret")}), 401, "User " + owner + " is not authorized to access",
                "", "6 suspended");
  ExpectBbError(c.Get(list, {Session(token)}), 401, kGone, "40101", "suspended token");
  // The RID route without collection is USER: the app code alone is refused.
  ExpectBbError(c.Get("/document/%2312:0", {kAppHeader}), 401, "Missing both Session Token and Authorization info");
}

TEST_F(BaasBoxScenariosTest, TokenInTheQueryStringOnDocumentWrites) {
  auto c = bb();
  std::string col = NewCollection("qtok");
  auto [token, id] = NewUser(Unique("qtok"));
  auto created = ExpectOk(c.Post("/document/" + col + "?X-BB-SESSION=" + token, J(R"({"name":"q"})")), 200, "create");
  std::string doc(created.at("id").as_string());
  EXPECT_EQ(ExpectOk(c.Put("/document/" + col + "/" + doc + "/.name?X-BB-SESSION=" + token, J(R"({"data":"r"})")))
                .at("name"),
            "r");
  ExpectOk(c.Put("/document/" + col + "/" + doc + "/read/role/registered?X-BB-SESSION=" + token, json::object{}));
  EXPECT_EQ(ExpectOk(c.Delete("/document/" + col + "/" + doc + "?X-BB-SESSION=" + token)), json::value(""));
  // The header wins over the query string.
  ExpectBbError(c.Get("/me?X-BB-SESSION=" + token, {Session("stale-header-token")}), 401, kGone, "40101");
  // Login ignores a stale session header: after logout, and after a password change.
  std::string name = Unique("stale");
  auto [t1, uid] = NewUser(name, "one");
  ExpectOk(c.Request("POST", "/logout", "", {Session(t1)}));
  auto l1 = c.Request("POST", "/login", "username=" + name + "&password=one&appcode=1234567890",
                      {Session(t1), "Content-Type: application/x-www-form-urlencoded; charset=UTF-8"});
  std::string t2(ExpectOk(l1, 200, "login over a logged-out token").at("X-BB-SESSION").as_string());
  ExpectOk(c.Request("PUT", "/me/password", R"({"old":"one","new":"two"})", {Session(t2)}));
  auto l2 = c.Request("POST", "/login",
                      json::serialize(json::object{{"username", name}, {"password", "two"}, {"appcode", kAppCode}}),
                      {Session(t2), kAppHeader, "Content-Type: application/json"});
  ExpectOk(l2, 200, "login over a revoked token");
  EXPECT_EQ(ExpectOk(c.Get("/me?X-BB-SESSION=" + l2.header("x-bb-session"))).at("user").at("name"), json::value(name));
}

// --- §9.5.9 every example and error over HTTP --------------------------------------------------

TEST_F(BaasBoxScenariosTest, FieldPartUpdates) {
  auto c = bb();
  std::string col = NewCollection("parts");
  std::string owner_name = Unique("partowner");
  auto [owner, owner_id] = NewUser(owner_name);
  std::string reader_name = Unique("partreader");
  auto [reader, reader_id] = NewUser(reader_name);
  auto doc = NewDoc(col, owner, R"({"title":"t","tags":["one","two"],"issues":[{"tags":[1,2,3]}]})");
  std::string id(doc.at("id").as_string());
  int64_t v0 = doc.at("@version").as_int64();
  const std::string base = "/document/" + col + "/" + id;
  auto put = [&](const std::string& parts, std::string_view body, const std::string& token) {
    return c.Request("PUT", base + parts, std::string(body), As(token));
  };

  EXPECT_EQ(ExpectOk(put("/.title", R"({"data":"Updated title"})", owner), 200, "title").at("title"), "Updated title");
  EXPECT_EQ(ExpectOk(put("/.tags", R"({"data":["tag1","tag2"]})", owner), 200, "tags").at("tags"),
            J(R"(["tag1","tag2"])"));
  EXPECT_EQ(ExpectOk(put("/.tags%5B3%5D", R"({"data":"newly added tag"})", owner), 200, "tags[3]").at("tags"),
            J(R"(["tag1","tag2","newly added tag"])"));
  EXPECT_EQ(ExpectOk(put("/.tags[0]", R"({"data":"first"})", owner), 200, "tags[0] literal brackets").at("tags"),
            J(R"(["first","tag2","newly added tag"])"));
  EXPECT_EQ(ExpectOk(put("/.address", R"({"data":{"street":"5th Avenue","zip":10021}})", owner), 200, "address")
                .at("address"),
            J(R"({"street":"5th Avenue","zip":10021})"));
  EXPECT_EQ(ExpectOk(put("/.address/.street", R"({"data":"6th Avenue"})", owner), 200, "address.street").at("address"),
            J(R"({"street":"6th Avenue","zip":10021})"));
  auto last = ExpectOk(put("/.issues%5B0%5D/.tags%5B3%5D", R"({"data":"four"})", owner), 200, "issues[0].tags[3]");
  EXPECT_EQ(last.at("issues"), J(R"([{"tags":[1,2,3,"four"]}])"));
  EXPECT_EQ(last.at("@version").as_int64(), v0 + 7);  // one per write
  EXPECT_EQ(last.at("id"), json::value(id));
  EXPECT_EQ(ExpectOk(c.Get(base, As(owner))), last);
  EXPECT_EQ(ExpectOk(c.Get(base + "/.issues%5B0%5D/.tags%5B3%5D", As(owner))), J(R"({"result":"four"})"));
  EXPECT_EQ(ExpectOk(c.Get(base + "/.address", As(owner))), J(R"({"result":{"street":"6th Avenue","zip":10021}})"));

  // Errors; none of them writes.
  ExpectBbError(put("/.title%5B0%5D", R"({"data":1})", owner), 400, ".title[0] is not an array", "", "not an array");
  ExpectBbError(put("/.nope/.x", R"({"data":1})", owner), 404, ".nope", "", "missing intermediate");
  ExpectBbError(put("/.title", "[1]", owner), 400, "The body must be an JSON object", "", "array body");
  ExpectBbError(put("/.title", R"({"value":1})", owner), 400,
                "The body payload must have a data field. Hint: modify your content to have a \"data\" field", "",
                "no data");
  ExpectBbError(put("/title", R"({"data":1})", owner), 400,
                "Part title at position 1 is not valid:Unrecognized Part Type.HINT: did you put a . before any field?",
                "", "no dot");
  ExpectBbError(put("/.id", R"({"data":1})", owner), 400,
                "Part .id at position 1 is not valid:This field is private and can't be modified", "", "id");
  ExpectBbError(put("/.address/._author", R"({"data":1})", owner), 400,
                "Part ._author at position 2 is not valid:This field is private and can't be modified", "", "_author");
  ExpectBbError(put("/.title", R"({"data":1})", reader), 404, "Document " + id + " not found", "", "unreadable");
  ExpectBbError(c.Request("PUT", base + "/.title", R"({"data":1})", {kAppHeader}), 401,
                "Missing both Session Token and Authorization info", "", "anonymous");
  ExpectOk(c.Put(base + "/read/user/" + reader_name, json::object{}, As(owner)));
  ExpectBbError(put("/.title", R"({"data":1})", reader), 403, "You have not the right to modify the document " + id, "",
                "read only");
  ExpectBbError(c.Request("PUT", "/document/" + col + "/nope/.title", R"({"data":1})", As(owner)), 404,
                "Document nope not found", "", "unknown id");
  ExpectBbError(c.Request("PUT", "/document/nocol_" + col + "/" + id + "/.title", R"({"data":1})", As(owner)), 404,
                "nocol_" + col + " is not a valid collection name", "", "unknown collection");
  auto after = ExpectOk(c.Get(base, As(owner)));
  EXPECT_EQ(after.at("title"), "Updated title");
  EXPECT_EQ(after.at("@version").as_int64(), v0 + 8);  // + the read grant
  // With update rights the reader writes; the author stays.
  ExpectOk(c.Put(base + "/update/user/" + reader_name, json::object{}, As(owner)));
  auto by_reader = ExpectOk(put("/.title", R"({"data":"by reader"})", reader));
  EXPECT_EQ(by_reader.at("title"), "by reader");
  EXPECT_EQ(by_reader.at("_author"), json::value(owner_name));
}

// --- §2.4, §9.3.1: a custom role, inheritance from registered and anonymous -----------------------

TEST_F(BaasBoxScenariosTest, CustomRoleMembersReadWhatTheirAncestorsMay) {
  auto c = bb();
  std::string admin = AdminToken();
  std::string col = NewCollection("roledocs");
  std::string role = Unique("testers");
  ExpectOk(c.Request("POST", "/admin/role/" + role, R"({"description":"QA"})", {Session(admin)}), 201, "role");
  std::string member_name = Unique("member");
  ExpectOk(c.Post("/admin/user", json::object{{"username", member_name}, {"password", "p"}, {"role", role}},
                  {Session(admin)}),
           201, "member");
  std::string member = Login(member_name, "p");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(member)})).at("user").at("roles"),
            json::value(json::array{json::object{{"name", role}, {"isrole", true}}}));
  auto [plain, plain_id] = NewUser(Unique("plain"));
  auto [owner, owner_id] = NewUser(Unique("roleowner"));
  auto id = [&](std::string_view body) { return std::string(NewDoc(col, owner, body).at("id").as_string()); };
  std::string d_anon = id(R"({"name":"anon"})"), d_reg = id(R"({"name":"reg"})"), d_role = id(R"({"name":"role"})"),
              d_priv = id(R"({"name":"priv"})");
  auto grant = [&](const std::string& doc, const std::string& action, const std::string& to, bool on = true) {
    auto path = "/document/" + col + "/" + doc + "/" + action + "/role/" + to;
    return ExpectOk(on ? c.Put(path, json::object{}, As(owner)) : c.Delete(path, As(owner)), 200, "grant");
  };
  grant(d_anon, "read", "anonymous");
  grant(d_reg, "read", "registered");
  grant(d_role, "read", role);

  EXPECT_EQ(List(col, "", As(member)), (Names{"anon", "reg", "role"}));
  EXPECT_EQ(List(col, "", As(plain)), (Names{"anon", "reg"}));
  EXPECT_EQ(List(col, "", {kAppHeader}), Names{"anon"});
  EXPECT_EQ(List(col, "", As(owner)), (Names{"anon", "reg", "role", "priv"}));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count", As(member))), J(R"({"count":3})"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?count=true", As(plain))), J(R"([{"count":2}])"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/" + d_role, As(member))).at("name"), "role");
  ExpectBbError(c.Get("/document/" + col + "/" + d_role, As(plain)), 404, d_role + " not found", "", "plain");
  ExpectBbError(c.Get("/document/" + col + "/" + d_priv, As(member)), 404, d_priv + " not found", "", "private");
  EXPECT_EQ(List(col, Where("name like ?", {"r%"}), As(member)), (Names{"reg", "role"}));
  // Update and delete grants are inherited the same way.
  ExpectBbError(c.Put("/document/" + col + "/" + d_reg, J(R"({"name":"reg","by":"member"})"), As(member)), 403,
                "You have not the right to modify " + d_reg);
  grant(d_reg, "update", "registered");
  EXPECT_EQ(ExpectOk(c.Put("/document/" + col + "/" + d_reg, J(R"({"name":"reg","by":"member"})"), As(member)))
                .at("by"),
            "member");
  grant(d_anon, "delete", "anonymous");
  ExpectOk(c.Delete("/document/" + col + "/" + d_anon, As(member)), 200, "delete through anonymous");
  // withAcl names the role; a rename keeps members and grants.
  auto acl = ExpectOk(c.Get("/document/" + col + "/" + d_role + "?withAcl=true", As(owner)));
  EXPECT_EQ(acl.at("_allowRead"), json::value(json::array{json::object{{"name", role}, {"isrole", true}}}));
  std::string renamed = role + "_v2";
  ExpectOk(c.Request("PUT", "/admin/role/" + role, json::serialize(json::object{{"new_name", renamed}}), {Session(admin)}));
  EXPECT_EQ(List(col, "", As(member)), (Names{"reg", "role"}));
  acl = ExpectOk(c.Get("/document/" + col + "/" + d_role + "?withAcl=true", As(owner)));
  EXPECT_EQ(acl.at("_allowRead"), json::value(json::array{json::object{{"name", renamed}, {"isrole", true}}}));
  // Deleting the role: members fall back to registered, its grants are gone.
  ExpectOk(c.Request("DELETE", "/admin/role/" + renamed, "", {Session(admin)}), 200, "delete role");
  EXPECT_EQ(ExpectOk(c.Get("/me", {Session(member)})).at("user").at("roles"), J(R"([{"name":"registered","isrole":true}])"));
  EXPECT_EQ(List(col, "", As(member)), Names{"reg"});
  acl = ExpectOk(c.Get("/document/" + col + "/" + d_role + "?withAcl=true", As(owner)));
  EXPECT_EQ(acl.at("_allowRead"), J("[]"));
  ExpectBbError(c.Put("/document/" + col + "/" + d_role + "/read/role/" + renamed, json::object{}, As(owner)), 404,
                "role " + renamed + " not found");
  // A new role of the same name does not inherit the old grants.
  ExpectOk(c.Request("POST", "/admin/role/" + renamed, "", {Session(admin)}), 201);
  ExpectOk(c.Request("PUT", "/admin/user/" + member_name,
                     json::serialize(json::object{{"visibleByTheUser", json::object{}},
                                                  {"visibleByFriends", json::object{}},
                                                  {"visibleByRegisteredUsers", json::object{}},
                                                  {"visibleByAnonymousUsers", json::object{}},
                                                  {"role", renamed}}),
                     {Session(admin)}));
  EXPECT_EQ(List(col, "", As(member)), Names{"reg"});
}

// --- §8.2 rows 1–18 and §8.7 over HTTP: the rows each expression must return ---------------------

class BaasBoxWhereExamplesTest : public BaasBoxScenariosTest {
 protected:
  void SetUp() override {
    col_ = NewCollection("shapes");
    author_ = Unique("wauthor");
    token_ = NewUser(author_).first;
    for (const char* body : {
             R"({"name":"A","color":"yellow","address":{"city":"milan"},"shape":"square","n":1,"idx":1,
                 "value":"some text here","title":"fun","players":[{"username":"XXXX@XXXX.COM"},{"username":"other"}],
                 "x":1,"y":2,"lat":41.87,"long":12.48,"ciao":"hello"})",
             R"({"name":"B","color":"red","address":{"city":"rome"},"shape":"circle","n":2,"idx":5,"value":"TEXT",
                 "title":"sad","players":[{"username":"someone"}],"y":3,"lat":45.4642,"long":9.19})",
             R"({"name":"C","color":"cyan","address":{"city":"Rome"},"n":3,"idx":10,"value":"context","title":"fun",
                 "y":2,"x":null})",
             R"({"name":"D","color":"Red","n":"2","value":null})"})
      NewDoc(col_, token_, body);
  }
  Names Run(const std::string& where, const std::vector<std::string>& params = {}) {
    return List(col_, Where(where, params), As(token_));
  }
  std::string col_, author_, token_;
};

TEST_F(BaasBoxWhereExamplesTest, DocumentRowsOfSection82) {
  const Names all{"A", "B", "C", "D"}, none{};
  EXPECT_EQ(Run("color='yellow' or address.city='rome'"), (Names{"A", "B"}));                  // 1
  EXPECT_EQ(Run("color=? or address.city=?", {"yellow", "rome"}), (Names{"A", "B"}));          // 2
  EXPECT_EQ(Run("color=?", {"yellow"}), Names{"A"});                                            // 3
  EXPECT_EQ(Run("color=? or color=?", {"yellow", "cyan"}), (Names{"A", "C"}));
  EXPECT_EQ(Run("color='red'"), Names{"B"});                                                    // 4
  EXPECT_EQ(Run("_author = ?", {author_}), all);                                                // 5
  EXPECT_EQ(Run("_author = ?", {"Cesare"}), none);
  EXPECT_EQ(Run("_creation_date > date('2014-09-09T17:59:47.772+0200')"), all);                  // 8
  EXPECT_EQ(Run("_creation_date < date('2014-09-09T17:59:47.772+0200')"), none);
  EXPECT_EQ(Run("1=1"), all);                                                                   // 10
  EXPECT_EQ(Run("shape=\"square\""), Names{"A"});                                               // 11
  EXPECT_EQ(Run("players contains (username='XXXX@XXXX.COM')"), Names{"A"});                    // 12
  EXPECT_EQ(Run("idx < ?", {"6"}), (Names{"A", "B"}));                                          // 14: numeric, not text
  EXPECT_EQ(Run("ciao = ?", {"hello"}), Names{"A"});                                            // 15
  EXPECT_EQ(Run("n = ?", {"2"}), (Names{"B", "D"}));  // the number 2 and the string "2"
  EXPECT_EQ(Run("value like '%text%'"), (Names{"A", "C"}));
  EXPECT_EQ(Run("n >= ?", {"2"}), (Names{"B", "C", "D"}));                                      // 16
  EXPECT_EQ(Run("(n >= ?) AND n <= ?", {"2", "3"}), (Names{"B", "C", "D"}));
  EXPECT_EQ(Run("(n = ?) OR title = \"fun\"", {"2"}), all);
  EXPECT_EQ(Run("(n = 2) OR n = 3"), (Names{"B", "C", "D"}));
  EXPECT_EQ(Run("n >= 2"), (Names{"B", "C", "D"}));
  EXPECT_EQ(Run("(x = x) AND y = 2"), Names{"A"});  // 18: C's x is null
  // params[] (jQuery, iOS) is the same list as params.
  EXPECT_EQ(List(col_, "where=" + Q("color=? or color=?") + "&params%5B%5D=yellow&params%5B%5D=cyan", As(token_)),
            (Names{"A", "C"}));
  // Surplus params are ignored; too few is the criteria error.
  EXPECT_EQ(Run("color=?", {"red", "cyan"}), Names{"B"});
  ExpectCriteriaError(bb().Get("/document/" + col_ + "?" + Where("color=? or color=?", {"red"}), As(token_)), "few");
}

TEST_F(BaasBoxWhereExamplesTest, DistanceOfRow7) {
  const Names none{};
  EXPECT_EQ(Run("distance(lat,long,41.872389,12.480180) < 5"), Names{"A"});  // 7
  // §8.5: great-circle km (A is 0.27 km away, B, in Milan, 479 km); params that parse as numbers
  // count as numbers; a missing or non-number argument gives null, so comparisons are false.
  EXPECT_EQ(Run("distance(lat, long, ?, ?) < ?", {"41.872389", "12.480180", "5"}), Names{"A"});
  EXPECT_EQ(Run("DISTANCE(lat,long,41.872389,12.480180) between 478 and 480"), Names{"B"});
  EXPECT_EQ(Run("distance(lat,long,41.872389,12.480180) > 0.26 and distance(lat,long,41.872389,12.480180) < 0.27"),
            Names{"A"});
  EXPECT_EQ(Run("not (distance(lat,long,41.872389,12.480180) < 5)"), (Names{"B", "C", "D"}));
  EXPECT_EQ(Run("distance(lat,long,41.872389,12.480180) is null"), (Names{"C", "D"}));
  EXPECT_EQ(Run("distance(lat, long, ?, 12.48) < 5", {"north"}), none);
  EXPECT_EQ(Run("distance(lat, name, 41.872389, 12.480180) < 5"), none);
  EXPECT_EQ(Run("distance(lat, long, lat, long) = 0"), (Names{"A", "B"}));
  EXPECT_EQ(Run("distance(@version, 0, 0, 0) between 111 and 112"), (Names{"A", "B", "C", "D"}));
  auto c = bb();
  for (const char* w : {"distance(lat,long,41.872389) < 5", "distance(lat,long,1,2,3) < 5", "distance() < 5",
                        "distance(lat,long,1,2)", "distance(_allowRead,long,1,2) < 5"})
    ExpectCriteriaError(c.Get("/document/" + col_ + "?" + Where(w), As(token_)), w);

  // §7.4: `fields=name,distance(lat,long,41.872389,12.480180) as dist`, ordered by the alias
  // (missing/null first); without an alias the key is "distance".
  auto rows = ExpectOk(c.Get("/document/" + col_ + "?fields=" + Q("name,distance(lat,long,41.872389,12.480180) as dist") +
                                 "&orderBy=dist",
                             As(token_)));
  ASSERT_TRUE(rows.is_array()) << rows;
  ASSERT_EQ(rows.as_array().size(), 4u) << rows;
  EXPECT_EQ(Column(rows), (Names{"C", "D", "A", "B"}));
  EXPECT_TRUE(rows.at(0).at("dist").is_null()) << rows;
  EXPECT_TRUE(rows.at(1).at("dist").is_null()) << rows;
  EXPECT_NEAR(rows.at(2).at("dist").to_number<double>(), 0.266, 0.001) << rows;
  EXPECT_NEAR(rows.at(3).at("dist").to_number<double>(), 479.01, 0.01) << rows;
  EXPECT_EQ(rows.at(2).as_object().size(), 2u) << rows;
  rows = ExpectOk(c.Get("/document/" + col_ + "?fields=" + Q("distance(lat, long, 41.872389, 12.480180)") + "&" +
                            Where("name = 'A'"),
                        As(token_)));
  ASSERT_TRUE(rows.is_array() && rows.as_array().size() == 1u) << rows;
  EXPECT_NEAR(rows.at(0).at("distance").to_number<double>(), 0.266, 0.001) << rows;
  ExpectCriteriaError(c.Get("/document/" + col_ + "?fields=" + Q("distance(lat,long,1) as d"), As(token_)), "fields arity");
}

TEST_F(BaasBoxWhereExamplesTest, SemanticsOfSection87) {
  const Names none{};
  // Two-valued logic: NOT over a missing field matches; <> against it does not.
  EXPECT_EQ(Run("not (shape = 'square')"), (Names{"B", "C", "D"}));
  EXPECT_EQ(Run("NOT shape = 'square'"), (Names{"B", "C", "D"}));
  EXPECT_EQ(Run("shape <> 'square'"), Names{"B"});
  EXPECT_EQ(Run("shape != 'square'"), Names{"B"});
  EXPECT_EQ(Run("shape is null"), (Names{"C", "D"}));
  EXPECT_EQ(Run("value is null"), Names{"D"});
  EXPECT_EQ(Run("value is not null"), (Names{"A", "B", "C"}));
  EXPECT_EQ(Run("not (value like '%text%')"), (Names{"B", "D"}));
  // Case: values and LIKE are case-sensitive (SQLite's own LIKE is not); keywords are not.
  EXPECT_EQ(Run("color like 'red'"), Names{"B"});
  EXPECT_EQ(Run("color like 'R%'"), Names{"D"});
  EXPECT_EQ(Run("color LIKE 'r%'"), Names{"B"});
  EXPECT_EQ(Run("address.city = 'Rome'"), Names{"C"});
  EXPECT_EQ(Run("address.city like '%ome'"), (Names{"B", "C"}));
  EXPECT_EQ(Run("value like 'TEXT'"), Names{"B"});  // no wildcard: equality
  EXPECT_EQ(Run("value like 'te_t'"), none);        // `_` is a literal character
  EXPECT_EQ(Run("color = 'red' OR color = 'cyan'"), (Names{"B", "C"}));
  EXPECT_EQ(Run("COLOR = 'red'"), none);  // field names are case-sensitive
  // Coercion toward the field's type.
  EXPECT_EQ(Run("idx > ?", {"5"}), Names{"C"});
  EXPECT_EQ(Run("idx = ?", {"5.0"}), Names{"B"});
  EXPECT_EQ(Run("idx = ?", {"five"}), none);
  EXPECT_EQ(Run("n in [1, 3]"), (Names{"A", "C"}));
  EXPECT_EQ(Run("name in ('A', 'C', 'Z')"), (Names{"A", "C"}));
  EXPECT_EQ(Run("name not in ['A', 'C']"), (Names{"B", "D"}));
  EXPECT_EQ(Run("idx between ? and ?", {"1", "5"}), (Names{"A", "B"}));
  // Paths, arrays and methods.
  EXPECT_EQ(Run("players.username = 'other'"), Names{"A"});
  EXPECT_EQ(Run("players[0].username = 'someone'"), Names{"B"});
  EXPECT_EQ(Run("players.size() = 2"), Names{"A"});
  EXPECT_EQ(Run("players contains (username like 'X%' or username = 'someone')"), (Names{"A", "B"}));
  EXPECT_EQ(Run("name.toLowerCase() = 'a'"), Names{"A"});
  EXPECT_EQ(Run("color.toUpperCase() = 'RED'"), (Names{"B", "D"}));
  EXPECT_EQ(Run("value.length() = 4"), Names{"B"});
  EXPECT_EQ(Run("@class = ?", {col_}), (Names{"A", "B", "C", "D"}));
  EXPECT_EQ(Run("@version = 1 and name = 'A'"), Names{"A"});
}

TEST_F(BaasBoxWhereExamplesTest, RejectedConstructsAre400AndRunNothing) {
  auto c = bb();
  for (const char* w : {"n = 1; drop table x", "n = 1 -- c", "n = 1 /* c */", "$x = 1", "n = :name", "@rid = #12:0",
                        "n = {}", "n + 1 = 2", "select from OUser", "n in (select from OUser)", "traverse * from x",
                        "eval('1') = 1", "any() = 1", "@this = 1", "n instanceof 'V'", "_allowRead contains (name = 'x')",
                        "_allow is not null", "n =", "color = 'open", "1=1; DELETE FROM bb_node"})
    ExpectCriteriaError(c.Get("/document/" + col_ + "?" + Where(w), As(token_)), w);
  ExpectCriteriaError(c.Get("/document/" + col_ + "/count?" + Where("1=1; DELETE FROM bb_node"), As(token_)), "count");
  ExpectCriteriaError(c.Get("/document/" + col_ + "?fields=" + Q("expand(_allowRead) as ar"), As(token_)), "expand");
  ExpectCriteriaError(c.Get("/document/" + col_ + "?fields=" + Q("sum(eval(\"n * 1\"))"), As(token_)), "eval");
  ExpectCriteriaError(c.Get("/document/" + col_ + "?orderBy=" + Q("n; drop table x"), As(token_)), "orderBy");
  ExpectCriteriaError(c.Get("/document/" + col_ + "?groupBy=" + Q("_allowRead"), As(token_)), "groupBy");
  ExpectCriteriaError(c.Get("/document/" + col_ + "?" + Where("n = ?"), As(token_)), "no params");
  EXPECT_EQ(Run("1=1"), (Names{"A", "B", "C", "D"}));  // nothing was run
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col_ + "/count", As(token_))), J(R"({"count":4})"));
}

TEST_F(BaasBoxScenariosTest, UserAndLinkRowsOfSection82) {
  auto c = bb();
  // Users: rows 9, 13, 14.
  std::string prefix = Unique("wu");
  std::string u1 = prefix + "_a", u2 = prefix + "_bb";
  auto [t1, id1] = NewUser(u1, "pw", {{"visibleByAnonymousUsers", {{"key", prefix + "k1"}}}});
  NewUser(u2, "pw", {{"visibleByAnonymousUsers", {{"key", prefix + "k2"}}}});
  auto users = [&](const std::string& where, const std::vector<std::string>& params = {}) {
    SCOPED_TRACE(where);
    return UserNames(ExpectOk(c.Get("/users?" + Where(where, params), As(t1))));
  };
  const std::string len = std::to_string(u1.size());
  EXPECT_EQ(users("user.name like \"" + prefix + "%\" and user.name.length() = " + len), Names{u1});
  EXPECT_EQ(users("user.name like \"" + prefix + "%\" and user.name.length() = " + len +
                  " and visibleByFriend.key = \"value\""),
            Names{});                                                                        // 9
  EXPECT_EQ(users("user.name=\"" + u2 + "\""), Names{u2});                                   // 13
  EXPECT_EQ(users("visibleByAnonymousUsers.key = ?", {prefix + "k2"}), Names{u2});          // 14
  EXPECT_EQ(users("user.name = ?", {u1}), Names{u1});                                        // 19
  EXPECT_EQ(users("user.name like ? and user.roles contains (name = 'registered')", {prefix + "%"}), (Names{u1, u2}));

  // Links: rows 6 and 17, in./out. paths.
  std::string inv = NewCollection("inv"), cust = NewCollection("cust");
  auto invoice = NewDoc(inv, t1, R"({"number":345})");
  auto john = NewDoc(cust, t1, R"({"name":"John Doe"})");
  auto jane = NewDoc(cust, t1, R"({"name":"Jane"})");
  auto link = [&](const json::object& from, const std::string& label, const json::object& to) {
    auto l = ExpectOk(c.Post("/link/" + std::string(from.at("id").as_string()) + "/" + label + "/" +
                                 std::string(to.at("id").as_string()),
                             json::object{}, As(t1)));
    return std::string(l.at("id").as_string());
  };
  std::string l1 = link(invoice, "customer", john), l2 = link(invoice, "customer", jane),
              l3 = link(invoice, "vendor", john);
  std::set<std::string> mine{l1, l2, l3};
  auto links = [&](const std::string& where, const std::vector<std::string>& params = {}) {
    SCOPED_TRACE(where);
    Names out;
    for (const auto& id : Column(ExpectOk(c.Get("/link?" + Where(where, params), As(t1))), "id"))
      if (mine.count(id)) out.push_back(id);
    return out;
  };
  EXPECT_EQ(links("in.name.toLowerCase() like 'john%' and label=\"customer\""), Names{l1});  // 6
  EXPECT_EQ(links("label = ?", {"customer"}), (Names{l1, l2}));                              // 17
  EXPECT_EQ(links("(label = ?) AND label = ?", {"customer", "customer"}), (Names{l1, l2}));
  EXPECT_EQ(links("out.number = ?", {"345"}), (Names{l1, l2, l3}));
  EXPECT_EQ(links("in.@class = ?", {cust}), (Names{l1, l2, l3}));
  EXPECT_EQ(links("out.id = ? and in.id = ?", {std::string(invoice.at("id").as_string()),
                                               std::string(jane.at("id").as_string())}),
            Names{l2});
  EXPECT_EQ(links("in.name = 'Jane' or label = 'vendor'"), (Names{l2, l3}));
  EXPECT_EQ(links("not (in.name = 'Jane')"), (Names{l1, l3}));
  // A node the caller cannot read is missing in the query too.
  auto [t2, id2] = NewUser(Unique("wlinkreader"));
  auto others = Column(ExpectOk(c.Get("/link?" + Where("out.number = ?", {"345"}), As(t2))), "id");
  EXPECT_EQ(others, Names{});
}

// --- §7.2 paging arithmetic over HTTP -----------------------------------------------------------

TEST_F(BaasBoxScenariosTest, PagingArithmetic) {
  auto c = bb();
  std::string col = NewCollection("pages");
  auto [token, id] = NewUser(Unique("pager"));
  for (int i = 1; i <= 7; ++i) NewDoc(col, token, json::serialize(json::object{{"name", "n" + std::to_string(i)}, {"n", i}}));
  auto names = [&](const std::string& q) { return List(col, q, As(token)); };
  EXPECT_EQ(names("recordsPerPage=2"), (Names{"n1", "n2", "n3", "n4", "n5", "n6", "n7"}));  // no page: no limit
  EXPECT_EQ(names("recordPerPage=2"), (Names{"n1", "n2", "n3", "n4", "n5", "n6", "n7"}));
  EXPECT_EQ(names("skip=5"), (Names{"n6", "n7"}));
  EXPECT_EQ(names("recordsPerPage=2&skip=4"), (Names{"n5", "n6", "n7"}));
  EXPECT_EQ(names("page=0&recordsPerPage=3"), (Names{"n1", "n2", "n3"}));
  EXPECT_EQ(names("page=1&recordsPerPage=2&skip=1"), (Names{"n4", "n5"}));  // offset 1*2+1
  EXPECT_EQ(names("page=2&recordsPerPage=3"), Names{"n7"});
  EXPECT_EQ(names("page=3&recordsPerPage=3"), Names{});
  EXPECT_EQ(names("page=-1&recordsPerPage=2"), (Names{"n1", "n2", "n3", "n4", "n5", "n6", "n7"}));
  EXPECT_EQ(names("page=0&recordPerPage=1"), Names{"n1"});
  EXPECT_EQ(names("page=0&recordPerPage=1&recordsPerPage=2"), (Names{"n1", "n2"}));  // recordsPerPage wins
  EXPECT_EQ(names("page=0&recordsPerPage=2&page=5"), (Names{"n1", "n2"}));          // the first value wins
  EXPECT_EQ(names("orderBy=n+desc&page=1&recordsPerPage=2"), (Names{"n5", "n4"}));
  EXPECT_EQ(names("orderBy=n+desc&skip=5&page=0&recordsPerPage=1"), Names{"n2"});
  EXPECT_EQ(names(Where("n > ?", {"2"}) + "&page=1&recordsPerPage=2"), (Names{"n5", "n6"}));
  EXPECT_EQ(names("page=0&depth=3&recordsPerPage=1"), Names{"n1"});  // depth accepted and ignored
  // count=true ignores paging and fields; /count takes where/params only.
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?count=true&page=1&recordsPerPage=2&fields=n", As(token))),
            J(R"([{"count":7}])"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?count=TRUE&" + Where("n <= ?", {"3"}), As(token))),
            J(R"([{"count":3}])"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?count=1", As(token))).as_array().size(), 7u);  // only "true" counts
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count?page=0&recordsPerPage=1&skip=3", As(token))),
            J(R"({"count":7})"));
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "/count?" + Where("n > ?", {"3"}), As(token))), J(R"({"count":4})"));
  // fields with paging: plain objects, exactly the projected names.
  EXPECT_EQ(ExpectOk(c.Get("/document/" + col + "?fields=name&orderBy=n&page=0&recordsPerPage=2", As(token))),
            J(R"([{"name":"n1"},{"name":"n2"}])"));
  // Errors (§7.2).
  for (const auto& [q, param] : std::vector<std::pair<std::string, std::string>>{
           {"page=-2", "page"}, {"page=x", "page"}, {"page=1.5", "page"}, {"recordsPerPage=0", "recordsPerPage"},
           {"recordsPerPage=-1", "recordsPerPage"}, {"page=0&recordsPerPage=abc", "recordsPerPage"},
           {"skip=-1", "skip"}, {"skip=two", "skip"}, {"depth=x", "depth"}})
    ExpectBbError(c.Get("/document/" + col + "?" + q, As(token)), 400, param + " parameter must be a valid Integer", "",
                  q.c_str());
}

// --- §7.5 orderBy over mixed types, identical on both stores; UTF-8 through the query string ---------

TEST_F(BaasBoxScenariosTest, OrderByMixedTypesAndUnicodeCriteria) {
  auto c = bb();
  std::string col = NewCollection("mixed");
  auto [token, id] = NewUser(Unique("mixer"));
  const char* values[] = {nullptr, "null", "false", "true", "2", "10", "\"10\"", "\"a\"", "\"B\"",
                          "\"\u00e9t\u00e9\"", "[1]", "{\"x\":1}", "1.5", "-3", "\"\""};
  int k = 0;
  for (const char* v : values) {
    ++k;
    NewDoc(col, token, "{\"k\":" + std::to_string(k) + (v ? std::string(",\"v\":") + v : std::string()) + "}");
  }
  auto order = [&](const std::string& query) {
    std::vector<int64_t> out;
    auto rows = ExpectOk(c.Get("/document/" + col + "?" + query, As(token)));
    for (const auto& r : rows.as_array()) out.push_back(r.at("k").as_int64());
    return out;
  };
  // missing/null < false < true < numbers < strings (by code point) < arrays/objects; ties by @rid.
  EXPECT_EQ(order("orderBy=v"), (std::vector<int64_t>{1, 2, 3, 4, 14, 13, 5, 6, 15, 7, 9, 8, 10, 11, 12}));
  EXPECT_EQ(order("orderBy=v+DESC"), (std::vector<int64_t>{11, 12, 10, 8, 9, 7, 15, 6, 5, 13, 14, 4, 3, 1, 2}));
  EXPECT_EQ(order("orderBy=v+desc,+k+desc&page=0&recordsPerPage=4"), (std::vector<int64_t>{12, 11, 10, 8}));
  EXPECT_EQ(order("orderBy=missing.path+asc&page=0&recordsPerPage=3"), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(order("orderBy=_creation_date+desc,@rid+desc&page=0&recordsPerPage=2"), (std::vector<int64_t>{15, 14}));
  EXPECT_EQ(order("fields=" + Q("k, v as value") + "&orderBy=value+desc&page=0&recordsPerPage=2"),
            (std::vector<int64_t>{11, 12}));
  // UTF-8: percent-encoded in the query string, in literals and in params.
  EXPECT_EQ(order(Where("v = '\u00e9t\u00e9'")), std::vector<int64_t>{10});
  EXPECT_EQ(order(Where("v = ?", {"\u00e9t\u00e9"})), std::vector<int64_t>{10});
  EXPECT_EQ(order(Where("v like ?", {"\u00e9%"})), std::vector<int64_t>{10});
  EXPECT_EQ(order(Where("v.length() = 3 and v > 'a'")), std::vector<int64_t>{10});  // code points, not bytes
  EXPECT_EQ(order(Where("v = ?", {"10"}) + "&orderBy=k"), (std::vector<int64_t>{6, 7}));  // the number and the string
  EXPECT_EQ(order(Where("v = ''")), std::vector<int64_t>{15});
  EXPECT_EQ(order(Where("v like ''")), std::vector<int64_t>{});  // empty pattern: false
  EXPECT_EQ(order(Where("v = true")), std::vector<int64_t>{4});
  EXPECT_EQ(order(Where("v = ?", {"TRUE"})), std::vector<int64_t>{4});
  // Toward the field's type: numbers numerically, strings against "2" by code point.
  EXPECT_EQ(order(Where("v < 2")), (std::vector<int64_t>{7, 13, 14, 15}));
  EXPECT_EQ(order(Where("v = ?", {"1.50"})), std::vector<int64_t>{13});
  EXPECT_EQ(order(Where("v is null")), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(order(Where("v.size() = 1")), (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(order(Where("v contains 1")), std::vector<int64_t>{11});
  EXPECT_EQ(order(Where("v.x = 1")), std::vector<int64_t>{12});
}

// --- §5.2, §8.6 the profile visibility matrix, with where probes ----------------------------------

TEST_F(BaasBoxScenariosTest, ProfileVisibilityMatrixAndWhereProbes) {
  auto c = bb();
  std::string admin = AdminToken();
  std::string owner = Unique("vowner");
  auto [self, owner_id] = NewUser(owner, "pw",
                                  {{"visibleByTheUser", {{"secret", "s1"}}},
                                   {"visibleByFriends", {{"f", "f1"}}},
                                   {"visibleByRegisteredUsers", {{"r", "r1"}}},
                                   {"visibleByAnonymousUsers", {{"a", "a1"}}}});
  auto [registered, reg_id] = NewUser(Unique("vviewer"));
  std::string office_name = Unique("voffice");
  ExpectOk(c.Post("/admin/user", json::object{{"username", office_name}, {"password", "p"}, {"role", "backoffice"}},
                  {Session(admin)}),
           201);
  std::string office = Login(office_name, "p");

  const json::value the_user = J(R"({"secret":"s1"})"), friends = J(R"({"f":"f1"})"),
                    reg = J(R"({"r":"r1","_social":{}})"), anon = J(R"({"a":"a1"})");
  auto sections = [&](const std::string& token) {
    auto p = ExpectOk(c.Get("/user/" + owner, {Session(token)})).as_object();
    std::vector<std::string> shown;
    for (const char* s : {"visibleByTheUser", "visibleByFriends", "visibleByRegisteredUsers", "visibleByAnonymousUsers"})
      if (p.contains(s)) shown.push_back(s);
    return shown;
  };
  const Names all4{"visibleByTheUser", "visibleByFriends", "visibleByRegisteredUsers", "visibleByAnonymousUsers"};
  const Names public2{"visibleByRegisteredUsers", "visibleByAnonymousUsers"};
  EXPECT_EQ(sections(self), all4);
  EXPECT_EQ(sections(admin), all4);
  EXPECT_EQ(sections(office), all4);
  EXPECT_EQ(sections(registered), public2);
  auto seen = ExpectOk(c.Get("/user/" + owner, {Session(registered)}));
  EXPECT_EQ(seen.at("visibleByRegisteredUsers"), reg);
  EXPECT_EQ(seen.at("visibleByAnonymousUsers"), anon);
  auto by_admin = ExpectOk(c.Get("/user/" + owner, {Session(admin)}));
  EXPECT_EQ(by_admin.at("visibleByTheUser"), the_user);
  EXPECT_EQ(by_admin.at("visibleByFriends"), friends);
  // Anonymous callers reach no profile route.
  ExpectBbError(c.Get("/user/" + owner, {kAppHeader}), 401, "Missing both Session Token and Authorization info");
  ExpectBbError(c.Get("/users", {kAppHeader}), 401, "Missing both Session Token and Authorization info");

  // where probes: a hidden section is missing on that row, for every operator.
  auto probe = [&](const std::string& token, const std::string& where, const std::vector<std::string>& params = {}) {
    std::vector<std::string> p = params;
    p.insert(p.begin(), owner);
    SCOPED_TRACE(where);
    return UserNames(ExpectOk(c.Get("/users?" + Where("user.name = ? and (" + where + ")", p), {Session(token)})));
  };
  const Names hit{owner}, miss{};
  for (const std::string& w : {std::string("visibleByTheUser.secret = 's1'"), std::string("visibleByTheUser.secret like 's%'"),
                               std::string("visibleByTheUser.secret is not null"), std::string("visibleByTheUser.size() = 1"),
                               std::string("visibleByFriends.f = 'f1'"), std::string("visibleByFriends.f.length() = 2")}) {
    EXPECT_EQ(probe(registered, w), miss) << w;
    EXPECT_EQ(probe(self, w), hit) << w;
    EXPECT_EQ(probe(admin, w), hit) << w;
    EXPECT_EQ(probe(office, w), hit) << w;
  }
  EXPECT_EQ(probe(registered, "not (visibleByTheUser.secret = 's1')"), hit);
  EXPECT_EQ(probe(registered, "visibleByTheUser.secret is null"), hit);
  EXPECT_EQ(probe(registered, "visibleByTheUser.secret = ?", {"s1"}), miss);
  EXPECT_EQ(probe(registered, "visibleByRegisteredUsers.r = 'r1'"), hit);
  EXPECT_EQ(probe(registered, "visibleByAnonymousUsers.a = ?", {"a1"}), hit);
  EXPECT_EQ(probe(registered, "system.signUpDate is not null"), miss);
  EXPECT_EQ(probe(self, "system.signUpDate is not null"), hit);
  EXPECT_EQ(probe(admin, "system.signUpDate is not null"), hit);
  // Projections and grouping show null for what the caller may not read.
  const std::string one = "/users?" + Where("user.name = ?", {owner});
  EXPECT_EQ(ExpectOk(c.Get(one + "&fields=" + Q("visibleByTheUser as t, visibleByFriends.f as f, visibleByRegisteredUsers.r as r"),
                           {Session(registered)})),
            J(R"([{"t":null,"f":null,"r":"r1"}])"));
  EXPECT_EQ(ExpectOk(c.Get(one + "&fields=" + Q("visibleByTheUser as t, visibleByFriends.f as f"), {Session(self)})),
            J(R"([{"t":{"secret":"s1"},"f":"f1"}])"));
  EXPECT_EQ(ExpectOk(c.Get(one + "&fields=" + Q("visibleByTheUser.secret as s, count(*) as n") + "&groupBy=" +
                               Q("visibleByTheUser.secret"),
                           {Session(registered)})),
            J(R"([{"s":null,"n":1}])"));
  // Neither ordering, counting nor aggregates reveal a hidden value: two owners whose secrets
  // sort apart come back in creation order both ways for a registered viewer.
  std::string second = owner + "_z";
  NewUser(second, "pw",
          {{"visibleByTheUser", {{"secret", "zz"}, {"rank", 7}}}, {"visibleByFriends", {{"f", "zz"}, {"rank", 8}}}});
  const std::string pair = "/users?" + Where("user.name = ? or user.name = ?", {owner, second});
  for (const char* order : {"visibleByTheUser.secret desc", "visibleByTheUser.secret", "visibleByFriends.f desc"}) {
    EXPECT_EQ(UserNames(ExpectOk(c.Get(pair + "&orderBy=" + Q(order), {Session(registered)}))), (Names{owner, second}))
        << order;
  }
  EXPECT_EQ(UserNames(ExpectOk(c.Get(pair + "&orderBy=" + Q("visibleByTheUser.secret desc"), {Session(admin)}))),
            (Names{second, owner}));
  // (sum/avg/min/max take numbers only, §7.4.)
  const std::string aggregates = "&fields=" + Q("max(visibleByTheUser.rank) as m, sum(visibleByFriends.rank) as f, "
                                                "count(visibleByTheUser.secret) as c");
  EXPECT_EQ(ExpectOk(c.Get(pair + aggregates, {Session(registered)})), J(R"([{"m":null,"f":null,"c":0}])"));
  EXPECT_EQ(ExpectOk(c.Get(pair + aggregates, {Session(office)})), J(R"([{"m":7,"f":8,"c":2}])"));
  EXPECT_EQ(ExpectOk(c.Get("/users?count=true&" + Where("(user.name = ? or user.name = ?) and visibleByTheUser.secret is not null",
                                                     {owner, second}),
                           {Session(registered)})),
            J(R"([{"count":0}])"));
  // The rows of /users leave the hidden sections out.
  auto rows = ExpectOk(c.Get(one, {Session(registered)}));
  ASSERT_EQ(rows.as_array().size(), 1u);
  EXPECT_FALSE(rows.at(0).as_object().contains("visibleByTheUser"));
  EXPECT_FALSE(rows.at(0).as_object().contains("visibleByFriends"));
  EXPECT_TRUE(ExpectOk(c.Get(one, {Session(office)})).at(0).as_object().contains("visibleByTheUser"));
}

// --- §3 with a short timeout: an expired token is never the anonymous caller ----------------------

class BaasBoxShortSessionScenariosTest : public BaasBoxScenariosTest {
 protected:
  static void SetUpTestSuite() {
    // 0.02 minutes = 1.2 s of idle time.
    StartServer(WithArgs(ServerArgs(), {"--baasbox-session-timeout", "0.02"}));
  }
};

TEST_F(BaasBoxShortSessionScenariosTest, ExpiredTokensAre40101EverywhereAndLoginIgnoresThem) {
  auto c = bb();
  std::string col = NewCollection("expdocs");
  std::string name = Unique("exp");
  auto [token, id] = NewUser(name, "pw");
  std::string doc(NewDoc(col, token, R"({"name":"mine"})").at("id").as_string());
  ExpectOk(c.Put("/document/" + col + "/" + doc + "/read/role/anonymous", json::object{}, As(token)));
  std::this_thread::sleep_for(std::chrono::milliseconds(1800));
  // USER_OR_ANON routes do not fall back to the anonymous caller for a dead token (§2.3 row 3).
  ExpectBbError(c.Get("/document/" + col, As(token)), 401, kGone, "40101", "list");
  ExpectBbError(c.Get("/document/" + col + "/count", As(token)), 401, kGone, "40101", "count");
  ExpectBbError(c.Get("/document/" + col + "/" + doc + "?X-BB-SESSION=" + token), 401, kGone, "40101", "query token");
  ExpectBbError(c.Post("/document/" + col, J("{}"), As(token)), 401, kGone, "40101", "create");
  ExpectBbError(c.Get("/me", As(token)), 401, kGone, "40101", "me");
  EXPECT_EQ(Column(ExpectOk(c.Get("/document/" + col, {kAppHeader}))), Names{"mine"});  // without it: anonymous
  // NONE and APPCODE routes ignore it (the JS SDK sends its stored token on login and sign-up).
  auto login = c.Request("POST", "/login", "username=" + name + "&password=pw&appcode=1234567890",
                         {Session(token), kAppHeader, "Content-Type: application/x-www-form-urlencoded; charset=UTF-8"});
  std::string fresh(ExpectOk(login, 200, "login over an expired token").at("X-BB-SESSION").as_string());
  ExpectOk(c.Post("/user", json::object{{"username", name + "_2"}, {"password", "pw"}}, As(token)), 201,
           "sign-up over an expired token");
  EXPECT_EQ(Column(ExpectOk(c.Get("/document/" + col, As(fresh)))), Names{"mine"});
  // Use keeps a token alive past the timeout (sliding, §3).
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    ExpectOk(c.Get("/document/" + col + "/count", As(fresh)), 200, "sliding");
  }
}

// --- §5.3: a user node in a link is the profile the caller may see ----------------------------------

TEST_F(BaasBoxScenariosTest, ALinkedUserRendersAsTheViewersProfile) {
  auto c = bb();
  std::string owner = Unique("lowner");
  auto [owner_token, owner_id] = NewUser(owner, "pw",
                                         {{"visibleByTheUser", {{"secret", "s1"}}},
                                          {"visibleByRegisteredUsers", {{"r", "r1"}}}});
  auto [viewer, viewer_id] = NewUser(Unique("lviewer"));
  std::string col = NewCollection("lposts");
  auto post = NewDoc(col, viewer, R"({"title":"about a user"})");
  auto link = ExpectOk(c.Post("/link/" + std::string(post.at("id").as_string()) + "/about/" + owner_id, json::object{},
                              As(viewer)));
  std::string lid(link.at("id").as_string());
  // Probes through in. see the node as the caller does: the private section only for its owner.
  const std::string probe = "/link?" + Where("id = ? and in.visibleByTheUser.secret = 's1'", {lid});
  EXPECT_EQ(ExpectOk(c.Get(probe, As(viewer))), J("[]"));
  EXPECT_EQ(ExpectOk(c.Get(probe, As(owner_token))).as_array().size(), 1u);
  EXPECT_EQ(ExpectOk(c.Get("/link?" + Where("id = ? and in.user.name = ?", {lid, owner}), As(viewer))).as_array().size(),
            1u);
  auto in = ExpectOk(c.Get("/link/" + lid, As(viewer))).at("in").as_object();
  EXPECT_EQ(in.at("user").at("name"), json::value(owner));
  EXPECT_EQ(in.at("visibleByRegisteredUsers"), J(R"({"r":"r1","_social":{}})"));
  EXPECT_FALSE(in.contains("visibleByTheUser"));
  auto for_owner = ExpectOk(c.Get("/link/" + lid, As(owner_token)));
  EXPECT_TRUE(for_owner.at("out").is_null());  // the owner cannot read the viewer's post
  EXPECT_EQ(for_owner.at("in").at("visibleByTheUser"), J(R"({"secret":"s1"})"));
}

}  // namespace
}  // namespace gbtest::bb
