#include "services/views.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "services/outbox.hpp"
#include "services/permissions.hpp"
#include "services/schema.hpp"
#include "types/field_type.hpp"
#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::services {

namespace json = boost::json;
using types::Field;
using types::TableSchema;

namespace view_impl {

// ---------------------------------------------------------------------------------------
// View types

const std::vector<std::string> kAggregationRawTypes = {"empty_count", "not_empty_count", "unique_count", "min",
                                                       "max",         "sum",             "average",      "median",
                                                       "decile",      "variance",        "std_dev",      "distribution"};

class GridViewType final : public ViewType {
 public:
  std::string_view type() const override { return "grid"; }
  bool can_filter() const override { return true; }
  bool can_sort() const override { return true; }
  bool can_group_by() const override { return true; }
  const char* missing_error() const override { return "ERROR_GRID_DOES_NOT_EXIST"; }
  json::object DefaultProps() const override {
    return {{"row_identifier_type", "id"}, {"row_height_size", "small"}};
  }
  void ParseProps(util::Validator& v, json::object& props) const override {
    if (auto t = v.Choice("row_identifier_type", {"id", "count"}, false)) props["row_identifier_type"] = *t;
    if (auto s = v.Choice("row_height_size", {"small", "medium", "large"}, false)) props["row_height_size"] = *s;
  }
  json::object DefaultFieldOptions() const override {
    return {{"width", 200}, {"hidden", false}, {"order", 32767}, {"aggregation_type", ""}, {"aggregation_raw_type", ""}};
  }
  bool MergeFieldOptions(const json::object& in, json::object& current) const override {
    for (const auto& [key, value] : in) {
      if (key == "width" || key == "order") {
        auto n = util::CoerceInt(value);
        if (!n || (key == "width" && *n < 0) || *n > 2147483647 || *n < -2147483648LL) return false;
        current[key] = *n;
      } else if (key == "hidden") {
        auto b = util::CoerceBool(value);
        if (!b) return false;
        current[key] = *b;
      } else if (key == "aggregation_type") {
        auto s = util::CoerceString(value);
        if (!s || s->size() > 48) return false;
        current[key] = *s;
      } else if (key == "aggregation_raw_type") {
        auto s = util::CoerceString(value);
        if (!s) return false;
        if (!s->empty() && std::find(kAggregationRawTypes.begin(), kAggregationRawTypes.end(), *s) ==
                               kAggregationRawTypes.end()) {
          return false;
        }
        current[key] = *s;
      }
    }
    return true;
  }
};

// ---------------------------------------------------------------------------------------
// Records

struct ViewRow {
  int64_t id = 0;
  int64_t table_id = 0;
  std::string name;
  int64_t order = 0;
  std::string type;
  std::string filter_type;
  bool filters_disabled = false;
  bool is_public = false;
  std::string slug;
  bool has_password = false;
  bool show_logo = true;
  bool allow_public_export = false;
  std::string ownership_type;
  std::optional<int64_t> owned_by_id;
  json::object props;
};

constexpr const char* kViewColumns =
    "v.id, v.table_id, v.name, v.ord, v.type, v.filter_type, v.filters_disabled, v.public, v.slug, "
    "v.password_hash, v.show_logo, v.allow_public_export, v.ownership_type, v.owned_by_id, v.props";

ViewRow ReadView(const store::Cursor& c) {
  ViewRow v;
  v.id = c.Int(0);
  v.table_id = c.Int(1);
  v.name = c.String(2);
  v.order = c.Int(3);
  v.type = c.String(4);
  v.filter_type = c.String(5);
  v.filters_disabled = c.Bool(6);
  v.is_public = c.Bool(7);
  v.slug = c.String(8);
  v.has_password = !c.IsNull(9);
  v.show_logo = c.Bool(10);
  v.allow_public_export = c.Bool(11);
  v.ownership_type = c.String(12);
  v.owned_by_id = c.OptInt(13);
  auto parsed = json::parse(c.Text(14));
  if (parsed.is_object()) v.props = parsed.as_object();
  return v;
}

const ViewType& TypeOfView(const ViewRow& v) {
  const ViewType* t = FindViewType(v.type);
  if (!t) throw Error("ERROR_VIEW_DOES_NOT_EXIST");
  return *t;
}

/// A visible view (not trashed, its table visible) and its table's schema, after checking
/// the actor's membership for `operation`.
std::pair<ViewRow, TableSchema> LoadView(store::Tx& tx, const Actor& actor, int64_t view_id,
                                         std::string_view operation) {
  auto c = tx.Query(std::string("SELECT ") + kViewColumns + " FROM views v WHERE v.id = ? AND v.trashed = 0", view_id);
  if (!c->Next()) throw Error("ERROR_VIEW_DOES_NOT_EXIST");
  ViewRow view = ReadView(*c);
  c.reset();
  if (!FindViewType(view.type)) throw Error("ERROR_VIEW_DOES_NOT_EXIST");
  TableSchema schema;
  try {
    schema = LoadSchema(tx, view.table_id);
  } catch (const Error&) {
    throw Error("ERROR_VIEW_DOES_NOT_EXIST");
  }
  CheckWorkspacePermission(tx, actor, schema.workspace_id, operation);
  return {std::move(view), std::move(schema)};
}

struct FilterRow {
  int64_t id = 0;
  int64_t view_id = 0;
  int64_t field_id = 0;
  std::string type;
  std::string value;
  std::optional<int64_t> group_id;
};

struct GroupRow {
  int64_t id = 0;
  int64_t view_id = 0;
  std::string filter_type;
  std::optional<int64_t> parent_id;
};

struct SortRow {
  int64_t id = 0;
  int64_t view_id = 0;
  int64_t field_id = 0;
  bool descending = false;
  std::string type;
  int64_t width = 200;  // group-bys only
};

json::object FilterJson(const FilterRow& f) {
  return {{"id", f.id},
          {"view", f.view_id},
          {"field", f.field_id},
          {"type", f.type},
          {"value", f.value},
          {"preload_values", json::object{}},
          {"group", f.group_id ? json::value(*f.group_id) : json::value(nullptr)}};
}

json::object GroupJson(const GroupRow& g) {
  return {{"id", g.id},
          {"filter_type", g.filter_type},
          {"view", g.view_id},
          {"parent_group", g.parent_id ? json::value(*g.parent_id) : json::value(nullptr)}};
}

json::object SortJson(const SortRow& s) {
  return {{"id", s.id}, {"view", s.view_id}, {"field", s.field_id}, {"order", s.descending ? "DESC" : "ASC"},
          {"type", s.type}};
}

json::object GroupByJson(const SortRow& s) {
  return {{"id", s.id},       {"view", s.view_id},       {"field", s.field_id}, {"order", s.descending ? "DESC" : "ASC"},
          {"width", s.width}, {"type", s.type}};
}

/// Filters of a view whose field is not trashed, in id order.
std::vector<FilterRow> LoadFilters(store::Tx& tx, int64_t view_id) {
  std::vector<FilterRow> out;
  auto c = tx.Query(
      "SELECT f.id, f.view_id, f.field_id, f.type, f.value, f.group_id FROM view_filters f JOIN fields fl ON "
      "fl.id = f.field_id WHERE f.view_id = ? AND fl.trashed = 0 ORDER BY f.id",
      view_id);
  while (c->Next()) out.push_back({c->Int(0), c->Int(1), c->Int(2), c->String(3), c->String(4), c->OptInt(5)});
  return out;
}

std::vector<GroupRow> LoadGroups(store::Tx& tx, int64_t view_id) {
  std::vector<GroupRow> out;
  auto c = tx.Query(
      "SELECT id, view_id, filter_type, parent_group_id FROM view_filter_groups WHERE view_id = ? ORDER BY id",
      view_id);
  while (c->Next()) out.push_back({c->Int(0), c->Int(1), c->String(2), c->OptInt(3)});
  return out;
}

std::vector<SortRow> LoadSorts(store::Tx& tx, int64_t view_id, bool group_bys) {
  std::vector<SortRow> out;
  std::string sql = group_bys ? "SELECT s.id, s.view_id, s.field_id, s.descending, s.type, s.width FROM "
                                "view_group_bys s"
                              : "SELECT s.id, s.view_id, s.field_id, s.descending, s.type, 200 FROM view_sorts s";
  auto c = tx.Query(sql + " JOIN fields fl ON fl.id = s.field_id WHERE s.view_id = ? AND fl.trashed = 0 ORDER BY s.id",
                    view_id);
  while (c->Next()) out.push_back({c->Int(0), c->Int(1), c->Int(2), c->Bool(3), c->String(4), c->Int(5)});
  return out;
}

json::object TableRefJson(const TableSchema& schema) {
  return {{"id", schema.id}, {"name", schema.name}, {"order", schema.order}, {"database_id", schema.database_id}};
}

json::object ViewJson(store::Tx& tx, const ViewRow& v, const TableSchema& schema, ViewIncludes inc) {
  json::object out{{"id", v.id},
                   {"table_id", v.table_id},
                   {"name", v.name},
                   {"order", v.order},
                   {"type", v.type},
                   {"table", TableRefJson(schema)},
                   {"filter_type", v.filter_type},
                   {"filters_disabled", v.filters_disabled},
                   {"public_view_has_password", v.has_password},
                   {"show_logo", v.show_logo},
                   {"allow_public_export", v.allow_public_export},
                   {"ownership_type", v.ownership_type},
                   {"owned_by_id", v.owned_by_id ? json::value(*v.owned_by_id) : json::value(nullptr)}};
  for (const auto& [k, val] : v.props) out[k] = val;
  out["public"] = v.is_public;
  out["slug"] = v.slug;
  if (inc.filters) {
    json::array filters, groups;
    for (const auto& f : LoadFilters(tx, v.id)) filters.push_back(FilterJson(f));
    for (const auto& g : LoadGroups(tx, v.id)) groups.push_back(GroupJson(g));
    out["filters"] = std::move(filters);
    out["filter_groups"] = std::move(groups);
  }
  if (inc.sortings) {
    json::array sorts;
    for (const auto& s : LoadSorts(tx, v.id, false)) sorts.push_back(SortJson(s));
    out["sortings"] = std::move(sorts);
  }
  if (inc.decorations) out["decorations"] = json::array{};
  if (inc.group_bys) {
    json::array gbs;
    for (const auto& s : LoadSorts(tx, v.id, true)) gbs.push_back(GroupByJson(s));
    out["group_bys"] = std::move(gbs);
  }
  return out;
}

std::string NewSlug() { return util::Base64UrlEncode(util::RandomBytes(32)); }

/// Records a view event for the subscribers of the table page (realtime.md §5.5).
void RecordViewEvent(store::Tx& tx, const Actor& actor, const TableSchema& schema, const char* type, json::object body) {
  json::object message{{"type", type}};
  for (auto& [k, v] : body) message[k] = std::move(v);
  OutboxEvent e;
  e.type = type;
  e.workspace_id = schema.workspace_id;
  e.table_id = schema.id;
  e.message = json::serialize(message);
  e.webhooks = false;
  RecordEvent(tx, actor, e);
}

/// DRF's PrimaryKeyRelatedField error for an id that names nothing.
[[noreturn]] void NoSuchPk(std::string_view key, int64_t id) {
  throw Error("ERROR_REQUEST_BODY_VALIDATION",
              json::value(json::object{
                  {std::string(key), json::array{json::object{
                                         {"error", fmt::format("Invalid pk \"{}\" - object does not exist.", id)},
                                         {"code", "does_not_exist"}}}}}));
}

/// The field a filter/sort/group-by body names: must exist, else a body validation error;
/// must be a field of the view's table, else ERROR_FIELD_NOT_IN_TABLE.
const Field& FieldOfTable(store::Tx& tx, const TableSchema& schema, int64_t field_id) {
  if (const Field* f = schema.FindById(field_id)) return *f;
  if (!tx.QueryInt("SELECT id FROM fields WHERE id = ? AND trashed = 0", field_id)) NoSuchPk("field", field_id);
  throw Error("ERROR_FIELD_NOT_IN_TABLE");
}

bool CanGroupBy(const Field& f) {
  if (f.type == "password" || f.type == "multiple_select") return false;
  return !types::FindFieldType(f.type)->OrderSql(f, "default").empty();
}

/// Stored field options of a view merged over the type's defaults, one entry per field.
std::map<int64_t, json::object> LoadFieldOptions(store::Tx& tx, const ViewType& type, int64_t view_id,
                                                 const TableSchema& schema) {
  std::map<int64_t, json::object> out;
  for (const auto& f : schema.fields) out[f.id] = type.DefaultFieldOptions();
  auto c = tx.Query("SELECT field_id, options FROM view_field_options WHERE view_id = ?", view_id);
  while (c->Next()) {
    auto it = out.find(c->Int(0));
    if (it == out.end()) continue;
    auto parsed = json::parse(c->Text(1));
    if (!parsed.is_object()) continue;
    for (const auto& [k, v] : parsed.as_object()) it->second[k] = v;
  }
  return out;
}

json::object FieldOptionsJson(const std::map<int64_t, json::object>& options) {
  json::object out;
  for (const auto& [id, o] : options) out[std::to_string(id)] = o;
  return out;
}

void SaveFieldOptions(store::Tx& tx, int64_t view_id, int64_t field_id, const json::object& options) {
  tx.Exec("INSERT INTO view_field_options (view_id, field_id, options) VALUES (?, ?, ?) "
          "ON CONFLICT (view_id, field_id) DO UPDATE SET options = excluded.options",
          view_id, field_id, json::serialize(options));
}

/// Builds the filter tree of a view (filters.md §1): top-level filters and groups combined
/// with the view's filter_type, each group with its own.
query::FilterNode BuildTree(const std::vector<FilterRow>& filters, const std::vector<GroupRow>& groups,
                            const TableSchema& schema, std::optional<int64_t> group, bool is_or) {
  query::FilterNode node;
  node.is_or = is_or;
  for (const auto& f : filters) {
    if (f.group_id != group) continue;
    const Field* field = schema.FindById(f.field_id);
    if (!field) continue;
    query::FilterLeaf leaf{*field, false, f.type, f.value};
    node.filters.push_back(std::move(leaf));
  }
  for (const auto& g : groups) {
    if (g.parent_id != group) continue;
    auto child = BuildTree(filters, groups, schema, g.id, g.filter_type == "OR");
    if (!child.empty()) node.groups.push_back(std::move(child));
  }
  return node;
}

std::optional<std::string> OptText(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  return util::CoerceString(v);
}

/// Reads the common view keys of a create/update body.
void ParseCommon(util::Validator& v, ViewRow& row, bool creating) {
  if (auto name = v.String("name", {.required = creating, .max_length = 255})) row.name = *name;
  if (auto ft = v.Choice("filter_type", {"AND", "OR"}, false)) row.filter_type = *ft;
  if (auto fd = v.Bool("filters_disabled", false)) row.filters_disabled = *fd;
}

void CheckOwnership(const json::value& body) {
  if (!body.is_object()) return;
  if (const auto* o = body.as_object().if_contains("ownership_type")) {
    auto s = util::CoerceString(*o);
    if (!s || *s != "collaborative") throw Error("ERROR_VIEW_OWNERSHIP_TYPE_DOES_NOT_EXIST");
  }
}

int64_t InsertView(store::Tx& tx, const ViewRow& v) {
  return *tx.QueryInt(
      "INSERT INTO views (table_id, name, ord, type, filter_type, filters_disabled, slug, ownership_type, owned_by_id, "
      "props, created_on) VALUES (?, ?, ?, ?, ?, ?, ?, 'collaborative', ?, ?, ?) RETURNING id",
      v.table_id, v.name, v.order, v.type, v.filter_type, v.filters_disabled, NewSlug(), v.owned_by_id,
      json::serialize(v.props), util::NowMicros());
}

ViewRow ReloadView(store::Tx& tx, int64_t view_id) {
  auto c = tx.Query(std::string("SELECT ") + kViewColumns + " FROM views v WHERE v.id = ?", view_id);
  c->Next();
  return ReadView(*c);
}

// ---------------------------------------------------------------------------------------
// Aggregations (views.md §8.3)

bool Is(const Field& f, std::initializer_list<std::string_view> types) {
  return std::find(types.begin(), types.end(), f.type) != types.end();
}

bool AggregationSupports(const std::string& raw, const Field& f) {
  if (raw == "empty_count" || raw == "not_empty_count") return !Is(f, {"uuid", "autonumber"});
  if (raw == "unique_count") {
    return Is(f, {"text", "long_text", "url", "email", "phone_number", "number", "rating", "date", "single_select",
                  "duration"});
  }
  if (raw == "min" || raw == "max") {
    return Is(f, {"number", "rating", "date", "last_modified", "created_on", "autonumber", "duration"});
  }
  if (raw == "sum") return Is(f, {"number", "rating", "duration"});
  if (raw == "average" || raw == "median" || raw == "decile" || raw == "variance" || raw == "std_dev") {
    return Is(f, {"number", "rating"});
  }
  if (raw == "distribution") {
    return Is(f, {"text", "long_text", "url", "email", "phone_number", "number", "rating", "boolean", "date",
                  "single_select", "duration"});
  }
  return false;
}

/// A double as Baserow's JSON renders a Decimal/float result (Python's repr), NaN as "NaN".
std::string Number(double d) {
  if (std::isnan(d)) return "\"NaN\"";
  if (std::isinf(d)) return "null";
  std::string out;
  util::JsonWriter w(out);
  w.PyFloat(d);
  return out;
}

/// The value at fraction p of the sorted non-null values, interpolated (percentile_cont).
std::optional<double> Percentile(store::Tx& tx, const std::string& from_where, const std::string& num,
                                 const types::SqlParams& params, int64_t n, double p) {
  if (n == 0) return std::nullopt;
  double pos = p * static_cast<double>(n - 1);
  auto lo = static_cast<int64_t>(std::floor(pos));
  types::SqlParams ps = params;
  ps.push_back(int64_t{2});
  ps.push_back(lo);
  auto bound = types::BindValues(ps);
  auto c = tx.QueryV("SELECT " + num + " AS x " + from_where + " AND " + num + " IS NOT NULL ORDER BY x LIMIT ? OFFSET ?",
                     bound);
  std::vector<double> xs;
  while (c->Next()) xs.push_back(c->Real(0));
  if (xs.empty()) return std::nullopt;
  if (xs.size() == 1) return xs[0];
  return xs[0] + (xs[1] - xs[0]) * (pos - static_cast<double>(lo));
}

/// One aggregation over the rows matching `where`, as JSON text.
std::string Aggregate(store::Tx& tx, const TableSchema& schema, const Field& f, const std::string& raw,
                      const std::string& where, const types::SqlParams& params) {
  const auto& type = *types::FindFieldType(f.type);
  std::string from_where = "FROM " + schema.sql_table() + " t WHERE " + where;
  auto bound = types::BindValues(params);
  auto scalar = [&](const std::string& expr) {
    auto c = tx.QueryV("SELECT " + expr + " " + from_where, bound);
    c->Next();
    return c;
  };
  if (raw == "empty_count" || raw == "not_empty_count") {
    std::string empty = "SUM(CASE WHEN " + type.EmptySql(f) + " THEN 1 ELSE 0 END)";
    if (raw == "not_empty_count") empty = "COUNT(*) - COALESCE(" + empty + ", 0)";
    return std::to_string(scalar("COALESCE(" + empty + ", 0)")->Int(0));
  }
  if (raw == "unique_count") return std::to_string(scalar("COUNT(DISTINCT " + type.SelectExpr(f) + ")")->Int(0));
  std::string num = type.NumericSql(f);
  if (raw == "min" || raw == "max") {
    std::string fn = raw == "min" ? "MIN" : "MAX";
    if (Is(f, {"date", "last_modified", "created_on"})) {
      auto c = scalar(fn + "(" + type.SelectExpr(f) + ")");
      std::string out;
      util::JsonWriter w(out);
      type.WriteCell(*c, 0, f, w);
      return out;
    }
    auto c = scalar(fn + "(" + num + ")");
    return c->IsNull(0) ? "null" : Number(c->Real(0));
  }
  if (raw == "sum") return Number(scalar("COALESCE(SUM(" + num + "), 0)")->Real(0));
  if (raw == "average") {
    auto c = scalar("AVG(" + num + ")");
    return c->IsNull(0) ? "null" : Number(c->Real(0));
  }
  if (raw == "variance" || raw == "std_dev") {
    auto c = scalar("AVG(" + num + "), COUNT(" + num + ")");
    if (c->IsNull(0) || c->Int(1) == 0) return "null";
    double mean = c->Real(0);
    c.reset();
    types::SqlParams ps;
    ps.push_back(mean);
    ps.push_back(mean);
    for (const auto& p : params) ps.push_back(p);
    auto b2 = types::BindValues(ps);
    auto v = tx.QueryV("SELECT AVG((" + num + " - ?) * (" + num + " - ?)) " + from_where, b2);
    v->Next();
    double var = v->IsNull(0) ? 0.0 : v->Real(0);
    return Number(raw == "variance" ? var : std::sqrt(var));
  }
  if (raw == "median" || raw == "decile") {
    int64_t n = scalar("COUNT(" + num + ")")->Int(0);
    if (raw == "median") {
      auto m = Percentile(tx, from_where, num, params, n, 0.5);
      return m ? Number(*m) : "null";
    }
    std::string out = "[";
    for (int i = 1; i <= 9; ++i) {
      auto m = Percentile(tx, from_where, num, params, n, i / 10.0);
      out += (i > 1 ? "," : "") + (m ? Number(*m) : std::string("null"));
    }
    return out + "]";
  }
  if (raw == "distribution") {
    std::string expr = type.SelectExpr(f);
    std::string order;
    for (const auto& key : type.OrderSql(f, "default")) order += ", " + key + " ASC NULLS FIRST";
    auto c = tx.QueryV("SELECT " + expr + ", COUNT(*) AS n " + from_where + " GROUP BY " + expr + " ORDER BY n DESC" +
                           order + " LIMIT 10",
                       bound);
    std::string out;
    util::JsonWriter w(out);
    w.BeginArray();
    while (c->Next()) {
      w.BeginArray();
      if (c->IsNull(0)) {
        w.Null();
      } else if (type.has_select_options()) {
        auto text = type.CellText(*c, 0, f);
        if (text) w.String(*text);
        else w.Null();
      } else {
        type.WriteCell(*c, 0, f, w);
      }
      w.Int(c->Int(1));
      w.EndArray();
    }
    w.EndArray();
    return out;
  }
  throw Error("ERROR_AGGREGATION_TYPE_DOES_NOT_EXIST");
}

}  // namespace view_impl

