// API tests: listing rows with filters, sorting, search and pagination
// (filters.md §1–§6, rows.md §3, pitfalls.md 16–23, 43, 46–48).
//
// One fixture table ("Fruits", 8 rows covering every field type with empty/null cells) is
// built once per executable; filter truth tables assert the exact set of returned rows,
// expressed as logical row numbers 1..8 (the order the rows were inserted in).
#include <chrono>
#include <stdexcept>

#include "support/api_fixture.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;
using Rows = std::vector<int>;  // logical row numbers (1-based insertion index)

/// Percent-encodes a query component (everything but RFC 3986 unreserved characters).
std::string Enc(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

json::value Must(const HttpResponse& r, const std::string& what) {
  if (r.status != 200) throw std::runtime_error(what + " -> " + std::to_string(r.status) + " " + r.body);
  return r.json();
}

// The fixture's cells, keyed by field name (user_field_names=true).
constexpr const char* kFruitRows = R"([
 {"Name":"Apple pie","Notes":"Sweet and warm","Site":"https://apple.com","Mail":"pie@apple.com","Price":"10.00",
  "Stars":3,"Done":true,"Day":"2020-06-17","When":"2020-06-17T10:30:00Z","Took":3600,"Status":"Open",
  "Tags":["red","green"],"Code, \"x\"":"a"},
 {"Name":"banana","Notes":"yellow fruit","Site":"https://banana.org/split","Mail":"b@banana.org","Price":"-5.50",
  "Stars":0,"Done":false,"Day":"2020-06-18","When":"2020-06-17T23:30:00Z","Took":5400,"Status":"Closed",
  "Tags":["blue"],"Code, \"x\"":"b"},
 {"Name":"Cherry","Notes":null,"Site":"","Mail":"","Price":"2","Stars":5,"Done":true,"Day":"2021-01-01",
  "When":"2021-01-01T00:00:00Z","Took":0,"Status":"Blocked","Tags":[],"Code, \"x\"":"c"},
 {"Name":"","Notes":"","Site":"http://cherry.net","Mail":"c@cherry.net","Price":"0","Stars":1,"Done":false,
  "Day":null,"When":null,"Took":null,"Status":null,"Tags":["green"]},
 {"Name":null,"Notes":null,"Site":null,"Mail":null,"Price":null,"Stars":0,"Done":false,"Day":null,"When":null,
  "Took":null,"Status":null,"Tags":[]},
 {"Name":"apple Tart","Notes":"Apple, pear","Site":"https://tart.com","Mail":"tart@x.io","Price":"100.25",
  "Stars":4,"Done":true,"Day":"2019-12-31","When":"2019-12-31T22:00:00Z","Took":86400,"Status":"Open",
  "Tags":["red"],"Code, \"x\"":"d"},
 {"Name":"Grape","Notes":"seedless grapes","Site":"","Mail":"","Price":"7","Stars":2,"Done":false,
  "Day":"2020-06-16","When":"2020-06-16T12:00:00Z","Took":60,"Status":"Closed","Tags":["red","blue","green"],
  "Code, \"x\"":"e"},
 {"Name":"Kiwi","Notes":"kiwi kiwi","Site":"","Mail":"","Price":"4","Stars":5,"Done":true,"Day":"2020-07-01",
  "When":"2020-06-30T22:30:00Z","Took":7200,"Status":"Open","Tags":["blue","green"],"Code, \"x\"":"f"}
])";

constexpr const char* kFruitFields[][2] = {
    {"Notes", R"({"type":"long_text"})"},
    {"Site", R"({"type":"url"})"},
    {"Mail", R"({"type":"email"})"},
    {"Price", R"({"type":"number","number_decimal_places":2,"number_negative":true})"},
    {"Stars", R"({"type":"rating","max_value":5})"},
    {"Done", R"({"type":"boolean"})"},
    {"Day", R"({"type":"date","date_format":"EU","date_include_time":false})"},
    {"When", R"({"type":"date","date_format":"ISO","date_include_time":true,"date_time_format":"24"})"},
    {"Took", R"({"type":"duration","duration_format":"h:mm"})"},
    {"Status", R"({"type":"single_select","select_options":[{"value":"Open","color":"blue"},
                  {"value":"Closed","color":"red"},{"value":"Blocked","color":"green"}]})"},
    {"Tags", R"({"type":"multiple_select","select_options":[{"value":"red","color":"red"},
                {"value":"green","color":"green"},{"value":"blue","color":"blue"}]})"},
    {"Num", R"({"type":"autonumber"})"},
    {"Uid", R"({"type":"uuid"})"},
    {"Secret", R"({"type":"password"})"},
    {"Code, \"x\"", R"({"type":"text"})"},
};

class FiltersApiTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    ApiTest::SetUpTestSuite();
    try {
      BuildFixture();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << "fixture setup failed: " << setup_error_; }

  static int64_t CreateTable(HttpClient& c, const std::string& name) {
    auto res = c.Post("/api/database/tables/database/" + std::to_string(database_) + "/",
                      json::object{{"name", name}, {"data", json::array{json::array{"Name"}}},
                                   {"first_row_header", true}},
                      {account_.auth()});
    return Must(res, "create table").as_object().at("id").as_int64();
  }
  static json::object CreateField(HttpClient& c, int64_t table, const std::string& name, std::string_view props) {
    auto body = json::parse(props).as_object();
    body["name"] = name;
    auto res = c.Post("/api/database/fields/table/" + std::to_string(table) + "/", body, {account_.auth()});
    return Must(res, "create field " + name).as_object();
  }
  static std::map<std::string, int64_t> FieldIds(HttpClient& c, int64_t table) {
    std::map<std::string, int64_t> out;
    auto list = Must(c.Get("/api/database/fields/table/" + std::to_string(table) + "/", {account_.auth()}), "fields");
    for (const auto& f : list.as_array())
      out[std::string(f.at("name").as_string())] = f.at("id").as_int64();
    return out;
  }

  static void BuildFixture() {
    HttpClient c(server().base_url());
    account_ = SignUp(c, "Filter", UniqueEmail("filters"));
    auto apps = Must(c.Get("/api/applications/", {account_.auth()}), "apps");
    for (const auto& app : apps.as_array())
      if (app.at("type").as_string() == "database") database_ = app.at("id").as_int64();
    if (!database_) throw std::runtime_error("no database");

    table_ = CreateTable(c, "Fruits");
    for (const auto& [name, props] : kFruitFields) {
      auto field = CreateField(c, table_, name, props);
      if (auto* opts = field.if_contains("select_options"))
        for (const auto& o : opts->as_array())
          option_[std::string(o.at("value").as_string())] = o.at("id").as_int64();
    }
    field_ = FieldIds(c, table_);
    auto created = Must(c.Post("/api/database/rows/table/" + std::to_string(table_) + "/batch/?user_field_names=true",
                               json::object{{"items", json::parse(kFruitRows)}}, {account_.auth()}),
                        "batch create");
    for (const auto& row : created.at("items").as_array()) {
      row_id_.push_back(row.at("id").as_int64());
      uuid_.push_back(std::string(row.at("Uid").as_string()));
    }

    // The spec's search example (filters.md §6.1), in a table of its own.
    products_ = CreateTable(c, "Products");
    CreateField(c, products_, "Price", R"({"type":"number"})");
    Must(c.Post("/api/database/rows/table/" + std::to_string(products_) + "/batch/?user_field_names=true",
                J(R"({"items":[{"Name":"Product 1","Price":50},{"Name":"Product 2/3","Price":100},
                               {"Name":"Product 3","Price":150},{"Name":"Last product","Price":200}]})"),
                {account_.auth()}),
         "products");
  }

  // --- request helpers -----------------------------------------------------------------

  static std::string Url(int64_t table) { return "/api/database/rows/table/" + std::to_string(table) + "/"; }
  static std::string F(const std::string& name) { return std::to_string(field_.at(name)); }
  static std::string Opt(const std::string& value) { return std::to_string(option_.at(value)); }
  static int64_t Id(int logical) { return row_id_.at(static_cast<size_t>(logical - 1)); }

  HttpResponse List(const std::string& query, int64_t table = 0) const {
    return client().Get(Url(table ? table : table_) + (query.empty() ? "" : "?" + query), {account_.auth()});
  }
  /// Logical row numbers of the rows listed by `query` (unknown ids as negatives).
  Rows Logical(const std::string& query) const {
    auto res = List(query);
    if (res.status != 200) {
      ADD_FAILURE() << query << " -> " << res.status << " " << res.body;
      return {-1};
    }
    Rows out;
    auto body = res.json();
    for (const auto& row : body.at("results").as_array()) {
      auto id = row.at("id").as_int64();
      auto it = std::find(row_id_.begin(), row_id_.end(), id);
      out.push_back(it == row_id_.end() ? -static_cast<int>(id) : static_cast<int>(it - row_id_.begin()) + 1);
    }
    return out;
  }
  /// Real row ids listed by `query` on `table`.
  std::vector<int64_t> RealIds(const std::string& query, int64_t table) const {
    std::vector<int64_t> out;
    auto res = List(query, table);
    EXPECT_EQ(res.status, 200) << query << " " << res.body;
    if (res.status != 200) return out;
    auto body = res.json();
    for (const auto& row : body.at("results").as_array()) out.push_back(row.at("id").as_int64());
    return out;
  }

  static json::object RawLeaf(json::value field, const std::string& type, json::value value) {
    return json::object{{"field", std::move(field)}, {"type", type}, {"value", std::move(value)}};
  }
  static json::object Leaf(json::value field, const std::string& type, std::string_view value) {
    return RawLeaf(std::move(field), type, json::value(json::string(value)));
  }
  static std::string Tree(const json::value& tree) { return "filters=" + Enc(json::serialize(tree)); }
  static std::string OneFilterTree(const std::string& field, const std::string& type, const std::string& value) {
    return Tree(json::object{{"filter_type", "AND"}, {"filters", json::array{Leaf(field_.at(field), type, value)}}});
  }
  static std::string Legacy(const std::string& field, const std::string& type, const std::string& value) {
    return "filter__field_" + F(field) + "__" + type + "=" + Enc(value);
  }

  static inline Account account_;
  static inline int64_t database_ = 0, table_ = 0, products_ = 0;
  static inline std::map<std::string, int64_t> field_, option_;
  static inline std::vector<int64_t> row_id_;
  static inline std::vector<std::string> uuid_;
  static inline std::string setup_error_;
};

const Rows kAll{1, 2, 3, 4, 5, 6, 7, 8};
const Rows kNone{};

/// Asserts the rows matched by one filter, both as a `filters` tree and as a legacy param.
#define EXPECT_FILTER(field, type, value, ...)                                                    \
  do {                                                                                            \
    const Rows expected_ = __VA_ARGS__;                                                           \
    EXPECT_EQ(Logical(OneFilterTree(field, type, value)), expected_)                              \
        << "filters tree: " << field << " " << type << " '" << value << "'";                      \
    EXPECT_EQ(Logical(Legacy(field, type, value)), expected_)                                     \
        << "legacy param: " << field << " " << type << " '" << value << "'";                      \
  } while (0)

#define EXPECT_ROWS(query, ...)                                      \
  do {                                                               \
    const std::string q_ = (query);                                  \
    EXPECT_EQ(Logical(q_), (Rows __VA_ARGS__)) << "query: " << q_;   \
  } while (0)

// --- truth tables per field type (filters.md §4, §5.1, §5.3) ---------------------------

TEST_F(FiltersApiTest, TextFilters) {
  EXPECT_FILTER("Name", "equal", "Apple pie", Rows{1});
  EXPECT_FILTER("Name", "equal", "apple pie", kNone);  // case-sensitive
  EXPECT_FILTER("Name", "equal", "", kAll);            // empty value → ignored
  EXPECT_FILTER("Name", "not_equal", "Apple pie", (Rows{2, 3, 4, 5, 6, 7, 8}));
  EXPECT_FILTER("Name", "not_equal", "", kAll);
  EXPECT_FILTER("Name", "contains", "APPLE", (Rows{1, 6}));
  EXPECT_FILTER("Name", "contains", "an", Rows{2});
  EXPECT_FILTER("Name", "contains", "", kAll);
  EXPECT_FILTER("Name", "contains_not", "apple", (Rows{2, 3, 4, 5, 7, 8}));
  EXPECT_FILTER("Name", "contains_word", "apple", (Rows{1, 6}));
  EXPECT_FILTER("Name", "contains_word", "app", kNone);
  EXPECT_FILTER("Name", "doesnt_contain_word", "apple", (Rows{2, 3, 4, 5, 7, 8}));
  EXPECT_FILTER("Name", "length_is_lower_than", "6", (Rows{4, 7, 8}));  // "" has length 0, NULL excluded
  EXPECT_FILTER("Name", "length_is_lower_than", "", kNone);
  EXPECT_FILTER("Name", "length_is_lower_than", "abc", kNone);
  EXPECT_FILTER("Name", "empty", "", (Rows{4, 5}));
  EXPECT_FILTER("Name", "not_empty", "", (Rows{1, 2, 3, 6, 7, 8}));
  EXPECT_FILTER("Name", "empty", "ignored", (Rows{4, 5}));
  // long_text
  EXPECT_FILTER("Notes", "contains_word", "apple", Rows{6});
  EXPECT_FILTER("Notes", "contains_word", "grape", kNone);
  EXPECT_FILTER("Notes", "contains", "grape", Rows{7});
  EXPECT_FILTER("Notes", "empty", "", (Rows{3, 4, 5}));
  EXPECT_FILTER("Notes", "equal", "kiwi kiwi", Rows{8});
  // url and email store "" for null
  EXPECT_FILTER("Site", "equal", "https://tart.com", Rows{6});
  EXPECT_FILTER("Site", "contains", "CHERRY", Rows{4});
  EXPECT_FILTER("Site", "empty", "", (Rows{3, 5, 7, 8}));
  EXPECT_FILTER("Site", "not_empty", "", (Rows{1, 2, 4, 6}));
  EXPECT_FILTER("Site", "contains_word", "banana", Rows{2});
  EXPECT_FILTER("Mail", "contains", "apple", Rows{1});
  EXPECT_FILTER("Mail", "not_equal", "c@cherry.net", (Rows{1, 2, 3, 5, 6, 7, 8}));
  EXPECT_FILTER("Mail", "empty", "", (Rows{3, 5, 7, 8}));
  EXPECT_FILTER("Mail", "length_is_lower_than", "13", (Rows{2, 3, 4, 5, 6, 7, 8}));
}

