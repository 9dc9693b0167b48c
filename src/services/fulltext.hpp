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

// --- The substring search index --------------------------------------------------------
// An FTS5 trigram index per table (tbl_<id>_tri) over each row's cell texts. Compat search
// and `contains` filters use it to find candidate rows, then check the exact condition on
// those rows only. It is built in chunks on the index advisor's thread once a large table
// is searched, kept current by row writes, and dropped by field changes.

/// Builds up to `chunk` more rows of the index; returns true once the index is complete.
bool BuildSearchIndexChunk(store::Tx& tx, int64_t table_id, int64_t chunk);
void DropSearchIndex(store::Tx& tx, int64_t table_id);
/// Marks rows written since the last flush (rows the builder has not reached yet are left to
/// it). Returns true when rows were marked: the caller asks for a flush. Searches treat
/// marked rows with the exact condition, so results never lag the writes.
bool IndexRowsForSearch(store::Tx& tx, const types::TableSchema& schema, const std::vector<int64_t>& row_ids);
/// Re-indexes up to `limit` marked rows (one FTS5 segment per flush, not per write); returns
/// true when marked rows remain.
bool FlushSearchIndex(store::Tx& tx, int64_t table_id, int64_t limit);
/// The table of rows marked since the last flush.
std::string SearchDirtyTable(int64_t table_id);
/// "t.id IN (<rows with a compat-searchable cell containing `term`>)" — exactly compat
/// search's text rule, plus the row-id rule when asked; with `only`, the cell of that field.
/// nullopt when the index cannot help (not ready, a term under three characters, or a
/// non-ASCII term across all fields or holding LIKE wildcards).
/// A whole statement counting the live rows that compat search for `term` matches, answered
/// by the search index (plus an exact check of rows written since its last flush); nullopt
/// when the index cannot answer alone (not ready, short, non-ASCII or all-digit terms).
std::optional<std::string> SearchCountSql(const types::TableSchema& schema, std::string_view term,
                                          types::SqlParams& params);
std::optional<std::string> SearchCandidates(const types::TableSchema& schema, std::string_view term,
                                            bool include_id_rule, types::SqlParams& params,
                                            const types::Field* only = nullptr);

}  // namespace gridbase::services