using namespace view_impl;

// ---------------------------------------------------------------------------------------
// Registry

const std::vector<const ViewType*>& AllViewTypes() {
  static const GridViewType kGrid;
  static const std::vector<const ViewType*> kAll = {&kGrid};
  return kAll;
}

const ViewType* FindViewType(std::string_view type) {
  for (const auto* t : AllViewTypes())
    if (t->type() == type) return t;
  return nullptr;
}

ViewIncludes ViewIncludes::Parse(const std::optional<std::string>& include) {
  ViewIncludes inc;
  if (!include) return inc;
  for (auto part : util::Split(*include, ',')) {
    std::string item(util::Trim(part));
    if (item == "filters") inc.filters = true;
    else if (item == "sortings") inc.sortings = true;
    else if (item == "decorations") inc.decorations = true;
    else if (item == "group_bys") inc.group_bys = true;
  }
  return inc;
}

ViewQuery LoadViewQuery(store::Tx& tx, const TableSchema& schema, int64_t view_id) {
  auto c = tx.Query("SELECT type, filter_type, filters_disabled FROM views WHERE id = ? AND table_id = ? AND trashed = 0",
                    view_id, schema.id);
  if (!c->Next()) throw Error("ERROR_VIEW_DOES_NOT_EXIST");
  const ViewType* type = FindViewType(c->Text(0));
  if (!type) throw Error("ERROR_VIEW_DOES_NOT_EXIST");
  bool is_or = c->Text(1) == "OR";
  bool disabled = c->Bool(2);
  c.reset();
  ViewQuery q;
  q.view_id = view_id;
  if (type->can_filter() && !disabled) q.filters = BuildTree(LoadFilters(tx, view_id), LoadGroups(tx, view_id), schema, std::nullopt, is_or);
  if (type->can_group_by()) {
    for (const auto& s : LoadSorts(tx, view_id, true)) {
      const Field* f = schema.FindById(s.field_id);
      if (!f || !CanGroupBy(*f)) continue;
      q.order.push_back({f, s.descending, s.type});
      q.group_by.push_back(f);
    }
  }
  if (type->can_sort()) {
    for (const auto& s : LoadSorts(tx, view_id, false)) {
      const Field* f = schema.FindById(s.field_id);
      if (!f || types::FindFieldType(f->type)->OrderSql(*f, s.type).empty()) continue;
      q.order.push_back({f, s.descending, s.type});
    }
  }
  return q;
}

