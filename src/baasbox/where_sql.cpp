// The `where` compiler: a bound AST → a parameterised SQL condition for SQLite (JSON1 over the
// document text) or PostgreSQL (jsonb), with the semantics of where_eval.cpp.
//
// A JSON node is, on SQLite, a JSON-path text expression P into the row document D
// (json_type(D, P) / json_extract(D, P)); on PostgreSQL a jsonb expression J. A `.key` step on
// a node that may be an array (any node but the document root) iterates with json_each /
// jsonb_array_elements inside an EXISTS; on SQLite the next path is bound to a name with
// `json_each(json_array(expr))` so expressions never nest (no LATERAL there). Values are typed
// by a guard on the stored type; a literal or parameter is bound once per type it coerces to.
//
// Injection safety (§8.10): SQL text comes only from the fixed fragments in this file and the
// caller's PathTable; keys, literals and params are bound parameters. PostgreSQL statements go
// through PgDialect::Translate, so this file never spells LIKE (→ ILIKE), REAL, NOCASE,
// json_each on PostgreSQL, nor the jsonb operators `?`, `?|`, `?&`.
//
// Case mapping (toLowerCase/toUpperCase): Unicode simple case mapping, code point by code
// point, identical in the evaluator (util::Utf8CaseMap), on SQLite (gb_lower/gb_upper, the same
// C++ function) and on PostgreSQL (lower/upper under the libc C.UTF-8 collation gb_case).
//
// distance(): on SQLite the registered gb_distance(), util::HaversineKm as in the evaluator; on
// PostgreSQL an inline expression doing the same float8 operations in the same order (see
// util/geo.hpp), so the two agree to the bit. Each argument is its numeric view (NULL unless a
// number); any NULL gives NULL. No stored function, no migration.
#include <fmt/format.h>

#include "baasbox/where_internal.hpp"

namespace gridbase::baasbox::where {

namespace {

/// SQL text with its parameters, in `?` order.
struct Frag {
  std::string text;
  SqlParams params;

  Frag() = default;
  Frag(const char* t) : text(t) {}  // NOLINT: fixed SQL text
  Frag(std::string t) : text(std::move(t)) {}  // NOLINT
  Frag& operator+=(const Frag& o) {
    text += o.text;
    params.insert(params.end(), o.params.begin(), o.params.end());
    return *this;
  }
  friend Frag operator+(Frag a, const Frag& b) {
    a += b;
    return a;
  }
};

Frag Param(types::CellValue v) {
  Frag f("?");
  f.params.push_back(std::move(v));
  return f;
}

const Frag kTrue("(1 = 1)");
const Frag kFalse("(1 = 0)");

Frag Join(const std::vector<Frag>& parts, const char* sep) {
  Frag out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

Frag AnyOf(const std::vector<Frag>& terms) {
  if (terms.empty()) return kFalse;
  if (terms.size() == 1) return terms[0];
  return "(" + Join(terms, " OR ") + ")";
}

struct SNode {
  enum class Kind { kJson, kTyped, kConst };
  Kind kind = Kind::kJson;
  Frag expr;   // kJson: SQLite path text / PostgreSQL jsonb; kTyped: scalar SQL (NULL = missing)
  Type type = Type::kNull;  // kTyped
  Value value;              // kConst
  const PathTable::Projected* proj = nullptr;  // kJson of a projected top-level key
};

/// A list of nodes: rows of `from` filtered by `conds`, each giving `node` (no `from`: one node).
struct SSet {
  std::vector<Frag> from;
  std::vector<Frag> conds;
  SNode node;
};

const char* OpSql(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return " = ";
    case CmpOp::kNe: return " <> ";
    case CmpOp::kLt: return " < ";
    case CmpOp::kLe: return " <= ";
    case CmpOp::kGt: return " > ";
    case CmpOp::kGe: return " >= ";
  }
  return " = ";
}

std::string KeyPathSqlite(std::string_view key) { return fmt::format(".\"{}\"", key); }

class Compiler {
 public:
  Compiler(const store::Dialect& d, const PathTable& paths) : pg_(d.postgres()), paths_(paths) {}

  /// The value of top-level document key `key` when it is of type `t` (string or number).
  Frag KeyValue(const std::string& key, Type t) {
    SSet set = Walk({Step{false, key, 0}}, DocRoot(), true);
    return ViewOrNull(set.node, t);
  }

