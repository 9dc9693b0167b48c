#include "services/schema.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "services/permissions.hpp"
#include "services/tokens.hpp"
#include "types/field_type.hpp"
#include "util/error.hpp"

namespace gridbase::services {

namespace json = boost::json;

DatabaseRef RequireDatabase(store::Tx& tx, int64_t database_id) {
  auto c = tx.Query(
      "SELECT a.id, a.workspace_id FROM applications a JOIN workspaces w ON w.id = a.workspace_id "
      "WHERE a.id = ? AND a.type = 'database' AND a.trashed = 0 AND w.trashed = 0",
      database_id);
  if (!c->Next()) throw Error("ERROR_APPLICATION_DOES_NOT_EXIST");
  return DatabaseRef{c->Int(0), c->Int(1)};
}

types::TableSchema LoadSchema(store::Tx& tx, int64_t table_id) {
  types::TableSchema s;
  {
    auto c = tx.Query(
        "SELECT t.id, t.name, t.position, t.database_id, a.workspace_id, t.row_count, t.fts_ready, "
        "t.trigram_state, t.trigram_upto "
        "FROM database_tables t JOIN applications a ON a.id = t.database_id "
        "JOIN workspaces w ON w.id = a.workspace_id "
        "WHERE t.id = ? AND t.trashed = 0 AND a.trashed = 0 AND w.trashed = 0",
        table_id);
    if (!c->Next()) throw Error("ERROR_TABLE_DOES_NOT_EXIST");
    s.id = c->Int(0);
    s.name = c->String(1);
    s.order = c->Int(2);
    s.database_id = c->Int(3);
    s.workspace_id = c->Int(4);
    s.row_count = c->Int(5);
    s.fts_ready = c->Bool(6);
    s.trigram_state = static_cast<int>(c->Int(7));
    s.engine_postgres = tx.dialect().postgres();
    s.trigram_upto = c->Int(8);
  }
  {
    auto c = tx.Query(
        "SELECT id, name, type, position, is_primary, description, db_index, unique_with_empty, props "
        "FROM fields WHERE table_id = ? AND trashed = 0 ORDER BY is_primary DESC, position, id",
        table_id);
    while (c->Next()) {
      types::Field f;
      f.id = c->Int(0);
      f.table_id = table_id;
      f.name = c->String(1);
      f.type = c->String(2);
      f.order = c->Int(3);
      f.primary = c->Bool(4);
      if (!c->IsNull(5)) f.description = c->String(5);
      f.db_index = c->Bool(6);
      f.unique_with_empty = c->Bool(7);
      boost::system::error_code ec;
      auto props = json::parse(c->Text(8), ec);
      if (!ec && props.is_object()) f.props = std::move(props.as_object());
      if (!types::FindFieldType(f.type)) continue;  // a type this build does not know
      s.fields.push_back(std::move(f));
    }
  }
  {
    auto c = tx.Query(
        "SELECT o.id, o.field_id, o.value, o.color FROM select_options o JOIN fields f ON f.id = o.field_id "
        "WHERE f.table_id = ? AND f.trashed = 0 ORDER BY o.position, o.id",
        table_id);
    while (c->Next()) {
      int64_t field_id = c->Int(1);
      for (auto& f : s.fields) {
        if (f.id == field_id) {
          f.options.push_back(types::SelectOption{c->Int(0), c->String(2), c->String(3)});
          break;
        }
      }
    }
  }
  return s;
}

int64_t TableOfField(store::Tx& tx, int64_t field_id) {
  auto table = tx.QueryInt("SELECT table_id FROM fields WHERE id = ? AND trashed = 0", field_id);
  if (!table) throw Error("ERROR_FIELD_DOES_NOT_EXIST");
  try {
    LoadSchema(tx, *table);
  } catch (const Error&) {
    throw Error("ERROR_FIELD_DOES_NOT_EXIST");
  }
  return *table;
}

types::TableSchema LoadSchemaFor(store::Tx& tx, const Actor& actor, int64_t table_id,
                                 std::string_view operation) {
  auto schema = LoadSchema(tx, table_id);
  CheckWorkspacePermission(tx, actor, schema.workspace_id, operation);
  if (actor.token) CheckTokenTablePermission(*actor.token, schema, operation);
  return schema;
}

void CheckTokenTablePermission(const TokenActor& token, const types::TableSchema& schema,
                               std::string_view operation) {
  auto allows = [&](std::string_view op) {
    return token.workspace_id == schema.workspace_id && TokenAllows(token, op, schema.database_id, schema.id);
  };
  bool ok = false;
  if (operation == "database.table.list_rows" || operation == "database.table.read_row") ok = allows("read");
  else if (operation == "database.table.create_row") ok = allows("create");
  else if (operation == "database.table.update_row" || operation == "database.table.move_row") ok = allows("update");
  else if (operation == "database.table.delete_row") ok = allows("delete");
  else if (operation == "database.table.list_fields") ok = allows("read") || allows("create") || allows("update");
  if (!ok) throw Error("ERROR_NO_PERMISSION_TO_TABLE");
}

json::object FieldJson(const types::Field& f, const types::TableSchema& schema) {
  const auto* type = types::FindFieldType(f.type);
  json::object out{{"id", f.id},
                   {"table_id", f.table_id},
                   {"name", f.name},
                   {"order", f.order},
                   {"type", f.type},
                   {"primary", f.primary},
                   {"read_only", type->read_only()},
                   {"immutable_type", false},
                   {"immutable_properties", false},
                   {"description", f.description ? json::value(*f.description) : json::value(nullptr)},
                   {"database_id", schema.database_id},
                   {"workspace_id", schema.workspace_id},
                   {"db_index", f.db_index},
                   {"field_constraints", f.unique_with_empty
                                             ? json::array{json::object{{"type_name", "unique_with_empty"}}}
                                             : json::array{}}};
  type->WriteProps(f, out);
  return out;
}

json::object TableObjectJson(const types::TableSchema& schema) {
  return json::object{{"id", schema.id},
                      {"name", schema.name},
                      {"order", schema.order},
                      {"database_id", schema.database_id},
                      {"data_sync", nullptr}};
}

}  // namespace gridbase::services