// ---------------------------------------------------------------------------------------
// Views

int64_t ViewService::CreateDefaultView(store::Tx& tx, int64_t table_id, std::optional<int64_t> owner) {
  ViewRow v;
  v.table_id = table_id;
  v.name = "Grid";
  v.order = tx.QueryInt("SELECT COALESCE(MAX(ord), 0) + 1 FROM views WHERE table_id = ?", table_id).value_or(1);
  v.type = "grid";
  v.filter_type = "AND";
  v.owned_by_id = owner;
  v.props = FindViewType("grid")->DefaultProps();
  return InsertView(tx, v);
}

json::array ViewService::List(const Actor& actor, int64_t table_id, const std::optional<std::string>& type,
                              std::optional<int64_t> limit, ViewIncludes inc) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.list_views");
    std::vector<ViewRow> views;
    auto c = tx.Query(std::string("SELECT ") + kViewColumns +
                          " FROM views v WHERE v.table_id = ? AND v.trashed = 0 ORDER BY v.ord, v.id",
                      table_id);
    while (c->Next()) {
      ViewRow v = ReadView(*c);
      if (!FindViewType(v.type) || (type && v.type != *type)) continue;
      views.push_back(std::move(v));
    }
    c.reset();
    if (limit && static_cast<int64_t>(views.size()) > *limit) views.resize(static_cast<size_t>(std::max<int64_t>(*limit, 0)));
    // Grouped by type, in the order each type first appears (views.md §4.1).
    std::vector<std::string> type_order;
    for (const auto& v : views)
      if (std::find(type_order.begin(), type_order.end(), v.type) == type_order.end()) type_order.push_back(v.type);
    json::array out;
    for (const auto& t : type_order)
      for (const auto& v : views)
        if (v.type == t) out.push_back(ViewJson(tx, v, schema, inc));
    return out;
  });
}

