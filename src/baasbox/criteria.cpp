#include "baasbox/criteria.hpp"

#include <set>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "baasbox/common.hpp"
#include "baasbox/where.hpp"
#include "util/geo.hpp"

namespace gridbase::baasbox {

// Internals live in their own namespace: baasbox/ is one unity translation unit.
namespace criteria_impl {

namespace json = boost::json;

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

[[noreturn]] void BadInteger(const std::string& param) {
  throw BbError(400, param + " parameter must be a valid Integer");
}

// --- tokens ----------------------------------------------------------------------------------

enum class Tok { kName, kDot, kLBracket, kRBracket, kLParen, kRParen, kComma, kStar, kNumber, kEnd };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  bool quoted = false;  // a backticked name (never a keyword or function)
  size_t pos = 0;
};

[[noreturn]] void Fail(size_t pos, const std::string& why) {
  throw CriteriaError(fmt::format("at {}: {}", pos, why));
}

std::vector<Token> Lex(std::string_view s) {
  if (s.size() > 1024) Fail(0, "criteria string longer than 1024 bytes");
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char ch = s[i];
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
      ++i;
      continue;
    }
    Token t;
    t.pos = i;
    auto ident_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    if (std::isalpha(static_cast<unsigned char>(ch)) || ch == '_' || ch == '@') {
      size_t j = i + 1;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.kind = Tok::kName;
      t.text = std::string(s.substr(i, j - i));
      if (ch == '@' && !(t.text == "@rid" || t.text == "@class" || t.text == "@version")) Fail(i, "unknown @ name");
      i = j;
    } else if (ch == '`') {
      size_t j = s.find('`', i + 1);
      if (j == std::string_view::npos || j == i + 1) Fail(i, "bad backticked name");
      t.kind = Tok::kName;
      t.quoted = true;
      t.text = std::string(s.substr(i + 1, j - i - 1));
      i = j + 1;
    } else if (std::isdigit(static_cast<unsigned char>(ch)) ||
               (ch == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      // An index, or a number argument of distance(): [-]digits[.digits][e[+|-]digits].
      auto digit = [&](size_t k) { return k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])); };
      size_t j = i + 1;
      while (digit(j)) ++j;
      if (j < s.size() && s[j] == '.' && digit(j + 1)) {
        j += 2;
        while (digit(j)) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E') &&
          (digit(j + 1) || (j + 2 < s.size() && (s[j + 1] == '+' || s[j + 1] == '-') && digit(j + 2)))) {
        j += 2;
        while (digit(j)) ++j;
      }
      t.kind = Tok::kNumber;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else {
      switch (ch) {
        case '.': t.kind = Tok::kDot; break;
        case '[': t.kind = Tok::kLBracket; break;
        case ']': t.kind = Tok::kRBracket; break;
        case '(': t.kind = Tok::kLParen; break;
        case ')': t.kind = Tok::kRParen; break;
        case ',': t.kind = Tok::kComma; break;
        case '*': t.kind = Tok::kStar; break;
        default: Fail(i, fmt::format("unexpected character '{}'", ch));
      }
      ++i;
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out.push_back(end);
  return out;
}

// --- AST ---------------------------------------------------------------------------------------

enum class Meth { kLower, kUpper, kLength, kSize, kTrim };
enum class Agg { kNone, kCount, kSum, kAvg, kMin, kMax };

struct PathOp {
  std::vector<where::Step> steps;
  std::vector<Meth> methods;
};

/// An argument of distance(): a path (with methods) or a number literal.
struct DistanceArg {
  std::optional<PathOp> path;
  double number = 0;
};

struct Item {
  Agg agg = Agg::kNone;
  bool star = false;  // count(*)
  PathOp op;
  std::vector<DistanceArg> distance;  // distance(lat1, lon1, lat2, lon2) when not empty
  std::string name;   // output name
};

