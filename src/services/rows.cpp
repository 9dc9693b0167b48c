#include "services/rows.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "services/fulltext.hpp"
#include "services/outbox.hpp"
#include "services/permissions.hpp"
#include "services/row_order.hpp"
#include "services/schema.hpp"
#include "services/views.hpp"
#include "types/field_type.hpp"
#include "util/error.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::services {

namespace json = boost::json;
using types::Field;
using types::TableSchema;

namespace row_impl {

const types::FieldType& RowType(const Field& f) { return *types::FindFieldType(f.type); }

std::string SelectSql(const TableSchema& s, const std::vector<const Field*>& fields) {
  std::string sql = "SELECT t.id, t.ord";
  for (const auto* f : fields) sql += ", " + RowType(*f).SelectExpr(*f);
  return sql + " FROM " + s.sql_table() + " t";
}

std::string OrderText(double ord) { return fmt::format("{:.20f}", ord); }

void WriteRow(const store::Cursor& c, const std::vector<const Field*>& fields, bool names, util::JsonWriter& w) {
  w.BeginObject();
  w.Key("id");
  w.Int(c.Int(0));
  w.Key("order");
  w.String(OrderText(c.Real(1)));
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = *fields[i];
    if (names) w.Key(f.name);
    else w.Key("field_" + std::to_string(f.id));
    RowType(f).WriteCell(c, static_cast<int>(i + 2), f, w);
  }
  w.EndObject();
}

std::vector<const Field*> AllFields(const TableSchema& s) {
  std::vector<const Field*> out;
  for (const auto& f : s.fields) out.push_back(&f);
  return out;
}

/// The field a body key names: its name with user_field_names, else field_<id> or <id>.
const Field* FieldForKey(const TableSchema& s, std::string_view key, bool names) {
  if (names) return s.FindByName(key);
  std::string_view digits = key;
  if (digits.rfind("field_", 0) == 0) digits.remove_prefix(6);
  if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return nullptr;
  return s.FindById(std::stoll(std::string(digits)));
}

/// Field ids referenced by an include/exclude list (names, or any digits of each item).
std::vector<const Field*> FieldsOfList(const TableSchema& s, std::string_view list, bool names) {
  std::vector<const Field*> out;
  for (const auto& item : query::SplitCsvList(list)) {
    const Field* f = nullptr;
    if (names) {
      f = s.FindByName(item);
    } else {
      std::string digits;
      for (char c : item)
        if (c >= '0' && c <= '9') digits += c;
      if (!digits.empty() && digits.size() <= 18) f = s.FindById(std::stoll(digits));
    }
    if (f) out.push_back(f);
  }
  return out;
}

std::vector<const Field*> Selection(const TableSchema& s, const std::optional<std::string>& include,
                                    const std::optional<std::string>& exclude, bool names) {
  std::vector<const Field*> fields = AllFields(s);
  if (include) {
    auto inc = FieldsOfList(s, *include, names);
    if (!inc.empty()) {
      std::vector<const Field*> kept;
      for (const auto* f : fields)
        if (std::find(inc.begin(), inc.end(), f) != inc.end()) kept.push_back(f);
      fields = std::move(kept);
    }
  }
  if (exclude) {
    auto exc = FieldsOfList(s, *exclude, names);
    std::vector<const Field*> kept;
    for (const auto* f : fields)
      if (std::find(exc.begin(), exc.end(), f) == exc.end()) kept.push_back(f);
    fields = std::move(kept);
  }
  return fields;
}

struct Prepared {
  std::vector<std::pair<const Field*, types::CellValue>> values;
};

/// Validates one row body. Field errors go into `errors` (keyed as the request keys them);
/// the first whole-request refusal into `whole`.
Prepared PrepareRow(const json::object& body, const TableSchema& s, bool names, json::object& errors,
                    std::optional<std::string>& whole) {
  Prepared out;
  for (const auto& [key, value] : body) {
    const Field* f = FieldForKey(s, key, names);
    if (!f) continue;
    const auto& type = RowType(*f);
    if (type.keeps_current(value)) continue;
    types::CellError err;
    auto v = type.Prepare(value, *f, err);
    if (!v) {
      if (err.whole_request) {
        if (!whole) whole = err.message;
      } else {
        errors[key] = json::array{json::object{{"error", err.message}, {"code", err.code}}};
      }
      continue;
    }
    out.values.emplace_back(f, std::move(*v));
  }
  return out;
}

[[noreturn]] void ThrowValidation(json::value detail) { throw Error("ERROR_REQUEST_BODY_VALIDATION", std::move(detail)); }

std::string PythonTypeName(const json::value& v) { return std::string(util::Validator::PythonType(v)); }

std::string IdList(std::vector<int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  return out + "]";
}

[[noreturn]] void RowsMissing(const std::string& ids) {
  throw Error("ERROR_ROW_DOES_NOT_EXIST", fmt::format("The rows {} do not exist.", ids));
}

void BindExec(store::Tx& tx, const std::string& sql, const types::SqlParams& p) {
  auto bound = types::BindValues(p);
  try {
    tx.ExecV(sql, bound);
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreErrorKind::kConstraint) {
      throw Error("ERROR_FIELD_DATA_CONSTRAINT", "The provided value violates a field constraint of the table.");
    }
    throw;
  }
}

std::optional<double> OrdOf(store::Tx& tx, const TableSchema& s, int64_t row_id) {
  auto c = tx.Query("SELECT ord FROM " + s.sql_table() + " WHERE id = ? AND trashed = 0", row_id);
  if (!c->Next()) return std::nullopt;
  return c->Real(0);
}

double AppendOrder(store::Tx& tx, const TableSchema& s) {
  auto c = tx.Query("SELECT MAX(ord) FROM " + s.sql_table() + " WHERE trashed = 0");
  double max = c->Next() && !c->IsNull(0) ? c->Real(0) : 0;
  return std::ceil(max) + 1;
}