json::object ViewService::Create(const Actor& actor, int64_t table_id, const json::value& body, ViewIncludes inc) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.create_view");
    util::Validator v(body);
    std::vector<std::string> type_names;
    for (const auto* t : AllViewTypes()) type_names.emplace_back(t->type());
    auto type_name = v.Choice("type", type_names);
    ViewRow row;
    row.table_id = table_id;
    row.filter_type = "AND";
    ParseCommon(v, row, true);
    const ViewType* type = type_name ? FindViewType(*type_name) : nullptr;
    if (type) {
      row.props = type->DefaultProps();
      type->ParseProps(v, row.props);
    }
    v.Check();
    CheckOwnership(body);
    row.type = *type_name;
    row.owned_by_id = actor.user_id;
    row.order = tx.QueryInt("SELECT COALESCE(MAX(ord), 0) + 1 FROM views WHERE table_id = ?", table_id).value_or(1);
    int64_t id = InsertView(tx, row);
    ViewRow stored = ReloadView(tx, id);
    RecordViewEvent(tx, actor, schema, "view_created", {{"view", ViewJson(tx, stored, schema, ViewIncludes::All())}});
    return ViewJson(tx, stored, schema, inc);
  });
}

json::object ViewService::Get(const Actor& actor, int64_t view_id, ViewIncludes inc) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.read");
    return ViewJson(tx, view, schema, inc);
  });
}

json::object ViewService::Update(const Actor& actor, int64_t view_id, const json::value& body, ViewIncludes inc) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.update");
    util::Validator v(body);
    ParseCommon(v, view, false);
    TypeOfView(view).ParseProps(v, view.props);
    v.Check();
    CheckOwnership(body);
    tx.Exec("UPDATE views SET name = ?, filter_type = ?, filters_disabled = ?, props = ? WHERE id = ?", view.name,
            view.filter_type, view.filters_disabled, json::serialize(view.props), view_id);
    ViewRow stored = ReloadView(tx, view_id);
    RecordViewEvent(tx, actor, schema, "view_updated",
                    {{"view_id", view_id}, {"view", ViewJson(tx, stored, schema, ViewIncludes{})}});
    return ViewJson(tx, stored, schema, inc);
  });
}

void ViewService::Delete(const Actor& actor, int64_t view_id) {
  store_.Write([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.delete");
    tx.Exec("UPDATE views SET trashed = 1 WHERE id = ?", view_id);
    RecordViewEvent(tx, actor, schema, "view_deleted", {{"table_id", schema.id}, {"view_id", view_id}});
  });
}

void ViewService::Order(const Actor& actor, int64_t table_id, const json::value& body) {
  store_.Write([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.order_views");
    util::Validator v(body);
    auto ids = v.IntList("view_ids");
    if (ids && ids->empty()) v.Fail("view_ids", "Ensure this field has at least 1 elements.", "min_length");
    v.Check();
    for (int64_t id : *ids) {
      if (!tx.QueryInt("SELECT id FROM views WHERE id = ? AND table_id = ? AND trashed = 0", id, table_id)) {
        throw Error("ERROR_VIEW_NOT_IN_TABLE", fmt::format("The view id {} does not belong to the table.", id));
      }
    }
    int64_t order = 1;
    json::array order_json;
    for (int64_t id : *ids) {
      tx.Exec("UPDATE views SET ord = ? WHERE id = ?", order++, id);
      order_json.push_back(id);
    }
    RecordViewEvent(tx, actor, schema, "views_reordered", {{"table_id", table_id}, {"order", std::move(order_json)}});
  });
}

