#pragma once
// Row queries: the filter tree (ad-hoc JSON and legacy parameters), order_by and search,
// compiled to parameterised SQL over the user table aliased `t`. Field references resolve
// to fields of the schema; user input only ever reaches SQL as bound parameters.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "types/field_type.hpp"
#include "types/schema.hpp"

namespace gridbase::query {

struct FilterLeaf {
  types::Field field;  // a copy: pseudo fields (row timestamps) have no schema entry
  bool id_pseudo = false;  // filter__field_id__in
  std::string type;
  std::string value;
};

struct FilterNode {
  bool is_or = false;
  std::vector<FilterLeaf> filters;
  std::vector<FilterNode> groups;
  bool empty() const { return filters.empty() && groups.empty(); }
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// Parses the `filters` JSON tree (filters.md §1). Throws ERROR_FILTERS_PARAM_VALIDATION_ERROR,
/// ERROR_FILTER_FIELD_NOT_FOUND, ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST or
/// ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD.
FilterNode ParseFilterTree(std::string_view json_text, const types::TableSchema& schema,
                           bool user_field_names);
/// The legacy `filter__<field>__<type>` parameters combined with `filter_type` (filters.md §2).
FilterNode ParseLegacyFilters(const QueryParams& params, const types::TableSchema& schema,
                              bool user_field_names);
/// SQL condition of a filter tree; "1" when it matches everything.
std::string CompileFilters(const FilterNode& node, types::SqlParams& params);

struct OrderItem {
  const types::Field* field;
  bool descending = false;
  std::string sort_type = "default";
};
/// Parses `order_by` (filters.md §3). Throws ERROR_ORDER_BY_FIELD_NOT_FOUND or
/// ERROR_ORDER_BY_FIELD_NOT_POSSIBLE.
std::vector<OrderItem> ParseOrderBy(std::string_view order_by, const types::TableSchema& schema,
                                    bool user_field_names);
/// "ORDER BY …" including the `order`, `id` tie-breakers. `mirrored` flips every direction
/// (NULLs included), so a deep page can be read from the end.
std::string CompileOrderBy(const std::vector<OrderItem>& items, bool mirrored = false);

/// Compat search condition (filters.md §6.1); "1" for an empty search.
std::string CompileSearch(std::string_view search, const types::TableSchema& schema,
                          types::SqlParams& params);

/// Throws ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST or ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD
/// unless filter `type` can filter `field`.
void CheckFilterType(const types::Field& field, std::string_view type);

/// Every registered filter type name (filters.md §5.7 order, the ones this server knows).
const std::vector<std::string>& FilterTypeNames();

/// CSV parsing of include/exclude/order_by lists: commas, double quotes, backslash escapes.
std::vector<std::string> SplitCsvList(std::string_view s);

}  // namespace gridbase::query