void RenumberRows(store::Tx& tx, const TableSchema& s) {
  std::vector<int64_t> ids;
  {
    auto c = tx.Query("SELECT id FROM " + s.sql_table() + " ORDER BY ord, id");
    while (c->Next()) ids.push_back(c->Int(0));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    tx.Exec("UPDATE " + s.sql_table() + " SET ord = ? WHERE id = ?", static_cast<double>(i + 1), ids[i]);
  }
}

/// `n` orders for rows inserted directly before `before_id` (rows.md §10), renumbering the
/// table when the values run out. `exclude_id` is left out of the neighbours (moves).
std::vector<double> OrdersBefore(store::Tx& tx, const TableSchema& s, int64_t before_id, size_t n,
                                 int64_t exclude_id = 0) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    double hi = *OrdOf(tx, s, before_id);
    auto c = tx.Query("SELECT MAX(ord) FROM " + s.sql_table() + " WHERE trashed = 0 AND ord < ? AND id != ?", hi,
                      exclude_id);
    double lo = c->Next() && !c->IsNull(0) ? c->Real(0) : 0;
    c.reset();
    std::vector<double> out;
    double prev = lo;
    for (size_t i = 0; i < n; ++i) {
      auto v = IntermediateOrder(prev, hi);
      if (!v) break;
      out.push_back(*v);
      prev = *v;
    }
    if (out.size() == n) return out;
    RenumberRows(tx, s);
  }
  throw Error("ERROR_DATABASE_DEADLOCK");
}

/// Inserts one prepared row; returns its id.
int64_t InsertRow(store::Tx& tx, const TableSchema& s, const Prepared& p, double ord, int64_t now,
                  std::map<int64_t, int64_t>& sequences) {
  std::string cols = "ord, created_on, updated_on", marks = "?, ?, ?";
  types::SqlParams params{ord, now, now};
  for (const auto& f : s.fields) {
    const auto& type = RowType(f);
    if (type.column_type().empty()) continue;
    auto it = std::find_if(p.values.begin(), p.values.end(), [&](const auto& v) { return v.first == &f; });
    types::CellValue value;
    if (it != p.values.end()) {
      value = it->second;
    } else {
      int64_t seq = 0;
      if (type.uses_sequence()) {
        auto sit = sequences.find(f.id);
        if (sit == sequences.end()) {
          seq = tx.QueryInt("SELECT COALESCE(MAX(" + f.column() + "), 0) + 1 FROM " + s.sql_table()).value_or(1);
        } else {
          seq = sit->second;
        }
        sequences[f.id] = seq + 1;
      }
      value = type.NewRowValue(f, seq);
    }
    cols += ", " + f.column();
    marks += ", ?";
    params.push_back(std::move(value));
  }
  std::string sql = "INSERT INTO " + s.sql_table() + " (" + cols + ") VALUES (" + marks + ") RETURNING id";
  auto bound = types::BindValues(params);
  try {
    auto c = tx.QueryV(sql, bound);
    c->Next();
    return c->Int(0);
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreErrorKind::kConstraint) {
      throw Error("ERROR_FIELD_DATA_CONSTRAINT", "The provided value violates a field constraint of the table.");
    }
    throw;
  }
}

void UpdateRow(store::Tx& tx, const TableSchema& s, int64_t id, const Prepared& p, int64_t now) {
  std::string sql = "UPDATE " + s.sql_table() + " SET updated_on = ?";
  types::SqlParams params{now};
  for (const auto& [f, v] : p.values) {
    sql += ", " + f->column() + " = ?";
    params.push_back(v);
  }
  sql += " WHERE id = ?";
  params.push_back(id);
  BindExec(tx, sql, params);
}

/// Writes the rows `ids` (in that order) as a JSON array; with `by_field_id`, also the same
/// rows keyed by field_<id> (the form events carry), from the same query.
void WriteRowsById(store::Tx& tx, const TableSchema& s, const std::vector<int64_t>& ids, bool names,
                   util::JsonWriter& w, std::string* by_field_id = nullptr) {
  auto fields = AllFields(s);
  // One query for the whole batch, then the rows in request order.
  std::string sql = SelectSql(s, fields) + " WHERE t.id IN (";
  types::SqlParams params;
  for (size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.push_back(ids[i]);
  }
  sql += ")";
  std::map<int64_t, std::pair<std::string, std::string>> rows;
  if (!ids.empty()) {
    auto bound = types::BindValues(params);
    auto c = tx.QueryV(sql, bound);
    while (c->Next()) {
      std::pair<std::string, std::string> one;
      util::JsonWriter rw(one.first);
      WriteRow(*c, fields, names, rw);
      if (by_field_id && names) {
        util::JsonWriter iw(one.second);
        WriteRow(*c, fields, false, iw);
      }
      rows.emplace(c->Int(0), std::move(one));
    }
  }
  w.BeginArray();
  for (int64_t id : ids) {
    auto it = rows.find(id);
    if (it != rows.end()) w.Raw(it->second.first);
  }
  w.EndArray();
  if (by_field_id) {
    util::JsonWriter iw(*by_field_id);
    iw.BeginArray();
    for (int64_t id : ids) {
      auto it = rows.find(id);
      if (it != rows.end()) iw.Raw(names ? it->second.second : it->second.first);
    }
    iw.EndArray();
  }
}

std::string RowJson(store::Tx& tx, const TableSchema& s, int64_t id, bool names) {
  auto fields = AllFields(s);
  auto c = tx.Query(SelectSql(s, fields) + " WHERE t.id = ?", id);
  std::string out;
  util::JsonWriter w(out);
  if (c->Next()) WriteRow(*c, fields, names, w);
  return out;
}

