// The `where` lexer (§8.4), recursive-descent parser (§8.3) and parameter binding (§8.8).
// Tier 1 is complete, and of tier 2 the function distance(lat1, lon1, lat2, lon2) (§8.5:
// exactly four operands, name in any case); the other tier 2 constructs (CONTAINSALL/KEY/VALUE/
// TEXT, MATCHES, a lone operand, the as*/string-slicing/keys/values methods, RID literals) are
// refused with the criteria error, as is everything §8.4 lists as rejected.
#include <fmt/format.h>

#include <charconv>

#include "baasbox/where_internal.hpp"

namespace gridbase::baasbox::where {

namespace {

enum class Tok { kEnd, kWord, kBacktick, kString, kNumber, kPlaceholder, kAtName, kLParen, kRParen, kLBracket, kRBracket, kComma, kDot, kOp };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // word, backtick name, string value, number text, @name (lower case)
  size_t pos = 0;
  CmpOp op = CmpOp::kEq;
};

[[noreturn]] void Fail(size_t pos, std::string_view reason) {
  throw CriteriaError(fmt::format("at {}: {}", pos, reason));
}

bool IsWordStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsWordChar(char c) { return IsWordStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IEq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    while (true) {
      Token t = Next();
      out.push_back(t);
      if (t.kind == Tok::kEnd) break;
    }
    return out;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;

  char At(size_t k) const { return k < s_.size() ? s_[k] : '\0'; }

  Token Next() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r' || s_[i_] == '\n')) ++i_;
    Token t;
    t.pos = i_;
    if (i_ >= s_.size()) return t;
    char c = s_[i_];
    if (c == '\'' || c == '"') return String(c);
    if (c == '`') return Backtick();
    if (IsDigit(c) || (c == '-' && IsDigit(At(i_ + 1)))) return Number();
    if (IsWordStart(c)) {
      size_t j = i_;
      while (j < s_.size() && IsWordChar(s_[j])) ++j;
      t.kind = Tok::kWord;
      t.text = std::string(s_.substr(i_, j - i_));
      for (auto w : {"select", "traverse", "instanceof"}) {
        if (IEq(t.text, w)) Fail(i_, fmt::format("'{}' is not supported", t.text));
      }
      i_ = j;
      return t;
    }
    if (c == '@') {
      size_t j = i_ + 1;
      while (j < s_.size() && IsWordChar(s_[j])) ++j;
      std::string name = internal::AsciiLower(s_.substr(i_ + 1, j - i_ - 1));
      if (name != "rid" && name != "class" && name != "version") Fail(i_, "unsupported attribute '@" + name + "'");
      t.kind = Tok::kAtName;
      t.text = "@" + name;
      i_ = j;
      return t;
    }
    ++i_;
    switch (c) {
      case '?': t.kind = Tok::kPlaceholder; return t;
      case '(': t.kind = Tok::kLParen; return t;
      case ')': t.kind = Tok::kRParen; return t;
      case '[': t.kind = Tok::kLBracket; return t;
      case ']': t.kind = Tok::kRBracket; return t;
      case ',': t.kind = Tok::kComma; return t;
      case '.': t.kind = Tok::kDot; return t;
      case '=':
        t.kind = Tok::kOp;
        if (At(i_) == '=') ++i_;
        t.op = CmpOp::kEq;
        return t;
      case '<':
        t.kind = Tok::kOp;
        if (At(i_) == '>') {
          ++i_;
          t.op = CmpOp::kNe;
        } else if (At(i_) == '=') {
          ++i_;
          t.op = CmpOp::kLe;
        } else {
          t.op = CmpOp::kLt;
        }
        return t;
      case '>':
        t.kind = Tok::kOp;
        if (At(i_) == '=') {
          ++i_;
          t.op = CmpOp::kGe;
        } else {
          t.op = CmpOp::kGt;
        }
        return t;
      case '!':
        if (At(i_) == '=') {
          ++i_;
          t.kind = Tok::kOp;
          t.op = CmpOp::kNe;
          return t;
        }
        Fail(t.pos, "unexpected '!'");
      case ';': Fail(t.pos, "';' is not allowed");
      case '-': Fail(t.pos, At(i_) == '-' ? "comments are not allowed" : "arithmetic is not supported");
      case '/': Fail(t.pos, At(i_) == '*' ? "comments are not allowed" : "arithmetic is not supported");
      case '+':
      case '*':
      case '%': Fail(t.pos, "arithmetic is not supported");
      case '$': Fail(t.pos, "variables are not supported");
      case ':': Fail(t.pos, "named parameters are not supported");
      case '#': Fail(t.pos, "RID literals are not supported");
      case '{':
      case '}': Fail(t.pos, "map literals are not supported");
      default: Fail(t.pos, "unexpected character");
    }
  }