TEST_F(FiltersApiTest, NumberFilters) {
  // Price: 10, -5.5, 2, 0, NULL, 100.25, 7, 4
  EXPECT_FILTER("Price", "equal", "10", Rows{1});
  EXPECT_FILTER("Price", "equal", "10.00", Rows{1});
  EXPECT_FILTER("Price", "equal", "-5.5", Rows{2});
  EXPECT_FILTER("Price", "equal", "0", Rows{4});
  EXPECT_FILTER("Price", "equal", "abc", kNone);  // invalid → nothing
  EXPECT_FILTER("Price", "equal", "", kAll);
  EXPECT_FILTER("Price", "not_equal", "10", (Rows{2, 3, 4, 5, 6, 7, 8}));  // NULL included
  EXPECT_FILTER("Price", "not_equal", "abc", kAll);                         // invalid → everything
  EXPECT_FILTER("Price", "higher_than", "4", (Rows{1, 6, 7}));
  EXPECT_FILTER("Price", "higher_than_or_equal", "4", (Rows{1, 6, 7, 8}));
  EXPECT_FILTER("Price", "lower_than", "2", (Rows{2, 4}));
  EXPECT_FILTER("Price", "lower_than_or_equal", "2", (Rows{2, 3, 4}));
  EXPECT_FILTER("Price", "higher_than", "-6", (Rows{1, 2, 3, 4, 6, 7, 8}));
  EXPECT_FILTER("Price", "higher_than", "100.2", Rows{6});  // not rounded
  EXPECT_FILTER("Price", "higher_than", "abc", kNone);
  EXPECT_FILTER("Price", "higher_than", "", kAll);
  EXPECT_FILTER("Price", "is_even_and_whole", "", (Rows{1, 3, 4, 8}));
  EXPECT_FILTER("Price", "empty", "", Rows{5});  // 0 is not empty
  EXPECT_FILTER("Price", "not_empty", "", (Rows{1, 2, 3, 4, 6, 7, 8}));
  // contains on the stored decimal text ("-5.50", "100.25", ...)
  EXPECT_FILTER("Price", "contains", "5", (Rows{2, 6}));
  EXPECT_FILTER("Price", "contains", "0.2", Rows{6});
  EXPECT_FILTER("Price", "contains", ".00", (Rows{1, 3, 4, 7, 8}));
  EXPECT_FILTER("Price", "contains_not", "5", (Rows{1, 3, 4, 5, 7, 8}));
}

TEST_F(FiltersApiTest, RatingAndAutonumberFilters) {
  // Stars: 3, 0, 5, 1, 0, 4, 2, 5 (rating is never NULL)
  EXPECT_FILTER("Stars", "equal", "5", (Rows{3, 8}));
  EXPECT_FILTER("Stars", "not_equal", "0", (Rows{1, 3, 4, 6, 7, 8}));
  EXPECT_FILTER("Stars", "higher_than", "3", (Rows{3, 6, 8}));
  EXPECT_FILTER("Stars", "higher_than_or_equal", "3", (Rows{1, 3, 6, 8}));
  EXPECT_FILTER("Stars", "lower_than", "1", (Rows{2, 5}));
  EXPECT_FILTER("Stars", "lower_than_or_equal", "1", (Rows{2, 4, 5}));
  EXPECT_FILTER("Stars", "empty", "", kNone);
  EXPECT_FILTER("Stars", "not_empty", "", kAll);
  // Num: autonumber 1..8 in insertion order
  EXPECT_FILTER("Num", "equal", "3", Rows{3});
  EXPECT_FILTER("Num", "higher_than", "6", (Rows{7, 8}));
  EXPECT_FILTER("Num", "lower_than_or_equal", "2", (Rows{1, 2}));
  EXPECT_FILTER("Num", "is_even_and_whole", "", (Rows{2, 4, 6, 8}));
  EXPECT_FILTER("Num", "contains", "7", Rows{7});
}

TEST_F(FiltersApiTest, BooleanFilters) {
  // Done: T F T F F T F T
  EXPECT_FILTER("Done", "boolean", "1", (Rows{1, 3, 6, 8}));
  EXPECT_FILTER("Done", "boolean", "true", (Rows{1, 3, 6, 8}));
  EXPECT_FILTER("Done", "boolean", "0", (Rows{2, 4, 5, 7}));
  EXPECT_FILTER("Done", "boolean", "", (Rows{2, 4, 5, 7}));  // empty = false
  EXPECT_FILTER("Done", "boolean", "maybe", kNone);          // invalid word → nothing
  EXPECT_FILTER("Done", "equal", "true", (Rows{1, 3, 6, 8}));
  EXPECT_FILTER("Done", "not_equal", "true", (Rows{2, 4, 5, 7}));
  EXPECT_FILTER("Done", "empty", "", (Rows{2, 4, 5, 7}));  // false is empty
  EXPECT_FILTER("Done", "not_empty", "", (Rows{1, 3, 6, 8}));
}

TEST_F(FiltersApiTest, DurationFilters) {
  // Took (h:mm): 3600, 5400, 0, NULL, NULL, 86400, 60, 7200
  EXPECT_FILTER("Took", "equal", "3600", Rows{1});
  EXPECT_FILTER("Took", "equal", "1:30", Rows{2});  // duration text in the field's format
  EXPECT_FILTER("Took", "not_equal", "0", (Rows{1, 2, 4, 5, 6, 7, 8}));
  EXPECT_FILTER("Took", "higher_than", "3600", (Rows{2, 6, 8}));
  EXPECT_FILTER("Took", "lower_than", "1:00", (Rows{3, 7}));
  EXPECT_FILTER("Took", "higher_than_or_equal", "1d 0h", Rows{6});
  EXPECT_FILTER("Took", "higher_than", "abc", kNone);
  EXPECT_FILTER("Took", "empty", "", (Rows{4, 5}));
  EXPECT_FILTER("Took", "not_empty", "", (Rows{1, 2, 3, 6, 7, 8}));
}

