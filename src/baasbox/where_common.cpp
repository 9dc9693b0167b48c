// Value rules of the `where` language shared by the parser, the SQL compiler and the evaluator:
// numbers, dates, coercion toward the field (§8.7), comparison, LIKE and scalar methods.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "baasbox/where_internal.hpp"
#include "util/strings.hpp"
#include "util/dates.hpp"
#include "util/geo.hpp"

namespace gridbase::baasbox::where {

Value Value::Bool(bool v) {
  Value out;
  out.type = Type::kBool;
  out.b = v;
  return out;
}

Value Value::String(std::string v) {
  Value out;
  out.type = Type::kString;
  out.text = std::move(v);
  return out;
}

Value Value::Date(int64_t ms) {
  Value out;
  out.type = Type::kDate;
  out.date_ms = ms;
  return out;
}

Value Value::Integer(int64_t v) {
  Value out;
  out.type = Type::kNumber;
  out.num = static_cast<double>(v);
  out.integer = v;
  out.text = std::to_string(v);
  return out;
}

std::optional<Value> Value::ParseNumber(std::string_view s) {
  // number = [ "-" ] digits [ "." digits ] [ ( "e" | "E" ) [ "+" | "-" ] digits ]
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return std::nullopt;
  bool plain = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    plain = false;
    if (!digits()) return std::nullopt;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    plain = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  Value out;
  out.type = Type::kNumber;
  out.text = std::string(s);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out.num);
  if (r.ec != std::errc() || !std::isfinite(out.num)) return std::nullopt;
  if (out.num == 0) out.num = 0;  // no negative zero
  if (plain) {
    int64_t v = 0;
    auto ri = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) out.integer = v;
  }
  return out;
}

namespace internal {

bool ValidText(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates, beyond U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += n + 1;
  }
  return true;
}

int64_t CodePoints(std::string_view s) {
  int64_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string RenderNumber(const Value& v) {
  if (v.integer) return std::to_string(*v.integer);
  double d = v.num;
  if (std::floor(d) == d && std::fabs(d) < 9.0e15) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, r.ptr);
}

std::string RenderDate(int64_t ms) {
  int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
  int64_t rem = ms - days * 86400000;
  util::CivilDate d = util::CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%03d+0000", d.year, d.month, d.day,
                static_cast<int>(rem / 3600000), static_cast<int>(rem / 60000 % 60), static_cast<int>(rem / 1000 % 60),
                static_cast<int>(rem % 1000));
  return buf;
}

namespace {

/// A strict reader of fixed-width date parts.
struct DateReader {
  std::string_view s;
  size_t i = 0;
  bool Digits(int n, int& out) {
    if (i + n > s.size()) return false;
    out = 0;
    for (int k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return false;
      out = out * 10 + (c - '0');
    }
    i += n;
    return true;
  }
  bool Char(char c) {
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return i == s.size(); }
};

struct DateParts {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, ms = 0, offset_min = 0;
};

std::optional<int64_t> ToMillis(const DateParts& p) {
  if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.h > 23 || p.mi > 59 || p.sec > 59) return std::nullopt;
  util::CivilDate cd{p.y, static_cast<unsigned>(p.mo), static_cast<unsigned>(p.d)};
  int64_t days = util::DaysFromCivil(cd);
  if (!(util::CivilFromDays(days) == cd)) return std::nullopt;  // 31 April and the like
  return ((days * 86400 + p.h * 3600 + p.mi * 60 + p.sec) * 1000 + p.ms) - int64_t{p.offset_min} * 60000;
}

/// "Z" | ±HH:MM | ±HHMM | ±HH (required when `required`).
bool ReadZone(DateReader& r, DateParts& p, bool colon_allowed, bool required) {
  if (r.AtEnd()) return !required;
  if (r.Char('Z')) return true;
  int sign = 0;
  if (r.Char('+')) sign = 1;
  else if (r.Char('-')) sign = -1;
  else return false;
  int hh = 0, mm = 0;
  if (!r.Digits(2, hh)) return false;
  if (!r.AtEnd()) {
    if (colon_allowed) r.Char(':');
    if (!r.Digits(2, mm)) return false;
  }
  if (hh > 23 || mm > 59) return false;
  p.offset_min = sign * (hh * 60 + mm);
  return true;
}

}  // namespace

