// API tests: field endpoints, every supported field type's props and cell formats, field
// constraints and type conversions (fields.md §1–§6, pitfalls.md 6–9 and 36–41).
#include <regex>
#include <set>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

std::string S(int64_t v) { return std::to_string(v); }
std::string K(int64_t field_id) { return "field_" + S(field_id); }
std::string FieldUrl(int64_t field_id) { return "/api/database/fields/" + S(field_id) + "/"; }
std::string FieldsUrl(int64_t table_id) { return "/api/database/fields/table/" + S(table_id) + "/"; }
std::string RowsUrl(int64_t table_id) { return "/api/database/rows/table/" + S(table_id) + "/"; }
std::string RowUrl(int64_t table_id, int64_t row_id) { return RowsUrl(table_id) + S(row_id) + "/"; }
json::value Str(const std::string& s) { return json::value(s); }
// The body of a 400 ERROR_REQUEST_BODY_VALIDATION with one error for `key`.
std::string Invalid(const std::string& key, const std::string& error, const std::string& code) {
  json::object item{{"error", error}, {"code", code}};
  return serialize(json::object{{"error", "ERROR_REQUEST_BODY_VALIDATION"}, {"detail", json::object{{key, json::array{item}}}}});
}

const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
const std::regex kDateTime(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$)");
const std::regex kDate(R"(^\d{4}-\d{2}-\d{2}$)");
const char* kNotInGroup = R"({"error":"ERROR_USER_NOT_IN_GROUP","detail":""})";

bool Matches(const json::value& v, const std::regex& re) {
  return v.is_string() && std::regex_match(std::string(v.as_string()), re);
}

// A table created from data: a primary text field "Field 1" and one row per data line.
struct Table {
  int64_t id = 0, primary = 0, database = 0, workspace = 0;
  std::vector<int64_t> rows;
};

class FieldTypesApiTest : public ApiTest {
 protected:
  void SetUp() override { a_ = SignUp(c_, "Fields", UniqueEmail("fields")); }

  std::vector<std::string> Auth() const { return {a_.auth()}; }

  Table MakeTable(size_t rows, const std::string& name = "T") {
    Table t;
    auto app = c_.Get("/api/applications/", Auth()).json().as_array().at(0).as_object();
    t.database = app.at("id").as_int64();
    t.workspace = app.at("workspace").as_object().at("id").as_int64();
    json::array data;
    for (size_t i = 0; i < rows; ++i) data.push_back(json::array{"r" + S(static_cast<int64_t>(i + 1))});
    if (rows == 0) data.push_back(json::array{"Field 1"});
    auto res = c_.Post("/api/database/tables/database/" + S(t.database) + "/",
                       json::object{{"name", name}, {"data", data}, {"first_row_header", rows == 0}}, Auth());
    EXPECT_EQ(res.status, 200) << res.body;
    t.id = res.json().as_object().at("id").as_int64();
    t.primary = c_.Get(FieldsUrl(t.id), Auth()).json().as_array().at(0).as_object().at("id").as_int64();
    auto rows_json = c_.Get(RowsUrl(t.id) + "?size=200", Auth()).json();
    for (const auto& r : rows_json.as_object().at("results").as_array())
      t.rows.push_back(r.as_object().at("id").as_int64());
    return t;
  }

  json::object AddField(const Table& t, const json::object& body) {
    auto res = c_.Post(FieldsUrl(t.id), body, Auth());
    EXPECT_EQ(res.status, 200) << serialize(body) << " -> " << res.body;
    return res.status == 200 ? res.json().as_object() : json::object{};
  }
  int64_t AddFieldId(const Table& t, const json::object& body) {
    auto f = AddField(t, body);
    return f.contains("id") ? f.at("id").as_int64() : 0;
  }

  // The field object of §2 with the given type props, as returned by create/update.
  json::object Expected(const Table& t, const json::object& got, const std::string& name, const std::string& type,
                        bool read_only, std::string_view props) {
    json::object e{{"id", got.contains("id") ? got.at("id") : json::value(nullptr)},
                   {"table_id", t.id},
                   {"name", name},
                   {"order", got.contains("order") ? got.at("order") : json::value(nullptr)},
                   {"type", type},
                   {"primary", false},
                   {"read_only", read_only},
                   {"immutable_type", false},
                   {"immutable_properties", false},
                   {"description", nullptr},
                   {"database_id", t.database},
                   {"workspace_id", t.workspace},
                   {"db_index", false},
                   {"field_constraints", json::array{}},
                   {"related_fields", json::array{}}};
    auto extra = J(props);
    for (const auto& kv : extra.as_object()) e[kv.key()] = kv.value();
    return e;
  }

  HttpResponse NewField(const Table& t, const json::object& body) { return c_.Post(FieldsUrl(t.id), body, Auth()); }
  HttpResponse PostRow(const Table& t, const json::object& body) { return c_.Post(RowsUrl(t.id), body, Auth()); }
  HttpResponse PatchRow(const Table& t, int64_t row, const json::object& body) {
    return c_.Patch(RowUrl(t.id, row), body, Auth());
  }
  static json::value Cell(const HttpResponse& res, int64_t field) {
    auto j = res.json();
    auto* v = j.is_object() ? j.as_object().if_contains(K(field)) : nullptr;
    return v ? *v : json::value("<missing>");
  }

  // `input` written through POST (new row) and PATCH (first row) reads back as `expected`, also on GET.
  void RoundTrip(const Table& t, int64_t field, const json::value& input, std::string_view expected) {
    SCOPED_TRACE("input " + serialize(input));
    auto created = PostRow(t, json::object{{K(field), input}});
    ASSERT_EQ(created.status, 200) << created.body;
    EXPECT_EQ(Cell(created, field), J(expected)) << created.body;
    auto updated = PatchRow(t, t.rows.at(0), json::object{{K(field), input}});
    ASSERT_EQ(updated.status, 200) << updated.body;
    EXPECT_EQ(Cell(updated, field), J(expected)) << updated.body;
    EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows.at(0)), Auth()), field), J(expected));
  }

  // POST and PATCH both answer 400 ERROR_REQUEST_BODY_VALIDATION with a per-field error;
  // `code` (and `message`) are checked when given.
  void RejectsField(const Table& t, int64_t field, const json::value& input, const std::string& code = "",
                    const std::string& message = "") {
    SCOPED_TRACE("input " + serialize(input));
    for (const auto& res : {PostRow(t, json::object{{K(field), input}}),
                            PatchRow(t, t.rows.at(0), json::object{{K(field), input}})}) {
      EXPECT_ERROR(res, 400, "ERROR_REQUEST_BODY_VALIDATION");
      auto detail = res.json().as_object().at("detail");
      ASSERT_TRUE(detail.is_object()) << res.body;
      auto* errs = detail.as_object().if_contains(K(field));
      ASSERT_TRUE(errs && errs->is_array() && !errs->as_array().empty()) << res.body;
      const auto& first = errs->as_array()[0].as_object();
      if (!code.empty()) {
        EXPECT_EQ(first.at("code"), json::value(code)) << res.body;
      }
      if (!message.empty()) {
        EXPECT_EQ(first.at("error"), json::value(message)) << res.body;
      }
    }
  }
  // POST and PATCH both answer 400 ERROR_REQUEST_BODY_VALIDATION with a plain-string detail.
  void RejectsWithDetail(const Table& t, int64_t field, const json::value& input, const std::string& detail) {
    SCOPED_TRACE("input " + serialize(input));
    json::object expected{{"error", "ERROR_REQUEST_BODY_VALIDATION"}, {"detail", detail}};
    EXPECT_JSON(PostRow(t, json::object{{K(field), input}}), 400, serialize(expected));
    EXPECT_JSON(PatchRow(t, t.rows.at(0), json::object{{K(field), input}}), 400, serialize(expected));
  }

  // Values of a field for every row, in row order.
  json::array Column(const Table& t, int64_t field) {
    json::array out;
    auto res = c_.Get(RowsUrl(t.id) + "?size=200", Auth());
    EXPECT_EQ(res.status, 200) << res.body;
    auto body = res.json();
    for (const auto& r : body.as_object().at("results").as_array()) {
      auto* v = r.as_object().if_contains(K(field));
      out.push_back(v ? *v : json::value("<missing>"));
    }
    return out;
  }

  // A fresh table with one row per value, a `source` field holding the values; the field is
  // then PATCHed with `change` and the column is read back.
  json::array Convert(const json::object& source, const json::array& values, const json::object& change,
                      json::object* converted = nullptr) {
    Table t = MakeTable(values.size());
    int64_t f = AddFieldId(t, source);
    for (size_t i = 0; i < values.size(); ++i) {
      auto res = PatchRow(t, t.rows[i], json::object{{K(f), values[i]}});
      EXPECT_EQ(res.status, 200) << "seeding " << serialize(values[i]) << ": " << res.body;
    }
    auto res = c_.Patch(FieldUrl(f), change, Auth());
    EXPECT_EQ(res.status, 200) << serialize(change) << " -> " << res.body;
    if (res.status == 200 && change.contains("type")) {
      EXPECT_EQ(res.json().as_object().at("type"), change.at("type"));
    }
    if (converted && res.status == 200) *converted = res.json().as_object();
    return Column(t, f);
  }

  HttpClient c_ = client();
  Account a_;
};

