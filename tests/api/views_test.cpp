// Views (views.md, frontend.md §4, §8, realtime.md §5.5): default grid views, view CRUD,
// order and duplicate, filters, filter groups, sorts and group-bys applied to the grid rows
// endpoint and to rows?view_id, field options, aggregations, the jobs list, view events.
#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "support/api_fixture.hpp"
#include "support/ws_client.hpp"

namespace gbtest {
namespace {

namespace json = boost::json;

std::string S(int64_t n) { return std::to_string(n); }
int64_t Id(const json::value& v) { return v.as_object().at("id").as_int64(); }

/// A fresh account with its example database; Customers gets a number field "Score" with
/// Ada 10, Alan 20, Grace 20, John empty, Blaise 5.
struct World {
  Account owner;
  int64_t database = 0, customers = 0, projects = 0;
  int64_t name = 0, last_name = 0, notes = 0, active = 0, score = 0;
  int64_t view = 0;  // Customers' default grid view
  std::vector<std::string> auth() const { return {owner.auth()}; }
};

World MakeWorld(HttpClient& c, const std::string& who) {
  World w;
  w.owner = SignUp(c, who, UniqueEmail("views"));
  auto apps = c.Get("/api/applications/", w.auth()).json();
  w.database = Id(apps.at(0));
  for (const auto& t : apps.at(0).at("tables").as_array()) {
    if (t.at("name") == "Customers") w.customers = Id(t);
    if (t.at("name") == "Projects") w.projects = Id(t);
  }
  auto fields = c.Get("/api/database/fields/table/" + S(w.customers) + "/", w.auth()).json();
  for (const auto& f : fields.as_array()) {
    if (f.at("name") == "Name") w.name = Id(f);
    if (f.at("name") == "Last name") w.last_name = Id(f);
    if (f.at("name") == "Notes") w.notes = Id(f);
    if (f.at("name") == "Active") w.active = Id(f);
  }
  auto score = c.Post("/api/database/fields/table/" + S(w.customers) + "/",
                      json::object{{"name", "Score"}, {"type", "number"}}, w.auth());
  w.score = Id(score.json());
  auto rows = c.Get("/api/database/rows/table/" + S(w.customers) + "/", w.auth()).json();
  const char* scores[] = {"10", "20", "20", nullptr, "5"};
  json::array items;
  for (size_t i = 0; i < 5; ++i) {
    json::object item{{"id", Id(rows.at("results").at(i))}};
    item["field_" + S(w.score)] = scores[i] ? json::value(scores[i]) : json::value(nullptr);
    items.push_back(item);
  }
  c.Patch("/api/database/rows/table/" + S(w.customers) + "/batch/", json::object{{"items", items}}, w.auth());
  auto views = c.Get("/api/database/views/table/" + S(w.customers) + "/", w.auth()).json();
  w.view = Id(views.at(0));
  return w;
}

/// The first names of a grid/rows response's results, in order.
std::vector<std::string> Names(const json::value& body, int64_t name_field) {
  std::vector<std::string> out;
  for (const auto& r : body.at("results").as_array()) out.emplace_back(r.at("field_" + S(name_field)).as_string());
  return out;
}

using Strings = std::vector<std::string>;

class ViewsTest : public ApiTest {
 protected:
  std::string ViewPath(const World& w, const std::string& tail = "") {
    return "/api/database/views/" + S(w.view) + "/" + tail;
  }
  std::string Grid(const World& w, const std::string& query = "") {
    return "/api/database/views/grid/" + S(w.view) + "/" + query;
  }
};

TEST_F(ViewsTest, EveryTableHasADefaultGridViewInTheFrontendShape) {
  auto c = client();
  auto w = MakeWorld(c, "Dana");
  auto res = c.Get("/api/database/views/table/" + S(w.customers) + "/?include=filters,sortings,group_bys,decorations",
                   w.auth());
  ASSERT_EQ(res.status, 200) << res.body;
  auto body = res.json();
  ASSERT_EQ(body.as_array().size(), 1u);
  json::object view = body.at(0).as_object();
  ASSERT_TRUE(view.at("slug").is_string());
  EXPECT_EQ(view.at("slug").as_string().size(), 43u);
  view.erase("slug");
  EXPECT_EQ(json::value(view),
            J(R"({"id":)" + S(w.view) + R"(,"table_id":)" + S(w.customers) +
              R"(,"name":"Grid","order":1,"type":"grid","table":{"id":)" + S(w.customers) +
              R"(,"name":"Customers","order":1,"database_id":)" + S(w.database) +
              R"(},"filter_type":"AND","filters_disabled":false,"public_view_has_password":false,"show_logo":true,)"
              R"("allow_public_export":false,"ownership_type":"collaborative","owned_by_id":null,)"
              R"("row_identifier_type":"id","row_height_size":"small","public":false,"filters":[],)"
              R"("filter_groups":[],"sortings":[],"decorations":[],"group_bys":[]})"));
  // Without include the sub-lists are absent.
  auto plain = c.Get("/api/database/views/table/" + S(w.customers) + "/", w.auth()).json();
  EXPECT_EQ(plain.at(0).as_object().if_contains("filters"), nullptr);
  // A table created through the API gets one too.
  auto table = c.Post("/api/database/tables/database/" + S(w.database) + "/", J(R"({"name":"Fresh"})"), w.auth());
  ASSERT_EQ(table.status, 200) << table.body;
  auto views = c.Get("/api/database/views/table/" + S(Id(table.json())) + "/", w.auth()).json();
  ASSERT_EQ(views.as_array().size(), 1u);
  EXPECT_EQ(views.at(0).at("name"), "Grid");
  EXPECT_EQ(views.at(0).at("type"), "grid");
}

TEST_F(ViewsTest, GridRowsWithFieldOptionsAndRowMetadataAsTheFrontendReadsThem) {
  auto c = client();
  auto w = MakeWorld(c, "Eli");
  auto res = c.Get(Grid(w, "?limit=2&offset=0&include=field_options%2Crow_metadata&limit_linked_items=20"), w.auth());
  ASSERT_EQ(res.status, 200) << res.body;
  auto body = res.json();
  EXPECT_EQ(body.at("count"), 5);
  std::string base = server().base_url();
  EXPECT_EQ(body.at("next"), json::value(base + Grid(w) +
                                         "?include=field_options%2Crow_metadata&limit=2&limit_linked_items=20&offset=2"));
  EXPECT_TRUE(body.at("previous").is_null());
  EXPECT_EQ(Names(body, w.name), (Strings{"Ada", "Alan"}));
  const auto& first = body.at("results").at(0);
  EXPECT_EQ(first.at("order"), "1.00000000000000000000");
  EXPECT_EQ(first.at("field_" + S(w.active)), true);
  EXPECT_EQ(first.at("field_" + S(w.score)), "10");
  json::object options;
  for (int64_t f : {w.name, w.last_name, w.notes, w.active, w.score}) {
    options[S(f)] = J(R"({"width":200,"hidden":false,"order":32767,"aggregation_type":"","aggregation_raw_type":""})");
  }
  EXPECT_EQ(body.at("field_options"), json::value(options));
  EXPECT_EQ(body.at("row_metadata"), J("{}"));

  // Later pages: previous drops offset when it would be 0; the last page has no next.
  auto page2 = c.Get(Grid(w, "?limit=2&offset=2"), w.auth()).json();
  EXPECT_EQ(Names(page2, w.name), (Strings{"Grace", "John"}));
  EXPECT_EQ(page2.at("previous"), json::value(base + Grid(w) + "?limit=2"));
  auto page3 = c.Get(Grid(w, "?limit=2&offset=4"), w.auth()).json();
  EXPECT_EQ(Names(page3, w.name), (Strings{"Blaise"}));
  EXPECT_TRUE(page3.at("next").is_null());
  EXPECT_EQ(page3.at("previous"), json::value(base + Grid(w) + "?limit=2&offset=2"));
  // Beyond the end: no rows.
  EXPECT_EQ(c.Get(Grid(w, "?limit=2&offset=50"), w.auth()).json().at("results"), J("[]"));
  // Page pagination (default without limit), count only, exclude_count.
  auto paged = c.Get(Grid(w, "?page=2&size=3"), w.auth()).json();
  EXPECT_EQ(Names(paged, w.name), (Strings{"John", "Blaise"}));
  EXPECT_EQ(paged.at("previous"), json::value(base + Grid(w) + "?size=3"));
  EXPECT_JSON(c.Get(Grid(w, "?count=true"), w.auth()), 200, R"({"count":5})");
  auto no_count = c.Get(Grid(w, "?limit=1&exclude_count=true"), w.auth());
  ASSERT_EQ(no_count.status, 200);
  EXPECT_EQ(no_count.json().as_object().size(), 1u) << no_count.body;
  EXPECT_EQ(Names(no_count.json(), w.name), (Strings{"Ada"}));
  // include_fields / exclude_fields.
  auto narrow = c.Get(Grid(w, "?limit=1&include_fields=field_" + S(w.name)), w.auth()).json();
  EXPECT_EQ(narrow.at("results").at(0).as_object().size(), 3u);
  auto wide = c.Get(Grid(w, "?limit=1&exclude_fields=field_" + S(w.notes)), w.auth()).json();
  EXPECT_EQ(wide.at("results").at(0).as_object().if_contains("field_" + S(w.notes)), nullptr);
  // Search and ad-hoc filters.
  EXPECT_EQ(Names(c.Get(Grid(w, "?search=hopper&search_mode=compat"), w.auth()).json(), w.name), (Strings{"Grace"}));
  EXPECT_EQ(Names(c.Get(Grid(w, "?filter__field_" + S(w.score) + "__higher_than=10"), w.auth()).json(), w.name),
            (Strings{"Alan", "Grace"}));
  // Unknown view / not a grid id.
  EXPECT_ERROR(c.Get("/api/database/views/grid/999999/", w.auth()), 404, "ERROR_VIEW_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Get(Grid(w, "?order_by=field_999999"), w.auth()), 400, "ERROR_ORDER_BY_FIELD_NOT_FOUND");
}

TEST_F(ViewsTest, ViewCrudOrderAndDuplicate) {
  auto c = client();
  auto w = MakeWorld(c, "Fay");
  const std::string list = "/api/database/views/table/" + S(w.customers) + "/";
  // Validation.
  EXPECT_JSON(c.Post(list, J(R"({"type":"grid"})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"name":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(list, J(R"({"name":"X","type":"spreadsheet"})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"type":[{"error":"\"spreadsheet\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_JSON(c.Post(list, J(R"({"name":"X","type":"grid","ownership_type":"personal"})"), w.auth()), 404,
              R"({"error":"ERROR_VIEW_OWNERSHIP_TYPE_DOES_NOT_EXIST","detail":"The view ownership type does not exist."})");
  EXPECT_EQ(c.Get(list, w.auth()).json().as_array().size(), 1u);

  auto created = c.Post(list + "?include=filters,sortings",
                        J(R"({"name":"Tall","type":"grid","row_height_size":"large","filter_type":"OR"})"), w.auth());
  ASSERT_EQ(created.status, 200) << created.body;
  auto tall = created.json();
  int64_t tall_id = Id(tall);
  EXPECT_EQ(tall.at("order"), 2);
  EXPECT_EQ(tall.at("row_height_size"), "large");
  EXPECT_EQ(tall.at("filter_type"), "OR");
  EXPECT_EQ(tall.at("owned_by_id"), w.owner.id);
  EXPECT_EQ(tall.at("filters"), J("[]"));
  EXPECT_EQ(tall.at("sortings"), J("[]"));
  EXPECT_EQ(tall.as_object().if_contains("group_bys"), nullptr);

  // Update: name, filters_disabled, grid properties; bad values change nothing.
  const std::string tall_path = "/api/database/views/" + S(tall_id) + "/";
  EXPECT_JSON(c.Patch(tall_path, J(R"({"row_identifier_type":"row"})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"row_identifier_type":[{"error":"\"row\" is not a valid choice.","code":"invalid_choice"}]}})");
  auto patched = c.Patch(tall_path, J(R"({"name":"Short","row_identifier_type":"count","filters_disabled":true})"),
                         w.auth());
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("name"), "Short");
  EXPECT_EQ(patched.json().at("row_identifier_type"), "count");
  EXPECT_EQ(patched.json().at("row_height_size"), "large");
  EXPECT_EQ(patched.json().at("filters_disabled"), true);
  EXPECT_EQ(c.Get(tall_path, w.auth()).json(), patched.json());

  // Order.
  EXPECT_JSON(c.Post(list + "order/", J(R"({"view_ids":[999999]})"), w.auth()), 400,
              R"({"error":"ERROR_VIEW_NOT_IN_TABLE","detail":"The view id 999999 does not belong to the table."})");
  EXPECT_JSON(c.Post(list + "order/", J(R"({"view_ids":[]})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"view_ids":[{"error":"Ensure this field has at least 1 elements.","code":"min_length"}]}})");
  auto ordered = c.Post(list + "order/", json::object{{"view_ids", json::array{tall_id, w.view}}}, w.auth());
  EXPECT_EQ(ordered.status, 204) << ordered.body;
  auto after = c.Get(list, w.auth()).json();
  EXPECT_EQ(Id(after.at(0)), tall_id);
  EXPECT_EQ(after.at(0).at("order"), 1);
  EXPECT_EQ(Id(after.at(1)), w.view);

  // Duplicate copies filters, sorts, group-bys and field options, and lands right after.
  ASSERT_EQ(c.Post(ViewPath(w, "filters/"), json::object{{"field", w.active}, {"type", "boolean"}, {"value", "1"}},
                   w.auth()).status, 200);
  ASSERT_EQ(c.Post(ViewPath(w, "sortings/"), json::object{{"field", w.name}, {"order", "DESC"}}, w.auth()).status, 200);
  ASSERT_EQ(c.Patch(ViewPath(w, "field-options/"),
                    json::object{{"field_options", json::object{{S(w.notes), J(R"({"hidden":true})")}}}}, w.auth())
                .status,
            200);
  auto dup = c.Post(ViewPath(w, "duplicate/"), json::object{}, w.auth());
  ASSERT_EQ(dup.status, 200) << dup.body;
  auto copy = dup.json();
  EXPECT_EQ(copy.at("name"), "Grid 2");
  EXPECT_EQ(copy.at("order"), 3);
  ASSERT_EQ(copy.at("filters").as_array().size(), 1u);
  EXPECT_EQ(copy.at("filters").at(0).at("type"), "boolean");
  EXPECT_EQ(copy.at("filters").at(0).at("view"), Id(copy));
  EXPECT_EQ(copy.at("sortings").at(0).at("order"), "DESC");
  EXPECT_EQ(copy.at("group_bys"), J("[]"));
  EXPECT_EQ(copy.at("decorations"), J("[]"));
  EXPECT_NE(copy.at("slug"), c.Get(ViewPath(w), w.auth()).json().at("slug"));
  auto copy_options = c.Get("/api/database/views/" + S(Id(copy)) + "/field-options/", w.auth()).json();
  EXPECT_EQ(copy_options.at("field_options").at(S(w.notes)).at("hidden"), true);
  auto copy_rows = c.Get("/api/database/views/grid/" + S(Id(copy)) + "/", w.auth()).json();
  EXPECT_EQ(Names(copy_rows, w.name), (Strings{"John", "Grace", "Blaise", "Ada"}));
  EXPECT_EQ(c.Post(ViewPath(w, "duplicate/"), json::object{}, w.auth()).json().at("name"), "Grid 3");

  // Delete; the view is gone everywhere.
  EXPECT_EQ(c.Delete(tall_path, w.auth()).status, 204);
  EXPECT_ERROR(c.Get(tall_path, w.auth()), 404, "ERROR_VIEW_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Get("/api/database/views/grid/" + S(tall_id) + "/", w.auth()), 404, "ERROR_VIEW_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Get("/api/database/rows/table/" + S(w.customers) + "/?view_id=" + S(tall_id), w.auth()), 404,
               "ERROR_VIEW_DOES_NOT_EXIST");
  EXPECT_EQ(c.Get(list, w.auth()).json().as_array().size(), 3u);
  EXPECT_JSON(c.Get(list + "?type=gallery", w.auth()), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"type":[{"error":"\"gallery\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_EQ(c.Get(list + "?type=grid&limit=1", w.auth()).json().as_array().size(), 1u);

  // Another user cannot see them; a database token cannot use view endpoints.
  auto stranger = SignUp(c, "Stranger", UniqueEmail("views-out"));
  EXPECT_ERROR(c.Get(list, {stranger.auth()}), 400, "ERROR_USER_NOT_IN_GROUP");
  EXPECT_ERROR(c.Get(ViewPath(w), {stranger.auth()}), 400, "ERROR_USER_NOT_IN_GROUP");
}

TEST_F(ViewsTest, FiltersAndFilterGroupsApplyToTheGridAndToRowsWithViewId) {
  auto c = client();
  auto w = MakeWorld(c, "Gus");
  // Validation, in Baserow's order.
  EXPECT_JSON(c.Post(ViewPath(w, "filters/"), J(R"({"type":"equal"})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"field":[{"error":"This field is required.","code":"required"}]}})");
  EXPECT_JSON(c.Post(ViewPath(w, "filters/"), J(R"({"field":999999,"type":"equal"})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"field":[{"error":"Invalid pk \"999999\" - object does not exist.","code":"does_not_exist"}]}})");
  auto projects_fields = c.Get("/api/database/fields/table/" + S(w.projects) + "/", w.auth()).json();
  EXPECT_ERROR(c.Post(ViewPath(w, "filters/"), json::object{{"field", Id(projects_fields.at(0))}, {"type", "equal"}},
                      w.auth()),
               400, "ERROR_FIELD_NOT_IN_TABLE");
  EXPECT_JSON(c.Post(ViewPath(w, "filters/"), json::object{{"field", w.name}, {"type", "nope"}}, w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"type":[{"error":"\"nope\" is not a valid choice.","code":"invalid_choice"}]}})");
  EXPECT_JSON(c.Post(ViewPath(w, "filters/"), json::object{{"field", w.active}, {"type", "contains"}}, w.auth()), 400,
              R"({"error":"ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD","detail":"The filter contains is not compatible with field type boolean."})");
  EXPECT_JSON(c.Post(ViewPath(w, "filters/"), json::object{{"field", w.name}, {"type", "equal"}, {"group", 999999}},
                     w.auth()),
              404, R"({"error":"ERROR_VIEW_FILTER_GROUP_DOES_NOT_EXIST","detail":"The view filter group does not exist."})");
  EXPECT_EQ(c.Get(ViewPath(w, "filters/"), w.auth()).json(), J("[]"));

  // score > 5 AND (name contains "a" OR last name = "Hopper")
  auto f1 = c.Post(ViewPath(w, "filters/"), json::object{{"field", w.score}, {"type", "higher_than"}, {"value", "5"}},
                   w.auth());
  ASSERT_EQ(f1.status, 200) << f1.body;
  EXPECT_EQ(f1.json(), J(R"({"id":)" + S(Id(f1.json())) + R"(,"view":)" + S(w.view) + R"(,"field":)" + S(w.score) +
                         R"(,"type":"higher_than","value":"5","preload_values":{},"group":null})"));
  auto group = c.Post(ViewPath(w, "filter-groups/"), J(R"({"filter_type":"OR"})"), w.auth());
  ASSERT_EQ(group.status, 200) << group.body;
  int64_t gid = Id(group.json());
  EXPECT_EQ(group.json(), J(R"({"id":)" + S(gid) + R"(,"filter_type":"OR","view":)" + S(w.view) +
                            R"(,"parent_group":null})"));
  auto f2 = c.Post(ViewPath(w, "filters/"),
                   json::object{{"field", w.name}, {"type", "contains"}, {"value", "ac"}, {"group", gid}}, w.auth());
  ASSERT_EQ(f2.status, 200) << f2.body;
  auto f3 = c.Post(ViewPath(w, "filters/"),
                   json::object{{"field", w.last_name}, {"type", "equal"}, {"value", "Hopper"}, {"group", gid}}, w.auth());
  ASSERT_EQ(f3.status, 200) << f3.body;
  // Ada (10, "Ada" contains no "ac"...), Grace (20, "Grace" contains "ac"), Alan (20, no) → Grace only.
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), (Strings{"Grace"}));
  EXPECT_EQ(c.Get(Grid(w, "?count=true"), w.auth()).json(), J(R"({"count":1})"));
  // Rows with view_id: the view's filters, plus ad-hoc filters on top.
  const std::string rows = "/api/database/rows/table/" + S(w.customers) + "/?view_id=" + S(w.view);
  EXPECT_EQ(Names(c.Get(rows, w.auth()).json(), w.name), (Strings{"Grace"}));
  EXPECT_EQ(Names(c.Get(rows + "&filter__field_" + S(w.name) + "__equal=Ada", w.auth()).json(), w.name), Strings{});
  // On the grid endpoint ad-hoc filters replace the view's.
  EXPECT_EQ(Names(c.Get(Grid(w, "?filter__field_" + S(w.name) + "__equal=Ada"), w.auth()).json(), w.name),
            (Strings{"Ada"}));
  // Nested group, then PATCH a filter and a group.
  auto sub = c.Post(ViewPath(w, "filter-groups/"), json::object{{"parent_group", gid}}, w.auth());
  ASSERT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(sub.json().at("parent_group"), gid);
  EXPECT_EQ(sub.json().at("filter_type"), "AND");
  auto upd = c.Patch("/api/database/views/filter/" + S(Id(f3.json())) + "/", J(R"({"value":"Turing"})"), w.auth());
  ASSERT_EQ(upd.status, 200) << upd.body;
  EXPECT_EQ(upd.json().at("value"), "Turing");
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), (Strings{"Alan", "Grace"}));
  EXPECT_JSON(c.Patch("/api/database/views/filter/" + S(Id(f3.json())) + "/", J(R"({"type":"boolean"})"), w.auth()),
              400, R"({"error":"ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD","detail":"The filter boolean is not compatible with field type text."})");
  EXPECT_EQ(c.Get("/api/database/views/filter/" + S(Id(f3.json())) + "/", w.auth()).json(), upd.json());
  auto and_group = c.Patch("/api/database/views/filter-group/" + S(gid) + "/", J(R"({"filter_type":"AND"})"), w.auth());
  ASSERT_EQ(and_group.status, 200) << and_group.body;
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), Strings{});
  // filter_type OR at the top; filters_disabled turns them all off.
  ASSERT_EQ(c.Patch(ViewPath(w), J(R"({"filter_type":"OR"})"), w.auth()).status, 200);
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), (Strings{"Ada", "Alan", "Grace"}));
  ASSERT_EQ(c.Patch(ViewPath(w), J(R"({"filters_disabled":true})"), w.auth()).status, 200);
  EXPECT_EQ(c.Get(Grid(w, "?count=true"), w.auth()).json(), J(R"({"count":5})"));
  ASSERT_EQ(c.Patch(ViewPath(w), J(R"({"filters_disabled":false})"), w.auth()).status, 200);
  // The view object lists them all with include=filters.
  auto view = c.Get(ViewPath(w, "?include=filters"), w.auth()).json();
  EXPECT_EQ(view.at("filters").as_array().size(), 3u);
  EXPECT_EQ(view.at("filter_groups").as_array().size(), 2u);
  // Deleting the group deletes its sub-group and its filters.
  EXPECT_EQ(c.Delete("/api/database/views/filter-group/" + S(gid) + "/", w.auth()).status, 204);
  EXPECT_ERROR(c.Get("/api/database/views/filter-group/" + S(gid) + "/", w.auth()), 404,
               "ERROR_VIEW_FILTER_GROUP_DOES_NOT_EXIST");
  EXPECT_ERROR(c.Get("/api/database/views/filter/" + S(Id(f2.json())) + "/", w.auth()), 404,
               "ERROR_VIEW_FILTER_DOES_NOT_EXIST");
  view = c.Get(ViewPath(w, "?include=filters"), w.auth()).json();
  EXPECT_EQ(view.at("filters").as_array().size(), 1u);
  EXPECT_EQ(view.at("filter_groups"), J("[]"));
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), (Strings{"Ada", "Alan", "Grace"}));
  EXPECT_EQ(c.Delete("/api/database/views/filter/" + S(Id(f1.json())) + "/", w.auth()).status, 204);
  EXPECT_EQ(c.Get(Grid(w, "?count=true"), w.auth()).json(), J(R"({"count":5})"));

  // A field whose type changes loses the filters it can no longer serve; a trashed field's
  // filters stop applying.
  auto hf = c.Post(ViewPath(w, "filters/"), json::object{{"field", w.score}, {"type", "higher_than"}, {"value", "15"}},
                   w.auth());
  ASSERT_EQ(hf.status, 200);
  auto ef = c.Post(ViewPath(w, "filters/"), json::object{{"field", w.score}, {"type", "empty"}}, w.auth());
  ASSERT_EQ(ef.status, 200);
  ASSERT_EQ(c.Patch("/api/database/fields/" + S(w.score) + "/", J(R"({"type":"text"})"), w.auth()).status, 200);
  auto kept = c.Get(ViewPath(w, "filters/"), w.auth()).json();
  ASSERT_EQ(kept.as_array().size(), 1u);
  EXPECT_EQ(kept.at(0).at("type"), "empty");
  ASSERT_EQ(c.Delete("/api/database/fields/" + S(w.score) + "/", w.auth()).status, 200);
  EXPECT_EQ(c.Get(ViewPath(w, "filters/"), w.auth()).json(), J("[]"));
  EXPECT_EQ(c.Get(Grid(w, "?count=true"), w.auth()).json(), J(R"({"count":5})"));
}

