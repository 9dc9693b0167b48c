// API tests: tables (applications-tables.md §3) and rows (rows.md), plus a randomised test
// that replays create/update/delete/move sequences against an in-memory model.
#include <map>
#include <random>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

class TablesRowsTest : public ApiTest {
 protected:
  struct Ctx {
    Account account;
    int64_t database = 0;
  };
  static Ctx NewAccount(HttpClient& c, const std::string& name = "Tables") {
    Ctx ctx;
    ctx.account = SignUp(c, name, UniqueEmail("tr"));
    ctx.database = c.Get("/api/applications/", {ctx.account.auth()}).json().as_array()[0].as_object().at("id").as_int64();
    return ctx;
  }
  static int64_t CreateTable(HttpClient& c, const Ctx& ctx, const json::object& body) {
    auto res = c.Post("/api/database/tables/database/" + std::to_string(ctx.database) + "/", body, {ctx.account.auth()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json().as_object().at("id").as_int64();
  }
  static json::array Fields(HttpClient& c, const Ctx& ctx, int64_t table) {
    return c.Get("/api/database/fields/table/" + std::to_string(table) + "/", {ctx.account.auth()}).json().as_array();
  }
  static json::value Rows(HttpClient& c, const Ctx& ctx, int64_t table, const std::string& query = "") {
    auto res = c.Get("/api/database/rows/table/" + std::to_string(table) + "/" + query, {ctx.account.auth()});
    EXPECT_EQ(res.status, 200) << res.body;
    return res.json();
  }
  static std::string RowsUrl(int64_t table, const std::string& rest = "") {
    return "/api/database/rows/table/" + std::to_string(table) + "/" + rest;
  }
};

TEST_F(TablesRowsTest, SignUpCreatesTheExampleDatabase) {
  auto c = client();
  auto ctx = NewAccount(c, "Ada");
  auto apps = c.Get("/api/applications/", {ctx.account.auth()}).json().as_array();
  auto tables = apps[0].as_object().at("tables").as_array();
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].as_object().at("name"), json::value("Customers"));
  EXPECT_EQ(tables[1].as_object().at("name"), json::value("Projects"));
  int64_t customers = tables[0].as_object().at("id").as_int64();
  auto rows = Rows(c, ctx, customers, "?user_field_names=true").as_object();
  EXPECT_EQ(rows.at("count").as_int64(), 5);
  auto first = rows.at("results").as_array()[0].as_object();
  EXPECT_EQ(first.at("Name"), json::value("Ada"));
  EXPECT_EQ(first.at("Last name"), json::value("Lovelace"));
  EXPECT_EQ(first.at("Active"), json::value(true));
  int64_t projects = tables[1].as_object().at("id").as_int64();
  auto p = Rows(c, ctx, projects, "?user_field_names=true").as_object().at("results").as_array();
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[1].as_object().at("Started"), json::value("1936-06-01"));
}

TEST_F(TablesRowsTest, CreateEmptyTableGetsTheExampleLayout) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto res = c.Post("/api/database/tables/database/" + std::to_string(ctx.database) + "/",
                    json::object{{"name", "Plain"}}, {ctx.account.auth()});
  ASSERT_EQ(res.status, 200) << res.body;
  int64_t id = res.json().as_object().at("id").as_int64();
  EXPECT_JSON(res, 200, R"({"id":)" + std::to_string(id) + R"(,"name":"Plain","order":3,"database_id":)" +
                            std::to_string(ctx.database) + R"(,"data_sync":null})");
  auto fields = Fields(c, ctx, id);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].as_object().at("name"), json::value("Name"));
  EXPECT_EQ(fields[0].as_object().at("primary"), json::value(true));
  EXPECT_EQ(fields[1].as_object().at("type"), json::value("long_text"));
  EXPECT_EQ(fields[2].as_object().at("type"), json::value("boolean"));
  auto rows = Rows(c, ctx, id, "?user_field_names=true");
  EXPECT_EQ(rows, J(R"({"count":2,"next":null,"previous":null,"results":[
                  {"id":1,"order":"1.00000000000000000000","Name":"","Notes":"","Active":false},
                  {"id":2,"order":"2.00000000000000000000","Name":"","Notes":"","Active":false}]})"));
}