// ---------------------------------------------------------------------------------------
// Field endpoints (§1, §2)
// ---------------------------------------------------------------------------------------

TEST_F(FieldTypesApiTest, CreateListGetFieldObject) {
  Table t = MakeTable(2);
  auto fields = c_.Get(FieldsUrl(t.id), Auth()).json().as_array();
  ASSERT_EQ(fields.size(), 1u);
  auto primary = fields[0].as_object();
  EXPECT_EQ(json::value(primary),
            J(R"({"id":)" + S(t.primary) + R"(,"table_id":)" + S(t.id) + R"(,"name":"Field 1","order":)" +
              serialize(primary.at("order")) + R"(,"type":"text","primary":true,"read_only":false,
              "immutable_type":false,"immutable_properties":false,"description":null,"database_id":)" +
              S(t.database) + R"(,"workspace_id":)" + S(t.workspace) +
              R"(,"db_index":false,"field_constraints":[],"text_default":""})"));
  int64_t max_order = primary.at("order").as_int64();

  // Name is trimmed, description stored, read_only/immutable_* cannot be set, order = max + 1.
  auto b = AddField(t, json::object{{"name", "  Beta  "}, {"type", "text"}, {"description", "about"},
                                    {"read_only", true}, {"immutable_type", true}, {"immutable_properties", true}});
  auto eb = Expected(t, b, "Beta", "text", false, R"({"text_default":""})");
  eb["description"] = "about";
  EXPECT_EQ(json::value(b), json::value(eb));
  EXPECT_EQ(b.at("order").as_int64(), max_order + 1);
  auto a = AddField(t, json::object{{"name", "Alpha"}, {"type", "text"}, {"db_index", true}});
  auto ea = Expected(t, a, "Alpha", "text", false, R"({"text_default":""})");
  ea["db_index"] = true;
  EXPECT_EQ(json::value(a), json::value(ea));
  EXPECT_EQ(a.at("order").as_int64(), max_order + 2);

  // List: primary first, then ascending order. GET returns the object without related_fields.
  auto list = c_.Get(FieldsUrl(t.id), Auth());
  ASSERT_EQ(list.status, 200);
  std::vector<std::string> names;
  auto list_json = list.json();
  for (const auto& f : list_json.as_array()) names.push_back(std::string(f.as_object().at("name").as_string()));
  EXPECT_EQ(names, (std::vector<std::string>{"Field 1", "Beta", "Alpha"}));
  eb.erase("related_fields");
  EXPECT_JSON(c_.Get(FieldUrl(b.at("id").as_int64()), Auth()), 200, serialize(eb));

  // Create validation.
  EXPECT_JSON(NewField(t, json::object{{"name", "x"}, {"type", "nope"}}), 400,
              Invalid("type", R"("nope" is not a valid choice.)", "invalid_choice"));
  EXPECT_JSON(NewField(t, json::object{{"name", "x"}}), 400, Invalid("type", R"(This field is required.)", "required"));
  EXPECT_JSON(NewField(t, json::object{{"type", "text"}}), 400,
              Invalid("name", R"(This field is required.)", "required"));
  EXPECT_JSON(NewField(t, json::object{{"name", "   "}, {"type", "text"}}), 400,
              Invalid("name", R"(This field may not be blank.)", "blank"));
  EXPECT_JSON(NewField(t, json::object{{"name", std::string(256, 'n')}, {"type", "text"}}), 400,
              Invalid("name", R"(Ensure this field has no more than 255 characters.)", "max_length"));
  EXPECT_ERROR(NewField(t, json::object{{"name", "Beta"}, {"type", "text"}}), 400,
               "ERROR_FIELD_WITH_SAME_NAME_ALREADY_EXISTS");
  EXPECT_ERROR(NewField(t, json::object{{"name", "id"}, {"type", "text"}}), 400, "ERROR_RESERVED_BASEROW_FIELD_NAME");
  EXPECT_ERROR(NewField(t, json::object{{"name", "order"}, {"type", "number"}}), 400,
               "ERROR_RESERVED_BASEROW_FIELD_NAME");
  EXPECT_ERROR(NewField(t, json::object{{"name", "Dur"}, {"type", "duration"}, {"db_index", true}}),
               400, "ERROR_DB_INDEX_NOT_SUPPORTED");
  // Names are case-sensitive.
  EXPECT_EQ(NewField(t, json::object{{"name", "beta"}, {"type", "text"}}).status, 200);
  EXPECT_ERROR(c_.Get(FieldsUrl(999999), Auth()), 404, "ERROR_TABLE_DOES_NOT_EXIST");
  EXPECT_ERROR(c_.Post(FieldsUrl(999999), json::object{{"name", "x"}, {"type", "text"}}, Auth()), 404,
               "ERROR_TABLE_DOES_NOT_EXIST");
  EXPECT_ERROR(c_.Get(FieldUrl(999999), Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
}

TEST_F(FieldTypesApiTest, UpdateRenameAndNameRules) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Notes"}, {"type", "text"}});
  int64_t id = f.at("id").as_int64();
  AddField(t, json::object{{"name", "Other"}, {"type", "text"}});
  auto res = c_.Patch(FieldUrl(id), json::object{{"name", "Remarks"}, {"description", "d"}}, Auth());
  auto e = Expected(t, f, "Remarks", "text", false, R"({"text_default":""})");
  e["description"] = "d";
  EXPECT_JSON(res, 200, serialize(e));
  // Renaming to the current name is allowed; an empty body changes nothing.
  EXPECT_JSON(c_.Patch(FieldUrl(id), json::object{{"name", "Remarks"}}, Auth()), 200, serialize(e));
  EXPECT_JSON(c_.Patch(FieldUrl(id), json::object{}, Auth()), 200, serialize(e));
  EXPECT_ERROR(c_.Patch(FieldUrl(id), json::object{{"name", "Other"}}, Auth()), 400,
               "ERROR_FIELD_WITH_SAME_NAME_ALREADY_EXISTS");
  EXPECT_ERROR(c_.Patch(FieldUrl(id), json::object{{"name", "Field 1"}}, Auth()), 400,
               "ERROR_FIELD_WITH_SAME_NAME_ALREADY_EXISTS");
  EXPECT_ERROR(c_.Patch(FieldUrl(id), json::object{{"name", "id"}}, Auth()), 400, "ERROR_RESERVED_BASEROW_FIELD_NAME");
  EXPECT_ERROR(c_.Patch(FieldUrl(id), json::object{{"name", "order"}}, Auth()), 400,
               "ERROR_RESERVED_BASEROW_FIELD_NAME");
  EXPECT_JSON(c_.Patch(FieldUrl(id), json::object{{"name", std::string(256, 'n')}}, Auth()), 400,
              Invalid("name", R"(Ensure this field has no more than 255 characters.)", "max_length"));
  EXPECT_JSON(c_.Patch(FieldUrl(id), json::object{{"type", "bogus"}}, Auth()), 400,
              Invalid("type", R"("bogus" is not a valid choice.)", "invalid_choice"));
  EXPECT_ERROR(c_.Patch(FieldUrl(999999), json::object{{"name", "x"}}, Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
  e.erase("related_fields");
  EXPECT_JSON(c_.Get(FieldUrl(id), Auth()), 200, serialize(e));
  // The primary field cannot become a type that cannot be primary (§4).
  EXPECT_ERROR(c_.Patch(FieldUrl(t.primary), json::object{{"type", "password"}}, Auth()), 400,
               "ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE");
  EXPECT_ERROR(c_.Patch(FieldUrl(t.primary), json::object{{"type", "long_text"}, {"long_text_enable_rich_text", true}},
                        Auth()),
               400, "ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE");
}

TEST_F(FieldTypesApiTest, DeleteField) {
  Table t = MakeTable(1);
  int64_t id = AddFieldId(t, json::object{{"name", "Gone"}, {"type", "number"}});
  EXPECT_JSON(c_.Delete(FieldUrl(id), Auth()), 200, R"({"related_fields":[]})");
  EXPECT_ERROR(c_.Get(FieldUrl(id), Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
  EXPECT_ERROR(c_.Delete(FieldUrl(id), Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
  EXPECT_ERROR(c_.Patch(FieldUrl(id), json::object{{"name", "x"}}, Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
  auto row = c_.Get(RowUrl(t.id, t.rows[0]), Auth()).json().as_object();
  EXPECT_FALSE(row.contains(K(id)));
  // The name is free again.
  EXPECT_EQ(NewField(t, json::object{{"name", "Gone"}, {"type", "text"}}).status, 200);
  EXPECT_ERROR(c_.Delete(FieldUrl(t.primary), Auth()), 400, "ERROR_CANNOT_DELETE_PRIMARY_FIELD");
  EXPECT_EQ(c_.Get(FieldUrl(t.primary), Auth()).status, 200);
}

TEST_F(FieldTypesApiTest, ChangePrimaryField) {
  Table t = MakeTable(1);
  Table other = MakeTable(1, "Other");
  auto num = AddField(t, json::object{{"name", "Num"}, {"type", "number"}});
  int64_t pw = AddFieldId(t, json::object{{"name", "Secret"}, {"type", "password"}});
  int64_t rich = AddFieldId(t, json::object{{"name", "Rich"}, {"type", "long_text"}, {"long_text_enable_rich_text", true}});
  std::string url = FieldsUrl(t.id) + "change-primary-field/";
  auto res = c_.Post(url, json::object{{"new_primary_field_id", num.at("id")}}, Auth());
  ASSERT_EQ(res.status, 200) << res.body;
  auto got = res.json().as_object();
  auto e = Expected(t, num, "Num", "number", false,
                    R"({"number_decimal_places":0,"number_negative":false,"number_prefix":"","number_suffix":"",
                        "number_separator":"","number_default":null})");
  e["primary"] = true;
  auto old_primary = c_.Get(FieldUrl(t.primary), Auth()).json().as_object();
  EXPECT_EQ(old_primary.at("primary"), json::value(false));
  e["related_fields"] = json::array{old_primary};
  EXPECT_EQ(json::value(got), json::value(e));
  auto list = c_.Get(FieldsUrl(t.id), Auth()).json().as_array();
  EXPECT_EQ(list.at(0).as_object().at("id"), num.at("id"));

  EXPECT_ERROR(c_.Post(url, json::object{{"new_primary_field_id", num.at("id")}}, Auth()), 400,
               "ERROR_FIELD_IS_ALREADY_PRIMARY");
  EXPECT_ERROR(c_.Post(url, json::object{{"new_primary_field_id", pw}}, Auth()), 400,
               "ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE");
  EXPECT_ERROR(c_.Post(url, json::object{{"new_primary_field_id", rich}}, Auth()), 400,
               "ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE");
  EXPECT_ERROR(c_.Post(url, json::object{{"new_primary_field_id", other.primary}}, Auth()), 400,
               "ERROR_FIELD_NOT_IN_TABLE");
  EXPECT_ERROR(c_.Post(url, json::object{{"new_primary_field_id", 999999}}, Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
  EXPECT_JSON(c_.Post(url, json::object{}, Auth()), 400,
              Invalid("new_primary_field_id", R"(This field is required.)", "required"));
  EXPECT_ERROR(c_.Post(FieldsUrl(999999) + "change-primary-field/", json::object{{"new_primary_field_id", pw}}, Auth()),
               404, "ERROR_TABLE_DOES_NOT_EXIST");
  // The former primary field can now be deleted, the new one cannot.
  EXPECT_ERROR(c_.Delete(FieldUrl(num.at("id").as_int64()), Auth()), 400, "ERROR_CANNOT_DELETE_PRIMARY_FIELD");
  EXPECT_JSON(c_.Delete(FieldUrl(t.primary), Auth()), 200, R"({"related_fields":[]})");
}

TEST_F(FieldTypesApiTest, AnotherUsersTableIsRefused) {
  Table t = MakeTable(1);
  auto other = SignUp(c_, "Intruder", UniqueEmail("intruder"));
  std::vector<std::string> h{other.auth()};
  EXPECT_JSON(c_.Get(FieldsUrl(t.id), h), 400, kNotInGroup);
  EXPECT_JSON(c_.Post(FieldsUrl(t.id), json::object{{"name", "x"}, {"type", "text"}}, h), 400, kNotInGroup);
  EXPECT_JSON(c_.Get(FieldUrl(t.primary), h), 400, kNotInGroup);
  EXPECT_JSON(c_.Patch(FieldUrl(t.primary), json::object{{"name", "mine"}}, h), 400, kNotInGroup);
  EXPECT_JSON(c_.Delete(FieldUrl(t.primary), h), 400, kNotInGroup);
  EXPECT_JSON(c_.Get(FieldUrl(t.primary) + "unique_row_values/", h), 400, kNotInGroup);
  EXPECT_JSON(c_.Post(FieldsUrl(t.id) + "change-primary-field/", json::object{{"new_primary_field_id", t.primary}}, h),
              400, kNotInGroup);
  EXPECT_EQ(c_.Get(FieldUrl(t.primary), Auth()).json().as_object().at("name"), json::value("Field 1"));
  EXPECT_EQ(c_.Get(FieldsUrl(t.id)).status, 401);
}

TEST_F(FieldTypesApiTest, UniqueRowValues) {
  Table t = MakeTable(7);
  const char* values[] = {"B", "C", "B", "A", "", "B", "C"};
  for (size_t i = 0; i < 7; ++i) ASSERT_EQ(PatchRow(t, t.rows[i], json::object{{K(t.primary), values[i]}}).status, 200);
  std::string url = FieldUrl(t.primary) + "unique_row_values/";
  EXPECT_JSON(c_.Get(url, Auth()), 200, R"({"values":["B","C","A"]})");
  EXPECT_JSON(c_.Get(url + "?limit=2", Auth()), 200, R"({"values":["B","C"]})");
  EXPECT_JSON(c_.Get(url + "?limit=0", Auth()), 200, R"({"values":["B","C","A"]})");
  // Split on commas, trimmed.
  int64_t tags = AddFieldId(t, json::object{{"name", "Tags"}, {"type", "text"}});
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(tags), "x, y"}}).status, 200);
  ASSERT_EQ(PatchRow(t, t.rows[1], json::object{{K(tags), "x"}}).status, 200);
  EXPECT_JSON(c_.Get(FieldUrl(tags) + "unique_row_values/?split_comma_separated=true", Auth()), 200,
              R"({"values":["x","y"]})");
  // Rendered as text like a conversion to text would.
  int64_t num = AddFieldId(t, json::object{{"name", "N"}, {"type", "number"}, {"number_decimal_places", 1}});
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(num), 2}}).status, 200);
  EXPECT_JSON(c_.Get(FieldUrl(num) + "unique_row_values/", Auth()), 200, R"({"values":["2.0"]})");
  for (const char* type : {"multiple_select", "password"}) {
    int64_t f = AddFieldId(t, json::object{{"name", type}, {"type", type}});
    EXPECT_ERROR(c_.Get(FieldUrl(f) + "unique_row_values/", Auth()), 400,
                 "ERROR_INCOMPATIBLE_FIELD_TYPE_FOR_UNIQUE_VALUES");
  }
  EXPECT_ERROR(c_.Get(FieldUrl(999999) + "unique_row_values/", Auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
}

// ---------------------------------------------------------------------------------------
// Field types (§3): props, accepted inputs, rejections, defaults
// ---------------------------------------------------------------------------------------

TEST_F(FieldTypesApiTest, TextType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Title"}, {"type", "text"}, {"text_default", "dflt"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Title", "text", false, R"({"text_default":"dflt"})")));
  int64_t id = f.at("id").as_int64();
  EXPECT_EQ(Column(t, id), J(R"(["dflt"])"));  // existing rows receive the default
  RoundTrip(t, id, "hello", R"("hello")");
  RoundTrip(t, id, "", R"("")");
  RoundTrip(t, id, nullptr, "null");
  RoundTrip(t, id, 123, R"("123")");  // pitfall 7
  RoundTrip(t, id, Str(std::string(1000, 'x')), "\"" + std::string(1000, 'x') + "\"");
  // Pitfall 9: the default applies only when the key is omitted.
  EXPECT_EQ(Cell(PostRow(t, json::object{}), id), J(R"("dflt")"));
  EXPECT_EQ(Cell(PostRow(t, json::object{{K(id), nullptr}}), id), J("null"));
  EXPECT_JSON(c_.Post(FieldsUrl(t.id), json::object{{"name", "Long"}, {"type", "text"}, {"text_default", std::string(256, 'd')}},
                      Auth()),
              400, Invalid("text_default", R"(Ensure this field has no more than 255 characters.)", "max_length"));
  auto plain = AddField(t, json::object{{"name", "Plain"}, {"type", "text"}});
  EXPECT_EQ(json::value(plain), json::value(Expected(t, plain, "Plain", "text", false, R"({"text_default":""})")));
}

