#pragma once
// Rows of user tables (rows.md): listing with filters, search, order and pages pushed into
// SQL; single and batch writes validated by the field types, all or nothing; moves.
// Responses are written straight into JSON text by the field types.
#include <boost/json/value.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "query/query.hpp"
#include "services/index_advisor.hpp"
#include "services/models.hpp"
#include "store/store.hpp"

namespace gridbase::services {

inline constexpr int64_t kRowPageSizeLimit = 200;
inline constexpr size_t kBatchRowsLimit = 200;

struct RowListQuery {
  int64_t page = 1;
  int64_t size = 100;
  std::string search;
  bool full_text = false;  // search_mode=full-text-with-count
  std::optional<std::string> order_by;
  std::optional<std::string> filters_json;
  query::QueryParams params;  // every query parameter, for the legacy filters
  std::optional<std::string> include;
  std::optional<std::string> exclude;
  bool user_field_names = false;
  /// Limit/offset paging (the view row endpoints) instead of page/size, when set.
  std::optional<int64_t> limit;
  int64_t offset = 0;
  bool exclude_count = false;  // no COUNT: `count` stays unknown
  bool count_only = false;     // only the count, no rows
  /// The view whose filters, group-bys and sorts apply (rows.md §3.2, views.md §8).
  std::optional<int64_t> view_id;
  /// Ad-hoc filters replace the view's (view endpoints) instead of narrowing them (rows).
  bool adhoc_replaces_view_filters = false;
};

struct RowPage {
  int64_t count = 0;
  bool counted = true;
  std::string results;            // a JSON array
  std::string group_by_metadata;  // a JSON object when the view groups rows, else ""
};

struct RowWrite {
  bool user_field_names = false;
  bool include_metadata = false;
};

class RowService {
 public:
  RowService(store::Store& store, IndexAdvisor& advisor) : store_(store), advisor_(advisor) {}

  RowPage List(const Actor& actor, int64_t table_id, const RowListQuery& q);
  /// Builds the full-text index first when a full-text search needs it (a write).
  void PrepareSearch(const Actor& actor, int64_t table_id, const RowListQuery& q);
  /// List inside a read transaction, for a schema already loaded and checked.
  RowPage ListIn(store::Tx& tx, const types::TableSchema& schema, const RowListQuery& q);
  /// The WHERE condition (user table aliased `t`) and its parameters of a listing's rows:
  /// view filters, ad-hoc filters and search.
  std::pair<std::string, types::SqlParams> WhereFor(store::Tx& tx, const types::TableSchema& schema,
                                                    const RowListQuery& q);
  std::string Get(const Actor& actor, int64_t table_id, int64_t row_id, bool user_field_names);
  std::string Create(const Actor& actor, int64_t table_id, const boost::json::value& body,
                     std::optional<int64_t> before, const RowWrite& opts);
  std::string Update(const Actor& actor, int64_t table_id, int64_t row_id, const boost::json::value& body,
                     const RowWrite& opts);
  void Delete(const Actor& actor, int64_t table_id, int64_t row_id);
  std::string Move(const Actor& actor, int64_t table_id, int64_t row_id, std::optional<int64_t> before_id,
                   bool user_field_names);
  std::string BatchCreate(const Actor& actor, int64_t table_id, const boost::json::value& body,
                          std::optional<int64_t> before, const RowWrite& opts);
  std::string BatchUpdate(const Actor& actor, int64_t table_id, const boost::json::value& body,
                          const RowWrite& opts);
  void BatchDelete(const Actor& actor, int64_t table_id, const boost::json::value& body);
  /// The next (or previous) row in table order, filtered by `search`; nullopt when none.
  std::optional<std::string> Adjacent(const Actor& actor, int64_t table_id, int64_t row_id, bool previous,
                                      const std::string& search, bool user_field_names,
                                      std::optional<int64_t> view_id = std::nullopt);
  /// {"<table>": {"<row>": "<primary text>"}} for rows.md §12.
  std::string Names(const Actor& actor, const std::vector<std::pair<int64_t, std::vector<int64_t>>>& tables);

 private:
  struct Where {
    std::string where, where_page, filter_sql, search_sql;
    types::SqlParams params;
    std::vector<query::OrderItem> order;
    std::vector<const types::Field*> group_by;
    std::vector<bool> group_by_desc;
    bool full_text_sql = false;
  };
  Where BuildWhere(store::Tx& tx, const types::TableSchema& schema, const RowListQuery& q);
  /// Tells the index advisor which fields this query filters or sorts on.
  void NoteIndexUse(const types::TableSchema& schema, const query::FilterNode& filters,
                    const std::vector<query::OrderItem>& order);
  store::Store& store_;
  IndexAdvisor& advisor_;
};

/// Row events and row JSON for other writers of user tables (the BaasBox documents of
/// src/baasbox/ write tbl_<id> rows directly and record the same events as row writes).
namespace row_impl {
/// The rows `ids` as a JSON array with field_<id> keys: the form realtime messages carry.
std::string RowsArray(store::Tx& tx, const types::TableSchema& s, const std::vector<int64_t>& ids);
void RecordRowsCreated(store::Tx& tx, const Actor& actor, const types::TableSchema& s, const std::string& rows,
                       std::optional<int64_t> before);
void RecordRowsUpdated(store::Tx& tx, const Actor& actor, const types::TableSchema& s, const std::string& before,
                       const std::string& after, const std::vector<int64_t>& updated_fields);
void RecordRowsDeleted(store::Tx& tx, const Actor& actor, const types::TableSchema& s, const std::vector<int64_t>& ids,
                       const std::string& rows);
}  // namespace row_impl

}  // namespace gridbase::services