TEST_F(FiltersApiTest, SingleSelectFilters) {
  // Status: Open, Closed, Blocked, NULL, NULL, Open, Closed, Open
  EXPECT_FILTER("Status", "single_select_equal", Opt("Open"), (Rows{1, 6, 8}));
  EXPECT_FILTER("Status", "single_select_equal", "", kAll);
  EXPECT_FILTER("Status", "single_select_equal", "abc", kAll);  // non-integer → ignored
  EXPECT_FILTER("Status", "single_select_not_equal", Opt("Open"), (Rows{2, 3, 4, 5, 7}));
  EXPECT_FILTER("Status", "single_select_is_any_of", Opt("Open") + "," + Opt("Blocked"), (Rows{1, 3, 6, 8}));
  EXPECT_FILTER("Status", "single_select_is_any_of", Opt("Closed") + ",x", (Rows{2, 7}));
  EXPECT_FILTER("Status", "single_select_is_any_of", "abc", kNone);  // no ids left → nothing
  EXPECT_FILTER("Status", "single_select_is_none_of", Opt("Open") + "," + Opt("Blocked"), (Rows{2, 4, 5, 7}));
  EXPECT_FILTER("Status", "contains", "LOS", (Rows{2, 7}));
  EXPECT_FILTER("Status", "contains_not", "los", (Rows{1, 3, 4, 5, 6, 8}));
  EXPECT_FILTER("Status", "contains_word", "open", (Rows{1, 6, 8}));
  EXPECT_FILTER("Status", "empty", "", (Rows{4, 5}));
  EXPECT_FILTER("Status", "not_empty", "", (Rows{1, 2, 3, 6, 7, 8}));
}

TEST_F(FiltersApiTest, MultipleSelectAndUuidFilters) {
  // Tags: [red,green], [blue], [], [green], [], [red], [red,blue,green], [blue,green]
  EXPECT_FILTER("Tags", "multiple_select_has", Opt("red"), (Rows{1, 6, 7}));
  EXPECT_FILTER("Tags", "multiple_select_has", Opt("red") + "," + Opt("blue"), (Rows{1, 2, 6, 7, 8}));
  EXPECT_FILTER("Tags", "multiple_select_has_not", Opt("red"), (Rows{2, 3, 4, 5, 8}));
  EXPECT_FILTER("Tags", "multiple_select_has_not", Opt("red") + "," + Opt("blue"), (Rows{3, 4, 5}));
  EXPECT_FILTER("Tags", "contains", "BLU", (Rows{2, 7, 8}));
  EXPECT_FILTER("Tags", "contains_word", "green", (Rows{1, 4, 7, 8}));
  EXPECT_FILTER("Tags", "doesnt_contain_word", "green", (Rows{2, 3, 5, 6}));
  EXPECT_FILTER("Tags", "empty", "", (Rows{3, 5}));
  EXPECT_FILTER("Tags", "not_empty", "", (Rows{1, 2, 4, 6, 7, 8}));
  // uuid
  EXPECT_FILTER("Uid", "equal", uuid_[1], Rows{2});
  EXPECT_FILTER("Uid", "not_equal", uuid_[1], (Rows{1, 3, 4, 5, 6, 7, 8}));
}

// --- date filters (filters.md §5.4, §5.5) -------------------------------------------------

TEST_F(FiltersApiTest, LegacyDateFiltersOnDateField) {
  // Day (date only): 2020-06-17, 2020-06-18, 2021-01-01, NULL, NULL, 2019-12-31, 2020-06-16, 2020-07-01
  EXPECT_FILTER("Day", "date_equal", "2020-06-17", Rows{1});
  EXPECT_FILTER("Day", "date_equal", "UTC?2020-06-17", Rows{1});
  EXPECT_FILTER("Day", "date_equal", "Europe/Rome?2020-06-17", Rows{1});
  EXPECT_FILTER("Day", "date_not_equal", "2020-06-17", (Rows{2, 3, 4, 5, 6, 7, 8}));  // NULLs included
  EXPECT_FILTER("Day", "date_before", "UTC?2020-06-17", (Rows{6, 7}));
  EXPECT_FILTER("Day", "date_before_or_equal", "UTC?2020-06-17", (Rows{1, 6, 7}));
  EXPECT_FILTER("Day", "date_after", "UTC?2020-06-17", (Rows{2, 3, 8}));
  EXPECT_FILTER("Day", "date_after_or_equal", "UTC?2020-06-17", (Rows{1, 2, 3, 8}));
  EXPECT_FILTER("Day", "date_equals_day_of_month", "UTC?1", (Rows{3, 8}));
  EXPECT_FILTER("Day", "date_equals_day_of_month", "31", Rows{6});
  // empty value (with or without timezone) → ignored
  EXPECT_FILTER("Day", "date_equal", "", kAll);
  EXPECT_FILTER("Day", "date_equal", "UTC", kAll);
  // invalid value / unknown zone / too many '?' → nothing (negation: everything)
  EXPECT_FILTER("Day", "date_equal", "UTC?not-a-date", kNone);
  EXPECT_FILTER("Day", "date_not_equal", "UTC?not-a-date", kAll);
  EXPECT_FILTER("Day", "date_equal", "Mars/Olympus?2020-06-17", kNone);
  EXPECT_FILTER("Day", "date_equal", "UTC?2020-06-17?x", kNone);
  // contains uses the field's date_format (EU → DD/MM/YYYY)
  EXPECT_FILTER("Day", "contains", "17/06", Rows{1});
  EXPECT_FILTER("Day", "contains", "06/2020", (Rows{1, 2, 7}));
  EXPECT_FILTER("Day", "contains_not", "06/2020", (Rows{3, 4, 5, 6, 8}));
  EXPECT_FILTER("Day", "empty", "", (Rows{4, 5}));
  EXPECT_FILTER("Day", "not_empty", "", (Rows{1, 2, 3, 6, 7, 8}));
}

TEST_F(FiltersApiTest, LegacyDateFiltersOnDateTimeField) {
  // When (UTC): 06-17 10:30, 06-17 23:30, 2021-01-01 00:00, NULL, NULL, 2019-12-31 22:00,
  //             06-16 12:00, 06-30 22:30 (all 2020 unless noted)
  EXPECT_FILTER("When", "date_equal", "UTC?2020-06-17", (Rows{1, 2}));
  EXPECT_FILTER("When", "date_equal", "Europe/Amsterdam?2020-06-17", Rows{1});  // row 2 is 06-18 01:30 there
  EXPECT_FILTER("When", "date_equal", "Europe/Amsterdam?2020-06-18", Rows{2});
  EXPECT_FILTER("When", "date_equal", "Asia/Tokyo?2020-01-01", Rows{6});
  EXPECT_FILTER("When", "date_not_equal", "UTC?2020-06-17", (Rows{3, 4, 5, 6, 7, 8}));
  EXPECT_FILTER("When", "date_before", "UTC?2020-06-18", (Rows{1, 2, 6, 7}));
  EXPECT_FILTER("When", "date_before", "Europe/Amsterdam?2020-06-18", (Rows{1, 6, 7}));
  EXPECT_FILTER("When", "date_after_or_equal", "Europe/Amsterdam?2020-07-01", (Rows{3, 8}));
  EXPECT_FILTER("When", "date_equals_day_of_month", "UTC?1", Rows{3});
  EXPECT_FILTER("When", "date_equals_day_of_month", "Asia/Tokyo?1", (Rows{3, 6, 8}));
  // A full date-time value is compared exactly.
  EXPECT_FILTER("When", "date_equal", "UTC?2020-06-17T10:30:00+00:00", Rows{1});
  EXPECT_FILTER("When", "date_before", "UTC?2020-06-17T12:00:00+00:00", (Rows{1, 6, 7}));
  // contains: ISO date + HH24:MI in UTC
  EXPECT_FILTER("When", "contains", "23:30", Rows{2});
  EXPECT_FILTER("When", "contains", "2020-06-1", (Rows{1, 2, 7}));
}