struct OrderKey {
  PathOp op;
  bool desc = false;
};

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::vector<std::string>>& hidden)
      : toks_(Lex(text)), hidden_(hidden) {}

  bool AtEnd() const { return toks_[i_].kind == Tok::kEnd; }
  const Token& Peek(size_t k = 0) const { return toks_[std::min(i_ + k, toks_.size() - 1)]; }
  const Token& Take() { return toks_[i_ < toks_.size() - 1 ? i_++ : i_]; }
  void Expect(Tok k, const char* what) {
    if (Peek().kind != k) Fail(Peek().pos, std::string("expected ") + what);
    Take();
  }
  bool TakeComma() {
    if (Peek().kind != Tok::kComma) return false;
    Take();
    return true;
  }
  bool PeekKeyword(std::string_view kw) const {
    return Peek().kind == Tok::kName && !Peek().quoted && IEquals(Peek().text, kw);
  }

  PathOp Path() {
    PathOp p;
    const Token& first = Peek();
    if (first.kind != Tok::kName) Fail(first.pos, "expected a path");
    if (!first.quoted && Peek(1).kind == Tok::kLParen) Fail(first.pos, "unknown function " + first.text);
    p.steps.push_back(where::Step{false, Take().text, 0});
    while (true) {
      if (Peek().kind == Tok::kLBracket) {
        if (!p.methods.empty()) Fail(Peek().pos, "index after a method");
        Take();
        if (Peek().kind != Tok::kNumber || Peek().text.find_first_not_of("0123456789") != std::string::npos)
          Fail(Peek().pos, "expected an index");
        auto n = ParseInt(Take().text);
        if (!n) Fail(Peek().pos, "index out of range");
        p.steps.push_back(where::Step{true, "", *n});
        Expect(Tok::kRBracket, "]");
      } else if (Peek().kind == Tok::kDot) {
        Take();
        const Token& name = Peek();
        if (name.kind != Tok::kName) Fail(name.pos, "expected a name after '.'");
        if (!name.quoted && Peek(1).kind == Tok::kLParen) {
          std::string m = Take().text;
          Take();
          Expect(Tok::kRParen, ")");
          if (IEquals(m, "toLowerCase")) p.methods.push_back(Meth::kLower);
          else if (IEquals(m, "toUpperCase")) p.methods.push_back(Meth::kUpper);
          else if (IEquals(m, "length")) p.methods.push_back(Meth::kLength);
          else if (IEquals(m, "size")) p.methods.push_back(Meth::kSize);
          else if (IEquals(m, "trim")) p.methods.push_back(Meth::kTrim);
          else Fail(name.pos, "unknown method " + m);
          if (p.methods.size() > where::kMaxMethods) Fail(name.pos, "too many methods");
        } else {
          if (!p.methods.empty()) Fail(name.pos, "field after a method");
          p.steps.push_back(where::Step{false, Take().text, 0});
        }
      } else {
        break;
      }
      if (p.steps.size() > where::kMaxPathSteps) Fail(Peek().pos, "path too long");
    }
    CheckHidden(p, first.pos);
    return p;
  }

  void CheckHidden(const PathOp& p, size_t pos) const {
    for (const auto& h : hidden_) {
      if (h.empty() || h.size() > p.steps.size()) continue;
      bool match = true;
      for (size_t k = 0; k < h.size(); ++k) {
        if (p.steps[k].is_index || p.steps[k].key != h[k]) {
          match = false;
          break;
        }
      }
      if (match) Fail(pos, "hidden field");
    }
  }

  /// distance(lat1, lon1, lat2, lon2) of §8.5: four paths or numbers.
  void Distance(Item& it) {
    const Token& name = Take();
    Take();  // '('
    while (Peek().kind != Tok::kRParen) {
      DistanceArg a;
      if (Peek().kind == Tok::kNumber) {
        auto v = where::Value::ParseNumber(Take().text);
        if (!v) Fail(name.pos, "bad number");
        a.number = v->num;
      } else {
        a.path = Path();
      }
      it.distance.push_back(std::move(a));
      if (Peek().kind != Tok::kComma) break;
      Take();
    }
    if (it.distance.size() != 4 || Peek().kind != Tok::kRParen)
      Fail(name.pos, "distance() takes 4 arguments (lat1, lon1, lat2, lon2)");
    Take();
    it.name = "distance";
  }

  Item FieldItem() {
    Item it;
    const Token& t = Peek();
    if (t.kind == Tok::kName && !t.quoted && Peek(1).kind == Tok::kLParen && IEquals(t.text, "distance")) {
      Distance(it);
    } else if (t.kind == Tok::kName && !t.quoted && Peek(1).kind == Tok::kLParen) {
      if (IEquals(t.text, "count")) it.agg = Agg::kCount;
      else if (IEquals(t.text, "sum")) it.agg = Agg::kSum;
      else if (IEquals(t.text, "avg")) it.agg = Agg::kAvg;
      else if (IEquals(t.text, "min")) it.agg = Agg::kMin;
      else if (IEquals(t.text, "max")) it.agg = Agg::kMax;
      else Fail(t.pos, "unknown function " + t.text);
      std::string fname = t.text;
      for (auto& c : fname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      it.name = fname;
      Take();
      Take();
      if (Peek().kind == Tok::kStar) {
        if (it.agg != Agg::kCount) Fail(Peek().pos, "* is only allowed in count(*)");
        Take();
        it.star = true;
      } else {
        it.op = Path();
      }
      Expect(Tok::kRParen, ")");
    } else {
      it.op = Path();
      it.name = it.op.steps.front().key;
    }
    if (PeekKeyword("as")) {
      Take();
      if (Peek().kind != Tok::kName) Fail(Peek().pos, "expected an alias");
      it.name = Take().text;
    }
    return it;
  }

  std::vector<Item> Fields() {
    std::vector<Item> items;
    do items.push_back(FieldItem());
    while (TakeComma());
    if (!AtEnd()) Fail(Peek().pos, "unexpected text");
    // Output names: a clash gets a numeric suffix (max, max2).
    std::map<std::string, int> seen;
    for (auto& it : items) {
      int n = ++seen[it.name];
      if (n > 1) {
        std::string candidate = it.name + std::to_string(n);
        while (seen.count(candidate)) candidate = it.name + std::to_string(++n);
        seen[candidate] = 1;
        it.name = candidate;
      }
    }
    return items;
  }

  std::vector<PathOp> GroupBy() {
    std::vector<PathOp> out;
    do out.push_back(Path());
    while (TakeComma());
    if (!AtEnd()) Fail(Peek().pos, "unexpected text");
    return out;
  }

  std::vector<OrderKey> OrderBy() {
    std::vector<OrderKey> out;
    do {
      OrderKey k;
      k.op = Path();
      if (PeekKeyword("asc")) Take();
      else if (PeekKeyword("desc")) {
        Take();
        k.desc = true;
      }
      out.push_back(std::move(k));
    } while (TakeComma());
    if (!AtEnd()) Fail(Peek().pos, "unexpected text");
    return out;
  }

 private:
  std::vector<Token> toks_;
  size_t i_ = 0;
  const std::vector<std::vector<std::string>>& hidden_;
};

