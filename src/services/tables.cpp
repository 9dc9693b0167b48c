#include "services/tables.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <set>

#include "services/applications.hpp"
#include "services/fields.hpp"
#include "services/outbox.hpp"
#include "services/permissions.hpp"
#include "services/views.hpp"
#include "store/ddl.hpp"
#include "types/field_type.hpp"
#include "util/crypto.hpp"
#include "util/error.hpp"
#include "util/json_writer.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace gridbase::services {

namespace json = boost::json;
using types::Field;

namespace table_impl {

/// A JSON cell printed the way Python's str() prints the decoded value.
std::optional<std::string> PythonStr(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return std::string(v.as_string());
    case json::kind::int64: return std::to_string(v.as_int64());
    case json::kind::uint64: return std::to_string(v.as_uint64());
    case json::kind::double_: return util::PythonFloatRepr(v.as_double());
    case json::kind::bool_: return std::string(v.as_bool() ? "True" : "False");
    case json::kind::null: return std::string("None");
    default: return json::serialize(v);
  }
}

Field MakeField(std::string name, std::string type, bool primary, json::object props = {}) {
  Field f;
  f.name = std::move(name);
  f.type = std::move(type);
  f.primary = primary;
  f.props = std::move(props);
  return f;
}

/// Default properties of a type, as a create request without type keys would give them.
json::object DefaultProps(const std::string& type_name) {
  Field f;
  f.type = type_name;
  json::value empty = json::object{};
  util::Validator v(empty);
  types::FindFieldType(type_name)->ParseProps(v, nullptr, f);
  return f.props;
}

int64_t NewTableRow(store::Tx& tx, int64_t database_id, const std::string& name) {
  int64_t position = tx.QueryInt("SELECT COALESCE(MAX(position), 0) + 1 FROM database_tables WHERE database_id = ?",
                                 database_id)
                         .value_or(1);
  int64_t id = *tx.QueryInt(
      "INSERT INTO database_tables (database_id, name, position, created_on) VALUES (?, ?, ?, ?) RETURNING id",
      database_id, name, position, util::NowMicros());
  store::CreateUserTable(tx, id);
  return id;
}

/// Inserts rows of already-prepared values for `fields`, in order, with orders 1..n.
void InsertRows(store::Tx& tx, const types::TableSchema& schema, const std::vector<const Field*>& fields,
                const std::vector<std::vector<types::CellValue>>& rows) {
  if (rows.empty()) return;
  std::string sql = "INSERT INTO " + schema.sql_table() + " (ord, created_on, updated_on";
  for (const auto* f : fields) sql += ", " + f->column();
  sql += ") VALUES (?, ?, ?";
  for (size_t i = 0; i < fields.size(); ++i) sql += ", ?";
  sql += ")";
  int64_t now = util::NowMicros();
  for (size_t r = 0; r < rows.size(); ++r) {
    types::SqlParams p{static_cast<double>(r + 1), now, now};
    for (const auto& v : rows[r]) p.push_back(v);
    auto bound = types::BindValues(p);
    tx.ExecV(sql, bound);
  }
  tx.Exec("UPDATE database_tables SET row_count = row_count + ? WHERE id = ?", static_cast<int64_t>(rows.size()),
          schema.id);
}

/// Builds a table from fields and rows of JSON cell values, validated by the field types.
int64_t BuildTable(store::Tx& tx, int64_t database_id, const std::string& name, std::vector<Field> specs,
                   const std::vector<std::vector<json::value>>& rows) {
  int64_t table_id = NewTableRow(tx, database_id, name);
  ViewService::CreateDefaultView(tx, table_id, std::nullopt);
  auto schema = LoadSchema(tx, table_id);
  std::vector<const Field*> fields;
  for (auto& spec : specs) {
    json::object props = DefaultProps(spec.type);
    for (auto& [k, v] : spec.props) props[k] = v;
    spec.props = std::move(props);
    FieldService::CreateInTx(tx, schema, spec);
  }
  for (const auto& f : schema.fields) fields.push_back(&f);
  std::vector<std::vector<types::CellValue>> values;
  for (const auto& row : rows) {
    std::vector<types::CellValue> out;
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto* type = types::FindFieldType(fields[i]->type);
      types::CellError err;
      std::optional<types::CellValue> v;
      if (i < row.size()) v = type->Prepare(row[i], *fields[i], err);
      out.push_back(v ? *v : type->NewRowValue(*fields[i], 0));
    }
    values.push_back(std::move(out));
  }
  InsertRows(tx, schema, fields, values);
  return table_id;
}

}  // namespace table_impl

