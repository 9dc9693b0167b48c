#pragma once
// Document counters of the BaasBox collections (baasbox.md §9.5 count, issue 10's "a count
// under 10 ms on 1,000,000 documents"): the database keeps, per collection table,
//   * ('*', 0): how many of its rows are documents (not trashed, with a bb_uuid);
//   * (U|R, principal): how many read-capable grants (perm A or R) on live documents that
//     user or role holds (`n`), and on how many documents it holds both an A and an R grant
//     (`dup`, documents it would count twice; live or not).
// Triggers maintain them, so every writer (the BaasBox surface, the Baserow rows API, the
// trash, move-store, a bulk load into the file) keeps them true: triggers on bb_acl (global,
// made by the migration) and on each collection table tbl_<id> (InstallDocCountTriggers).
// bb_acl.live mirrors whether the grant's document is live, so the bb_acl triggers never
// need to name a collection table. File grants (table id 0) are not counted.
//
// A reader for whom exactly one of its principals holds grants in the collection, and holds
// no duplicates there, reads its count as that principal's `n`; any other case scans.
#include <cstdint>

#include "store/store.hpp"

namespace gridbase::store {

/// The bb_doc_count table, bb_acl.live and the bb_acl triggers (migration 15).
void CreateDocCountSchema(Tx& tx);
/// The triggers of collection table tbl_<table_id> (it must have the bb_* columns).
void InstallDocCountTriggers(Tx& tx, int64_t table_id);
/// Recomputes bb_acl.live and the counters of collection table tbl_<table_id> from its rows.
void RebuildDocCounts(Tx& tx, int64_t table_id);

}  // namespace gridbase::store