/// The rows `ids` as a JSON array with field_<id> keys: the form realtime messages carry.
std::string RowsArray(store::Tx& tx, const TableSchema& s, const std::vector<int64_t>& ids) {
  std::string out;
  util::JsonWriter w(out);
  WriteRowsById(tx, s, ids, /*names=*/false, w);
  return out;
}

/// What webhooks need besides the message: the database (field names are looked up when the
/// webhook payload is built, moments later, to keep the outbox small).
std::string RowEventExtra(const TableSchema& s) { return "{\"database_id\":" + std::to_string(s.database_id) + "}"; }

std::string IdArray(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

/// Records a row event for the table page and its webhooks (realtime.md §5.3).
void RecordRowEvent(store::Tx& tx, const Actor& actor, const TableSchema& s, const char* type, std::string body) {
  OutboxEvent e;
  e.type = type;
  e.workspace_id = s.workspace_id;
  e.table_id = s.id;
  e.message = fmt::format(R"({{"type":"{}","table_id":{},{}}})", type, s.id, body);
  e.extra = RowEventExtra(s);
  e.webhooks = true;
  RecordEvent(tx, actor, e);
}

void RecordRowsCreated(store::Tx& tx, const Actor& actor, const TableSchema& s, const std::string& rows,
                       std::optional<int64_t> before) {
  RecordRowEvent(tx, actor, s, "rows_created",
                 fmt::format(R"("rows":{},"metadata":{{}},"before_row_id":{})", rows,
                             before ? std::to_string(*before) : std::string("null")));
}

void RecordRowsUpdated(store::Tx& tx, const Actor& actor, const TableSchema& s, const std::string& before,
                       const std::string& after, const std::vector<int64_t>& updated_fields) {
  std::vector<int64_t> ordered;
  for (const auto& f : s.fields)
    if (std::find(updated_fields.begin(), updated_fields.end(), f.id) != updated_fields.end()) ordered.push_back(f.id);
  RecordRowEvent(tx, actor, s, "rows_updated",
                 fmt::format(R"("rows_before_update":{},"rows":{},"metadata":{{}},"updated_field_ids":{})", before,
                             after, IdArray(ordered)));
}

void RecordRowsDeleted(store::Tx& tx, const Actor& actor, const TableSchema& s, const std::vector<int64_t>& ids,
                       const std::string& rows) {
  RecordRowEvent(tx, actor, s, "rows_deleted", fmt::format(R"("row_ids":{},"rows":{})", IdArray(ids), rows));
}

/// One row read once, as {field_<id> keys (for events), response form (`names`)}.
std::pair<std::string, std::string> RowJsonForEvent(store::Tx& tx, const TableSchema& s, int64_t id, bool names) {
  auto fields = AllFields(s);
  auto c = tx.Query(SelectSql(s, fields) + " WHERE t.id = ?", id);
  std::pair<std::string, std::string> out;
  if (!c->Next()) return out;
  util::JsonWriter w(out.first);
  WriteRow(*c, fields, false, w);
  if (names) {
    util::JsonWriter nw(out.second);
    WriteRow(*c, fields, true, nw);
  } else {
    out.second = out.first;
  }
  return out;
}

/// Validates a single-row body; `not_object` is the message for a non-object body (Baserow's
/// create and update say it differently, pitfalls.md 11).
Prepared PrepareSingleRow(const json::value& body, const TableSchema& s, bool names, std::string_view not_object) {
  if (!body.is_object()) {
    ThrowValidation(json::object{
        {"non_field_errors",
         json::array{json::object{{"error", fmt::format(fmt::runtime(not_object), PythonTypeName(body))},
                                  {"code", "invalid"}}}}});
  }
  json::object errors;
  std::optional<std::string> whole;
  auto prepared = PrepareRow(body.as_object(), s, names, errors, whole);
  if (!errors.empty()) ThrowValidation(errors);
  if (whole) ThrowValidation(json::string(*whole));
  return prepared;
}

/// The error of a batch item that is not an object.
json::object NotAnObject(const json::value& item) {
  return json::object{
      {"non_field_errors",
       json::array{json::object{
           {"error", fmt::format("Invalid data. Expected a dictionary, but got {}.", PythonTypeName(item))},
           {"code", "invalid"}}}}};
}

/// After a batch write: index maintenance, then {"items": [rows in request order]} and, with
/// include_metadata, "metadata": {"updated_field_ids": [...]} in table field order.
std::string FinishBatch(store::Tx& tx, const TableSchema& s, const std::vector<int64_t>& ids, const RowWrite& opts,
                        const std::vector<int64_t>& updated_fields, IndexAdvisor& advisor, std::string* event_rows) {
  IndexRows(tx, s, ids);
  if (IndexRowsForSearch(tx, s, ids)) advisor.SearchDirty(s.id);
  std::string out;
  util::JsonWriter w(out);
  w.BeginObject();
  w.Key("items");
  WriteRowsById(tx, s, ids, opts.user_field_names, w, event_rows);
  if (opts.include_metadata) {
    w.Key("metadata");
    w.BeginObject();
    w.Key("updated_field_ids");
    w.BeginArray();
    for (const auto& f : s.fields)
      if (std::find(updated_fields.begin(), updated_fields.end(), f.id) != updated_fields.end()) w.Int(f.id);
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  return out;
}

/// Validates {"items": [...]} (1..200 elements); returns the array.
const json::array& BatchItems(const json::value& body) {
  util::Validator v(body);
  const json::value* items = v.Raw("items");
  if (!v.ok()) v.Check();
  if (!items) {
    v.Fail("items", "This field is required.", "required");
  } else if (!items->is_array()) {
    v.Fail("items", fmt::format("Expected a list of items but got type \"{}\".", PythonTypeName(*items)),
           "not_a_list");
  } else if (items->as_array().empty()) {
    v.Fail("items", "Ensure this field has at least 1 elements.", "min_length");
  } else if (items->as_array().size() > kBatchRowsLimit) {
    v.Fail("items", "Ensure this field has no more than 200 elements.", "max_length");
  }
  v.Check();
  return items->as_array();
}

}  // namespace row_impl

using namespace row_impl;

void RowService::NoteIndexUse(const TableSchema& schema, const query::FilterNode& filters,
                              const std::vector<query::OrderItem>& order) {
  if (schema.row_count < advisor_.min_rows()) return;
  for (const auto& o : order)
    if (o.sort_type == "default") advisor_.Used(schema, *o.field);
  static const std::set<std::string> kIndexable = {
      "equal", "higher_than", "higher_than_or_equal", "lower_than", "lower_than_or_equal", "boolean",
      "single_select_equal", "single_select_is_any_of", "date_equal", "date_before", "date_before_or_equal",
      "date_after", "date_after_or_equal", "date_is", "date_is_before", "date_is_on_or_before", "date_is_after",
      "date_is_on_or_after", "date_equals_today", "date_within_days"};
  std::vector<const query::FilterNode*> stack{&filters};
  while (!stack.empty()) {
    const auto* node = stack.back();
    stack.pop_back();
    for (const auto& leaf : node->filters) {
      if (leaf.id_pseudo || leaf.field.id == 0 || !kIndexable.count(leaf.type)) continue;
      if (leaf.type == "equal" && (leaf.field.type == "text" || leaf.field.type == "long_text" ||
                                   leaf.field.type == "url" || leaf.field.type == "email" ||
                                   leaf.field.type == "phone_number")) {
        continue;  // the case-insensitive index cannot serve an exact comparison
      }
      if (const auto* f = schema.FindById(leaf.field.id)) advisor_.Used(schema, *f);
    }
    for (const auto& g : node->groups) stack.push_back(&g);
  }
}

void RowService::PrepareSearch(const Actor& actor, int64_t table_id, const RowListQuery& q) {
  if (!q.full_text || util::Trim(q.search).empty()) return;
  bool ready = store_.ReadResult(
      [&](store::Tx& tx) { return LoadSchemaFor(tx, actor, table_id, "database.table.list_rows").fts_ready; });
  if (!ready) {
    store_.Write([&](store::Tx& tx) {
      auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.list_rows");
      if (!schema.fts_ready) BuildFullText(tx, schema);
    });
  }
}

RowPage RowService::List(const Actor& actor, int64_t table_id, const RowListQuery& q) {
  PrepareSearch(actor, table_id, q);
  return store_.ReadResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.list_rows");
    return ListIn(tx, schema, q);
  });
}

