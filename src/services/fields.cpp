#include "services/fields.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "services/fulltext.hpp"
#include "services/outbox.hpp"
#include "services/schema.hpp"
#include "services/views.hpp"
#include "store/ddl.hpp"
#include "types/field_type.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::services {

namespace json = boost::json;
using types::Field;
using types::FieldType;

namespace field_impl {

std::vector<std::string> TypeNames() {
  std::vector<std::string> out;
  for (const auto* t : types::AllFieldTypes()) out.emplace_back(t->type());
  return out;
}

const FieldType& TypeOf(const Field& f) { return *types::FindFieldType(f.type); }

/// Reads the keys common to every field type (name, description, db_index, constraints).
void ParseCommon(util::Validator& v, bool creating, Field& spec, bool* constraints_given) {
  util::StringRule name_rule;
  name_rule.required = creating;
  name_rule.max_length = 255;
  if (auto name = v.String("name", name_rule)) spec.name = *name;
  if (v.Has("description")) {
    const auto* d = v.Raw("description");
    util::StringRule rule;
    rule.required = false;
    rule.allow_blank = true;
    rule.allow_null = true;
    rule.trim = false;
    if (d->is_null()) spec.description.reset();
    else if (auto s = v.String("description", rule)) spec.description = *s;
  }
  if (auto b = v.Bool("db_index", false)) spec.db_index = *b;
  *constraints_given = v.Has("field_constraints");
  if (*constraints_given) {
    const auto* raw = v.Raw("field_constraints");
    if (!raw->is_array()) {
      v.Fail("field_constraints",
             fmt::format("Expected a list of items but got type \"{}\".", util::Validator::PythonType(*raw)),
             "not_a_list");
      return;
    }
    spec.unique_with_empty = false;
    json::object item_errors;
    const auto& arr = raw->as_array();
    for (size_t i = 0; i < arr.size(); ++i) {
      const auto* tn = arr[i].is_object() ? arr[i].as_object().if_contains("type_name") : nullptr;
      if (!tn || !tn->is_string()) {
        item_errors[std::to_string(i)] = json::object{
            {"type_name", json::array{json::object{{"error", "This field is required."}, {"code", "required"}}}}};
        continue;
      }
      if (tn->as_string() != "unique_with_empty") {
        throw Error("ERROR_INVALID_FIELD_CONSTRAINT",
                    fmt::format("The field constraint {} is not supported by this field type.",
                                std::string_view(tn->as_string())));
      }
      spec.unique_with_empty = true;
    }
    if (!item_errors.empty()) v.SetError("field_constraints", std::move(item_errors));
  }
}

/// Checks of fields.md §1.2 rule 4–5 and §5 that depend on the final field definition.
void CheckDefinition(const Field& spec) {
  const FieldType& type = TypeOf(spec);
  if (spec.db_index && !type.supports_db_index()) {
    throw Error("ERROR_DB_INDEX_NOT_SUPPORTED",
                fmt::format("The field type {} does not support database indexes.", spec.type));
  }
  if (spec.unique_with_empty) {
    if (!type.supports_unique_constraint()) {
      throw Error("ERROR_INVALID_FIELD_CONSTRAINT",
                  fmt::format("The field constraint unique_with_empty is not supported by the field type {}.",
                              spec.type));
    }
    if (type.has_default_value(spec)) throw Error("ERROR_FIELD_CONSTRAINT_DOES_NOT_SUPPORT_DEFAULT_VALUE");
  }
  if (spec.primary && !type.can_be_primary(spec)) {
    throw Error("ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE",
                fmt::format("The field type {} is not compatible with the primary field.", spec.type));
  }
}

std::string PropsText(const Field& f) {
  json::object props = f.props;
  props.erase("_shift_minutes");
  return json::serialize(props);
}

/// Writes the options of `spec`: known ids are updated, others created, missing deleted.
/// Returns the mapping of request ids (including negative placeholders) to stored ids.
std::unordered_map<int64_t, int64_t> SyncOptions(store::Tx& tx, const Field* old, Field& spec) {
  std::unordered_map<int64_t, int64_t> mapping;
  std::vector<int64_t> keep;
  for (size_t i = 0; i < spec.options.size(); ++i) {
    auto& o = spec.options[i];
    bool existing = old && o.id > 0 && old->FindOption(o.id);
    if (existing) {
      tx.Exec("UPDATE select_options SET value = ?, color = ?, position = ? WHERE id = ?", o.value, o.color,
              static_cast<int64_t>(i), o.id);
      mapping[o.id] = o.id;
    } else {
      int64_t id = *tx.QueryInt(
          "INSERT INTO select_options (field_id, value, color, position) VALUES (?, ?, ?, ?) RETURNING id",
          spec.id, o.value, o.color, static_cast<int64_t>(i));
      if (o.id != 0) mapping[o.id] = id;
      o.id = id;
    }
    keep.push_back(o.id);
  }
  if (old) {
    for (const auto& o : old->options) {
      if (std::find(keep.begin(), keep.end(), o.id) == keep.end()) {
        tx.Exec("DELETE FROM select_options WHERE id = ?", o.id);
      }
    }
  }
  return mapping;
}

/// Remaps select defaults to stored option ids; throws when one is not an option.
void RemapDefaults(Field& spec, const std::unordered_map<int64_t, int64_t>& mapping, bool explicit_default) {
  auto resolve = [&](int64_t id) -> std::optional<int64_t> {
    auto it = mapping.find(id);
    int64_t real = it == mapping.end() ? id : it->second;
    if (spec.FindOption(real)) return real;
    return std::nullopt;
  };
  if (auto* d = spec.props.if_contains("single_select_default"); d && d->is_int64()) {
    auto r = resolve(d->as_int64());
    if (!r && explicit_default) throw Error("ERROR_SELECT_OPTION_DOES_NOT_BELONG_TO_FIELD");
    *d = r ? json::value(*r) : json::value(nullptr);
  }
  if (auto* d = spec.props.if_contains("multiple_select_default"); d && d->is_array()) {
    json::array out;
    for (const auto& x : d->as_array()) {
      if (!x.is_int64()) continue;
      auto r = resolve(x.as_int64());
      if (!r) {
        if (explicit_default) throw Error("ERROR_SELECT_OPTION_DOES_NOT_BELONG_TO_FIELD");
        continue;
      }
      out.push_back(*r);
    }
    *d = std::move(out);
  }
}

void BindExec(store::Tx& tx, const std::string& sql, const types::SqlParams& params) {
  auto bound = types::BindValues(params);
  tx.ExecV(sql, bound);
}

/// Numbers every row of the table 1..n by (trashed, ord, id) into `column` (autonumber).
void NumberRows(store::Tx& tx, const std::string& table, const std::string& column) {
  std::vector<int64_t> ids;
  {
    auto c = tx.Query("SELECT id FROM " + table + " ORDER BY trashed, ord, id");
    while (c->Next()) ids.push_back(c->Int(0));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    tx.Exec("UPDATE " + table + " SET " + column + " = ? WHERE id = ?", static_cast<int64_t>(i + 1), ids[i]);
  }
}

/// Fills `column` of every existing row with the value a new row would get.
void FillNewColumn(store::Tx& tx, const types::TableSchema& schema, const Field& f, const std::string& column) {
  const FieldType& type = TypeOf(f);
  std::string table = schema.sql_table();
  if (type.uses_sequence()) return NumberRows(tx, table, column);
  if (f.type == "uuid") {
    std::vector<int64_t> ids;
    {
      auto c = tx.Query("SELECT id FROM " + table);
      while (c->Next()) ids.push_back(c->Int(0));
    }
    for (int64_t id : ids) {
      types::SqlParams p{type.NewRowValue(f, 0), id};
      BindExec(tx, "UPDATE " + table + " SET " + column + " = ? WHERE id = ?", p);
    }
    return;
  }
  types::CellValue v = type.NewRowValue(f, 0);
  if (std::holds_alternative<std::monostate>(v)) return;
  BindExec(tx, "UPDATE " + table + " SET " + column + " = ?", types::SqlParams{v});
}

void ApplyIndexes(store::Tx& tx, const types::TableSchema& schema, const Field& f) {
  const FieldType& type = TypeOf(f);
  if (type.column_type().empty()) return;
  store::SetColumnIndex(tx, schema.id, f.id, f.db_index || type.uses_sequence());
  try {
    store::SetUniqueIndex(tx, schema.id, f.id, f.unique_with_empty, type.NonEmptySql(f.column()));
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreErrorKind::kConstraint) {
      throw Error("ERROR_FIELD_CONSTRAINT",
                  "The field constraint cannot be applied because the field has duplicate values.");
    }
    throw;
  }
}

