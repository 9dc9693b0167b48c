// The BaasBox surface driven request by request the way BaasBox's JavaScript SDK drives it
// (baasbox.md §10.1; baasbox/JS-SDK `baasbox.js` 0.9.4 over jQuery 1.9): the SDK's beforeSend
// hook puts `X-BAASBOX-APPCODE` on every call and the stored user's `X-BB-SESSION` on every call
// once someone logged in — sign-up and login included; login is `$.post` (a form), sign-up and
// saves are JSON, `loadCollectionWithParams` lets jQuery encode the query (`+` for spaces,
// `k[]=` for arrays), `save` PUTs back the whole object it loaded, grants and logout carry no
// body. The browser runs the SDK from another origin, so every call is preceded by a CORS
// preflight and its answer must allow the origin. Run on both mounts (§1.1): under /baasbox on
// the main listener and at the root of --baasbox-port.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>

#include "api/baasbox_support.hpp"

namespace gbtest::bb {
namespace {

using Params = std::vector<std::pair<std::string, json::value>>;

/// JavaScript's encodeURIComponent.
std::string EncodeUriComponent(std::string_view s) { return PercentEncode(s, "-_.!~*'()"); }

/// jQuery.param (non-traditional): `key=value` pairs in the object's order, an array as one
/// `key[]=` pair per element, numbers and booleans as JavaScript prints them, `%20` → `+`.
std::string JqParam(const Params& data) {
  std::string out;
  auto add = [&](const std::string& key, const json::value& v) {
    std::string text = v.is_string() ? std::string(v.as_string()) : v.is_null() ? "" : json::serialize(v);
    if (!out.empty()) out += '&';
    out += EncodeUriComponent(key) + "=" + EncodeUriComponent(text);
  };
  for (const auto& [key, value] : data) {
    if (value.is_array()) {
      for (const auto& element : value.as_array()) add(key + "[]", element);
    } else {
      add(key, value);
    }
  }
  std::string plus;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out.compare(i, 3, "%20") == 0) {
      plus += '+';
      i += 2;
    } else {
      plus += out[i];
    }
  }
  return plus;
}

/// What `setCurrentUser` keeps in the SDK's cookie after login or sign-up.
struct JsUser {
  std::string username, token;
  std::vector<std::string> roles;
  json::object sections;  // the four visibility sections as the response carried them
};

constexpr const char* kSections[] = {"visibleByAnonymousUsers", "visibleByTheUser", "visibleByFriends",
                                     "visibleByRegisteredUsers"};
constexpr const char* kOrigin = "http://app.example.test";
constexpr const char* kGone = "Authentication info not valid or not provided. HINT: is your session expired?";

/// One browser tab running baasbox.js 0.9.4 against `endpoint` (BaasBox.setEndPoint).
class JsSdk {
 public:
  explicit JsSdk(std::string endpoint) : http_(std::move(endpoint)) {}

  const std::optional<JsUser>& user() const { return user_; }
  /// The tab forgets its cookie (a new browser session), as logout does.
  void ClearCookie() { user_.reset(); }

  /// `$.ajax` with the SDK's beforeSend hook, from another origin: the preflight, then the call.
  /// `content_type` empty = jQuery sets none (no data); a body-less POST/PUT still says
  /// Content-Length: 0, as XMLHttpRequest does.
  HttpResponse Ajax(const std::string& method, const std::string& path, const std::string& body = "",
                    const std::string& content_type = "", bool json_data_type = false) {
    std::vector<std::string> headers = {"Origin: " + std::string(kOrigin), kAppHeader,
                                        json_data_type ? "Accept: application/json, text/javascript, */*; q=0.01"
                                                       : "Accept: */*"};
    std::vector<std::string> custom = {"x-baasbox-appcode"};
    if (user_) {
      headers.push_back(Session(user_->token));
      custom.push_back("x-bb-session");
    }
    if (!content_type.empty()) {
      headers.push_back("Content-Type: " + content_type);
      if (content_type.rfind("application/x-www-form-urlencoded", 0) != 0) custom.push_back("content-type");
    } else if (method == "POST" || method == "PUT") {
      headers.push_back("Content-Length: 0");
    }
    std::sort(custom.begin(), custom.end());
    Preflight(method, path, custom);
    auto res = http_.Request(method, path, body, headers);
    // A browser hands the SDK nothing (not even an error body) without this header.
    EXPECT_EQ(res.header("access-control-allow-origin"), "*") << method << " " << path;
    // $.get without dataType guesses from the Content-Type: the SDK reads res.data only if it
    // says JSON.
    EXPECT_EQ(res.header("content-type"), "application/json; charset=utf-8") << method << " " << path;
    return res;
  }