TEST_F(TablesRowsTest, CreateTableFromData) {
  auto c = client();
  auto ctx = NewAccount(c);
  int64_t id = CreateTable(c, ctx, json::object{{"name", "Imported"},
                                                {"data", json::array{json::array{"A", "B"},
                                                                     json::array{"x", 12, 1.5},
                                                                     json::array{true, false, nullptr},
                                                                     json::array{"only"}}},
                                                {"first_row_header", true}});
  auto fields = Fields(c, ctx, id);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].as_object().at("name"), json::value("A"));
  EXPECT_EQ(fields[1].as_object().at("name"), json::value("B"));
  EXPECT_EQ(fields[2].as_object().at("name"), json::value("Field 3"));
  for (const auto& f : fields) EXPECT_EQ(f.as_object().at("type"), json::value("text"));
  auto rows = Rows(c, ctx, id, "?user_field_names=true").as_object().at("results");
  EXPECT_EQ(rows, J(R"([{"id":1,"order":"1.00000000000000000000","A":"x","B":"12","Field 3":"1.5"},
                        {"id":2,"order":"2.00000000000000000000","A":"True","B":"False","Field 3":"None"},
                        {"id":3,"order":"3.00000000000000000000","A":"only","B":null,"Field 3":null}])"));
  int64_t plain = CreateTable(c, ctx, json::object{{"name", "NoHeader"}, {"data", json::array{json::array{"a", "b"}}}});
  auto f2 = Fields(c, ctx, plain);
  EXPECT_EQ(f2[0].as_object().at("name"), json::value("Field 1"));
  EXPECT_EQ(f2[1].as_object().at("name"), json::value("Field 2"));
}

TEST_F(TablesRowsTest, CreateTableErrors) {
  auto c = client();
  auto ctx = NewAccount(c);
  std::string url = "/api/database/tables/database/" + std::to_string(ctx.database) + "/";
  auto a = ctx.account.auth();
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}, {"data", json::array{}}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"data":[{"error":"Ensure this field has at least 1 elements.","code":"min_length"}]}})");
  EXPECT_JSON(c.Post(url, json::object{{"data", json::array{json::array{"a"}}}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}, {"data", json::array{json::array{}}}}, {a}), 400,
              R"({"error":"ERROR_INVALID_INITIAL_TABLE_DATA","detail":"The provided table data must at least contain one row and one column."})");
  EXPECT_ERROR(c.Post(url, json::object{{"name", "x"}, {"data", json::array{json::array{"a", "a"}}}, {"first_row_header", true}}, {a}),
               400, "ERROR_INITIAL_TABLE_DATA_HAS_DUPLICATE_NAMES");
  EXPECT_ERROR(c.Post(url, json::object{{"name", "x"}, {"data", json::array{json::array{"id"}}}, {"first_row_header", true}}, {a}),
               400, "ERROR_RESERVED_BASEROW_FIELD_NAME");
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}, {"data", json::array{json::array{std::string(256, 'n')}}}, {"first_row_header", true}}, {a}),
              400, R"({"error":"ERROR_MAX_FIELD_NAME_LENGTH_EXCEEDED","detail":"You cannot set a field name longer than 255 characters."})");
  EXPECT_ERROR(c.Post(url, json::object{{"name", "x"}, {"data", json::array{json::array{" "}}}, {"first_row_header", true}}, {a}),
               400, "ERROR_INVALID_BASEROW_FIELD_NAME");
  EXPECT_ERROR(c.Post("/api/database/tables/database/999999/", json::object{{"name", "x"}}, {a}), 404,
               "ERROR_APPLICATION_DOES_NOT_EXIST");
  // Nothing was created by the refused requests.
  EXPECT_EQ(c.Get(url, {a}).json().as_array().size(), 2u);
  auto other = NewAccount(c, "Other");
  EXPECT_JSON(c.Post(url, json::object{{"name", "x"}}, {other.account.auth()}), 400, R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
  EXPECT_JSON(c.Get(url, {other.account.auth()}), 400, R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})");
}

