#pragma once
// The BaasBox `where` language (spec baasbox.md §8): a hand-written lexer and recursive-descent
// parser into an AST of typed literals, path step lists, operator enums and placeholder
// indexes (never SQL text); parameter binding (§8.8); a compiler to a parameterised SQL
// condition for SQLite (JSON1) and PostgreSQL (jsonb); and an in-memory evaluator over a
// boost::json document that is the reference semantics of §8.7 (the compiled SQL selects
// exactly the rows the evaluator accepts; tests/unit/baasbox_where_test.cpp checks that).
//
// Pipeline: Parse(text) → Bind(where, params, now) → Compile(...) or Evaluate(...).
// Every user error is a CriteriaError (§7.6): syntax, unknown function/method/operator, a
// hidden field (§8.6), too few params, or a limit of §8.9.
//
// Semantics in brief (details in where.cpp files and §8.7):
// * Two-valued logic: a predicate over a missing or null value is false (except IS [NOT] NULL);
//   NOT flips. Compiled SQL wraps predicates under NOT in COALESCE(…, false).
// * A path step `.key` applied to an array maps over its elements (non-object elements give a
//   missing value); a predicate is true when ANY combination of its operands' values satisfies
//   it. `[n]` indexes an array (anything else: missing).
// * Coercion toward the field side (§8.7): number ← numeric string; boolean ← "true"/"false"
//   (any case); string ← number (shortest form) or boolean; date ← date string or epoch ms.
//   Two fields of different types never compare. Literal vs literal: the left one is the field.
// * Strings compare by code point; LIKE is case-sensitive, `%` anywhere, `_`/`?` literal,
//   matches string values only; a pattern without `%` is equality.
// * Methods: toLowerCase/toUpperCase (Unicode simple case mapping — see where_sql.cpp), trim (space, tab, CR, LF), length (code points; missing/null → 0),
//   size (array/object element count, anything else 0).
// * distance(lat1, lon1, lat2, lon2) (§8.5, tier 2): great-circle km (util::HaversineKm, degrees
//   in); each argument any operand, a bare `?` whose value parses as a number counting as that
//   number; any argument not a number (missing, null, string, boolean, date, array, object) →
//   null. Multi-valued arguments give every combination (as for a predicate's operands). With
//   constant arguments only, the result is a constant (coerced like a literal); otherwise a
//   number-typed value like a system field. SQL: gb_distance() on SQLite, an inline expression
//   on PostgreSQL.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"
#include "types/schema.hpp"

namespace gridbase::baasbox {

/// The criteria error text of §7.6 (400; BaasBox's `/admin/user` words it
/// «The request is malformed: check your query criteria» — the caller picks the message).
inline constexpr std::string_view kCriteriaMessage =
    "Invalid criteria. Please check your query, the syntax and the parameters";

/// Every refused criteria string or parameter. `what()` is the §7.6 message followed by
/// ": <detail>" (position and reason); `detail()` is the part after the colon.
class CriteriaError : public std::runtime_error {
 public:
  explicit CriteriaError(const std::string& detail)
      : std::runtime_error(std::string(kCriteriaMessage) + ": " + detail), detail_(detail) {}
  const std::string& detail() const { return detail_; }

 private:
  std::string detail_;
};

/// The in-memory evaluation of one record went past its work budget (a `where` whose array
/// paths multiply into too many combinations): answered as §8.9's 503 «Query timeout».
class TooCostly : public std::runtime_error {
 public:
  TooCostly() : std::runtime_error("Query timeout") {}
};

namespace where {

/// Bound SQL parameters: the same type as SqlParams (bind with types::BindValues).
using SqlParams = std::vector<types::CellValue>;

// --- limits (§8.9) --------------------------------------------------------------------------
inline constexpr size_t kMaxWhereBytes = 4096;
inline constexpr size_t kMaxParams = 100;
inline constexpr size_t kMaxParamBytes = 4096;
inline constexpr int kMaxDepth = 32;
inline constexpr int kMaxPredicates = 200;
inline constexpr size_t kMaxInItems = 1000;
inline constexpr size_t kMaxPatternBytes = 256;
inline constexpr size_t kMaxMethods = 16;
/// Not in §8.9: a bound on path length keeps the generated SQL small.
inline constexpr size_t kMaxPathSteps = 32;

// --- values -----------------------------------------------------------------------------------

enum class Type { kNull, kBool, kNumber, kString, kDate };

/// A typed scalar: a literal, a bound parameter (always kString), a date, or a computed value.
/// kNull also stands for "missing".
struct Value {
  Type type = Type::kNull;
  bool b = false;
  double num = 0;                  // kNumber
  std::optional<int64_t> integer;  // kNumber written without fraction/exponent, within int64
  std::string text;                // kString: the UTF-8 text; kNumber: the validated literal text
  int64_t date_ms = 0;             // kDate: milliseconds since the epoch (UTC)