TEST_F(FiltersApiTest, MultiStepDateFilters) {
  const std::string v = "UTC?2020-06-17?exact_date";
  EXPECT_FILTER("Day", "date_is", v, Rows{1});
  EXPECT_FILTER("Day", "date_is", "?2020-06-17?exact_date", Rows{1});  // empty timezone = UTC
  EXPECT_FILTER("Day", "date_is_not", v, (Rows{2, 3, 4, 5, 6, 7, 8}));
  EXPECT_FILTER("Day", "date_is_before", v, (Rows{6, 7}));
  EXPECT_FILTER("Day", "date_is_on_or_before", v, (Rows{1, 6, 7}));
  EXPECT_FILTER("Day", "date_is_after", v, (Rows{2, 3, 8}));
  EXPECT_FILTER("Day", "date_is_on_or_after", v, (Rows{1, 2, 3, 8}));
  EXPECT_FILTER("Day", "date_is_within", v, (Rows{1, 2, 3, 8}));  // past period: L <= d < today+1
  EXPECT_FILTER("Day", "date_is", "UTC??exact_date", kAll);          // empty value → ignored
  EXPECT_FILTER("Day", "date_is", "UTC?2020-06-17", kNone);          // two parts
  EXPECT_FILTER("Day", "date_is", "UTC?2020-06-17?bogus", kNone);    // unknown operator
  EXPECT_FILTER("When", "date_is", v, (Rows{1, 2}));
  EXPECT_FILTER("When", "date_is", "Europe/Amsterdam?2020-06-18?exact_date", Rows{2});
  EXPECT_FILTER("When", "date_is_before", "Europe/Amsterdam?2020-06-18?exact_date", (Rows{1, 6, 7}));
}

TEST_F(FiltersApiTest, RelativeDateFilters) {
  using namespace std::chrono;
  auto today = floor<days>(system_clock::now());
  auto n = std::to_string((today - sys_days{year{2020} / 6 / 17}).count());  // days since row 1's Day
  auto years = std::to_string(static_cast<int>(year_month_day{today}.year()) - 2020);
  EXPECT_FILTER("Day", "date_equals_days_ago", "UTC?" + n, Rows{1});
  EXPECT_FILTER("Day", "date_after_days_ago", "UTC?" + n, (Rows{1, 2, 3, 8}));
  EXPECT_FILTER("Day", "date_equals_years_ago", "UTC?" + years, (Rows{1, 2, 7, 8}));
  EXPECT_FILTER("Day", "date_is", "UTC?" + n + "?nr_days_ago", Rows{1});
  EXPECT_FILTER("Day", "date_is_on_or_after", "UTC?" + n + "?nr_days_ago", (Rows{1, 2, 3, 8}));
  EXPECT_FILTER("Day", "date_before_today", "UTC", (Rows{1, 2, 3, 6, 7, 8}));
  EXPECT_FILTER("Day", "date_after_today", "UTC", kNone);
  EXPECT_FILTER("Day", "date_equals_today", "UTC", kNone);
  EXPECT_FILTER("Day", "date_is", "UTC??today", kNone);
  EXPECT_FILTER("Day", "date_is_before", "UTC??today", (Rows{1, 2, 3, 6, 7, 8}));
  EXPECT_FILTER("Day", "date_is_not", "UTC??this_year", kAll);
}

// --- the filters JSON tree (filters.md §1) -------------------------------------------------

