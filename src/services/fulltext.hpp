#pragma once
// The full-text search mode (filters.md §6.2) over an SQLite FTS5 index per table
// (tbl_<id>_fts): one document per row holding each searchable cell's text, cells separated
// by a marker token so that a phrase never spans two cells. The index is built the first
// time a table is searched in full-text mode, then kept current by every row write; a field
// change drops it (the next full-text search rebuilds it). Until it exists, full-text
// requests use the compat search, as Baserow does when its index is not built.
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "types/field_type.hpp"
#include "types/schema.hpp"

namespace gridbase::services {

/// Builds the index of `schema` from its rows and marks it ready.
void BuildFullText(store::Tx& tx, types::TableSchema& schema);
/// Drops the index (field changes); the next full-text search rebuilds it.
void DropFullText(store::Tx& tx, int64_t table_id);
/// Re-indexes the given rows when the table's index exists.
void IndexRows(store::Tx& tx, const types::TableSchema& schema, const std::vector<int64_t>& row_ids);
/// The condition of a full-text search (with Baserow's row-id rule).
std::string FullTextSql(std::string_view search, const types::TableSchema& schema, types::SqlParams& params);

}  // namespace gridbase::services