TEST_F(FieldTypesApiTest, LongTextType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Body"}, {"type", "long_text"}});
  EXPECT_EQ(json::value(f),
            json::value(Expected(t, f, "Body", "long_text", false, R"({"long_text_enable_rich_text":false})")));
  int64_t id = f.at("id").as_int64();
  EXPECT_EQ(Column(t, id), J("[null]"));
  RoundTrip(t, id, "line 1\nline 2", R"("line 1\nline 2")");
  RoundTrip(t, id, "", R"("")");
  RoundTrip(t, id, nullptr, "null");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), id), J("null"));
  auto rich = AddField(t, json::object{{"name", "Rich"}, {"type", "long_text"}, {"long_text_enable_rich_text", true}});
  EXPECT_EQ(json::value(rich),
            json::value(Expected(t, rich, "Rich", "long_text", false, R"({"long_text_enable_rich_text":true})")));
  RoundTrip(t, rich.at("id").as_int64(), "**bold**", R"("**bold**")");
}

TEST_F(FieldTypesApiTest, UrlEmailPhoneTypes) {
  Table t = MakeTable(1);
  auto url = AddField(t, json::object{{"name", "Site"}, {"type", "url"}});
  auto email = AddField(t, json::object{{"name", "Mail"}, {"type", "email"}});
  auto phone = AddField(t, json::object{{"name", "Tel"}, {"type", "phone_number"}});
  EXPECT_EQ(json::value(url), json::value(Expected(t, url, "Site", "url", false, "{}")));
  EXPECT_EQ(json::value(email), json::value(Expected(t, email, "Mail", "email", false, "{}")));
  EXPECT_EQ(json::value(phone), json::value(Expected(t, phone, "Tel", "phone_number", false, "{}")));
  int64_t u = url.at("id").as_int64(), e = email.at("id").as_int64(), p = phone.at("id").as_int64();
  for (int64_t f : {u, e, p}) EXPECT_EQ(Column(t, f), J(R"([""])"));
  for (int64_t f : {u, e, p}) {
    RoundTrip(t, f, "", R"("")");
    RoundTrip(t, f, nullptr, R"("")");  // pitfall 8: null is stored as ""
    EXPECT_EQ(Cell(PostRow(t, json::object{}), f), J(R"("")"));
    EXPECT_EQ(Cell(PostRow(t, json::object{{K(f), nullptr}}), f), J(R"("")"));
  }
  RoundTrip(t, u, "https://baserow.io/path?x=1", R"("https://baserow.io/path?x=1")");
  RoundTrip(t, u, "baserow.io", R"("baserow.io")");
  RejectsField(t, u, "not a url");
  RejectsField(t, u, "nodot");
  RoundTrip(t, e, "test@example.com", R"("test@example.com")");
  RejectsField(t, e, "invalid");
  RejectsField(t, e, "a@");
  RejectsField(t, e, Str(std::string(250, 'a') + "@b.io"));  // 255 chars > 254
  RoundTrip(t, p, "+1 (555) 123-4567", R"("+1 (555) 123-4567")");
  RoundTrip(t, p, Str(std::string(100, '1')), "\"" + std::string(100, '1') + "\"");
  RejectsField(t, p, "abc");
  RejectsField(t, p, Str(std::string(101, '1')));
}

TEST_F(FieldTypesApiTest, NumberType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Qty"}, {"type", "number"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Qty", "number", false,
                                                 R"({"number_decimal_places":0,"number_negative":false,"number_prefix":"",
                                                     "number_suffix":"","number_separator":"","number_default":null})")));
  int64_t n = f.at("id").as_int64();
  EXPECT_EQ(Column(t, n), J("[null]"));
  RoundTrip(t, n, 10, R"("10")");
  RoundTrip(t, n, "42", R"("42")");
  RoundTrip(t, n, nullptr, "null");
  RoundTrip(t, n, "", "null");  // pitfall 7
  RoundTrip(t, n, Str(std::string(50, '9')), "\"" + std::string(50, '9') + "\"");
  RejectsField(t, n, Str(std::string(51, '9')), "max_digits");  // pitfall 6
  RejectsField(t, n, -1, "min_value");
  RejectsField(t, n, 1.5, "max_decimal_places");
  RejectsField(t, n, "abc");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), n), J("null"));

  auto g = AddField(t, json::object{{"name", "Price"}, {"type", "number"}, {"number_decimal_places", 2},
                                    {"number_negative", true}, {"number_prefix", "$"}, {"number_suffix", "USD"},
                                    {"number_separator", "COMMA_PERIOD"}, {"number_default", 100}});
  EXPECT_EQ(json::value(g), json::value(Expected(t, g, "Price", "number", false,
                                                 R"({"number_decimal_places":2,"number_negative":true,"number_prefix":"$",
                                                     "number_suffix":"USD","number_separator":"COMMA_PERIOD",
                                                     "number_default":"100.00000000000000000000"})")));
  int64_t p = g.at("id").as_int64();
  EXPECT_EQ(Column(t, p).at(0), J(R"("100.00")"));
  RoundTrip(t, p, 1.5, R"("1.50")");
  RoundTrip(t, p, "-1.2", R"("-1.20")");
  RoundTrip(t, p, 12.22, R"("12.22")");
  RoundTrip(t, p, "12345678901234567.89", R"("12345678901234567.89")");  // exact decimal, not a double
  RoundTrip(t, p, Str(std::string(50, '9') + ".99"), "\"" + std::string(50, '9') + ".99\"");
  RejectsField(t, p, Str(std::string(51, '9')));
  RejectsField(t, p, 1.234, "max_decimal_places");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), p), J(R"("100.00")"));
  EXPECT_EQ(Cell(PostRow(t, json::object{{K(p), nullptr}}), p), J("null"));

  EXPECT_JSON(NewField(t, json::object{{"name", "X"}, {"type", "number"}, {"number_decimal_places", 11}}),
              400, Invalid("number_decimal_places", R"("11" is not a valid choice.)", "invalid_choice"));
  EXPECT_JSON(NewField(t, json::object{{"name", "X"}, {"type", "number"}, {"number_separator", "DOTS"}}),
              400, Invalid("number_separator", R"("DOTS" is not a valid choice.)", "invalid_choice"));
  EXPECT_JSON(NewField(t, json::object{{"name", "X"}, {"type", "number"}, {"number_prefix", "12345678901"}}),
              400, Invalid("number_prefix", R"(Ensure this field has no more than 10 characters.)", "max_length"));
  EXPECT_ERROR(NewField(t, json::object{{"name", "X"}, {"type", "number"}, {"number_type", "DECIMAL"}}),
               400, "ERROR_REQUEST_BODY_VALIDATION");
}