namespace row_impl {

/// Whether the query string carries legacy `filter__…` parameters.
bool HasLegacyFilters(const query::QueryParams& params) {
  for (const auto& [k, v] : params)
    if (k.rfind("filter__", 0) == 0) return true;
  return false;
}

/// `a AND b` as one filter tree (flattened when both are AND nodes).
query::FilterNode AndFilters(query::FilterNode a, query::FilterNode b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  query::FilterNode out;
  for (auto* n : {&a, &b}) {
    if (!n->is_or) {
      for (auto& f : n->filters) out.filters.push_back(std::move(f));
      for (auto& g : n->groups) out.groups.push_back(std::move(g));
    } else {
      out.groups.push_back(std::move(*n));
    }
  }
  return out;
}

/// A group-by value as Baserow's group_by_metadata spells it: single select by option id,
/// every other type as its cell.
void WriteGroupValue(const store::Cursor& c, int col, const Field& f, util::JsonWriter& w) {
  if (f.type == "single_select") {
    if (c.IsNull(col)) w.Null();
    else w.Int(c.Int(col));
    return;
  }
  RowType(f).WriteCell(c, col, f, w);
}

}  // namespace row_impl

RowService::Where RowService::BuildWhere(store::Tx& tx, const TableSchema& schema, const RowListQuery& q) {
  Where out;
  bool full_text = q.full_text && !util::Trim(q.search).empty();
  out.full_text_sql = full_text && schema.fts_ready;
  std::optional<ViewQuery> view;
  if (q.view_id) view = LoadViewQuery(tx, schema, *q.view_id);
  query::FilterNode filters = q.filters_json
                                  ? query::ParseFilterTree(*q.filters_json, schema, q.user_field_names)
                                  : query::ParseLegacyFilters(q.params, schema, q.user_field_names);
  if (view) {
    bool adhoc = q.filters_json.has_value() || HasLegacyFilters(q.params);
    if (!(q.adhoc_replaces_view_filters && adhoc)) filters = AndFilters(view->filters, std::move(filters));
    out.group_by = view->group_by;
    for (size_t i = 0; i < view->group_by.size(); ++i) out.group_by_desc.push_back(view->order[i].descending);
  }
  if (q.order_by) out.order = query::ParseOrderBy(*q.order_by, schema, q.user_field_names);
  else if (view) out.order = view->order;
  NoteIndexUse(schema, filters, out.order);

  types::SqlParams& params = out.params;
  std::string& where = out.where;
  where = "t.trashed = 0";
  out.filter_sql = query::CompileFilters(filters, params);
  const std::string& filter_sql = out.filter_sql;
  if (filter_sql != types::kSqlTrue) where += " AND (" + filter_sql + ")";
  std::string& search_sql = out.search_sql;
  search_sql = types::kSqlTrue;
  if (out.full_text_sql) {
    search_sql = FullTextSql(q.search, schema, params);
  } else if (!util::Trim(q.search).empty()) {
    // Compat search: answered by the substring index when it is ready, else by a scan.
    advisor_.SearchUsed(schema);
    if (auto indexed = SearchCandidates(schema, q.search, /*include_id_rule=*/true, params)) {
      // Rows written since the last flush are checked exactly instead.
      std::string dirty = "(SELECT id FROM " + SearchDirtyTable(schema.id) + ")";
      std::string exact = query::CompileSearch(q.search, schema, params);
      search_sql = "((" + *indexed + " AND t.id NOT IN " + dirty + ") OR (t.id IN " + dirty + " AND " + exact + "))";
    } else {
      search_sql = query::CompileSearch(q.search, schema, params);
    }
  }
  // The page query may take the search through coalesce(): a form SQLite cannot answer with
  // an index, so for a dense match it walks the order index instead of sorting every hit.
  std::string& where_page = out.where_page;
  where_page = where;
  if (search_sql != types::kSqlTrue) {
    where += " AND " + search_sql;
    where_page += tx.dialect().postgres() ? " AND " + search_sql : " AND coalesce(" + search_sql + ", 0)";
  }
  if (!filters.is_or) {
    for (const auto& leaf : filters.filters) {
      if (leaf.type != "contains" || leaf.id_pseudo || leaf.field.id == 0) continue;
      advisor_.SearchUsed(schema);
      // Text-like cells are indexed as they are stored, so their column alone answers
      // `contains`; other types ask every column (a superset), checked exactly below.
      const Field* own = schema.FindById(leaf.field.id);
      static const std::set<std::string> kPlainText = {"text", "long_text", "url", "email", "phone_number"};
      if (own && !kPlainText.count(own->type)) own = nullptr;
      if (auto candidates = SearchCandidates(schema, leaf.value, /*include_id_rule=*/false, params, own)) {
        std::string part = " AND (" + *candidates + " OR t.id IN (SELECT id FROM " + SearchDirtyTable(schema.id) + "))";
        where += part;
        where_page += part;
      }
    }
  }
  return out;
}

