// Several gridbase processes over one PostgreSQL database behave as one server: sessions,
// blacklisted tokens and settings are shared, a websocket on one node receives the events of
// writes made on the other, and each webhook call is made once across the nodes.
// PostgreSQL only (registered as api_scaleout_test_pg).
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "support/api_fixture.hpp"
#include "support/http_receiver.hpp"
#include "support/ws_client.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

std::string S(int64_t n) { return std::to_string(n); }
int64_t Id(const json::value& v) { return v.as_object().at("id").as_int64(); }

class ScaleOutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_TRUE(UsingPostgres()) << "run with GRIDBASE_TEST_STORE=postgresql (make test does)";
    // No --secret-key: the nodes must find the shared one in the database.
    a_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--webhooks-allow-private-address=true"});
    a_->Start();
    b_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--database-url", a_->database_url(), "--webhooks-allow-private-address=true"});
    b_->Start();
  }
  static void TearDownTestSuite() {
    if (b_) EXPECT_EQ(b_->Stop(), 0) << b_->log();
    if (a_) EXPECT_EQ(a_->Stop(), 0) << a_->log();
    b_.reset();
    a_.reset();
  }

  static std::unique_ptr<ServerProcess> a_;
  static std::unique_ptr<ServerProcess> b_;
};

std::unique_ptr<ServerProcess> ScaleOutTest::a_;
std::unique_ptr<ServerProcess> ScaleOutTest::b_;

TEST_F(ScaleOutTest, SessionsBlacklistAndSettingsAreShared) {
  HttpClient on_a(a_->base_url()), on_b(b_->base_url());
  auto staff = SignUp(on_a, "Staff", UniqueEmail("so-staff"));  // the first account: staff
  // A token issued by node A is good on node B.
  auto me = on_b.Get("/api/workspaces/", {staff.auth()});
  EXPECT_EQ(me.status, 200) << me.body;
  auto refreshed = on_b.Post("/api/user/token-refresh/", json::object{{"refresh_token", staff.refresh}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;

  // A token blacklisted through A is refused by B.
  auto other = SignUp(on_a, "Other", UniqueEmail("so-other"));
  ASSERT_EQ(on_a.Post("/api/user/token-blacklist/", json::object{{"refresh_token", other.refresh}}).status, 204);
  auto refused = on_b.Post("/api/user/token-refresh/", json::object{{"refresh_token", other.refresh}});
  EXPECT_EQ(refused.status, 401) << refused.body;

  // Settings changed through B apply on A at once.
  auto patched = on_b.Patch("/api/settings/update/", json::object{{"allow_new_signups", false}}, {staff.auth()});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(on_a.Get("/api/settings/").json().at("allow_new_signups"), json::value(false));
  auto late = on_a.Post("/api/user/", json::object{{"name", "Late"}, {"email", UniqueEmail("so-late")},
                                                   {"password", "password123"}});
  EXPECT_EQ(late.status, 400) << late.body;
  ASSERT_EQ(on_a.Patch("/api/settings/update/", json::object{{"allow_new_signups", true}}, {staff.auth()}).status, 200);
  EXPECT_EQ(on_b.Get("/api/settings/").json().at("allow_new_signups"), json::value(true));
}

TEST_F(ScaleOutTest, WebsocketOnOneNodeSeesWritesOnTheOther) {
  HttpClient on_a(a_->base_url()), on_b(b_->base_url());
  auto owner = SignUp(on_a, "Live", UniqueEmail("so-live"));
  auto apps = on_a.Get("/api/applications/", {owner.auth()}).json().as_array();
  int64_t table = apps.at(0).at("tables").at(0).at("id").as_int64();

  WsClient ws(a_->port(), "/ws/core/?jwt_token=" + owner.access);
  auto auth = ws.ReceiveJson();
  ASSERT_TRUE(auth && auth->at("success").as_bool());
  ws.Send(json::object{{"page", "table"}, {"table_id", table}});
  ASSERT_TRUE(ws.ReceiveType("page_add"));

  for (int i = 0; i < 3; ++i) {
    auto created = on_b.Post("/api/database/rows/table/" + S(table) + "/", json::object{}, {owner.auth()});
    ASSERT_EQ(created.status, 200) << created.body;
    auto msg = ws.ReceiveType("rows_created", 5000);
    ASSERT_TRUE(msg) << "no rows_created on node A for a write on node B";
    EXPECT_EQ(msg->at("table_id").as_int64(), table);
    EXPECT_EQ(msg->at("rows").as_array().at(0).at("id").as_int64(), Id(created.json()));
  }
  // Deleted on A, seen on a socket of B.
  WsClient ws_b(b_->port(), "/ws/core/?jwt_token=" + owner.access);
  ASSERT_TRUE(ws_b.ReceiveJson());
  ws_b.Send(json::object{{"page", "table"}, {"table_id", table}});
  ASSERT_TRUE(ws_b.ReceiveType("page_add"));
  auto rows = on_a.Get("/api/database/rows/table/" + S(table) + "/", {owner.auth()}).json();
  int64_t first = Id(rows.at("results").as_array().at(0));
  ASSERT_EQ(on_a.Delete("/api/database/rows/table/" + S(table) + "/" + S(first) + "/", {owner.auth()}).status, 204);
  auto deleted = ws_b.ReceiveType("rows_deleted", 5000);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->at("row_ids").as_array().at(0).as_int64(), first);
}

TEST_F(ScaleOutTest, EachWebhookCallIsMadeOnceAcrossNodes) {
  HttpClient on_a(a_->base_url()), on_b(b_->base_url());
  auto owner = SignUp(on_a, "Hooks", UniqueEmail("so-hooks"));
  auto apps = on_a.Get("/api/applications/", {owner.auth()}).json().as_array();
  int64_t table = apps.at(0).at("tables").at(0).at("id").as_int64();
  HttpReceiver receiver;
  auto hook = on_b.Post("/api/database/webhooks/table/" + S(table) + "/",
                        json::object{{"url", receiver.url()}, {"name", "once"}, {"include_all_events", false},
                                     {"events", json::array{"rows.created"}}},
                        {owner.auth()});
  ASSERT_EQ(hook.status, 200) << hook.body;

  constexpr int kRows = 24;
  std::set<int64_t> ids;
  for (int i = 0; i < kRows; ++i) {
    HttpClient& node = i % 2 ? on_b : on_a;
    auto r = node.Post("/api/database/rows/table/" + S(table) + "/", json::object{}, {owner.auth()});
    ASSERT_EQ(r.status, 200) << r.body;
    ids.insert(Id(r.json()));
  }
  ASSERT_TRUE(receiver.WaitFor(kRows, 20000)) << receiver.count();
  // Both nodes' dispatchers saw every event: give a duplicate time to arrive.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(receiver.count(), static_cast<size_t>(kRows));
  std::map<int64_t, int> seen;
  std::set<std::string> deliveries;
  for (const auto& r : receiver.requests()) {
    auto body = r.json();
    for (const auto& item : body.at("items").as_array()) ++seen[Id(item)];
    deliveries.insert(std::string(body.at("event_id").as_string()));
  }
  EXPECT_EQ(deliveries.size(), static_cast<size_t>(kRows));
  EXPECT_EQ(seen.size(), ids.size());
  for (const auto& [id, n] : seen) {
    EXPECT_TRUE(ids.count(id)) << id;
    EXPECT_EQ(n, 1) << "row " << id << " delivered " << n << " times";
  }
}

}  // namespace
}  // namespace gbtest