// --- evaluation --------------------------------------------------------------------------------

std::optional<json::value> Walk(const json::value& v, const std::vector<where::Step>& steps, size_t i) {
  if (i == steps.size()) return v;
  const where::Step& s = steps[i];
  if (s.is_index) {
    if (!v.is_array()) return std::nullopt;
    const auto& a = v.get_array();
    if (s.index < 0 || static_cast<size_t>(s.index) >= a.size()) return std::nullopt;
    return Walk(a[static_cast<size_t>(s.index)], steps, i + 1);
  }
  if (v.is_object()) {
    const auto* f = v.get_object().if_contains(s.key);
    if (!f) return std::nullopt;
    return Walk(*f, steps, i + 1);
  }
  if (v.is_array()) {  // a key applied to an array maps over its elements
    json::array out;
    for (const auto& e : v.get_array()) {
      auto r = Walk(e, steps, i);
      if (r) out.push_back(std::move(*r));
    }
    return json::value(std::move(out));
  }
  return std::nullopt;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<json::value> Eval(const PathOp& op, const CriteriaRow& row) {
  std::optional<json::value> v;
  const std::string& head = op.steps.front().key;
  if (!op.steps.front().is_index && row.system.contains(head)) {
    if (op.steps.size() == 1) v = row.system.at(head);
  } else if (head[0] != '@') {
    if (const auto* f = row.doc.if_contains(head)) v = Walk(*f, op.steps, 1);
  }
  for (Meth m : op.methods) {
    switch (m) {
      case Meth::kLower:
      case Meth::kUpper:
        if (v && v->is_string()) {
          std::string s(v->get_string());
          for (auto& c : s) {
            c = static_cast<char>(m == Meth::kLower ? std::tolower(static_cast<unsigned char>(c))
                                                    : std::toupper(static_cast<unsigned char>(c)));
          }
          v = json::value(s);
        } else {
          v.reset();
        }
        break;
      case Meth::kLength:
        if (!v || v->is_null()) v = json::value(int64_t{0});
        else if (v->is_string()) v = json::value(static_cast<int64_t>(CodePoints(v->get_string())));
        else v.reset();
        break;
      case Meth::kSize:
        if (v && v->is_array()) v = json::value(static_cast<int64_t>(v->get_array().size()));
        else if (v && v->is_object()) v = json::value(static_cast<int64_t>(v->get_object().size()));
        else v = json::value(int64_t{0});
        break;
      case Meth::kTrim:
        if (v && v->is_string()) {
          std::string_view s = v->get_string();
          while (!s.empty() && std::string_view(" \t\r\n").find(s.front()) != std::string_view::npos) s.remove_prefix(1);
          while (!s.empty() && std::string_view(" \t\r\n").find(s.back()) != std::string_view::npos) s.remove_suffix(1);
          v = json::value(std::string(s));
        } else {
          v.reset();
        }
        break;
    }
  }
  return v;
}

/// distance() of a `fields` item (§8.5): km, or null unless all four arguments are numbers — the
/// rule and the arithmetic of the `where` function (util::HaversineKm).
json::value EvalDistance(const Item& it, const CriteriaRow& row) {
  double v[4];
  for (size_t i = 0; i < 4; ++i) {
    const DistanceArg& a = it.distance[i];
    if (!a.path) {
      v[i] = a.number;
      continue;
    }
    auto x = Eval(*a.path, row);
    if (!x || !x->is_number()) return nullptr;
    v[i] = x->to_number<double>();
  }
  return util::HaversineKm(v[0], v[1], v[2], v[3]);
}

/// §7.5 order of mixed types: missing/null < false < true < numbers < strings < arrays/objects.
int Rank(const std::optional<json::value>& v) {
  if (!v || v->is_null()) return 0;
  if (v->is_bool()) return v->get_bool() ? 2 : 1;
  if (v->is_number()) return 3;
  if (v->is_string()) return 4;
  return 5;
}

int Compare(const std::optional<json::value>& a, const std::optional<json::value>& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 3) {
    double x = a->to_number<double>(), y = b->to_number<double>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (ra == 4) {
    int c = std::string_view(a->get_string()).compare(std::string_view(b->get_string()));  // bytes = code points
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return 0;
}

json::value Aggregate(const Item& it, const std::vector<const CriteriaRow*>& group) {
  if (it.agg == Agg::kCount) {
    int64_t n = 0;
    for (const auto* r : group) {
      if (it.star) ++n;
      else if (auto v = Eval(it.op, *r); v && !v->is_null()) ++n;
    }
    return n;
  }
  bool is_date = it.op.steps.size() == 1 && it.op.steps[0].key == "_creation_date" && it.op.methods.empty();
  if (it.agg == Agg::kMin || it.agg == Agg::kMax) {
    std::optional<json::value> best;
    for (const auto* r : group) {
      auto v = Eval(it.op, *r);
      if (!v || !(v->is_number() || (is_date && v->is_string()))) continue;
      if (!best || (it.agg == Agg::kMin ? Compare(v, best) < 0 : Compare(v, best) > 0)) best = v;
    }
    return best ? *best : json::value(nullptr);
  }
  // sum / avg over JSON numbers only (§7.4).
  int64_t isum = 0;
  double dsum = 0;
  bool all_int = true;
  int64_t n = 0;
  for (const auto* r : group) {
    auto v = Eval(it.op, *r);
    if (!v || !v->is_number()) continue;
    ++n;
    dsum += v->to_number<double>();
    if (all_int && v->is_int64() && !__builtin_add_overflow(isum, v->get_int64(), &isum)) continue;
    all_int = false;
  }
  if (n == 0) return nullptr;
  if (it.agg == Agg::kAvg) return dsum / static_cast<double>(n);
  if (all_int) return isum;
  return dsum;
}

}  // namespace criteria_impl

Criteria ParseCriteria(const std::vector<std::pair<std::string, std::string>>& query) {
  Criteria c;
  std::optional<std::string> rpp, rpp_old;
  std::set<std::string_view> seen;  // single-valued keys: the first occurrence wins (§1.2)
  for (const auto& [k, v] : query) {
    if (k != "params" && k != "params[]" && !seen.insert(k).second) continue;
    if (k == "where") c.where = v;
    else if (k == "params" || k == "params[]") c.params.push_back(v);
    else if (k == "fields") c.fields = v;
    else if (k == "groupBy") c.group_by = v;
    else if (k == "orderBy") c.order_by = v;
    else if (k == "page") {
      auto n = criteria_impl::ParseInt(v);
      if (!n || *n < -1 || *n > INT32_MAX) criteria_impl::BadInteger("page");
      c.page = *n;
    } else if (k == "recordsPerPage") rpp = v;
    else if (k == "recordPerPage") rpp_old = v;
    else if (k == "skip") {
      auto n = criteria_impl::ParseInt(v);
      if (!n || *n < 0 || *n > INT32_MAX) criteria_impl::BadInteger("skip");
      c.skip = *n;
    } else if (k == "depth") {
      if (!criteria_impl::ParseInt(v)) criteria_impl::BadInteger("depth");
    } else if (k == "count") c.count = criteria_impl::IEquals(v, "true");
    else if (k == "withAcl") c.with_acl = criteria_impl::IEquals(v, "true") || criteria_impl::IEquals(v, "on") || criteria_impl::IEquals(v, "yes");
  }
  if (rpp || rpp_old) {
    const std::string name = rpp ? "recordsPerPage" : "recordPerPage";
    auto n = criteria_impl::ParseInt(rpp ? *rpp : *rpp_old);
    if (!n || *n < 1 || *n > INT32_MAX) criteria_impl::BadInteger(name);
    c.records_per_page = *n;
  }
  return c;
}

void CheckResultCap(size_t n, int64_t max_records) {
  if (max_records > 0 && n > static_cast<size_t>(max_records)) {
    throw BbError(400, fmt::format("Too many records: use page and recordsPerPage (at most {} per request)",
                                   max_records));
  }
}

Paging PagingOf(const Criteria& c, int64_t max_records) {
  Paging p;
  if (c.page >= 0) {
    CheckResultCap(static_cast<size_t>(c.records_per_page), max_records);
    p.offset = c.page * c.records_per_page;
    p.limit = c.records_per_page;
  }
  p.offset += c.skip;
  return p;
}

std::string SqlPaging(const Paging& paging, int64_t max_records, bool postgres, where::SqlParams& params) {
  std::optional<int64_t> limit = paging.limit;
  if (!limit && max_records > 0) limit = max_records + 1;  // detects the cap
  std::string sql;
  if (limit) {
    sql = " LIMIT ? OFFSET ?";
    params.push_back(*limit);
  } else {
    sql = postgres ? " OFFSET ?" : " LIMIT -1 OFFSET ?";
  }
  params.push_back(paging.offset);
  return sql;
}

bool NeedsInMemory(const Criteria& c) {
  return !c.order_by.empty() || !c.group_by.empty() || (!c.fields.empty() && c.fields != "*");
}

std::optional<std::vector<where::OrderTerm>> SqlOrder(const Criteria& c,
                                                      const std::vector<std::vector<std::string>>& hidden) {
  if (c.order_by.empty() || !c.group_by.empty() || (!c.fields.empty() && c.fields != "*")) return std::nullopt;
  std::vector<where::OrderTerm> out;
  for (const auto& k : criteria_impl::Parser(c.order_by, hidden).OrderBy()) {
    if (k.op.steps.size() != 1 || k.op.steps[0].is_index || !k.op.methods.empty()) return std::nullopt;
    out.push_back(where::OrderTerm{k.op.steps[0].key, k.desc});
  }
  return out;
}

void CheckCriteriaSyntax(const Criteria& c, const std::vector<std::vector<std::string>>& hidden) {
  if (!c.fields.empty() && c.fields != "*") criteria_impl::Parser(c.fields, hidden).Fields();
  if (!c.group_by.empty()) criteria_impl::Parser(c.group_by, hidden).GroupBy();
  if (!c.order_by.empty()) criteria_impl::Parser(c.order_by, hidden).OrderBy();
}

boost::json::array ApplyInMemory(std::vector<CriteriaRow> rows, const Criteria& c, int64_t max_records,
                                 const std::vector<std::vector<std::string>>& hidden) {
  using namespace criteria_impl;
  std::vector<Item> items;
  std::vector<PathOp> groups;
  std::vector<OrderKey> order;
  bool projected = !c.fields.empty() && c.fields != "*";
  if (projected) items = Parser(c.fields, hidden).Fields();
  if (!c.group_by.empty()) groups = Parser(c.group_by, hidden).GroupBy();
  if (!c.order_by.empty()) order = Parser(c.order_by, hidden).OrderBy();

  // Group the rows (first appearance order). Without groupBy: one group per row, or one group
  // of every row when `fields` aggregates (SQL semantics).
  bool has_agg = std::any_of(items.begin(), items.end(), [](const Item& i) { return i.agg != Agg::kNone; });
  std::vector<std::vector<const CriteriaRow*>> grouped;
  if (!groups.empty()) {
    std::map<std::string, size_t> index;
    for (const auto& r : rows) {
      json::array key;
      for (const auto& g : groups) {
        auto v = Eval(g, r);
        key.push_back(v ? *v : json::value(nullptr));
      }
      auto [it, fresh] = index.emplace(json::serialize(key), grouped.size());
      if (fresh) grouped.emplace_back();
      grouped[it->second].push_back(&r);
    }
  } else if (has_agg) {
    grouped.emplace_back();
    for (const auto& r : rows) grouped.back().push_back(&r);
  } else {
    for (const auto& r : rows) grouped.push_back({&r});
  }

  struct Out {
    json::value value;
    const CriteriaRow* rep = nullptr;  // representative source row (null: empty aggregate group)
  };
  std::vector<Out> outs;
  for (const auto& g : grouped) {
    Out o;
    o.rep = g.empty() ? nullptr : g.front();
    if (projected) {
      json::object obj;
      for (const auto& it : items) {
        if (it.agg != Agg::kNone) {
          obj[it.name] = Aggregate(it, g);
        } else if (!it.distance.empty()) {
          obj[it.name] = o.rep ? EvalDistance(it, *o.rep) : json::value(nullptr);
        } else {
          std::optional<json::value> v;
          if (o.rep) v = Eval(it.op, *o.rep);
          obj[it.name] = v ? *v : json::value(nullptr);
        }
      }
      o.value = std::move(obj);
    } else {
      o.value = o.rep ? o.rep->out : json::value(nullptr);
    }
    outs.push_back(std::move(o));
  }

  if (!order.empty()) {
    auto key_of = [&](const Out& o, const OrderKey& k) -> std::optional<json::value> {
      // @rid orders by position in the input (creation order), not by its text.
      if (k.op.steps.size() == 1 && k.op.steps[0].key == "@rid" && k.op.methods.empty() && o.rep) {
        return json::value(static_cast<int64_t>(o.rep - rows.data()));
      }
      if (projected && k.op.steps.size() == 1 && k.op.methods.empty() && o.value.is_object()) {
        if (const auto* v = o.value.get_object().if_contains(k.op.steps[0].key)) return *v;
      }
      if (!o.rep) return std::nullopt;
      return Eval(k.op, *o.rep);
    };
    std::stable_sort(outs.begin(), outs.end(), [&](const Out& a, const Out& b) {
      for (const auto& k : order) {
        int cmp = Compare(key_of(a, k), key_of(b, k));
        if (cmp != 0) return k.desc ? cmp > 0 : cmp < 0;
      }
      return false;
    });
  }

  Paging p = PagingOf(c, max_records);
  json::array result;
  for (size_t i = static_cast<size_t>(std::min<int64_t>(p.offset, static_cast<int64_t>(outs.size())));
       i < outs.size() && (!p.limit || static_cast<int64_t>(result.size()) < *p.limit); ++i) {
    result.push_back(std::move(outs[i].value));
  }
  CheckResultCap(result.size(), max_records);
  return result;
}

}  // namespace gridbase::baasbox