std::pair<std::string, types::SqlParams> RowService::WhereFor(store::Tx& tx, const TableSchema& schema,
                                                              const RowListQuery& q) {
  Where w = BuildWhere(tx, schema, q);
  return {std::move(w.where), std::move(w.params)};
}

RowPage RowService::ListIn(store::Tx& tx, const TableSchema& schema, const RowListQuery& q) {
  auto fields = Selection(schema, q.include, q.exclude, q.user_field_names);
  Where built = BuildWhere(tx, schema, q);
  const std::string& where = built.where;
  const std::string& where_page = built.where_page;
  const std::string& filter_sql = built.filter_sql;
  const std::string& search_sql = built.search_sql;
  const auto& order = built.order;
  types::SqlParams& params = built.params;
  const bool full_text = built.full_text_sql;

  RowPage page;
  page.counted = !q.exclude_count || q.count_only;
  if (page.counted) {
    std::optional<std::string> search_count;
    types::SqlParams count_params;
    if (filter_sql == types::kSqlTrue && search_sql != types::kSqlTrue && !full_text) {
      search_count = SearchCountSql(schema, q.search, count_params);
    }
    if (filter_sql == types::kSqlTrue && search_sql == types::kSqlTrue) {
      page.count = schema.row_count;
    } else if (search_count) {
      auto bound = types::BindValues(count_params);
      auto c = tx.QueryV(*search_count, bound);
      page.count = c->Next() ? c->Int(0) : 0;
    } else {
      auto bound = types::BindValues(params);
      auto c = tx.QueryV("SELECT COUNT(*) FROM " + schema.sql_table() + " t WHERE " + where, bound);
      page.count = c->Next() ? c->Int(0) : 0;
    }
  }
  if (q.count_only) return page;
  const int64_t size = q.limit ? *q.limit : q.size;
  int64_t offset = q.limit ? q.offset : (q.page - 1) * q.size;
  const std::vector<const Field*>& group_by = built.group_by;
  std::vector<std::vector<std::string>> page_groups;  // per row: the rendered group values
  util::JsonWriter w(page.results);
  w.BeginArray();
  if (size > 0 && (!page.counted || offset < page.count)) {
    // A page in the second half is read from the end in mirrored order: SQLite steps over
    // min(offset, count - offset) rows instead of offset.
    int64_t limit = size;
    bool mirrored = page.counted && offset > page.count / 2;
    if (mirrored) {
      int64_t from_end = page.count - offset - size;
      if (from_end < 0) {
        limit += from_end;
        from_end = 0;
      }
      offset = from_end;
    }
    std::string order_sql = query::CompileOrderBy(order, mirrored);
    bool sparse = page.counted && page.count * 10 < schema.row_count;
    if (order.empty() && sparse) {
      // Few rows match: let SQLite find them through the filter's index and sort them,
      // instead of walking the order index until enough rows matched.
      order_sql = mirrored ? "ORDER BY +t.ord DESC, +t.id DESC" : "ORDER BY +t.ord ASC, +t.id ASC";
    }
    const std::string& page_where = order.empty() && !sparse ? where_page : where;
    std::string select = SelectSql(schema, fields);
    if (!group_by.empty()) {
      std::string extra;
      for (const auto* f : group_by) extra += ", " + RowType(*f).SelectExpr(*f);
      select.insert(select.find(" FROM "), extra);
    }
    std::string sql = select + " WHERE " + page_where + " " + order_sql + " LIMIT ? OFFSET ?";
    types::SqlParams page_params = params;
    page_params.push_back(limit);
    page_params.push_back(offset);
    auto bound = types::BindValues(page_params);
    auto c = tx.QueryV(sql, bound);
    const int group_col = static_cast<int>(fields.size()) + 2;
    std::vector<std::string> rows;
    while (c->Next()) {
      if (!group_by.empty()) {
        std::vector<std::string> values;
        for (size_t i = 0; i < group_by.size(); ++i) {
          std::string one;
          util::JsonWriter gw(one);
          WriteGroupValue(*c, group_col + static_cast<int>(i), *group_by[i], gw);
          values.push_back(std::move(one));
        }
        page_groups.push_back(std::move(values));
      }
      if (!mirrored) {
        WriteRow(*c, fields, q.user_field_names, w);
      } else {
        std::string one;
        util::JsonWriter rw(one);
        WriteRow(*c, fields, q.user_field_names, rw);
        rows.push_back(std::move(one));
      }
    }
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) w.Raw(*it);
  }
  w.EndArray();
  if (!group_by.empty()) {
    // views.md §8.1: per level, the value combinations present on the page with their counts
    // in the whole filtered set.
    util::JsonWriter gm(page.group_by_metadata);
    gm.BeginObject();
    for (size_t level = 0; level < group_by.size(); ++level) {
      std::set<std::string> wanted;
      for (const auto& values : page_groups) {
        std::string key;
        for (size_t i = 0; i <= level; ++i) key += values[i] + '\x1f';
        wanted.insert(key);
      }
      std::string exprs;
      for (size_t i = 0; i <= level; ++i) exprs += (i ? ", " : "") + RowType(*group_by[i]).SelectExpr(*group_by[i]);
      std::vector<query::OrderItem> group_order;
      for (size_t i = 0; i <= level; ++i) group_order.push_back({group_by[i], built.group_by_desc[i], "default"});
      std::string order_sql = query::CompileOrderBy(group_order);
      order_sql = order_sql.substr(0, order_sql.rfind(", t.ord"));  // no row tie-breakers in a GROUP BY
      auto bound = types::BindValues(params);
      auto c = tx.QueryV("SELECT " + exprs + ", COUNT(*) FROM " + schema.sql_table() + " t WHERE " + where +
                             " GROUP BY " + exprs + " " + order_sql,
                         bound);
      gm.Key("field_" + std::to_string(group_by[level]->id));
      gm.BeginArray();
      while (c->Next()) {
        std::vector<std::string> values;
        std::string key;
        for (size_t i = 0; i <= level; ++i) {
          std::string one;
          util::JsonWriter vw(one);
          WriteGroupValue(*c, static_cast<int>(i), *group_by[i], vw);
          key += one + '\x1f';
          values.push_back(std::move(one));
        }
        if (!wanted.count(key)) continue;
        gm.BeginObject();
        for (size_t i = 0; i <= level; ++i) {
          gm.Key("field_" + std::to_string(group_by[i]->id));
          gm.Raw(values[i]);
        }
        gm.Key("count");
        gm.Int(c->Int(static_cast<int>(level) + 1));
        gm.EndObject();
      }
      gm.EndArray();
    }
    gm.EndObject();
  }
  return page;
}