  /// ORDER BY terms for one `orderBy` key (see CompileOrder).
  std::vector<Frag> OrderTerms(const OrderTerm& term) {
    const char* dir = term.desc ? " DESC" : " ASC";
    std::vector<Frag> out;
    if (term.key == "@rid") {
      out.push_back(Frag(paths_.row_order_sql) + dir);
      return out;
    }
    if (paths_.system.count(term.key) || term.key[0] == '@') {
      auto it = paths_.system.find(term.key);
      if (it == paths_.system.end()) return out;  // missing everywhere: all ties
      Operand o;
      o.kind = Operand::Kind::kPath;
      o.path.push_back(Step{false, term.key, 0});
      SSet set = OperandSet(o, SNode{}, false);
      const Frag& x = set.node.expr;
      out.push_back("(CASE WHEN " + x + " IS NULL THEN 0 ELSE 1 END)" + dir);
      if (pg_ && it->second.type == Type::kString) out.push_back("(" + x + ") COLLATE \"C\"" + dir);
      else out.push_back(x + dir);
      return out;
    }
    SSet set = Walk({Step{false, term.key, 0}}, DocRoot(), true);
    const SNode& n = set.node;
    if (!pg_) {
      out.push_back("(CASE " + SqliteType(n) +
                    " WHEN 'false' THEN 1 WHEN 'true' THEN 2 WHEN 'integer' THEN 3 WHEN 'real' THEN 3 WHEN 'text' THEN "
                    "4 WHEN 'array' THEN 5 WHEN 'object' THEN 5 ELSE 0 END)" + dir);
    } else {
      out.push_back("(CASE " + PgType(n) + " WHEN 'boolean' THEN (CASE WHEN (" + n.expr +
                    ")::boolean THEN 2 ELSE 1 END) WHEN 'number' THEN 3 WHEN 'string' THEN 4 WHEN 'array' THEN 5 WHEN "
                    "'object' THEN 5 ELSE 0 END)" + dir);
    }
    out.push_back(ViewOrNull(n, Type::kNumber) + dir);
    Frag str = ViewOrNull(n, Type::kString);
    out.push_back(pg_ ? "(" + str + ") COLLATE \"C\"" + dir : str + dir);
    return out;
  }

  Frag Expr_(const Expr& e, const SNode& root, bool relative, bool negated) {
    switch (e.kind) {
      case Expr::Kind::kAnd:
      case Expr::Kind::kOr: {
        std::vector<Frag> parts;
        for (const auto& c : e.children) parts.push_back(Expr_(c, root, relative, negated));
        return "(" + Join(parts, e.kind == Expr::Kind::kAnd ? " AND " : " OR ") + ")";
      }
      case Expr::Kind::kNot:
        return "(NOT " + Expr_(e.children[0], root, relative, true) + ")";
      default:
        break;
    }
    Frag p = Predicate(e, root, relative);
    // Two-valued logic: under NOT a NULL must read as false.
    if (negated) return "COALESCE(" + p + ", 1 = 0)";
    return p;
  }

 private:
  bool pg_;
  const PathTable& paths_;
  int alias_ = 0;

  std::string Alias(const char* prefix) { return fmt::format("{}{}", prefix, ++alias_); }
  Frag Doc() const { return Frag(paths_.doc_sql); }

  // --- nodes -----------------------------------------------------------------------------

  Frag SqliteType(const SNode& n) { return "json_type(" + Doc() + ", " + n.expr + ")"; }
  Frag SqliteValue(const SNode& n) { return "json_extract(" + Doc() + ", " + n.expr + ")"; }
  Frag PgType(const SNode& n) { return "jsonb_typeof(" + n.expr + ")"; }

