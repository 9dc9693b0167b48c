// Events (realtime.md, webhooks.md §4–§6): the outbox feeds the websocket broadcaster, the
// webhook dispatcher and the replay endpoint. Real server, real sockets, 127.0.0.1 only.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "support/api_fixture.hpp"
#include "support/http_receiver.hpp"
#include "support/ws_client.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

std::string S(int64_t n) { return std::to_string(n); }
int64_t Id(const json::value& v) { return v.as_object().at("id").as_int64(); }

class EventsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--secret-key", kTestSecret, "--webhooks-allow-private-address=true", "--webhooks-retry-delay-ms", "20"});
    server_->Start();
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->Stop(), 0) << server_->log();
      server_.reset();
    }
  }

  struct World {
    Account owner;
    int64_t workspace = 0;
    int64_t database = 0;
    int64_t table = 0;
    std::vector<int64_t> fields;  // Name, Notes, Active
  };

  /// An account with a fresh table "Events" in its first database.
  static World MakeWorld(HttpClient& c, const std::string& name) {
    World w;
    w.owner = SignUp(c, name, UniqueEmail("ev"));
    auto apps = c.Get("/api/applications/", {w.owner.auth()}).json().as_array();
    w.database = Id(apps.at(0));
    w.workspace = apps.at(0).at("workspace").at("id").as_int64();
    auto t = c.Post("/api/database/tables/database/" + S(w.database) + "/", json::object{{"name", "Events"}},
                    {w.owner.auth()});
    EXPECT_EQ(t.status, 200) << t.body;
    w.table = Id(t.json());
    auto fields = c.Get("/api/database/fields/table/" + S(w.table) + "/", {w.owner.auth()}).json();
    for (const auto& f : fields.as_array()) w.fields.push_back(Id(f));
    return w;
  }

  static void Join(HttpClient& c, const World& w, const Account& who) {
    auto inv = c.Post("/api/workspaces/invitations/workspace/" + S(w.workspace) + "/",
                      json::object{{"email", who.email}, {"permissions", "MEMBER"}, {"base_url", "http://localhost/"}},
                      {w.owner.auth()});
    ASSERT_EQ(inv.status, 200) << inv.body;
    auto acc = c.Post("/api/workspaces/invitations/" + S(Id(inv.json())) + "/accept/", json::object{}, {who.auth()});
    ASSERT_EQ(acc.status, 200) << acc.body;
  }

  /// Opens a socket and returns its web_socket_id (empty when refused).
  static std::string Open(WsClient& ws) {
    auto auth = ws.ReceiveJson();
    if (!auth || !auth->at("success").as_bool()) return "";
    return std::string(auth->at("web_socket_id").as_string());
  }

  static void Subscribe(WsClient& ws, int64_t table) {
    ws.Send(json::object{{"page", "table"}, {"table_id", table}});
    auto ack = ws.ReceiveJson();
    ASSERT_TRUE(ack);
    EXPECT_EQ(*ack, J(R"({"type":"page_add","page":"table","parameters":{"table_id":)" + S(table) + "}}"));
  }

  static std::unique_ptr<WsClient> Connect(const std::string& query) {
    return std::make_unique<WsClient>(server_->port(), "/ws/core/?" + query);
  }

  static inline std::unique_ptr<ServerProcess> server_;
};