  Token String(char quote) {
    Token t;
    t.kind = Tok::kString;
    t.pos = i_;
    ++i_;
    while (true) {
      if (i_ >= s_.size()) Fail(t.pos, "unterminated string");
      char c = s_[i_];
      if (c == quote) {
        ++i_;
        return t;
      }
      if (c != '\\') {
        t.text += c;
        ++i_;
        continue;
      }
      if (i_ + 1 >= s_.size()) Fail(t.pos, "unterminated string");
      char e = s_[i_ + 1];
      i_ += 2;
      switch (e) {
        case 'n': t.text += '\n'; break;
        case 'r': t.text += '\r'; break;
        case 't': t.text += '\t'; break;
        case 'b': t.text += '\b'; break;
        case 'f': t.text += '\f'; break;
        case 'u': {
          uint32_t cp = Hex4(i_ - 2);
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (At(i_) != '\\' || At(i_ + 1) != 'u') Fail(i_, "unpaired surrogate in \\u escape");
            i_ += 2;
            uint32_t lo = Hex4(i_ - 2);
            if (lo < 0xDC00 || lo > 0xDFFF) Fail(i_, "unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            Fail(i_, "unpaired surrogate in \\u escape");
          }
          if (cp == 0) Fail(i_, "NUL characters are not allowed");
          AppendUtf8(t.text, cp);
          break;
        }
        default:
          // `\x` for any other x is x (a multi-byte character is copied whole by the loop).
          t.text += e;
      }
    }
  }

  uint32_t Hex4(size_t escape_pos) {
    if (i_ + 4 > s_.size()) Fail(escape_pos, "bad \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = s_[i_ + k];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= h - '0';
      else if (h >= 'a' && h <= 'f') v |= h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') v |= h - 'A' + 10;
      else Fail(escape_pos, "bad \\u escape");
    }
    i_ += 4;
    return v;
  }