TEST_F(ViewsTest, SortsAndGroupBys) {
  auto c = client();
  auto w = MakeWorld(c, "Hal");
  EXPECT_JSON(c.Post(ViewPath(w, "sortings/"), json::object{{"field", w.name}, {"order", "UP"}}, w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"order":[{"error":"\"UP\" is not a valid choice.","code":"invalid_choice"}]}})");
  auto s1 = c.Post(ViewPath(w, "sortings/"), json::object{{"field", w.score}, {"order", "DESC"}}, w.auth());
  ASSERT_EQ(s1.status, 200) << s1.body;
  EXPECT_EQ(s1.json(), J(R"({"id":)" + S(Id(s1.json())) + R"(,"view":)" + S(w.view) + R"(,"field":)" + S(w.score) +
                         R"(,"order":"DESC","type":"default"})"));
  EXPECT_JSON(c.Post(ViewPath(w, "sortings/"), json::object{{"field", w.score}}, w.auth()), 400,
              R"({"error":"ERROR_VIEW_SORT_FIELD_ALREADY_EXISTS","detail":"A sort with the field already exists in the view."})");
  EXPECT_JSON(c.Post(ViewPath(w, "sortings/"), json::object{{"field", w.name}, {"type", "order"}}, w.auth()), 400,
              R"({"error":"ERROR_VIEW_SORT_FIELD_NOT_SUPPORTED","detail":"The field does not support view sorting on the given type."})");
  auto s2 = c.Post(ViewPath(w, "sortings/"), json::object{{"field", w.name}}, w.auth());
  ASSERT_EQ(s2.status, 200) << s2.body;
  // Score DESC (nulls last), then name ASC.
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), (Strings{"Alan", "Grace", "Ada", "Blaise", "John"}));
  EXPECT_EQ(Names(c.Get("/api/database/rows/table/" + S(w.customers) + "/?view_id=" + S(w.view), w.auth()).json(),
                  w.name),
            (Strings{"Alan", "Grace", "Ada", "Blaise", "John"}));
  // order_by replaces the view's sorts.
  EXPECT_EQ(Names(c.Get(Grid(w, "?order_by=-field_" + S(w.name)), w.auth()).json(), w.name),
            (Strings{"John", "Grace", "Blaise", "Alan", "Ada"}));
  auto upd = c.Patch("/api/database/views/sort/" + S(Id(s1.json())) + "/", J(R"({"order":"ASC"})"), w.auth());
  ASSERT_EQ(upd.status, 200) << upd.body;
  EXPECT_EQ(Names(c.Get(Grid(w), w.auth()).json(), w.name), (Strings{"John", "Blaise", "Ada", "Alan", "Grace"}));
  EXPECT_EQ(c.Get(ViewPath(w, "sortings/"), w.auth()).json().as_array().size(), 2u);
  // The row modal's neighbour follows the view's order.
  auto john = c.Get(Grid(w, "?limit=1"), w.auth()).json().at("results").at(0);
  auto next = c.Get("/api/database/rows/table/" + S(w.customers) + "/" + S(Id(john)) + "/adjacent/?view_id=" + S(w.view),
                    w.auth());
  ASSERT_EQ(next.status, 200) << next.body;
  EXPECT_EQ(next.json().at("field_" + S(w.name)), "Blaise");
  auto first = c.Get("/api/database/rows/table/" + S(w.customers) + "/" + S(Id(john)) +
                         "/adjacent/?previous=true&view_id=" + S(w.view),
                     w.auth());
  EXPECT_EQ(first.status, 204) << first.body;
  EXPECT_EQ(c.Delete("/api/database/views/sort/" + S(Id(s2.json())) + "/", w.auth()).status, 204);
  EXPECT_ERROR(c.Get("/api/database/views/sort/" + S(Id(s2.json())) + "/", w.auth()), 404,
               "ERROR_VIEW_SORT_DOES_NOT_EXIST");

  // Group by Active (false first), then the score sort; group_by_metadata counts the whole set.
  auto g = c.Post(ViewPath(w, "group_bys/"), json::object{{"field", w.active}}, w.auth());
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.json(), J(R"({"id":)" + S(Id(g.json())) + R"(,"view":)" + S(w.view) + R"(,"field":)" + S(w.active) +
                        R"(,"order":"ASC","width":200,"type":"default"})"));
  EXPECT_ERROR(c.Post(ViewPath(w, "group_bys/"), json::object{{"field", w.active}}, w.auth()), 400,
               "ERROR_VIEW_GROUP_BY_FIELD_ALREADY_EXISTS");
  auto grouped = c.Get(Grid(w, "?limit=2"), w.auth()).json();
  EXPECT_EQ(Names(grouped, w.name), (Strings{"Alan", "John"}));
  EXPECT_EQ(grouped.at("group_by_metadata"),
            J(R"({"field_)" + S(w.active) + R"(":[{"field_)" + S(w.active) + R"(":false,"count":1},{"field_)" +
              S(w.active) + R"(":true,"count":4}]})"));
  auto g2 = c.Post(ViewPath(w, "group_bys/"), json::object{{"field", w.score}, {"order", "DESC"}, {"width", 120}},
                   w.auth());
  ASSERT_EQ(g2.status, 200) << g2.body;
  auto two = c.Get(Grid(w, "?limit=3&offset=1"), w.auth()).json();
  EXPECT_EQ(Names(two, w.name), (Strings{"Grace", "Ada", "Blaise"}));
  const std::string fa = "field_" + S(w.active), fs = "field_" + S(w.score);
  EXPECT_EQ(two.at("group_by_metadata").at(fs),
            J(R"([{")" + fa + R"(":true,")" + fs + R"(":"20","count":1},{")" + fa + R"(":true,")" + fs +
              R"(":"10","count":1},{")" + fa + R"(":true,")" + fs + R"(":"5","count":1}])"));
  auto gpatched = c.Patch("/api/database/views/group_by/" + S(Id(g2.json())) + "/", J(R"({"width":300})"), w.auth());
  ASSERT_EQ(gpatched.status, 200);
  EXPECT_EQ(gpatched.json().at("width"), 300);
  EXPECT_EQ(c.Get(ViewPath(w, "group_bys/"), w.auth()).json().as_array().size(), 2u);
  EXPECT_EQ(c.Delete("/api/database/views/group_by/" + S(Id(g.json())) + "/", w.auth()).status, 204);
  EXPECT_ERROR(c.Get("/api/database/views/group_by/" + S(Id(g.json())) + "/", w.auth()), 404,
               "ERROR_VIEW_GROUP_BY_DOES_NOT_EXIST");
  EXPECT_EQ(c.Get(ViewPath(w, "decorations/"), w.auth()).json(), J("[]"));

  // Grouping by a text field (case-insensitive order) on a second view.
  auto other = c.Post("/api/database/views/table/" + S(w.customers) + "/", J(R"({"name":"By name","type":"grid"})"),
                      w.auth());
  ASSERT_EQ(other.status, 200);
  const std::string other_path = "/api/database/views/" + S(Id(other.json())) + "/";
  ASSERT_EQ(c.Post(other_path + "group_bys/", json::object{{"field", w.last_name}, {"order", "DESC"}}, w.auth()).status,
            200);
  auto by_name = c.Get("/api/database/views/grid/" + S(Id(other.json())) + "/?limit=2", w.auth()).json();
  EXPECT_EQ(Names(by_name, w.name), (Strings{"John", "Alan"}));
  const std::string fl = "field_" + S(w.last_name);
  EXPECT_EQ(by_name.at("group_by_metadata"),
            J(R"({")" + fl + R"(":[{")" + fl + R"(":"Von Neumann","count":1},{")" + fl + R"(":"Turing","count":1}]})"));
}