TEST_F(EventsTest, AuthenticationMessage) {
  WsClient none(server_->port(), "/ws/core/");
  EXPECT_EQ(*none.ReceiveJson(), J(R"({"type":"authentication","success":false,"web_socket_id":null})"));
  EXPECT_FALSE(none.Receive(2000));
  EXPECT_TRUE(none.closed());

  WsClient bad(server_->port(), "/ws/core/?jwt_token=nonsense");
  auto msg = bad.ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_FALSE(msg->at("success").as_bool());
  EXPECT_EQ(msg->at("web_socket_id").as_string().size(), 36u);

  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Auth");
  WsClient good(server_->port(), "/ws/core/?jwt_token=" + w.owner.access);
  EXPECT_EQ(Open(good).size(), 36u);
  // Anonymous connections are accepted (for public views) but follow no table.
  WsClient anon(server_->port(), "/ws/core/?jwt_token=anonymous");
  EXPECT_EQ(Open(anon).size(), 36u);
  anon.Send(json::object{{"page", "table"}, {"table_id", w.table}});
  EXPECT_TRUE(anon.Silent(300));
  // Unknown messages and refused subscriptions get no reply at all.
  good.Send("not json");
  good.Send(json::object{{"page", "nonsense"}});
  good.Send(json::object{{"page", "table"}, {"table_id", 999999}});
  good.Send(json::object{{"page", "table"}});
  EXPECT_TRUE(good.Silent(400));
  // A subscription sent in the same instant as the socket opens is accepted.
  WsClient eager(server_->port(), "/ws/core/?jwt_token=" + w.owner.access);
  eager.Send(json::object{{"page", "table"}, {"table_id", w.table}});
  EXPECT_EQ(Open(eager).size(), 36u);
  EXPECT_EQ(*eager.ReceiveJson(),
            J(R"({"type":"page_add","page":"table","parameters":{"table_id":)" + S(w.table) + "}}"));
  eager.Send(json::object{{"remove_page", "table"}, {"table_id", w.table}});
  EXPECT_EQ(*eager.ReceiveJson(),
            J(R"({"type":"page_discard","page":"table","parameters":{"table_id":)" + S(w.table) + "}}"));
}

