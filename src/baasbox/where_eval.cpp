// The in-memory evaluator: the reference semantics of §8.7 over a boost::json document. The
// SQL compiler (where_sql.cpp) produces exactly these answers; the truth-table test compares them.
//
// Model: an operand evaluates to a list of nodes (more than one when a `.key` step meets an
// array). A node is a JSON value of the document (possibly missing), a typed scalar (system
// field or method result; kNull = missing) or a constant (literal/parameter, after methods).
// A predicate holds when some combination of its operands' nodes satisfies it.
#include <boost/json/value.hpp>

#include "baasbox/where_internal.hpp"

namespace gridbase::baasbox::where {

namespace json = boost::json;

namespace {

bool PathHidden(const std::vector<Step>& path, const PathTable& paths) {
  for (const auto& prefix : paths.hidden) {
    size_t k = 0;
    for (const Step& s : path) {
      if (k == prefix.size()) break;
      if (s.is_index) continue;
      if (s.key != prefix[k]) break;
      ++k;
    }
    if (!prefix.empty() && k == prefix.size()) return true;
  }
  return false;
}

void CheckOperand(const Operand& o, const PathTable& paths) {
  if (o.kind == Operand::Kind::kPath && PathHidden(o.path, paths))
    throw CriteriaError("at " + std::to_string(o.pos) + ": field '" + o.path[0].key + "' is not queryable");
  for (const Operand& a : o.args) CheckOperand(a, paths);  // distance() arguments
}

void CheckExpr(const Expr& e, const PathTable& paths, bool relative) {
  for (const Operand& o : e.operands) CheckOperand(o, paths);
  if (e.kind == Expr::Kind::kContainsCond && !relative) {
    const Operand& f = e.operands[0];
    if (f.path.size() == 1 && paths.system.count(f.path[0].key))
      throw CriteriaError("at " + std::to_string(f.pos) + ": CONTAINS (condition) needs a document field");
  }
  bool child_relative = relative || e.kind == Expr::Kind::kContainsCond;
  for (const Expr& c : e.children) CheckExpr(c, paths, child_relative);
}

/// One node of an operand's value list.
struct Node {
  enum class Kind { kJson, kTyped, kConst };
  Kind kind = Kind::kJson;
  const json::value* j = nullptr;  // kJson; nullptr = missing
  Value v;                         // kTyped / kConst
};

using Nodes = std::vector<Node>;

std::optional<Value> JsonScalar(const json::value* j) {
  if (!j) return std::nullopt;
  switch (j->kind()) {
    case json::kind::int64: return Value::Integer(j->get_int64());
    case json::kind::uint64: {
      uint64_t u = j->get_uint64();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::Integer(static_cast<int64_t>(u));
      Value v;
      v.type = Type::kNumber;
      v.num = static_cast<double>(u);
      return v;
    }
    case json::kind::double_: {
      Value v;
      v.type = Type::kNumber;
      v.num = j->get_double();
      return v;
    }
    case json::kind::string: return Value::String(std::string(j->get_string()));
    case json::kind::bool_: return Value::Bool(j->get_bool());
    default: return std::nullopt;
  }
}

/// The scalar value of a node; nullopt when missing, null, an array or an object.
std::optional<Value> Scalar(const Node& n) {
  if (n.kind == Node::Kind::kJson) return JsonScalar(n.j);
  if (n.v.type == Type::kNull) return std::nullopt;
  return n.v;
}

bool IsNullish(const Node& n) {
  if (n.kind == Node::Kind::kJson) return !n.j || n.j->is_null();
  return n.v.type == Type::kNull;
}

Node Typed(Value v) {
  Node n;
  n.kind = Node::Kind::kTyped;
  n.v = std::move(v);
  return n;
}

Node ApplyMethodNode(const Node& n, Method m) {
  if (n.kind == Node::Kind::kConst) {
    Node out = n;
    out.v = internal::ApplyMethod(n.v, m);
    return out;
  }
  if (n.kind == Node::Kind::kTyped) return Typed(internal::ApplyMethod(n.v, m));
  const json::value* j = n.j;
  switch (m) {
    case Method::kToLowerCase:
    case Method::kToUpperCase:
    case Method::kTrim:
      if (j && j->is_string()) return Typed(internal::ApplyMethod(Value::String(std::string(j->get_string())), m));
      return Typed(Value::Null());
    case Method::kLength:
      if (!j || j->is_null()) return Typed(Value::Integer(0));
      if (j->is_string()) return Typed(Value::Integer(internal::CodePoints(j->get_string())));
      return Typed(Value::Null());
    case Method::kSize:
      if (j && j->is_array()) return Typed(Value::Integer(static_cast<int64_t>(j->get_array().size())));
      if (j && j->is_object()) return Typed(Value::Integer(static_cast<int64_t>(j->get_object().size())));
      return Typed(Value::Integer(0));
  }
  return Typed(Value::Null());
}

/// Elements of a node for IN / CONTAINS: an array's elements; nothing for missing or null;
/// the node itself otherwise.
Nodes Elements(const Node& n) {
  Nodes out;
  if (n.kind == Node::Kind::kJson) {
    if (!n.j || n.j->is_null()) return out;
    if (n.j->is_array()) {
      for (const auto& e : n.j->get_array()) {
        Node x;
        x.j = &e;
        out.push_back(x);
      }
      return out;
    }
    out.push_back(n);
    return out;
  }
  if (n.v.type != Type::kNull) out.push_back(n);
  return out;
}

class Evaluator {
 public:
  Evaluator(const PathTable& paths, const SystemValues& system) : paths_(paths), system_(system) {}