TEST_F(FieldTypesApiTest, RatingType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Stars"}, {"type", "rating"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Stars", "rating", false,
                                                 R"({"max_value":5,"color":"dark-orange","style":"star"})")));
  int64_t r = f.at("id").as_int64();
  EXPECT_EQ(Column(t, r), J("[0]"));
  RoundTrip(t, r, 3, "3");
  RoundTrip(t, r, 0, "0");
  RoundTrip(t, r, 5, "5");
  RejectsField(t, r, 6, "max_value");
  RejectsField(t, r, -1, "min_value");
  RejectsField(t, r, nullptr, "null");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), r), J("0"));
  auto g = AddField(t, json::object{{"name", "Hearts"}, {"type", "rating"}, {"max_value", 10}, {"color", "red"},
                                    {"style", "heart"}});
  EXPECT_EQ(json::value(g), json::value(Expected(t, g, "Hearts", "rating", false,
                                                 R"({"max_value":10,"color":"red","style":"heart"})")));
  RoundTrip(t, g.at("id").as_int64(), 10, "10");
  for (const auto& bad : {json::object{{"max_value", 11}}, json::object{{"max_value", 0}}, json::object{{"style", "moon"}},
                          json::object{{"color", ""}}}) {
    json::object body{{"name", "Bad"}, {"type", "rating"}};
    for (const auto& kv : bad) body[kv.key()] = kv.value();
    EXPECT_ERROR(c_.Post(FieldsUrl(t.id), body, Auth()), 400, "ERROR_REQUEST_BODY_VALIDATION");
  }
  // Lowering max_value clamps stored values.
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(r), 4}}).status, 200);
  ASSERT_EQ(c_.Patch(FieldUrl(r), json::object{{"max_value", 2}}, Auth()).status, 200);
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), r), J("2"));
}