TEST_F(EventsTest, RowAndFieldMessagesReachSubscribersButNotTheSender) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Writer");
  auto member = SignUp(c, "Member", UniqueEmail("ev-member"));
  auto outsider = SignUp(c, "Outsider", UniqueEmail("ev-out"));
  Join(c, w, member);
  auto token = c.Post("/api/database/tokens/", json::object{{"name", "reader"}, {"workspace", w.workspace}},
                      {w.owner.auth()});
  ASSERT_EQ(token.status, 200) << token.body;
  int64_t token_id = Id(token.json());
  std::string key(token.json().at("key").as_string());
  auto perms = c.Patch("/api/database/tokens/" + S(token_id) + "/",
                       J(R"({"permissions":{"create":false,"read":[["table",)" + S(w.table) +
                         R"(]],"update":false,"delete":false}})"),
                       {w.owner.auth()});
  ASSERT_EQ(perms.status, 200) << perms.body;

  auto writer = Connect("jwt_token=" + w.owner.access);
  auto other_tab = Connect("jwt_token=" + w.owner.access);
  auto peer = Connect("jwt_token=" + member.access);
  auto reader = Connect("token=" + key);
  auto stranger = Connect("jwt_token=" + outsider.access);
  std::string writer_id = Open(*writer);
  ASSERT_FALSE(writer_id.empty());
  ASSERT_FALSE(Open(*other_tab).empty());
  ASSERT_FALSE(Open(*peer).empty());
  ASSERT_FALSE(Open(*reader).empty());
  ASSERT_FALSE(Open(*stranger).empty());
  for (auto* ws : {writer.get(), other_tab.get(), peer.get(), reader.get()}) Subscribe(*ws, w.table);
  stranger->Send(json::object{{"page", "table"}, {"table_id", w.table}});
  EXPECT_TRUE(stranger->Silent(300));

  std::vector<std::string> auth = {w.owner.auth(), "WebSocketId: " + writer_id};
  auto created = c.Post("/api/database/rows/table/" + S(w.table) + "/?user_field_names=true",
                        json::object{{"Name", "Ada"}}, auth);
  ASSERT_EQ(created.status, 200) << created.body;
  int64_t row = Id(created.json());
  std::string row_json = c.Get("/api/database/rows/table/" + S(w.table) + "/" + S(row) + "/", {w.owner.auth()}).body;
  auto expected_created = J(R"({"type":"rows_created","table_id":)" + S(w.table) + R"(,"rows":[)" + row_json +
                            R"(],"metadata":{},"before_row_id":null})");
  for (auto* ws : {other_tab.get(), peer.get(), reader.get()}) {
    auto msg = ws->ReceiveJson();
    ASSERT_TRUE(msg);
    EXPECT_EQ(*msg, expected_created);
  }
  EXPECT_TRUE(writer->Silent(300));
  EXPECT_TRUE(stranger->Silent(50));

  auto updated = c.Patch("/api/database/rows/table/" + S(w.table) + "/" + S(row) + "/",
                         json::object{{"field_" + S(w.fields[0]), "Grace"}}, auth);
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto expected_updated = J(R"({"type":"rows_updated","table_id":)" + S(w.table) + R"(,"rows_before_update":[)" +
                            row_json + R"(],"rows":[)" + updated.body + R"(],"metadata":{},"updated_field_ids":[)" +
                            S(w.fields[0]) + "]}");
  EXPECT_EQ(*peer->ReceiveJson(), expected_updated);
  EXPECT_EQ(*other_tab->ReceiveJson(), expected_updated);
  EXPECT_EQ(*reader->ReceiveJson(), expected_updated);

  // Without the header, the writer's own connection gets it too.
  auto field = c.Post("/api/database/fields/table/" + S(w.table) + "/", json::object{{"name", "Score"}, {"type", "number"}},
                      {w.owner.auth()});
  ASSERT_EQ(field.status, 200) << field.body;
  auto field_msg = writer->ReceiveJson();
  ASSERT_TRUE(field_msg);
  json::object field_obj = field.json().as_object();
  field_obj.erase("related_fields");
  EXPECT_EQ(*field_msg, (json::value(json::object{{"type", "field_created"}, {"field", field_obj}, {"related_fields", json::array{}}})));
  for (auto* ws : {other_tab.get(), peer.get(), reader.get()}) EXPECT_TRUE(ws->ReceiveType("field_created"));

  // The member is removed: it is told, loses the table page at once and hears nothing more.
  auto members = c.Get("/api/workspaces/users/workspace/" + S(w.workspace) + "/", {w.owner.auth()}).json().as_array();
  int64_t membership = 0;
  for (const auto& m : members)
    if (m.at("user_id").as_int64() == member.id) membership = Id(m);
  ASSERT_EQ(c.Request("DELETE", "/api/workspaces/users/" + S(membership) + "/", "", {w.owner.auth()}).status, 204);
  auto removed = peer->ReceiveJson();
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->at("type").as_string(), "group_user_deleted");
  EXPECT_EQ(removed->at("workspace_user").at("user_id").as_int64(), member.id);
  EXPECT_EQ(*peer->ReceiveJson(),
            J(R"({"type":"page_discard","page":"table","parameters":{"table_id":)" + S(w.table) + "}}"));
  EXPECT_TRUE(other_tab->ReceiveType("group_user_deleted"));
  EXPECT_TRUE(writer->ReceiveType("group_user_deleted"));  // that request named no connection

  std::string last_row =
      c.Get("/api/database/rows/table/" + S(w.table) + "/" + S(row) + "/", {w.owner.auth()}).body;
  auto deleted = c.Request("DELETE", "/api/database/rows/table/" + S(w.table) + "/" + S(row) + "/", "", auth);
  ASSERT_EQ(deleted.status, 204);
  auto expected_deleted = J(R"({"type":"rows_deleted","table_id":)" + S(w.table) + R"(,"row_ids":[)" + S(row) +
                            R"(],"rows":[)" + last_row + "]}");
  EXPECT_EQ(*other_tab->ReceiveJson(), expected_deleted);
  EXPECT_EQ(*reader->ReceiveJson(), expected_deleted);
  EXPECT_TRUE(peer->Silent(300));
  EXPECT_TRUE(writer->Silent(50));

  // The token loses its grant: its connection is closed, and it cannot subscribe again.
  ASSERT_EQ(c.Patch("/api/database/tokens/" + S(token_id) + "/",
                    J(R"({"permissions":{"create":false,"read":false,"update":false,"delete":false}})"),
                    {w.owner.auth()})
                .status,
            200);
  EXPECT_FALSE(reader->Receive(2000));
  EXPECT_TRUE(reader->closed());
  auto again = Connect("token=" + key);
  ASSERT_FALSE(Open(*again).empty());
  again->Send(json::object{{"page", "table"}, {"table_id", w.table}});
  EXPECT_TRUE(again->Silent(300));

  // A password change disconnects the user's other connections.
  auto changed = c.Post("/api/user/change-password/",
                        json::object{{"old_password", "password123"}, {"new_password", "password456"}}, auth);
  ASSERT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(*other_tab->ReceiveJson(), J(R"({"type":"force_disconnect"})"));
  EXPECT_FALSE(other_tab->Receive(2000));
  EXPECT_TRUE(other_tab->closed());
  EXPECT_TRUE(writer->Silent(300));
}