  /// Work budget of one record: multi-valued paths multiply (comparing two 10,000-value paths
  /// is 10^8 tests, distance() over four paths N^4 values), so past this many steps the query
  /// stops with §8.9's «Query timeout» instead of running for hours. Generous for real queries
  /// (an IN list of 1,000 items against 1,000 values is half of it).
  static constexpr uint64_t kWorkBudget = 2'000'000;

  bool Eval(const Expr& e, const json::value* root, bool relative) {
    switch (e.kind) {
      case Expr::Kind::kAnd:
        for (const auto& c : e.children)
          if (!Eval(c, root, relative)) return false;
        return true;
      case Expr::Kind::kOr:
        for (const auto& c : e.children)
          if (Eval(c, root, relative)) return true;
        return false;
      case Expr::Kind::kNot:
        return !Eval(e.children[0], root, relative);
      case Expr::Kind::kCompare: {
        Nodes a = Eval(e.operands[0], root, relative), b = Eval(e.operands[1], root, relative);
        for (const auto& x : a)
          for (const auto& y : b) {
            Tick();
            if (Compare(x, e.op, y)) return true;
          }
        return false;
      }
      case Expr::Kind::kIsNull:
        for (const auto& x : Eval(e.operands[0], root, relative))
          if (IsNullish(x) != e.negated) return true;
        return false;
      case Expr::Kind::kLike: {
        Nodes pats = Eval(e.operands[1], root, relative);
        auto pattern = internal::Coerce(pats[0].v, Type::kString);
        if (!pattern) return false;
        for (const auto& x : Eval(e.operands[0], root, relative)) {
          auto s = Scalar(x);
          if (s && s->type == Type::kString && internal::LikeMatch(s->text, pattern->text)) return true;
        }
        return false;
      }
      case Expr::Kind::kIn: {
        std::vector<Nodes> items;
        if (e.in_single) {
          Nodes all;
          for (const auto& s : Eval(e.operands[1], root, relative))
            for (const auto& el : Elements(s)) all.push_back(el);
          items.push_back(std::move(all));
        } else {
          for (size_t i = 1; i < e.operands.size(); ++i) items.push_back(Eval(e.operands[i], root, relative));
        }
        for (const auto& a : Eval(e.operands[0], root, relative))
          for (const auto& x : Elements(a))
            for (const auto& item : items)
              for (const auto& c : item) {
                Tick();
                if (Compare(x, CmpOp::kEq, c)) return true;
              }
        return false;
      }
      case Expr::Kind::kBetween: {
        Nodes a = Eval(e.operands[0], root, relative), lo = Eval(e.operands[1], root, relative),
              hi = Eval(e.operands[2], root, relative);
        for (const auto& x : a)
          for (const auto& l : lo)
            for (const auto& h : hi) {
              Tick();
              if (Compare(x, CmpOp::kGe, l) && Compare(x, CmpOp::kLe, h)) return true;
            }
        return false;
      }
      case Expr::Kind::kContainsValue: {
        Nodes v = Eval(e.operands[1], root, relative);
        for (const auto& a : Eval(e.operands[0], root, relative))
          for (const auto& x : Elements(a))
            for (const auto& y : v) {
              Tick();
              if (Compare(x, CmpOp::kEq, y)) return true;
            }
        return false;
      }
      case Expr::Kind::kContainsCond:
        for (const auto& a : Eval(e.operands[0], root, relative))
          for (const auto& x : Elements(a))
            if (x.kind == Node::Kind::kJson && Eval(e.children[0], x.j, true)) return true;
        return false;
    }
    return false;
  }