  Token Backtick() {
    Token t;
    t.kind = Tok::kBacktick;
    t.pos = i_;
    size_t end = s_.find('`', i_ + 1);
    if (end == std::string_view::npos) Fail(i_, "unterminated `name`");
    t.text = std::string(s_.substr(i_ + 1, end - i_ - 1));
    if (t.text.empty()) Fail(i_, "empty `name`");
    if (t.text.find_first_of("\"\\") != std::string::npos) Fail(i_, "a `name` cannot hold '\"' or '\\'");
    for (char ch : t.text)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) Fail(i_, "a `name` cannot hold control characters");
    i_ = end + 1;
    return t;
  }

  Token Number() {
    Token t;
    t.kind = Tok::kNumber;
    t.pos = i_;
    size_t j = i_;
    if (s_[j] == '-') ++j;
    while (IsDigit(At(j))) ++j;
    if (At(j) == '.' && IsDigit(At(j + 1))) {
      j += 2;
      while (IsDigit(At(j))) ++j;
    }
    if ((At(j) == 'e' || At(j) == 'E') &&
        (IsDigit(At(j + 1)) || ((At(j + 1) == '+' || At(j + 1) == '-') && IsDigit(At(j + 2))))) {
      j += 2;
      while (IsDigit(At(j))) ++j;
    }
    if (IsWordChar(At(j))) Fail(i_, "bad number");
    t.text = std::string(s_.substr(i_, j - i_));
    i_ = j;
    return t;
  }
};

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  Where Run() {
    Where w;
    w.root = Or(0);
    if (Peek().kind != Tok::kEnd) Fail(Peek().pos, "unexpected input");
    w.placeholders = placeholders_;
    return w;
  }

 private:
  std::vector<Token> t_;
  size_t k_ = 0;
  int placeholders_ = 0;
  int predicates_ = 0;
  int function_depth_ = 0;  // distance() inside distance()

  const Token& Peek(size_t ahead = 0) const { return t_[std::min(k_ + ahead, t_.size() - 1)]; }
  const Token& Take() { return t_[std::min(k_++, t_.size() - 1)]; }
  bool IsWord(const Token& t, std::string_view w) const { return t.kind == Tok::kWord && IEq(t.text, w); }
  void Expect(Tok kind, std::string_view what) {
    if (Peek().kind != kind) Fail(Peek().pos, fmt::format("expected {}", what));
    ++k_;
  }
  void ExpectWord(std::string_view w) {
    if (!IsWord(Peek(), w)) Fail(Peek().pos, fmt::format("expected {}", w));
    ++k_;
  }
  static void CheckDepth(int depth, size_t pos) {
    if (depth > kMaxDepth) Fail(pos, "nesting too deep");
  }

  Expr Or(int depth) {
    Expr first = And(depth);
    if (!IsWord(Peek(), "or")) return first;
    Expr e;
    e.kind = Expr::Kind::kOr;
    e.children.push_back(std::move(first));
    while (IsWord(Peek(), "or")) {
      ++k_;
      e.children.push_back(And(depth));
    }
    return e;
  }

  Expr And(int depth) {
    Expr first = Unary(depth);
    if (!IsWord(Peek(), "and")) return first;
    Expr e;
    e.kind = Expr::Kind::kAnd;
    e.children.push_back(std::move(first));
    while (IsWord(Peek(), "and")) {
      ++k_;
      e.children.push_back(Unary(depth));
    }
    return e;
  }

  static bool StartsUnary(const Token& t) {
    switch (t.kind) {
      case Tok::kWord:
      case Tok::kBacktick:
      case Tok::kString:
      case Tok::kNumber:
      case Tok::kPlaceholder:
      case Tok::kAtName:
      case Tok::kLParen: return true;
      default: return false;
    }
  }

  Expr Unary(int depth) {
    const Token& t = Peek();
    // NOT is a keyword when an operand or '(' follows; otherwise `not` is a field name.
    if (IsWord(t, "not") && StartsUnary(Peek(1))) {
      CheckDepth(depth + 1, t.pos);
      ++k_;
      Expr e;
      e.kind = Expr::Kind::kNot;
      e.children.push_back(Unary(depth + 1));
      return e;
    }
    if (t.kind == Tok::kLParen) {
      CheckDepth(depth + 1, t.pos);
      ++k_;
      Expr e = Or(depth + 1);
      Expect(Tok::kRParen, "')'");
      return e;
    }
    return Predicate(depth);
  }

  Expr Predicate(int depth) {
    size_t pos = Peek().pos;
    if (++predicates_ > kMaxPredicates) Fail(pos, "too many predicates");
    Expr e;
    e.operands.push_back(Operand_());
    const Token& t = Peek();
    if (t.kind == Tok::kOp) {
      ++k_;
      e.kind = Expr::Kind::kCompare;
      e.op = t.op;
      e.operands.push_back(Operand_());
      return e;
    }
    if (t.kind != Tok::kWord) {
      if (t.kind == Tok::kEnd || t.kind == Tok::kRParen) Fail(t.pos, "a lone operand is not a condition");
      Fail(t.pos, "expected an operator");
    }
    if (IsWord(t, "is")) {
      ++k_;
      e.kind = Expr::Kind::kIsNull;
      if (IsWord(Peek(), "not")) {
        ++k_;
        e.negated = true;
      }
      ExpectWord("null");
      return e;
    }
    bool negate = false;
    if (IsWord(t, "not")) {
      ++k_;
      if (!IsWord(Peek(), "like") && !IsWord(Peek(), "in")) Fail(Peek().pos, "expected LIKE or IN after NOT");
      negate = true;
    }
    const Token& op = Peek();
    if (IsWord(op, "like")) {
      ++k_;
      e.kind = Expr::Kind::kLike;
      Operand pattern = Operand_();
      if (pattern.kind != Operand::Kind::kValue && pattern.kind != Operand::Kind::kPlaceholder)
        Fail(pattern.pos, "a LIKE pattern must be a string or '?'");
      if (pattern.kind == Operand::Kind::kValue && pattern.value.text.size() > kMaxPatternBytes)
        Fail(pattern.pos, "LIKE pattern too long");
      e.operands.push_back(std::move(pattern));
    } else if (IsWord(op, "in")) {
      ++k_;
      e.kind = Expr::Kind::kIn;
      InList(e);
    } else if (negate) {
      Fail(op.pos, "expected LIKE or IN after NOT");
    } else if (IsWord(op, "between")) {
      ++k_;
      e.kind = Expr::Kind::kBetween;
      e.operands.push_back(Operand_());
      ExpectWord("and");
      e.operands.push_back(Operand_());
    } else if (IsWord(op, "contains")) {
      ++k_;
      if (Peek().kind == Tok::kLParen) {
        const Operand& field = e.operands[0];
        if (field.kind != Operand::Kind::kPath || !field.methods.empty())
          Fail(field.pos, "CONTAINS (condition) needs a field path");
        CheckDepth(depth + 1, Peek().pos);
        ++k_;
        e.kind = Expr::Kind::kContainsCond;
        e.children.push_back(Or(depth + 1));
        Expect(Tok::kRParen, "')'");
      } else {
        e.kind = Expr::Kind::kContainsValue;
        e.operands.push_back(Operand_());
      }
    } else if (IsWord(op, "containsall") || IsWord(op, "containskey") || IsWord(op, "containsvalue") ||
               IsWord(op, "containstext") || IsWord(op, "matches")) {
      Fail(op.pos, fmt::format("operator {} is not supported", op.text));
    } else if (IsWord(op, "and") || IsWord(op, "or")) {
      Fail(op.pos, "a lone operand is not a condition");
    } else {
      Fail(op.pos, "expected an operator");
    }
    if (!negate) return e;
    Expr n;
    n.kind = Expr::Kind::kNot;
    n.children.push_back(std::move(e));
    return n;
  }

  void InList(Expr& e) {
    const Token& t = Peek();
    if (t.kind == Tok::kLBracket || t.kind == Tok::kLParen) {
      Tok close = t.kind == Tok::kLBracket ? Tok::kRBracket : Tok::kRParen;
      ++k_;
      if (close == Tok::kRBracket && Peek().kind == Tok::kRBracket) {
        ++k_;
        return;  // empty list: matches nothing
      }
      while (true) {
        if (e.operands.size() > kMaxInItems) Fail(Peek().pos, "IN list too long");
        e.operands.push_back(Operand_());
        if (Peek().kind == Tok::kComma) {
          ++k_;
          continue;
        }
        Expect(close, close == Tok::kRBracket ? "']'" : "')'");
        return;
      }
    }
    e.in_single = true;
    Operand src = Operand_();
    if (src.kind != Operand::Kind::kPlaceholder && src.kind != Operand::Kind::kPath)
      Fail(src.pos, "IN needs a list, '?' or a field");
    e.operands.push_back(std::move(src));
  }

  // operand = atom { "." method }
  Operand Operand_() {
    const Token& t = Peek();
    Operand o;
    o.pos = t.pos;
    switch (t.kind) {
      case Tok::kString:
        ++k_;
        o.value = Value::String(t.text);
        break;
      case Tok::kNumber: {
        ++k_;
        auto v = Value::ParseNumber(t.text);
        if (!v) Fail(t.pos, "bad number");
        o.value = std::move(*v);
        break;
      }
      case Tok::kPlaceholder:
        ++k_;
        o.kind = Operand::Kind::kPlaceholder;
        o.placeholder = placeholders_++;
        break;
      case Tok::kWord:
        if (Peek(1).kind == Tok::kLParen) {
          Function(o);
          break;
        }
        if (IsWord(t, "true") || IsWord(t, "false")) {
          ++k_;
          o.value = Value::Bool(IsWord(t, "true"));
          break;
        }
        if (IsWord(t, "null")) {
          ++k_;
          break;
        }
        [[fallthrough]];
      case Tok::kBacktick:
      case Tok::kAtName:
        o.kind = Operand::Kind::kPath;
        Segment(o);
        break;
      default:
        Fail(t.pos, "expected an operand");
    }
    // { "." ( segment | method ) }: segments only on paths and before any method.
    while (Peek().kind == Tok::kDot) {
      const Token& n = Peek(1);
      if (n.kind == Tok::kWord && Peek(2).kind == Tok::kLParen) {
        k_ += 2;
        Method_(o, n);
        continue;
      }
      if (o.kind != Operand::Kind::kPath || !o.methods.empty()) Fail(n.pos, "expected a method call");
      if (n.kind != Tok::kWord && n.kind != Tok::kBacktick && n.kind != Tok::kAtName) Fail(n.pos, "expected a field name");
      ++k_;
      Segment(o);
    }
    return o;
  }

  // segment = name { "[" integer "]" }
  void Segment(Operand& o) {
    const Token& name = Take();
    Step s;
    s.key = name.text;
    o.path.push_back(std::move(s));
    while (Peek().kind == Tok::kLBracket) {
      ++k_;
      const Token& n = Peek();
      if (n.kind != Tok::kNumber || n.text.find_first_not_of("0123456789") != std::string::npos)
        Fail(n.pos, "an index must be a non-negative integer");
      int64_t idx = 0;
      auto r = std::from_chars(n.text.data(), n.text.data() + n.text.size(), idx);
      if (r.ec != std::errc() || idx > 0x7FFFFFFF) Fail(n.pos, "index too large");
      ++k_;
      Expect(Tok::kRBracket, "']'");
      Step s2;
      s2.is_index = true;
      s2.index = idx;
      o.path.push_back(std::move(s2));
    }
    if (o.path.size() > kMaxPathSteps) Fail(name.pos, "path too long");
  }

  void Method_(Operand& o, const Token& name) {
    static const std::pair<std::string_view, Method> kMethods[] = {
        {"tolowercase", Method::kToLowerCase}, {"touppercase", Method::kToUpperCase}, {"length", Method::kLength},
        {"size", Method::kSize},               {"trim", Method::kTrim}};
    std::optional<Method> m;
    for (const auto& [n, v] : kMethods)
      if (IEq(name.text, n)) m = v;
    if (!m) Fail(name.pos, fmt::format("method {}() is not supported", name.text));
    ++k_;  // '('
    if (Peek().kind != Tok::kRParen) Fail(Peek().pos, fmt::format("{}() takes no arguments", name.text));
    ++k_;
    if (o.methods.size() >= kMaxMethods) Fail(name.pos, "too many method calls");
    o.methods.push_back(*m);
  }

  void Function(Operand& o) {
    const Token& name = Take();
    ++k_;  // '('
    if (IEq(name.text, "sysdate")) {
      o.kind = Operand::Kind::kSysdate;
      Expect(Tok::kRParen, "')' (sysdate takes no arguments)");
      return;
    }
    if (IEq(name.text, "distance")) {
      // distance(lat1, lon1, lat2, lon2): four operands of any kind (§8.5).
      if (++function_depth_ > kMaxDepth) Fail(name.pos, "nesting too deep");
      o.kind = Operand::Kind::kDistance;
      while (true) {
        if (Peek().kind == Tok::kRParen) break;
        o.args.push_back(Operand_());
        if (Peek().kind != Tok::kComma) break;
        ++k_;
      }
      if (o.args.size() != 4 || Peek().kind != Tok::kRParen)
        Fail(name.pos, fmt::format("{}() takes 4 arguments (lat1, lon1, lat2, lon2)", name.text));
      ++k_;
      --function_depth_;
      return;
    }
    if (!IEq(name.text, "date")) Fail(name.pos, fmt::format("function {}() is not supported", name.text));
    o.kind = Operand::Kind::kDate;
    while (true) {
      const Token& a = Peek();
      Operand arg;
      arg.pos = a.pos;
      if (a.kind == Tok::kString) {
        arg.value = Value::String(a.text);
      } else if (a.kind == Tok::kPlaceholder) {
        arg.kind = Operand::Kind::kPlaceholder;
        arg.placeholder = placeholders_++;
      } else {
        Fail(a.pos, "date() takes a string or '?'");
      }
      ++k_;
      o.args.push_back(std::move(arg));
      if (Peek().kind == Tok::kComma && o.args.size() < 2) {
        ++k_;
        continue;
      }
      Expect(Tok::kRParen, "')'");
      return;
    }
  }
};