TEST_F(FieldTypesApiTest, BooleanType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Done"}, {"type", "boolean"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Done", "boolean", false, R"({"boolean_default":false})")));
  int64_t b = f.at("id").as_int64();
  EXPECT_EQ(Column(t, b), J("[false]"));
  for (const json::value& v : {json::value(true), json::value("t"), json::value("Y"), json::value("yes"),
                               json::value("TRUE"), json::value("On"), json::value("1"), json::value(1),
                               json::value("checked")})
    RoundTrip(t, b, v, "true");
  for (const json::value& v : {json::value(false), json::value("f"), json::value("N"), json::value("no"),
                               json::value("False"), json::value("OFF"), json::value("0"), json::value(0),
                               json::value("unchecked")})
    RoundTrip(t, b, v, "false");
  RejectsField(t, b, nullptr, "null");  // pitfall 9
  RejectsField(t, b, "maybe");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), b), J("false"));
  auto g = AddField(t, json::object{{"name", "On"}, {"type", "boolean"}, {"boolean_default", true}});
  EXPECT_EQ(json::value(g), json::value(Expected(t, g, "On", "boolean", false, R"({"boolean_default":true})")));
  int64_t d = g.at("id").as_int64();
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), d), J("true"));
  EXPECT_EQ(Cell(PostRow(t, json::object{}), d), J("true"));
  EXPECT_EQ(Cell(PostRow(t, json::object{{K(d), false}}), d), J("false"));
}

TEST_F(FieldTypesApiTest, DateType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Day"}, {"type", "date"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Day", "date", false,
                                                 R"({"date_format":"EU","date_include_time":false,"date_time_format":"24",
                                                     "date_show_tzinfo":false,"date_force_timezone":null})")));
  int64_t d = f.at("id").as_int64();
  EXPECT_EQ(Column(t, d), J("[null]"));
  RoundTrip(t, d, "2020-04-01", R"("2020-04-01")");
  RoundTrip(t, d, nullptr, "null");
  RejectsField(t, d, "2020-04-01T10:00:00Z", "invalid");
  RejectsField(t, d, "not a date");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), d), J("null"));

  auto g = AddField(t, json::object{{"name", "When"}, {"type", "date"}, {"date_include_time", true}, {"date_format", "ISO"},
                                    {"date_time_format", "12"}, {"date_show_tzinfo", true},
                                    {"date_force_timezone", "Europe/Amsterdam"}});
  EXPECT_EQ(json::value(g), json::value(Expected(t, g, "When", "date", false,
                                                 R"({"date_format":"ISO","date_include_time":true,"date_time_format":"12",
                                                     "date_show_tzinfo":true,"date_force_timezone":"Europe/Amsterdam"})")));
  int64_t w = g.at("id").as_int64();
  RoundTrip(t, w, "2020-04-01T14:30:20Z", R"("2020-04-01T14:30:20Z")");
  RoundTrip(t, w, "2020-04-01T16:30:20+02:00", R"("2020-04-01T14:30:20Z")");
  RoundTrip(t, w, "2020-04-01T14:30:20", R"("2020-04-01T14:30:20Z")");  // naive = UTC
  RoundTrip(t, w, "2021-08-09T14:14:33.574356Z", R"("2021-08-09T14:14:33.574356Z")");
  RoundTrip(t, w, nullptr, "null");
  RejectsField(t, w, "yesterday");

  // date_force_timezone_offset: refused on create and for date-only fields, shifts values otherwise.
  EXPECT_ERROR(c_.Post(FieldsUrl(t.id), json::object{{"name", "Off"}, {"type", "date"}, {"date_include_time", true},
                                                      {"date_force_timezone_offset", 60}},
                       Auth()),
               400, "ERROR_DATE_FORCE_TIMEZONE_OFFSET_ERROR");
  EXPECT_ERROR(c_.Patch(FieldUrl(d), json::object{{"date_force_timezone_offset", 60}}, Auth()), 400,
               "ERROR_DATE_FORCE_TIMEZONE_OFFSET_ERROR");
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(w), "2020-04-01T14:30:20Z"}}).status, 200);
  auto shifted = c_.Patch(FieldUrl(w), json::object{{"date_force_timezone_offset", 60}}, Auth());
  ASSERT_EQ(shifted.status, 200) << shifted.body;
  EXPECT_FALSE(shifted.json().as_object().contains("date_force_timezone_offset"));
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), w), J(R"("2020-04-01T15:30:20Z")"));

  // include_time true -> false truncates in the forced timezone (23:30Z is 01:30 next day in Amsterdam).
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(w), "2020-04-01T23:30:00Z"}}).status, 200);
  ASSERT_EQ(c_.Patch(FieldUrl(w), json::object{{"date_include_time", false}}, Auth()).status, 200);
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), w), J(R"("2020-04-02")"));
  EXPECT_EQ(Convert(json::object{{"name", "U"}, {"type", "date"}, {"date_include_time", true}},
                    json::array{"2020-04-01T23:30:00Z"}, json::object{{"date_include_time", false}}),
            J(R"(["2020-04-01"])"));
}

TEST_F(FieldTypesApiTest, DurationType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Took"}, {"type", "duration"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Took", "duration", false, R"({"duration_format":"h:mm"})")));
  int64_t d = f.at("id").as_int64();
  EXPECT_EQ(Column(t, d), J("[null]"));
  RoundTrip(t, d, 3660, "3660.0");
  RoundTrip(t, d, 3666, "3660.0");  // rounded to minutes
  RoundTrip(t, d, 3690, "3720.0");  // 0.5 rounds up (pitfall 40)
  RoundTrip(t, d, "1:01", "3660.0");
  RoundTrip(t, d, "1d 1h", "90000.0");
  RoundTrip(t, d, "2h 3m", "7380.0");
  RoundTrip(t, d, "-1:00", "-3600.0");
  RoundTrip(t, d, nullptr, "null");
  RejectsField(t, d, "abc", "invalid", "The value abc is not a valid duration.");
  RejectsField(t, d, "", "invalid");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), d), J("null"));
  auto g = AddField(t, json::object{{"name", "Precise"}, {"type", "duration"}, {"duration_format", "h:mm:ss.sss"}});
  EXPECT_EQ(json::value(g),
            json::value(Expected(t, g, "Precise", "duration", false, R"({"duration_format":"h:mm:ss.sss"})")));
  RoundTrip(t, g.at("id").as_int64(), 3666.666, "3666.666");
  RoundTrip(t, g.at("id").as_int64(), "1:01:06.666", "3666.666");
  auto h = AddField(t, json::object{{"name", "Days"}, {"type", "duration"}, {"duration_format", "d h"}});
  RoundTrip(t, h.at("id").as_int64(), "1d 5h", "104400.0");
  EXPECT_JSON(NewField(t, json::object{{"name", "X"}, {"type", "duration"}, {"duration_format", "weeks"}}),
              400, Invalid("duration_format", R"("weeks" is not a valid choice.)", "invalid_choice"));
}