  static Value Null() { return {}; }
  static Value Bool(bool v);
  static Value String(std::string v);
  static Value Date(int64_t ms);
  /// A number from text following §8.3's `number`; nullopt if it does not or overflows a double.
  static std::optional<Value> ParseNumber(std::string_view s);
  static Value Integer(int64_t v);
};

// --- AST --------------------------------------------------------------------------------------

enum class CmpOp { kEq, kNe, kLt, kLe, kGt, kGe };
enum class Method { kToLowerCase, kToUpperCase, kLength, kSize, kTrim };

/// One path step: `.key` or `[index]`.
struct Step {
  bool is_index = false;
  std::string key;
  int64_t index = 0;
};

struct Operand {
  enum class Kind { kValue, kPlaceholder, kPath, kDate, kSysdate, kDistance };
  Kind kind = Kind::kValue;
  Value value;               // kValue
  int placeholder = -1;      // kPlaceholder: 0-based, left to right
  std::vector<Step> path;    // kPath (first step is always a key)
  /// kDate: the date text and an optional format (kValue / kPlaceholder);
  /// kDistance: lat1, lon1, lat2, lon2 (any operands).
  std::vector<Operand> args;
  std::vector<Method> methods;
  size_t pos = 0;            // byte offset in the where text (error messages)
};

struct Expr {
  enum class Kind {
    kAnd, kOr, kNot,  // children
    kCompare,         // operands[0] op operands[1]
    kIsNull,          // operands[0] (negated: IS NOT NULL)
    kLike,            // operands[0] LIKE operands[1]
    kIn,              // operands[0] IN operands[1..] (list) or IN operands[1] (in_single)
    kBetween,         // operands[0] BETWEEN operands[1] AND operands[2]
    kContainsValue,   // operands[0] CONTAINS operands[1]
    kContainsCond,    // operands[0] CONTAINS (children[0]); paths in children[0] are relative
  };
  Kind kind = Kind::kAnd;
  CmpOp op = CmpOp::kEq;
  bool negated = false;    // kIsNull only
  bool in_single = false;  // kIn: `IN ?` / `IN path` (its elements, if an array)
  std::vector<Expr> children;
  std::vector<Operand> operands;
};

/// A parsed criteria string. After Bind, no kPlaceholder, kDate or kSysdate operand remains
/// (kDistance stays, its arguments bound).
struct Where {
  Expr root;
  int placeholders = 0;
  bool bound = false;
};

/// Parses a decoded `where` string (§8.3, §8.4). Throws CriteriaError.
Where Parse(std::string_view text);

/// Replaces the i-th placeholder with params[i] (a string value, §8.8; a number when it is a
/// bare argument of distance() and parses as one) and resolves date() and sysdate() (`now_ms`:
/// the request's clock). Fewer params than placeholders, more than 100
/// params, an over-long param or pattern, NUL or invalid UTF-8, or an unparsable date → throws
/// CriteriaError. Surplus params are ignored.
Where Bind(Where parsed, std::span<const std::string> params, int64_t now_ms);

/// Parse + Bind.
Where ParseAndBind(std::string_view text, std::span<const std::string> params, int64_t now_ms);

// --- paths of a resource (§8.6) ---------------------------------------------------------------

/// A system name mapped to a fixed SQL expression of the row. `sql` is trusted caller text
/// (may hold `?` for `params`, e.g. the collection name for `@class`); its value must be of
/// `type`: kString text, kNumber a number, kBool 0/1, kDate epoch milliseconds; NULL = missing.
struct SystemField {
  std::string sql;
  SqlParams params;
  Type type = Type::kString;
};

/// How the paths of one resource resolve.
struct PathTable {
  /// SQL of the row's JSON document (text on SQLite; text or jsonb on PostgreSQL).
  std::string doc_sql = "t.bb_doc";
  /// Single-segment absolute paths that are system fields (`id`, `_author`, `@rid`…). Longer
  /// paths starting with a system name, and `@…` names not listed, are missing.
  std::map<std::string, SystemField, std::less<>> system;
  /// Path prefixes a query may not name (criteria error); checked on absolute and relative
  /// paths. Default: the document ACL and link fields of §8.6.
  std::vector<std::vector<std::string>> hidden = DocumentHidden();
  /// Top-level document keys with projection columns (baasbox.md §11.4). String and number
  /// comparisons on such a key read those (indexed) columns; everything else still reads the JSON.
  struct Projected {
    /// Trusted SQL column prefix P: `P_s` holds the key's value when it is a string, `P_n` when
    /// it is a number (NULL otherwise), both filled with ProjectionValues.
    std::string prefix;
    /// Whether some row holds a string / a number under the key (in the query's snapshot). When
    /// one is false, comparisons skip that type altogether: `k = ?` with "7" then tests one
    /// column instead of an OR of two, which lets an index return the rows in @rid order.
    bool strings = true;
    bool numbers = true;
  };
  std::map<std::string, Projected, std::less<>> projected;
  /// SQL of the row's position, the order of `@rid` in orderBy (creation order).
  std::string row_order_sql = "t.id";