TEST_F(TablesRowsTest, GetRenameDeleteAndOrderTables) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t3 = CreateTable(c, ctx, json::object{{"name", "Third"}});
  std::string path = "/api/database/tables/" + std::to_string(t3) + "/";
  EXPECT_EQ(c.Get(path, {a}).json().as_object().at("name"), json::value("Third"));
  EXPECT_EQ(c.Patch(path, json::object{{"name", "Renamed"}}, {a}).json().as_object().at("name"), json::value("Renamed"));
  EXPECT_JSON(c.Patch(path, json::object{{"name", ""}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"This field may not be blank.","code":"blank"}]}})");
  std::string list_url = "/api/database/tables/database/" + std::to_string(ctx.database) + "/";
  auto list = c.Get(list_url, {a}).json().as_array();
  int64_t t1 = list[0].as_object().at("id").as_int64(), t2 = list[1].as_object().at("id").as_int64();
  EXPECT_EQ(c.Post(list_url + "order/", json::object{{"table_ids", json::array{t3, t1}}}, {a}).status, 204);
  list = c.Get(list_url, {a}).json().as_array();
  EXPECT_EQ(list[0].as_object().at("id").as_int64(), t2);
  EXPECT_EQ(list[1].as_object().at("id").as_int64(), t3);
  EXPECT_EQ(list[2].as_object().at("id").as_int64(), t1);
  EXPECT_JSON(c.Post(list_url + "order/", json::object{{"table_ids", json::array{999999}}}, {a}), 400,
              R"({"error":"ERROR_TABLE_NOT_IN_DATABASE","detail":"The table id 999999 does not belong to the database."})");
  EXPECT_EQ(c.Delete(path, {a}).status, 204);
  const char* kMissing = R"({"error":"ERROR_TABLE_DOES_NOT_EXIST","detail":"The requested table does not exist."})";
  EXPECT_JSON(c.Get(path, {a}), 404, kMissing);
  EXPECT_JSON(c.Get(RowsUrl(t3), {a}), 404, kMissing);
  EXPECT_JSON(c.Get("/api/database/fields/table/" + std::to_string(t3) + "/", {a}), 404, kMissing);
  EXPECT_EQ(c.Get(list_url, {a}).json().as_array().size(), 2u);
  // A database created with init_with_data gets the example table.
  int64_t ws = c.Get("/api/workspaces/", {a}).json().as_array()[0].as_object().at("id").as_int64();
  auto app = c.Post("/api/applications/workspace/" + std::to_string(ws) + "/",
                    json::object{{"name", "Fresh"}, {"type", "database"}, {"init_with_data", true}}, {a});
  ASSERT_EQ(app.status, 200) << app.body;
  auto tables = app.json().as_object().at("tables").as_array();
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].as_object().at("name"), json::value("Table"));
}