// --- binding -------------------------------------------------------------------------------

struct Binder {
  std::span<const std::string> params;
  int64_t now_ms;

  void BindOperand(Operand& o) {
    for (auto& a : o.args) {
      // A bare `?` argument of distance() is a number when its value parses as one (§8.7's
      // coercion of a param toward a number, as `n = ?` with "2"); anything else stays as is.
      bool numeric_param = o.kind == Operand::Kind::kDistance && a.kind == Operand::Kind::kPlaceholder && a.methods.empty();
      BindOperand(a);
      if (numeric_param) {
        if (auto n = Value::ParseNumber(a.value.text)) a.value = std::move(*n);
      }
    }
    switch (o.kind) {
      case Operand::Kind::kPlaceholder:
        o.kind = Operand::Kind::kValue;
        o.value = Value::String(params[o.placeholder]);
        break;
      case Operand::Kind::kDate: {
        std::optional<std::string_view> fmt;
        if (o.args.size() > 1) fmt = o.args[1].value.text;
        auto ms = internal::ParseDate(o.args[0].value.text, fmt);
        if (!ms) Fail(o.pos, "unparsable date");
        o.kind = Operand::Kind::kValue;
        o.value = Value::Date(*ms);
        o.args.clear();
        break;
      }
      case Operand::Kind::kSysdate:
        o.kind = Operand::Kind::kValue;
        o.value = Value::Date(now_ms);
        break;
      default:
        break;
    }
  }