  /// The node's value when it is of type `t`, else NULL; nullopt if it never is.
  std::optional<Frag> View(const SNode& n, Type t) {
    if (n.kind == SNode::Kind::kTyped) {
      if (n.type != t) return std::nullopt;
      return n.expr;
    }
    // kJson
    if (n.proj) {
      if (t == Type::kNumber) return n.proj->numbers ? std::optional<Frag>(Frag(n.proj->prefix + "_n")) : std::nullopt;
      if (t == Type::kString) return n.proj->strings ? std::optional<Frag>(Frag(n.proj->prefix + "_s")) : std::nullopt;
    }
    if (!pg_) {
      const char* guard = nullptr;
      if (t == Type::kNumber) guard = " IN ('integer', 'real')";
      if (t == Type::kString) guard = " = 'text'";
      if (t == Type::kBool) guard = " IN ('true', 'false')";
      if (!guard) return std::nullopt;
      return "(CASE WHEN " + SqliteType(n) + guard + " THEN " + SqliteValue(n) + " END)";
    }
    if (t == Type::kNumber) return "(CASE WHEN " + PgType(n) + " = 'number' THEN (" + n.expr + ")::numeric END)";
    if (t == Type::kString) return "(CASE WHEN " + PgType(n) + " = 'string' THEN (" + n.expr + ") #>> '{}' END)";
    if (t == Type::kBool) return "(CASE WHEN " + PgType(n) + " = 'boolean' THEN ((" + n.expr + ")::boolean)::int END)";
    return std::nullopt;
  }

  /// View, or a NULL of type `t` where the node never is one.
  Frag ViewOrNull(const SNode& n, Type t) {
    auto v = View(n, t);
    return v ? *v : TypedNull(t);
  }

  std::vector<Type> Types(const SNode& n) const {
    if (n.kind == SNode::Kind::kTyped) return {n.type};
    if (n.kind == SNode::Kind::kConst) return {n.value.type};
    return {Type::kNumber, Type::kString, Type::kBool};
  }

  /// A constant bound as a value of type `t` (already coerced).
  Frag Bound(const Value& v, Type t) {
    switch (t) {
      case Type::kNumber:
        if (pg_) return "CAST(" + Param(v.text.empty() ? internal::RenderNumber(v) : v.text) + " AS NUMERIC)";
        if (v.integer) return Param(*v.integer);
        return Param(v.num);
      case Type::kString:
        if (pg_) return "CAST(" + Param(v.text) + " AS TEXT)";
        return Param(v.text);
      case Type::kBool: return Param(int64_t{v.b ? 1 : 0});
      case Type::kDate: return Param(v.date_ms);
      case Type::kNull: return "NULL";
    }
    return "NULL";
  }

  Frag TypedNull(Type t) const {
    if (!pg_) return "NULL";
    return t == Type::kString ? "CAST(NULL AS TEXT)" : (t == Type::kNumber ? "CAST(NULL AS NUMERIC)" : "CAST(NULL AS BIGINT)");
  }

  static SNode MakeTyped(Frag expr, Type t) {
    SNode n;
    n.kind = SNode::Kind::kTyped;
    n.expr = std::move(expr);
    n.type = t;
    return n;
  }

  SNode Method_(const SNode& n, Method m) {
    if (n.kind == SNode::Kind::kConst) {
      SNode out = n;
      out.value = internal::ApplyMethod(n.value, m);
      return out;
    }
    if (n.kind == SNode::Kind::kTyped) {
      const Frag& x = n.expr;
      bool str = n.type == Type::kString;
      switch (m) {
        case Method::kToLowerCase:
        case Method::kToUpperCase:
        case Method::kTrim:
          if (!str) return MakeTyped(TypedNull(Type::kString), Type::kString);
          return MakeTyped(CaseMap(x, m), Type::kString);
        case Method::kLength:
          if (str) return MakeTyped("COALESCE(length(" + x + "), 0)", Type::kNumber);
          return MakeTyped("(CASE WHEN (" + x + ") IS NULL THEN 0 END)", Type::kNumber);
        case Method::kSize: return MakeTyped("0", Type::kNumber);
      }
    }
    // kJson
    switch (m) {
      case Method::kToLowerCase:
      case Method::kToUpperCase:
      case Method::kTrim: return MakeTyped(CaseMap(ViewOrNull(n, Type::kString), m), Type::kString);
      case Method::kLength:
        if (!pg_)
          return MakeTyped("(CASE WHEN COALESCE(" + SqliteType(n) + ", 'null') = 'null' THEN 0 WHEN " + SqliteType(n) +
                               " = 'text' THEN length(" + SqliteValue(n) + ") END)",
                           Type::kNumber);
        return MakeTyped("(CASE WHEN COALESCE(" + PgType(n) + ", 'null') = 'null' THEN 0 WHEN " + PgType(n) +
                             " = 'string' THEN length((" + n.expr + ") #>> '{}') END)",
                         Type::kNumber);
      case Method::kSize:
        if (!pg_)
          return MakeTyped("(CASE " + SqliteType(n) + " WHEN 'array' THEN json_array_length(" + Doc() + ", " + n.expr +
                               ") WHEN 'object' THEN (SELECT count(*) FROM json_each(" + Doc() + ", " + n.expr +
                               ")) ELSE 0 END)",
                           Type::kNumber);
        return MakeTyped("(CASE " + PgType(n) + " WHEN 'array' THEN jsonb_array_length(" + n.expr +
                             ") WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(" + n.expr + ")) ELSE 0 END)",
                         Type::kNumber);
    }
    return MakeTyped(TypedNull(Type::kString), Type::kString);
  }

