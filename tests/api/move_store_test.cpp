// API tests: `gridbase move-store` copies a whole SQLite instance into an empty database (a
// PostgreSQL one when the suite runs against PostgreSQL, another SQLite file otherwise): the
// copy verifies, a server on the target serves the same data to the same sessions and tokens,
// ids continue past the source's, and a second move into the now non-empty target is refused
// without changing it.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

std::string S(int64_t n) { return std::to_string(n); }
int64_t Id(const json::value& v) { return v.as_object().at("id").as_int64(); }

/// A temporary directory removed with the object.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/gridbase-move-XXXXXX";
    char* dir = ::mkdtemp(tmpl);
    if (!dir) throw std::runtime_error("mkdtemp failed");
    path = dir;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool WaitForLog(const ServerProcess& server, const std::string& needle) {
  for (int i = 0; i < 400; ++i) {
    if (server.log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// What a client sees of the instance; must be identical before and after the move.
struct Snapshot {
  std::string workspaces, applications, customers_rows, projects_rows, customers_fields, webhooks, tokens;
};

Snapshot Take(HttpClient& c, const std::string& auth, int64_t customers, int64_t projects) {
  auto get = [&](const std::string& path) {
    auto res = c.Get(path, {auth});
    EXPECT_EQ(res.status, 200) << path << ": " << res.body;
    return json::serialize(res.json());
  };
  Snapshot s;
  s.workspaces = get("/api/workspaces/");
  s.applications = get("/api/applications/");
  s.customers_rows = get("/api/database/rows/table/" + S(customers) + "/?user_field_names=true&size=200");
  s.projects_rows = get("/api/database/rows/table/" + S(projects) + "/?size=200");
  s.customers_fields = get("/api/database/fields/table/" + S(customers) + "/");
  s.webhooks = get("/api/database/webhooks/table/" + S(customers) + "/");
  s.tokens = get("/api/database/tokens/");
  return s;
}

TEST(MoveStoreTest, UsageErrors) {
  std::string out;
  EXPECT_EQ(RunCli({"move-store", "--to", "sqlite:///tmp/x.db"}, &out), 2) << out;
  EXPECT_NE(out.find("--from or --from-data-dir is required"), std::string::npos) << out;
  EXPECT_EQ(RunCli({"move-store", "--from", "mysql://x", "--to", "sqlite:///tmp/x.db"}, &out), 2) << out;
  EXPECT_NE(out.find("unsupported URL"), std::string::npos) << out;
  EXPECT_EQ(RunCli({"move-store", "--from", "sqlite:///nonexistent/gridbase.db", "--to", "sqlite:///tmp/x.db"}, &out),
            2)
      << out;
  EXPECT_NE(out.find("no SQLite database"), std::string::npos) << out;

  TempDir dir;
  std::string db = dir.path + "/a.db";
  ASSERT_TRUE(RunSql(db, "CREATE TABLE t (x INTEGER);").has_value());
  EXPECT_EQ(RunCli({"move-store", "--from", "sqlite://" + db, "--to", "sqlite://" + db}, &out), 2) << out;
  EXPECT_NE(out.find("same database"), std::string::npos) << out;
  // Not an instance: refused before anything is written.
  EXPECT_EQ(RunCli({"move-store", "--from", "sqlite://" + db, "--to", "sqlite://" + dir.path + "/b.db"}, &out), 1)
      << out;
  EXPECT_NE(out.find("holds no gridbase instance"), std::string::npos) << out;
}

TEST(MoveStoreTest, MovesAWholeInstance) {
  TempDir src_dir;
  const std::string src_db = src_dir.path + "/src.db";
  // The source is SQLite in both runs of the suite.
  auto source = std::make_unique<ServerProcess>(std::vector<std::string>{
      "--database-url", "sqlite://" + src_db, "--index-min-rows", "1", "--webhooks-allow-private-address=true",
      // A failed webhook call is retried an hour later: the retry still pending moves along.
      "--webhooks-retry-delay-ms", "3600000", "--baasbox-admin-password", "move-admin-pw"});
  source->Start();
  HttpClient c(source->base_url());
  const std::string email = UniqueEmail("move");
  Account a = SignUp(c, "Mover", email);
  int64_t ws = Id(c.Get("/api/workspaces/", {a.auth()}).json().as_array().at(0));
  auto app = c.Get("/api/applications/", {a.auth()}).json().as_array().at(0);
  int64_t customers = 0, projects = 0;
  for (const auto& t : app.as_object().at("tables").as_array()) {
    if (t.as_object().at("name") == "Customers") customers = Id(t);
    if (t.as_object().at("name") == "Projects") projects = Id(t);
  }
  ASSERT_TRUE(customers && projects);
  const std::string fields_url = "/api/database/fields/table/" + S(customers) + "/";
  const std::string rows_url = "/api/database/rows/table/" + S(customers) + "/";

  // Fields of several column kinds, with an index, a unique constraint and select options.
  auto add_field = [&](json::object body) {
    auto res = c.Post(fields_url, body, {a.auth()});
    EXPECT_EQ(res.status, 200) << res.body;
    return Id(res.json());
  };
  int64_t price = add_field({{"name", "Price"},
                             {"type", "number"},
                             {"number_decimal_places", 2},
                             {"field_constraints", json::array{json::object{{"type_name", "unique_with_empty"}}}}});
  add_field({{"name", "Stage"},
             {"type", "single_select"},
             {"select_options", J(R"([{"value":"Lead","color":"blue"},{"value":"Won","color":"green"}])")}});
  int64_t seq = add_field({{"name", "Seq"}, {"type", "autonumber"}});
  add_field({{"name", "Score"}, {"type", "rating"}, {"max_value", 10}});
  add_field({{"name", "Took"}, {"type", "duration"}, {"duration_format", "h:mm:ss.sss"}});
  add_field({{"name", "Due"}, {"type", "date"}, {"date_include_time", true}, {"date_format", "ISO"}});
  int64_t gone = add_field({{"name", "Gone"}, {"type", "text"}});
  auto fields = c.Get(fields_url, {a.auth()}).json().as_array();
  int64_t last_name = 0, stage = 0;
  json::array stage_options;
  for (const auto& f : fields) {
    if (f.as_object().at("name") == "Last name") last_name = Id(f);
    if (f.as_object().at("name") == "Stage") {
      stage = Id(f);
      stage_options = f.as_object().at("select_options").as_array();
    }
  }
  ASSERT_TRUE(last_name && stage && stage_options.size() == 2);
  ASSERT_EQ(c.Patch("/api/database/fields/" + S(last_name) + "/", json::object{{"db_index", true}}, {a.auth()}).status,
            200);

  // A webhook (its calls fail: nothing listens on port 9) and a database token.
  auto hook = c.Post("/api/database/webhooks/table/" + S(customers) + "/",
                     json::object{{"url", "http://127.0.0.1:9/"}, {"name", "Hook"}}, {a.auth()});
  ASSERT_EQ(hook.status, 200) << hook.body;
  auto token = c.Post("/api/database/tokens/", json::object{{"name", "Zap"}, {"workspace", ws}}, {a.auth()});
  ASSERT_EQ(token.status, 200) << token.body;
  const std::string token_auth = "Authorization: Token " + std::string(token.json().as_object().at("key").as_string());

  // Rows: texts with quotes, unicode and newlines, decimals, fractions of seconds, NULLs.
  json::array items;
  for (int i = 0; i < 40; ++i) {
    json::object row{
        {"Name", "Row " + S(i) + (i % 7 == 0 ? " \"quoted\" ünïcödé\nline" : "")},
        {"Last name", i % 3 ? json::value("L" + S(i)) : json::value(nullptr)},
        {"Price", i % 4 ? json::value(S(i * 13) + "." + S(10 + i)) : json::value(nullptr)},
        {"Score", i % 11},
        {"Took", i * 61.125},
        {"Due", i % 5 ? json::value("2024-0" + S(1 + i % 9) + "-1" + S(i % 10) + "T10:1" + S(i % 10) + ":00Z")
                      : json::value(nullptr)}};
    if (i % 2) row["Stage"] = stage_options[i % 4 == 1 ? 0 : 1].as_object().at("id");
    // Texts that need quoting in a PostgreSQL array literal or look like NULL.
    if (i == 4) row["Last name"] = "NULL";
    if (i == 8) row["Last name"] = R"(back\slash {brace}, "comma" \"x\")";
    if (i == 10) row["Last name"] = "";
    items.push_back(row);
  }
  auto created = c.Post(rows_url + "batch/?user_field_names=true", json::object{{"items", items}}, {a.auth()});
  ASSERT_EQ(created.status, 200) << created.body;
  int64_t last_id = 0;
  const json::value created_rows = created.json();
  for (const auto& r : created_rows.as_object().at("items").as_array()) last_id = std::max(last_id, Id(r));
  // Two rows go to the trash; the newest is removed for good below (as emptying the trash
  // does): its id must not be handed out again after the move.
  ASSERT_EQ(c.Delete(rows_url + S(last_id) + "/", {a.auth()}).status, 204);
  ASSERT_EQ(c.Delete(rows_url + S(last_id - 1) + "/", {a.auth()}).status, 204);
  ASSERT_EQ(c.Delete("/api/database/fields/" + S(gone) + "/", {a.auth()}).status, 200);  // trashed field
  // Sorting and searching make the index advisor build an automatic index and the search index.
  ASSERT_EQ(c.Get(rows_url + "?order_by=field_" + S(price), {a.auth()}).status, 200);
  ASSERT_EQ(c.Get(rows_url + "?search=quoted", {a.auth()}).status, 200);
  ASSERT_TRUE(WaitForLog(*source, "index on table " + S(customers) + " field " + S(price))) << source->log();
  ASSERT_TRUE(WaitForLog(*source, "search index of table " + S(customers) + " ready")) << source->log();
  auto auto_index = RunSql(
      src_db, "SELECT name FROM sqlite_master WHERE name = 'tbl_" + S(customers) + "_field_" + S(price) + "_auto';");
  ASSERT_TRUE(auto_index && auto_index->find("_auto") != std::string::npos);
  // Let the webhook's first call fail and be recorded.
  for (int i = 0; i < 200; ++i) {
    auto hooks = c.Get("/api/database/webhooks/table/" + S(customers) + "/", {a.auth()}).json();
    if (!hooks.as_array().at(0).as_object().at("calls").as_array().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto pending = RunSql(src_db, "SELECT COUNT(*) FROM webhook_deliveries;");
  ASSERT_TRUE(pending.has_value());
  EXPECT_NE(*pending, "0\n");

  // A BaasBox collection (a Baserow table with bb_* columns), a user and a document.
  const std::string bb_app = "X-BAASBOX-APPCODE: 1234567890";
  HttpClient bb(source->base_url() + "/baasbox");
  auto coll = bb.Post("/admin/collection/notes", json::object{},
                      {bb_app, "Authorization: Basic YWRtaW46bW92ZS1hZG1pbi1wdw=="});  // admin:move-admin-pw
  ASSERT_EQ(coll.status, 201) << coll.body;
  auto bb_user = bb.Post("/user", json::object{{"username", "mover"}, {"password", "bb-secret"}}, {bb_app});
  ASSERT_EQ(bb_user.status, 201) << bb_user.body;
  std::string bb_token(bb_user.json().at("data").at("X-BB-SESSION").as_string());
  auto doc = bb.Post("/document/notes", J(R"({"title":"moved","n":2.5,"tags":["a","b"]})"),
                     {bb_app, "X-BB-SESSION: " + bb_token});
  ASSERT_EQ(doc.status, 200) << doc.body;
  std::string doc_id(doc.json().at("data").at("id").as_string());
  const std::string doc_before = bb.Get("/document/notes/" + doc_id, {bb_app, "X-BB-SESSION: " + bb_token}).body;
  // A file (bb_file, bb_file_content, its node id and grant) with bytes that are not text.
  const std::string file_bytes("gridbase\0\x01\xfe\xff file", 17);
  auto file = bb.Request("POST", "/file",
                         "--mvB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.bin\"\r\n"
                         "Content-Type: application/x-moved\r\n\r\n" + file_bytes +
                             "\r\n--mvB\r\nContent-Disposition: form-data; name=\"attachedData\"\r\n\r\n"
                             "{\"k\":\"v\"}\r\n--mvB--\r\n",
                         {bb_app, "X-BB-SESSION: " + bb_token, "Content-Type: multipart/form-data; boundary=mvB"});
  ASSERT_EQ(file.status, 201) << file.body;
  std::string file_id(file.json().at("data").at("id").as_string());
  const std::string file_details = bb.Get("/file/details/" + file_id, {bb_app, "X-BB-SESSION: " + bb_token}).body;

  const Snapshot before = Take(c, a.auth(), customers, projects);
  ASSERT_EQ(c.Get("/api/database/tokens/check/", {token_auth}).status, 200);
  ASSERT_EQ(source->Stop(), 0) << source->log();
  const std::string source_data_dir = source->data_dir() + "/data";
  const std::string tbl = "tbl_" + S(customers);
  ASSERT_TRUE(RunSql(src_db, "DELETE FROM " + tbl + " WHERE id = " + S(last_id) + ";").has_value());
  auto next_seq = RunSql(src_db, "SELECT MAX(field_" + S(seq) + ") + 1 FROM " + tbl + ";");
  ASSERT_TRUE(next_seq.has_value());

  // The target: a fresh PostgreSQL database in the PostgreSQL run, else another SQLite file
  // (the default database of the target server's data dir).
  ServerProcess target({"--webhooks-allow-private-address=true", "--webhooks-retry-delay-ms", "3600000"});
  const std::string target_url =
      UsingPostgres() ? target.database_url() : "sqlite://" + target.data_dir() + "/data/gridbase.db";
  std::string out;
  int rc = RunCli(
      {"move-store", "--from", "sqlite://" + src_db, "--from-data-dir", source_data_dir, "--to", target_url}, &out);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("row counts and checksums match"), std::string::npos) << out;
  EXPECT_EQ(out.find("MISMATCH"), std::string::npos) << out;
  EXPECT_NE(out.find("secret key: copied"), std::string::npos) << out;
  for (const char* table :
       {"users ", "workspaces ", "database_tokens ", "webhooks ", "webhook_calls ", "events ", "event_consumers "}) {
    EXPECT_NE(out.find("\n" + std::string(table)), std::string::npos) << table << "\n" << out;
  }
  EXPECT_NE(out.find("tbl_" + S(customers) + " (Customers)"), std::string::npos) << out;

  // The search side tables were not copied; their state is reset.
  auto search_state =
      RunSql(target.db_file(), "SELECT fts_ready, trigram_state FROM database_tables WHERE id = " + S(customers) + ";");
  ASSERT_TRUE(search_state.has_value());
  EXPECT_EQ(*search_state, "0|0\n");
  // The indexes were recreated.
  auto indexes = RunSql(target.db_file(),
                        UsingPostgres() ? "SELECT indexname FROM pg_indexes WHERE tablename = 'tbl_" + S(customers) +
                                              "' ORDER BY indexname;"
                                        : "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tbl_" +
                                              S(customers) + "' ORDER BY name;");
  ASSERT_TRUE(indexes.has_value());
  for (const std::string& suffix : {"_field_" + S(last_name) + "_idx", "_field_" + S(price) + "_uniq",
                                    "_field_" + S(price) + "_auto", std::string("_ord")}) {
    EXPECT_NE(indexes->find("tbl_" + S(customers) + suffix + "\n"), std::string::npos) << suffix << "\n" << *indexes;
  }

  target.Start();
  HttpClient t(target.base_url());
  // The session from before the move is still valid (the secret key moved), and everything
  // reads back identically.
  const Snapshot after = Take(t, a.auth(), customers, projects);
  EXPECT_EQ(after.workspaces, before.workspaces);
  EXPECT_EQ(after.applications, before.applications);
  EXPECT_EQ(after.customers_rows, before.customers_rows);
  EXPECT_EQ(after.projects_rows, before.projects_rows);
  EXPECT_EQ(after.customers_fields, before.customers_fields);
  EXPECT_EQ(after.webhooks, before.webhooks);
  EXPECT_EQ(after.tokens, before.tokens);
  // The BaasBox user logs in again (sessions are in memory) and reads the same document.
  HttpClient tbb(target.base_url() + "/baasbox");
  auto relogin = tbb.Post("/login", json::object{{"username", "mover"}, {"password", "bb-secret"}, {"appcode", "1234567890"}});
  ASSERT_EQ(relogin.status, 200) << relogin.body;
  std::string new_token(relogin.json().at("data").at("X-BB-SESSION").as_string());
  EXPECT_EQ(tbb.Get("/document/notes/" + doc_id, {bb_app, "X-BB-SESSION: " + new_token}).body, doc_before);
  auto moved_file = tbb.Get("/file/" + file_id, {bb_app, "X-BB-SESSION: " + new_token});
  EXPECT_EQ(moved_file.status, 200) << moved_file.body;
  EXPECT_EQ(moved_file.body, file_bytes);
  EXPECT_EQ(moved_file.header("content-type"), "application/x-moved");
  EXPECT_EQ(tbb.Get("/file/details/" + file_id, {bb_app, "X-BB-SESSION: " + new_token}).body, file_details);
  // The document counters (rebuilt on the target) answer the count, and keep counting.
  EXPECT_EQ(tbb.Get("/document/notes/count", {bb_app, "X-BB-SESSION: " + new_token}).json().at("data"),
            J(R"({"count":1})"));
  auto more = tbb.Post("/document/notes", J(R"({"title":"after"})"), {bb_app, "X-BB-SESSION: " + new_token});
  EXPECT_EQ(more.status, 200) << more.body;
  EXPECT_EQ(tbb.Get("/document/notes/count", {bb_app, "X-BB-SESSION: " + new_token}).json().at("data"),
            J(R"({"count":2})"));
  auto counters = RunSql(target.db_file(),
                         "SELECT c.principal_kind || ':' || c.n || ':' || c.dup FROM bb_doc_count c JOIN bb_collection b "
                         "ON b.table_id = c.table_id WHERE b.name = 'notes' ORDER BY c.principal_kind = 'U'");
  ASSERT_TRUE(counters.has_value());
  EXPECT_EQ(*counters, "*:2:0\nU:2:0\n");
  // Login with the same password; the database token works.
  auto login = t.Post("/api/user/token-auth/", json::object{{"email", email}, {"password", "password123"}});
  EXPECT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(t.Get("/api/database/tokens/check/", {token_auth}).status, 200);
  EXPECT_EQ(t.Get(rows_url, {token_auth}).status, 200);
  // Search works again (its index is rebuilt on use).
  auto found = t.Get(rows_url + "?search=quoted", {a.auth()});
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json().as_object().at("count").as_int64(), 6);
  // New ids continue after every id the source handed out; the autonumber after the largest.
  auto added = t.Post(rows_url + "?user_field_names=true", json::object{{"Name", "After the move"}}, {a.auth()});
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_GT(Id(added.json()), last_id);
  EXPECT_EQ(S(added.json().as_object().at("Seq").as_int64()) + "\n", *next_seq);
  auto another = t.Post("/api/database/fields/table/" + S(projects) + "/",
                        json::object{{"name", "More"}, {"type", "text"}}, {a.auth()});
  ASSERT_EQ(another.status, 200) << another.body;
  EXPECT_GT(Id(another.json()), gone);
  // The unique constraint holds on the target.
  auto dup =
      t.Patch(rows_url + S(Id(added.json())) + "/?user_field_names=true", json::object{{"Price", "13.11"}}, {a.auth()});
  EXPECT_EQ(dup.status, 400) << dup.body;
  EXPECT_EQ(target.Stop(), 0) << target.log();

  // A second move into the now non-empty target is refused and changes nothing.
  const std::string probe = "SELECT COUNT(*) FROM users; SELECT COUNT(*) FROM tbl_" + S(customers) +
                            "; SELECT MAX(id) FROM tbl_" + S(customers) +
                            "; SELECT COUNT(*) FROM events; SELECT value FROM instance_settings ORDER BY key;";
  auto state_before = RunSql(target.db_file(), probe);
  ASSERT_TRUE(state_before.has_value());
  rc = RunCli({"move-store", "--from", "sqlite://" + src_db, "--from-data-dir", source_data_dir, "--to", target_url},
              &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("is not empty"), std::string::npos) << out;
  EXPECT_EQ(RunSql(target.db_file(), probe), state_before);
}

}  // namespace
}  // namespace gbtest
