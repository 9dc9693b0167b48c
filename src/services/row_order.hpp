#pragma once
// Row `order` values (rows.md §10): appends get ceil(max)+1, inserts before a row get the
// simplest fraction between its neighbours (Stern–Brocot), converted to a double exactly as
// Baserow converts its fraction to a float.
#include <optional>
#include <vector>

namespace gridbase::services {

/// The simplest fraction strictly between `lo` and `hi` as a double, or nullopt when no
/// double lies strictly between them.
std::optional<double> IntermediateOrder(double lo, double hi);

}  // namespace gridbase::services