std::optional<int64_t> ParseDate(std::string_view s, std::optional<std::string_view> fmt) {
  DateReader r{s};
  DateParts p;
  if (fmt) {
    if (*fmt == "yyyy-MM-dd") {
      if (!r.Digits(4, p.y) || !r.Char('-') || !r.Digits(2, p.mo) || !r.Char('-') || !r.Digits(2, p.d) || !r.AtEnd())
        return std::nullopt;
      return ToMillis(p);
    }
    if (*fmt == "yyyy-MM-dd HH:mm:ss" || *fmt == "yyyy-MM-dd'T'HH:mm:ss.SSSZ") {
      bool full = fmt->size() > 19;
      if (!r.Digits(4, p.y) || !r.Char('-') || !r.Digits(2, p.mo) || !r.Char('-') || !r.Digits(2, p.d) ||
          !r.Char(full ? 'T' : ' ') || !r.Digits(2, p.h) || !r.Char(':') || !r.Digits(2, p.mi) || !r.Char(':') ||
          !r.Digits(2, p.sec))
        return std::nullopt;
      if (full) {
        // Java's Z: ±HHMM.
        if (!r.Char('.') || !r.Digits(3, p.ms)) return std::nullopt;
        int sign = r.Char('+') ? 1 : (r.Char('-') ? -1 : 0);
        int hh = 0, mm = 0;
        if (!sign || !r.Digits(2, hh) || !r.Digits(2, mm) || hh > 23 || mm > 59) return std::nullopt;
        p.offset_min = sign * (hh * 60 + mm);
      }
      if (!r.AtEnd()) return std::nullopt;
      return ToMillis(p);
    }
    throw CriteriaError("unsupported date format '" + std::string(*fmt) + "'");
  }
  // ISO 8601: a date, or date 'T' time with optional seconds fraction and zone.
  if (!r.Digits(4, p.y) || !r.Char('-') || !r.Digits(2, p.mo) || !r.Char('-') || !r.Digits(2, p.d)) return std::nullopt;
  if (r.AtEnd()) return ToMillis(p);
  if (!r.Char('T') && !r.Char(' ')) return std::nullopt;
  if (!r.Digits(2, p.h) || !r.Char(':') || !r.Digits(2, p.mi)) return std::nullopt;
  if (r.Char(':')) {
    if (!r.Digits(2, p.sec)) return std::nullopt;
    if (r.Char('.')) {
      int digits = 0;
      int ms = 0;
      while (!r.AtEnd() && r.s[r.i] >= '0' && r.s[r.i] <= '9') {
        if (digits < 3) ms = ms * 10 + (r.s[r.i] - '0');
        ++digits;
        ++r.i;
      }
      if (digits == 0 || digits > 9) return std::nullopt;
      for (int k = digits; k < 3; ++k) ms *= 10;
      p.ms = ms;
    }
  }
  if (!ReadZone(r, p, true, false) || !r.AtEnd()) return std::nullopt;
  return ToMillis(p);
}

std::optional<Value> Coerce(const Value& v, Type to) {
  if (v.type == Type::kNull || to == Type::kNull) return std::nullopt;
  if (v.type == to) return v;
  switch (to) {
    case Type::kNumber:
      if (v.type == Type::kString) return Value::ParseNumber(v.text);
      return std::nullopt;
    case Type::kString:
      if (v.type == Type::kNumber) return Value::String(RenderNumber(v));
      if (v.type == Type::kBool) return Value::String(v.b ? "true" : "false");
      if (v.type == Type::kDate) return Value::String(RenderDate(v.date_ms));
      return std::nullopt;
    case Type::kBool:
      if (v.type == Type::kString) {
        if (v.text.size() == 4 && AsciiLower(v.text) == "true") return Value::Bool(true);
        if (v.text.size() == 5 && AsciiLower(v.text) == "false") return Value::Bool(false);
      }
      return std::nullopt;
    case Type::kDate:
      if (v.type == Type::kString) {
        auto ms = ParseDate(v.text);
        if (ms) return Value::Date(*ms);
        return std::nullopt;
      }
      if (v.type == Type::kNumber) {
        if (v.integer) return Value::Date(*v.integer);
        if (std::floor(v.num) == v.num && std::fabs(v.num) < 9.0e15) return Value::Date(static_cast<int64_t>(v.num));
        return std::nullopt;
      }
      return std::nullopt;
    case Type::kNull:
      return std::nullopt;
  }
  return std::nullopt;
}