  static std::vector<std::vector<std::string>> DocumentHidden();
};

/// Throws CriteriaError if `w` names a hidden path of `paths` or uses CONTAINS (cond) on a
/// system field. Compile and Evaluate call it.
void CheckPaths(const Where& w, const PathTable& paths);

// --- SQL ---------------------------------------------------------------------------------------

struct Sql {
  std::string text;        // a boolean condition with `?` placeholders
  SqlParams params; // in `?` order
};

/// Compiles a bound `where` to a condition over the row (`paths.doc_sql` and the system
/// expressions) for `dialect`. User text only ever reaches SQL as bound parameters. The text
/// avoids every spelling PgDialect::Translate rewrites (LIKE, REAL, json_each…, the `?`
/// jsonb operators). Throws CriteriaError (hidden paths).
Sql Compile(const Where& bound, const store::Dialect& dialect, const PathTable& paths);

/// The values of projection columns for top-level key `key` of the JSON document `doc_sql`:
/// `string` is the key's value when it is a JSON string (else NULL), `number` when it is a JSON
/// number — the very expressions Compile uses for the key, so a query over the columns selects
/// the same rows as one over the JSON. `key` is bound, never SQL text.
struct ProjectionSql {
  Sql string;
  Sql number;
};
ProjectionSql ProjectionValues(const store::Dialect& dialect, const std::string& doc_sql, const std::string& key);

/// One `orderBy` key that SQL can sort by: a single-step path without methods.
struct OrderTerm {
  std::string key;
  bool desc = false;
};
/// An ORDER BY list (without the final tie-break) for `terms` in the order of §7.5 — missing/null
/// < false < true < numbers < strings (code points) < arrays/objects, ties equal — over top-level
/// document keys (projection columns when there are) and system fields; an `@…` name that is not
/// a system field, and a system name as a longer path, sort as missing. The caller appends its
/// tie-break (@rid order). Hidden keys must have been refused before (CheckCriteriaSyntax).
Sql CompileOrder(const std::vector<OrderTerm>& terms, const store::Dialect& dialect, const PathTable& paths);

// --- in-memory evaluation ----------------------------------------------------------------------

/// Values of the system fields of one row, by name (as in PathTable::system).
using SystemValues = std::map<std::string, Value, std::less<>>;

/// The reference semantics: whether the row (`doc` holding the user keys, `system` the system
/// field values) matches. Throws CriteriaError like Compile.
bool Evaluate(const Where& bound, const boost::json::object& doc, const PathTable& paths,
              const SystemValues& system);

}  // namespace where
}  // namespace gridbase::baasbox
