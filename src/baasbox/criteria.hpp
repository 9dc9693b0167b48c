#pragma once
// Query criteria of the BaasBox surface (baasbox.md §7): the parameters as a typed struct, the
// paging arithmetic of §7.2, and the in-memory stages — `orderBy` (§7.5), `fields` projections
// and aggregates with `groupBy` (§7.4) — applied to rows already filtered by `where` and the ACL.
//
// `where` is compiled to SQL by where.hpp; `fields`, `groupBy` and `orderBy` are parsed here by
// a small tokenizer into path step lists and enums (never SQL) and evaluated over the candidate
// rows, then paged. Their grammar is §7.4/§7.5 restricted to paths, the tier-1 methods
// (toLowerCase, toUpperCase, length, size, trim), the aggregates count/sum/avg/min/max and, in
// `fields`, distance(lat1, lon1, lat2, lon2) over paths and numbers (§8.5; output name
// "distance"); anything else (eval, expand, sub-queries, hidden fields) is a CriteriaError.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "baasbox/where.hpp"

namespace gridbase::baasbox {

/// `baasbox.query.max_records` default (§7.2); 0 = unlimited.
inline constexpr int64_t kDefaultMaxRecords = 10000;

/// The criteria query parameters of §7.1, decoded.
struct Criteria {
  std::string where;
  std::vector<std::string> params;  // `params` and `params[]` merged by appearance
  std::string fields;
  std::string group_by;
  std::string order_by;
  int64_t page = -1;                // -1: no paging
  int64_t records_per_page = 20;
  int64_t skip = 0;
  bool count = false;
  bool with_acl = false;
};

/// Builds Criteria from the decoded query parameters in request order (§7.1): `params`/`params[]`
/// merged, `recordsPerPage` winning over `recordPerPage`, `count` true only for "true" (any
/// case), `withAcl` true for true/on/yes. Throws BbError 400 «{param} parameter must be a valid
/// Integer» for a non-integer or out-of-range page/recordsPerPage/skip/depth (§7.2).
Criteria ParseCriteria(const std::vector<std::pair<std::string, std::string>>& query);

/// offset/limit of §7.2. Throws BbError 400 «Too many records: …» when `recordsPerPage` is above
/// `max_records` (when it is not 0).
struct Paging {
  int64_t offset = 0;
  std::optional<int64_t> limit;
};
Paging PagingOf(const Criteria& c, int64_t max_records);
/// " LIMIT ? OFFSET ?" for `paging` in SQL (parameters appended). Without a page, the limit is
/// max_records + 1, so that CheckResultCap sees a result past the cap; with no cap, none.
std::string SqlPaging(const Paging& paging, int64_t max_records, bool postgres, where::SqlParams& params);

/// The §7.2 cap on one answer: throws BbError 400 «Too many records: use page and recordsPerPage
/// (at most {max} per request)» when `n` > `max_records` (and it is not 0).
void CheckResultCap(size_t n, int64_t max_records);

/// One candidate row of the in-memory stages.
struct CriteriaRow {
  boost::json::object doc;     // the user keys, walked by paths
  boost::json::object system;  // system fields by name (id, _author, _creation_date, @rid, …)
  boost::json::value out;      // the row as answered when there is no `fields`
};

/// Whether `fields`, `groupBy` or `orderBy` are given (the rows then go through ApplyInMemory).
bool NeedsInMemory(const Criteria& c);

/// The `orderBy` keys when SQL can do the whole job — no `fields`/`groupBy`, every key a
/// single-step path without methods (where::CompileOrder); nullopt otherwise (ApplyInMemory).
std::optional<std::vector<where::OrderTerm>> SqlOrder(const Criteria& c,
                                                      const std::vector<std::vector<std::string>>& hidden);

/// Checks the syntax of `fields`, `groupBy` and `orderBy` (CriteriaError) without rows, so a
/// bad criteria string is refused before any SQL runs.
void CheckCriteriaSyntax(const Criteria& c, const std::vector<std::vector<std::string>>& hidden);

/// Sorts (`orderBy`, ties by input order, which is @rid order), projects/groups (`fields`,
/// `groupBy`) and pages (§7.2) `rows`, given in @rid order and already filtered. Throws
/// CriteriaError for a bad criteria string or a hidden path, BbError for the result cap.
boost::json::array ApplyInMemory(std::vector<CriteriaRow> rows, const Criteria& c, int64_t max_records,
                                 const std::vector<std::vector<std::string>>& hidden);

}  // namespace gridbase::baasbox
