// Filter types (filters.md §4–§5) and the filter tree parsers.
#include <boost/json/parse.hpp>
#include <fmt/format.h>

#include <functional>
#include <regex>
#include <unordered_map>

#include "query/query.hpp"
#include "types/duration.hpp"
#include "util/dates.hpp"
#include "util/error.hpp"
#include "util/decimal.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"
#include "util/validate.hpp"

namespace gridbase::types {
std::optional<bool> ParseBooleanWord(std::string_view s);
std::optional<double> ParseNumberLiteral(std::string_view s);
}  // namespace gridbase::types

namespace gridbase::query {

namespace json = boost::json;
using types::Field;
using types::SqlParams;

namespace filter_impl {

/// nullopt: the filter is ignored (matches every row).
using Built = std::optional<std::string>;
constexpr const char* kNothing = types::kSqlFalse;

bool Is(const Field& f, std::initializer_list<std::string_view> types) {
  for (auto t : types)
    if (f.type == t) return true;
  return false;
}
bool TextLike(const Field& f) { return Is(f, {"text", "long_text", "url", "email", "phone_number"}); }
bool DateLike(const Field& f) { return Is(f, {"date", "last_modified", "created_on"}); }

const types::FieldType& TypeOf(const Field& f) { return *types::FindFieldType(f.type); }
std::string Expr(const Field& f) { return TypeOf(f).SelectExpr(f); }

std::string LikeParam(SqlParams& p, std::string_view value) {
  std::string pattern = "%";
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return " LIKE " + types::Param(p, pattern) + " ESCAPE '\\'";
}

std::optional<double> NumericValue(const Field& f, std::string_view value) {
  if (f.type == "duration") {
    return types::ParseDuration(value, f.StrProp("duration_format", "h:mm"));
  }
  return types::ParseNumberLiteral(value);
}

/// The value a number field is compared with: its exact decimal text. PostgreSQL compares
/// it with the cell as NUMERIC (exact, and through the field's index); SQLite gives it the
/// numeric affinity of the cell's CAST and compares as before. `value` must be valid.
std::string NumberParam(std::string_view value) {
  auto d = util::ParseDecimal(util::Trim(value));
  return util::QuantizeDecimal(*d, std::max(0, -d->exponent));
}

/// The bound value of a numeric comparison with field `f`.
std::string NumericParam(const Field& f, std::string_view value, double n, SqlParams& p) {
  if (f.type == "number") return types::Param(p, NumberParam(value));
  return types::Param(p, n);
}

// --- generic comparison ----------------------------------------------------------------

Built Equal(const FilterLeaf& l, SqlParams& p) {
  std::string v(util::Trim(l.value));
  if (v.empty()) return std::nullopt;
  const Field& f = l.field;
  if (f.type == "boolean") {
    auto b = types::ParseBooleanWord(v);
    if (!b) return kNothing;
    return Expr(f) + " = " + types::Param(p, int64_t{*b ? 1 : 0});
  }
  if (Is(f, {"number", "rating", "autonumber", "duration"})) {
    auto n = NumericValue(f, v);
    if (!n) return kNothing;
    return TypeOf(f).NumericSql(f) + " = " + NumericParam(f, v, *n, p);
  }
  return Expr(f) + " = " + types::Param(p, v);
}

Built Contains(const FilterLeaf& l, SqlParams& p) {
  std::string v(util::Trim(l.value));
  if (v.empty()) return std::nullopt;
  const Field& f = l.field;
  if (Is(f, {"number", "autonumber"}) && v.find_first_not_of("0123456789.-") != std::string::npos) {
    return kNothing;
  }
  auto text = TypeOf(f).TextSql(f, p);
  if (!text) return kNothing;
  return *text + LikeParam(p, v);
}

Built ContainsWord(const FilterLeaf& l, SqlParams& p) {
  std::string v(util::Trim(l.value));
  if (v.empty()) return std::nullopt;
  auto text = TypeOf(l.field).TextSql(l.field, p);
  if (!text) return kNothing;
  return "gb_contains_word(" + *text + ", " + types::Param(p, v) + ") = 1";
}

Built LengthLower(const FilterLeaf& l, SqlParams& p) {
  auto n = util::CoerceInt(json::value(json::string(util::Trim(l.value))));
  if (!n) return kNothing;
  return "length(" + Expr(l.field) + ") < " + types::Param(p, *n);
}

Built Compare(const FilterLeaf& l, SqlParams& p, const char* op) {
  std::string v(util::Trim(l.value));
  if (v.empty()) return std::nullopt;
  auto n = NumericValue(l.field, v);
  if (!n) return kNothing;
  return TypeOf(l.field).NumericSql(l.field) + " " + op + " " + NumericParam(l.field, v, *n, p);
}

Built EvenAndWhole(const FilterLeaf& l, SqlParams&) {
  std::string e = TypeOf(l.field).NumericSql(l.field);
  return "(" + e + " = CAST(" + e + " AS INTEGER) AND CAST(" + e + " AS INTEGER) % 2 = 0)";
}

Built Empty(const FilterLeaf& l, SqlParams&) { return TypeOf(l.field).EmptySql(l.field); }

Built BooleanFilter(const FilterLeaf& l, SqlParams& p) {
  std::string v(util::Trim(l.value));
  bool want = false;
  if (!v.empty()) {
    auto b = types::ParseBooleanWord(v);
    if (!b) return kNothing;
    want = *b;
  }
  return Expr(l.field) + " = " + types::Param(p, int64_t{want ? 1 : 0});
}

// --- selects ---------------------------------------------------------------------------

std::vector<int64_t> IdList(std::string_view value) {
  std::vector<int64_t> ids;
  for (auto part : util::Split(value, ',')) {
    auto n = util::CoerceInt(json::value(json::string(util::Trim(part))));
    if (n) ids.push_back(*n);
  }
  return ids;
}

std::string InList(SqlParams& p, const std::vector<int64_t>& ids) {
  std::string out = "(";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + types::Param(p, ids[i]);
  return out + ")";
}

Built SingleSelectEqual(const FilterLeaf& l, SqlParams& p) {
  auto id = util::CoerceInt(json::value(json::string(util::Trim(l.value))));
  if (!id) return std::nullopt;
  return Expr(l.field) + " = " + types::Param(p, *id);
}

Built SingleSelectAnyOf(const FilterLeaf& l, SqlParams& p) {
  if (util::Trim(l.value).empty()) return std::nullopt;
  auto ids = IdList(l.value);
  if (ids.empty()) return kNothing;
  return Expr(l.field) + " IN " + InList(p, ids);
}

Built MultipleSelectHas(const FilterLeaf& l, SqlParams& p) {
  if (util::Trim(l.value).empty()) return std::nullopt;
  auto ids = IdList(l.value);
  if (ids.empty()) return kNothing;
  return "EXISTS (SELECT 1 FROM json_each(" + Expr(l.field) + ") je WHERE je.value IN " + InList(p, ids) + ")";
}

// --- dates -----------------------------------------------------------------------------

using util::CivilDate;

CivilDate AddDays(const CivilDate& d, int64_t n) { return util::CivilFromDays(util::DaysFromCivil(d) + n); }
CivilDate AddMonths(const CivilDate& d, int64_t n) {
  int64_t m = static_cast<int64_t>(d.year) * 12 + (d.month - 1) + n;
  CivilDate out{static_cast<int>(m / 12), static_cast<unsigned>(m % 12 + 1), 1};
  unsigned day = d.day;
  while (day > 28 && !util::ParseIsoDate(fmt::format("{:04}-{:02}-{:02}", out.year, out.month, day))) --day;
  out.day = day;
  return out;
}
CivilDate MonthStart(const CivilDate& d) { return CivilDate{d.year, d.month, 1}; }
CivilDate YearStart(const CivilDate& d) { return CivilDate{d.year, 1, 1}; }
CivilDate WeekStart(const CivilDate& d) {
  int64_t days = util::DaysFromCivil(d);
  int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday → Monday = 0
  return util::CivilFromDays(days - weekday);
}

struct DateRange {
  std::optional<CivilDate> lower;  // inclusive
  std::optional<CivilDate> upper;  // exclusive
};

std::string Bound(const Field& f, const CivilDate& d, const std::string& tz, SqlParams& p) {
  switch (TypeOf(f).date_storage(f)) {
    case types::DateStorage::kDateText: return types::Param(p, util::FormatDate(d));
    case types::DateStorage::kDateTimeText: return types::Param(p, util::StoredDateTime(util::LocalMidnightUtc(d, tz)));
    default: return types::Param(p, util::LocalMidnightUtc(d, tz));
  }
}

std::string RangeSql(const Field& f, const DateRange& r, const std::string& tz, SqlParams& p) {
  std::string e = Expr(f);
  std::vector<std::string> parts;
  if (r.lower) parts.push_back(e + " >= " + Bound(f, *r.lower, tz, p));
  if (r.upper) parts.push_back(e + " < " + Bound(f, *r.upper, tz, p));
  if (parts.empty()) return e + " IS NOT NULL";
  return parts.size() == 1 ? parts[0] : "(" + parts[0] + " AND " + parts[1] + ")";
}

std::string DefaultTz(const Field& f) { return f.OptStrProp("date_force_timezone").value_or(""); }

/// Splits "<tz>?<value>" (legacy) into zone and value; nullopt when it cannot be used.
std::optional<std::pair<std::string, std::string>> SplitTzValue(const FilterLeaf& l) {
  auto parts = util::Split(l.value, '?');
  if (parts.size() > 2) return std::nullopt;
  std::string tz = DefaultTz(l.field), value;
  if (parts.size() == 2) {
    if (!parts[0].empty()) tz = std::string(parts[0]);
    value = std::string(util::Trim(parts[1]));
  } else {
    std::string only(util::Trim(parts[0]));
    if (!only.empty() && util::IsKnownTimeZone(only) && !util::ParseIsoDate(only)) tz = only;
    else value = only;
  }
  if (!tz.empty() && !util::IsKnownTimeZone(tz)) return std::nullopt;
  return std::make_pair(tz, value);
}

CivilDate Today(const std::string& tz) { return util::LocalDate(util::NowMicros(), tz); }

enum class Cmp { kEqual, kBefore, kBeforeOrEqual, kAfter, kAfterOrEqual };

Built LegacyDateCompare(const FilterLeaf& l, SqlParams& p, Cmp cmp) {
  auto tv = SplitTzValue(l);
  if (!tv) return kNothing;
  auto& [tz, value] = *tv;
  if (value.empty()) return std::nullopt;
  if (auto d = util::ParseIsoDate(value)) {
    DateRange r;
    switch (cmp) {
      case Cmp::kEqual: r = {*d, AddDays(*d, 1)}; break;
      case Cmp::kBefore: r.upper = *d; break;
      case Cmp::kBeforeOrEqual: r.upper = AddDays(*d, 1); break;
      case Cmp::kAfter: r.lower = AddDays(*d, 1); break;
      case Cmp::kAfterOrEqual: r.lower = *d; break;
    }
    return RangeSql(l.field, r, tz, p);
  }
  auto instant = util::ParseIsoDateTime(value);
  if (!instant) return kNothing;
  const Field& f = l.field;
  std::string e = Expr(f);
  std::string bound;
  switch (TypeOf(f).date_storage(f)) {
    case types::DateStorage::kDateText: {
      // A date-only cell compares with the instant's date in the zone.
      CivilDate d = util::LocalDate(*instant, tz);
      FilterLeaf copy = l;
      copy.value = tz + "?" + util::FormatDate(d);
      return LegacyDateCompare(copy, p, cmp);
    }
    case types::DateStorage::kDateTimeText: bound = types::Param(p, util::StoredDateTime(*instant)); break;
    default: bound = types::Param(p, *instant);
  }
  static const char* kOps[] = {"=", "<", "<=", ">", ">="};
  return e + " " + kOps[static_cast<int>(cmp)] + " " + bound;
}

Built LegacyDateRelative(const FilterLeaf& l, SqlParams& p, std::string_view kind) {
  auto tv = SplitTzValue(l);
  if (!tv) return kNothing;
  auto& [tz, value] = *tv;
  CivilDate t = Today(tz);
  auto needs_int = [&]() -> std::optional<int64_t> {
    return util::CoerceInt(json::value(json::string(value)));
  };
  DateRange r;
  if (kind == "today") r = {t, AddDays(t, 1)};
  else if (kind == "before_today") r.upper = t;
  else if (kind == "after_today") r.lower = AddDays(t, 1);
  else if (kind == "week") {
    CivilDate ws = WeekStart(t), we = AddDays(ws, 7);
    CivilDate ys = YearStart(t), ye = CivilDate{t.year + 1, 1, 1};
    r.lower = util::DaysFromCivil(ws) > util::DaysFromCivil(ys) ? ws : ys;
    r.upper = util::DaysFromCivil(we) < util::DaysFromCivil(ye) ? we : ye;
  } else if (kind == "month") r = {MonthStart(t), AddMonths(MonthStart(t), 1)};
  else if (kind == "year") r = {YearStart(t), CivilDate{t.year + 1, 1, 1}};
  else {
    if (value.empty()) return std::nullopt;
    auto n = needs_int();
    if (!n) return kNothing;
    if (kind == "within_days") {
      r = *n >= 0 ? DateRange{t, AddDays(t, *n + 1)} : DateRange{AddDays(t, *n), AddDays(t, 1)};
    } else if (kind == "within_weeks") {
      if (*n == 0) return kNothing;
      r = *n > 0 ? DateRange{t, AddDays(t, 7 * *n + 1)} : DateRange{AddDays(t, 7 * *n), AddDays(t, 1)};
    } else if (kind == "within_months") {
      if (*n == 0) return kNothing;
      r = *n > 0 ? DateRange{t, AddDays(AddMonths(t, *n), 1)} : DateRange{AddMonths(t, *n), AddDays(t, 1)};
    } else if (kind == "days_ago") {
      CivilDate d = AddDays(t, -*n);
      r = {d, AddDays(d, 1)};
    } else if (kind == "months_ago") {
      CivilDate m = MonthStart(AddMonths(t, -*n));
      r = {m, AddMonths(m, 1)};
    } else if (kind == "years_ago") {
      int y = t.year - static_cast<int>(*n);
      r = {CivilDate{y, 1, 1}, CivilDate{y + 1, 1, 1}};
    } else if (kind == "after_days_ago") {
      if (*n == 0) return std::nullopt;
      r.lower = AddDays(t, -*n);
    } else if (kind == "day_of_month") {
      if (*n < 1 || *n > 31) return kNothing;
      const Field& f = l.field;
      std::string local = TypeOf(f).date_storage(f) == types::DateStorage::kDateText
                              ? Expr(f)
                              : "gb_local_datetime(" + Expr(f) + ", " + types::Param(p, tz) + ")";
      return "CAST(substr(" + local + ", 9, 2) AS INTEGER) = " + types::Param(p, *n);
    }
  }
  return RangeSql(l.field, r, tz, p);
}

/// The period [L, U) of a multi-step operator (filters.md §5.5).
std::optional<DateRange> OperatorPeriod(std::string_view op, const std::string& value, const CivilDate& t,
                                        bool* ignored) {
  *ignored = false;
  auto n = [&]() -> std::optional<int64_t> {
    if (value.empty()) return 0;
    return util::CoerceInt(json::value(json::string(value)));
  };
  auto day = [](CivilDate d) { return DateRange{d, AddDays(d, 1)}; };
  auto week = [](CivilDate d) { CivilDate s = WeekStart(d); return DateRange{s, AddDays(s, 7)}; };
  auto month = [](CivilDate d) { CivilDate s = MonthStart(d); return DateRange{s, AddMonths(s, 1)}; };
  auto year = [](int y) { return DateRange{CivilDate{y, 1, 1}, CivilDate{y + 1, 1, 1}}; };
  if (op == "today") return day(t);
  if (op == "yesterday") return day(AddDays(t, -1));
  if (op == "tomorrow") return day(AddDays(t, 1));
  if (op == "one_week_ago") return week(AddDays(t, -7));
  if (op == "this_week") return week(t);
  if (op == "next_week") return week(AddDays(t, 7));
  if (op == "one_month_ago") return month(AddMonths(t, -1));
  if (op == "this_month") return month(t);
  if (op == "next_month") return month(AddMonths(t, 1));
  if (op == "one_year_ago") return year(t.year - 1);
  if (op == "this_year") return year(t.year);
  if (op == "next_year") return year(t.year + 1);
  if (op == "exact_date") {
    if (value.empty()) {
      *ignored = true;
      return std::nullopt;
    }
    auto d = util::ParseIsoDate(value);
    if (!d) return std::nullopt;
    return day(*d);
  }
  if (op.rfind("nr_", 0) == 0) {
    if (op.find("days") != std::string_view::npos && value.empty()) {
      *ignored = true;
      return std::nullopt;
    }
    auto k = n();
    if (!k) return std::nullopt;
    int64_t sign = op.ends_with("_ago") ? -1 : 1;
    if (op == "nr_days_ago" || op == "nr_days_from_now") return day(AddDays(t, sign * *k));
    if (op == "nr_weeks_ago" || op == "nr_weeks_from_now") return week(AddDays(t, sign * 7 * *k));
    if (op == "nr_months_ago" || op == "nr_months_from_now") return month(AddMonths(t, sign * *k));
    if (op == "nr_years_ago" || op == "nr_years_from_now") return year(t.year + static_cast<int>(sign * *k));
  }
  return std::nullopt;
}

Built MultiStepDate(const FilterLeaf& l, SqlParams& p, std::string_view kind) {
  auto parts = util::Split(l.value, '?');
  if (parts.size() != 3) return kNothing;
  std::string tz = parts[0].empty() ? std::string() : std::string(parts[0]);
  if (!tz.empty() && !util::IsKnownTimeZone(tz)) return kNothing;
  std::string value(util::Trim(parts[1]));
  std::string_view op = parts[2];
  CivilDate t = Today(tz);
  bool ignored = false;
  if (kind == "within" && op == "today") return kNothing;
  auto period = OperatorPeriod(op, value, t, &ignored);
  if (ignored) return std::nullopt;
  if (!period) return kNothing;
  DateRange r;
  if (kind == "is") r = *period;
  else if (kind == "before") r.upper = period->lower;
  else if (kind == "on_or_before") r.upper = period->upper;
  else if (kind == "after") r.lower = period->upper;
  else if (kind == "on_or_after") r.lower = period->lower;
  else if (kind == "within") {
    if (util::DaysFromCivil(t) < util::DaysFromCivil(*period->upper)) r = {t, period->upper};
    else r = {period->lower, AddDays(t, 1)};
  }
  return RangeSql(l.field, r, tz, p);
}

// --- registry --------------------------------------------------------------------------

struct FilterDef {
  std::string name;
  std::function<bool(const Field&)> compatible;
  std::function<Built(const FilterLeaf&, SqlParams&)> build;
  bool negated = false;
};

const std::vector<FilterDef>& Defs() {
  static const std::vector<FilterDef> kDefs = [] {
    std::vector<FilterDef> d;
    auto add = [&](std::string name, std::function<bool(const Field&)> compat,
                   std::function<Built(const FilterLeaf&, SqlParams&)> build, bool negated = false) {
      d.push_back(FilterDef{std::move(name), std::move(compat), std::move(build), negated});
    };
    auto equal_compat = [](const Field& f) {
      return Is(f, {"boolean", "text", "long_text", "url", "number", "rating", "email", "phone_number",
                    "uuid", "autonumber", "duration"});
    };
    auto contains_compat = [](const Field& f) {
      return TextLike(f) || DateLike(f) || Is(f, {"single_select", "multiple_select", "number", "autonumber"});
    };
    auto word_compat = [](const Field& f) {
      return Is(f, {"text", "long_text", "url", "email", "single_select", "multiple_select"});
    };
    auto numeric_compat = [](const Field& f) { return Is(f, {"number", "rating", "autonumber", "duration"}); };
    auto empty_compat = [](const Field& f) {
      return TextLike(f) || DateLike(f) ||
             Is(f, {"number", "rating", "boolean", "single_select", "multiple_select", "duration", "password"});
    };
    add("equal", equal_compat, Equal);
    add("not_equal", equal_compat, Equal, true);
    add("contains", contains_compat, Contains);
    add("contains_not", contains_compat, Contains, true);
    add("contains_word", word_compat, ContainsWord);
    add("doesnt_contain_word", word_compat, ContainsWord, true);
    add("length_is_lower_than", TextLike, LengthLower);
    add("higher_than", numeric_compat, [](const FilterLeaf& l, SqlParams& p) { return Compare(l, p, ">"); });
    add("higher_than_or_equal", numeric_compat, [](const FilterLeaf& l, SqlParams& p) { return Compare(l, p, ">="); });
    add("lower_than", numeric_compat, [](const FilterLeaf& l, SqlParams& p) { return Compare(l, p, "<"); });
    add("lower_than_or_equal", numeric_compat, [](const FilterLeaf& l, SqlParams& p) { return Compare(l, p, "<="); });
    add("is_even_and_whole", [](const Field& f) { return Is(f, {"number", "autonumber"}); }, EvenAndWhole);
    auto cmp = [&](std::string name, Cmp c, bool negated = false) {
      add(std::move(name), DateLike, [c](const FilterLeaf& l, SqlParams& p) { return LegacyDateCompare(l, p, c); },
          negated);
    };
    cmp("date_equal", Cmp::kEqual);
    cmp("date_before", Cmp::kBefore);
    cmp("date_before_or_equal", Cmp::kBeforeOrEqual);
    auto rel = [&](std::string name, std::string kind) {
      add(std::move(name), DateLike,
          [kind](const FilterLeaf& l, SqlParams& p) { return LegacyDateRelative(l, p, kind); });
    };
    rel("date_after_days_ago", "after_days_ago");
    cmp("date_after", Cmp::kAfter);
    cmp("date_after_or_equal", Cmp::kAfterOrEqual);
    cmp("date_not_equal", Cmp::kEqual, true);
    rel("date_equals_today", "today");
    rel("date_before_today", "before_today");
    rel("date_after_today", "after_today");
    rel("date_within_days", "within_days");
    rel("date_within_weeks", "within_weeks");
    rel("date_within_months", "within_months");
    rel("date_equals_days_ago", "days_ago");
    rel("date_equals_months_ago", "months_ago");
    rel("date_equals_years_ago", "years_ago");
    rel("date_equals_week", "week");
    rel("date_equals_month", "month");
    rel("date_equals_day_of_month", "day_of_month");
    rel("date_equals_year", "year");
    auto multi = [&](std::string name, std::string kind, bool negated = false) {
      add(std::move(name), DateLike, [kind](const FilterLeaf& l, SqlParams& p) { return MultiStepDate(l, p, kind); },
          negated);
    };
    multi("date_is", "is");
    multi("date_is_not", "is", true);
    multi("date_is_before", "before");
    multi("date_is_on_or_before", "on_or_before");
    multi("date_is_after", "after");
    multi("date_is_on_or_after", "on_or_after");
    multi("date_is_within", "within");
    auto single = [](const Field& f) { return f.type == "single_select"; };
    add("single_select_equal", single, SingleSelectEqual);
    add("single_select_not_equal", single, SingleSelectEqual, true);
    add("single_select_is_any_of", single, SingleSelectAnyOf);
    add("single_select_is_none_of", single, SingleSelectAnyOf, true);
    add("boolean", [](const Field& f) { return f.type == "boolean"; }, BooleanFilter);
    add("empty", empty_compat, Empty);
    add("not_empty", empty_compat, Empty, true);
    auto multiple = [](const Field& f) { return f.type == "multiple_select"; };
    add("multiple_select_has", multiple, MultipleSelectHas);
    add("multiple_select_has_not", multiple, MultipleSelectHas, true);
    return d;
  }();
  return kDefs;
}

const FilterDef* FindDef(std::string_view name) {
  for (const auto& d : Defs())
    if (d.name == name) return &d;
  return nullptr;
}

/// Resolves a filter type for a field, throwing Baserow's errors.
void CheckFilter(const Field& f, std::string_view type) {
  const FilterDef* def = FindDef(type);
  if (!def) {
    throw Error("ERROR_VIEW_FILTER_TYPE_DOES_NOT_EXIST",
                fmt::format("The view filter type {} doesn't exist.", type));
  }
  if (!def->compatible(f)) {
    throw Error("ERROR_VIEW_FILTER_TYPE_UNSUPPORTED_FIELD",
                fmt::format("The filter {} is not compatible with field type {}.", type, f.type));
  }
}

Built CompileLeaf(const FilterLeaf& l, SqlParams& p) {
  if (l.id_pseudo) {
    std::vector<int64_t> ids = IdList(l.value);
    if (ids.empty()) return std::nullopt;
    return "t.id IN " + InList(p, ids);
  }
  const FilterDef* def = FindDef(l.type);
  Built positive = def->build(l, p);
  if (!positive || !def->negated) return positive;
  return "NOT COALESCE((" + *positive + "), 1 = 0)";
}

Field PseudoTimestampField(std::string_view type) {
  Field f;
  f.type = std::string(type);
  f.props["date_include_time"] = true;
  return f;
}

}  // namespace filter_impl

using namespace filter_impl;

void CheckFilterType(const types::Field& field, std::string_view type) { CheckFilter(field, type); }

const std::vector<std::string>& FilterTypeNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> out;
    for (const auto& d : Defs()) out.push_back(d.name);
    return out;
  }();
  return kNames;
}