TEST_F(FieldTypesApiTest, LastModifiedAndCreatedOnAreReadOnly) {
  Table t = MakeTable(1);
  const char* kDateProps = R"({"date_format":"EU","date_include_time":false,"date_time_format":"24",
                               "date_show_tzinfo":false,"date_force_timezone":null})";
  auto lm = AddField(t, json::object{{"name", "Changed"}, {"type", "last_modified"}});
  EXPECT_EQ(json::value(lm), json::value(Expected(t, lm, "Changed", "last_modified", true, kDateProps)));
  auto co = AddField(t, json::object{{"name", "Created"}, {"type", "created_on"}, {"date_include_time", true}});
  auto eco = Expected(t, co, "Created", "created_on", true, kDateProps);
  eco["date_include_time"] = true;
  EXPECT_EQ(json::value(co), json::value(eco));
  int64_t l = lm.at("id").as_int64(), c = co.at("id").as_int64();
  EXPECT_TRUE(Matches(Column(t, l).at(0), kDate)) << serialize(Column(t, l));
  EXPECT_TRUE(Matches(Column(t, c).at(0), kDateTime)) << serialize(Column(t, c));
  auto row = PostRow(t, json::object{});
  ASSERT_EQ(row.status, 200);
  EXPECT_TRUE(Matches(Cell(row, l), kDate)) << row.body;
  EXPECT_TRUE(Matches(Cell(row, c), kDateTime)) << row.body;
  RejectsWithDetail(t, c, "2020-01-01T00:00:00Z", "Field of type created_on is read only and should not be set manually.");
  RejectsWithDetail(t, l, "2020-01-01", "Field of type last_modified is read only and should not be set manually.");
  // A datetime last_modified tracks updates.
  int64_t lt = AddFieldId(t, json::object{{"name", "Touched"}, {"type", "last_modified"}, {"date_include_time", true}});
  auto upd = PatchRow(t, t.rows[0], json::object{{K(t.primary), "x"}});
  EXPECT_TRUE(Matches(Cell(upd, lt), kDateTime)) << upd.body;
}

TEST_F(FieldTypesApiTest, SingleSelectType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Status"}, {"type", "single_select"},
                                    {"select_options", J(R"([{"id":-1,"value":"A","color":"red"},{"value":"B","color":"blue"}])")},
                                    {"single_select_default", -1}});
  ASSERT_EQ(f.at("select_options").as_array().size(), 2u);
  int64_t a = f.at("select_options").as_array()[0].as_object().at("id").as_int64();
  int64_t b = f.at("select_options").as_array()[1].as_object().at("id").as_int64();
  std::string oa = R"({"id":)" + S(a) + R"(,"value":"A","color":"red"})";
  std::string ob = R"({"id":)" + S(b) + R"(,"value":"B","color":"blue"})";
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Status", "single_select", false,
                                                 R"({"select_options":[)" + oa + "," + ob +
                                                     R"(],"single_select_default":)" + S(a) + "}")));
  int64_t s = f.at("id").as_int64();
  EXPECT_EQ(Column(t, s), J("[" + oa + "]"));  // existing rows receive the default RoundTrip(t, s, a, oa);
  RoundTrip(t, s, "B", ob);
  RoundTrip(t, s, nullptr, "null");
  RejectsWithDetail(t, s, 999999, "The provided select option value '999999' is not a valid select option.");
  RejectsWithDetail(t, s, Str(S(b)), "The provided select option value '" + S(b) + "' is not a valid select option.");
  RejectsWithDetail(t, s, "Z", "The provided select option value 'Z' is not a valid select option.");
  EXPECT_EQ(Cell(PostRow(t, json::object{}), s), J(oa));
  EXPECT_EQ(Cell(PostRow(t, json::object{{K(s), nullptr}}), s), J("null"));
  EXPECT_JSON(c_.Get(FieldUrl(s) + "unique_row_values/", Auth()), 200, R"({"values":["A","B"]})");

  // The options list is the complete desired state: ids survive, missing options are deleted.
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(s), b}}).status, 200);
  auto upd = c_.Patch(FieldUrl(s), json::object{{"select_options", J(R"([{"id":)" + S(a) +
                                                                      R"(,"value":"A2","color":"red"},{"value":"C","color":"green"}])")}},
                      Auth());
  ASSERT_EQ(upd.status, 200) << upd.body;
  auto opts = upd.json().as_object().at("select_options").as_array();
  ASSERT_EQ(opts.size(), 2u);
  EXPECT_EQ(opts[0], J(R"({"id":)" + S(a) + R"(,"value":"A2","color":"red"})"));
  EXPECT_EQ(opts[1].as_object().at("value"), json::value("C"));
  EXPECT_EQ(upd.json().as_object().at("single_select_default"), json::value(a));
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), s), J("null"));
  // Removing the default option clears the default (pitfall 38).
  auto upd2 = c_.Patch(FieldUrl(s), json::object{{"select_options", json::array{opts[1]}}}, Auth());
  ASSERT_EQ(upd2.status, 200) << upd2.body;
  EXPECT_EQ(upd2.json().as_object().at("single_select_default"), J("null"));
  EXPECT_ERROR(c_.Patch(FieldUrl(s), json::object{{"single_select_default", 999999}}, Auth()), 400,
               "ERROR_SELECT_OPTION_DOES_NOT_BELONG_TO_FIELD");
}

TEST_F(FieldTypesApiTest, MultipleSelectType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Tags"}, {"type", "multiple_select"},
                                    {"select_options", J(R"([{"id":-1,"value":"A","color":"red"},{"id":-2,"value":"B","color":"blue"},
                                                             {"value":"C","color":"green"}])")},
                                    {"multiple_select_default", json::array{-2}}});
  ASSERT_EQ(f.at("select_options").as_array().size(), 3u);
  std::vector<int64_t> ids;
  for (const auto& o : f.at("select_options").as_array()) ids.push_back(o.as_object().at("id").as_int64());
  std::string oa = R"({"id":)" + S(ids[0]) + R"(,"value":"A","color":"red"})";
  std::string ob = R"({"id":)" + S(ids[1]) + R"(,"value":"B","color":"blue"})";
  std::string oc = R"({"id":)" + S(ids[2]) + R"(,"value":"C","color":"green"})";
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Tags", "multiple_select", false,
                                                 R"({"select_options":[)" + oa + "," + ob + "," + oc +
                                                     R"(],"multiple_select_default":[)" + S(ids[1]) + "]}")));
  int64_t m = f.at("id").as_int64();
  EXPECT_EQ(Column(t, m), J("[[" + ob + "]]"));
  RoundTrip(t, m, json::array{ids[0], "B"}, "[" + oa + "," + ob + "]");
  RoundTrip(t, m, json::array{"B", ids[0]}, "[" + ob + "," + oa + "]");  // assignment order
  RoundTrip(t, m, "C,A", "[" + oc + "," + oa + "]");
  RoundTrip(t, m, json::array{ids[0], ids[0], "A"}, "[" + oa + "]");  // duplicates removed
  RoundTrip(t, m, json::array{}, "[]");
  RejectsField(t, m, nullptr);
  RejectsWithDetail(t, m, json::array{"Z"}, "The provided select option value 'Z' is not a valid select option.");
  RejectsWithDetail(t, m, json::array{"Y", "Z"},
                    "The provided select option values ['Y', 'Z'] are not valid select options.");
  auto bad = PostRow(t, json::object{{K(m), json::array{nullptr}}});
  EXPECT_ERROR(bad, 400, "ERROR_REQUEST_BODY_VALIDATION");
  EXPECT_NE(bad.body.find("The provided value '[None]' is not a valid integer or string."), std::string::npos) << bad.body;
  EXPECT_EQ(Cell(PostRow(t, json::object{}), m), J("[" + ob + "]"));
  EXPECT_EQ(Cell(PostRow(t, json::object{{K(m), json::array{}}}), m), J("[]"));
  EXPECT_ERROR(c_.Patch(FieldUrl(m), json::object{{"multiple_select_default", json::array{999999}}}, Auth()), 400,
               "ERROR_SELECT_OPTION_DOES_NOT_BELONG_TO_FIELD");
  // Deleting an option removes it from the cells.
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(m), json::array{"A", "C"}}}).status, 200);
  ASSERT_EQ(c_.Patch(FieldUrl(m), json::object{{"select_options", J("[" + oa + "," + ob + "]")}}, Auth()).status, 200);
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), m), J("[" + oa + "]"));
}