json::object ViewService::Duplicate(const Actor& actor, int64_t view_id) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.duplicate");
    // The first free "<name> N", N from 2.
    std::set<std::string> names;
    {
      auto c = tx.Query("SELECT name FROM views WHERE table_id = ? AND trashed = 0", schema.id);
      while (c->Next()) names.insert(c->String(0));
    }
    std::string name;
    for (int n = 2;; ++n) {
      name = fmt::format("{} {}", view.name, n);
      if (!names.count(name)) break;
    }
    tx.Exec("UPDATE views SET ord = ord + 1 WHERE table_id = ? AND ord > ?", schema.id, view.order);
    ViewRow copy = view;
    copy.name = name;
    copy.order = view.order + 1;
    copy.owned_by_id = actor.user_id;
    int64_t id = InsertView(tx, copy);
    // Filter groups keep their tree: parents are older (smaller ids) than their children.
    std::map<int64_t, int64_t> group_map;
    for (const auto& g : LoadGroups(tx, view_id)) {
      std::optional<int64_t> parent;
      if (g.parent_id) parent = group_map.at(*g.parent_id);
      group_map[g.id] = *tx.QueryInt(
          "INSERT INTO view_filter_groups (view_id, filter_type, parent_group_id) VALUES (?, ?, ?) RETURNING id", id,
          g.filter_type, parent);
    }
    auto c = tx.Query("SELECT field_id, type, value, group_id FROM view_filters WHERE view_id = ? ORDER BY id", view_id);
    std::vector<FilterRow> filters;
    while (c->Next()) filters.push_back({0, id, c->Int(0), c->String(1), c->String(2), c->OptInt(3)});
    c.reset();
    for (const auto& f : filters) {
      std::optional<int64_t> group;
      if (f.group_id) group = group_map.at(*f.group_id);
      tx.Exec("INSERT INTO view_filters (view_id, field_id, type, value, group_id) VALUES (?, ?, ?, ?, ?)", id,
              f.field_id, f.type, f.value, group);
    }
    tx.Exec("INSERT INTO view_sorts (view_id, field_id, descending, type) SELECT ?, field_id, descending, type FROM "
            "view_sorts WHERE view_id = ? ORDER BY id",
            id, view_id);
    tx.Exec("INSERT INTO view_group_bys (view_id, field_id, descending, width, type) SELECT ?, field_id, descending, "
            "width, type FROM view_group_bys WHERE view_id = ? ORDER BY id",
            id, view_id);
    tx.Exec("INSERT INTO view_field_options (view_id, field_id, options) SELECT ?, field_id, options FROM "
            "view_field_options WHERE view_id = ?",
            id, view_id);
    ViewRow stored = ReloadView(tx, id);
    json::object out = ViewJson(tx, stored, schema, ViewIncludes::All());
    RecordViewEvent(tx, actor, schema, "view_created", {{"view", out}});
    return out;
  });
}

// ---------------------------------------------------------------------------------------
// Filters and filter groups

namespace view_impl {

FilterRow LoadFilter(store::Tx& tx, int64_t filter_id) {
  auto c = tx.Query("SELECT f.id, f.view_id, f.field_id, f.type, f.value, f.group_id FROM view_filters f JOIN fields "
                    "fl ON fl.id = f.field_id JOIN views v ON v.id = f.view_id WHERE f.id = ? AND fl.trashed = 0 AND "
                    "v.trashed = 0",
                    filter_id);
  if (!c->Next()) throw Error("ERROR_VIEW_FILTER_DOES_NOT_EXIST");
  return {c->Int(0), c->Int(1), c->Int(2), c->String(3), c->String(4), c->OptInt(5)};
}

GroupRow LoadGroup(store::Tx& tx, int64_t group_id) {
  auto c = tx.Query("SELECT g.id, g.view_id, g.filter_type, g.parent_group_id FROM view_filter_groups g JOIN views v ON "
                    "v.id = g.view_id WHERE g.id = ? AND v.trashed = 0",
                    group_id);
  if (!c->Next()) throw Error("ERROR_VIEW_FILTER_GROUP_DOES_NOT_EXIST");
  return {c->Int(0), c->Int(1), c->String(2), c->OptInt(3)};
}

/// Group-id in a filter/group body: null, or a group of this view.
std::optional<int64_t> ParseGroupRef(util::Validator& v, std::string_view key) {
  const json::value* raw = v.Raw(key);
  if (!raw || raw->is_null()) return std::nullopt;
  auto id = util::CoerceInt(*raw);
  if (!id) {
    v.Fail(key, "A valid integer is required.", "invalid");
    return std::nullopt;
  }
  return id;
}

void CheckGroupInView(store::Tx& tx, std::optional<int64_t> group, int64_t view_id) {
  if (!group) return;
  if (!tx.QueryInt("SELECT id FROM view_filter_groups WHERE id = ? AND view_id = ?", *group, view_id)) {
    throw Error("ERROR_VIEW_FILTER_GROUP_DOES_NOT_EXIST");
  }
}

}  // namespace view_impl

json::array ViewService::ListFilters(const Actor& actor, int64_t view_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.list_filter");
    json::array out;
    for (const auto& f : LoadFilters(tx, view_id)) out.push_back(FilterJson(f));
    return out;
  });
}

json::object ViewService::CreateFilter(const Actor& actor, int64_t view_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.create_filter");
    util::Validator v(body);
    auto field_id = v.Int("field");
    auto type = v.Choice("type", query::FilterTypeNames());
    std::string value;
    if (v.Has("value")) {
      if (auto s = v.String("value", {.required = false, .allow_blank = true, .trim = false})) value = *s;
    }
    auto group = ParseGroupRef(v, "group");
    v.Check();
    const Field& field = FieldOfTable(tx, schema, *field_id);
    if (!TypeOfView(view).can_filter()) throw Error("ERROR_VIEW_FILTER_NOT_SUPPORTED");
    query::CheckFilterType(field, *type);
    CheckGroupInView(tx, group, view_id);
    int64_t id = *tx.QueryInt(
        "INSERT INTO view_filters (view_id, field_id, type, value, group_id) VALUES (?, ?, ?, ?, ?) RETURNING id",
        view_id, field.id, *type, value, group);
    json::object out = FilterJson({id, view_id, field.id, *type, value, group});
    RecordViewEvent(tx, actor, schema, "view_filter_created", {{"view_filter", out}});
    return out;
  });
}

json::object ViewService::GetFilter(const Actor& actor, int64_t filter_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    FilterRow f = LoadFilter(tx, filter_id);
    LoadView(tx, actor, f.view_id, "database.table.view.filter.read");
    return FilterJson(f);
  });
}

json::object ViewService::UpdateFilter(const Actor& actor, int64_t filter_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    FilterRow f = LoadFilter(tx, filter_id);
    auto [view, schema] = LoadView(tx, actor, f.view_id, "database.table.view.filter.update");
    util::Validator v(body);
    std::optional<int64_t> field_id = v.Has("field") ? v.Int("field") : std::nullopt;
    std::optional<std::string> type = v.Has("type") ? v.Choice("type", query::FilterTypeNames()) : std::nullopt;
    if (v.Has("value")) {
      if (auto s = v.String("value", {.required = false, .allow_blank = true, .trim = false})) f.value = *s;
    }
    std::optional<int64_t> group = f.group_id;
    if (v.Has("group")) group = ParseGroupRef(v, "group");
    v.Check();
    if (field_id) f.field_id = FieldOfTable(tx, schema, *field_id).id;
    if (type) f.type = *type;
    query::CheckFilterType(*schema.FindById(f.field_id), f.type);
    CheckGroupInView(tx, group, f.view_id);
    f.group_id = group;
    tx.Exec("UPDATE view_filters SET field_id = ?, type = ?, value = ?, group_id = ? WHERE id = ?", f.field_id, f.type,
            f.value, f.group_id, filter_id);
    json::object out = FilterJson(f);
    RecordViewEvent(tx, actor, schema, "view_filter_updated", {{"view_filter_id", filter_id}, {"view_filter", out}});
    return out;
  });
}