namespace {

[[noreturn]] void FiltersInvalid(json::value detail) {
  throw Error("ERROR_FILTERS_PARAM_VALIDATION_ERROR", std::move(detail));
}

json::array ErrorList(std::string_view message, std::string_view code) {
  return json::array{json::object{{"error", message}, {"code", code}}};
}

std::string FieldRefText(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  auto s = util::CoerceString(v);
  return s.value_or("");
}

/// Validates the shape of a node; returns the detail object when invalid.
json::object ValidateNode(const json::value& node) {
  json::object errors;
  if (!node.is_object()) {
    errors["non_field_errors"] = ErrorList(
        fmt::format("Invalid data. Expected a dictionary, but got {}.", util::Validator::PythonType(node)), "invalid");
    return errors;
  }
  const auto& obj = node.as_object();
  const auto* ft = obj.if_contains("filter_type");
  if (!ft) errors["filter_type"] = ErrorList("This field is required.", "required");
  else if (!ft->is_string() || (ft->as_string() != "AND" && ft->as_string() != "OR"))
    errors["filter_type"] = ErrorList(fmt::format("\"{}\" is not a valid choice.", FieldRefText(*ft)), "invalid_choice");
  if (const auto* filters = obj.if_contains("filters")) {
    if (!filters->is_array()) {
      errors["filters"] = ErrorList(fmt::format("Expected a list of items but got type \"{}\".",
                                                util::Validator::PythonType(*filters)), "not_a_list");
    } else {
      json::object items;
      const auto& arr = filters->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        json::object item_errors;
        if (!arr[i].is_object()) {
          item_errors["non_field_errors"] = ErrorList(
              fmt::format("Invalid data. Expected a dictionary, but got {}.", util::Validator::PythonType(arr[i])),
              "invalid");
        } else {
          const auto& f = arr[i].as_object();
          if (!f.contains("field")) item_errors["field"] = ErrorList("This field is required.", "required");
          const auto* type = f.if_contains("type");
          if (!type) item_errors["type"] = ErrorList("This field is required.", "required");
          else if (!type->is_string()) item_errors["type"] = ErrorList("Not a valid string.", "invalid");
          const auto* value = f.if_contains("value");
          if (value && !value->is_null() && !util::CoerceString(*value))
            item_errors["value"] = ErrorList("Not a valid string.", "invalid");
        }
        if (!item_errors.empty()) items[std::to_string(i)] = std::move(item_errors);
      }
      if (!items.empty()) errors["filters"] = std::move(items);
    }
  }
  if (const auto* groups = obj.if_contains("groups")) {
    if (!groups->is_array()) {
      errors["groups"] = json::object{
          {"non_field_errors", ErrorList(fmt::format("Expected a list of items but got type \"{}\".",
                                                     util::Validator::PythonType(*groups)), "not_a_list")}};
    } else {
      json::object items;
      const auto& arr = groups->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        auto sub = ValidateNode(arr[i]);
        if (!sub.empty()) items[std::to_string(i)] = std::move(sub);
      }
      if (!items.empty()) errors["groups"] = std::move(items);
    }
  }
  return errors;
}