std::string RowService::Get(const Actor& actor, int64_t table_id, int64_t row_id, bool names) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.read_row");
    if (!OrdOf(tx, schema, row_id)) RowsMissing(fmt::format("['{}']", row_id));
    return RowJson(tx, schema, row_id, names);
  });
}

std::string RowService::Create(const Actor& actor, int64_t table_id, const json::value& body,
                               std::optional<int64_t> before, const RowWrite& opts) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.create_row");
    auto prepared = PrepareSingleRow(body, schema, opts.user_field_names, "Invalid data. Expected a dictionary, but got {}.");
    double ord;
    if (before) {
      if (!OrdOf(tx, schema, *before)) RowsMissing(fmt::format("[{}]", *before));
      ord = OrdersBefore(tx, schema, *before, 1).front();
    } else {
      ord = AppendOrder(tx, schema);
    }
    std::map<int64_t, int64_t> sequences;
    int64_t id = InsertRow(tx, schema, prepared, ord, util::NowMicros(), sequences);
    tx.Exec("UPDATE database_tables SET row_count = row_count + 1 WHERE id = ?", table_id);
    IndexRows(tx, schema, {id});
    if (IndexRowsForSearch(tx, schema, {id})) advisor_.SearchDirty(schema.id);
    auto [row, response] = RowJsonForEvent(tx, schema, id, opts.user_field_names);
    RecordRowsCreated(tx, actor, schema, "[" + row + "]", before);
    return response;
  });
}

std::string RowService::Update(const Actor& actor, int64_t table_id, int64_t row_id, const json::value& body,
                               const RowWrite& opts) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.update_row");
    auto prepared =
        PrepareSingleRow(body, schema, opts.user_field_names, "Invalid data. Expected types are: dict, but got {}.");
    if (!OrdOf(tx, schema, row_id)) RowsMissing(fmt::format("['{}']", row_id));
    std::string before = RowJson(tx, schema, row_id, false);
    UpdateRow(tx, schema, row_id, prepared, util::NowMicros());
    IndexRows(tx, schema, {row_id});
    if (IndexRowsForSearch(tx, schema, {row_id})) advisor_.SearchDirty(schema.id);
    auto [after, response] = RowJsonForEvent(tx, schema, row_id, opts.user_field_names);
    std::vector<int64_t> updated;
    for (const auto& [f, v] : prepared.values) updated.push_back(f->id);
    RecordRowsUpdated(tx, actor, schema, "[" + before + "]", "[" + after + "]", updated);
    return response;
  });
}

void RowService::Delete(const Actor& actor, int64_t table_id, int64_t row_id) {
  store_.Write([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.delete_row");
    if (!OrdOf(tx, schema, row_id)) RowsMissing(fmt::format("['{}']", row_id));
    std::string before = RowJson(tx, schema, row_id, false);
    tx.Exec("UPDATE " + schema.sql_table() + " SET trashed = 1 WHERE id = ?", row_id);
    tx.Exec("UPDATE database_tables SET row_count = row_count - 1 WHERE id = ?", table_id);
    if (IndexRowsForSearch(tx, schema, {row_id})) advisor_.SearchDirty(schema.id);  // leaves the index
    RecordRowsDeleted(tx, actor, schema, {row_id}, "[" + before + "]");
  });
}