TEST_F(ViewsTest, FieldOptionsAndAggregations) {
  auto c = client();
  auto w = MakeWorld(c, "Ivy");
  EXPECT_JSON(c.Patch(ViewPath(w, "field-options/"), J(R"({"field_options":{"abc":{"width":10}}})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"field_options":[{"error":"Field option key must be numeric.","code":"invalid"}]}})");
  EXPECT_JSON(c.Patch(ViewPath(w, "field-options/"),
                      json::object{{"field_options", json::object{{S(w.name), J(R"({"width":"wide"})")}}}}, w.auth()),
              400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"field_options":[{"error":"Must be valid field options.","code":"invalid"}]}})");
  auto projects_fields = c.Get("/api/database/fields/table/" + S(w.projects) + "/", w.auth()).json();
  EXPECT_JSON(c.Patch(ViewPath(w, "field-options/"),
                      json::object{{"field_options",
                                    json::object{{S(Id(projects_fields.at(0))), J(R"({"hidden":true})")}}}},
                      w.auth()),
              400, R"({"error":"ERROR_UNRELATED_FIELD","detail":"The field is not related to the provided view."})");
  EXPECT_ERROR(c.Patch(ViewPath(w, "field-options/"),
                       json::object{{"field_options", json::object{{S(w.name), J(R"({"aggregation_raw_type":"sum"})")}}}},
                       w.auth()),
               400, "ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD");
  auto before = c.Get(ViewPath(w, "field-options/"), w.auth());
  EXPECT_EQ(before.json().at("field_options").at(S(w.name)),
            J(R"({"width":200,"hidden":false,"order":32767,"aggregation_type":"","aggregation_raw_type":""})"));

  json::object change{{S(w.notes), J(R"({"hidden":true,"width":120})")},
                      {S(w.score), J(R"({"aggregation_type":"sum","aggregation_raw_type":"sum","order":2})")},
                      {S(w.last_name), J(R"({"aggregation_type":"empty_percentage","aggregation_raw_type":"empty_count"})")},
                      {S(w.active), J(R"({"aggregation_type":"checked_count","aggregation_raw_type":"not_empty_count"})")}};
  auto res = c.Patch(ViewPath(w, "field-options/"), json::object{{"field_options", change}}, w.auth());
  ASSERT_EQ(res.status, 200) << res.body;
  auto options = res.json().at("field_options");
  EXPECT_EQ(options.as_object().size(), 5u);
  EXPECT_EQ(options.at(S(w.notes)),
            J(R"({"width":120,"hidden":true,"order":32767,"aggregation_type":"","aggregation_raw_type":""})"));
  EXPECT_EQ(options.at(S(w.score)).at("order"), 2);
  EXPECT_EQ(c.Get(ViewPath(w, "field-options/"), w.auth()).json(), res.json());
  EXPECT_EQ(c.Get(Grid(w, "?limit=1&include=field_options"), w.auth()).json().at("field_options"), options);

  EXPECT_JSON(c.Get(Grid(w, "aggregations/?include=total"), w.auth()), 200,
              R"({"field_)" + S(w.score) + R"(":55.0,"field_)" + S(w.last_name) + R"(":0,"field_)" + S(w.active) +
                  R"(":4,"total":5})");
  EXPECT_JSON(c.Get(Grid(w, "aggregations/?filter__field_" + S(w.score) + "__higher_than=10"), w.auth()), 200,
              R"({"field_)" + S(w.score) + R"(":40.0,"field_)" + S(w.last_name) + R"(":0,"field_)" + S(w.active) +
                  R"(":1})");
  const std::string one = Grid(w, "aggregation/" + S(w.score) + "/");
  EXPECT_JSON(c.Get(one + "?type=average", w.auth()), 200, R"({"value":13.75})");
  EXPECT_JSON(c.Get(one + "?type=median&include=total", w.auth()), 200, R"({"value":15.0,"total":5})");
  EXPECT_JSON(c.Get(one + "?type=min", w.auth()), 200, R"({"value":5.0})");
  EXPECT_JSON(c.Get(one + "?type=max", w.auth()), 200, R"({"value":20.0})");
  EXPECT_JSON(c.Get(one + "?type=unique_count", w.auth()), 200, R"({"value":3})");
  EXPECT_JSON(c.Get(one + "?type=empty_count", w.auth()), 200, R"({"value":1})");
  EXPECT_JSON(c.Get(one + "?type=variance", w.auth()), 200, R"({"value":42.1875})");
  EXPECT_JSON(c.Get(one + "?type=distribution", w.auth()), 200, R"({"value":[["20",2],[null,1],["5",1],["10",1]]})");
  EXPECT_JSON(c.Get(one + "?type=nonsense", w.auth()), 400,
              R"({"error":"ERROR_AGGREGATION_TYPE_DOES_NOT_EXIST","detail":"The specified aggregation type does not exist."})");
  EXPECT_ERROR(c.Get(Grid(w, "aggregation/" + S(w.name) + "/?type=sum"), w.auth()), 400,
               "ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD");
  EXPECT_ERROR(c.Get(Grid(w, "aggregation/999999/?type=sum"), w.auth()), 404, "ERROR_FIELD_DOES_NOT_EXIST");
  // POST grid: rows by id, no filters.
  ASSERT_EQ(c.Post(ViewPath(w, "filters/"), json::object{{"field", w.active}, {"type", "boolean"}, {"value", "1"}},
                   w.auth()).status, 200);
  auto rows = c.Get("/api/database/rows/table/" + S(w.customers) + "/", w.auth()).json().at("results");
  int64_t alan = Id(rows.at(1));
  auto by_ids = c.Post(Grid(w), json::object{{"row_ids", json::array{alan, 999999}}, {"field_ids", json::array{w.name}}},
                       w.auth());
  ASSERT_EQ(by_ids.status, 200) << by_ids.body;
  EXPECT_EQ(by_ids.json(), J(R"([{"id":)" + S(alan) + R"(,"order":"2.00000000000000000000","field_)" + S(w.name) +
                             R"(":"Alan"}])"));
  EXPECT_JSON(c.Post(Grid(w), J(R"({"row_ids":[]})"), w.auth()), 400,
              R"({"error":"ERROR_REQUEST_BODY_VALIDATION","detail":{"row_ids":[{"error":"Ensure this field has at least 1 elements.","code":"min_length"}]}})");
}