void ViewService::DeleteFilter(const Actor& actor, int64_t filter_id) {
  store_.Write([&](store::Tx& tx) {
    FilterRow f = LoadFilter(tx, filter_id);
    auto [view, schema] = LoadView(tx, actor, f.view_id, "database.table.view.filter.delete");
    tx.Exec("DELETE FROM view_filters WHERE id = ?", filter_id);
    RecordViewEvent(tx, actor, schema, "view_filter_deleted", {{"view_id", f.view_id}, {"view_filter_id", filter_id}});
  });
}

json::object ViewService::CreateFilterGroup(const Actor& actor, int64_t view_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.create_filter_group");
    util::Validator v(body);
    std::string filter_type = v.Choice("filter_type", {"AND", "OR"}, false).value_or("AND");
    auto parent = ParseGroupRef(v, "parent_group");
    v.Check();
    if (!TypeOfView(view).can_filter()) throw Error("ERROR_VIEW_FILTER_NOT_SUPPORTED");
    CheckGroupInView(tx, parent, view_id);
    int64_t id = *tx.QueryInt(
        "INSERT INTO view_filter_groups (view_id, filter_type, parent_group_id) VALUES (?, ?, ?) RETURNING id", view_id,
        filter_type, parent);
    json::object out = GroupJson({id, view_id, filter_type, parent});
    RecordViewEvent(tx, actor, schema, "view_filter_group_created", {{"view_filter_group", out}});
    return out;
  });
}

json::object ViewService::GetFilterGroup(const Actor& actor, int64_t group_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    GroupRow g = LoadGroup(tx, group_id);
    LoadView(tx, actor, g.view_id, "database.table.view.filter_group.read");
    return GroupJson(g);
  });
}

json::object ViewService::UpdateFilterGroup(const Actor& actor, int64_t group_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    GroupRow g = LoadGroup(tx, group_id);
    auto [view, schema] = LoadView(tx, actor, g.view_id, "database.table.view.filter_group.update");
    util::Validator v(body);
    if (auto ft = v.Choice("filter_type", {"AND", "OR"}, false)) g.filter_type = *ft;
    v.Check();
    tx.Exec("UPDATE view_filter_groups SET filter_type = ? WHERE id = ?", g.filter_type, group_id);
    json::object out = GroupJson(g);
    RecordViewEvent(tx, actor, schema, "view_filter_group_updated",
                    {{"view_filter_group_id", group_id}, {"view_filter_group", out}});
    return out;
  });
}

void ViewService::DeleteFilterGroup(const Actor& actor, int64_t group_id) {
  store_.Write([&](store::Tx& tx) {
    GroupRow g = LoadGroup(tx, group_id);
    auto [view, schema] = LoadView(tx, actor, g.view_id, "database.table.view.filter_group.delete");
    // The group, its sub-groups and their filters (explicitly: not every engine cascades).
    std::vector<int64_t> doomed{group_id};
    for (size_t i = 0; i < doomed.size(); ++i) {
      auto c = tx.Query("SELECT id FROM view_filter_groups WHERE parent_group_id = ?", doomed[i]);
      while (c->Next()) doomed.push_back(c->Int(0));
    }
    for (auto it = doomed.rbegin(); it != doomed.rend(); ++it) {
      tx.Exec("DELETE FROM view_filters WHERE group_id = ?", *it);
      tx.Exec("DELETE FROM view_filter_groups WHERE id = ?", *it);
    }
    RecordViewEvent(tx, actor, schema, "view_filter_group_deleted",
                    {{"view_id", g.view_id}, {"view_filter_group_id", group_id}});
  });
}

// ---------------------------------------------------------------------------------------
// Sorts and group-bys

namespace view_impl {

SortRow LoadSortRow(store::Tx& tx, int64_t id, bool group_by) {
  std::string sql = group_by ? "SELECT s.id, s.view_id, s.field_id, s.descending, s.type, s.width FROM view_group_bys s"
                             : "SELECT s.id, s.view_id, s.field_id, s.descending, s.type, 200 FROM view_sorts s";
  auto c = tx.Query(sql + " JOIN fields fl ON fl.id = s.field_id JOIN views v ON v.id = s.view_id WHERE s.id = ? AND "
                          "fl.trashed = 0 AND v.trashed = 0",
                    id);
  if (!c->Next()) throw Error(group_by ? "ERROR_VIEW_GROUP_BY_DOES_NOT_EXIST" : "ERROR_VIEW_SORT_DOES_NOT_EXIST");
  return {c->Int(0), c->Int(1), c->Int(2), c->Bool(3), c->String(4), c->Int(5)};
}

/// Checks a sort or group-by of `field` with sort type `type` on `view`.
void CheckSortable(store::Tx& tx, const ViewRow& view, const Field& field, const std::string& type, bool group_by,
                   std::optional<int64_t> except_id) {
  const ViewType& vt = TypeOfView(view);
  if (group_by ? !vt.can_group_by() : !vt.can_sort()) {
    throw Error(group_by ? "ERROR_VIEW_GROUP_BY_NOT_SUPPORTED" : "ERROR_VIEW_SORT_NOT_SUPPORTED");
  }
  bool supported = !types::FindFieldType(field.type)->OrderSql(field, type).empty();
  if (group_by) supported = supported && CanGroupBy(field);
  if (!supported) {
    throw Error(group_by ? "ERROR_VIEW_GROUP_BY_FIELD_NOT_SUPPORTED" : "ERROR_VIEW_SORT_FIELD_NOT_SUPPORTED");
  }
  std::string table = group_by ? "view_group_bys" : "view_sorts";
  auto existing = tx.QueryInt("SELECT id FROM " + table + " WHERE view_id = ? AND field_id = ? AND id <> ?", view.id,
                              field.id, except_id.value_or(0));
  if (existing) {
    throw Error(group_by ? "ERROR_VIEW_GROUP_BY_FIELD_ALREADY_EXISTS" : "ERROR_VIEW_SORT_FIELD_ALREADY_EXISTS");
  }
}

}  // namespace view_impl

json::array ViewService::ListSorts(const Actor& actor, int64_t view_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    LoadView(tx, actor, view_id, "database.table.view.list_sort");
    json::array out;
    for (const auto& s : LoadSorts(tx, view_id, false)) out.push_back(SortJson(s));
    return out;
  });
}

json::object ViewService::CreateSort(const Actor& actor, int64_t view_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.create_sort");
    util::Validator v(body);
    auto field_id = v.Int("field");
    std::string order = v.Choice("order", {"ASC", "DESC"}, false).value_or("ASC");
    std::string type = v.Choice("type", {"default", "order"}, false).value_or("default");
    v.Check();
    const Field& field = FieldOfTable(tx, schema, *field_id);
    CheckSortable(tx, view, field, type, false, std::nullopt);
    int64_t id = *tx.QueryInt("INSERT INTO view_sorts (view_id, field_id, descending, type) VALUES (?, ?, ?, ?) "
                              "RETURNING id",
                              view_id, field.id, order == "DESC", type);
    json::object out = SortJson({id, view_id, field.id, order == "DESC", type});
    RecordViewEvent(tx, actor, schema, "view_sort_created", {{"view_sort", out}});
    return out;
  });
}

json::object ViewService::GetSort(const Actor& actor, int64_t sort_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    SortRow s = LoadSortRow(tx, sort_id, false);
    LoadView(tx, actor, s.view_id, "database.table.view.sort.read");
    return SortJson(s);
  });
}