TEST_F(FieldTypesApiTest, AutonumberType) {
  Table t = MakeTable(2);
  auto f = AddField(t, json::object{{"name", "No"}, {"type", "autonumber"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "No", "autonumber", true, "{}")));
  int64_t n = f.at("id").as_int64();
  EXPECT_EQ(Column(t, n), J("[1,2]"));
  auto third = PostRow(t, json::object{});
  EXPECT_EQ(Cell(third, n), J("3"));
  ASSERT_EQ(c_.Delete(RowUrl(t.id, third.json().as_object().at("id").as_int64()), Auth()).status, 204);
  EXPECT_EQ(Cell(PostRow(t, json::object{}), n), J("4"));  // never reused
  for (const json::value& v : {json::value(7), json::value("7")}) {
    EXPECT_ERROR(PostRow(t, json::object{{K(n), v}}), 400, "ERROR_REQUEST_BODY_VALIDATION");
    EXPECT_ERROR(PatchRow(t, t.rows[0], json::object{{K(n), v}}), 400, "ERROR_REQUEST_BODY_VALIDATION");
  }
  EXPECT_EQ(Column(t, n), J("[1,2,4]"));
}

TEST_F(FieldTypesApiTest, UuidType) {
  Table t = MakeTable(2);
  auto f = AddField(t, json::object{{"name", "Key"}, {"type", "uuid"}});
  EXPECT_EQ(json::value(f), json::value(Expected(t, f, "Key", "uuid", true, "{}")));
  int64_t u = f.at("id").as_int64();
  auto col = Column(t, u);
  ASSERT_EQ(col.size(), 2u);
  auto row = PostRow(t, json::object{});
  std::set<std::string> seen;
  for (const auto& v : {col[0], col[1], Cell(row, u)}) {
    EXPECT_TRUE(Matches(v, kUuid)) << serialize(v);
    if (v.is_string()) seen.insert(std::string(v.as_string()));
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(Column(t, u).at(0), col[0]);  // stable
  EXPECT_ERROR(PostRow(t, json::object{{K(u), "5b9c1a5e-3a4b-4c6d-8e9f-0a1b2c3d4e5f"}}), 400,
               "ERROR_REQUEST_BODY_VALIDATION");
  EXPECT_ERROR(PatchRow(t, t.rows[0], json::object{{K(u), "x"}}), 400, "ERROR_REQUEST_BODY_VALIDATION");
}

TEST_F(FieldTypesApiTest, PasswordType) {
  Table t = MakeTable(1);
  auto f = AddField(t, json::object{{"name", "Secret"}, {"type", "password"}});
  EXPECT_EQ(json::value(f),
            json::value(Expected(t, f, "Secret", "password", false, R"({"allow_endpoint_authentication":false})")));
  int64_t p = f.at("id").as_int64();
  EXPECT_EQ(Column(t, p), J("[null]"));
  RoundTrip(t, p, "s3cr3t-value", "true");
  RoundTrip(t, p, "", "null");
  RoundTrip(t, p, nullptr, "null");
  // true keeps the current password (pitfall 39) and never sets one.
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(p), "s3cr3t-value"}}).status, 200);
  auto kept = PatchRow(t, t.rows[0], json::object{{K(p), true}});
  EXPECT_EQ(Cell(kept, p), J("true")) << kept.body;
  EXPECT_EQ(kept.body.find("s3cr3t"), std::string::npos);
  EXPECT_EQ(Cell(PostRow(t, json::object{{K(p), true}}), p), J("null"));
  EXPECT_EQ(Cell(PostRow(t, json::object{}), p), J("null"));
  for (const json::value& v : {json::value(false), json::value(5), json::value(json::object{})}) {
    EXPECT_ERROR(PostRow(t, json::object{{K(p), v}}), 400, "ERROR_REQUEST_BODY_VALIDATION");
    EXPECT_ERROR(PatchRow(t, t.rows[0], json::object{{K(p), v}}), 400, "ERROR_REQUEST_BODY_VALIDATION");
  }
  EXPECT_EQ(Cell(c_.Get(RowUrl(t.id, t.rows[0]), Auth()), p), J("true"));
  auto g = AddField(t, json::object{{"name", "Auth"}, {"type", "password"}, {"allow_endpoint_authentication", true}});
  EXPECT_EQ(json::value(g),
            json::value(Expected(t, g, "Auth", "password", false, R"({"allow_endpoint_authentication":true})")));
}

// ---------------------------------------------------------------------------------------
// Field constraints (§5)
// ---------------------------------------------------------------------------------------

TEST_F(FieldTypesApiTest, UniqueWithEmptyConstraint) {
  Table t = MakeTable(2);
  json::array unique{json::object{{"type_name", "unique_with_empty"}}};
  auto f = AddField(t, json::object{{"name", "Code"}, {"type", "text"}, {"field_constraints", unique}});
  auto e = Expected(t, f, "Code", "text", false, R"({"text_default":""})");
  e["field_constraints"] = unique;
  EXPECT_EQ(json::value(f), json::value(e));
  int64_t c = f.at("id").as_int64();
  ASSERT_EQ(PatchRow(t, t.rows[0], json::object{{K(c), "a"}}).status, 200);
  EXPECT_ERROR(PatchRow(t, t.rows[1], json::object{{K(c), "a"}}), 400, "ERROR_FIELD_DATA_CONSTRAINT");
  EXPECT_ERROR(PostRow(t, json::object{{K(c), "a"}}), 400, "ERROR_FIELD_DATA_CONSTRAINT");
  // Empty values are exempt.
  EXPECT_EQ(PostRow(t, json::object{{K(c), ""}}).status, 200);
  EXPECT_EQ(PostRow(t, json::object{{K(c), ""}}).status, 200);
  EXPECT_EQ(PostRow(t, json::object{{K(c), nullptr}}).status, 200);
  EXPECT_EQ(PostRow(t, json::object{{K(c), nullptr}}).status, 200);
  // Omitting field_constraints on PATCH keeps them; [] removes them.
  auto renamed = c_.Patch(FieldUrl(c), json::object{{"name", "Code 2"}}, Auth());
  EXPECT_EQ(renamed.json().as_object().at("field_constraints"), json::value(unique)) << renamed.body;
  EXPECT_ERROR(PatchRow(t, t.rows[1], json::object{{K(c), "a"}}), 400, "ERROR_FIELD_DATA_CONSTRAINT");
  auto removed = c_.Patch(FieldUrl(c), json::object{{"field_constraints", json::array{}}}, Auth());
  EXPECT_EQ(removed.json().as_object().at("field_constraints"), J("[]")) << removed.body;
  EXPECT_EQ(PatchRow(t, t.rows[1], json::object{{K(c), "a"}}).status, 200);
  // Adding it while duplicates exist.
  EXPECT_ERROR(c_.Patch(FieldUrl(c), json::object{{"field_constraints", unique}}, Auth()), 400, "ERROR_FIELD_CONSTRAINT");
  // Unsupported types and defaults.
  for (const char* type : {"boolean", "password", "uuid", "multiple_select"})
    EXPECT_ERROR(NewField(t, json::object{{"name", type}, {"type", type}, {"field_constraints", unique}}),
                 400, "ERROR_INVALID_FIELD_CONSTRAINT");
  EXPECT_ERROR(c_.Post(FieldsUrl(t.id), json::object{{"name", "D"}, {"type", "text"}, {"text_default", "x"},
                                                    {"field_constraints", unique}},
                       Auth()),
               400, "ERROR_FIELD_CONSTRAINT_DOES_NOT_SUPPORT_DEFAULT_VALUE");
  EXPECT_ERROR(c_.Post(FieldsUrl(t.id), json::object{{"name", "N"}, {"type", "number"}, {"number_default", 3},
                                                    {"field_constraints", unique}},
                       Auth()),
               400, "ERROR_FIELD_CONSTRAINT_DOES_NOT_SUPPORT_DEFAULT_VALUE");
  // Rating: 0 counts as empty. Number: plain uniqueness.
  int64_t r = AddFieldId(t, json::object{{"name", "R"}, {"type", "rating"}, {"field_constraints", unique}});
  EXPECT_EQ(PostRow(t, json::object{{K(r), 0}}).status, 200);
  EXPECT_EQ(PostRow(t, json::object{{K(r), 3}}).status, 200);
  EXPECT_ERROR(PostRow(t, json::object{{K(r), 3}}), 400, "ERROR_FIELD_DATA_CONSTRAINT");
  int64_t n = AddFieldId(t, json::object{{"name", "N"}, {"type", "number"}, {"field_constraints", unique}});
  EXPECT_EQ(PostRow(t, json::object{{K(n), 5}}).status, 200);
  EXPECT_ERROR(PostRow(t, json::object{{K(n), "5"}}), 400, "ERROR_FIELD_DATA_CONSTRAINT");
}