TEST_F(ViewsTest, FieldBodiesTheFrontendSends) {
  // The grid's "+" field form sends every property, blanks included (observed in Baserow 1.35.3).
  auto c = client();
  auto w = MakeWorld(c, "Lee");
  auto res = c.Post("/api/database/fields/table/" + S(w.customers) + "/",
                    J(R"({"name":"Amount","type":"number","description":null,"field_constraints":[],)"
                      R"("number_decimal_places":0,"number_separator":"","number_prefix":"","number_suffix":"",)"
                      R"("number_default":"","number_negative":false})"),
                    w.auth());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_TRUE(res.json().at("number_default").is_null());
  EXPECT_EQ(res.json().at("related_fields"), J("[]"));
  // The follow-up call makes the new column visible in the grid.
  auto opts = c.Patch(ViewPath(w, "field-options/"),
                      json::object{{"field_options", json::object{{S(Id(res.json())), J(R"({"hidden":false})")}}}},
                      w.auth());
  ASSERT_EQ(opts.status, 200) << opts.body;
  EXPECT_EQ(opts.json().at("field_options").as_object().size(), 6u);
}

TEST_F(ViewsTest, JobsListIsEmptyAndValidatesStates) {
  auto c = client();
  auto w = MakeWorld(c, "Jo");
  EXPECT_JSON(c.Get("/api/jobs/?states=%21finished%2C%21failed%2C%21cancelled", w.auth()), 200, R"({"jobs":[]})");
  EXPECT_JSON(c.Get("/api/jobs/", w.auth()), 200, R"({"jobs":[]})");
  EXPECT_JSON(c.Get("/api/jobs/?states=started", w.auth()), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"states":[{"error":"State started is not a valid state. Valid states are: pending, finished, failed, cancelled.","code":"invalid"}]}})");
  EXPECT_JSON(c.Get("/api/jobs/?job_ids=1,x", w.auth()), 400,
              R"({"error":"ERROR_QUERY_PARAMETER_VALIDATION","detail":{"job_ids":[{"error":"Job id x is not a valid integer.","code":"invalid"}]}})");
  EXPECT_EQ(c.Get("/api/jobs/").status, 401);
}