TEST_F(EventsTest, TableAndWorkspaceMessagesGoToMembers) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Tables");
  auto ws = Connect("jwt_token=" + w.owner.access);
  ASSERT_FALSE(Open(*ws).empty());
  auto renamed = c.Patch("/api/database/tables/" + S(w.table) + "/", json::object{{"name", "Renamed"}}, {w.owner.auth()});
  ASSERT_EQ(renamed.status, 200);
  EXPECT_EQ(*ws->ReceiveType("table_updated"), (json::value(json::object{{"type", "table_updated"},
                                                         {"table_id", w.table},
                                                         {"table", renamed.json()},
                                                         {"force_table_refresh", false}})));
  ASSERT_EQ(c.Request("DELETE", "/api/database/tables/" + S(w.table) + "/", "", {w.owner.auth()}).status, 204);
  EXPECT_EQ(*ws->ReceiveJson(), J(R"({"type":"table_deleted","database_id":)" + S(w.database) + R"(,"table_id":)" +
                                  S(w.table) + "}"));
  auto ren = c.Patch("/api/workspaces/" + S(w.workspace) + "/", json::object{{"name", "New name"}}, {w.owner.auth()});
  ASSERT_EQ(ren.status, 200);
  EXPECT_EQ(*ws->ReceiveJson(), J(R"({"type":"group_updated","workspace_id":)" + S(w.workspace) +
                                  R"(,"workspace":{"id":)" + S(w.workspace) +
                                  R"(,"name":"New name","generative_ai_models_enabled":{}}})"));
}

TEST_F(EventsTest, InvitationMessagesGoToTheInvitee) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Inviter");
  auto invitee = SignUp(c, "Invitee", UniqueEmail("ev-inv"));
  auto ws = Connect("jwt_token=" + invitee.access);
  std::string id = Open(*ws);
  ASSERT_FALSE(id.empty());
  auto inv = c.Post("/api/workspaces/invitations/workspace/" + S(w.workspace) + "/",
                    json::object{{"email", invitee.email}, {"permissions", "MEMBER"}, {"base_url", "http://localhost/"}},
                    {w.owner.auth()});
  ASSERT_EQ(inv.status, 200) << inv.body;
  auto created = ws->ReceiveJson();
  ASSERT_TRUE(created);
  EXPECT_EQ(created->at("type").as_string(), "workspace_invitation_updated_or_created");
  EXPECT_EQ(created->at("invitation").at("id").as_int64(), Id(inv.json()));
  EXPECT_TRUE(created->at("invitation").at("email_exists").is_null());
  // Accepting: the invitee hears of it even through its own connection, and the members
  // (the invitee included) get group_user_added.
  auto acc = c.Post("/api/workspaces/invitations/" + S(Id(inv.json())) + "/accept/", json::object{},
                    {invitee.auth(), "WebSocketId: " + id});
  ASSERT_EQ(acc.status, 200) << acc.body;
  EXPECT_EQ(ws->ReceiveJson()->at("type").as_string(), "workspace_invitation_accepted");
  EXPECT_TRUE(ws->Silent(300));  // group_user_added is not echoed to the accepting connection
}