json::object ViewService::UpdateSort(const Actor& actor, int64_t sort_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    SortRow s = LoadSortRow(tx, sort_id, false);
    auto [view, schema] = LoadView(tx, actor, s.view_id, "database.table.view.sort.update");
    util::Validator v(body);
    std::optional<int64_t> field_id = v.Has("field") ? v.Int("field") : std::nullopt;
    if (auto o = v.Choice("order", {"ASC", "DESC"}, false)) s.descending = *o == "DESC";
    if (auto t = v.Choice("type", {"default", "order"}, false)) s.type = *t;
    v.Check();
    if (field_id) s.field_id = FieldOfTable(tx, schema, *field_id).id;
    CheckSortable(tx, view, *schema.FindById(s.field_id), s.type, false, sort_id);
    tx.Exec("UPDATE view_sorts SET field_id = ?, descending = ?, type = ? WHERE id = ?", s.field_id, s.descending,
            s.type, sort_id);
    json::object out = SortJson(s);
    RecordViewEvent(tx, actor, schema, "view_sort_updated", {{"view_sort_id", sort_id}, {"view_sort", out}});
    return out;
  });
}

void ViewService::DeleteSort(const Actor& actor, int64_t sort_id) {
  store_.Write([&](store::Tx& tx) {
    SortRow s = LoadSortRow(tx, sort_id, false);
    auto [view, schema] = LoadView(tx, actor, s.view_id, "database.table.view.sort.delete");
    tx.Exec("DELETE FROM view_sorts WHERE id = ?", sort_id);
    RecordViewEvent(tx, actor, schema, "view_sort_deleted", {{"view_id", s.view_id}, {"view_sort_id", sort_id}});
  });
}

json::array ViewService::ListGroupBys(const Actor& actor, int64_t view_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    LoadView(tx, actor, view_id, "database.table.view.list_group_by");
    json::array out;
    for (const auto& s : LoadSorts(tx, view_id, true)) out.push_back(GroupByJson(s));
    return out;
  });
}

json::object ViewService::CreateGroupBy(const Actor& actor, int64_t view_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.create_group_by");
    util::Validator v(body);
    auto field_id = v.Int("field");
    std::string order = v.Choice("order", {"ASC", "DESC"}, false).value_or("ASC");
    int64_t width = v.Has("width") ? v.Int("width", false, 0).value_or(200) : 200;
    std::string type = v.Choice("type", {"default", "order"}, false).value_or("default");
    v.Check();
    const Field& field = FieldOfTable(tx, schema, *field_id);
    CheckSortable(tx, view, field, type, true, std::nullopt);
    int64_t id = *tx.QueryInt("INSERT INTO view_group_bys (view_id, field_id, descending, width, type) VALUES (?, ?, ?, "
                              "?, ?) RETURNING id",
                              view_id, field.id, order == "DESC", width, type);
    json::object out = GroupByJson({id, view_id, field.id, order == "DESC", type, width});
    RecordViewEvent(tx, actor, schema, "view_group_by_created", {{"view_group_by", out}});
    return out;
  });
}

json::object ViewService::GetGroupBy(const Actor& actor, int64_t group_by_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    SortRow s = LoadSortRow(tx, group_by_id, true);
    LoadView(tx, actor, s.view_id, "database.table.view.group_by.read");
    return GroupByJson(s);
  });
}

json::object ViewService::UpdateGroupBy(const Actor& actor, int64_t group_by_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    SortRow s = LoadSortRow(tx, group_by_id, true);
    auto [view, schema] = LoadView(tx, actor, s.view_id, "database.table.view.group_by.update");
    util::Validator v(body);
    std::optional<int64_t> field_id = v.Has("field") ? v.Int("field") : std::nullopt;
    if (auto o = v.Choice("order", {"ASC", "DESC"}, false)) s.descending = *o == "DESC";
    if (v.Has("width")) {
      if (auto w = v.Int("width", false, 0)) s.width = *w;
    }
    if (auto t = v.Choice("type", {"default", "order"}, false)) s.type = *t;
    v.Check();
    if (field_id) s.field_id = FieldOfTable(tx, schema, *field_id).id;
    CheckSortable(tx, view, *schema.FindById(s.field_id), s.type, true, group_by_id);
    tx.Exec("UPDATE view_group_bys SET field_id = ?, descending = ?, width = ?, type = ? WHERE id = ?", s.field_id,
            s.descending, s.width, s.type, group_by_id);
    json::object out = GroupByJson(s);
    RecordViewEvent(tx, actor, schema, "view_group_by_updated",
                    {{"view_group_by_id", group_by_id}, {"view_group_by", out}});
    return out;
  });
}

void ViewService::DeleteGroupBy(const Actor& actor, int64_t group_by_id) {
  store_.Write([&](store::Tx& tx) {
    SortRow s = LoadSortRow(tx, group_by_id, true);
    auto [view, schema] = LoadView(tx, actor, s.view_id, "database.table.view.group_by.delete");
    tx.Exec("DELETE FROM view_group_bys WHERE id = ?", group_by_id);
    RecordViewEvent(tx, actor, schema, "view_group_by_deleted",
                    {{"view_id", s.view_id}, {"view_group_by_id", group_by_id}});
  });
}

json::array ViewService::ListDecorations(const Actor& actor, int64_t view_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    LoadView(tx, actor, view_id, "database.table.view.list_decoration");
    return json::array{};
  });
}

void ViewService::DropIncompatible(store::Tx& tx, const Field& field) {
  std::vector<std::pair<int64_t, std::string>> filters;
  {
    auto c = tx.Query("SELECT id, type FROM view_filters WHERE field_id = ?", field.id);
    while (c->Next()) filters.emplace_back(c->Int(0), c->String(1));
  }
  for (const auto& [id, type] : filters) {
    try {
      query::CheckFilterType(field, type);
    } catch (const Error&) {
      tx.Exec("DELETE FROM view_filters WHERE id = ?", id);
    }
  }
  for (const char* table : {"view_sorts", "view_group_bys"}) {
    std::vector<std::pair<int64_t, std::string>> sorts;
    {
      auto c = tx.Query(std::string("SELECT id, type FROM ") + table + " WHERE field_id = ?", field.id);
      while (c->Next()) sorts.emplace_back(c->Int(0), c->String(1));
    }
    bool group_by = std::string_view(table) == "view_group_bys";
    for (const auto& [id, type] : sorts) {
      bool ok = !types::FindFieldType(field.type)->OrderSql(field, type).empty() && (!group_by || CanGroupBy(field));
      if (!ok) tx.Exec(std::string("DELETE FROM ") + table + " WHERE id = ?", id);
    }
  }
  // Footer aggregations the new type cannot compute are reset.
  std::vector<std::pair<int64_t, json::object>> options;
  {
    auto c = tx.Query("SELECT view_id, options FROM view_field_options WHERE field_id = ?", field.id);
    while (c->Next()) {
      auto parsed = json::parse(c->Text(1));
      if (parsed.is_object()) options.emplace_back(c->Int(0), parsed.as_object());
    }
  }
  for (auto& [view_id, o] : options) {
    const auto* raw = o.if_contains("aggregation_raw_type");
    if (!raw || !raw->is_string() || raw->as_string().empty()) continue;
    if (AggregationSupports(std::string(raw->as_string()), field)) continue;
    o["aggregation_raw_type"] = "";
    o["aggregation_type"] = "";
    SaveFieldOptions(tx, view_id, field.id, o);
  }
}

// ---------------------------------------------------------------------------------------
// Field options

json::object ViewService::FieldOptions(const Actor& actor, int64_t view_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.read_field_options");
    return json::object{{"field_options", FieldOptionsJson(LoadFieldOptions(tx, TypeOfView(view), view_id, schema))}};
  });
}