void DropIndexes(store::Tx& tx, const types::TableSchema& schema, const Field& f) {
  store::SetColumnIndex(tx, schema.id, f.id, false);
  store::DropAutoIndex(tx, schema.id, f.id);
  store::SetUniqueIndex(tx, schema.id, f.id, false, "");
}

/// Converts the cells of `old` into `spec` (fields.md §6) through a temporary column.
void ConvertColumn(store::Tx& tx, const types::TableSchema& schema, const Field& old, const Field& spec) {
  const FieldType& from = TypeOf(old);
  const FieldType& to = TypeOf(spec);
  std::string table = schema.sql_table();
  bool old_has_column = !from.column_type().empty();
  bool new_has_column = !to.column_type().empty();
  DropIndexes(tx, schema, old);
  if (new_has_column) {
    std::string tmp = spec.column() + "_new";
    store::AddColumn(tx, schema.id, tmp, to.column_type(), to.column_default());
    if (to.uses_sequence()) {
      NumberRows(tx, table, tmp);
    } else {
      std::vector<std::pair<int64_t, types::CellValue>> values;
      {
        auto c = tx.Query("SELECT t.id, " + from.SelectExpr(old) + " FROM " + table + " t");
        while (c->Next()) {
          auto text = from.CellText(*c, 1, old);
          values.emplace_back(c->Int(0), to.Convert(text, *c, 1, old, spec));
        }
      }
      for (auto& [id, v] : values) {
        if (std::holds_alternative<std::monostate>(v)) continue;
        BindExec(tx, "UPDATE " + table + " SET " + tmp + " = ? WHERE id = ?", types::SqlParams{v, id});
      }
    }
    if (old_has_column) store::DropColumn(tx, schema.id, old.column());
    store::RenameColumn(tx, schema.id, tmp, spec.column());
  } else if (old_has_column) {
    store::DropColumn(tx, schema.id, old.column());
  }
}