TEST_F(EventsTest, ReplayListsATablesEventsAfterACursor) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Replay");
  std::string base = "/api/database/events/table/" + S(w.table) + "/";
  auto start = c.Get(base, {w.owner.auth()});
  ASSERT_EQ(start.status, 200) << start.body;
  auto first = start.json().at("events").as_array();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].at("type").as_string(), "table_created");
  EXPECT_EQ(first[0].at("message").at("table").at("id").as_int64(), w.table);
  int64_t cursor = start.json().at("last_event_id").as_int64();
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_EQ(c.Post("/api/database/rows/table/" + S(w.table) + "/?user_field_names=true", json::object{{"Name", name}},
                     {w.owner.auth()})
                  .status,
              200);
  }
  auto page = c.Get(base + "?after=" + S(cursor) + "&limit=2", {w.owner.auth()});
  ASSERT_EQ(page.status, 200) << page.body;
  auto events = page.json().at("events").as_array();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(page.json().at("has_more").as_bool());
  EXPECT_EQ(events[0].at("type").as_string(), "rows_created");
  EXPECT_EQ(events[0].at("message").at("rows").at(0).at("field_" + S(w.fields[0])).as_string(), "a");
  EXPECT_EQ(events[0].at("event_id").as_string().size(), 36u);
  EXPECT_GT(events[1].at("id").as_int64(), events[0].at("id").as_int64());
  auto rest = c.Get(base + "?after=" + S(page.json().at("last_event_id").as_int64()), {w.owner.auth()});
  ASSERT_EQ(rest.json().at("events").as_array().size(), 1u);
  EXPECT_FALSE(rest.json().at("has_more").as_bool());
  EXPECT_EQ(rest.json().at("events").at(0).at("message").at("rows").at(0).at("field_" + S(w.fields[0])).as_string(), "c");

  EXPECT_ERROR(c.Get(base + "?after=x", {w.owner.auth()}), 400, "ERROR_QUERY_PARAMETER_VALIDATION");
  EXPECT_ERROR(c.Get(base + "?limit=0", {w.owner.auth()}), 400, "ERROR_QUERY_PARAMETER_VALIDATION");
  auto other = SignUp(c, "Other", UniqueEmail("ev-other"));
  EXPECT_ERROR(c.Get(base, {other.auth()}), 400, "ERROR_USER_NOT_IN_GROUP");
  EXPECT_ERROR(c.Get("/api/database/events/table/99999999/", {w.owner.auth()}), 404, "ERROR_TABLE_DOES_NOT_EXIST");
  EXPECT_EQ(c.Get(base).status, 401);

  // Once pruning has passed the cursor, the client must reload.
  ASSERT_TRUE(RunSql(server_->db_file(), "INSERT INTO event_consumers (name, position) VALUES ('_pruned', " +
                                             S(cursor + 1) + ") ON CONFLICT (name) DO UPDATE SET position = " +
                                             S(cursor + 1) + ";"));
  auto expired = c.Get(base + "?after=" + S(cursor), {w.owner.auth()});
  EXPECT_ERROR(expired, 400, "ERROR_EVENTS_EXPIRED");
  EXPECT_EQ(c.Get(base + "?after=" + S(cursor + 1), {w.owner.auth()}).status, 200);
  ASSERT_TRUE(RunSql(server_->db_file(), "DELETE FROM event_consumers WHERE name = '_pruned';"));
}