FilterNode BuildNode(const json::object& obj, const types::TableSchema& schema, bool names, int depth) {
  if (depth > 32) FiltersInvalid(json::object{{"groups", ErrorList("The filters are nested too deeply.", "invalid")}});
  FilterNode node;
  node.is_or = obj.at("filter_type").as_string() == "OR";
  if (const auto* filters = obj.if_contains("filters")) {
    for (const auto& item : filters->as_array()) {
      const auto& f = item.as_object();
      const auto& ref = f.at("field");
      const Field* field = nullptr;
      if (names) {
        if (ref.is_string()) field = schema.FindByName(ref.as_string());
      } else if (auto id = util::CoerceInt(ref); id && !ref.is_bool()) {
        field = schema.FindById(*id);
      }
      if (!field) {
        throw Error("ERROR_FILTER_FIELD_NOT_FOUND",
                    fmt::format("The field {} was not found in the table.", FieldRefText(ref)));
      }
      std::string type(f.at("type").as_string());
      CheckFilter(*field, type);
      FilterLeaf leaf;
      leaf.field = *field;
      leaf.type = std::move(type);
      if (const auto* v = f.if_contains("value"); v && !v->is_null()) leaf.value = *util::CoerceString(*v);
      leaf.value.erase(std::remove(leaf.value.begin(), leaf.value.end(), '\0'), leaf.value.end());
      node.filters.push_back(std::move(leaf));
    }
  }
  if (const auto* groups = obj.if_contains("groups")) {
    for (const auto& g : groups->as_array()) node.groups.push_back(BuildNode(g.as_object(), schema, names, depth + 1));
  }
  return node;
}

}  // namespace

