#pragma once
// Views of a table (views.md): the view type registry, view CRUD, order and duplicate; view
// filters, filter groups, sorts and group-bys (stored, and applied when rows are listed
// through a view); field options; the grid rows endpoint and its footer aggregations.
// Only the grid type is registered; another type is one ViewType subclass plus one line in
// AllViewTypes(), with no change to the grid code.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "query/query.hpp"
#include "services/models.hpp"
#include "services/rows.hpp"
#include "store/store.hpp"
#include "types/schema.hpp"
#include "util/validate.hpp"

namespace gridbase::services {

/// A view type (views.md §2): capabilities, type-specific properties and field options.
class ViewType {
 public:
  virtual ~ViewType() = default;
  virtual std::string_view type() const = 0;
  virtual bool can_filter() const = 0;
  virtual bool can_sort() const = 0;
  virtual bool can_group_by() const = 0;
  /// The 404 code of the type's own endpoints (ERROR_GRID_DOES_NOT_EXIST).
  virtual const char* missing_error() const = 0;
  /// Type-specific properties of a new view.
  virtual boost::json::object DefaultProps() const = 0;
  /// Reads the type-specific keys of a create/update body into `props`.
  virtual void ParseProps(util::Validator& v, boost::json::object& props) const = 0;
  /// The options of a field without a stored option row.
  virtual boost::json::object DefaultFieldOptions() const = 0;
  /// Applies partial options `in` to `current`; false when a value is invalid.
  virtual bool MergeFieldOptions(const boost::json::object& in, boost::json::object& current) const = 0;
};

const ViewType* FindViewType(std::string_view type);
const std::vector<const ViewType*>& AllViewTypes();

/// `include=filters,sortings,decorations,group_bys` (views.md §3); unknown values ignored.
struct ViewIncludes {
  bool filters = false;  // filters and filter_groups
  bool sortings = false;
  bool decorations = false;
  bool group_bys = false;
  static ViewIncludes Parse(const std::optional<std::string>& include);
  static ViewIncludes All() { return {true, true, true, true}; }
};

/// What a view contributes to a row listing: its filter tree (empty when disabled), its
/// group-bys then sorts as one ordering, and the group-by fields alone.
struct ViewQuery {
  int64_t view_id = 0;
  query::FilterNode filters;
  std::vector<query::OrderItem> order;     // group-bys first, then sorts
  std::vector<const types::Field*> group_by;  // fields of the group-bys, in order
};

/// Loads the view of `schema`'s table for listing rows; ERROR_VIEW_DOES_NOT_EXIST when the
/// view is missing, trashed or of another table. Field pointers point into `schema`.
ViewQuery LoadViewQuery(store::Tx& tx, const types::TableSchema& schema, int64_t view_id);

struct GridQuery {
  RowListQuery rows;  // paging, search, ad-hoc filters, order_by, include/exclude fields
  bool count_only = false;
  bool include_field_options = false;
  bool include_row_metadata = false;
};

struct GridPage {
  RowPage rows;
  std::string field_options;      // JSON object, or "" when not requested
  std::string group_by_metadata;  // JSON object, or "" without group-bys
};

class ViewService {
 public:
  ViewService(store::Store& store, RowService& rows) : store_(store), rows_(rows) {}

  boost::json::array List(const Actor& actor, int64_t table_id, const std::optional<std::string>& type,
                          std::optional<int64_t> limit, ViewIncludes inc);
  boost::json::object Create(const Actor& actor, int64_t table_id, const boost::json::value& body,
                             ViewIncludes inc);
  boost::json::object Get(const Actor& actor, int64_t view_id, ViewIncludes inc);
  boost::json::object Update(const Actor& actor, int64_t view_id, const boost::json::value& body,
                             ViewIncludes inc);
  void Delete(const Actor& actor, int64_t view_id);
  void Order(const Actor& actor, int64_t table_id, const boost::json::value& body);
  boost::json::object Duplicate(const Actor& actor, int64_t view_id);

  boost::json::array ListFilters(const Actor& actor, int64_t view_id);
  boost::json::object CreateFilter(const Actor& actor, int64_t view_id, const boost::json::value& body);
  boost::json::object GetFilter(const Actor& actor, int64_t filter_id);
  boost::json::object UpdateFilter(const Actor& actor, int64_t filter_id, const boost::json::value& body);
  void DeleteFilter(const Actor& actor, int64_t filter_id);

  boost::json::object CreateFilterGroup(const Actor& actor, int64_t view_id, const boost::json::value& body);
  boost::json::object GetFilterGroup(const Actor& actor, int64_t group_id);
  boost::json::object UpdateFilterGroup(const Actor& actor, int64_t group_id, const boost::json::value& body);
  void DeleteFilterGroup(const Actor& actor, int64_t group_id);

  boost::json::array ListSorts(const Actor& actor, int64_t view_id);
  boost::json::object CreateSort(const Actor& actor, int64_t view_id, const boost::json::value& body);
  boost::json::object GetSort(const Actor& actor, int64_t sort_id);
  boost::json::object UpdateSort(const Actor& actor, int64_t sort_id, const boost::json::value& body);
  void DeleteSort(const Actor& actor, int64_t sort_id);

  boost::json::array ListGroupBys(const Actor& actor, int64_t view_id);
  boost::json::object CreateGroupBy(const Actor& actor, int64_t view_id, const boost::json::value& body);
  boost::json::object GetGroupBy(const Actor& actor, int64_t group_by_id);
  boost::json::object UpdateGroupBy(const Actor& actor, int64_t group_by_id, const boost::json::value& body);
  void DeleteGroupBy(const Actor& actor, int64_t group_by_id);

  /// Decorations are premium (views.md §5.5): the list is always empty.
  boost::json::array ListDecorations(const Actor& actor, int64_t view_id);

  boost::json::object FieldOptions(const Actor& actor, int64_t view_id);
  boost::json::object UpdateFieldOptions(const Actor& actor, int64_t view_id, const boost::json::value& body);

  /// GET database/views/grid/{id}/ (views.md §8.1).
  GridPage GridRows(const Actor& actor, int64_t view_id, const GridQuery& q);
  /// POST database/views/grid/{id}/: the rows with these ids, no filters (views.md §8.2).
  std::string GridRowsByIds(const Actor& actor, int64_t view_id, const boost::json::value& body);
  /// Every configured footer aggregation (views.md §8.3), as JSON text.
  std::string Aggregations(const Actor& actor, int64_t view_id, const RowListQuery& q, bool total);
  /// One ad-hoc aggregation with the view's filters, as JSON text.
  std::string Aggregation(const Actor& actor, int64_t view_id, int64_t field_id, const std::string& raw_type,
                          bool total);

  /// Inside a write transaction: the default "Grid" view every new table gets.
  static int64_t CreateDefaultView(store::Tx& tx, int64_t table_id, std::optional<int64_t> owner);
  /// Inside a field update: drops the filters, sorts and group-bys the new type cannot serve.
  static void DropIncompatible(store::Tx& tx, const types::Field& field);

 private:
  store::Store& store_;
  RowService& rows_;
};

}  // namespace gridbase::services
