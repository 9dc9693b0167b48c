#pragma once
// DDL for user tables. Table and column identifiers are only ever built from numeric ids
// (tbl_<id>, field_<id>) and column types from the field types' constants: user-supplied
// names and values never reach SQL text.
#include <cstdint>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace gridbase::store {

std::string TableName(int64_t table_id);
std::string ColumnName(int64_t field_id);

/// tbl_<id>: id, ord (row order), created_on/updated_on (micros), trashed, and the index
/// that serves the default ordering of non-trashed rows.
void CreateUserTable(Tx& tx, int64_t table_id);
void AddColumn(Tx& tx, int64_t table_id, const std::string& column, std::string_view column_type,
               std::string_view default_sql);
void DropColumn(Tx& tx, int64_t table_id, const std::string& column);
void RenameColumn(Tx& tx, int64_t table_id, const std::string& from, const std::string& to);
/// A plain index on one column (a field's db_index, autonumber lookups).
void SetColumnIndex(Tx& tx, int64_t table_id, int64_t field_id, bool on);
/// The automatic index of a field (key expression from the field type, then ord, id) over
/// non-trashed rows: it serves range filters and sorts on that field.
void CreateAutoIndex(Tx& tx, int64_t table_id, int64_t field_id, const std::string& key_expr);
void DropAutoIndex(Tx& tx, int64_t table_id, int64_t field_id);
/// The unique index of the `unique_with_empty` constraint; `non_empty_sql` is the
/// field type's fixed condition. Throws StoreError(kConstraint) when duplicates exist.
void SetUniqueIndex(Tx& tx, int64_t table_id, int64_t field_id, bool on, const std::string& non_empty_sql);

}  // namespace gridbase::store
