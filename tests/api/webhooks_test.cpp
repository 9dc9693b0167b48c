// API tests: table webhooks (webhooks.md §1–§3, §5.5, §7, §8): CRUD with exact bodies, the
// PATCH semantics of events/event_config/headers/active, limits and errors, the call log
// as stored, and the test call against a local HTTP receiver. The main suite runs with
// --webhooks-allow-private-address=true (loopback targets); one suite runs without it.
#include <stdio.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>

#include "support/api_fixture.hpp"
#include "support/http_receiver.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

std::string S(int64_t n) { return std::to_string(n); }
int64_t Id(const json::value& v) { return v.as_object().at("id").as_int64(); }

constexpr const char* kNotInGroup = R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})";
constexpr const char* kNoCredentials = R"({"detail":"Authentication credentials were not provided."})";
constexpr const char* kWebhookMissing =
    R"({"error":"ERROR_TABLE_WEBHOOK_DOES_NOT_EXIST","detail":"The requested table webhook does not exist."})";
constexpr const char* kTableMissing =
    R"({"error":"ERROR_TABLE_DOES_NOT_EXIST","detail":"The requested table does not exist."})";

/// A 400 ERROR_REQUEST_BODY_VALIDATION body with `detail`.
std::string Invalid(const std::string& detail) {
  return R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":)" + detail + "}";
}

bool IsIsoTime(const json::value& v) {
  static const std::regex kIso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z)");
  return v.is_string() && std::regex_match(std::string(v.as_string()), kIso);
}

bool IsUuid4(const std::string& s) {
  static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  return std::regex_match(s, kUuid);
}

/// The webhook object with created_on/updated_on checked for their format and replaced by
/// "<time>", so the rest can be compared exactly.
json::value Normalized(json::value v) {
  auto fix = [](json::object& o) {
    for (const char* key : {"created_on", "updated_on"}) {
      EXPECT_TRUE(IsIsoTime(o.at(key))) << key << ": " << json::serialize(o.at(key));
      o[key] = "<time>";
    }
  };
  if (v.is_object()) fix(v.as_object());
  if (v.is_array())
    for (auto& item : v.as_array()) fix(item.as_object());
  return v;
}

/// The webhook object of §2 with the given differences from a fresh default webhook.
std::string Hook(int64_t id, const std::string& url, const std::string& extra_fields = "") {
  json::object o = J(R"({"events":[],"event_config":[],"headers":{},"calls":[],"created_on":"<time>",
      "updated_on":"<time>","use_user_field_names":true,"request_method":"POST","name":"Hook",
      "include_all_events":true,"failed_triggers":0,"active":true})")
                       .as_object();
  o["id"] = id;
  o["url"] = url;
  if (!extra_fields.empty()) {
    const json::value extra = J(extra_fields);
    for (const auto& [k, v] : extra.as_object()) o[k] = v;
  }
  return json::serialize(o);
}

struct World {
  Account a;
  int64_t ws = 0, db = 0, customers = 0, projects = 0;
  std::map<std::string, int64_t> fields;  // Customers' fields by name
  int64_t project_field = 0;              // a field of Projects
  std::string jwt() const { return a.auth(); }
};

class WebhooksApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--secret-key", kTestSecret, "--webhooks-allow-private-address=true"});
    server_->Start();
  }

  static World NewWorld(HttpClient& c) {
    World w;
    w.a = SignUp(c, "Hooker", UniqueEmail("hook"));
    w.ws = Id(c.Get("/api/workspaces/", {w.jwt()}).json().as_array().at(0));
    auto app = c.Get("/api/applications/", {w.jwt()}).json().as_array().at(0);
    w.db = Id(app);
    for (const auto& t : app.as_object().at("tables").as_array()) {
      if (t.as_object().at("name") == "Customers") w.customers = Id(t);
      if (t.as_object().at("name") == "Projects") w.projects = Id(t);
    }
    EXPECT_TRUE(w.customers && w.projects);
    const json::value fields = c.Get("/api/database/fields/table/" + S(w.customers) + "/", {w.jwt()}).json();
    for (const auto& f : fields.as_array()) {
      w.fields[std::string(f.as_object().at("name").as_string())] = Id(f);
    }
    w.project_field = Id(c.Get("/api/database/fields/table/" + S(w.projects) + "/", {w.jwt()}).json().as_array().at(0));
    return w;
  }

  static std::string TablePath(int64_t table) { return "/api/database/webhooks/table/" + S(table) + "/"; }
  static std::string HookPath(int64_t id) { return "/api/database/webhooks/" + S(id) + "/"; }
  static std::string TestCallPath(int64_t table) { return TablePath(table) + "test-call/"; }
  static std::string DbFile() { return server().db_file(); }

  /// Creates a webhook from a JSON body text; returns the response JSON.
  static json::value Create(HttpClient& c, const World& w, const std::string& body, int64_t table = 0) {
    auto res = c.Request("POST", TablePath(table ? table : w.customers), body, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json();
  }
};

// --- create, get, list ----------------------------------------------------------------