TEST_F(FiltersApiTest, FiltersTreeGroupsAndFieldIds) {
  auto price = field_.at("Price"), done = field_.at("Done"), name = field_.at("Name");
  auto status = field_.at("Status"), stars = field_.at("Stars");
  EXPECT_ROWS(Tree(json::object{{"filter_type", "AND"},
                                {"filters", json::array{Leaf(price, "higher_than", "3"), Leaf(done, "boolean", "1")}}}),
              {1, 6, 8});
  EXPECT_ROWS(Tree(json::object{{"filter_type", "OR"},
                                {"filters", json::array{Leaf(price, "higher_than", "3"), Leaf(done, "boolean", "1")}}}),
              {1, 3, 6, 7, 8});
  // banana OR (Open AND Stars > 3)
  json::object group{{"filter_type", "AND"},
                     {"filters", json::array{Leaf(status, "single_select_equal", Opt("Open")),
                                             Leaf(stars, "higher_than", "3")}},
                     {"groups", json::array{}}};
  EXPECT_ROWS(Tree(json::object{{"filter_type", "OR"},
                                {"filters", json::array{Leaf(name, "equal", "banana")}},
                                {"groups", json::array{group}}}),
              {2, 6, 8});
  // Nested two levels: Done AND (Price < 5 OR (Stars = 4))
  json::object inner{{"filter_type", "AND"}, {"filters", json::array{Leaf(stars, "equal", "4")}}};
  json::object mid{{"filter_type", "OR"}, {"filters", json::array{Leaf(price, "lower_than", "5")}},
                   {"groups", json::array{inner}}};
  EXPECT_ROWS(Tree(json::object{{"filter_type", "AND"}, {"filters", json::array{Leaf(done, "boolean", "true")}},
                                {"groups", json::array{mid}}}),
              {3, 6, 8});
  // A node without filters and groups matches everything; ignored (empty) values match all.
  EXPECT_ROWS(Tree(json::object{{"filter_type", "AND"}}), {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_ROWS(Tree(json::object{{"filter_type", "OR"}, {"filters", json::array{Leaf(name, "contains", "")}}}),
              {1, 2, 3, 4, 5, 6, 7, 8});
  // A JSON number value is converted to text.
  EXPECT_ROWS(Tree(json::object{{"filter_type", "AND"}, {"filters", json::array{RawLeaf(price, "equal", 10)}}}), {1});
  // `filters` beats legacy params and filter_type.
  EXPECT_ROWS(OneFilterTree("Name", "contains", "apple") + "&" + Legacy("Name", "equal", "banana") + "&filter_type=OR",
              {1, 6});
  // Search is ANDed with filters.
  EXPECT_ROWS(OneFilterTree("Done", "boolean", "1") + "&search=apple", {1, 6});
}

TEST_F(FiltersApiTest, FiltersTreeFieldNames) {
  auto tree = [](json::value field, const std::string& type, const std::string& value) {
    return Tree(json::object{{"filter_type", "AND"}, {"filters", json::array{Leaf(std::move(field), type, value)}}});
  };
  EXPECT_ROWS("user_field_names=true&" + tree("Name", "contains", "apple"), {1, 6});
  EXPECT_ROWS("user_field_names=true&" + tree("Code, \"x\"", "equal", "c"), {3});
  // With names, a numeric id is not a field reference (pitfall 20).
  EXPECT_ERROR(List("user_field_names=true&" + tree(field_.at("Name"), "contains", "apple")), 400,
               "ERROR_FILTER_FIELD_NOT_FOUND");
  EXPECT_ERROR(List("user_field_names=true&" + tree("Nope", "contains", "apple")), 400, "ERROR_FILTER_FIELD_NOT_FOUND");
  EXPECT_JSON(List(tree(999999, "equal", "x")), 400,
              R"({"error":"ERROR_FILTER_FIELD_NOT_FOUND","detail":"The field 999999 was not found in the table."})");
}

TEST_F(FiltersApiTest, FiltersTreeValidationErrors) {
  EXPECT_JSON(List("filters=invalid_json"), 400,
              R"({"error":"ERROR_FILTERS_PARAM_VALIDATION_ERROR",
                  "detail":{"error":"The provided filters are not valid JSON.","code":"invalid_json"}})");
  EXPECT_JSON(List(Tree(J(R"({"filter_type":"invalid"})"))), 400,
              R"({"error":"ERROR_FILTERS_PARAM_VALIDATION_ERROR",
                  "detail":{"filter_type":[{"error":"\"invalid\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_JSON(List(Tree(J(R"({"filter_type":"OR","filters":"invalid","groups":"invalid"})"))), 400,
              R"({"error":"ERROR_FILTERS_PARAM_VALIDATION_ERROR",
                  "detail":{"filters":[{"error":"Expected a list of items but got type \"str\".","code":"not_a_list"}],
                            "groups":{"non_field_errors":[{"error":"Expected a list of items but got type \"str\".",
                                                           "code":"not_a_list"}]}}})");
  EXPECT_JSON(List(Tree(J(R"({"filter_type":"AND","filters":[{"type":"equal","value":"x"}]})"))), 400,
              R"({"error":"ERROR_FILTERS_PARAM_VALIDATION_ERROR",
                  "detail":{"filters":{"0":{"field":[{"error":"This field is required.","code":"required"}]}}}})");
}

TEST_F(FiltersApiTest, FilterTypeErrors) {
  EXPECT_JSON(List(OneFilterTree("Name", "nope", "x")), 400,
              R"({"error":"ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST","detail":"The view filter type nope doesn't exist."})");
  EXPECT_JSON(List(Legacy("Name", "nope", "x")), 400,
              R"({"error":"ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST","detail":"The view filter type nope doesn't exist."})");
  EXPECT_JSON(List(OneFilterTree("Name", "higher_than", "1")), 400,
              R"({"error":"ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD",
                  "detail":"The filter higher_than is not compatible with field type text."})");
  EXPECT_JSON(List(Legacy("Done", "contains", "x")), 400,
              R"({"error":"ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD",
                  "detail":"The filter contains is not compatible with field type boolean."})");
  const std::pair<const char*, const char*> unsupported[] = {
      {"Status", "equal"}, {"Price", "boolean"}, {"Stars", "is_even_and_whole"}, {"Took", "contains"},
      {"Tags", "single_select_equal"}, {"Uid", "contains"}, {"Name", "date_equal"}, {"Day", "equal"},
  };
  for (const auto& [field, type] : unsupported) {
    EXPECT_ERROR(List(OneFilterTree(field, type, "1")), 400, "ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD");
    EXPECT_ERROR(List(Legacy(field, type, "1")), 400, "ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD");
  }
}

// --- legacy filter__ parameters (filters.md §2) ---------------------------------------------

TEST_F(FiltersApiTest, LegacyFilterParams) {
  const auto a = Legacy("Name", "contains", "a"), p = Legacy("Name", "contains", "p");
  EXPECT_ROWS(a, {1, 2, 6, 7});
  EXPECT_ROWS(a + "&" + Legacy("Price", "higher_than", "5"), {1, 6, 7});
  EXPECT_ROWS(Legacy("Name", "contains", "an") + "&" + Legacy("Price", "higher_than", "50"), {});
  EXPECT_ROWS(Legacy("Name", "contains", "an") + "&" + Legacy("Price", "higher_than", "50") + "&filter_type=OR", {2, 6});
  EXPECT_ROWS(Legacy("Name", "contains", "an") + "&" + Legacy("Price", "higher_than", "50") + "&filter_type=or", {2, 6});
  EXPECT_ROWS(Legacy("Name", "contains", "an") + "&" + Legacy("Price", "higher_than", "50") + "&filter_type=xor", {});
  // A repeated parameter: every value is its own filter.
  EXPECT_ROWS(a + "&" + p, {1, 6, 7});
  EXPECT_ROWS(a + "&" + p + "&filter_type=OR", {1, 2, 6, 7});
  // `+` decodes to a space, %2C to a comma (pitfall 43).
  EXPECT_ROWS("filter__field_" + F("Notes") + "__contains=and+warm", {1});
  EXPECT_ROWS("filter__field_" + F("Notes") + "__contains=apple%2C+pear", {6});
  // Keys whose field part is neither a name (names mode) nor field_<id> are ignored.
  EXPECT_ROWS("filter__Name__equal=banana", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_ROWS("filter__nonexistent__equal=x&filter__x=1&filterfield=2", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_JSON(List("filter__field_999999__equal=x"), 400,
              R"({"error":"ERROR_FILTER_FIELD_NOT_FOUND","detail":"The field 999999 was not found in the table."})");
}

TEST_F(FiltersApiTest, LegacyFilterParamsNamesModeAndIdIn) {
  EXPECT_ROWS("user_field_names=true&filter__Name__equal=banana", {2});
  EXPECT_ROWS("user_field_names=true&" + Legacy("Name", "equal", "banana"), {2});
  EXPECT_ROWS("user_field_names=true&filter__" + Enc("Code, \"x\"") + "__equal=d", {6});
  EXPECT_ROWS("user_field_names=true&filter__Nope__equal=x", {1, 2, 3, 4, 5, 6, 7, 8});
  // Row id pseudo filter.
  EXPECT_ROWS("filter__field_id__in=" + Enc(std::to_string(Id(2)) + "," + std::to_string(Id(5)) + ",abc"), {2, 5});
  EXPECT_ROWS("filter__field_id__in=", {1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_ROWS("filter__field_id__in=" + std::to_string(Id(7)) + "&" + Legacy("Done", "boolean", "0"), {7});
}

// --- order_by (filters.md §3) -----------------------------------------------------------------

TEST_F(FiltersApiTest, OrderBy) {
  const std::string price = F("Price");
  // Price: 10, -5.5, 2, 0, NULL, 100.25, 7, 4 — NULL first ascending, last descending.
  EXPECT_ROWS("order_by=field_" + price, {5, 2, 4, 3, 8, 7, 1, 6});
  EXPECT_ROWS("order_by=" + price, {5, 2, 4, 3, 8, 7, 1, 6});
  EXPECT_ROWS("order_by=%2Bfield_" + price, {5, 2, 4, 3, 8, 7, 1, 6});
  EXPECT_ROWS("order_by=id_" + price, {5, 2, 4, 3, 8, 7, 1, 6});
  EXPECT_ROWS("order_by=-field_" + price, {6, 1, 7, 8, 3, 4, 2, 5});
  EXPECT_ROWS("order_by=-" + price, {6, 1, 7, 8, 3, 4, 2, 5});  // as n8n sends it
  // Several fields; ties broken by order, id.
  EXPECT_ROWS("order_by=field_" + F("Done") + ",-field_" + F("Stars"), {7, 4, 2, 5, 3, 8, 6, 1});
  EXPECT_ROWS("user_field_names=true&order_by=-Stars,Name", {3, 8, 6, 1, 7, 4, 5, 2});
  // Text is collated (case-insensitive first); NULL before "".
  EXPECT_ROWS("user_field_names=true&order_by=Name", {5, 4, 1, 6, 2, 3, 7, 8});
  EXPECT_ROWS("order_by=field_" + F("Took"), {4, 5, 3, 7, 1, 2, 8, 6});
  EXPECT_ROWS("order_by=-field_" + F("Day"), {3, 8, 2, 1, 7, 6, 4, 5});
  EXPECT_ROWS("order_by=-field_" + F("Num"), {8, 7, 6, 5, 4, 3, 2, 1});
  // Single select: by value (Blocked < Closed < Open) or by option position with [order].
  const std::string status = F("Status");
  EXPECT_ROWS("order_by=field_" + status, {4, 5, 3, 2, 7, 1, 6, 8});
  EXPECT_ROWS("order_by=" + Enc("field_" + status + "[order]"), {4, 5, 1, 6, 8, 2, 7, 3});
  EXPECT_ROWS("order_by=" + Enc("-field_" + status + "[order]"), {3, 2, 7, 1, 6, 8, 4, 5});
  // order_by replaces the default order and is combined with filters.
  EXPECT_ROWS(Legacy("Done", "boolean", "1") + "&order_by=-field_" + price, {6, 1, 8, 3});
}

TEST_F(FiltersApiTest, OrderByErrors) {
  EXPECT_JSON(List("order_by=field_999999"), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_FOUND","detail":"The field field_999999 was not found in the table."})");
  EXPECT_JSON(List("order_by=-999999"), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_FOUND","detail":"The field -999999 was not found in the table."})");
  EXPECT_JSON(List("user_field_names=true&order_by=Nope"), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_FOUND","detail":"The field Nope was not found in the table."})");
  // In names mode field_<id> is not a reference (pitfall 18).
  const std::string name = "field_" + F("Name");
  EXPECT_JSON(List("user_field_names=true&order_by=" + name), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_FOUND","detail":"The field )" + name +
                  R"( was not found in the table."})");
  EXPECT_JSON(List("order_by=" + Enc(name + "[unknown]")), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_POSSIBLE","detail":"It is not possible to order by )" + name +
                  R"( using sort type unknown because the field type text does not support it."})");
  const std::string secret = "field_" + F("Secret");
  EXPECT_JSON(List("order_by=" + secret), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_POSSIBLE","detail":"It is not possible to order by )" + secret +
                  R"( using sort type default because the field type password does not support it."})");
  EXPECT_JSON(List("user_field_names=true&order_by=-Secret"), 400,
              R"({"error":"ERROR_ORDER_BY_FIELD_NOT_POSSIBLE","detail":"It is not possible to order by Secret using sort type default because the field type password does not support it."})");
}