// ---------------------------------------------------------------------------------------
// Type conversions (§6, pitfall 41): PATCH the field with a new type, read the rows back
// ---------------------------------------------------------------------------------------

// Option objects are reduced to their value so that expectations do not depend on ids.
json::value OptionValues(const json::value& v) {
  if (v.is_object() && v.as_object().contains("value")) return v.as_object().at("value");
  if (v.is_array()) {
    json::array out;
    for (const auto& x : v.as_array()) out.push_back(OptionValues(x));
    return out;
  }
  return v;
}

struct Conversion {
  const char* source;
  const char* values;
  const char* change;
  const char* expected;
};

#define OPTS R"("select_options":[{"value":"A","color":"red"},{"value":"B","color":"blue"}])"
const Conversion kConversions[] = {
    {R"({"type":"text"})", R"(["2.25","-3","abc","7",null])", R"({"type":"number","number_decimal_places":1})",
     R"(["2.3","0.0",null,"7.0",null])"},
    {R"({"type":"text"})", R"(["-3.4","12"])", R"({"type":"number","number_negative":true})", R"(["-3","12"])"},
    {R"({"type":"number","number_decimal_places":2,"number_negative":true})", R"([10.5,-1])", R"({"type":"text"})",
     R"(["10.50","-1.00"])"},
    {R"({"type":"text"})", R"(["yes","Checked","no","maybe","1","On","t"])", R"({"type":"boolean"})",
     R"([true,true,false,false,true,true,true])"},
    {R"({"type":"boolean"})", R"([true,false])", R"({"type":"text"})", R"(["true","false"])"},
    {R"({"type":"text"})", R"(["3.6","9","abc","-2"])", R"({"type":"rating"})", R"([4,5,0,0])"},
    {R"({"type":"boolean"})", R"([true,false])", R"({"type":"rating"})", R"([1,0])"},
    {R"({"type":"rating"})", R"([0,3])", R"({"type":"boolean"})", R"([false,true])"},
    {R"({"type":"number","number_decimal_places":1,"number_negative":true})", R"([2.5,7,-1])", R"({"type":"rating"})",
     R"([3,5,0])"},
    {R"({"type":"text"})", R"(["https://baserow.io","not a url"])", R"({"type":"url"})", R"(["https://baserow.io",""])"},
    {R"({"type":"text"})", R"(["a@b.io","nope"])", R"({"type":"email"})", R"(["a@b.io",""])"},
    {R"({"type":"text"})", R"(["+31 (0)6-1234","call me"])", R"({"type":"phone_number"})", R"(["+31 (0)6-1234",""])"},
    {R"({"type":"text"})", R"(["25/12/2020","2020-12-25","abc","1/2",null])", R"({"type":"date"})",
     R"(["2020-12-25","2020-12-25",null,null,null])"},
    {R"({"type":"text"})", R"(["12/25/2020"])", R"({"type":"date","date_format":"US"})", R"(["2020-12-25"])"},
    {R"({"type":"date"})", R"(["2020-12-25"])", R"({"type":"text"})", R"(["25/12/2020"])"},
    {R"({"type":"date","date_format":"ISO","date_include_time":true})", R"(["2020-12-25T14:30:00Z"])",
     R"({"type":"text"})", R"(["2020-12-25 14:30"])"},
    {R"({"type":"date","date_format":"US","date_include_time":true,"date_time_format":"12"})",
     R"(["2020-12-25T14:30:00Z"])", R"({"type":"text"})", R"(["12/25/2020 02:30 PM"])"},
    {R"({"type":"date","date_include_time":true,"date_force_timezone":"Europe/Amsterdam"})",
     R"(["2020-12-25T14:30:00Z"])", R"({"type":"long_text"})", R"(["25/12/2020 15:30"])"},
    {R"({"type":"text"})", R"(["1:30","abc","1d 2h"])", R"({"type":"duration"})", R"([5400.0,null,93600.0])"},
    {R"({"type":"number"})", R"([120])", R"({"type":"duration"})", R"([120.0])"},
    {R"({"type":"duration"})", R"([3660])", R"({"type":"text"})", R"(["1:01"])"},
    {R"({"type":"duration"})", R"([3660])", R"({"type":"number"})", R"(["3660"])"},
    {R"({"type":"duration","duration_format":"h:mm:ss"})", R"([3690])", R"({"duration_format":"h:mm"})", R"([3720.0])"},
    {R"({"type":"text"})", R"(["a","B","zzz"])", R"({"type":"single_select",)" OPTS "}", R"(["A","B",null])"},
    {R"({"type":"single_select",)" OPTS "}", R"(["A"])", R"({"type":"text"})", R"(["A"])"},
    {R"({"type":"multiple_select",)" OPTS "}", R"([["A","B"]])", R"({"type":"text"})", R"(["A, B"])"},
    {R"({"type":"text"})", R"(["A, B","B","C"])", R"({"type":"multiple_select",)" OPTS "}", R"([["A","B"],["B"],[]])"},
    {R"({"type":"single_select",)" OPTS "}", R"(["A"])", R"({"type":"multiple_select"})", R"([["A"]])"},
    {R"({"type":"multiple_select",)" OPTS "}", R"([["B","A"]])", R"({"type":"single_select"})", R"(["B"])"},
    {R"({"type":"text"})", R"(["pw"])", R"({"type":"password"})", R"([null])"},
    {R"({"type":"text"})", R"(["b","a","c"])", R"({"type":"autonumber"})", R"([1,2,3])"},
    {R"({"type":"number","number_decimal_places":2})", R"([1.25,1.24])", R"({"number_decimal_places":1})",
     R"(["1.3","1.2"])"},
    {R"({"type":"number","number_negative":true})", R"([-5,2])", R"({"number_negative":false})", R"(["0","2"])"},
    {R"({"type":"text"})", R"(["abc",null])", R"({"type":"long_text"})", R"(["abc",null])"},
    {R"({"type":"long_text"})", R"(["abc"])", R"({"type":"text"})", R"(["abc"])"},
};
#undef OPTS

TEST_F(FieldTypesApiTest, TypeConversions) {
  for (const auto& conv : kConversions) {
    SCOPED_TRACE(std::string(conv.source) + " " + conv.values + " -> " + conv.change);
    json::object source = J(conv.source).as_object();
    source["name"] = "Src";
    EXPECT_EQ(OptionValues(Convert(source, J(conv.values).as_array(), J(conv.change).as_object())), J(conv.expected));
  }
  // -> uuid: fresh UUIDs; -> created_on / last_modified: filled from row metadata.
  json::object text{{"name", "Src"}, {"type", "text"}};
  json::object converted;
  auto uuids = Convert(text, json::array{"a", "b"}, json::object{{"type", "uuid"}}, &converted);
  EXPECT_EQ(converted.at("read_only"), json::value(true));
  ASSERT_EQ(uuids.size(), 2u);
  EXPECT_TRUE(Matches(uuids[0], kUuid) && Matches(uuids[1], kUuid) && uuids[0] != uuids[1]) << serialize(uuids);
  for (const char* type : {"created_on", "last_modified"}) {
    auto col = Convert(text, json::array{"a"}, json::object{{"type", type}, {"date_include_time", true}});
    EXPECT_TRUE(Matches(col.at(0), kDateTime)) << type << " " << serialize(col);
  }
  // The converted field object carries the target type's props and drops the old ones.
  Convert(text, json::array{"1"}, json::object{{"type", "rating"}}, &converted);
  EXPECT_FALSE(converted.contains("text_default"));
  EXPECT_EQ(converted.at("max_value"), json::value(5));
  EXPECT_EQ(converted.at("style"), json::value("star"));
}

}  // namespace
}  // namespace gbtest