TEST_F(EventsTest, WebhooksReceiveRowEventsWithBaserowPayloads) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Hooks");
  HttpReceiver receiver;
  auto hook = c.Post("/api/database/webhooks/table/" + S(w.table) + "/",
                     json::object{{"url", receiver.url()},
                                  {"name", "all"},
                                  {"headers", json::object{{"X-Secret", "s3"}}}},
                     {w.owner.auth()});
  ASSERT_EQ(hook.status, 200) << hook.body;
  int64_t hook_id = Id(hook.json());

  auto created = c.Post("/api/database/rows/table/" + S(w.table) + "/?user_field_names=true",
                        json::object{{"Name", "Ada"}}, {w.owner.auth()});
  ASSERT_EQ(created.status, 200);
  ASSERT_TRUE(receiver.WaitFor(1));
  auto req = receiver.requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/hook");
  EXPECT_EQ(req.header("x-baserow-event"), "rows.created");
  EXPECT_EQ(req.header("x-secret"), "s3");
  EXPECT_EQ(req.header("content-type"), "application/json");
  auto body = req.json().as_object();
  std::string event_id(body.at("event_id").as_string());
  // Byte for byte as Baserow's Python sends it (json.dumps: ", " and ": ").
  EXPECT_EQ(req.body, "{\"table_id\": " + S(w.table) + ", \"database_id\": " + S(w.database) +
                          ", \"workspace_id\": " + S(w.workspace) + ", \"webhook_id\": " + S(hook_id) +
                          ", \"event_id\": \"" + event_id + "\", \"event_type\": \"rows.created\", \"items\": [{\"id\": " +
                          S(Id(created.json())) + ", \"order\": \"" +
                          std::string(created.json().at("order").as_string()) +
                          "\", \"Name\": \"Ada\", \"Notes\": null, \"Active\": false}]}");
  EXPECT_EQ(req.header("x-baserow-delivery"), event_id);
  EXPECT_EQ(json::value(body), (json::value(json::object{{"table_id", w.table},
                                                         {"database_id", w.database},
                                                         {"workspace_id", w.workspace},
                                                         {"webhook_id", hook_id},
                                                         {"event_id", event_id},
                                                         {"event_type", "rows.created"},
                                                         {"items", json::array{created.json()}}})));

  // rows.updated carries old_items; the call log shows the newest call first.
  auto updated = c.Patch("/api/database/rows/table/" + S(w.table) + "/" + S(Id(created.json())) + "/?user_field_names=true",
                         json::object{{"Name", "Grace"}}, {w.owner.auth()});
  ASSERT_EQ(updated.status, 200);
  ASSERT_TRUE(receiver.WaitFor(2));
  auto upd = receiver.requests().at(1).json();
  EXPECT_EQ(upd.at("event_type").as_string(), "rows.updated");
  EXPECT_EQ(upd.at("items"), json::value(json::array{updated.json()}));
  EXPECT_EQ(upd.at("old_items"), json::value(json::array{created.json()}));

  // send_webhook_events=false: no call.
  ASSERT_EQ(c.Request("DELETE", "/api/database/rows/table/" + S(w.table) + "/" + S(Id(created.json())) +
                          "/?send_webhook_events=false", "", {w.owner.auth()})
                .status,
            204);
  // A field event goes out as field.created.
  ASSERT_EQ(c.Post("/api/database/fields/table/" + S(w.table) + "/", json::object{{"name", "N"}, {"type", "text"}},
                   {w.owner.auth()})
                .status,
            200);
  ASSERT_TRUE(receiver.WaitFor(3));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(receiver.count(), 3u);
  EXPECT_EQ(receiver.requests().at(2).json().at("event_type").as_string(), "field.created");

  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto got = c.Get("/api/database/webhooks/" + S(hook_id) + "/", {w.owner.auth()}).json();
  auto calls = got.at("calls").as_array();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].at("event_type").as_string(), "field.created");
  EXPECT_EQ(calls[2].at("event_id").as_string(), event_id);
  EXPECT_EQ(calls[2].at("response_status").as_int64(), 200);
  EXPECT_EQ(calls[2].at("error").as_string(), "");
  EXPECT_EQ(std::string(calls[2].at("request").as_string()).rfind("POST " + receiver.url() + "\r\n", 0), 0u);
  EXPECT_EQ(got.at("failed_triggers").as_int64(), 0);
}