  Frag CaseMap(const Frag& x, Method m) {
    if (m == Method::kTrim) {
      if (pg_) return "btrim(" + x + ", CAST(" + Param(std::string(internal::kTrimChars)) + " AS TEXT))";
      return "trim(" + x + ", " + Param(std::string(internal::kTrimChars)) + ")";
    }
    // Unicode simple case mapping (§8.5): a C++ function on SQLite (util::Utf8CaseMap), the
    // libc C.UTF-8 collation gb_case on PostgreSQL (migration 14) — both glibc's towlower.
    // (The result is put back under "C", the collation every string comparison here uses.)
    if (pg_) return Frag(m == Method::kToLowerCase ? "(lower(" : "(upper(") + "(" + x + ") COLLATE gb_case) COLLATE \"C\")";
    return Frag(m == Method::kToLowerCase ? "gb_lower(" : "gb_upper(") + x + ")";
  }

  // --- paths -------------------------------------------------------------------------------

  /// Steps not yet turned into SQL: the document root's first key and the indexes after it.
  struct Pending {
    std::string sqlite;      // JSON-path suffix: ."key"[0]
    std::string pg_path;     // jsonpath suffix: ."key"[0]
    std::optional<std::string> pg_key;  // the first key alone (then `->`)
    bool any = false;
    bool only_key = false;
  };

  /// SQLite: P = base || suffix (a static root: one parameter). PostgreSQL: `->` for a lone key,
  /// jsonb_path_query_first in strict mode otherwise (strict: `[n]` on a non-array is missing).
  SNode Materialize(const SNode& base, bool base_is_root, const Pending& p) {
    if (!p.any) return base;
    SNode n;
    if (!pg_) {
      n.expr = base_is_root ? Param("$" + p.sqlite) : "(" + base.expr + " || " + Param(p.sqlite) + ")";
      return n;
    }
    if (p.only_key) {
      n.expr = "(" + base.expr + " -> CAST(" + Param(*p.pg_key) + " AS TEXT))";
      return n;
    }
    n.expr = "jsonb_path_query_first(" + base.expr + ", CAST(" + Param("strict $" + p.pg_path) + " AS JSONPATH), '{}', true)";
    return n;
  }

  static std::string PgPathKey(std::string_view key) {
    std::string out = ".\"";
    out += key;  // keys hold no '"', '\\' or control characters (lexer)
    out += '"';
    return out;
  }

  /// A `.key` step on a node that may be an array: rows over its elements (or itself).
  SNode KeyStep(const SNode& n, const std::string& key, SSet& set) {
    SNode out;
    if (!pg_) {
      std::string e = Alias("we"), s = Alias("ws");
      Frag is_array = SqliteType(n) + " = 'array'";
      set.from.push_back("json_each(CASE WHEN " + is_array + " THEN " + Doc() + " ELSE '[0]' END, CASE WHEN " + is_array +
                         " THEN " + n.expr + " ELSE '$' END) AS " + e);
      set.from.push_back("json_each(json_array(CASE WHEN " + is_array + " THEN (CASE WHEN " + e + ".type = 'object' THEN " + e +
                         ".fullkey || " + Param(KeyPathSqlite(key)) + " END) ELSE " + n.expr + " || " +
                         Param(KeyPathSqlite(key)) + " END)) AS " + s);
      out.expr = s + ".value";
      return out;
    }
    std::string e = Alias("we");
    set.from.push_back("jsonb_array_elements(CASE WHEN " + PgType(n) + " = 'array' THEN " + n.expr +
                       " ELSE jsonb_build_array(" + n.expr + ") END) AS " + e + "(v)");
    out.expr = "(" + e + ".v -> CAST(" + Param(key) + " AS TEXT))";
    return out;
  }