std::string RowService::Move(const Actor& actor, int64_t table_id, int64_t row_id, std::optional<int64_t> before_id,
                             bool names) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.move_row");
    if (!OrdOf(tx, schema, row_id)) RowsMissing(fmt::format("['{}']", row_id));
    double ord;
    if (before_id) {
      if (!OrdOf(tx, schema, *before_id)) RowsMissing(fmt::format("[{}]", *before_id));
      ord = *before_id == row_id ? *OrdOf(tx, schema, row_id) : OrdersBefore(tx, schema, *before_id, 1, row_id).front();
    } else {
      ord = AppendOrder(tx, schema);
    }
    std::string before = RowJson(tx, schema, row_id, false);
    tx.Exec("UPDATE " + schema.sql_table() + " SET ord = ?, updated_on = ? WHERE id = ?", ord, util::NowMicros(),
            row_id);
    auto [after, response] = RowJsonForEvent(tx, schema, row_id, names);
    RecordRowsUpdated(tx, actor, schema, "[" + before + "]", "[" + after + "]", {});
    return response;
  });
}

std::string RowService::BatchCreate(const Actor& actor, int64_t table_id, const json::value& body,
                                    std::optional<int64_t> before, const RowWrite& opts) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.create_row");
    const auto& items = BatchItems(body);
    std::vector<Prepared> rows;
    json::object item_errors;
    std::optional<std::string> whole;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_object()) {
        item_errors[std::to_string(i)] = NotAnObject(items[i]);
        continue;
      }
      json::object errors;
      rows.push_back(PrepareRow(items[i].as_object(), schema, opts.user_field_names, errors, whole));
      if (!errors.empty()) item_errors[std::to_string(i)] = std::move(errors);
    }
    if (!item_errors.empty()) ThrowValidation(json::object{{"items", std::move(item_errors)}});
    if (whole) ThrowValidation(json::string(*whole));
    std::vector<double> orders;
    if (before) {
      if (!OrdOf(tx, schema, *before)) RowsMissing(fmt::format("[{}]", *before));
      orders = OrdersBefore(tx, schema, *before, rows.size());
    } else {
      double first = AppendOrder(tx, schema);
      for (size_t i = 0; i < rows.size(); ++i) orders.push_back(first + static_cast<double>(i));
    }
    std::map<int64_t, int64_t> sequences;
    int64_t now = util::NowMicros();
    std::vector<int64_t> ids;
    for (size_t i = 0; i < rows.size(); ++i) ids.push_back(InsertRow(tx, schema, rows[i], orders[i], now, sequences));
    tx.Exec("UPDATE database_tables SET row_count = row_count + ? WHERE id = ?", static_cast<int64_t>(ids.size()),
            table_id);
    std::vector<int64_t> all_fields;
    for (const auto& f : schema.fields) all_fields.push_back(f.id);
    std::string rows_by_id;
    std::string out = FinishBatch(tx, schema, ids, opts, all_fields, advisor_, &rows_by_id);
    RecordRowsCreated(tx, actor, schema, rows_by_id, before);
    return out;
  });
}

std::string RowService::BatchUpdate(const Actor& actor, int64_t table_id, const json::value& body,
                                    const RowWrite& opts) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.update_row");
    const auto& items = BatchItems(body);
    std::vector<std::pair<int64_t, Prepared>> rows;
    json::object item_errors;
    std::optional<std::string> whole;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_object()) {
        item_errors[std::to_string(i)] = NotAnObject(items[i]);
        continue;
      }
      const auto& obj = items[i].as_object();
      json::object errors;
      std::optional<int64_t> id;
      if (const auto* raw = obj.if_contains("id"); !raw) {
        errors["id"] = json::array{json::object{{"error", "This field is required."}, {"code", "required"}}};
      } else if (!(id = raw->is_bool() ? std::nullopt : util::CoerceInt(*raw))) {
        errors["id"] = json::array{json::object{{"error", "A valid integer is required."}, {"code", "invalid"}}};
      }
      auto prepared = PrepareRow(obj, schema, opts.user_field_names, errors, whole);
      if (!errors.empty()) {
        item_errors[std::to_string(i)] = std::move(errors);
        continue;
      }
      rows.emplace_back(*id, std::move(prepared));
    }
    if (!item_errors.empty()) ThrowValidation(json::object{{"items", std::move(item_errors)}});
    if (whole) ThrowValidation(json::string(*whole));
    std::vector<int64_t> ids, duplicates, missing;
    std::set<int64_t> seen;
    for (const auto& [id, p] : rows) {
      if (!seen.insert(id).second && std::find(duplicates.begin(), duplicates.end(), id) == duplicates.end())
        duplicates.push_back(id);
      ids.push_back(id);
    }
    if (!duplicates.empty()) {
      throw Error("ERROR_ROW_IDS_NOT_UNIQUE", fmt::format("The provided row ids {} are not unique.", IdList(duplicates)));
    }
    for (int64_t id : ids)
      if (!OrdOf(tx, schema, id)) missing.push_back(id);
    if (!missing.empty()) RowsMissing(IdList(missing));
    std::string before = RowsArray(tx, schema, ids);
    int64_t now = util::NowMicros();
    std::vector<int64_t> updated_fields;
    for (const auto& [id, p] : rows) {
      UpdateRow(tx, schema, id, p, now);
      for (const auto& [f, v] : p.values)
        if (std::find(updated_fields.begin(), updated_fields.end(), f->id) == updated_fields.end())
          updated_fields.push_back(f->id);
    }
    std::string rows_by_id;
    std::string out = FinishBatch(tx, schema, ids, opts, updated_fields, advisor_, &rows_by_id);
    RecordRowsUpdated(tx, actor, schema, before, rows_by_id, updated_fields);
    return out;
  });
}