TEST_F(TablesRowsTest, RowCrudAndOrderSemantics) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t = CreateTable(c, ctx, json::object{{"name", "Rows"}, {"data", json::array{json::array{"Name"}}}, {"first_row_header", true}});
  auto res = c.Post(RowsUrl(t, "?user_field_names=true"), json::object{{"Name", "one"}}, {a});
  EXPECT_JSON(res, 200, R"({"id":1,"order":"1.00000000000000000000","Name":"one"})");
  EXPECT_JSON(c.Post(RowsUrl(t, "?user_field_names=true"), json::object{{"Name", 123}, {"Unknown", "x"}}, {a}), 200,
              R"({"id":2,"order":"2.00000000000000000000","Name":"123"})");
  // Names are case-sensitive: a wrongly cased key is ignored.
  EXPECT_JSON(c.Post(RowsUrl(t, "?user_field_names=true"), json::object{{"name", "lower"}}, {a}), 200,
              R"({"id":3,"order":"3.00000000000000000000","Name":null})");
  EXPECT_JSON(c.Post(RowsUrl(t, "?user_field_names=true&before=3"), json::object{{"Name", "mid"}}, {a}), 200,
              R"({"id":4,"order":"2.50000000000000000000","Name":"mid"})");
  // Two rows before the row of order 2: Baserow's float artefact (pitfall 3).
  auto batch = c.Post(RowsUrl(t, "batch/?user_field_names=true&before=2"),
                      json::object{{"items", json::array{json::object{{"Name", "b1"}}, json::object{{"Name", "b2"}}}}}, {a});
  EXPECT_JSON(batch, 200, R"({"items":[{"id":5,"order":"1.50000000000000000000","Name":"b1"},
                                       {"id":6,"order":"1.66666666666666674068","Name":"b2"}]})");
  EXPECT_JSON(c.Get(RowsUrl(t, "4/?user_field_names=true"), {a}), 200, R"({"id":4,"order":"2.50000000000000000000","Name":"mid"})");
  EXPECT_JSON(c.Patch(RowsUrl(t, "4/?user_field_names=true"), json::object{{"Name", "middle"}}, {a}), 200,
              R"({"id":4,"order":"2.50000000000000000000","Name":"middle"})");
  // Move to the end: ceil(max) + 1, even when already last.
  EXPECT_JSON(c.Request("PATCH", RowsUrl(t, "1/move/?user_field_names=true"), "", {a}), 200,
              R"({"id":1,"order":"4.00000000000000000000","Name":"one"})");
  EXPECT_JSON(c.Request("PATCH", RowsUrl(t, "1/move/?user_field_names=true"), "", {a}), 200,
              R"({"id":1,"order":"5.00000000000000000000","Name":"one"})");
  EXPECT_JSON(c.Request("PATCH", RowsUrl(t, "1/move/?user_field_names=true&before_id=5"), "", {a}), 200,
              R"({"id":1,"order":"1.00000000000000000000","Name":"one"})");
  EXPECT_JSON(c.Request("PATCH", RowsUrl(t, "1/move/?before_id=x"), "", {a}), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"before_id":[{"error":"A valid integer is required.","code":"invalid"}]}})");
  EXPECT_ERROR(c.Request("PATCH", RowsUrl(t, "1/move/?before_id=999"), "", {a}), 404, "ERROR_ROW_DOES_NOT_EXIST");
  auto list = Rows(c, ctx, t, "?user_field_names=true").as_object().at("results").as_array();
  std::vector<int64_t> ids;
  for (const auto& r : list) ids.push_back(r.as_object().at("id").as_int64());
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 5, 6, 2, 4, 3}));
  auto del = c.Delete(RowsUrl(t, "4/"), {a});
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(del.body, "");
  EXPECT_ERROR(c.Get(RowsUrl(t, "4/"), {a}), 404, "ERROR_ROW_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Delete(RowsUrl(t, "4/"), {a}), 404, "ERROR_ROW_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Patch(RowsUrl(t, "4/"), json::object{}, {a}), 404, "ERROR_ROW_DOES_NOT_EXIST");
  EXPECT_EQ(Rows(c, ctx, t).as_object().at("count").as_int64(), 5);
  EXPECT_JSON(c.Post(RowsUrl(t, "?before=x"), json::object{}, {a}), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"before":[{"error":"A valid integer is required.","code":"invalid"}]}})");
  EXPECT_JSON(c.Post(RowsUrl(t, "?before=999"), json::object{}, {a}), 404,
              R"({"error":"ERROR_ROW_DOES_NOT_EXIST","detail":"The rows [999] do not exist."})");
}