using namespace table_impl;

int64_t TableService::CreateInTx(store::Tx& tx, int64_t database_id, const std::string& name,
                                 const std::optional<json::array>& data, bool first_row_header) {
  if (!data) {
    std::vector<Field> specs = {MakeField("Name", "text", true), MakeField("Notes", "long_text", false),
                                MakeField("Active", "boolean", false)};
    std::vector<std::vector<json::value>> rows(2, {json::string(""), json::string(""), false});
    return BuildTable(tx, database_id, name, std::move(specs), rows);
  }
  std::vector<std::vector<std::optional<std::string>>> cells;
  size_t columns = 0;
  for (const auto& row : *data) {
    std::vector<std::optional<std::string>> out;
    for (const auto& cell : row.as_array()) out.push_back(PythonStr(cell));
    columns = std::max(columns, out.size());
    cells.push_back(std::move(out));
  }
  if (columns == 0) throw Error("ERROR_INVALID_INITIAL_TABLE_DATA");
  if (static_cast<int64_t>(columns) > kMaxFieldsPerTable) throw Error("ERROR_MAX_FIELD_COUNT_EXCEEDED");
  std::vector<std::string> names;
  if (first_row_header) {
    auto header = cells.front();
    cells.erase(cells.begin());
    for (size_t i = 0; i < columns; ++i) {
      names.push_back(i < header.size() && header[i] ? std::string(util::Trim(*header[i]))
                                                      : fmt::format("Field {}", i + 1));
    }
  } else {
    for (size_t i = 0; i < columns; ++i) names.push_back(fmt::format("Field {}", i + 1));
  }
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (n.size() > 255) {
      throw Error("ERROR_MAX_FIELD_NAME_LENGTH_EXCEEDED", "You cannot set a field name longer than 255 characters.");
    }
    if (n.empty()) throw Error("ERROR_INVALID_BASEROW_FIELD_NAME");
    if (n == "id" || n == "order") throw Error("ERROR_RESERVED_BASEROW_FIELD_NAME");
    if (!seen.insert(n).second) throw Error("ERROR_INITIAL_TABLE_DATA_HAS_DUPLICATE_NAMES");
  }
  std::vector<Field> specs;
  for (size_t i = 0; i < columns; ++i) specs.push_back(MakeField(names[i], "text", i == 0));
  std::vector<std::vector<json::value>> rows;
  for (const auto& row : cells) {
    std::vector<json::value> out;
    for (size_t i = 0; i < columns; ++i) {
      if (i < row.size() && row[i]) out.push_back(json::string(*row[i]));
      else out.push_back(nullptr);
    }
    rows.push_back(std::move(out));
  }
  return BuildTable(tx, database_id, name, std::move(specs), rows);
}

void TableService::FillExampleDatabase(store::Tx& tx, int64_t database_id) {
  const char* lorem =
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Fusce dignissim, urna eget rutrum "
      "sollicitudin, sapien diam interdum nisi, quis malesuada nibh eros a est.";
  std::vector<Field> customers = {MakeField("Name", "text", true), MakeField("Last name", "text", false),
                                  MakeField("Notes", "long_text", false), MakeField("Active", "boolean", false)};
  std::vector<std::vector<json::value>> customer_rows = {
      {json::string("Ada"), json::string("Lovelace"), json::string(""), true},
      {json::string("Alan"), json::string("Turing"), json::string(lorem), false},
      {json::string("Grace"), json::string("Hopper"), json::string(""), true},
      {json::string("John"), json::string("Von Neumann"), json::string(""), true},
      {json::string("Blaise"), json::string("Pascal"), json::string(""), true}};
  BuildTable(tx, database_id, "Customers", std::move(customers), customer_rows);
  std::vector<Field> projects = {MakeField("Name", "text", true), MakeField("Started", "date", false),
                                 MakeField("Active", "boolean", false)};
  std::vector<std::vector<json::value>> project_rows = {
      {json::string("Calculator"), json::string("1642-01-01"), false},
      {json::string("Turing machine"), json::string("1936-06-01"), true},
      {json::string("Computer architecture"), json::string("1945-01-01"), false},
      {json::string("Cellular Automata"), json::string("1952-06-01"), false}};
  BuildTable(tx, database_id, "Projects", std::move(projects), project_rows);
}

