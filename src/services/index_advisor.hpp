#pragma once
// Indexes that follow use: when a query on a large table filters or sorts on a field, the
// advisor creates that field's index (tbl_<id>_field_<id>_auto) on a background thread, so
// the next queries use it. Creation is idempotent (IF NOT EXISTS) and each key is retried at
// most once a minute, so an index dropped by a field change comes back on demand.
#include <chrono>
#include <memory>
#include <string>

#include "store/store.hpp"
#include "types/schema.hpp"

namespace gridbase::services {

/// Tables below this many rows are scanned fast enough without extra indexes.
inline constexpr int64_t kAutoIndexMinRows = 5000;

class IndexAdvisor {
 public:
  /// Tables with fewer rows than `min_rows` get no automatic indexes.
  IndexAdvisor(store::Store& store, int64_t min_rows = kAutoIndexMinRows);
  int64_t min_rows() const;
  ~IndexAdvisor();
  /// Notes that a query filtered or sorted on `field`.
  void Used(const types::TableSchema& schema, const types::Field& field);
  /// Notes that a query searched substrings of a large table: builds its search index.
  void SearchUsed(const types::TableSchema& schema);
  /// Rows of the table were written: folds them into its search index soon.
  void SearchDirty(int64_t table_id);
  /// Blocks until every queued index exists (tests and benchmarks).
  void Drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbase::services
