// API tests: the index advisor's indexes (per-field and the substring search index) never
// change results, and writes and field changes keep them current.
#include <thread>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

class IndexesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--secret-key", kTestSecret, "--index-min-rows", "1"});
    server_->Start();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(), 0) << server_->log();
    server_.reset();
  }
  static bool WaitForLog(const std::string& needle) {
    for (int i = 0; i < 200; ++i) {
      if (server_->log().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  static size_t CountInLog(const std::string& needle) {
    std::string log = server_->log();
    size_t n = 0;
    for (size_t pos = log.find(needle); pos != std::string::npos; pos = log.find(needle, pos + 1)) ++n;
    return n;
  }
  static inline std::unique_ptr<ServerProcess> server_;
};

std::string Uri(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += static_cast<char>(c);
    else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

TEST_F(IndexesTest, IndexedQueriesReturnWhatScansReturn) {
  HttpClient c(server_->base_url());
  auto a = SignUp(c, "Idx", UniqueEmail("idx"));
  int64_t database = c.Get("/api/applications/", {a.auth()}).json().as_array()[0].as_object().at("id").as_int64();
  json::array data{json::array{"Title", "Code"}};
  const char* words[] = {"falcon", "river", "nebula", "oak", "copper"};
  for (int i = 0; i < 40; ++i) {
    data.push_back(json::array{std::string(words[i % 5]) + " item " + std::to_string(i), std::to_string(i * 7 % 13)});
  }
  auto created = c.Post("/api/database/tables/database/" + std::to_string(database) + "/",
                        json::object{{"name", "Items"}, {"data", data}, {"first_row_header", true}}, {a.auth()});
  ASSERT_EQ(created.status, 200) << created.body;
  int64_t table = created.json().as_object().at("id").as_int64();
  auto price = c.Post("/api/database/fields/table/" + std::to_string(table) + "/",
                      json::object{{"name", "Price"}, {"type", "number"}, {"number_decimal_places", 2}}, {a.auth()});
  ASSERT_EQ(price.status, 200);
  json::array updates;
  for (int i = 1; i <= 40; ++i) updates.push_back(json::object{{"id", i}, {"Price", std::to_string(i * 3) + ".50"}});
  ASSERT_EQ(c.Patch("/api/database/rows/table/" + std::to_string(table) + "/batch/?user_field_names=true",
                    json::object{{"items", updates}}, {a.auth()}).status, 200);
  std::string base = "/api/database/rows/table/" + std::to_string(table) + "/?user_field_names=true&size=200";
  auto ids = [&](const std::string& query) {
    auto res = c.Get(base + query, {a.auth()});
    EXPECT_EQ(res.status, 200) << res.body << "\n" << query << "\n" << server_->log().substr(server_->log().size() > 3000 ? server_->log().size() - 3000 : 0);
    std::vector<int64_t> out;
    auto body = res.json();
    for (const auto& r : body.as_object().at("results").as_array()) out.push_back(r.as_object().at("id").as_int64());
    EXPECT_EQ(body.as_object().at("count").as_int64(), static_cast<int64_t>(out.size()));
    return out;
  };
  const std::vector<std::string> queries = {
      "&search=nebula",
      "&search=ebul",
      "&search=12",  // row id 12, and texts containing "12"
      "&search=10.50",
      "&search=NEBULA",       // case folded like the scan
      "&search=" + Uri("m 1"),  // spaces inside the term
      "&search=" + Uri("on item 1"),
      "&search=" + Uri("\"x"),  // a quote: literal, no match
      "&search=" + Uri("0%"),   // LIKE wildcards are literal
      "&search=" + Uri("nébula"),
      "&filters=" + Uri(R"({"filter_type":"AND","filters":[{"field":"Title","type":"contains","value":"falc"}]})"),
      "&filters=" + Uri(R"({"filter_type":"AND","filters":[{"field":"Title","type":"contains","value":"ITEM 2"}]})"),
      "&filters=" + Uri(R"({"filter_type":"AND","filters":[{"field":"Code","type":"contains","value":"11"}]})"),
      "&filters=" + Uri(R"({"filter_type":"AND","filters":[{"field":"Price","type":"contains","value":"0.5"}]})"),
      "&filters=" + Uri(R"({"filter_type":"AND","filters":[{"field":"Price","type":"higher_than","value":"100"}]})"),
      "&order_by=-Price",
      "&order_by=Title",
  };
  std::vector<std::vector<int64_t>> before;
  for (const auto& q : queries) before.push_back(ids(q));
  EXPECT_EQ(before[0].size(), 8u);
  ASSERT_TRUE(WaitForLog("search index of table " + std::to_string(table) + " ready")) << server_->log();
  ASSERT_TRUE(WaitForLog("index on table " + std::to_string(table) + " field")) << server_->log();
  for (size_t i = 0; i < queries.size(); ++i) EXPECT_EQ(ids(queries[i]), before[i]) << queries[i];

  // Writes keep the search index current.
  std::string rows = "/api/database/rows/table/" + std::to_string(table) + "/";
  auto added = c.Post(rows + "?user_field_names=true", json::object{{"Title", "another nebula"}}, {a.auth()});
  ASSERT_EQ(added.status, 200);
  int64_t added_id = added.json().as_object().at("id").as_int64();
  ASSERT_EQ(c.Patch(rows + "3/?user_field_names=true", json::object{{"Title", "renamed"}}, {a.auth()}).status, 200);
  ASSERT_EQ(c.Delete(rows + "8/", {a.auth()}).status, 204);
  auto expected = before[0];
  expected.erase(std::remove(expected.begin(), expected.end(), 3), expected.end());
  expected.erase(std::remove(expected.begin(), expected.end(), 8), expected.end());
  expected.push_back(added_id);
  EXPECT_EQ(ids("&search=nebula"), expected);

  // A field change drops the search index; results stay right while it is rebuilt.
  size_t ready_before = CountInLog("search index of table " + std::to_string(table) + " ready");
  ASSERT_EQ(c.Post("/api/database/fields/table/" + std::to_string(table) + "/",
                   json::object{{"name", "Extra"}, {"type", "text"}, {"text_default", "nebula"}}, {a.auth()}).status,
            200);
  auto all = ids("");
  EXPECT_EQ(ids("&search=nebula"), all);
  for (int i = 0; i < 200 && CountInLog("search index of table " + std::to_string(table) + " ready") == ready_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(CountInLog("search index of table " + std::to_string(table) + " ready"), ready_before);
  EXPECT_EQ(ids("&search=nebula"), all);
  EXPECT_EQ(ids("&search=renamed"), (std::vector<int64_t>{3}));
}

}  // namespace
}  // namespace gbtest