namespace {

/// A table message for every member of the workspace (realtime.md §5.2).
void RecordTableEvent(store::Tx& tx, const Actor& actor, int64_t workspace_id, std::optional<int64_t> table_id,
                      const char* type, json::object body) {
  json::object message{{"type", type}};
  for (auto& [k, v] : body) message[k] = std::move(v);
  OutboxEvent e;
  e.type = type;
  e.workspace_id = workspace_id;
  e.table_id = table_id;
  e.recipients = WorkspaceMemberIds(tx, workspace_id);
  e.message = json::serialize(message);
  RecordEvent(tx, actor, e);
}

}  // namespace

json::array TableService::List(const Actor& actor, int64_t database_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto db = RequireDatabase(tx, database_id);
    CheckWorkspacePermission(tx, actor, db.workspace_id, "database.list_tables");
    json::array out;
    auto c = tx.Query("SELECT id, name, position FROM database_tables WHERE database_id = ? AND trashed = 0 "
                      "ORDER BY position, id",
                      database_id);
    while (c->Next()) {
      out.push_back(json::object{{"id", c->Int(0)},
                                 {"name", c->String(1)},
                                 {"order", c->Int(2)},
                                 {"database_id", database_id},
                                 {"data_sync", nullptr}});
    }
    return out;
  });
}

json::object TableService::Create(const Actor& actor, int64_t database_id, const std::string& name,
                                  const std::optional<json::array>& data, bool first_row_header) {
  if (data && data->size() > kInitialSyncTableDataLimit) {
    throw Error("ERROR_INITIAL_SYNC_TABLE_DATA_LIMIT_EXCEEDED",
                "The initial table data limit for synchronous table creation has been exceeded. You can "
                "provide a maximum of 5000 rows.Please use asynchronous alternative for more rows.");
  }
  return store_.WriteResult([&](store::Tx& tx) {
    auto db = RequireDatabase(tx, database_id);
    CheckWorkspacePermission(tx, actor, db.workspace_id, "database.create_table");
    int64_t id = CreateInTx(tx, database_id, name, data, first_row_header);
    json::object table = TableObjectJson(LoadSchema(tx, id));
    RecordTableEvent(tx, actor, db.workspace_id, id, "table_created", {{"table", table}});
    return table;
  });
}

json::object TableService::Get(const Actor& actor, int64_t table_id) {
  return store_.ReadResult(
      [&](store::Tx& tx) { return TableObjectJson(LoadSchemaFor(tx, actor, table_id, "database.table.read")); });
}

json::object TableService::Update(const Actor& actor, int64_t table_id, const std::string& name) {
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.update");
    tx.Exec("UPDATE database_tables SET name = ? WHERE id = ?", name, table_id);
    json::object table = TableObjectJson(LoadSchema(tx, table_id));
    RecordTableEvent(tx, actor, schema.workspace_id, table_id, "table_updated",
                     {{"table_id", table_id}, {"table", table}, {"force_table_refresh", false}});
    return table;
  });
}

void TableService::Delete(const Actor& actor, int64_t table_id) {
  store_.Write([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.delete");
    tx.Exec("UPDATE database_tables SET trashed = 1 WHERE id = ?", table_id);
    RecordTableEvent(tx, actor, schema.workspace_id, table_id, "table_deleted",
                     {{"database_id", schema.database_id}, {"table_id", table_id}});
  });
}

void TableService::Order(const Actor& actor, int64_t database_id, const std::vector<int64_t>& table_ids) {
  store_.Write([&](store::Tx& tx) {
    auto db = RequireDatabase(tx, database_id);
    CheckWorkspacePermission(tx, actor, db.workspace_id, "database.order_tables");
    std::vector<int64_t> current;
    {
      auto c = tx.Query("SELECT id FROM database_tables WHERE database_id = ? AND trashed = 0 ORDER BY position, id",
                        database_id);
      while (c->Next()) current.push_back(c->Int(0));
    }
    for (int64_t id : table_ids) {
      if (std::find(current.begin(), current.end(), id) == current.end()) {
        throw Error("ERROR_TABLE_NOT_IN_DATABASE",
                    fmt::format("The table id {} does not belong to the database.", id));
      }
    }
    auto ordered = PartialReorder(current, table_ids);
    json::array hashed;
    for (size_t i = 0; i < ordered.size(); ++i) {
      tx.Exec("UPDATE database_tables SET position = ? WHERE id = ?", static_cast<int64_t>(i + 1), ordered[i]);
      hashed.push_back(json::string(util::Sha256Hex(std::to_string(ordered[i]))));
    }
    RecordTableEvent(tx, actor, db.workspace_id, std::nullopt, "tables_reordered",
                     {{"database_id", database_id}, {"order", std::move(hashed)}});
  });
}

}  // namespace gridbase::services