 private:
  void Tick(uint64_t steps = 1) {
    if ((work_ += steps) > kWorkBudget) throw TooCostly();
  }

  const PathTable& paths_;
  const SystemValues& system_;
  uint64_t work_ = 0;

  Nodes Eval(const Operand& o, const json::value* root, bool relative) {
    Nodes nodes;
    if (o.kind == Operand::Kind::kPath) {
      nodes = Walk(o.path, root, relative);
    } else if (o.kind == Operand::Kind::kDistance) {
      nodes = Distance(o, root, relative);
    } else {
      Node n;
      n.kind = Node::Kind::kConst;
      n.v = o.value;
      nodes.push_back(n);
    }
    for (Method m : o.methods)
      for (auto& n : nodes) n = ApplyMethodNode(n, m);
    return nodes;
  }

  /// distance(): one node per combination of the arguments' nodes; a constant when every
  /// argument is one (then exactly one node each), else a typed number (null unless all four
  /// values are numbers).
  Nodes Distance(const Operand& o, const json::value* root, bool relative) {
    std::vector<Nodes> args;
    bool constant = true;
    for (const Operand& a : o.args) {
      args.push_back(Eval(a, root, relative));
      for (const Node& n : args.back()) constant = constant && n.kind == Node::Kind::kConst;
    }
    Nodes out;
    if (args.size() != 4) return out;
    auto number = [](const Node& n) {
      auto v = Scalar(n);
      return v ? *v : Value::Null();
    };
    for (const Node& a : args[0])
      for (const Node& b : args[1])
        for (const Node& c : args[2])
          for (const Node& d : args[3]) {
            Tick(20);  // each value is kept: at most 100,000 of them
            Node n;
            n.kind = constant ? Node::Kind::kConst : Node::Kind::kTyped;
            n.v = internal::Distance(number(a), number(b), number(c), number(d));
            out.push_back(std::move(n));
          }
    return out;
  }

  Nodes Walk(const std::vector<Step>& path, const json::value* root, bool relative) {
    if (!relative) {
      const std::string& first = path[0].key;
      auto it = system_.find(first);
      bool system = paths_.system.count(first) > 0;
      if (system && path.size() == 1) return {Typed(it == system_.end() ? Value::Null() : it->second)};
      if (system || first[0] == '@') return {Typed(Value::Null())};
    }
    Nodes cur;
    Node r;
    r.j = root;
    cur.push_back(r);
    for (const Step& s : path) {
      Nodes next;
      for (const Node& n : cur) {
        const json::value* j = n.j;
        if (s.is_index) {
          Node x;
          if (j && j->is_array() && static_cast<size_t>(s.index) < j->get_array().size()) x.j = &j->get_array()[s.index];
          next.push_back(x);
        } else if (j && j->is_array()) {
          for (const auto& el : j->get_array()) {
            Node x;
            if (el.is_object()) x.j = el.get_object().if_contains(s.key);
            next.push_back(x);
          }
        } else {
          Node x;
          if (j && j->is_object()) x.j = j->get_object().if_contains(s.key);
          next.push_back(x);
        }
      }
      cur = std::move(next);
    }
    return cur;
  }

  static bool Compare(const Node& a, CmpOp op, const Node& b) {
    auto va = Scalar(a), vb = Scalar(b);
    if (!va || !vb) return false;
    bool ca = a.kind == Node::Kind::kConst, cb = b.kind == Node::Kind::kConst;
    if (ca && cb) return internal::CompareConst(*va, op, *vb);
    if (cb) {
      auto c = internal::Coerce(*vb, va->type);
      return c && internal::CompareSame(*va, op, *c);
    }
    if (ca) {
      auto c = internal::Coerce(*va, vb->type);
      return c && internal::CompareSame(*c, op, *vb);
    }
    return va->type == vb->type && internal::CompareSame(*va, op, *vb);
  }
};

}  // namespace

void CheckPaths(const Where& w, const PathTable& paths) { CheckExpr(w.root, paths, false); }

bool Evaluate(const Where& bound, const json::object& doc, const PathTable& paths, const SystemValues& system) {
  if (!bound.bound) throw std::logic_error("where::Evaluate needs a bound where (call Bind)");
  CheckPaths(bound, paths);
  json::value root(doc);
  return Evaluator(paths, system).Eval(bound.root, &root, false);
}

}  // namespace gridbase::baasbox::where
