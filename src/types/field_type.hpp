#pragma once
// A field type: everything that varies by Baserow field type lives behind this interface
// (properties, cell validation and serialisation, column type, conversion, sort keys,
// search text, emptiness). Each type is one class registered under Baserow's type string
// in registry.cpp; adding a type means one class plus one registration line.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"
#include "types/schema.hpp"
#include "util/json_writer.hpp"
#include "util/validate.hpp"

namespace gridbase::types {

/// Conditions that always hold / never hold, spelled so both engines accept them
/// (PostgreSQL has no integer truth values).
inline constexpr const char* kSqlTrue = "1 = 1";
inline constexpr const char* kSqlFalse = "1 = 0";

/// Parameters collected while building SQL; bound in order of their `?`.
using SqlParams = std::vector<CellValue>;
std::vector<store::Value> BindValues(const SqlParams& params);
/// Appends `v` to `params` and returns "?".
std::string Param(SqlParams& params, CellValue v);

/// Why a cell value was refused.
struct CellError {
  std::string message;
  std::string code = "invalid";
  /// Baserow reports some refusals (unknown select option, read-only field) as a plain
  /// string detail for the whole request instead of a per-field entry.
  bool whole_request = false;
};

/// How a field stores dates, for date filters.
enum class DateStorage { kNone, kDateText, kDateTimeText, kMicros };

class FieldType {
 public:
  virtual ~FieldType() = default;
  virtual std::string_view type() const = 0;

  // Capabilities (fields.md §4).
  virtual bool read_only() const { return false; }
  virtual bool can_be_primary(const Field&) const { return true; }
  virtual bool sortable() const { return true; }
  virtual bool can_unique_values() const { return true; }
  virtual bool supports_unique_constraint() const { return false; }
  virtual bool supports_db_index() const { return true; }
  virtual bool has_select_options() const { return false; }
  /// Read-only types filled from a per-field sequence (autonumber).
  virtual bool uses_sequence() const { return false; }

  /// SQL column type ("TEXT", "REAL", "INTEGER"); empty for fields without a column.
  virtual std::string_view column_type() const = 0;
  /// SQL literal of the column default, or empty for NULL. Never user data.
  virtual std::string_view column_default() const { return {}; }

  /// Reads the type's properties from a create/update body into `target.props` (and
  /// `target.options`). `current` is the field before an update with the same type, else null.
  virtual void ParseProps(util::Validator& v, const Field* current, Field& target) const {}
  /// Writes the type's properties into a field object.
  virtual void WriteProps(const Field& f, boost::json::object& out) const {}
  /// Whether the properties carry a default value (refused with unique constraints).
  virtual bool has_default_value(const Field&) const { return false; }

  /// Validates an input cell. Returns the value to store, or sets `err`.
  virtual std::optional<CellValue> Prepare(const boost::json::value& in, const Field& f,
                                           CellError& err) const = 0;
  /// The value a new row gets when the key is omitted. `sequence` is the next number for
  /// types that use a sequence.
  virtual CellValue NewRowValue(const Field& f, int64_t sequence) const { return std::monostate{}; }
  /// Whether a create/update value must be written (false for `true` on password).
  virtual bool keeps_current(const boost::json::value& in) const { return false; }

  /// SQL expression of the stored value; the user table is aliased `t`.
  virtual std::string SelectExpr(const Field& f) const { return "t." + f.column(); }
  /// Writes the cell as Baserow's API does.
  virtual void WriteCell(const store::Cursor& c, int col, const Field& f, util::JsonWriter& w) const = 0;
  /// Human-readable text of a cell (conversion to text, unique values, row names).
  virtual std::optional<std::string> CellText(const store::Cursor& c, int col, const Field& f) const;
  /// The value of this field converted from a cell of `from` (fields.md §6). `text` is the
  /// source cell's CellText; the raw source cell is column `col` of `c`.
  virtual CellValue Convert(const std::optional<std::string>& text, const store::Cursor& c, int col,
                            const Field& from, const Field& to) const;

  /// SQL text of the cell for `contains` and search; nullopt when not searchable.
  virtual std::optional<std::string> TextSql(const Field& f, SqlParams& p) const {
    return std::nullopt;
  }
  /// Sort expressions for a sort type ("default", "order"); empty when not supported.
  virtual std::vector<std::string> OrderSql(const Field& f, std::string_view sort_type) const;
  /// SQL expression of the cell as a number, for comparisons and numeric sorting.
  virtual std::string NumericSql(const Field& f) const { return SelectExpr(f); }
  /// SQL condition true when the cell is empty (filters.md §5.1 `empty`).
  virtual std::string EmptySql(const Field& f) const { return SelectExpr(f) + " IS NULL"; }
  virtual DateStorage date_storage(const Field&) const { return DateStorage::kNone; }
  /// Key expression (over the bare column name) of the index that serves this field's sorts
  /// and comparisons, matching OrderSql/NumericSql; nullopt when no index helps.
  virtual std::optional<std::string> IndexExpr(const Field& f) const {
    if (column_type().empty() || !sortable()) return std::nullopt;
    return f.column();
  }
  /// Index condition (over the bare column name) true when a cell is not empty; used by
  /// the unique_with_empty constraint. A fixed expression: never user data.
  virtual std::string NonEmptySql(const std::string& column) const { return column + " IS NOT NULL"; }
};

const FieldType* FindFieldType(std::string_view type);
/// Every registered type, in Baserow's registration order.
const std::vector<const FieldType*>& AllFieldTypes();

/// The "Field of type X is read only and should not be set manually." refusal.
CellError ReadOnlyError(std::string_view type);

}  // namespace gridbase::types