  SSet Walk(const std::vector<Step>& path, const SNode& root, bool root_is_doc) {
    SSet set;
    SNode cur = root;
    bool cur_is_root = root_is_doc;
    Pending p;
    for (size_t i = 0; i < path.size(); ++i) {
      const Step& s = path[i];
      if (s.is_index) {
        p.any = true;
        p.only_key = false;
        p.sqlite += fmt::format("[{}]", s.index);
        p.pg_path += fmt::format("[{}]", s.index);
      } else if (i == 0 && root_is_doc) {
        p.any = true;
        p.only_key = true;
        p.pg_key = s.key;
        p.sqlite += KeyPathSqlite(s.key);
        p.pg_path += PgPathKey(s.key);
      } else {
        cur = Materialize(cur, cur_is_root, p);
        p = Pending{};
        cur_is_root = false;
        cur = KeyStep(cur, s.key, set);
      }
    }
    set.node = Materialize(cur, cur_is_root, p);
    if (root_is_doc && path.size() == 1 && !path[0].is_index) {
      if (auto it = paths_.projected.find(path[0].key); it != paths_.projected.end()) set.node.proj = &it->second;
    }
    return set;
  }

  SNode DocRoot() {
    SNode n;
    n.expr = pg_ ? "(" + Doc() + ")::jsonb" : Frag("'$'");
    return n;
  }

  /// An argument of distance() as a number expression; nullopt when it is never a number.
  std::optional<Frag> NumberArg(const SNode& n) {
    if (n.kind == SNode::Kind::kConst) {
      if (n.value.type != Type::kNumber) return std::nullopt;
      return Bound(n.value, Type::kNumber);
    }
    return View(n, Type::kNumber);
  }

  /// distance(): the arguments' rows combined (every combination, as the evaluator); a constant
  /// when all four arguments are, else a number-typed node.
  SSet DistanceSet(const Operand& o, const SNode& root, bool relative) {
    SSet set;
    std::vector<SNode> args;
    bool constant = true;
    for (const Operand& a : o.args) {
      SSet s = OperandSet(a, root, relative);
      set.from.insert(set.from.end(), s.from.begin(), s.from.end());
      set.conds.insert(set.conds.end(), s.conds.begin(), s.conds.end());
      constant = constant && s.node.kind == SNode::Kind::kConst;
      args.push_back(std::move(s.node));
    }
    if (args.size() != 4) throw std::logic_error("distance() needs 4 arguments");
    if (constant) {
      set.node.kind = SNode::Kind::kConst;
      set.node.value = internal::Distance(args[0].value, args[1].value, args[2].value, args[3].value);
      return set;
    }
    std::vector<Frag> x;
    for (const SNode& a : args) {
      auto f = NumberArg(a);
      if (!f) {
        set.node = MakeTyped(TypedNull(Type::kNumber), Type::kNumber);
        return set;
      }
      x.push_back(std::move(*f));
    }
    if (!pg_) {
      set.node = MakeTyped("gb_distance(" + Join(x, ", ") + ")", Type::kNumber);
      return set;
    }
    // util::HaversineKm step by step: radians, then the half-angle sines, then the clamped
    // asin; a NULL argument leaves the inner row out, so the scalar subquery gives NULL
    // (greatest/least would otherwise skip NULLs).
    std::string r = Alias("wr"), h = Alias("wh");
    auto rad = [](const Frag& f) { return "radians(CAST((" + f + ") AS DOUBLE PRECISION))"; };
    Frag inner = "(SELECT " + rad(x[0]) + " AS p1, " + rad(x[1]) + " AS l1, " + rad(x[2]) + " AS p2, " + rad(x[3]) + " AS l2)";
    Frag half = Frag(fmt::format(
                    "(SELECT {0}.p1, {0}.p2, sin(({0}.p2 - {0}.p1) / 2) AS s1, sin(({0}.l2 - {0}.l1) / 2) AS s2 FROM ", r)) +
                inner +
                fmt::format(" AS {0} WHERE {0}.p1 IS NOT NULL AND {0}.l1 IS NOT NULL AND {0}.p2 IS NOT NULL AND {0}.l2 IS "
                            "NOT NULL)",
                            r);
    Frag expr = Frag(fmt::format("(SELECT 12742 * asin(least(1, sqrt(greatest(0, {0}.s1 * {0}.s1 + cos({0}.p1) * "
                                 "cos({0}.p2) * {0}.s2 * {0}.s2)))) FROM ",
                                 h)) +
                half + " AS " + h + ")";
    set.node = MakeTyped(std::move(expr), Type::kNumber);
    return set;
  }