  // --- the SDK's functions, in baasbox.js order ------------------------------------------------

  HttpResponse Login(const std::string& username, const std::string& password) {
    auto res = Ajax("POST", "/login",
                    JqParam({{"username", json::value(username)},
                             {"password", json::value(password)},
                             {"appcode", json::value(kAppCode)}}),
                    "application/x-www-form-urlencoded; charset=UTF-8");
    if (res.status == 200) Remember(res);
    return res;
  }
  HttpResponse Logout() {
    auto res = Ajax("POST", "/logout");  // $.post(url, {}): no data, no content type
    if (res.status == 200) user_.reset();
    return res;
  }
  HttpResponse Signup(const std::string& username, const std::string& password, const json::object& acl = {}) {
    json::object post{{"username", username}, {"password", password}};
    for (const auto& [k, v] : acl) post[k] = v;
    auto res = Ajax("POST", "/user", json::serialize(post), "application/json");
    if (res.status == 201) Remember(res);
    return res;
  }
  HttpResponse FetchCurrentUser() { return Ajax("GET", "/me"); }
  HttpResponse CreateCollection(const std::string& c) { return Ajax("POST", "/admin/collection/" + c); }
  HttpResponse DeleteCollection(const std::string& c) { return Ajax("DELETE", "/admin/collection/" + c); }
  HttpResponse LoadCollectionWithParams(const std::string& c, const Params& params) {
    std::string q = JqParam(params);
    return Ajax("GET", "/document/" + c + (q.empty() ? "" : "?" + q), "", "", true);
  }
  HttpResponse LoadCollection(const std::string& c) {
    return LoadCollectionWithParams(c, {{"page", 0}, {"recordsPerPage", 50}});  // BaasBox.pagelength
  }
  HttpResponse LoadObject(const std::string& c, const std::string& id) { return Ajax("GET", "/document/" + c + "/" + id); }
  /// POST when the object has no id, else PUT of the whole object to /document/{c}/{object.id}.
  HttpResponse Save(const json::object& object, const std::string& c) {
    const json::value* id = object.if_contains("id");
    bool update = id && id->is_string() && !id->as_string().empty();
    return Ajax(update ? "PUT" : "POST", "/document/" + c + (update ? "/" + std::string(id->as_string()) : ""),
                json::serialize(object), "application/json", true);
  }
  HttpResponse UpdateField(const std::string& id, const std::string& c, const std::string& field,
                           const json::value& value) {
    return Ajax("PUT", "/document/" + c + "/" + id + "/." + field, json::serialize(json::object{{"data", value}}),
                "application/json", true);
  }
  HttpResponse UpdateObject(const std::string& id, const std::string& c, const json::value& data) {
    return Ajax("PUT", "/document/" + c + "/" + id, json::serialize(data), "application/json", true);
  }
  HttpResponse DeleteObject(const std::string& id, const std::string& c) {
    return Ajax("DELETE", "/document/" + c + "/" + id);
  }
  HttpResponse FetchObjectsCount(const std::string& c) { return Ajax("GET", "/document/" + c + "/count"); }
  HttpResponse Grant(const std::string& c, const std::string& id, const std::string& permission,
                     const std::string& kind, const std::string& name, bool grant = true) {
    return Ajax(grant ? "PUT" : "DELETE", "/document/" + c + "/" + id + "/" + permission + "/" + kind + "/" + name);
  }
  HttpResponse FetchUserProfile(const std::string& username) { return Ajax("GET", "/user/" + username); }
  HttpResponse FetchUsers(const Params& params) {
    std::string q = JqParam(params);
    return Ajax("GET", "/users" + (q.empty() ? "" : "?" + q));
  }
  HttpResponse UpdateUserProfile(const json::object& params) {
    return Ajax("PUT", "/me", json::serialize(params), "application/json");
  }
  HttpResponse ChangePassword(const std::string& old_password, const std::string& new_password) {
    return Ajax("PUT", "/me/password", json::serialize(json::object{{"old", old_password}, {"new", new_password}}),
                "application/json");
  }
  HttpResponse ResetPassword() { return Ajax("GET", "/user/" + user_->username + "/password/reset"); }
  HttpResponse FollowUser(const std::string& username) { return Ajax("POST", "/follow/" + username); }
  HttpResponse CallPlugin(const std::string& name, const std::string& method, const json::value& data) {
    return Ajax(method, "/plugin/" + name, json::serialize(data), "application/json", true);
  }