TEST_F(WebhooksApiTest, CreateWithDefaultsThenGetAndList) {
  auto c = client();
  World w = NewWorld(c);
  auto list = c.Get(TablePath(w.customers), {w.jwt()});
  EXPECT_JSON(list, 200, "[]");

  const std::string url = "http://127.0.0.1:9/hook";
  auto res = c.Post(TablePath(w.customers), json::object{{"url", url}, {"name", "Hook"}}, {w.jwt()});
  ASSERT_EQ(res.status, 200) << res.body;
  int64_t id = Id(res.json());
  EXPECT_EQ(Normalized(res.json()), J(Hook(id, url)));
  auto created = res.json().as_object();
  EXPECT_EQ(created.at("created_on"), created.at("updated_on"));

  auto got = c.Get(HookPath(id), {w.jwt()});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.json(), res.json()) << got.body;

  auto second = Create(c, w, R"({"url":"http://127.0.0.1:9/two","name":"Hook"})");
  list = c.Get(TablePath(w.customers), {w.jwt()});
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(Normalized(list.json()),
            J("[" + Hook(id, url) + "," + Hook(Id(second), "http://127.0.0.1:9/two") + "]"));
  // Other tables' webhooks are not listed.
  EXPECT_JSON(c.Get(TablePath(w.projects), {w.jwt()}), 200, "[]");
}

TEST_F(WebhooksApiTest, CreateWithEventsConfigHeadersAndOptions) {
  auto c = client();
  World w = NewWorld(c);
  const int64_t name = w.fields.at("Name"), notes = w.fields.at("Notes");
  auto v = Create(c, w,
                  R"({"url":"http://127.0.0.1:9/a","name":"Full","include_all_events":false,
                      "events":["rows.created","rows.updated","rows.created"],
                      "event_config":[{"event_type":"rows.updated","fields":[)" +
                      S(notes) + "," + S(name) + R"(]},
                                      {"event_type":"field.created","fields":[)" +
                      S(name) + R"(]}],
                      "request_method":"PATCH","headers":{"X-Secret":"abc","X-Other":"1"},
                      "use_user_field_names":false})");
  EXPECT_EQ(Normalized(v), J(Hook(Id(v), "http://127.0.0.1:9/a",
                                  R"({"name":"Full","include_all_events":false,
                                      "events":["rows.created","rows.updated"],
                                      "event_config":[{"event_type":"rows.created"},
                                                      {"event_type":"rows.updated","fields":[)" +
                                      S(name) + "," + S(notes) + R"(]}],
                                      "request_method":"PATCH","headers":{"X-Secret":"abc","X-Other":"1"},
                                      "use_user_field_names":false})")));

  // Without include_all_events the events are still stored (include_all_events stays true).
  v = Create(c, w, R"({"url":"http://127.0.0.1:9/b","name":"Hook","events":["rows.deleted"]})");
  EXPECT_EQ(Normalized(v), J(Hook(Id(v), "http://127.0.0.1:9/b",
                                  R"({"events":["rows.deleted"],"event_config":[{"event_type":"rows.deleted"}]})")));
  // With include_all_events explicitly true they are not.
  v = Create(c, w,
             R"({"url":"http://127.0.0.1:9/c","name":"Hook","include_all_events":true,"events":["rows.deleted"],
                 "event_config":[{"event_type":"rows.deleted","fields":[999999]}]})");
  EXPECT_EQ(Normalized(v), J(Hook(Id(v), "http://127.0.0.1:9/c")));
  // An empty fields list stores no selection.
  v = Create(c, w,
             R"({"url":"http://127.0.0.1:9/d","name":"Hook","include_all_events":false,"events":["rows.updated"],
                 "event_config":[{"event_type":"rows.updated","fields":[],"views":[]}]})");
  EXPECT_EQ(Normalized(v), J(Hook(Id(v), "http://127.0.0.1:9/d",
                                  R"({"include_all_events":false,"events":["rows.updated"],
                                      "event_config":[{"event_type":"rows.updated"}]})")));
}

TEST_F(WebhooksApiTest, CreateValidation) {
  auto c = client();
  World w = NewWorld(c);
  const std::string path = TablePath(w.customers);
  auto post = [&](const std::string& body) { return c.Request("POST", path, body, {w.jwt()}); };

  EXPECT_JSON(post("{}"), 400,
              Invalid(R"({"url":[{"error":"This field is required.","code":"required"}],
                          "name":[{"error":"This field is required.","code":"required"}]})"));
  EXPECT_JSON(post(R"({"url":"","name":""})"), 400,
              Invalid(R"({"url":[{"error":"This field may not be blank.","code":"blank"}],
                          "name":[{"error":"This field may not be blank.","code":"blank"}]})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1/)" + std::string(2000, 'a') + R"(","name":")" +
                   std::string(256, 'n') + "\"}"),
              400,
              Invalid(R"({"url":[{"error":"Ensure this field has no more than 2000 characters.","code":"max_length"}],
                          "name":[{"error":"Ensure this field has no more than 255 characters.","code":"max_length"}]})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x","events":["rows.created","nope",null,1]})"), 400,
              Invalid(R"({"events":{"1":[{"error":"\"nope\" is not a valid choice.","code":"invalid_choice"}],
                                    "2":[{"error":"This field may not be null.","code":"null"}],
                                    "3":[{"error":"\"1\" is not a valid choice.","code":"invalid_choice"}]}})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x","events":"rows.created"})"), 400,
              Invalid(R"({"events":[{"error":"Expected a list of items but got type \"str\".","code":"not_a_list"}]})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x",
                       "event_config":[{"event_type":"nope","fields":["a"]},"x",{"event_type":"rows.created"}]})"),
              400,
              Invalid(R"({"event_config":{
                  "0":{"event_type":[{"error":"\"nope\" is not a valid choice.","code":"invalid_choice"}],
                       "fields":{"0":[{"error":"A valid integer is required.","code":"invalid"}]}},
                  "1":{"non_field_errors":[{"error":"Invalid data. Expected a dictionary, but got str.","code":"invalid"}]}}})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x","request_method":"HEAD","include_all_events":"maybe",
                       "use_user_field_names":null})"),
              400,
              Invalid(R"({"request_method":[{"error":"\"HEAD\" is not a valid choice.","code":"invalid_choice"}],
                          "include_all_events":[{"error":"Must be a valid boolean.","code":"invalid"}],
                          "use_user_field_names":[{"error":"This field may not be null.","code":"null"}]})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x","headers":{"Test:":"x"}})"), 400,
              Invalid(R"({"headers":[{"error":"The provided header name Test: is invalid.",
                                      "code":"invalid_http_header_name"}]})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x","headers":{"X-Ok":"a\r\nb"}})"), 400,
              Invalid(R"({"headers":[{"error":"The provided header value a\r\nb is invalid.",
                                      "code":"invalid_http_header_value"}]})"));
  EXPECT_JSON(post(R"({"url":"http://127.0.0.1:9/","name":"x","headers":["a"]})"), 400,
              Invalid(R"({"headers":[{"error":"Expected a dictionary of items but got type \"list\".",
                                      "code":"not_a_dict"}]})"));
  EXPECT_JSON(post("[]"), 400,
              Invalid(R"({"non_field_errors":[{"error":"Invalid data. Expected a dictionary, but got list.",
                                               "code":"invalid"}]})"));
  // Nothing was created by the refused requests.
  EXPECT_JSON(c.Get(path, {w.jwt()}), 200, "[]");
}