  SSet OperandSet(const Operand& o, const SNode& root, bool relative) {
    SSet set;
    if (o.kind == Operand::Kind::kDistance) {
      set = DistanceSet(o, root, relative);
    } else if (o.kind != Operand::Kind::kPath) {
      set.node.kind = SNode::Kind::kConst;
      set.node.value = o.value;
    } else if (!relative && (paths_.system.count(o.path[0].key) || o.path[0].key[0] == '@')) {
      auto it = paths_.system.find(o.path[0].key);
      if (it != paths_.system.end() && o.path.size() == 1) {
        const SystemField& f = it->second;
        Frag x(f.sql);
        x.params = f.params;
        if (pg_) {
          const char* type = f.type == Type::kString ? " AS TEXT)" : (f.type == Type::kNumber ? " AS NUMERIC)" : " AS BIGINT)");
          x = "CAST((" + x + ")" + type;
        } else {
          x = "(" + x + ")";
        }
        set.node = MakeTyped(x, f.type);
      } else {
        set.node = MakeTyped(TypedNull(Type::kString), Type::kString);
      }
    } else {
      set = Walk(o.path, relative ? root : DocRoot(), !relative);
    }
    for (Method m : o.methods) set.node = Method_(set.node, m);
    return set;
  }

  /// Some row of `set` satisfies `body(node)`.
  template <class F>
  Frag Exists(const SSet& set, F&& body) {
    Frag b = body(set.node);
    if (set.from.empty() && set.conds.empty()) return b;
    std::vector<Frag> where = set.conds;
    where.push_back(b);
    if (set.from.empty()) return "(" + Join(where, " AND ") + ")";
    return "EXISTS (SELECT 1 FROM " + Join(set.from, ", ") + " WHERE " + Join(where, " AND ") + ")";
  }

  /// The elements of a node (IN, CONTAINS): an array's elements, nothing for missing/null, else
  /// the node itself.
  SSet Elements(const SNode& n) {
    SSet set;
    if (n.kind != SNode::Kind::kJson) {
      set.node = n;
      return set;
    }
    if (!pg_) {
      std::string c = Alias("wc"), s = Alias("ws");
      Frag is_array = SqliteType(n) + " = 'array'";
      set.from.push_back("json_each(CASE WHEN " + is_array + " THEN " + Doc() + " ELSE '[0]' END, CASE WHEN " + is_array +
                         " THEN " + n.expr + " ELSE '$' END) AS " + c);
      set.from.push_back("json_each(json_array(CASE WHEN " + is_array + " THEN " + c + ".fullkey ELSE " + n.expr + " END)) AS " + s);
      set.conds.push_back("COALESCE(" + SqliteType(n) + ", 'null') <> 'null'");
      set.node.expr = s + ".value";
      return set;
    }
    std::string c = Alias("wc");
    set.from.push_back("jsonb_array_elements(CASE WHEN " + PgType(n) + " = 'array' THEN " + n.expr + " WHEN " + PgType(n) +
                       " <> 'null' THEN jsonb_build_array(" + n.expr + ") END) AS " + c + "(v)");
    set.node.expr = c + ".v";
    return set;
  }

  // --- predicates ---------------------------------------------------------------------------

  Frag Term(const Frag& l, CmpOp op, const Frag& r, Type t) {
    if (pg_ && t == Type::kString) return "((" + l + ") COLLATE \"C\"" + OpSql(op) + r + ")";
    return "(" + l + OpSql(op) + r + ")";
  }