 private:
  /// A browser's CORS preflight for a call carrying `custom` headers; it must succeed and allow
  /// the method and every header, or the browser never sends the call.
  void Preflight(const std::string& method, const std::string& path, const std::vector<std::string>& custom) {
    std::string list;
    for (const auto& h : custom) list += (list.empty() ? "" : ",") + h;
    auto res = http_.Request("OPTIONS", path, "",
                             {"Origin: " + std::string(kOrigin), "Access-Control-Request-Method: " + method,
                              "Access-Control-Request-Headers: " + list});
    SCOPED_TRACE("preflight " + method + " " + path);
    EXPECT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.header("access-control-allow-origin"), "*");
    std::string methods = res.header("access-control-allow-methods");
    EXPECT_NE(methods.find(method), std::string::npos) << methods;
    std::string allowed = res.header("access-control-allow-headers");
    std::transform(allowed.begin(), allowed.end(), allowed.begin(), ::tolower);
    for (const auto& h : custom) EXPECT_NE(allowed.find(h), std::string::npos) << h << " not in " << allowed;
  }

  /// `setCurrentUser` from res.data: user.name, user.roles[].name, X-BB-SESSION, the sections.
  void Remember(const HttpResponse& res) {
    auto data = res.json().at("data").as_object();
    JsUser u;
    u.username = std::string(data.at("user").at("name").as_string());
    u.token = std::string(data.at("X-BB-SESSION").as_string());
    for (const auto& r : data.at("user").at("roles").as_array()) u.roles.emplace_back(r.at("name").as_string());
    for (const char* s : kSections) u.sections[s] = data.at(s);
    user_ = std::move(u);
  }

  HttpClient http_;
  std::optional<JsUser> user_;
};

class BaasBoxJsSdkTest : public BbTest, public ::testing::WithParamInterface<std::string> {
 protected:
  static void SetUpTestSuite() {
    bb_port_ = FreePort();
    StartServer(WithArgs(ServerArgs(), {"--baasbox-port", std::to_string(bb_port_)}));
  }
  /// BaasBox.setEndPoint: the prefix on the main listener, or the root of the dedicated one.
  std::string EndPoint() const {
    return GetParam() == "prefix" ? server_->base_url() + "/baasbox" : "http://127.0.0.1:" + std::to_string(bb_port_);
  }
  static inline int bb_port_ = 0;
};

std::vector<std::string> Titles(const json::value& rows) {
  std::vector<std::string> out;
  if (!rows.is_array()) {
    ADD_FAILURE() << "not a list: " << rows;
    return out;
  }
  for (const auto& r : rows.as_array()) out.emplace_back(r.at("title").as_string());
  return out;
}

using Names = std::vector<std::string>;