// --- search (filters.md §6.1) -------------------------------------------------------------------

TEST_F(FiltersApiTest, SearchCompatSpecExample) {
  // Rows ("Product 1",50), ("Product 2/3",100), ("Product 3",150), ("Last product",200), ids 1..4.
  ASSERT_EQ(RealIds("", products_), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(RealIds("search=3", products_), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(RealIds("search=4", products_), (std::vector<int64_t>{4}));  // row id match
  EXPECT_EQ(RealIds("search=200", products_), (std::vector<int64_t>{4}));
  EXPECT_EQ(RealIds("search=3&search_mode=compat", products_), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(RealIds("search=+4+", products_), (std::vector<int64_t>{4}));  // trimmed
  EXPECT_EQ(RealIds("search=04", products_), (std::vector<int64_t>{}));    // leading zero: no id match
  EXPECT_EQ(RealIds("search=PRODUCT", products_), (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(RealIds("search=last+prod", products_), (std::vector<int64_t>{4}));
  EXPECT_EQ(RealIds("search=", products_), (std::vector<int64_t>{1, 2, 3, 4}));
  auto c = client();
  const auto price = std::to_string(FieldIds(c, products_).at("Price"));
  EXPECT_EQ(RealIds("search=product&filter__field_" + price + "__higher_than=100", products_),
            (std::vector<int64_t>{3, 4}));
  auto res = List("search=3", products_);
  EXPECT_EQ(res.json().at("count"), json::value(2)) << res.body;
  EXPECT_ERROR(List("search=3&search_mode=fuzzy", products_), 400, "ERROR_QUERY_PARAMETER_VALIDATION");
}

TEST_F(FiltersApiTest, SearchCompatAcrossFieldTypes) {
  EXPECT_ROWS("search=apple", {1, 6});        // text, url, email, long text
  EXPECT_ROWS("search=KIWI", {8});
  EXPECT_ROWS("search=gre", {1, 4, 7, 8});    // multiple select values
  EXPECT_ROWS("search=blocked", {3});         // single select value
  EXPECT_ROWS("search=17%2F06", {1});         // date in the field's format (EU)
  EXPECT_ROWS("search=23%3A30", {2});         // date-time with HH24:MI
  EXPECT_ROWS("search=100.25", {6});          // number decimal text
  EXPECT_ROWS("search=true", {});             // booleans are not searched
  EXPECT_ROWS("search=" + uuid_[4], {5});     // uuid text
  EXPECT_ROWS("search=zzz", {});
}

// --- pagination (rows.md §3.1, §3.3, pitfalls 16, 47) ----------------------------------------

TEST_F(FiltersApiTest, Pagination) {
  const std::string base = server().base_url() + Url(table_);
  auto page1 = List("page=1&size=3");
  ASSERT_EQ(page1.status, 200) << page1.body;
  auto j = page1.json().as_object();
  EXPECT_EQ(j.at("count"), json::value(8));
  EXPECT_EQ(j.at("next"), json::value(base + "?page=2&size=3"));
  EXPECT_TRUE(j.at("previous").is_null());
  EXPECT_EQ(Logical("page=1&size=3"), (Rows{1, 2, 3}));

  j = List("page=2&size=3").json().as_object();
  EXPECT_EQ(j.at("next"), json::value(base + "?page=3&size=3"));
  EXPECT_EQ(j.at("previous"), json::value(base + "?size=3"));
  EXPECT_EQ(Logical("page=2&size=3"), (Rows{4, 5, 6}));

  j = List("page=3&size=3").json().as_object();
  EXPECT_EQ(j.at("count"), json::value(8));
  EXPECT_TRUE(j.at("next").is_null());  // last page: next present and null
  EXPECT_EQ(j.at("previous"), json::value(base + "?page=2&size=3"));
  EXPECT_EQ(Logical("page=3&size=3"), (Rows{7, 8}));

  auto past = List("page=9&size=3");
  EXPECT_EQ(past.status, 200) << past.body;
  EXPECT_EQ(past.json().at("results"), J("[]"));
  EXPECT_EQ(past.json().at("count"), json::value(8));

  // Defaults: everything on one page, next null.
  auto all = List("").json().as_object();
  EXPECT_EQ(all.at("count"), json::value(8));
  EXPECT_TRUE(all.at("next").is_null());
  EXPECT_TRUE(all.at("previous").is_null());
  EXPECT_EQ(all.at("results").as_array().size(), 8u);
  // Malformed page/size fall back to defaults; size over 200 is an error.
  EXPECT_EQ(Logical("page=abc&size=2"), (Rows{1, 2}));
  EXPECT_EQ(Logical("page=0&size=2"), (Rows{1, 2}));
  EXPECT_EQ(Logical("size=0"), kAll);
  EXPECT_EQ(Logical("size=abc"), kAll);
  EXPECT_EQ(Logical("size=200"), kAll);
  EXPECT_JSON(List("size=201"), 400, R"({"error":"ERROR_PAGE_SIZE_LIMIT","detail":"The page size is limited to 200."})");
  // count is the number of matching rows.
  auto filtered = List(Legacy("Done", "boolean", "1") + "&size=2").json().as_object();
  EXPECT_EQ(filtered.at("count"), json::value(4));
  EXPECT_EQ(filtered.at("results").as_array().size(), 2u);
}

TEST_F(FiltersApiTest, PaginationUrlsUseHostHeader) {
  auto res = client().Get(Url(table_) + "?page=1&size=5", {account_.auth(), "Host: rows.example.test:8123"});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.json().at("next"),
            json::value("http://rows.example.test:8123" + Url(table_) + "?page=2&size=5"));
  res = client().Get(Url(table_) + "?page=2&size=5", {account_.auth(), "Host: rows.example.test"});
  EXPECT_EQ(res.json().at("previous"), json::value("http://rows.example.test" + Url(table_) + "?size=5"));
  EXPECT_TRUE(res.json().at("next").is_null());
}

// --- include / exclude (rows.md §3.1–3.2, pitfall 18) ---------------------------------------

TEST_F(FiltersApiTest, IncludeExclude) {
  auto first = [&](const std::string& query) {
    auto res = List(query);
    EXPECT_EQ(res.status, 200) << query << " " << res.body;
    return res.status == 200 ? res.json().at("results").as_array().at(0) : json::value();
  };
  const std::string id = std::to_string(Id(1));
  EXPECT_EQ(first("user_field_names=true&include=Name,Price"),
            J(R"({"id":)" + id + R"(,"order":"1.00000000000000000000","Name":"Apple pie","Price":"10.00"})"));
  EXPECT_EQ(first("user_field_names=true&include=" + Enc(R"("Code, \"x\"",Stars)")),
            J(R"({"id":)" + id + R"(,"order":"1.00000000000000000000","Code, \"x\"":"a","Stars":3})"));
  EXPECT_EQ(first("user_field_names=true&include=Name,Price,Stars&exclude=" + Enc("Price,\"Code, \\\"x\\\"\"")),
            J(R"({"id":)" + id + R"(,"order":"1.00000000000000000000","Name":"Apple pie","Stars":3})"));
  auto excluded = first("user_field_names=true&exclude=" + Enc(R"("Code, \"x\"",Uid,Num,Secret)"));
  ASSERT_TRUE(excluded.is_object());
  EXPECT_EQ(excluded.as_object().size(), 14u);  // id, order and 12 of the 16 fields
  EXPECT_EQ(excluded.as_object().if_contains("Code, \"x\""), nullptr);
  EXPECT_EQ(excluded.at("Name"), json::value("Apple pie"));
  // Id mode: digits of each item; unknown items dropped; nothing valid → all fields.
  EXPECT_EQ(first("include=field_" + F("Name") + "," + F("Stars") + ",field_999999"),
            J(R"({"id":)" + id + R"(,"order":"1.00000000000000000000","field_)" + F("Name") +
              R"(":"Apple pie","field_)" + F("Stars") + R"(":3})"));
  EXPECT_EQ(first("include=field_999999").as_object().size(), 18u);  // id, order and all 16 fields
  // In names mode filters and order_by still combine with include.
  EXPECT_EQ(first("user_field_names=true&include=Name&order_by=-Price&filter__Name__contains=apple"),
            J(R"({"id":)" + std::to_string(Id(6)) + R"(,"order":"6.00000000000000000000","Name":"apple Tart"})"));
}

}  // namespace
}  // namespace gbtest

namespace gbtest {
namespace {

// Numbers compare and sort as exact decimals on PostgreSQL (NUMERIC, through the field's
// index); SQLite compares their doubles, which cannot tell these values apart.
TEST(DecimalOrderTest, BigDecimalsSortAndFilterExactlyOnPostgres) {
  if (!UsingPostgres()) GTEST_SKIP() << "SQLite compares number cells as doubles (README: PostgreSQL)";
  namespace json = boost::json;
  ServerProcess server({"--secret-key", kTestSecret});
  server.Start();
  HttpClient c(server.base_url());
  auto a = SignUp(c, "Dec", UniqueEmail("dec"));
  auto apps = c.Get("/api/applications/", {a.auth()}).json().as_array();
  std::string db = std::to_string(apps.at(0).at("id").as_int64());
  auto t = c.Post("/api/database/tables/database/" + db + "/", json::object{{"name", "Big"}}, {a.auth()});
  ASSERT_EQ(t.status, 200) << t.body;
  std::string table = std::to_string(t.json().at("id").as_int64());
  auto f = c.Post("/api/database/fields/table/" + table + "/",
                  json::object{{"name", "Amount"}, {"type", "number"}, {"number_decimal_places", 2}}, {a.auth()});
  ASSERT_EQ(f.status, 200) << f.body;
  std::string field = "field_" + std::to_string(f.json().at("id").as_int64());
  json::array items;
  for (const char* v : {"12345678901234567.02", "12345678901234567.01", "12345678901234567.03"})
    items.push_back(json::object{{field, v}});
  auto created = c.Post("/api/database/rows/table/" + table + "/batch/", json::object{{"items", items}}, {a.auth()});
  ASSERT_EQ(created.status, 200) << created.body;
  auto values = [&](const std::string& query) {
    std::vector<std::string> out;
    auto r = c.Get("/api/database/rows/table/" + table + "/?" + query, {a.auth()});
    EXPECT_EQ(r.status, 200) << r.body;
    auto body = r.json();
    for (const auto& row : body.at("results").as_array()) {
      // A new table starts with two empty rows: NULL cells sort first ascending, last descending.
      out.emplace_back(row.at(field).is_null() ? "null" : std::string(row.at(field).as_string()));
    }
    return out;
  };
  std::string id = field.substr(6);
  EXPECT_EQ(values("order_by=" + field), (std::vector<std::string>{"null", "null", "12345678901234567.01",
                                                                    "12345678901234567.02", "12345678901234567.03"}));
  EXPECT_EQ(values("order_by=-" + field), (std::vector<std::string>{"12345678901234567.03", "12345678901234567.02",
                                                                     "12345678901234567.01", "null", "null"}));
  EXPECT_EQ(values("filter__field_" + id + "__higher_than=12345678901234567.01&order_by=" + field),
            (std::vector<std::string>{"12345678901234567.02", "12345678901234567.03"}));
  EXPECT_EQ(values("filter__field_" + id + "__equal=12345678901234567.020"),
            (std::vector<std::string>{"12345678901234567.02"}));
}

}  // namespace
}  // namespace gbtest