  void BindExpr(Expr& e) {
    for (auto& c : e.children) BindExpr(c);
    for (auto& o : e.operands) BindOperand(o);
    if (e.kind == Expr::Kind::kLike) {
      Value p = e.operands[1].value;
      for (Method m : e.operands[1].methods) p = internal::ApplyMethod(p, m);
      if (p.type == Type::kString && p.text.size() > kMaxPatternBytes) Fail(e.operands[1].pos, "LIKE pattern too long");
    }
  }
};

}  // namespace

Where Parse(std::string_view text) {
  if (text.size() > kMaxWhereBytes) throw CriteriaError("where is longer than 4096 bytes");
  if (!internal::ValidText(text)) throw CriteriaError("where is not valid UTF-8 text");
  Where w = Parser(Lexer(text).Run()).Run();
  return w;
}

Where Bind(Where w, std::span<const std::string> params, int64_t now_ms) {
  if (params.size() > kMaxParams) throw CriteriaError("more than 100 params");
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].size() > kMaxParamBytes) throw CriteriaError(fmt::format("param {} is longer than 4096 bytes", i + 1));
    if (!internal::ValidText(params[i])) throw CriteriaError(fmt::format("param {} is not valid UTF-8 text", i + 1));
  }
  if (static_cast<size_t>(w.placeholders) > params.size())
    throw CriteriaError(fmt::format("{} params expected, {} given", w.placeholders, params.size()));
  Binder{params, now_ms}.BindExpr(w.root);
  w.bound = true;
  return w;
}

Where ParseAndBind(std::string_view text, std::span<const std::string> params, int64_t now_ms) {
  return Bind(Parse(text), params, now_ms);
}

}  // namespace gridbase::baasbox::where