TEST_F(TablesRowsTest, RowBodyValidation) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t = CreateTable(c, ctx, json::object{{"name", "V"}});
  auto fields = Fields(c, ctx, t);
  int64_t active = fields[2].as_object().at("id").as_int64();
  std::string key = "field_" + std::to_string(active);
  EXPECT_JSON(c.Request("POST", RowsUrl(t), R"("text")", {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"non_field_errors":[{"error":"Invalid data. Expected a dictionary, but got str.","code":"invalid"}]}})");
  EXPECT_JSON(c.Request("PATCH", RowsUrl(t, "1/"), R"("text")", {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"non_field_errors":[{"error":"Invalid data. Expected types are: dict, but got str.","code":"invalid"}]}})");
  EXPECT_JSON(c.Post(RowsUrl(t), json::object{{key, nullptr}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{")" + key + R"(":[{"error":"This field may not be null.","code":"null"}]}})");
  EXPECT_JSON(c.Post(RowsUrl(t), json::object{{key, "maybe"}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{")" + key + R"(":[{"error":"Must be a valid boolean.","code":"invalid"}]}})");
  EXPECT_EQ(Rows(c, ctx, t).as_object().at("count").as_int64(), 2);
  // Keys as plain digits name fields too.
  auto ok = c.Post(RowsUrl(t), json::object{{std::to_string(active), "yes"}}, {a});
  EXPECT_EQ(ok.json().as_object().at(key), json::value(true));
}

TEST_F(TablesRowsTest, BatchEndpoints) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t = CreateTable(c, ctx, json::object{{"name", "Batch"}});
  auto fields = Fields(c, ctx, t);
  std::string name_key = "field_" + std::to_string(fields[0].as_object().at("id").as_int64());
  std::string bool_key = "field_" + std::to_string(fields[2].as_object().at("id").as_int64());
  EXPECT_JSON(c.Post(RowsUrl(t, "batch/"), json::object{}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"items":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(RowsUrl(t, "batch/"), json::object{{"items", json::array{}}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"items":[{"error":"Ensure this field has at least 1 elements.","code":"min_length"}]}})");
  json::array many;
  for (int i = 0; i < 201; ++i) many.push_back(json::object{});
  EXPECT_JSON(c.Post(RowsUrl(t, "batch/"), json::object{{"items", many}}, {a}), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"items":[{"error":"Ensure this field has no more than 200 elements.","code":"max_length"}]}})");
  EXPECT_JSON(c.Post(RowsUrl(t, "batch/"), json::object{{"items", json::array{json::object{{bool_key, true}}, json::object{{bool_key, "x"}}}}}, {a}),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"items":{"1":{")" + bool_key +
                  R"(":[{"error":"Must be a valid boolean.","code":"invalid"}]}}}})");
  EXPECT_EQ(Rows(c, ctx, t).as_object().at("count").as_int64(), 2);  // all or nothing
  auto created = c.Post(RowsUrl(t, "batch/?include_metadata=true"),
                        json::object{{"items", json::array{json::object{{name_key, "x"}}, json::object{{name_key, "y"}}}}}, {a});
  ASSERT_EQ(created.status, 200) << created.body;
  auto meta = created.json().as_object().at("metadata").as_object().at("updated_field_ids").as_array();
  EXPECT_EQ(meta.size(), 3u);
  EXPECT_EQ(created.json().as_object().at("items").as_array()[1].as_object().at("order"), json::value("4.00000000000000000000"));

  EXPECT_JSON(c.Patch(RowsUrl(t, "batch/"), json::object{{"items", json::array{json::object{{"id", 32}}, json::object{{"id", 3465}}, json::object{{"id", 1}}}}}, {a}),
              404, R"({"error":"ERROR_ROW_DOES_NOT_EXIST","detail":"The rows [32, 3465] do not exist."})");
  EXPECT_JSON(c.Patch(RowsUrl(t, "batch/"), json::object{{"items", json::array{json::object{{"id", 999}}, json::object{{"id", 999}}}}}, {a}),
              400, R"({"error":"ERROR_ROW_IDS_NOT_UNIQUE","detail":"The provided row ids [999] are not unique."})");
  EXPECT_JSON(c.Patch(RowsUrl(t, "batch/"), json::object{{"items", json::array{json::object{{name_key, "no id"}}}}}, {a}),
              400, R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"items":{"0":{"id":[{"error":"This field is required.","code":"required"}]}}}})");
  auto updated = c.Patch(RowsUrl(t, "batch/?include_metadata=true"),
                         json::object{{"items", json::array{json::object{{"id", 2}, {name_key, "two"}}, json::object{{"id", 1}, {bool_key, true}}}}}, {a});
  ASSERT_EQ(updated.status, 200) << updated.body;
  auto items = updated.json().as_object().at("items").as_array();
  EXPECT_EQ(items[0].as_object().at("id").as_int64(), 2);
  EXPECT_EQ(items[0].as_object().at(name_key), json::value("two"));
  EXPECT_EQ(items[1].as_object().at(bool_key), json::value(true));
  EXPECT_EQ(updated.json().as_object().at("metadata").as_object().at("updated_field_ids").as_array().size(), 2u);

  EXPECT_JSON(c.Post(RowsUrl(t, "batch-delete/"), json::object{{"items", json::array{1, 1}}}, {a}), 400,
              R"({"error":"ERROR_ROW_IDS_NOT_UNIQUE","detail":"The provided row ids [1] are not unique."})");
  EXPECT_JSON(c.Post(RowsUrl(t, "batch-delete/"), json::object{{"items", json::array{1, 77}}}, {a}), 404,
              R"({"error":"ERROR_ROW_DOES_NOT_EXIST","detail":"The rows [77] do not exist."})");
  EXPECT_EQ(c.Post(RowsUrl(t, "batch-delete/"), json::object{{"items", json::array{1, 2}}}, {a}).status, 204);
  EXPECT_ERROR(c.Post(RowsUrl(t, "batch-delete/"), json::object{{"items", json::array{1}}}, {a}), 400,
               "ERROR_CANNOT_DELETE_ALREADY_DELETED_ITEM");
  EXPECT_EQ(Rows(c, ctx, t).as_object().at("count").as_int64(), 2);
}