namespace {

/// -1, 0, 1: exact comparison of two numbers (integers compare exactly with doubles).
int NumberOrder(const Value& a, const Value& b) {
  if (a.integer && b.integer) return *a.integer < *b.integer ? -1 : (*a.integer > *b.integer ? 1 : 0);
  if (!a.integer && !b.integer) return a.num < b.num ? -1 : (a.num > b.num ? 1 : 0);
  bool flip = !a.integer;
  int64_t i = flip ? *b.integer : *a.integer;
  double d = flip ? a.num : b.num;
  int r;
  // i vs d, exactly.
  if (d >= 9.3e18) r = -1;
  else if (d <= -9.3e18) r = 1;
  else {
    double fl = std::floor(d);
    auto di = static_cast<int64_t>(fl);
    if (i < di) r = -1;
    else if (i > di) r = 1;
    else r = fl < d ? -1 : 0;
  }
  return flip ? -r : r;
}

template <class T>
int Order(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool Holds(int order, CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return order == 0;
    case CmpOp::kNe: return order != 0;
    case CmpOp::kLt: return order < 0;
    case CmpOp::kLe: return order <= 0;
    case CmpOp::kGt: return order > 0;
    case CmpOp::kGe: return order >= 0;
  }
  return false;
}

}  // namespace

bool CompareSame(const Value& a, CmpOp op, const Value& b) {
  switch (a.type) {
    case Type::kNumber: return Holds(NumberOrder(a, b), op);
    case Type::kString: return Holds(Order(a.text, b.text), op);  // bytes of UTF-8 = code points
    case Type::kBool: return Holds(Order(a.b, b.b), op);
    case Type::kDate: return Holds(Order(a.date_ms, b.date_ms), op);
    case Type::kNull: return false;
  }
  return false;
}

bool CompareConst(const Value& a, CmpOp op, const Value& b) {
  if (a.type == Type::kNull) return false;
  auto cb = Coerce(b, a.type);
  return cb && CompareSame(a, op, *cb);
}

bool LikeMatch(std::string_view value, std::string_view pattern) {
  if (value.empty() || pattern.empty()) return false;
  size_t first = pattern.find('%');
  if (first == std::string_view::npos) return value == pattern;
  // Split on '%': the first piece anchors the start, the last the end, the rest in order.
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    size_t p = pattern.find('%', start);
    pieces.push_back(pattern.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  std::string_view head = pieces.front(), tail = pieces.back();
  if (value.size() < head.size() + tail.size()) return false;
  if (value.substr(0, head.size()) != head) return false;
  if (value.substr(value.size() - tail.size()) != tail) return false;
  size_t pos = head.size();
  size_t end = value.size() - tail.size();
  for (size_t k = 1; k + 1 < pieces.size(); ++k) {
    if (pieces[k].empty()) continue;
    size_t f = value.substr(0, end).find(pieces[k], pos);
    if (f == std::string_view::npos) return false;
    pos = f + pieces[k].size();
  }
  return true;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view TrimChars(std::string_view s) {
  size_t b = s.find_first_not_of(kTrimChars);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kTrimChars);
  return s.substr(b, e + 1 - b);
}

Value ApplyMethod(const Value& v, Method m) {
  switch (m) {
    case Method::kToLowerCase:
      return v.type == Type::kString ? Value::String(util::Utf8CaseMap(v.text, false)) : Value::Null();
    case Method::kToUpperCase:
      return v.type == Type::kString ? Value::String(util::Utf8CaseMap(v.text, true)) : Value::Null();
    case Method::kTrim:
      return v.type == Type::kString ? Value::String(std::string(TrimChars(v.text))) : Value::Null();
    case Method::kLength:
      if (v.type == Type::kNull) return Value::Integer(0);
      return v.type == Type::kString ? Value::Integer(CodePoints(v.text)) : Value::Null();
    case Method::kSize:
      return Value::Integer(0);  // scalars have no elements
  }
  return Value::Null();
}

Value Distance(const Value& lat1, const Value& lon1, const Value& lat2, const Value& lon2) {
  for (const Value* v : {&lat1, &lon1, &lat2, &lon2})
    if (v->type != Type::kNumber) return Value::Null();
  Value out;
  out.type = Type::kNumber;
  out.num = util::HaversineKm(lat1.num, lon1.num, lat2.num, lon2.num);
  if (out.num == 0) out.num = 0;  // no negative zero
  return out;
}

}  // namespace internal

std::vector<std::vector<std::string>> PathTable::DocumentHidden() {
  return {{"_allow"}, {"_allowRead"}, {"_allowUpdate"}, {"_allowDelete"}, {"_links"}, {"_audit"}, {"_node"}};
}

}  // namespace gridbase::baasbox::where