/// Shifts every date-time value of a field by `minutes` (date_force_timezone_offset).
void ShiftDateTimes(store::Tx& tx, const types::TableSchema& schema, const Field& f, int64_t minutes) {
  std::string table = schema.sql_table();
  std::vector<std::pair<int64_t, std::string>> values;
  {
    auto c = tx.Query("SELECT id, " + f.column() + " FROM " + table + " WHERE " + f.column() + " IS NOT NULL");
    while (c->Next()) {
      auto micros = util::ParseStoredDateTime(c->Text(1));
      if (micros) values.emplace_back(c->Int(0), util::StoredDateTime(*micros + minutes * 60 * 1000000));
    }
  }
  for (auto& [id, v] : values) tx.Exec("UPDATE " + table + " SET " + f.column() + " = ? WHERE id = ?", v, id);
}

}  // namespace field_impl

using namespace field_impl;

void FieldService::CheckName(const types::TableSchema& schema, const std::string& name, int64_t except_field_id) {
  if (util::Trim(name).empty()) throw Error("ERROR_INVALID_BASEROW_FIELD_NAME");
  if (name.size() > 255) {
    throw Error("ERROR_MAX_FIELD_NAME_LENGTH_EXCEEDED", "You cannot set a field name longer than 255 characters.");
  }
  if (name == "id" || name == "order") throw Error("ERROR_RESERVED_BASEROW_FIELD_NAME");
  for (const auto& f : schema.fields) {
    if (f.id != except_field_id && f.name == name) throw Error("ERROR_FIELD_WITH_SAME_NAME_ALREADY_EXISTS");
  }
}