TEST_F(WebhooksApiTest, EventConfigIdsMustBelongToTheTable) {
  auto c = client();
  World w = NewWorld(c);
  auto res = c.Request("POST", TablePath(w.customers),
                       R"({"url":"http://127.0.0.1:9/","name":"x","include_all_events":false,"events":["rows.updated"],
                           "event_config":[{"event_type":"rows.updated","fields":[)" +
                           S(w.project_field) + "]}]}",
                       {w.jwt()});
  EXPECT_JSON(res, 400,
              R"({"error":"ERROR_TABLE_WEBHOOK_EVENT_CONFIG_FIELD_NOT_IN_TABLE",
                  "detail":"The provided event config field with ID )" +
                  S(w.project_field) + R"( does not belong to the table."})");
  res = c.Request("POST", TablePath(w.customers),
                  R"({"url":"http://127.0.0.1:9/","name":"x","include_all_events":false,"events":["rows.updated"],
                      "event_config":[{"event_type":"rows.updated","views":[424242]}]})",
                  {w.jwt()});
  EXPECT_JSON(res, 400,
              R"({"error":"ERROR_TABLE_WEBHOOK_EVENT_CONFIG_VIEW_NOT_IN_TABLE",
                  "detail":"The provided event config view with ID 424242 does not belong to the table."})");
  // The refused create left nothing behind (one transaction).
  EXPECT_JSON(c.Get(TablePath(w.customers), {w.jwt()}), 200, "[]");
  // A trashed field no longer belongs to the table.
  int64_t notes = w.fields.at("Notes");
  ASSERT_EQ(c.Delete("/api/database/fields/" + S(notes) + "/", {w.jwt()}).status, 200);
  res = c.Request("POST", TablePath(w.customers),
                  R"({"url":"http://127.0.0.1:9/","name":"x","include_all_events":false,"events":["rows.updated"],
                      "event_config":[{"event_type":"rows.updated","fields":[)" +
                      S(notes) + "]}]}",
                  {w.jwt()});
  EXPECT_ERROR(res, 400, "ERROR_TABLE_WEBHOOK_EVENT_CONFIG_FIELD_NOT_IN_TABLE");
}

TEST_F(WebhooksApiTest, TwentyWebhooksPerTable) {
  auto c = client();
  World w = NewWorld(c);
  for (int i = 0; i < 20; ++i) Create(c, w, R"({"url":"http://127.0.0.1:9/","name":"n)" + S(i) + "\"}");
  auto res = c.Post(TablePath(w.customers), json::object{{"url", "http://127.0.0.1:9/"}, {"name", "21st"}}, {w.jwt()});
  EXPECT_JSON(res, 400,
              R"({"error":"ERROR_TABLE_WEBHOOK_MAX_LIMIT_EXCEEDED","detail":"The maximally allowed webhooks )"
              R"(per table has been exceeded. You can create a maximum of 20 webhooks."})");
  EXPECT_EQ(c.Get(TablePath(w.customers), {w.jwt()}).json().as_array().size(), 20u);
  // The limit is per table.
  Create(c, w, R"({"url":"http://127.0.0.1:9/","name":"other"})", w.projects);
}

// --- update ---------------------------------------------------------------------------

TEST_F(WebhooksApiTest, PatchFieldsAndEmptyBody) {
  auto c = client();
  World w = NewWorld(c);
  auto v = Create(c, w, R"({"url":"http://127.0.0.1:9/a","name":"Hook"})");
  int64_t id = Id(v);
  auto res = c.Patch(HookPath(id), json::object{}, {w.jwt()});
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(Normalized(res.json()), J(Hook(id, "http://127.0.0.1:9/a")));

  res = c.Request("PATCH", HookPath(id),
                  R"({"url":"http://127.0.0.1:9/b","name":"Renamed","request_method":"DELETE",
                      "use_user_field_names":false,"active":false,"include_all_events":false})",
                  {w.jwt()});
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(Normalized(res.json()),
            J(Hook(id, "http://127.0.0.1:9/b",
                   R"({"name":"Renamed","request_method":"DELETE","use_user_field_names":false,"active":false,
                       "include_all_events":false})")));
  EXPECT_EQ(Normalized(c.Get(HookPath(id), {w.jwt()}).json()), Normalized(res.json()));

  // Validation first, with the create rules (nothing required).
  EXPECT_JSON(c.Request("PATCH", HookPath(id), R"({"name":"","events":["x"],"active":"x","url":null})", {w.jwt()}),
              400,
              Invalid(R"({"url":[{"error":"This field may not be null.","code":"null"}],
                          "events":{"0":[{"error":"\"x\" is not a valid choice.","code":"invalid_choice"}]},
                          "name":[{"error":"This field may not be blank.","code":"blank"}],
                          "active":[{"error":"Must be a valid boolean.","code":"invalid"}]})"));
  EXPECT_JSON(c.Request("PATCH", HookPath(999999), R"({"name":""})", {w.jwt()}), 400,
              Invalid(R"({"name":[{"error":"This field may not be blank.","code":"blank"}]})"));
  EXPECT_JSON(c.Patch(HookPath(999999), json::object{{"name", "x"}}, {w.jwt()}), 404, kWebhookMissing);
}

TEST_F(WebhooksApiTest, PatchEventsEventConfigAndHeaders) {
  auto c = client();
  World w = NewWorld(c);
  const int64_t name = w.fields.at("Name"), notes = w.fields.at("Notes");
  auto v = Create(c, w,
                  R"({"url":"http://127.0.0.1:9/a","name":"Hook","include_all_events":false,
                      "events":["rows.created","rows.updated"],
                      "event_config":[{"event_type":"rows.updated","fields":[)" +
                      S(name) + R"(]}],"headers":{"A":"1","B":"2"}})");
  int64_t id = Id(v);
  auto patch = [&](const std::string& body) {
    auto res = c.Request("PATCH", HookPath(id), body, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return Normalized(res.json()).as_object();
  };

  // `events` becomes the stored set; kept types keep their selection.
  auto o = patch(R"({"events":["rows.updated","field.deleted"]})");
  EXPECT_EQ(o.at("events"), J(R"(["rows.updated","field.deleted"])"));
  EXPECT_EQ(o.at("event_config"), J(R"([{"event_type":"rows.updated","fields":[)" + S(name) +
                                      R"(]},{"event_type":"field.deleted"}])"));

  // event_config replaces the selection of listed events that exist; others are ignored.
  o = patch(R"({"event_config":[{"event_type":"rows.updated","fields":[)" + S(notes) +
            R"(]},{"event_type":"view.created","fields":[)" + S(name) + "]}]}");
  EXPECT_EQ(o.at("events"), J(R"(["rows.updated","field.deleted"])"));
  EXPECT_EQ(o.at("event_config"), J(R"([{"event_type":"rows.updated","fields":[)" + S(notes) +
                                      R"(]},{"event_type":"field.deleted"}])"));
  // An entry without fields clears the selection; ids of other tables are refused.
  o = patch(R"({"event_config":[{"event_type":"rows.updated"}]})");
  EXPECT_EQ(o.at("event_config"), J(R"([{"event_type":"rows.updated"},{"event_type":"field.deleted"}])"));
  auto res = c.Request("PATCH", HookPath(id),
                       R"({"event_config":[{"event_type":"rows.updated","fields":[)" + S(w.project_field) + "]}]}",
                       {w.jwt()});
  EXPECT_ERROR(res, 400, "ERROR_TABLE_WEBHOOK_EVENT_CONFIG_FIELD_NOT_IN_TABLE");

  // The given headers become the complete set.
  o = patch(R"({"headers":{"B":"3","C":"4"}})");
  EXPECT_EQ(o.at("headers"), J(R"({"B":"3","C":"4"})"));
  o = patch(R"({"headers":{}})");
  EXPECT_EQ(o.at("headers"), J("{}"));
  EXPECT_JSON(c.Request("PATCH", HookPath(id), R"({"headers":{"Bad Name":"x"}})", {w.jwt()}), 400,
              Invalid(R"({"headers":[{"error":"The provided header name Bad Name is invalid.",
                                      "code":"invalid_http_header_name"}]})"));

  // Switching to all events drops the stored events, even when events are sent along.
  o = patch(R"({"include_all_events":true,"events":["rows.created"],
                "event_config":[{"event_type":"rows.created","fields":[)" +
            S(name) + "]}]}");
  EXPECT_EQ(o.at("include_all_events"), true);
  EXPECT_EQ(o.at("events"), J("[]"));
  EXPECT_EQ(o.at("event_config"), J("[]"));
  // Already including all events: `events` is stored as given.
  o = patch(R"({"include_all_events":true,"events":["rows.created"]})");
  EXPECT_EQ(o.at("events"), J(R"(["rows.created"])"));
}

TEST_F(WebhooksApiTest, ActivatingResetsFailedTriggersAndCallsAreListedNewestFirst) {
  auto c = client();
  World w = NewWorld(c);
  int64_t id = Id(Create(c, w, R"({"url":"http://127.0.0.1:9/a","name":"Hook","events":["rows.created"],
                                  "headers":{"A":"1"}})"));
  std::string sql = "UPDATE webhooks SET active = 0, failed_triggers = 8 WHERE id = " + S(id) + ";\n";
  // 12 calls, one second apart; the newest has microseconds, one has no response.
  for (int i = 0; i < 12; ++i) {
    int64_t t = 1577880000000000LL + i * 1000000LL + (i == 11 ? 123456 : 0);
    char uuid[40];
    std::snprintf(uuid, sizeof uuid, "00000000-0000-4000-8000-%012d", i);
    sql += "INSERT INTO webhook_calls (webhook_id, event_id, event_type, called_time, called_url, request, response, "
           "response_status, error) VALUES (" +
           S(id) + ", '" + uuid + "', 'rows.created', " + S(t) + ", 'http://127.0.0.1:9/a', 'POST req " + S(i) +
           "', " + (i == 10 ? "''" : "'resp'") + ", " + (i == 10 ? "NULL" : "200") + ", " +
           (i == 10 ? "'ConnectionError'" : "''") + ");\n";
  }
  ASSERT_TRUE(RunSql(DbFile(), sql)) << "the sqlite3 shell could not seed the call log";

  auto got = c.Get(HookPath(id), {w.jwt()}).json().as_object();
  EXPECT_EQ(got.at("active"), false);
  EXPECT_EQ(got.at("failed_triggers"), 8);
  const auto& calls = got.at("calls").as_array();
  ASSERT_EQ(calls.size(), 10u);
  json::object newest = calls.at(0).as_object();
  newest.erase("id");
  EXPECT_EQ(json::value(newest), J(R"({"event_id":"00000000-0000-4000-8000-000000000011","event_type":"rows.created",
      "called_time":"2020-01-01T12:00:11.123456Z","called_url":"http://127.0.0.1:9/a","request":"POST req 11",
      "response":"resp","response_status":200,"error":""})"));
  json::object failed = calls.at(1).as_object();
  failed.erase("id");
  EXPECT_EQ(json::value(failed), J(R"({"event_id":"00000000-0000-4000-8000-000000000010","event_type":"rows.created",
      "called_time":"2020-01-01T12:00:10Z","called_url":"http://127.0.0.1:9/a","request":"POST req 10",
      "response":"","response_status":null,"error":"ConnectionError"})"));
  EXPECT_EQ(calls.at(9).as_object().at("request"), "POST req 2");

  // Another change keeps the counter; activation resets it.
  auto res = c.Patch(HookPath(id), json::object{{"name", "Still off"}}, {w.jwt()});
  EXPECT_EQ(res.json().as_object().at("failed_triggers"), 8) << res.body;
  res = c.Patch(HookPath(id), json::object{{"active", true}}, {w.jwt()});
  EXPECT_EQ(res.json().as_object().at("failed_triggers"), 0) << res.body;
  EXPECT_EQ(res.json().as_object().at("active"), true) << res.body;

  // Deleting removes the webhook with its calls, events and headers.
  EXPECT_EQ(c.Delete(HookPath(id), {w.jwt()}).status, 204);
  EXPECT_JSON(c.Get(HookPath(id), {w.jwt()}), 404, kWebhookMissing);
  for (const char* table : {"webhook_calls", "webhook_events", "webhook_headers"}) {
    EXPECT_EQ(RunSql(DbFile(), "SELECT COUNT(*) FROM " + std::string(table) + " WHERE webhook_id = " + S(id) + ";"),
              std::optional<std::string>("0\n"))
        << table << " rows survived the delete";
  }
}

// --- delete, permissions, missing -----------------------------------------------------

TEST_F(WebhooksApiTest, DeleteAndMissing) {
  auto c = client();
  World w = NewWorld(c);
  int64_t id = Id(Create(c, w, R"({"url":"http://127.0.0.1:9/a","name":"Hook","events":["rows.created"],
                                  "headers":{"A":"1"}})"));
  auto res = c.Delete(HookPath(id), {w.jwt()});
  EXPECT_EQ(res.status, 204);
  EXPECT_EQ(res.body, "");
  EXPECT_JSON(c.Get(HookPath(id), {w.jwt()}), 404, kWebhookMissing);
  EXPECT_JSON(c.Delete(HookPath(id), {w.jwt()}), 404, kWebhookMissing);
  EXPECT_JSON(c.Patch(HookPath(id), json::object{}, {w.jwt()}), 404, kWebhookMissing);
  EXPECT_JSON(c.Get(TablePath(w.customers), {w.jwt()}), 200, "[]");

  EXPECT_JSON(c.Get(TablePath(999999), {w.jwt()}), 404, kTableMissing);
  EXPECT_JSON(c.Post(TablePath(999999), json::object{{"url", "http://127.0.0.1:9/"}, {"name", "x"}}, {w.jwt()}), 404,
              kTableMissing);
  EXPECT_JSON(c.Post(TestCallPath(999999), json::object{{"url", "http://127.0.0.1:9/"}, {"event_type", "rows.created"}},
                     {w.jwt()}),
              404, kTableMissing);
  // Body validation comes before the table lookup.
  EXPECT_JSON(c.Post(TablePath(999999), json::object{{"name", "x"}}, {w.jwt()}), 400,
              Invalid(R"({"url":[{"error":"This field is required.","code":"required"}]})"));

  // A trashed table hides its webhooks.
  int64_t kept = Id(Create(c, w, R"({"url":"http://127.0.0.1:9/a","name":"Hook"})", w.projects));
  ASSERT_EQ(c.Delete("/api/database/tables/" + S(w.projects) + "/", {w.jwt()}).status, 204);
  EXPECT_JSON(c.Get(TablePath(w.projects), {w.jwt()}), 404, kTableMissing);
  EXPECT_JSON(c.Get(HookPath(kept), {w.jwt()}), 404, kWebhookMissing);
}

TEST_F(WebhooksApiTest, MembersOnlyAndJwtOnly) {
  auto c = client();
  World w = NewWorld(c);
  World other = NewWorld(c);
  int64_t id = Id(Create(c, w, R"({"url":"http://127.0.0.1:9/a","name":"Hook"})"));
  const std::vector<std::string> stranger = {other.jwt()};
  EXPECT_JSON(c.Get(TablePath(w.customers), stranger), 400, kNotInGroup);
  EXPECT_JSON(c.Post(TablePath(w.customers), json::object{{"url", "http://127.0.0.1:9/"}, {"name", "x"}}, stranger),
              400, kNotInGroup);
  EXPECT_JSON(c.Post(TestCallPath(w.customers),
                     json::object{{"url", "http://127.0.0.1:9/"}, {"event_type", "rows.created"}}, stranger),
              400, kNotInGroup);
  EXPECT_JSON(c.Get(HookPath(id), stranger), 400, kNotInGroup);
  EXPECT_JSON(c.Patch(HookPath(id), json::object{{"name", "x"}}, stranger), 400, kNotInGroup);
  EXPECT_JSON(c.Delete(HookPath(id), stranger), 400, kNotInGroup);

  // A plain MEMBER may manage webhooks (no admin role needed).
  auto inv = c.Post("/api/workspaces/invitations/workspace/" + S(w.ws) + "/",
                    json::object{{"email", other.a.email}, {"permissions", "MEMBER"}, {"base_url", "http://x.test/"}},
                    {w.jwt()});
  ASSERT_EQ(inv.status, 200) << inv.body;
  ASSERT_EQ(c.Post("/api/workspaces/invitations/" + S(Id(inv.json())) + "/accept/", json::object{}, stranger).status,
            200);
  EXPECT_EQ(c.Patch(HookPath(id), json::object{{"name", "By member"}}, stranger).status, 200);
  EXPECT_EQ(c.Get(TablePath(w.customers), stranger).status, 200);

  // Database tokens are refused; so is anonymous access.
  auto token = c.Post("/api/database/tokens/", json::object{{"name", "t"}, {"workspace", w.ws}}, {w.jwt()});
  ASSERT_EQ(token.status, 200) << token.body;
  const std::vector<std::string> tok = {"Authorization: Token " +
                                        std::string(token.json().as_object().at("key").as_string())};
  EXPECT_JSON(c.Get(TablePath(w.customers), tok), 401, kNoCredentials);
  EXPECT_JSON(c.Post(TablePath(w.customers), json::object{{"url", "http://127.0.0.1:9/"}, {"name", "x"}}, tok), 401,
              kNoCredentials);
  EXPECT_JSON(c.Get(HookPath(id), tok), 401, kNoCredentials);
  EXPECT_JSON(c.Delete(HookPath(id), tok), 401, kNoCredentials);
  EXPECT_JSON(c.Get(HookPath(id)), 401, kNoCredentials);
  EXPECT_EQ(c.Get(HookPath(id), {w.jwt()}).status, 200);
}

// --- test call ------------------------------------------------------------------------

/// The call-log text of a sent request (§6.4): request line, the headers as sent (custom,
/// then the three standard ones, then the computed Content-Length), a blank line, and the
/// body re-printed with 4-space indentation (`pretty`).
std::string RequestText(const std::string& method, const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& headers, size_t body_size,
                        const std::string& pretty) {
  std::string out = method + " " + url + "\r\n";
  for (const auto& h : headers) out += h.first + ": " + h.second + "\r\n";
  return out + "Content-Length: " + S(static_cast<int64_t>(body_size)) + "\r\n\r\n" + pretty;
}

class TestCallTest : public WebhooksApiTest {
 protected:
  /// Posts a test call and returns the response object.
  static json::object Call(HttpClient& c, const World& w, json::object body, int64_t table = 0) {
    auto res = c.Post(TestCallPath(table ? table : w.customers), body, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object();
  }
  static std::string Common(const World& w, const std::string& event_id, const std::string& type) {
    return R"("table_id": )" + S(w.customers) + R"(, "database_id": )" + S(w.db) + R"(, "workspace_id": )" +
           S(w.ws) + R"(, "webhook_id": null, "event_id": ")" + event_id + R"(", "event_type": ")" + type + "\"";
  }
};

TEST_F(TestCallTest, RowsCreatedReachesTheReceiver) {
  auto c = client();
  World w = NewWorld(c);
  HttpReceiver receiver;
  auto out = Call(c, w,
                  json::object{{"url", receiver.url()},
                               {"event_type", "rows.created"},
                               {"headers", json::object{{"X-Secret", "abc"}}}});
  ASSERT_TRUE(receiver.WaitFor(1));
  auto req = receiver.requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/hook");
  EXPECT_EQ(req.header("x-secret"), "abc");
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("x-baserow-event"), "rows.created");
  std::string event_id = req.header("x-baserow-delivery");
  EXPECT_TRUE(IsUuid4(event_id)) << event_id;
  EXPECT_EQ(req.json(), J("{" + Common(w, event_id, "rows.created") +
                          R"(,"items":[{"id":0,"order":"0.00000000000000000000","Name":null,"Last name":null,
                               "Notes":null,"Active":false}]})"));
  EXPECT_EQ(req.body, "{" + Common(w, event_id, "rows.created") +
                          R"(, "items": [{"id": 0, "order": "0.00000000000000000000", "Name": null, )"
                          R"("Last name": null, "Notes": null, "Active": false}]})")
      << "the body is Python's json.dumps text";

  EXPECT_EQ(out.at("status_code"), 200);
  EXPECT_EQ(out.at("is_unreachable"), false);
  EXPECT_EQ(out.at("response"), "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
  const std::string pretty = "{\n    \"table_id\": " + S(w.customers) + ",\n    \"database_id\": " + S(w.db) +
                             ",\n    \"workspace_id\": " + S(w.ws) +
                             ",\n    \"webhook_id\": null,\n    \"event_id\": \"" + event_id +
                             "\",\n    \"event_type\": \"rows.created\",\n    \"items\": [\n        {\n"
                             "            \"id\": 0,\n            \"order\": \"0.00000000000000000000\",\n"
                             "            \"Name\": null,\n            \"Last name\": null,\n"
                             "            \"Notes\": null,\n            \"Active\": false\n        }\n    ]\n}";
  EXPECT_EQ(out.at("request"), json::value(RequestText("POST", receiver.url(),
                                                       {{"X-Secret", "abc"},
                                                        {"Content-type", "application/json"},
                                                        {"X-Baserow-Event", "rows.created"},
                                                        {"X-Baserow-Delivery", event_id}},
                                                       req.body.size(), pretty)));
  EXPECT_EQ(out.size(), 4u);
}

TEST_F(TestCallTest, PayloadOfEveryEventType) {
  auto c = client();
  World w = NewWorld(c);
  HttpReceiver receiver;
  const std::string f = "field_";
  const std::string row_by_id = R"({"id":0,"order":"0.00000000000000000000",")" + f + S(w.fields.at("Name")) +
                                R"(":null,")" + f + S(w.fields.at("Last name")) + R"(":null,")" + f +
                                S(w.fields.at("Notes")) + R"(":null,")" + f + S(w.fields.at("Active")) +
                                R"(":false})";
  const std::string fake_field =
      R"({"id":0,"table_id":0,"name":"Field","order":1,"type":"text","primary":false,"read_only":false,
          "immutable_type":false,"immutable_properties":false,"description":null,"database_id":null,
          "workspace_id":null,"db_index":false,"field_constraints":[],"text_default":""})";
  struct Case {
    const char* type;
    const char* method;
    bool names;
    std::string extra;  // the payload keys after the common ones
  };
  const Case cases[] = {
      {"rows.updated", "PATCH", false, R"("items":[)" + row_by_id + R"(],"old_items":[)" + row_by_id + "]"},
      {"rows.deleted", "DELETE", true, R"("row_ids":[0])"},
      {"field.created", "PUT", true, R"("field":)" + fake_field},
      {"field.updated", "POST", true, R"("field":)" + fake_field},
      {"field.deleted", "GET", true, R"("field_id":1)"},
      {"view.deleted", "POST", true, R"("view_id":1)"},
  };
  size_t n = 0;
  for (const auto& k : cases) {
    SCOPED_TRACE(k.type);
    auto out = Call(c, w,
                    json::object{{"url", receiver.url("/x")},
                                 {"event_type", k.type},
                                 {"request_method", k.method},
                                 {"use_user_field_names", k.names}});
    ASSERT_TRUE(receiver.WaitFor(++n));
    auto req = receiver.requests().back();
    EXPECT_EQ(req.method, k.method);
    EXPECT_EQ(req.target, "/x");
    EXPECT_EQ(req.header("x-baserow-event"), k.type);
    std::string event_id = req.header("x-baserow-delivery");
    EXPECT_EQ(req.json(), J("{" + Common(w, event_id, k.type) + "," + k.extra + "}"));
    EXPECT_EQ(out.at("status_code"), 200);
    EXPECT_EQ(out.at("is_unreachable"), false);
  }

  // View events carry Baserow's fake grid view (with a fresh slug).
  for (const char* type : {"view.created", "view.updated"}) {
    SCOPED_TRACE(type);
    Call(c, w, json::object{{"url", receiver.url()}, {"event_type", type}});
    ASSERT_TRUE(receiver.WaitFor(++n));
    auto body = receiver.requests().back().json().as_object();
    auto view = body.at("view").as_object();
    ASSERT_TRUE(view.at("slug").is_string());
    EXPECT_EQ(view.at("slug").as_string().size(), 43u);
    view["slug"] = "<slug>";
    EXPECT_EQ(json::value(view), J(R"({"id":0,"table_id":0,"name":"View","order":1,"type":"grid","table":null,
        "filter_type":"AND","filters_disabled":false,"public_view_has_password":false,"show_logo":true,
        "allow_public_export":false,"ownership_type":"collaborative","owned_by_id":null,
        "row_identifier_type":"id","row_height_size":"small","public":false,"slug":"<slug>"})"));
  }
}

TEST_F(TestCallTest, FieldDefaultsAndCustomHeadersOverridden) {
  auto c = client();
  World w = NewWorld(c);
  auto table = c.Post("/api/database/tables/database/" + S(w.db) + "/", json::object{{"name", "Defaults"}}, {w.jwt()});
  ASSERT_EQ(table.status, 200) << table.body;
  int64_t t = Id(table.json());
  auto add = [&](const std::string& body) {
    auto res = c.Request("POST", "/api/database/fields/table/" + S(t) + "/", body, {w.jwt()});
    EXPECT_EQ(res.status, 200) << res.body;
  };
  add(R"({"name":"Greeting","type":"text","text_default":"hi"})");
  add(R"({"name":"Count","type":"number"})");
  add(R"({"name":"Tags","type":"multiple_select"})");
  HttpReceiver receiver;
  Call(c, w,
       json::object{{"url", receiver.url()},
                    {"event_type", "rows.created"},
                    {"headers", json::object{{"x-baserow-event", "mine"}, {"X-Keep", "1"}}}},
       t);
  ASSERT_TRUE(receiver.WaitFor(1));
  auto req = receiver.requests().at(0);
  EXPECT_EQ(req.header("x-baserow-event"), "rows.created");
  EXPECT_EQ(req.header("x-keep"), "1");
  auto item = req.json().as_object().at("items").as_array().at(0).as_object();
  EXPECT_EQ(item.at("Greeting"), "hi");
  EXPECT_EQ(item.at("Count"), nullptr);
  EXPECT_EQ(item.at("Tags"), J("[]"));
  EXPECT_EQ(item.at("id"), 0);
}

TEST_F(TestCallTest, ErrorStatusUnreachableAndValidation) {
  auto c = client();
  World w = NewWorld(c);
  HttpReceiver receiver;
  receiver.Enqueue(CannedResponse{500, "oops", "text/plain", 0, {}});
  auto out = Call(c, w, json::object{{"url", receiver.url()}, {"event_type", "rows.deleted"}});
  EXPECT_EQ(out.at("status_code"), 500);
  EXPECT_EQ(out.at("is_unreachable"), false);
  EXPECT_EQ(out.at("response"), "Content-Type: text/plain\r\nContent-Length: 4\r\n\r\noops");

  // A closed port: the request text, no response, unreachable.
  const std::string url = "http://127.0.0.1:" + S(FreePort()) + "/hook";
  out = Call(c, w, json::object{{"url", url}, {"event_type", "rows.deleted"}});
  std::string request(out.at("request").as_string());
  const std::string marker = "X-Baserow-Delivery: ";
  size_t at = request.find(marker);
  ASSERT_NE(at, std::string::npos) << request;
  std::string event_id = request.substr(at + marker.size(), 36);
  std::string body = R"({"table_id": )" + S(w.customers) + R"(, "database_id": )" + S(w.db) +
                     R"(, "workspace_id": )" + S(w.ws) + R"(, "webhook_id": null, "event_id": ")" + event_id +
                     R"(", "event_type": "rows.deleted", "row_ids": [0]})";
  const std::string pretty = "{\n    \"table_id\": " + S(w.customers) + ",\n    \"database_id\": " + S(w.db) +
                             ",\n    \"workspace_id\": " + S(w.ws) +
                             ",\n    \"webhook_id\": null,\n    \"event_id\": \"" + event_id +
                             "\",\n    \"event_type\": \"rows.deleted\",\n    \"row_ids\": [\n        0\n    ]\n}";
  // The body is Python's json.dumps text (", " and ": "): its size is what was sent.
  size_t compact_size = body.size();
  EXPECT_EQ(json::value(out), J(json::serialize(json::object{
                                  {"request", RequestText("POST", url,
                                                          {{"Content-type", "application/json"},
                                                           {"X-Baserow-Event", "rows.deleted"},
                                                           {"X-Baserow-Delivery", event_id}},
                                                          compact_size, pretty)},
                                  {"response", ""},
                                  {"status_code", nullptr},
                                  {"is_unreachable", true}})));

  auto path = TestCallPath(w.customers);
  EXPECT_JSON(c.Post(path, json::object{}, {w.jwt()}), 400,
              Invalid(R"({"url":[{"error":"This field is required.","code":"required"}],
                          "event_type":[{"error":"This field is required.","code":"required"}]})"));
  EXPECT_JSON(c.Post(path,
                     json::object{{"url", url},
                                  {"event_type", "rows.moved"},
                                  {"request_method", "TRACE"},
                                  {"headers", json::object{{"X", "a\nb"}}}},
                     {w.jwt()}),
              400,
              Invalid(R"({"event_type":[{"error":"\"rows.moved\" is not a valid choice.","code":"invalid_choice"}],
                          "request_method":[{"error":"\"TRACE\" is not a valid choice.","code":"invalid_choice"}],
                          "headers":[{"error":"The provided header value a\nb is invalid.",
                                      "code":"invalid_http_header_value"}]})"));
  EXPECT_EQ(receiver.count(), 1u);
}