TEST_F(EventsTest, WebhookEventSelectionAndFieldFilter) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Select");
  HttpReceiver receiver;
  auto hook = c.Post("/api/database/webhooks/table/" + S(w.table) + "/",
                     J(R"({"url":")" + receiver.url() + R"(","name":"notes only","include_all_events":false,
                          "use_user_field_names":false,"events":["rows.updated"],
                          "event_config":[{"event_type":"rows.updated","fields":[)" + S(w.fields[1]) + "]}]}"),
                     {w.owner.auth()});
  ASSERT_EQ(hook.status, 200) << hook.body;
  auto row = c.Post("/api/database/rows/table/" + S(w.table) + "/", json::object{}, {w.owner.auth()});
  std::string path = "/api/database/rows/table/" + S(w.table) + "/" + S(Id(row.json())) + "/";
  ASSERT_EQ(c.Patch(path, json::object{{"field_" + S(w.fields[0]), "x"}}, {w.owner.auth()}).status, 200);
  auto notes = c.Patch(path, json::object{{"field_" + S(w.fields[1]), "y"}}, {w.owner.auth()});
  ASSERT_EQ(notes.status, 200);
  ASSERT_TRUE(receiver.WaitFor(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(receiver.count(), 1u);
  auto body = receiver.requests().at(0).json();
  EXPECT_EQ(body.at("event_type").as_string(), "rows.updated");
  EXPECT_EQ(body.at("items"), json::value(json::array{notes.json()}));  // field_<id> keys
}

TEST_F(EventsTest, FailingWebhookIsRetriedThenDeactivated) {
  HttpClient c(server_->base_url());
  auto w = MakeWorld(c, "Failing");
  HttpReceiver receiver;
  receiver.SetDefault(CannedResponse{500, R"({"down":true})", "application/json", 0, {}});
  auto hook = c.Post("/api/database/webhooks/table/" + S(w.table) + "/",
                     json::object{{"url", receiver.url()}, {"name", "down"}}, {w.owner.auth()});
  ASSERT_EQ(hook.status, 200) << hook.body;
  int64_t hook_id = Id(hook.json());
  ASSERT_EQ(c.Post("/api/database/rows/table/" + S(w.table) + "/", json::object{}, {w.owner.auth()}).status, 200);
  // 1 attempt + 8 retries (20, 40, … 2560 ms); the 9th failure deactivates the webhook.
  ASSERT_TRUE(receiver.WaitFor(9, 15000)) << receiver.count();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(receiver.count(), 9u);
  auto reqs = receiver.requests();
  for (const auto& r : reqs) EXPECT_EQ(r.header("x-baserow-delivery"), reqs[0].header("x-baserow-delivery"));
  auto got = c.Get("/api/database/webhooks/" + S(hook_id) + "/", {w.owner.auth()}).json();
  EXPECT_FALSE(got.at("active").as_bool());
  EXPECT_EQ(got.at("failed_triggers").as_int64(), 8);
  auto calls = got.at("calls").as_array();
  ASSERT_EQ(calls.size(), 1u);  // retries update one log entry
  EXPECT_EQ(calls[0].at("response_status").as_int64(), 500);
  EXPECT_EQ(calls[0].at("response").as_string(),
            "Content-Type: application/json\r\nContent-Length: 13\r\n\r\n{\n    \"down\": true\n}");

  // Inactive: no more calls. Re-enabled: the counter resets and calls resume.
  ASSERT_EQ(c.Post("/api/database/rows/table/" + S(w.table) + "/", json::object{}, {w.owner.auth()}).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(receiver.count(), 9u);
  receiver.SetDefault(CannedResponse{});
  auto on = c.Patch("/api/database/webhooks/" + S(hook_id) + "/", json::object{{"active", true}}, {w.owner.auth()});
  EXPECT_EQ(on.json().at("failed_triggers").as_int64(), 0);
  ASSERT_EQ(c.Post("/api/database/rows/table/" + S(w.table) + "/", json::object{}, {w.owner.auth()}).status, 200);
  ASSERT_TRUE(receiver.WaitFor(10));
}

// A crash between commit and delivery: every committed event is still delivered after a
// restart (at least once).
TEST(EventsCrashTest, QueuedWebhookCallsSurviveAKill) {
  ServerProcess server({"--secret-key", kTestSecret, "--webhooks-allow-private-address=true"});
  server.Start();
  HttpClient c(server.base_url());
  auto owner = SignUp(c, "Crash", UniqueEmail("ev-crash"));
  auto apps = c.Get("/api/applications/", {owner.auth()}).json().as_array();
  int64_t table = apps.at(0).at("tables").at(0).at("id").as_int64();
  HttpReceiver receiver;
  // The first call hangs long enough for the kill; the rest wait behind it in the queue.
  receiver.Enqueue(CannedResponse{200, "{}", "application/json", 3000, {}});
  ASSERT_EQ(c.Post("/api/database/webhooks/table/" + S(table) + "/",
                   json::object{{"url", receiver.url()}, {"name", "crash"}}, {owner.auth()})
                .status,
            200);
  std::set<int64_t> rows;
  for (int i = 0; i < 5; ++i) {
    auto r = c.Post("/api/database/rows/table/" + S(table) + "/", json::object{}, {owner.auth()});
    ASSERT_EQ(r.status, 200);
    rows.insert(Id(r.json()));
  }
  ASSERT_TRUE(receiver.WaitFor(1));
  server.Kill();
  server.Start();
  ASSERT_TRUE(receiver.WaitFor(6, 20000)) << receiver.count();
  std::set<int64_t> delivered;
  for (const auto& r : receiver.requests()) {
    auto body = r.json();
    for (const auto& item : body.at("items").as_array()) delivered.insert(Id(item));
  }
  EXPECT_EQ(delivered, rows);
  EXPECT_EQ(server.Stop(), 0) << server.log();
}

}  // namespace
}  // namespace gbtest