Field FieldService::CreateInTx(store::Tx& tx, types::TableSchema& schema, Field spec) {
  CheckName(schema, spec.name, 0);
  if (static_cast<int64_t>(schema.fields.size()) + 1 > kMaxFieldsPerTable) throw Error("ERROR_MAX_FIELD_COUNT_EXCEEDED");
  CheckDefinition(spec);
  const FieldType& type = TypeOf(spec);
  spec.table_id = schema.id;
  spec.order = tx.QueryInt("SELECT COALESCE(MAX(position), -1) + 1 FROM fields WHERE table_id = ?", schema.id)
                   .value_or(0);
  spec.id = *tx.QueryInt(
      "INSERT INTO fields (table_id, name, type, position, is_primary, description, db_index, "
      "unique_with_empty, props, created_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      schema.id, spec.name, spec.type, spec.order, spec.primary, spec.description, spec.db_index,
      spec.unique_with_empty, PropsText(spec), util::NowMicros());
  if (type.has_select_options()) {
    auto mapping = SyncOptions(tx, nullptr, spec);
    RemapDefaults(spec, mapping, /*explicit_default=*/true);
    tx.Exec("UPDATE fields SET props = ? WHERE id = ?", PropsText(spec), spec.id);
  } else {
    spec.options.clear();
  }
  if (!type.column_type().empty()) {
    store::AddColumn(tx, schema.id, spec.column(), type.column_type(), type.column_default());
    FillNewColumn(tx, schema, spec, spec.column());
    ApplyIndexes(tx, schema, spec);
  }
  schema.fields.push_back(spec);
  if (schema.fts_ready) {
    DropFullText(tx, schema.id);
    schema.fts_ready = false;
  }
  if (schema.trigram_state != 0) {
    DropSearchIndex(tx, schema.id);
    schema.trigram_state = 0;
  }
  return spec;
}

/// Records a field event for the table page and its webhooks (realtime.md §5.4).
void RecordFieldEvent(store::Tx& tx, const Actor& actor, const types::TableSchema& schema, const char* type,
                      json::object body) {
  json::object message{{"type", type}};
  for (auto& [k, v] : body) message[k] = std::move(v);
  OutboxEvent e;
  e.type = type;
  e.workspace_id = schema.workspace_id;
  e.table_id = schema.id;
  e.message = json::serialize(message);
  e.extra = json::serialize(json::object{{"database_id", schema.database_id}});
  e.webhooks = true;
  RecordEvent(tx, actor, e);
}

json::array FieldService::List(const Actor& actor, int64_t table_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.list_fields");
    json::array out;
    for (const auto& f : schema.fields) out.push_back(FieldJson(f, schema));
    return out;
  });
}

json::object FieldService::Create(const Actor& actor, int64_t table_id, const json::value& body) {
  // A database token is refused before its body is looked at (tokens.md §4.2).
  if (actor.token) {
    store_.Read([&](store::Tx& tx) { LoadSchemaFor(tx, actor, table_id, "database.table.create_field"); });
  }
  util::Validator v(body);
  Field spec;
  auto type_name = v.Choice("type", TypeNames());
  bool constraints_given = false;
  ParseCommon(v, /*creating=*/true, spec, &constraints_given);
  if (type_name) {
    spec.type = *type_name;
    types::FindFieldType(*type_name)->ParseProps(v, nullptr, spec);
  }
  v.Check();
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.create_field");
    Field created = CreateInTx(tx, schema, spec);
    json::object out = FieldJson(created, schema);
    RecordFieldEvent(tx, actor, schema, "field_created", {{"field", out}, {"related_fields", json::array{}}});
    out["related_fields"] = json::array{};
    return out;
  });
}

json::object FieldService::Get(const Actor& actor, int64_t field_id) {
  return store_.ReadResult([&](store::Tx& tx) {
    int64_t table_id = TableOfField(tx, field_id);
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.field.read");
    return FieldJson(*schema.FindById(field_id), schema);
  });
}