void RowService::BatchDelete(const Actor& actor, int64_t table_id, const json::value& body) {
  store_.Write([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.delete_row");
    util::Validator v(body);
    auto ids = v.IntList("items");
    if (ids && ids->empty()) v.Fail("items", "Ensure this field has at least 1 elements.", "min_length");
    if (ids && ids->size() > kBatchRowsLimit) v.Fail("items", "Ensure this field has no more than 200 elements.", "max_length");
    v.Check();
    std::vector<int64_t> duplicates, missing, trashed;
    std::set<int64_t> seen;
    for (int64_t id : *ids)
      if (!seen.insert(id).second && std::find(duplicates.begin(), duplicates.end(), id) == duplicates.end())
        duplicates.push_back(id);
    if (!duplicates.empty()) {
      throw Error("ERROR_ROW_IDS_NOT_UNIQUE", fmt::format("The provided row ids {} are not unique.", IdList(duplicates)));
    }
    for (int64_t id : *ids) {
      auto flag = tx.QueryInt("SELECT trashed FROM " + schema.sql_table() + " WHERE id = ?", id);
      if (!flag) missing.push_back(id);
      else if (*flag) trashed.push_back(id);
    }
    if (!missing.empty()) RowsMissing(IdList(missing));
    if (!trashed.empty()) throw Error("ERROR_CANNOT_DELETE_ALREADY_DELETED_ITEM");
    std::string before = RowsArray(tx, schema, *ids);
    for (int64_t id : *ids) tx.Exec("UPDATE " + schema.sql_table() + " SET trashed = 1 WHERE id = ?", id);
    tx.Exec("UPDATE database_tables SET row_count = row_count - ? WHERE id = ?", static_cast<int64_t>(ids->size()),
            table_id);
    if (IndexRowsForSearch(tx, schema, *ids)) advisor_.SearchDirty(schema.id);  // they leave the index
    RecordRowsDeleted(tx, actor, schema, *ids, before);
  });
}

std::optional<std::string> RowService::Adjacent(const Actor& actor, int64_t table_id, int64_t row_id, bool previous,
                                                const std::string& search, bool names,
                                                std::optional<int64_t> view_id) {
  return store_.ReadResult([&](store::Tx& tx) -> std::optional<std::string> {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.read_row");
    types::SqlParams params;
    std::string where = "t.trashed = 0";
    std::optional<ViewQuery> view;
    if (view_id) {
      view = LoadViewQuery(tx, schema, *view_id);
      std::string filter_sql = query::CompileFilters(view->filters, params);
      if (filter_sql != types::kSqlTrue) where += " AND (" + filter_sql + ")";
    }
    std::string search_sql = query::CompileSearch(search, schema, params);
    if (search_sql != types::kSqlTrue) where += " AND " + search_sql;
    if (view && !view->order.empty()) {
      // The view's own ordering: the neighbour by position in the sorted, filtered set.
      params.push_back(row_id);
      auto bound = types::BindValues(params);
      std::string fn = previous ? "LAG" : "LEAD";
      std::string order_sql = query::CompileOrderBy(view->order);
      auto c = tx.QueryV("SELECT x.nb FROM (SELECT t.id AS id, " + fn + "(t.id) OVER (" + order_sql +
                             ") AS nb FROM " + schema.sql_table() + " t WHERE " + where + ") x WHERE x.id = ?",
                         bound);
      if (!c->Next()) RowsMissing(fmt::format("['{}']", row_id));
      if (c->IsNull(0)) return std::nullopt;
      int64_t neighbour = c->Int(0);
      c.reset();
      auto fields = AllFields(schema);
      auto rc = tx.Query(SelectSql(schema, fields) + " WHERE t.id = ?", neighbour);
      if (!rc->Next()) return std::nullopt;
      std::string out;
      util::JsonWriter w(out);
      WriteRow(*rc, fields, names, w);
      return out;
    }
    types::SqlParams own = params;
    own.push_back(row_id);
    auto bound_own = types::BindValues(own);
    auto c = tx.QueryV("SELECT t.ord FROM " + schema.sql_table() + " t WHERE " + where + " AND t.id = ?", bound_own);
    if (!c->Next()) RowsMissing(fmt::format("['{}']", row_id));
    double ord = c->Real(0);
    c.reset();
    auto fields = AllFields(schema);
    params.push_back(ord);
    params.push_back(row_id);
    std::string sql = SelectSql(schema, fields) + " WHERE " + where +
                      (previous ? " AND (t.ord, t.id) < (?, ?) ORDER BY t.ord DESC, t.id DESC"
                                : " AND (t.ord, t.id) > (?, ?) ORDER BY t.ord ASC, t.id ASC") +
                      " LIMIT 1";
    auto bound = types::BindValues(params);
    auto rc = tx.QueryV(sql, bound);
    if (!rc->Next()) return std::nullopt;
    std::string out;
    util::JsonWriter w(out);
    WriteRow(*rc, fields, names, w);
    return out;
  });
}

std::string RowService::Names(const Actor& actor, const std::vector<std::pair<int64_t, std::vector<int64_t>>>& tables) {
  return store_.ReadResult([&](store::Tx& tx) {
    std::string out;
    util::JsonWriter w(out);
    w.BeginObject();
    int64_t database = 0;
    for (const auto& [table_id, ids] : tables) {
      auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.list_rows");
      if (database == 0) database = schema.database_id;
      if (schema.database_id != database) throw Error("ERROR_TABLE_DOES_NOT_EXIST");
      w.Key(std::to_string(table_id));
      w.BeginObject();
      const Field* primary = schema.Primary();
      for (int64_t id : ids) {
        std::string sql = "SELECT t.id" + (primary ? ", " + RowType(*primary).SelectExpr(*primary) : std::string()) +
                          " FROM " + schema.sql_table() + " t WHERE t.id = ? AND t.trashed = 0";
        auto c = tx.Query(sql, id);
        if (!c->Next()) continue;
        w.Key(std::to_string(id));
        if (!primary) {
          w.String("unnamed row " + std::to_string(id));
        } else {
          w.String(RowType(*primary).CellText(*c, 1, *primary).value_or(""));
        }
      }
      w.EndObject();
    }
    w.EndObject();
    return out;
  });
}

}  // namespace gridbase::services