TEST_F(TablesRowsTest, AdjacentAndNames) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t = CreateTable(c, ctx, json::object{{"name", "Adj"}, {"data", json::array{json::array{"a"}, json::array{"b"}, json::array{"c"}}}});
  EXPECT_EQ(c.Get(RowsUrl(t, "2/adjacent/"), {a}).json().as_object().at("id").as_int64(), 3);
  EXPECT_EQ(c.Get(RowsUrl(t, "2/adjacent/?previous=true"), {a}).json().as_object().at("id").as_int64(), 1);
  auto last = c.Get(RowsUrl(t, "3/adjacent/"), {a});
  EXPECT_EQ(last.status, 204);
  EXPECT_EQ(last.body, "");
  EXPECT_EQ(c.Get(RowsUrl(t, "1/adjacent/?search=c"), {a}).status, 404);
  auto names = c.Get("/api/database/rows/names/?table__" + std::to_string(t) + "=1,3,99", {a});
  EXPECT_JSON(names, 200, R"({")" + std::to_string(t) + R"(":{"1":"a","3":"c"}})");
  EXPECT_JSON(c.Get("/api/database/rows/names/?foo=1", {a}), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"foo":[{"error":"Only table Id prefixed by \"table__\" are allowed as parameter.","code":"invalid_parameter"}]}})");
}

TEST_F(TablesRowsTest, FullTextSearchMode) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t = CreateTable(c, ctx, json::object{{"name", "Docs"},
                                               {"data", json::array{json::array{"Title", "Body"},
                                                                    json::array{"Baserow 12 release", "alpha"},
                                                                    json::array{"Gridbase", "Base row twelve"},
                                                                    json::array{"Other", "baserowing"}}},
                                               {"first_row_header", true}});
  auto ids = [&](const std::string& query) {
    std::vector<int64_t> out;
    auto res = Rows(c, ctx, t, query).as_object();
    for (const auto& r : res.at("results").as_array()) out.push_back(r.as_object().at("id").as_int64());
    EXPECT_EQ(res.at("count").as_int64(), static_cast<int64_t>(out.size()));
    return out;
  };
  const std::string ft = "?search_mode=full-text-with-count&search=";
  // The last word is a prefix; punctuation separates words; words must be adjacent in one cell.
  EXPECT_EQ(ids(ft + "baserow"), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(ids(ft + "Base%26%5E%25row%201"), (std::vector<int64_t>{}));
  EXPECT_EQ(ids(ft + "base%20row%20tw"), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids(ft + "release%20alpha"), (std::vector<int64_t>{}));  // spans two cells
  EXPECT_EQ(ids(ft + "3"), (std::vector<int64_t>{3}));                // the row id rule
  EXPECT_EQ(ids(ft + "%21%21"), (std::vector<int64_t>{}));
  // Writes keep the index current; field changes rebuild it on the next search.
  ASSERT_EQ(c.Post(RowsUrl(t, "?user_field_names=true"), json::object{{"Title", "baserow again"}}, {a}).status, 200);
  EXPECT_EQ(ids(ft + "baserow"), (std::vector<int64_t>{1, 3, 4}));
  ASSERT_EQ(c.Patch(RowsUrl(t, "4/?user_field_names=true"), json::object{{"Title", "renamed"}}, {a}).status, 200);
  EXPECT_EQ(ids(ft + "baserow"), (std::vector<int64_t>{1, 3}));
  auto fields = Fields(c, ctx, t);
  ASSERT_EQ(c.Post("/api/database/fields/table/" + std::to_string(t) + "/", json::object{{"name", "Extra"}, {"type", "text"}, {"text_default", "zebra"}}, {a}).status, 200);
  EXPECT_EQ(ids(ft + "zebra"), (std::vector<int64_t>{1, 2, 3, 4}));
  // Compat mode: substring anywhere.
  EXPECT_EQ(ids("?search=serow"), (std::vector<int64_t>{1, 3}));
  EXPECT_JSON(c.Get(RowsUrl(t, "?search=x&search_mode=fuzzy"), {a}), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"search_mode":[{"error":"\"fuzzy\" is not a valid choice.","code":"invalid_choice"}]}})");
}