json::object FieldService::Update(const Actor& actor, int64_t field_id, const json::value& body) {
  return store_.WriteResult([&](store::Tx& tx) {
    int64_t table_id = TableOfField(tx, field_id);
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.field.update");
    const Field old = *schema.FindById(field_id);
    util::Validator v(body);
    Field spec = old;
    auto type_name = v.Has("type") ? v.Choice("type", TypeNames()) : std::optional<std::string>(old.type);
    bool constraints_given = false;
    ParseCommon(v, /*creating=*/false, spec, &constraints_given);
    if (type_name) {
      spec.type = *type_name;
      spec.props = json::object{};
      types::FindFieldType(spec.type)->ParseProps(v, &old, spec);
    }
    v.Check();
    const FieldType& new_type = TypeOf(spec);
    if (!new_type.has_select_options()) spec.options.clear();
    if (spec.name != old.name) CheckName(schema, spec.name, field_id);
    CheckDefinition(spec);

    bool explicit_default = v.Has("single_select_default") || v.Has("multiple_select_default");
    if (new_type.has_select_options()) {
      auto mapping = SyncOptions(tx, &old, spec);
      RemapDefaults(spec, mapping, explicit_default);
    } else if (!old.options.empty()) {
      tx.Exec("DELETE FROM select_options WHERE field_id = ?", field_id);
    }
    std::optional<int64_t> shift;
    if (auto* s = spec.props.if_contains("_shift_minutes"); s && s->is_int64()) shift = s->as_int64();

    bool type_changed = spec.type != old.type;
    json::object old_props = old.props, new_props = spec.props;
    new_props.erase("_shift_minutes");
    bool options_changed = old.options.size() != spec.options.size();
    for (size_t i = 0; !options_changed && i < old.options.size(); ++i) {
      options_changed = old.options[i].id != spec.options[i].id;
    }
    if (type_changed || old_props != new_props || options_changed) {
      ConvertColumn(tx, schema, old, spec);
    } else {
      DropIndexes(tx, schema, old);
    }
    if (shift) ShiftDateTimes(tx, schema, spec, *shift);
    if (type_changed || old_props != new_props) ViewService::DropIncompatible(tx, spec);
    tx.Exec("UPDATE fields SET name = ?, type = ?, description = ?, db_index = ?, unique_with_empty = ?, "
            "props = ? WHERE id = ?",
            spec.name, spec.type, spec.description, spec.db_index, spec.unique_with_empty, PropsText(spec),
            field_id);
    spec.props.erase("_shift_minutes");
    ApplyIndexes(tx, schema, spec);
    if (schema.fts_ready) DropFullText(tx, schema.id);
    if (schema.trigram_state != 0) DropSearchIndex(tx, schema.id);
    json::object out = FieldJson(spec, schema);
    RecordFieldEvent(tx, actor, schema, "field_updated",
                     {{"field_id", field_id}, {"field", out}, {"related_fields", json::array{}}});
    out["related_fields"] = json::array{};
    return out;
  });
}

json::object FieldService::Delete(const Actor& actor, int64_t field_id) {
  return store_.WriteResult([&](store::Tx& tx) {
    int64_t table_id = TableOfField(tx, field_id);
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.field.delete");
    const Field& f = *schema.FindById(field_id);
    if (f.primary) throw Error("ERROR_CANNOT_DELETE_PRIMARY_FIELD");
    // Trashed: the column stays for a restore, but its constraints no longer apply.
    DropIndexes(tx, schema, f);
    tx.Exec("UPDATE fields SET trashed = 1 WHERE id = ?", field_id);
    if (schema.fts_ready) DropFullText(tx, schema.id);
    if (schema.trigram_state != 0) DropSearchIndex(tx, schema.id);
    RecordFieldEvent(tx, actor, schema, "field_deleted",
                     {{"table_id", table_id}, {"field_id", field_id}, {"related_fields", json::array{}}});
    return json::object{{"related_fields", json::array{}}};
  });
}