TEST_F(ViewsTest, ViewEventsReachTheTablePageButNotTheSender) {
  auto c = client();
  auto w = MakeWorld(c, "Kit");
  auto writer = std::make_unique<WsClient>(server().port(), "/ws/core/?jwt_token=" + w.owner.access);
  auto other = std::make_unique<WsClient>(server().port(), "/ws/core/?jwt_token=" + w.owner.access);
  std::string writer_id;
  for (auto* ws : {writer.get(), other.get()}) {
    auto auth = ws->ReceiveJson();
    ASSERT_TRUE(auth);
    if (ws == writer.get()) writer_id = std::string(auth->at("web_socket_id").as_string());
    ws->Send(json::object{{"page", "table"}, {"table_id", w.customers}});
    ASSERT_TRUE(ws->ReceiveType("page_add"));
  }
  std::vector<std::string> auth = {w.owner.auth(), "WebSocketId: " + writer_id};

  auto created = c.Post("/api/database/views/table/" + S(w.customers) + "/", J(R"({"name":"Live","type":"grid"})"), auth);
  ASSERT_EQ(created.status, 200);
  int64_t live = Id(created.json());
  auto msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  auto full = c.Get("/api/database/views/" + S(live) + "/?include=filters,sortings,decorations,group_bys", w.auth());
  EXPECT_EQ(*msg, J(R"({"type":"view_created","view":)" + full.body + "}"));

  auto filter = c.Post("/api/database/views/" + S(live) + "/filters/",
                       json::object{{"field", w.name}, {"type", "equal"}, {"value", "Ada"}}, auth);
  msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, J(R"({"type":"view_filter_created","view_filter":)" + filter.body + "}"));

  auto opts = c.Patch("/api/database/views/" + S(live) + "/field-options/",
                      json::object{{"field_options", json::object{{S(w.name), J(R"({"width":321})")}}}}, auth);
  msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, J(R"({"type":"view_field_options_updated","view_id":)" + S(live) + R"(,"field_options":)" +
                    json::serialize(opts.json().at("field_options")) + "}"));

  auto renamed = c.Patch("/api/database/views/" + S(live) + "/", J(R"({"name":"Renamed"})"), auth);
  msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, J(R"({"type":"view_updated","view_id":)" + S(live) + R"(,"view":)" + renamed.body + "}"));

  ASSERT_EQ(c.Post("/api/database/views/table/" + S(w.customers) + "/order/",
                   json::object{{"view_ids", json::array{live, w.view}}}, auth)
                .status,
            204);
  msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, J(R"({"type":"views_reordered","table_id":)" + S(w.customers) + R"(,"order":[)" + S(live) + "," +
                    S(w.view) + "]}"));

  ASSERT_EQ(c.Delete("/api/database/views/filter/" + S(Id(filter.json())) + "/", auth).status, 204);
  msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, J(R"({"type":"view_filter_deleted","view_id":)" + S(live) + R"(,"view_filter_id":)" +
                    S(Id(filter.json())) + "}"));
  ASSERT_EQ(c.Delete("/api/database/views/" + S(live) + "/", auth).status, 204);
  msg = other->ReceiveJson();
  ASSERT_TRUE(msg);
  EXPECT_EQ(*msg, J(R"({"type":"view_deleted","table_id":)" + S(w.customers) + R"(,"view_id":)" + S(live) + "}"));
  EXPECT_TRUE(writer->Silent(300));

  // The grid's cell edit (batch PATCH with include_metadata) reaches the other tab only.
  auto rows = c.Get(Grid(w, "?limit=1"), w.auth()).json();
  int64_t ada = Id(rows.at("results").at(0));
  auto edit = c.Patch("/api/database/rows/table/" + S(w.customers) + "/batch/?include_metadata=true",
                      json::object{{"items", json::array{json::object{{"id", ada}, {"field_" + S(w.name), "Ada B."}}}}},
                      auth);
  ASSERT_EQ(edit.status, 200) << edit.body;
  EXPECT_EQ(edit.json().at("metadata"), J(R"({"updated_field_ids":[)" + S(w.name) + "]}"));
  auto update = other->ReceiveType("rows_updated");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->at("rows").at(0).at("field_" + S(w.name)), "Ada B.");
  EXPECT_EQ(update->at("updated_field_ids"), J("[" + S(w.name) + "]"));
  EXPECT_TRUE(writer->Silent(300));
}

}  // namespace
}  // namespace gbtest