  Frag Compare(const SNode& a, CmpOp op, const SNode& b) {
    bool ca = a.kind == SNode::Kind::kConst, cb = b.kind == SNode::Kind::kConst;
    if (ca && cb) return internal::CompareConst(a.value, op, b.value) ? kTrue : kFalse;
    std::vector<Frag> terms;
    if (ca || cb) {
      const SNode& field = ca ? b : a;
      const Value& c = ca ? a.value : b.value;
      for (Type t : Types(field)) {
        auto cv = internal::Coerce(c, t);
        auto view = View(field, t);
        if (!cv || !view) continue;
        Frag bound = Bound(*cv, t);
        terms.push_back(ca ? Term(bound, op, *view, t) : Term(*view, op, bound, t));
      }
      return AnyOf(terms);
    }
    for (Type t : Types(a)) {
      auto va = View(a, t), vb = View(b, t);
      if (va && vb) terms.push_back(Term(*va, op, *vb, t));
    }
    return AnyOf(terms);
  }

  Frag IsNull(const SNode& n, bool negated) {
    switch (n.kind) {
      case SNode::Kind::kConst: return (n.value.type == Type::kNull) != negated ? kTrue : kFalse;
      case SNode::Kind::kTyped: return "((" + n.expr + (negated ? ") IS NOT NULL)" : ") IS NULL)");
      case SNode::Kind::kJson:
        return "(COALESCE(" + (pg_ ? PgType(n) : SqliteType(n)) + ", 'null')" + (negated ? " <> 'null')" : " = 'null')");
    }
    return kFalse;
  }

  Frag Like(const SNode& n, const Value& pattern) {
    auto p = internal::Coerce(pattern, Type::kString);
    if (!p || p->text.empty()) return kFalse;
    if (n.kind == SNode::Kind::kConst) {
      return n.value.type == Type::kString && internal::LikeMatch(n.value.text, p->text) ? kTrue : kFalse;
    }
    auto v = View(n, Type::kString);
    if (!v) return kFalse;
    if (p->text.find('%') == std::string::npos) return Term(*v, CmpOp::kEq, Bound(*p, Type::kString), Type::kString);
    std::string pat;
    if (!pg_) {
      // GLOB is case-sensitive; escape its wildcards, then '%' → '*'.
      for (char c : p->text) {
        if (c == '%') pat += '*';
        else if (c == '*') pat += "[*]";
        else if (c == '?') pat += "[?]";
        else if (c == '[') pat += "[[]";
        else pat += c;
      }
      return "((" + *v + ") <> '' AND (" + *v + ") GLOB " + Param(pat) + ")";
    }
    // `~~` is LIKE (case-sensitive; the translator would turn the word LIKE into ILIKE).
    for (char c : p->text) {
      if (c == '\\' || c == '_') pat += '\\';
      pat += c;
    }
    return "((" + *v + ") <> '' AND (" + *v + ") ~~ CAST(" + Param(pat) + " AS TEXT))";
  }

  Frag Predicate(const Expr& e, const SNode& root, bool relative) {
    auto set = [&](size_t i) { return OperandSet(e.operands[i], root, relative); };
    switch (e.kind) {
      case Expr::Kind::kCompare: {
        SSet a = set(0), b = set(1);
        return Exists(a, [&](const SNode& x) { return Exists(b, [&](const SNode& y) { return Compare(x, e.op, y); }); });
      }
      case Expr::Kind::kIsNull: {
        SSet a = set(0);
        return Exists(a, [&](const SNode& x) { return IsNull(x, e.negated); });
      }
      case Expr::Kind::kLike: {
        SSet a = set(0), p = set(1);
        return Exists(a, [&](const SNode& x) { return Like(x, p.node.value); });
      }
      case Expr::Kind::kBetween: {
        SSet a = set(0), lo = set(1), hi = set(2);
        return Exists(a, [&](const SNode& x) {
          return Exists(lo, [&](const SNode& l) {
            return Exists(hi, [&](const SNode& h) {
              return "(" + Compare(x, CmpOp::kGe, l) + " AND " + Compare(x, CmpOp::kLe, h) + ")";
            });
          });
        });
      }
      case Expr::Kind::kIn: {
        SSet a = set(0);
        if (e.in_single) {
          SSet src = set(1);
          return Exists(a, [&](const SNode& x) {
            SSet xs = Elements(x);
            return Exists(xs, [&](const SNode& xe) {
              return Exists(src, [&](const SNode& s) {
                SSet ss = Elements(s);
                return Exists(ss, [&](const SNode& se) { return Compare(xe, CmpOp::kEq, se); });
              });
            });
          });
        }
        std::vector<SSet> items;
        for (size_t i = 1; i < e.operands.size(); ++i) items.push_back(set(i));
        return Exists(a, [&](const SNode& x) {
          SSet xs = Elements(x);
          return Exists(xs, [&](const SNode& xe) { return InList(xe, items); });
        });
      }
      case Expr::Kind::kContainsValue: {
        SSet a = set(0), v = set(1);
        return Exists(a, [&](const SNode& x) {
          SSet xs = Elements(x);
          return Exists(xs, [&](const SNode& xe) {
            return Exists(v, [&](const SNode& y) { return Compare(xe, CmpOp::kEq, y); });
          });
        });
      }
      case Expr::Kind::kContainsCond: {
        SSet a = set(0);
        return Exists(a, [&](const SNode& x) {
          if (x.kind != SNode::Kind::kJson) return kFalse;
          SSet xs = Elements(x);
          return Exists(xs, [&](const SNode& xe) { return Expr_(e.children[0], xe, true, false); });
        });
      }
      default:
        return kFalse;
    }
  }