TEST_P(BaasBoxJsSdkTest, EndToEnd) {
  JsSdk sdk(EndPoint());
  const std::string col = Unique("jsnotes");
  const std::string alice = Unique("alice");
  const std::string bob = Unique("bob");
  const std::string alice_pw = "pw one&=+%";
  EXPECT_EQ(JqParam({{"password", json::value(alice_pw)}}), "password=pw+one%26%3D%2B%25");

  // --- the admin creates the collection -------------------------------------------------------
  ExpectOk(sdk.Login("admin", kAdminPassword), 200, "admin login");
  ASSERT_TRUE(sdk.user());
  EXPECT_EQ(sdk.user()->username, "admin");
  EXPECT_NE(std::find(sdk.user()->roles.begin(), sdk.user()->roles.end(), "administrator"), sdk.user()->roles.end());
  EXPECT_EQ(ExpectOk(sdk.CreateCollection(col), 201, "createCollection"), json::value(""));
  EXPECT_EQ(ExpectOk(sdk.LoadCollection(col)), J("[]"));
  EXPECT_EQ(ExpectOk(sdk.Logout(), 200, "admin logout"), json::value("user logged out"));
  ASSERT_FALSE(sdk.user());

  // --- sign-up: JSON, the sections the app passes; the SDK keeps what data carries -------------
  json::object alice_acl{{"visibleByTheUser", {{"email", alice + "@example.com"}}},
                         {"visibleByRegisteredUsers", {{"nick", "al"}}},
                         {"visibleByAnonymousUsers", {{"motto", "hi"}}}};
  auto signup = sdk.Signup(alice, alice_pw, alice_acl);
  auto sd = ExpectOk(signup, 201, "signup");
  ASSERT_TRUE(sdk.user());
  EXPECT_EQ(sdk.user()->username, alice);
  EXPECT_EQ(sdk.user()->roles, Names{"registered"});
  EXPECT_EQ(sdk.user()->token.size(), 36u);
  EXPECT_EQ(signup.header("x-bb-session"), sdk.user()->token);
  EXPECT_EQ(json::value(sdk.user()->sections),
            J(R"({"visibleByAnonymousUsers":{"motto":"hi"},"visibleByTheUser":{"email":")" + alice +
              R"(@example.com"},"visibleByFriends":{},"visibleByRegisteredUsers":{"nick":"al","_social":{}}})"));
  const std::string signup_token = sdk.user()->token;

  // --- login: a form, with the stored (still live) token attached ------------------------------
  auto login = sdk.Login(alice, alice_pw);
  ExpectOk(login, 200, "login");
  ASSERT_TRUE(sdk.user());
  EXPECT_NE(sdk.user()->token, signup_token);  // every login makes a new token
  EXPECT_EQ(sdk.user()->roles, Names{"registered"});
  EXPECT_EQ(sdk.user()->sections.at("visibleByTheUser"), alice_acl.at("visibleByTheUser"));

  // --- save (POST when there is no id) -----------------------------------------------------------
  std::vector<json::object> saved;
  for (const char* body : {R"({"title":"Hello world","color":"red","n":1,"tags":["a","b"]})",
                           R"({"title":"Hello again","color":"blue","n":2,"tags":["b"]})",
                           R"({"title":"Bye","color":"red","n":3})"}) {
    auto data = ExpectOk(sdk.Save(J(body).as_object(), col), 200, "save new");
    ASSERT_TRUE(data.is_object()) << data;
    const auto& o = data.as_object();
    EXPECT_EQ(o.at("@class"), json::value(col));
    EXPECT_EQ(o.at("_author"), json::value(alice));
    EXPECT_EQ(o.at("id").as_string().size(), 36u);
    EXPECT_TRUE(o.at("@rid").is_string());
    EXPECT_TRUE(o.at("@version").is_int64());
    EXPECT_TRUE(o.at("_creation_date").is_string());
    saved.push_back(o);
  }
  auto id_of = [&](size_t i) { return std::string(saved[i].at("id").as_string()); };

  // --- loadCollection / loadCollectionWithParams with jQuery's encoding --------------------------
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollection(col))), (Names{"Hello world", "Hello again", "Bye"}));
  EXPECT_EQ(JqParam({{"where", "color = ? or n > ?"}, {"params", json::array{"blue", 2}}, {"orderBy", "n desc"}}),
            "where=color+%3D+%3F+or+n+%3E+%3F&params%5B%5D=blue&params%5B%5D=2&orderBy=n+desc");
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollectionWithParams(
                col, {{"where", "color = ? or n > ?"}, {"params", json::array{"blue", 2}}, {"orderBy", "n desc"}}))),
            (Names{"Bye", "Hello again"}));
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollectionWithParams(col, {{"where", "title like 'Hello%'"}, {"orderBy", "n"}}))),
            (Names{"Hello world", "Hello again"}));
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollectionWithParams(col, {{"where", "tags contains ?"}, {"params", json::array{"b"}}}))),
            (Names{"Hello world", "Hello again"}));
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollectionWithParams(col, {{"page", 1}, {"recordsPerPage", 2}, {"orderBy", "n"}}))),
            Names{"Bye"});
  EXPECT_EQ(ExpectOk(sdk.LoadCollectionWithParams(col, {{"count", true}, {"where", "color = ?"}, {"params", json::array{"red"}}})),
            J(R"([{"count":2}])"));
  EXPECT_EQ(ExpectOk(sdk.LoadCollectionWithParams(col, {{"fields", "title,n"}, {"where", "n = ?"}, {"params", json::array{1}}})),
            J(R"([{"title":"Hello world","n":1}])"));
  // $.ajaxSetup({cache: false}) adds `_=<timestamp>` to every GET: an unknown key, ignored.
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollectionWithParams(col, {{"page", 0}, {"recordsPerPage", 1}, {"_", 1700000000000}}))),
            Names{"Hello world"});
  // jQuery sends null as an empty value.
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollectionWithParams(col, {{"where", "title = ?"}, {"params", json::array{nullptr}}}))),
            Names{});
  auto bad = sdk.LoadCollectionWithParams(col, {{"where", "n = ?"}});  // a placeholder without params
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(std::string(bad.json().at("message").as_string()).rfind("Invalid criteria.", 0), 0u) << bad.body;

  // --- loadObject, then save of the whole loaded object (PUT, system keys included) ------------
  auto loaded = ExpectOk(sdk.LoadObject(col, id_of(0)), 200, "loadObject").as_object();
  EXPECT_EQ(loaded, saved[0]);
  json::object edited = loaded;
  edited["title"] = "Hello world!";
  edited.erase("tags");
  auto put = ExpectOk(sdk.Save(edited, col), 200, "save existing").as_object();
  EXPECT_EQ(put.at("title"), "Hello world!");
  EXPECT_FALSE(put.contains("tags"));
  EXPECT_EQ(put.at("color"), "red");
  for (const char* k : {"id", "@rid", "@class", "_author", "_creation_date"}) EXPECT_EQ(put.at(k), loaded.at(k)) << k;
  EXPECT_GT(put.at("@version").as_int64(), loaded.at("@version").as_int64());
  // The stale copy saved again: the optimistic lock refuses it; nothing changes.
  json::object stale = loaded;
  stale["title"] = "lost update";
  ExpectBbError(sdk.Save(stale, col), 400,
                "You are attempting to update an older version of the document. Your document version is " +
                    std::to_string(loaded.at("@version").as_int64()) + ", the stored document has version " +
                    std::to_string(put.at("@version").as_int64()),
                "40001", "stale save");
  EXPECT_EQ(ExpectOk(sdk.LoadObject(col, id_of(0))), json::value(put));
  // Saving what the server answered works again (the SDK resolves with res.data).
  put["color"] = "green";
  auto again = ExpectOk(sdk.Save(put, col), 200, "save answer").as_object();
  EXPECT_EQ(again.at("color"), "green");

  // --- updateField, updateObject ------------------------------------------------------------------
  auto field = ExpectOk(sdk.UpdateField(id_of(0), col, "title", "Hi"), 200, "updateField").as_object();
  EXPECT_EQ(field.at("title"), "Hi");
  EXPECT_EQ(field.at("color"), "green");
  EXPECT_GT(field.at("@version").as_int64(), again.at("@version").as_int64());
  auto nested = ExpectOk(sdk.UpdateField(id_of(0), col, "meta", J(R"({"k":[1,2]})")), 200, "updateField object");
  EXPECT_EQ(nested.at("meta"), J(R"({"k":[1,2]})"));
  EXPECT_EQ(ExpectOk(sdk.UpdateField(id_of(0), col, "tags", J(R"(["x"])"))).at("tags"), J(R"(["x"])"));
  auto replaced = ExpectOk(sdk.UpdateObject(id_of(1), col, J(R"({"title":"Replaced"})")), 200, "updateObject").as_object();
  EXPECT_EQ(replaced.at("title"), "Replaced");
  EXPECT_FALSE(replaced.contains("color"));
  EXPECT_EQ(replaced.at("id"), saved[1].at("id"));

  // --- fetchObjectsCount reads data.count ---------------------------------------------------------
  EXPECT_EQ(ExpectOk(sdk.FetchObjectsCount(col)).at("count"), 3);

  // --- a second user signs up in the same tab: alice's token rides along -------------------------
  const std::string alice_token = sdk.user()->token;
  ExpectOk(sdk.Signup(bob, "bobpw", {{"visibleByRegisteredUsers", {{"team", "blue"}}}}), 201, "signup bob");
  EXPECT_EQ(sdk.user()->username, bob);
  ExpectBbError(sdk.LoadObject(col, id_of(0)), 404, id_of(0) + " not found", "", "bob cannot read");
  ExpectBbError(sdk.CreateCollection(col + "_bob"), 403, "User " + bob + " is not an administrator", "",
                "createCollection without the role");
  EXPECT_EQ(ExpectOk(sdk.LoadCollection(col)), J("[]"));
  EXPECT_EQ(ExpectOk(sdk.FetchObjectsCount(col)).at("count"), 0);
  const std::string bob_token = sdk.user()->token;
  // Alice's session was not touched by bob's sign-up; log her in again over bob's token.
  ExpectOk(sdk.Login(alice, alice_pw), 200, "login over bob's token");
  EXPECT_EQ(sdk.user()->username, alice);

  // --- grants (PUT/DELETE without a body) ----------------------------------------------------------
  EXPECT_EQ(ExpectOk(sdk.Grant(col, id_of(0), "read", "user", bob), 200, "grant read"), json::value(""));
  ExpectOk(sdk.Login(bob, "bobpw"));
  auto bob_copy = ExpectOk(sdk.LoadObject(col, id_of(0)), 200, "bob loads").as_object();
  EXPECT_EQ(bob_copy.at("title"), "Hi");
  EXPECT_EQ(ExpectOk(sdk.FetchObjectsCount(col)).at("count"), 1);
  json::object bob_edit = bob_copy;
  bob_edit["title"] = "bob was here";
  ExpectBbError(sdk.Save(bob_edit, col), 403, "You have not the right to modify " + id_of(0), "", "bob saves");
  ExpectBbError(sdk.UpdateField(id_of(0), col, "title", "x"), 403,
                "You have not the right to modify the document " + id_of(0), "", "bob updateField");
  ExpectBbError(sdk.DeleteObject(id_of(0), col), 403, "You have not the right to delete " + id_of(0), "", "bob deletes");
  ExpectBbError(sdk.Grant(col, id_of(0), "read", "role", "anonymous"), 403, "You have not the right to modify " + id_of(0),
                "", "bob grants");
  ExpectOk(sdk.Login(alice, alice_pw));
  ExpectOk(sdk.Grant(col, id_of(0), "update", "user", bob), 200, "grant update");
  ExpectOk(sdk.Login(bob, "bobpw"));
  // The grant advanced @version: bob's earlier copy is stale, a reload saves.
  auto stale_grant = sdk.Save(bob_edit, col);
  ExpectBbError(stale_grant, 400,
                "You are attempting to update an older version of the document. Your document version is " +
                    std::to_string(bob_copy.at("@version").as_int64()) + ", the stored document has version " +
                    std::to_string(bob_copy.at("@version").as_int64() + 1),
                "40001", "bob's stale copy");
  bob_edit = ExpectOk(sdk.LoadObject(col, id_of(0))).as_object();
  bob_edit["title"] = "bob was here";
  auto bob_saved = ExpectOk(sdk.Save(bob_edit, col), 200, "bob saves after reload").as_object();
  EXPECT_EQ(bob_saved.at("title"), "bob was here");
  EXPECT_EQ(bob_saved.at("_author"), json::value(alice));
  ExpectOk(sdk.Login(alice, alice_pw));
  ExpectOk(sdk.Grant(col, id_of(0), "read", "user", bob, false), 200, "revoke read");
  ExpectOk(sdk.Grant(col, id_of(0), "read", "user", bob, false), 200, "revoke again");
  ExpectBbError(sdk.Grant(col, id_of(0), "write", "user", bob), 400, "write is not a valid action");
  ExpectBbError(sdk.Grant(col, id_of(0), "read", "user", "nobody_" + bob), 404, "user nobody_" + bob + " not found");
  ExpectBbError(sdk.Grant(col, id_of(0), "read", "role", "nosuchrole"), 404, "role nosuchrole not found");
  // Role constants: registered for the document 1, anonymous for the document 2.
  ExpectOk(sdk.Grant(col, id_of(1), "read", "role", "registered"), 200, "grant registered");
  ExpectOk(sdk.Grant(col, id_of(2), "read", "role", "anonymous"), 200, "grant anonymous");
  ExpectOk(sdk.Grant(col, id_of(2), "all", "user", bob), 200, "grant all");
  ExpectOk(sdk.Login(bob, "bobpw"));
  ExpectBbError(sdk.LoadObject(col, id_of(0)), 404, id_of(0) + " not found", "", "revoked");
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollection(col))), (Names{"Replaced", "Bye"}));
  // A logged-out tab is the anonymous caller: the app code alone.
  sdk.ClearCookie();
  EXPECT_EQ(Titles(ExpectOk(sdk.LoadCollection(col))), Names{"Bye"});
  EXPECT_EQ(ExpectOk(sdk.LoadObject(col, id_of(2))).at("title"), "Bye");
  EXPECT_EQ(ExpectOk(sdk.FetchObjectsCount(col)).at("count"), 1);
  ExpectBbError(sdk.Save(J(R"({"title":"anon"})").as_object(), col), 401,
                "Missing both Session Token and Authorization info", "", "anonymous save");
  ExpectBbError(sdk.FetchCurrentUser(), 401, "Missing both Session Token and Authorization info", "", "anonymous /me");
  // `all` lets bob delete.
  ExpectOk(sdk.Login(bob, "bobpw"));
  EXPECT_EQ(ExpectOk(sdk.DeleteObject(id_of(2), col), 200, "bob deletes with all"), json::value(""));
  sdk.ClearCookie();
  EXPECT_EQ(ExpectOk(sdk.LoadCollection(col)), J("[]"));

  // --- users: me, profile update, other profiles, the user list --------------------------------
  ExpectOk(sdk.Login(alice, alice_pw));
  auto me = ExpectOk(sdk.FetchCurrentUser(), 200, "me").as_object();
  EXPECT_EQ(me.at("user").at("name"), json::value(alice));
  EXPECT_EQ(me.at("user").at("roles"), J(R"([{"name":"registered","isrole":true}])"));
  EXPECT_FALSE(me.contains("X-BB-SESSION"));
  for (const char* s : kSections) EXPECT_EQ(me.at(s), sdk.user()->sections.at(s)) << s;
  auto updated = ExpectOk(sdk.UpdateUserProfile({{"visibleByFriends", {{"f", 1}}},
                                                 {"visibleByRegisteredUsers", {{"nick", "alice"}}}}),
                          200, "updateUserProfile")
                     .as_object();
  EXPECT_EQ(updated.at("visibleByFriends"), J(R"({"f":1})"));
  EXPECT_EQ(updated.at("visibleByRegisteredUsers"), J(R"({"nick":"alice","_social":{}})"));
  EXPECT_EQ(updated.at("visibleByTheUser"), alice_acl.at("visibleByTheUser"));  // untouched
  ExpectOk(sdk.Login(bob, "bobpw"));
  auto seen = ExpectOk(sdk.FetchUserProfile(alice), 200, "fetchUserProfile").as_object();
  EXPECT_EQ(seen.at("user").at("name"), json::value(alice));
  EXPECT_FALSE(seen.contains("visibleByTheUser"));
  EXPECT_FALSE(seen.contains("visibleByFriends"));
  EXPECT_EQ(seen.at("visibleByRegisteredUsers"), J(R"({"nick":"alice","_social":{}})"));
  EXPECT_EQ(seen.at("visibleByAnonymousUsers"), J(R"({"motto":"hi"})"));
  ExpectBbError(sdk.FetchUserProfile("nobody_" + alice), 404, "nobody_" + alice + " not found");
  auto users = ExpectOk(sdk.FetchUsers({{"where", "user.name = ?"}, {"params", json::array{alice}}}), 200, "fetchUsers");
  ASSERT_EQ(users.as_array().size(), 1u) << users;
  EXPECT_EQ(users.at(0).at("user").at("name"), json::value(alice));
  EXPECT_FALSE(users.at(0).as_object().contains("visibleByTheUser"));
  auto page = ExpectOk(sdk.FetchUsers({{"page", 0}, {"recordsPerPage", 20}}));
  EXPECT_GE(page.as_array().size(), 2u);
  EXPECT_LE(page.as_array().size(), 20u);
  EXPECT_EQ(ExpectOk(sdk.FetchUsers({{"where", "visibleByRegisteredUsers.team = ? and user.name = ?"},
                                     {"params", json::array{"blue", bob}},
                                     {"fields", "user.name as name"}})),
            json::value(json::array{json::object{{"name", bob}}}));

  // Out of scope (§12): the SDK's promise rejects on the envelope's 404.
  ExpectBbError(sdk.FollowUser(alice), 404, "API not found", "", "followUser");
  ExpectBbError(sdk.CallPlugin("hello", "POST", J(R"({"a":1})")), 404, "API not found", "", "callPlugin");

  // --- changePassword: the stored token dies; login over it works ---------------------------------
  ExpectOk(sdk.Login(alice, alice_pw));
  ExpectBbError(sdk.ChangePassword("wrong", "x"), 400, "The old password does not match with the current one");
  EXPECT_EQ(ExpectOk(sdk.ChangePassword(alice_pw, "new pw"), 200, "changePassword"), json::value(""));
  ExpectBbError(sdk.FetchCurrentUser(), 401, kGone, "40101", "old token after password change");
  ExpectBbError(sdk.Login(alice, alice_pw), 401, "user " + alice + " unauthorized", "", "old password");
  ExpectOk(sdk.Login(alice, "new pw"), 200, "login over a revoked token");
  EXPECT_EQ(ExpectOk(sdk.FetchCurrentUser()).at("user").at("name"), json::value(alice));
  // resetPassword: the SDK asks for the stored user; no mail server here.
  ExpectBbError(sdk.ResetPassword(), 400,
                "Cannot send mail to reset the password:  Could not reach the mail server. Please contact the server "
                "administrator");

  // --- deleteObject, logout ----------------------------------------------------------------------
  EXPECT_EQ(ExpectOk(sdk.DeleteObject(id_of(0), col), 200, "deleteObject"), json::value(""));
  ExpectBbError(sdk.LoadObject(col, id_of(0)), 404, id_of(0) + " not found");
  ExpectBbError(sdk.DeleteObject(id_of(0), col), 404, "id " + id_of(0) + " not found");
  EXPECT_EQ(ExpectOk(sdk.FetchObjectsCount(col)).at("count"), 1);
  const std::string last_token = sdk.user()->token;
  EXPECT_EQ(ExpectOk(sdk.Logout(), 200, "logout"), json::value("user logged out"));
  EXPECT_FALSE(sdk.user());
  HttpClient raw(EndPoint());
  ExpectBbError(raw.Get("/me", {kAppHeader, Session(last_token)}), 401, kGone, "40101", "token after logout");
  ExpectBbError(raw.Get("/me", {kAppHeader, Session(alice_token)}), 401, kGone, "40101", "revoked by the new password");
  // Logout ends only the presented token: bob's sign-up session still works.
  EXPECT_EQ(ExpectOk(raw.Get("/me", {kAppHeader, Session(bob_token)}), 200, "bob's first token").at("user").at("name"),
            json::value(bob));

  // --- the admin drops the collection ---------------------------------------------------------------
  ExpectOk(sdk.Login("admin", kAdminPassword));
  EXPECT_EQ(ExpectOk(sdk.DeleteCollection(col), 200, "deleteCollection"), json::value(""));
  ExpectBbError(sdk.LoadCollection(col), 404, col + " is not a valid collection name");
  ExpectBbError(sdk.DeleteCollection(col), 404, "The Collection " + col + " does not exist");
  ExpectOk(sdk.Logout());
}

INSTANTIATE_TEST_SUITE_P(Mounts, BaasBoxJsSdkTest, ::testing::Values("prefix", "port"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace gbtest::bb