/// Replays random create/update/delete/move sequences against the server and an in-memory
/// model, comparing what list returns after every step.
TEST_F(TablesRowsTest, RandomisedOperationsMatchAModel) {
  auto c = client();
  auto ctx = NewAccount(c);
  auto a = ctx.account.auth();
  int64_t t = CreateTable(c, ctx, json::object{{"name", "Model"}, {"data", json::array{json::array{"Title"}}}, {"first_row_header", true}});
  struct ModelRow {
    std::string order;
    std::string title;
  };
  std::map<int64_t, ModelRow> model;
  std::mt19937 rng(12345);
  auto pick = [&]() {
    auto it = model.begin();
    std::advance(it, std::uniform_int_distribution<size_t>(0, model.size() - 1)(rng));
    return it->first;
  };
  auto remember = [&](const HttpResponse& res) {
    ASSERT_EQ(res.status, 200) << res.body;
    auto row = res.json().as_object();
    model[row.at("id").as_int64()] = {std::string(row.at("order").as_string()), std::string(row.at("Title").as_string())};
  };
  for (int step = 0; step < 120; ++step) {
    int op = std::uniform_int_distribution<int>(0, 9)(rng);
    std::string title = "t" + std::to_string(step);
    if (model.empty() || op < 3) {
      remember(c.Post(RowsUrl(t, "?user_field_names=true"), json::object{{"Title", title}}, {a}));
    } else if (op < 5) {
      remember(c.Post(RowsUrl(t, "?user_field_names=true&before=" + std::to_string(pick())), json::object{{"Title", title}}, {a}));
    } else if (op < 7) {
      remember(c.Patch(RowsUrl(t, std::to_string(pick()) + "/?user_field_names=true"), json::object{{"Title", title}}, {a}));
    } else if (op < 8) {
      int64_t id = pick();
      ASSERT_EQ(c.Delete(RowsUrl(t, std::to_string(id) + "/"), {a}).status, 204);
      model.erase(id);
    } else {
      int64_t id = pick();
      std::string q = std::uniform_int_distribution<int>(0, 1)(rng) ? "" : "&before_id=" + std::to_string(pick());
      remember(c.Request("PATCH", RowsUrl(t, std::to_string(id) + "/move/?user_field_names=true" + q), "", {a}));
    }
    if (step % 10 != 9) continue;
    // Expected: sorted by (order as a number, id).
    std::vector<std::pair<std::pair<double, int64_t>, ModelRow>> expected;
    for (const auto& [id, row] : model) expected.push_back({{std::stod(row.order), id}, row});
    std::sort(expected.begin(), expected.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    std::vector<json::value> actual;
    for (int page = 1;; ++page) {
      auto res = Rows(c, ctx, t, "?user_field_names=true&size=7&page=" + std::to_string(page)).as_object();
      EXPECT_EQ(res.at("count").as_int64(), static_cast<int64_t>(model.size()));
      for (const auto& r : res.at("results").as_array()) actual.push_back(r);
      if (res.at("next").is_null()) break;
    }
    ASSERT_EQ(actual.size(), expected.size()) << "step " << step;
    for (size_t i = 0; i < expected.size(); ++i) {
      const auto& row = actual[i].as_object();
      EXPECT_EQ(row.at("id").as_int64(), expected[i].first.second) << "step " << step << " position " << i;
      EXPECT_EQ(row.at("order"), json::value(expected[i].second.order));
      EXPECT_EQ(row.at("Title"), json::value(expected[i].second.title));
    }
  }
}

}  // namespace
}  // namespace gbtest