  /// `x IN (items)`: constants of one type are grouped into one `IN (…)` per type.
  Frag InList(const SNode& x, const std::vector<SSet>& items) {
    std::vector<Frag> terms;
    bool any_const = false;
    for (const auto& it : items) {
      if (it.node.kind == SNode::Kind::kConst && it.from.empty()) {
        any_const = true;
        continue;
      }
      terms.push_back(Exists(it, [&](const SNode& y) { return Compare(x, CmpOp::kEq, y); }));
    }
    if (!any_const) return AnyOf(terms);
    if (x.kind == SNode::Kind::kConst) {
      for (const auto& it : items)
        if (it.node.kind == SNode::Kind::kConst && internal::CompareConst(x.value, CmpOp::kEq, it.node.value))
          return kTrue;
      return AnyOf(terms);
    }
    for (Type t : Types(x)) {
      auto view = View(x, t);
      if (!view) continue;
      std::vector<Frag> bound;
      for (const auto& it : items) {
        if (it.node.kind != SNode::Kind::kConst || !it.from.empty()) continue;
        auto cv = internal::Coerce(it.node.value, t);
        if (cv) bound.push_back(Bound(*cv, t));
      }
      if (bound.empty()) continue;
      if (pg_ && t == Type::kString) terms.push_back("((" + *view + ") COLLATE \"C\" IN (" + Join(bound, ", ") + "))");
      else terms.push_back("(" + *view + " IN (" + Join(bound, ", ") + "))");
    }
    return AnyOf(terms);
  }
};

}  // namespace

ProjectionSql ProjectionValues(const store::Dialect& dialect, const std::string& doc_sql, const std::string& key) {
  PathTable paths;
  paths.doc_sql = doc_sql;
  Compiler c(dialect, paths);
  Frag s = c.KeyValue(key, Type::kString), n = c.KeyValue(key, Type::kNumber);
  return ProjectionSql{Sql{std::move(s.text), std::move(s.params)}, Sql{std::move(n.text), std::move(n.params)}};
}

Sql CompileOrder(const std::vector<OrderTerm>& terms, const store::Dialect& dialect, const PathTable& paths) {
  Compiler c(dialect, paths);
  std::vector<Frag> all;
  for (const auto& t : terms) {
    auto parts = c.OrderTerms(t);
    all.insert(all.end(), parts.begin(), parts.end());
  }
  Frag f = Join(all, ", ");
  return Sql{std::move(f.text), std::move(f.params)};
}

Sql Compile(const Where& bound, const store::Dialect& dialect, const PathTable& paths) {
  if (!bound.bound) throw std::logic_error("where::Compile needs a bound where (call Bind)");
  CheckPaths(bound, paths);
  Compiler c(dialect, paths);
  Frag f = c.Expr_(bound.root, SNode{}, false, false);
  return Sql{std::move(f.text), std::move(f.params)};
}

}  // namespace gridbase::baasbox::where
