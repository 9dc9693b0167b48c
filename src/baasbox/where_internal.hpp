#pragma once
// Helpers shared by the `where` parser, compiler and evaluator (not part of the public API):
// the value rules of §8.7 that must be identical in SQL and in memory.
#include <optional>
#include <string>
#include <string_view>

#include "baasbox/where.hpp"

namespace gridbase::baasbox::where::internal {

/// Whether `s` is valid UTF-8 without NUL characters.
bool ValidText(std::string_view s);
/// Number of code points of valid UTF-8.
int64_t CodePoints(std::string_view s);

/// A number rendered in its shortest decimal form ("2", "2.5", "1e+21").
std::string RenderNumber(const Value& v);
/// §5.1's datetime text in UTC: yyyy-MM-dd'T'HH:mm:ss.SSS+0000.
std::string RenderDate(int64_t ms);
/// date(s[, fmt]) of §8.5: epoch milliseconds, or nullopt if `s` does not parse. Throws
/// CriteriaError for a format outside the three allowed.
std::optional<int64_t> ParseDate(std::string_view s, std::optional<std::string_view> fmt = std::nullopt);

/// §8.7's coercion of a literal/parameter value toward a field of runtime type `to`;
/// nullopt: the comparison is false.
std::optional<Value> Coerce(const Value& v, Type to);
/// Compares two non-null values of the same type.
bool CompareSame(const Value& a, CmpOp op, const Value& b);
/// Literal-vs-literal comparison (the left value is the "field").
bool CompareConst(const Value& a, CmpOp op, const Value& b);

/// LIKE of §8.7: `value` and `pattern` are strings; `%` matches any run.
bool LikeMatch(std::string_view value, std::string_view pattern);

/// The characters trim() removes.
inline constexpr std::string_view kTrimChars = " \t\n\r";
std::string AsciiLower(std::string_view s);
std::string_view TrimChars(std::string_view s);

/// A method applied to a scalar value (a literal, a system field or a previous method's
/// result); kNull is "missing".
Value ApplyMethod(const Value& v, Method m);

/// distance() over four scalar values (§8.5): the great-circle km when all four are numbers,
/// else kNull.
Value Distance(const Value& lat1, const Value& lon1, const Value& lat2, const Value& lon2);

}  // namespace gridbase::baasbox::where::internal