FilterNode ParseFilterTree(std::string_view json_text, const types::TableSchema& schema, bool user_field_names) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(json_text, ec, {}, opts);
  if (ec) FiltersInvalid(json::object{{"error", "The provided filters are not valid JSON."}, {"code", "invalid_json"}});
  auto errors = ValidateNode(v);
  if (!errors.empty()) FiltersInvalid(std::move(errors));
  return BuildNode(v.as_object(), schema, user_field_names, 0);
}

FilterNode ParseLegacyFilters(const QueryParams& params, const types::TableSchema& schema, bool user_field_names) {
  FilterNode node;
  for (const auto& [key, value] : params) {
    if (key == "filter_type") node.is_or = util::ToLower(util::Trim(value)) == "or";
  }
  for (const auto& [key, value] : params) {
    if (key.rfind("filter__", 0) != 0) continue;
    std::string rest = key.substr(8);
    size_t sep = rest.rfind("__");
    if (sep == std::string::npos || sep == 0 || sep + 2 >= rest.size()) continue;
    std::string field_part = rest.substr(0, sep), type = rest.substr(sep + 2);
    FilterLeaf leaf;
    leaf.type = type;
    leaf.value = value;
    const Field* field = nullptr;
    if (user_field_names) field = schema.FindByName(field_part);
    if (!field) {
      if (field_part == "field_id" && type == "in") {
        leaf.id_pseudo = true;
        node.filters.push_back(std::move(leaf));
        continue;
      }
      if (field_part == "field_created_on" || field_part == "field_updated_on") {
        leaf.field = PseudoTimestampField(field_part == "field_created_on" ? "created_on" : "last_modified");
        CheckFilter(leaf.field, type);
        node.filters.push_back(std::move(leaf));
        continue;
      }
      static const std::regex kFieldId(R"(^field_(\d{1,18})$)");
      std::smatch m;
      if (!std::regex_match(field_part, m, kFieldId)) continue;  // not a field reference: ignored
      field = schema.FindById(std::stoll(m[1].str()));
      if (!field) {
        throw Error("ERROR_FILTER_FIELD_NOT_FOUND",
                    fmt::format("The field {} was not found in the table.", m[1].str()));
      }
    }
    CheckFilter(*field, type);
    leaf.field = *field;
    node.filters.push_back(std::move(leaf));
  }
  return node;
}

std::string CompileFilters(const FilterNode& node, SqlParams& params) {
  std::vector<std::string> parts;
  for (const auto& leaf : node.filters) {
    if (auto sql = CompileLeaf(leaf, params)) parts.push_back("(" + *sql + ")");
  }
  for (const auto& group : node.groups) {
    std::string sql = CompileFilters(group, params);
    if (sql != types::kSqlTrue) parts.push_back("(" + sql + ")");
  }
  if (parts.empty()) return types::kSqlTrue;
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? (node.is_or ? " OR " : " AND ") : "") + parts[i];
  return out;
}

}  // namespace gridbase::query
