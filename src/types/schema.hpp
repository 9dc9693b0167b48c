#pragma once
// The shape of a user table as services and field types see it: fields with their
// type-specific properties and select options.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gridbase::types {

struct SelectOption {
  int64_t id = 0;
  std::string value;
  std::string color;
};

struct Field {
  int64_t id = 0;
  int64_t table_id = 0;
  std::string name;
  std::string type;
  int64_t order = 0;
  bool primary = false;
  std::optional<std::string> description;
  bool db_index = false;
  bool unique_with_empty = false;
  boost::json::object props;  // type-specific properties, as stored
  std::vector<SelectOption> options;

  /// The SQL column of this field: only ever built from the numeric id.
  std::string column() const { return "field_" + std::to_string(id); }
  int64_t IntProp(std::string_view key, int64_t fallback) const;
  bool BoolProp(std::string_view key, bool fallback) const;
  std::string StrProp(std::string_view key, std::string_view fallback) const;
  std::optional<std::string> OptStrProp(std::string_view key) const;
  const SelectOption* FindOption(int64_t id) const;
};

struct TableSchema {
  int64_t id = 0;
  std::string name;
  int64_t order = 0;
  int64_t database_id = 0;
  int64_t workspace_id = 0;
  int64_t row_count = 0;
  bool fts_ready = false;  // the full-text index tbl_<id>_fts exists and is maintained
  int trigram_state = 0;   // substring index tbl_<id>_tri: 0 none, 1 building, 2 ready,
                           // 3 the engine's own trigram indexes on the columns (PostgreSQL)
  bool engine_postgres = false;  // loaded from a PostgreSQL store (its own search SQL)
  int64_t trigram_upto = 0;  // while building: rows with id <= this are indexed
  std::vector<Field> fields;  // primary first, then by order, id

  const Field* FindById(int64_t id) const;
  const Field* FindByName(std::string_view name) const;
  const Field* Primary() const;
  /// The user table of this schema: only ever built from the numeric id.
  std::string sql_table() const { return "tbl_" + std::to_string(id); }
};

/// A value to store, owning its text.
using CellValue = std::variant<std::monostate, int64_t, double, std::string>;

}  // namespace gridbase::types