// --- without --webhooks-allow-private-address -------------------------------------------

class WebhooksPublicOnlyTest : public ApiTest {};

TEST_F(WebhooksPublicOnlyTest, PrivateAndInvalidUrlsAreRefused) {
  auto c = client();
  auto a = SignUp(c, "Public", UniqueEmail("hookpub"));
  auto app = c.Get("/api/applications/", {a.auth()}).json().as_array().at(0);
  int64_t table = Id(app.as_object().at("tables").as_array().at(0));
  HttpReceiver receiver;
  const std::string path = "/api/database/webhooks/table/" + S(table) + "/";
  const std::string invalid_url = Invalid(R"({"url":[{"error":"Invalid URL","code":"invalid_url"}]})");
  const std::string not_a_url = Invalid(R"({"url":[{"error":"Enter a valid URL.","code":"invalid_url"}]})");

  EXPECT_JSON(c.Post(path, json::object{{"url", receiver.url()}, {"name", "x"}}, {a.auth()}), 400, invalid_url);
  EXPECT_JSON(c.Post(path, json::object{{"url", "http://localhost:" + S(receiver.port()) + "/"}, {"name", "x"}},
                     {a.auth()}),
              400, invalid_url);
  EXPECT_JSON(c.Post(path, json::object{{"url", "not a url"}, {"name", "x"}}, {a.auth()}), 400, not_a_url);
  EXPECT_JSON(c.Post(path + "test-call/", json::object{{"url", receiver.url()}, {"event_type", "rows.created"}},
                     {a.auth()}),
              400, invalid_url);
  EXPECT_JSON(c.Get(path, {a.auth()}), 200, "[]");
  EXPECT_EQ(receiver.count(), 0u);
}

}  // namespace
}  // namespace gbtest