json::object ViewService::UpdateFieldOptions(const Actor& actor, int64_t view_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.update_field_options");
    const ViewType& type = TypeOfView(view);
    auto invalid = [](const char* message) {
      throw Error("ERROR_REQUEST_BODY_VALIDATION",
                  json::value(json::object{
                      {"field_options", json::array{json::object{{"error", message}, {"code", "invalid"}}}}}));
    };
    util::Validator v(body);
    const json::value* raw = v.Raw("field_options");
    if (!v.ok()) v.Check();
    if (!raw) {
      v.Fail("field_options", "This field is required.", "required");
      v.Check();
    }
    if (!raw->is_object()) invalid("Must be valid field options.");
    auto options = LoadFieldOptions(tx, type, view_id, schema);
    std::vector<std::pair<int64_t, json::object>> changes;
    for (const auto& [key, value] : raw->as_object()) {
      std::string k(key);
      if (k.empty() || k.size() > 18 || k.find_first_not_of("0123456789") != std::string::npos) {
        invalid("Field option key must be numeric.");
      }
      if (!value.is_object()) invalid("Must be valid field options.");
      int64_t field_id = std::stoll(k);
      auto it = options.find(field_id);
      json::object merged = it != options.end() ? it->second : type.DefaultFieldOptions();
      if (!type.MergeFieldOptions(value.as_object(), merged)) invalid("Must be valid field options.");
      changes.emplace_back(field_id, std::move(merged));
    }
    for (const auto& [field_id, merged] : changes) {
      const Field* f = schema.FindById(field_id);
      if (!f) throw Error("ERROR_UNRELATED_FIELD");
      const auto* agg = merged.if_contains("aggregation_raw_type");
      if (agg && agg->is_string() && !agg->as_string().empty() &&
          !AggregationSupports(std::string(agg->as_string()), *f)) {
        throw Error("ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD");
      }
    }
    for (auto& [field_id, merged] : changes) {
      SaveFieldOptions(tx, view_id, field_id, merged);
      options[field_id] = merged;
    }
    json::object all = FieldOptionsJson(options);
    RecordViewEvent(tx, actor, schema, "view_field_options_updated", {{"view_id", view_id}, {"field_options", all}});
    return json::object{{"field_options", std::move(all)}};
  });
}

// ---------------------------------------------------------------------------------------
// Grid rows and aggregations

GridPage ViewService::GridRows(const Actor& actor, int64_t view_id, const GridQuery& q) {
  int64_t table_id = store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.list_rows");
    if (view.type != "grid") throw Error("ERROR_GRID_DOES_NOT_EXIST");
    return schema.id;
  });
  rows_.PrepareSearch(actor, table_id, q.rows);
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.list_rows");
    if (view.type != "grid") throw Error("ERROR_GRID_DOES_NOT_EXIST");
    RowListQuery rq = q.rows;
    rq.view_id = view_id;
    rq.adhoc_replaces_view_filters = true;
    rq.count_only = q.count_only;
    GridPage page;
    page.rows = rows_.ListIn(tx, schema, rq);
    page.group_by_metadata = std::move(page.rows.group_by_metadata);
    if (q.include_field_options && !q.count_only) {
      page.field_options = json::serialize(FieldOptionsJson(LoadFieldOptions(tx, TypeOfView(view), view_id, schema)));
    }
    return page;
  });
}

std::string ViewService::GridRowsByIds(const Actor& actor, int64_t view_id, const json::value& body) {
  util::Validator v(body);
  auto ids = v.IntList("row_ids");
  if (ids && ids->empty()) v.Fail("row_ids", "Ensure this field has at least 1 elements.", "min_length");
  std::optional<std::vector<int64_t>> field_ids;
  if (v.Has("field_ids")) field_ids = v.IntList("field_ids", false);
  v.Check();
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.list_rows");
    if (view.type != "grid") throw Error("ERROR_GRID_DOES_NOT_EXIST");
    std::string include;
    if (field_ids) {
      for (int64_t id : *field_ids) include += (include.empty() ? "" : ",") + std::to_string(id);
    }
    RowListQuery rq;
    rq.limit = static_cast<int64_t>(ids->size());
    rq.exclude_count = true;
    if (!include.empty()) rq.include = include;
    std::string list;
    for (int64_t id : *ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    rq.params.emplace_back("filter__field_id__in", list);
    return rows_.ListIn(tx, schema, rq).results;
  });
}

std::string ViewService::Aggregations(const Actor& actor, int64_t view_id, const RowListQuery& q, bool total) {
  int64_t table_id = store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.list_aggregations");
    if (view.type != "grid") throw Error("ERROR_GRID_DOES_NOT_EXIST");
    return schema.id;
  });
  rows_.PrepareSearch(actor, table_id, q);
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.list_aggregations");
    if (view.type != "grid") throw Error("ERROR_GRID_DOES_NOT_EXIST");
    auto options = LoadFieldOptions(tx, TypeOfView(view), view_id, schema);
    RowListQuery rq = q;
    rq.view_id = view_id;
    rq.adhoc_replaces_view_filters = true;
    auto [where, params] = rows_.WhereFor(tx, schema, rq);
    std::string out;
    util::JsonWriter w(out);
    w.BeginObject();
    for (const auto& f : schema.fields) {
      const auto& o = options.at(f.id);
      const auto* raw = o.if_contains("aggregation_raw_type");
      const auto* hidden = o.if_contains("hidden");
      if (!raw || !raw->is_string() || raw->as_string().empty()) continue;
      if (hidden && hidden->is_bool() && hidden->as_bool()) continue;
      std::string raw_type(raw->as_string());
      if (!AggregationSupports(raw_type, f)) continue;
      w.Key("field_" + std::to_string(f.id));
      w.Raw(Aggregate(tx, schema, f, raw_type, where, params));
    }
    if (total) {
      auto bound = types::BindValues(params);
      auto c = tx.QueryV("SELECT COUNT(*) FROM " + schema.sql_table() + " t WHERE " + where, bound);
      c->Next();
      w.Key("total");
      w.Int(c->Int(0));
    }
    w.EndObject();
    return out;
  });
}

std::string ViewService::Aggregation(const Actor& actor, int64_t view_id, int64_t field_id, const std::string& raw_type,
                                     bool total) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto [view, schema] = LoadView(tx, actor, view_id, "database.table.view.read_aggregation");
    if (view.type != "grid") throw Error("ERROR_GRID_DOES_NOT_EXIST");
    if (std::find(kAggregationRawTypes.begin(), kAggregationRawTypes.end(), raw_type) == kAggregationRawTypes.end()) {
      throw Error("ERROR_AGGREGATION_TYPE_DOES_NOT_EXIST");
    }
    const Field* f = schema.FindById(field_id);
    if (!f) {
      if (!tx.QueryInt("SELECT id FROM fields WHERE id = ? AND trashed = 0", field_id)) {
        throw Error("ERROR_FIELD_DOES_NOT_EXIST");
      }
      throw Error("ERROR_FIELD_NOT_IN_TABLE");
    }
    if (!AggregationSupports(raw_type, *f)) throw Error("ERROR_AGGREGATION_DOES_NOT_SUPPORTED_FIELD");
    RowListQuery rq;
    rq.view_id = view_id;
    auto [where, params] = rows_.WhereFor(tx, schema, rq);
    std::string out = "{\"value\":" + Aggregate(tx, schema, *f, raw_type, where, params);
    if (total) {
      auto bound = types::BindValues(params);
      auto c = tx.QueryV("SELECT COUNT(*) FROM " + schema.sql_table() + " t WHERE " + where, bound);
      c->Next();
      out += ",\"total\":" + std::to_string(c->Int(0));
    }
    return out + "}";
  });
}

}  // namespace gridbase::services