json::object FieldService::UniqueRowValues(const Actor& actor, int64_t field_id, int64_t limit, bool split) {
  if (limit <= 0 || limit > 100) limit = 100;
  return store_.ReadResult([&](store::Tx& tx) {
    int64_t table_id = TableOfField(tx, field_id);
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.field.read");
    const Field& f = *schema.FindById(field_id);
    const FieldType& type = TypeOf(f);
    if (!type.can_unique_values()) throw Error("ERROR_INCOMPATIBLE_FIELD_TYPE_FOR_UNIQUE_VALUES");
    std::string expr = type.SelectExpr(f);
    auto c = tx.Query("SELECT " + expr + ", COUNT(*) AS n FROM " + schema.sql_table() +
                      " t WHERE t.trashed = 0 AND " + expr + " IS NOT NULL GROUP BY " + expr +
                      " ORDER BY n DESC, " + expr);
    std::vector<std::pair<std::string, int64_t>> counted;
    std::map<std::string, size_t> index;
    auto add = [&](std::string text, int64_t n) {
      if (text.empty()) return;
      auto it = index.find(text);
      if (it == index.end()) {
        index[text] = counted.size();
        counted.emplace_back(std::move(text), n);
      } else {
        counted[it->second].second += n;
      }
    };
    while (c->Next()) {
      auto text = type.CellText(*c, 0, f);
      if (!text) continue;
      if (split) {
        std::string cur;
        bool quoted = false;
        for (char ch : *text) {
          if (ch == '"') quoted = !quoted;
          else if (ch == ',' && !quoted) {
            add(std::string(util::Trim(cur)), c->Int(1));
            cur.clear();
          } else cur += ch;
        }
        add(std::string(util::Trim(cur)), c->Int(1));
      } else {
        add(*text, c->Int(1));
      }
    }
    std::stable_sort(counted.begin(), counted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    json::array values;
    for (size_t i = 0; i < counted.size() && static_cast<int64_t>(i) < limit; ++i) {
      values.push_back(json::string(counted[i].first));
    }
    return json::object{{"values", std::move(values)}};
  });
}

json::object FieldService::ChangePrimary(const Actor& actor, int64_t table_id, const json::value& body) {
  util::Validator v(body);
  auto new_id = v.Int("new_primary_field_id", true);
  v.Check();
  return store_.WriteResult([&](store::Tx& tx) {
    auto schema = LoadSchemaFor(tx, actor, table_id, "database.table.field.update");
    auto field_table = tx.QueryInt("SELECT table_id FROM fields WHERE id = ? AND trashed = 0", *new_id);
    if (!field_table) throw Error("ERROR_FIELD_DOES_NOT_EXIST");
    if (*field_table != table_id) throw Error("ERROR_FIELD_NOT_IN_TABLE");
    Field target = *schema.FindById(*new_id);
    if (target.primary) throw Error("ERROR_FIELD_IS_ALREADY_PRIMARY");
    if (!TypeOf(target).can_be_primary(target)) {
      throw Error("ERROR_INCOMPATIBLE_PRIMARY_FIELD_TYPE",
                  fmt::format("The field type {} is not compatible with the primary field.", target.type));
    }
    const Field* old = schema.Primary();
    if (!old) throw Error("ERROR_TABLE_HAS_NO_PRIMARY_FIELD");
    Field old_copy = *old;
    tx.Exec("UPDATE fields SET is_primary = 0 WHERE id = ?", old_copy.id);
    tx.Exec("UPDATE fields SET is_primary = 1 WHERE id = ?", target.id);
    old_copy.primary = false;
    target.primary = true;
    json::object out = FieldJson(target, schema);
    out["related_fields"] = json::array{FieldJson(old_copy, schema)};
    RecordFieldEvent(tx, actor, schema, "field_updated",
                     {{"field_id", target.id}, {"field", FieldJson(target, schema)}, {"related_fields", out["related_fields"]}});
    return out;
  });
}

}  // namespace gridbase::services
