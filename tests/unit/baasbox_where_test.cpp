// Unit tests for baasbox/where: the parser accepts the tier-1 expressions clients send (§8.2) and
// refuses what §8.4 rejects; parameter binding (§8.8); limits (§8.9); a truth table comparing
// the compiled SQL with the in-memory evaluator over random documents, on SQLite and (when
// GRIDBASE_TEST_PG_URL names a cluster) PostgreSQL; and a fuzz test: random and mutated
// criteria strings either run or raise the criteria error, never anything else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>

#include <fmt/format.h>

#include "baasbox/criteria.hpp"
#include "baasbox/documents.hpp"
#include "baasbox/where.hpp"
#include "store/store.hpp"
#include "types/field_type.hpp"
#include "util/geo.hpp"

namespace gridbase::baasbox::where_test {
namespace {

namespace json = boost::json;
using namespace gridbase::baasbox::where;

// --- helpers ----------------------------------------------------------------------------------

class NamedDialect final : public store::Dialect {
 public:
  explicit NamedDialect(std::string_view n) : name_(n) {}
  std::string_view name() const override { return name_; }
  std::string_view AutoIdPrimaryKey() const override { return ""; }
  std::string_view IndexNullsFirst() const override { return ""; }

 private:
  std::string_view name_;
};

const NamedDialect kSqlite("sqlite");
const NamedDialect kPostgres("postgresql");
constexpr int64_t kNow = 1700000000000;  // 2023-11-14T22:13:20Z

PathTable Documents() {
  PathTable p;
  p.system["id"] = SystemField{"t.bb_uuid", {}, Type::kString};
  p.system["_author"] = SystemField{"'user' || t.bb_author_id", {}, Type::kString};
  p.system["_creation_date"] = SystemField{"t.bb_created_at", {}, Type::kDate};
  p.system["@version"] = SystemField{"t.bb_version", {}, Type::kNumber};
  p.system["@class"] = SystemField{"?", {std::string("things")}, Type::kString};
  p.system["@rid"] = SystemField{"'#1:' || t.id", {}, Type::kString};
  return p;
}

std::vector<std::string> Params(std::initializer_list<const char*> v) { return {v.begin(), v.end()}; }

/// Parses, binds (with `params`, padded so that every placeholder has a value) and compiles for
/// both dialects.
void ParsesAndCompiles(const std::string& where, std::vector<std::string> params = {}) {
  SCOPED_TRACE(where);
  Where w = Parse(where);
  while (params.size() < static_cast<size_t>(w.placeholders)) params.push_back("x");
  Where b = Bind(w, params, kNow);
  Sql s1 = Compile(b, kSqlite, Documents());
  Sql s2 = Compile(b, kPostgres, Documents());
  EXPECT_FALSE(s1.text.empty());
  EXPECT_FALSE(s2.text.empty());
}

/// The criteria error, from any stage; nothing compiled.
void Refused(const std::string& where, std::vector<std::string> params = {}) {
  SCOPED_TRACE(where);
  try {
    Where w = Parse(where);
    while (params.size() < static_cast<size_t>(w.placeholders)) params.push_back("x");
    Where b = Bind(w, params, kNow);
    Compile(b, kSqlite, Documents());
    ADD_FAILURE() << "accepted";
  } catch (const CriteriaError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(std::string(kCriteriaMessage), 0), 0u);
  }
}

// --- parser -------------------------------------------------------------------------------------

TEST(BaasboxWhereParse, AcceptsTheTierOneExpressionsClientsSend) {
  const char* kExamples[] = {
      // §8.2 rows 1-19 (7, distance(), is tier 2).
      "color='yellow' or address.city='rome'",
      "color=? or address.city=?",
      "color=?",
      "color=? or color=?",
      "color='red'",
      "_author = ?",
      "in.name.toLowerCase() like 'john%' and label=\"customer\"",
      "distance(lat,long,41.872389,12.480180) < 5",
      "_creation_date > date('2014-09-09T17:59:47.772+0200')",
      "user.name like \"user%\" and user.name.length() = 5 and visibleByFriend.key = \"value\"",
      "1=1",
      "shape=\"square\"",
      "players contains (username='XXXX@XXXX.COM')",
      "user.name=\"{name}\"",
      "visibleByAnonymousUsers.key = ?",
      "idx < ?",
      "ciao = ?",
      "n = ?",
      "value like '%text%'",
      "n >= ?",
      "(n >= ?) AND n <= ?",
      "(n = ?) OR title = \"fun\"",
      "(n = 2) OR n = 3",
      "n >= 2",
      "label = ?",
      "(label = ?) AND label = ?",
      "(x = x) AND y = 2",
      "user.name=?",
      "user.name in ?",
      "user.name not in ?",
      // row 20
      "in.id like '6d5d8300-4339-40a5-8688-d1547fec6e05'",
      "out.id = '6d5d8300-4339-40a5-8688-d1547fec6e05'",
      "in.id like 'abc' and out.assigned = false",
      "privacy=false",
      "name like 'abc%'",
      "id<>'6d5d8300-4339-40a5-8688-d1547fec6e05'",
      "Approved is null",
      "Beacon is null",
      "UID='u' and Major='1' and Minor='2' and id IS NOT NULL",
      "Associated = false",
      "Beacon.UID='x'",
      "body.user1='u' or body.user2='u'",
      "Batery=weak",
      // the rest of tier 1
      "a == 1 AND b != 2 AND c <> 3 AND d < 4 AND d <= 5 AND e > 6 AND e >= 7",
      "NOT (a = 1)",
      "not a = 1",
      "a NOT LIKE 'x%'",
      "a IN [1, 'two', true, null]",
      "a in ('x', 'y')",
      "a IN []",
      "a IN tags",
      "a not in [1,2]",
      "a BETWEEN 1 AND 5",
      "a between ? and ? and b = 1",
      "tags CONTAINS 'x'",
      "tags contains ?",
      "items contains (name = 'x' and (qty > 2 or qty is null))",
      "items contains (tags contains (x = 1))",
      "a[0] = 1",
      "a[2].b[0].c = 'x'",
      "@rid = ? and @class = 'things' and @version > 1",
      "in.@class = 'x'",
      "`odd key`.`x-y` = 1",
      "a = -1.5e3 and b = 1E2 and c = 0.25 and d = -7",
      "a = TRUE and b = False and c = NULL",
      "s = 'it\\'s' and t = \"say \\\"hi\\\"\" and u = '\\u00e9\\n\\t\\\\' and v = '\\x'",
      "s = '?' and t = ?",
      "name.toUpperCase().trim().length() > 2",
      "'abc'.toUpperCase() = 'ABC'",
      "tags.size() = 3",
      "_creation_date >= sysdate()",
      "_creation_date < date('2014-01-01', 'yyyy-MM-dd')",
      "d = date('2014-01-01 10:11:12', 'yyyy-MM-dd HH:mm:ss')",
      "d = date('2014-01-01T10:11:12.123+0100', 'yyyy-MM-dd\\'T\\'HH:mm:ss.SSSZ')",
      "d = date(?)",
      "in.name = 1 and out.name = 2 and and.x = 3",  // keywords by position
      "a\t=\r\n1",
      // distance() (§8.5, tier 2): any operands, name in any case
      "DISTANCE(a, b, ?, ?) >= 1",
      "Distance(items.lat, items.lon, -1.5e1, 2) between 1 and 2",
      "distance(distance(a, b, c, d), 0, 0, 0) > 0",
      "distance(1, 2, 3, 4) = ? and ? in [distance(a, b, 1, 2)]",
      "items contains (distance(x, y, 1, 2) < 5)",
      "distance(a.toLowerCase(), @version, _creation_date, date('2014-01-01')) is null",
      "not distance(`a b`.c[0], 'x', true, null) <> 1",
  };
  for (const char* w : kExamples) ParsesAndCompiles(w, {"2014-01-01", "2014-01-02", "x", "y"});
}

TEST(BaasboxWhereParse, RejectsWhatTheSpecRejects) {
  const char* kRejected[] = {
      "a = 1; drop table x", "a = 1 -- comment", "a = 1 /* c */", "$x = 1", "a = $parent", "a = :name",
      "@rid = #12:0", "a = {}", "a = {\"x\": 1}", "a + 1 = 2", "a * 2 = 2", "a / 2 = 1", "a % 2 = 1",
      "a - 1 = 0", "select from OUser", "a in (select from OUser)", "traverse * from x", "a instanceof 'V'",
      "any() = 1", "all() = 1", "eval('1') = 1", "expand(a) = 1", "@this = 1", "@size = 1", "@type = 1",
      "@fields = 1", "a = 'abc", "a = \"abc", "a = 10l", "a = 1.5f",
      // distance() takes exactly four operands
      "distance(lat,long,1) < 5", "distance(lat,long,1,2,3) < 5", "distance() < 1", "distance(a,b,c,) < 1",
      "distance(a,b,c d) < 1", "distance(a,b,c,d < 1", "distance(a,b,c,d)", "distance(a,b,c,d) and a = 1",
      "distance = (a,b,c,d)", "a.distance(1,2,3,4) = 1", "distance(_allowRead, b, c, d) < 1",
      "distance(a, b, c, (d)) < 1", "distance(a, b, c, d = 1) < 1",
      "a containsall (x = 1)", "a containskey 'x'", "a containsvalue 1", "a containstext 'x'",
      "a matches 'x.*'", "flag", "flag and b = 1", "a.asString() = 'x'", "a.left(2) = 'x'", "a.foo() = 1",
      "a = b(1)", "a.length(1) = 1", "sysdate('yyyy') = 1", "date(a) = 1", "a =", "= 1", "a = 1 and",
      "a = 1 or", "(a = 1", "a = 1)", "a = 1 b = 2", "a b", "a between 1", "a between 1 or 2",
      "a in", "a in [1,", "a in (1 2)", "a is 1", "a is not", "a not = 1", "not", "()", "", "   ",
      "a[x] = 1", "a[-1] = 1", "a[1.5] = 1", "system.sso_tokens[facebook].id = ?", "a..b = 1", "a. = 1",
      "a = 'x' like 'y'", "a like b", "a like 'x'.b", "'x'.y = 1", "a = ``", "`a\"b` = 1", "`a\\b` = 1",
      "`a = 1", "a = '\\u0000'", "a = '\\ud800'", "a = '\\u12'", "a = !1", "a = 1 | b = 2", "a & b",
      "a ~ b", "a = 1 && b = 2", "x contains (a = 1", "a.toLowerCase() contains (b = 1)",
      "'x' contains (b = 1)", "date('not a date') = 1", "date('2014-01-01', 'dd/MM/yyyy') = 1",
      "date('2014-02-30') = 1", "a = 1e999", "a = 99999999999999999999e999",
      // hidden fields (§8.6)
      "_allow = 1", "_allowRead contains (name = 'x')", "_allowUpdate is null", "_allowDelete is not null",
      "_links.x = 1", "_audit = 1", "a = 1 and _node is null", "items contains (_allow = 1)", "x = _allowRead",
      // CONTAINS (cond) over a system field
      "_author contains (x = 1)",
  };
  for (const char* w : kRejected) Refused(w);
  Refused(std::string("a = '\xff'"));
  Refused(std::string("a = 1\0", 6));
  Refused(std::string("\xc3\x28 = 1"));
}

TEST(BaasboxWhereParse, EnforcesTheLimits) {
  // where ≤ 4096 bytes
  std::string long_where = "a = '" + std::string(4091, 'x') + "'";
  EXPECT_GT(long_where.size(), kMaxWhereBytes);
  Refused(long_where);
  ParsesAndCompiles("a = '" + std::string(4000, 'x') + "'");
  // nesting ≤ 32
  ParsesAndCompiles(std::string(32, '(') + "a = 1" + std::string(32, ')'));
  Refused(std::string(33, '(') + "a = 1" + std::string(33, ')'));
  std::string nots;
  for (int i = 0; i < 33; ++i) nots += "not ";
  Refused(nots + "a = 1");
  // ≤ 200 predicates
  auto preds = [](int n) {
    std::string s = "a = 0";
    for (int i = 1; i < n; ++i) s += " or a = " + std::to_string(i);
    return s;
  };
  ParsesAndCompiles(preds(200));
  Refused(preds(201));
  // IN ≤ 1000 items
  auto in = [](int n) {
    std::string s = "a in [0";
    for (int i = 1; i < n; ++i) s += "," + std::to_string(i);
    return s + "]";
  };
  ParsesAndCompiles(in(1000));
  Refused(in(1001));
  // LIKE pattern ≤ 256 bytes, literal or param
  ParsesAndCompiles("a like '" + std::string(256, 'x') + "'");
  Refused("a like '" + std::string(257, 'x') + "'");
  Refused("a like ?", {std::string(257, 'x')});
  ParsesAndCompiles("a like ?", {std::string(256, 'x')});
  // ≤ 16 methods per operand
  std::string m = "a";
  for (int i = 0; i < 16; ++i) m += ".trim()";
  ParsesAndCompiles(m + " = 'x'");
  Refused(m + ".trim() = 'x'");
  // ≤ 100 params of ≤ 4096 bytes
  std::vector<std::string> many(100, "1");
  ParsesAndCompiles("a = ?", many);
  many.push_back("1");
  Refused("a = ?", many);
  Refused("a = ?", {std::string(4097, 'x')});
  ParsesAndCompiles("a = ?", {std::string(4096, 'x')});
}

TEST(BaasboxWhereParse, ErrorsCarryTheCriteriaMessageAndADetail) {
  try {
    Parse("a = 'abc");
    FAIL();
  } catch (const CriteriaError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Invalid criteria. Please check your query, the syntax and the parameters: at 4: unterminated string");
    EXPECT_EQ(e.detail(), "at 4: unterminated string");
  }
}

TEST(BaasboxWhereParse, TheAstHoldsTypedValuesAndPaths) {
  Where w = Parse("a.b[2].`c d` >= -2.5 and not x is not null and s in ['q', ?]");
  ASSERT_EQ(w.root.kind, Expr::Kind::kAnd);
  const Expr& cmp = w.root.children[0];
  EXPECT_EQ(cmp.kind, Expr::Kind::kCompare);
  EXPECT_EQ(cmp.op, CmpOp::kGe);
  ASSERT_EQ(cmp.operands[0].path.size(), 4u);
  EXPECT_EQ(cmp.operands[0].path[1].key, "b");
  EXPECT_TRUE(cmp.operands[0].path[2].is_index);
  EXPECT_EQ(cmp.operands[0].path[2].index, 2);
  EXPECT_EQ(cmp.operands[0].path[3].key, "c d");
  EXPECT_EQ(cmp.operands[1].value.type, Type::kNumber);
  EXPECT_EQ(cmp.operands[1].value.num, -2.5);
  const Expr& n = w.root.children[1];
  EXPECT_EQ(n.kind, Expr::Kind::kNot);
  EXPECT_EQ(n.children[0].kind, Expr::Kind::kIsNull);
  EXPECT_TRUE(n.children[0].negated);
  const Expr& in = w.root.children[2];
  EXPECT_EQ(in.kind, Expr::Kind::kIn);
  EXPECT_EQ(in.operands.size(), 3u);
  EXPECT_EQ(in.operands[2].kind, Operand::Kind::kPlaceholder);
  EXPECT_EQ(w.placeholders, 1);
}

// --- binding ----------------------------------------------------------------------------------

TEST(BaasboxWhereBind, PlaceholdersBindLeftToRightSkippingQuotedQuestionMarks) {
  Where w = Parse("a = '?' and b = ? and c = \"?\" and d in [?, ?] and e = date(?)");
  EXPECT_EQ(w.placeholders, 4);
  Where b = Bind(w, Params({"one", "two", "three", "2014-01-01", "surplus"}), kNow);
  EXPECT_TRUE(b.bound);
  EXPECT_EQ(b.root.children[0].operands[1].value.text, "?");
  EXPECT_EQ(b.root.children[1].operands[1].value.text, "one");
  EXPECT_EQ(b.root.children[3].operands[1].value.text, "two");
  EXPECT_EQ(b.root.children[3].operands[2].value.text, "three");
  EXPECT_EQ(b.root.children[4].operands[1].value.type, Type::kDate);
  EXPECT_EQ(b.root.children[4].operands[1].value.date_ms, 1388534400000);
}

TEST(BaasboxWhereBind, TooFewParamsIsTheCriteriaError) {
  Where w = Parse("a = ? or b = ?");
  EXPECT_THROW(Bind(w, Params({"x"}), kNow), CriteriaError);
  EXPECT_NO_THROW(Bind(w, Params({"x", "y", "z"}), kNow));
  EXPECT_THROW(Bind(Parse("d = date(?)"), Params({"yesterday"}), kNow), CriteriaError);
  EXPECT_THROW(Bind(Parse("a = ?"), std::vector<std::string>{std::string("a\0b", 3)}, kNow), CriteriaError);
  EXPECT_THROW(Bind(Parse("a = ?"), Params({"\xff"}), kNow), CriteriaError);
}

TEST(BaasboxWhereBind, AParamIsAlwaysAStringAndNeverSyntax) {
  json::object doc;
  doc["n"] = 2;
  doc["s"] = "' or 1=1 --";
  doc["f"] = true;
  PathTable p = Documents();
  auto eval = [&](std::string_view where, std::vector<std::string> params) {
    return Evaluate(ParseAndBind(where, params, kNow), doc, p, {});
  };
  EXPECT_TRUE(eval("n = ?", {"2"}));     // Android stringifies numbers
  EXPECT_TRUE(eval("n < ?", {"10"}));    // numerically, not as text
  EXPECT_FALSE(eval("n = ?", {"two"}));
  EXPECT_TRUE(eval("f = ?", {"TRUE"}));
  EXPECT_TRUE(eval("s = ?", {"' or 1=1 --"}));
  EXPECT_FALSE(eval("s = ?", {"x' or '1'='1"}));
  EXPECT_TRUE(eval("n in ?", {"2"}));    // IN ? binds one string: behaves as =
  EXPECT_FALSE(eval("n in ?", {"2,3"}));
  // The SQL carries the value only as a parameter.
  Sql sql = Compile(ParseAndBind("s = ?", std::vector<std::string>{"x' or '1'='1"}, kNow), kSqlite, p);
  EXPECT_EQ(sql.text.find("or '1'"), std::string::npos);
}

TEST(BaasboxWhereEval, SemanticsOfSection87) {
  json::object doc = json::parse(R"({"n": 2, "x": 1.5, "s": "Rome", "b": false, "z": null,
      "tags": ["a", "b", 3], "players": [{"username": "u1", "score": 5}, {"username": "u2"}],
      "addr": {"city": "rome"}, "e": ""})").as_object();
  PathTable p = Documents();
  SystemValues sys{{"id", Value::String("abc")}, {"_creation_date", Value::Date(1388534400000)}};
  auto eval = [&](std::string_view where) { return Evaluate(ParseAndBind(where, {}, kNow), doc, p, sys); };
  EXPECT_TRUE(eval("not (missing = 1)"));         // two-valued logic
  EXPECT_FALSE(eval("missing <> 1"));
  EXPECT_FALSE(eval("z = null"));
  EXPECT_TRUE(eval("z is null and missing is null and n is not null"));
  EXPECT_TRUE(eval("n = '2' and n = 2.0 and s = 'Rome' and b = 'false'"));
  EXPECT_FALSE(eval("s = 'rome'"));               // case-sensitive
  EXPECT_TRUE(eval("s like 'R%' and s like '%om%' and s like 'Rome' and not s like 'r%'"));
  EXPECT_FALSE(eval("e like '%'"));               // empty value
  EXPECT_FALSE(eval("s like ''"));                // empty pattern
  EXPECT_TRUE(eval("s.toLowerCase() = addr.city"));
  EXPECT_TRUE(eval("'2' = n and 10 > n and 1 = 1 and '1' = 1"));
  EXPECT_FALSE(eval("'01' = 1"));                 // left literal is the field: "01" vs "1"
  EXPECT_TRUE(eval("tags contains 'a' and tags contains 3 and tags contains '3'"));
  EXPECT_TRUE(eval("players contains (username = 'u2' and score is null)"));
  EXPECT_TRUE(eval("players.username = 'u2'"));   // a step through an array maps over it
  EXPECT_TRUE(eval("players.score = 5 and players[1].username = 'u2'"));
  EXPECT_TRUE(eval("'b' in tags and n in [1, 2] and n not in [3] and tags in ['zz', 'b']"));
  EXPECT_TRUE(eval("x between 1 and 2 and n between '2' and 2"));
  EXPECT_TRUE(eval("tags.size() = 3 and s.length() = 4 and missing.length() = 0 and addr.size() = 1"));
  EXPECT_TRUE(eval("id = 'abc' and _creation_date = date('2014-01-01') and _creation_date < sysdate()"));
  EXPECT_TRUE(eval("_creation_date = '2014-01-01T00:00:00.000Z' and _creation_date = 1388534400000"));
  EXPECT_FALSE(eval("n = s"));                    // two fields of different types
  EXPECT_FALSE(eval("_author = 'x'"));
}

TEST(BaasboxWhereEval, DistanceIsTheHaversineInKm) {
  // Rome → Milan ≈ 477 km (great circle, R = 6371 km).
  EXPECT_NEAR(util::HaversineKm(41.9028, 12.4964, 45.4642, 9.19), 477, 1);
  EXPECT_NEAR(util::HaversineKm(0, 0, 0, 180), 20015.0868, 1e-3);  // π R, clamped asin
  EXPECT_EQ(util::HaversineKm(12.5, 3, 12.5, 3), 0);
  json::object doc = json::parse(R"({"lat": 41.9028, "lon": 12.4964, "mlat": 45.4642, "mlon": 9.19, "s": "41.9",
      "b": true, "z": null, "arr": [1, 2], "o": {"x": 1}, "i": 1,
      "pts": [{"lat": 45.4642, "lon": 9.19}, {"lat": 41.9028, "lon": 12.4964}]})").as_object();
  PathTable p = Documents();
  SystemValues sys{{"@version", Value::Integer(1)}, {"_creation_date", Value::Date(1388534400000)}};
  auto eval = [&](std::string_view where, std::vector<std::string> params = {}) {
    return Evaluate(ParseAndBind(where, params, kNow), doc, p, sys);
  };
  EXPECT_TRUE(eval("distance(lat, lon, mlat, mlon) between 476 and 478"));
  EXPECT_TRUE(eval("distance(lat, lon, 45.4642, 9.19) > 476.8 and distance(lat, lon, 45.4642, 9.19) < 476.9"));
  EXPECT_TRUE(eval("DISTANCE(lat, lon, mlat, mlon) < 478 and Distance(mlat, mlon, lat, lon) > 476"));
  EXPECT_TRUE(eval("distance(lat, lon, lat, lon) = 0 and distance(0, 0, 0, 0) = 0"));
  EXPECT_TRUE(eval("distance(i, 0, 0, 0) between 111.19 and 111.2"));        // integers are numbers
  EXPECT_TRUE(eval("distance(@version, 0, 0, 0) between 111.19 and 111.2"));  // so are number system fields
  EXPECT_TRUE(eval("distance(0, 0, 0, 180) between 20015 and 20016"));       // constants
  EXPECT_TRUE(eval("distance(0, 0, 0, 0) = '0'"));                           // a constant coerces like a literal
  // `?`: a param that parses as a number is that number; anything else is not a number.
  EXPECT_TRUE(eval("distance(lat, lon, ?, ?) between 476 and 478", {"45.4642", "9.19"}));
  EXPECT_TRUE(eval("distance(lat, lon, ?, ?) is null", {"abc", "9.19"}));
  EXPECT_TRUE(eval("distance(lat, lon, ?, ?) is null", {"", "9.19"}));
  // Any argument not a number → null, and every comparison with null is false (§8.7).
  for (const char* arg : {"s", "b", "z", "missing", "arr", "o", "'41.9'", "true", "null", "_creation_date",
                          "date('2014-01-01')", "o.x.y", "distance(s, 0, 0, 0)"}) {
    std::string d = fmt::format("distance({}, lon, mlat, mlon)", arg);
    SCOPED_TRACE(d);
    EXPECT_TRUE(eval(d + " is null"));
    EXPECT_FALSE(eval(d + " is not null"));
    EXPECT_FALSE(eval(d + " < 1000"));
    EXPECT_FALSE(eval(d + " >= 0"));
    EXPECT_FALSE(eval(d + " <> 1"));
    EXPECT_TRUE(eval("not (" + d + " < 1000)"));
  }
  // A path through an array gives every combination of values (as a predicate's operands do).
  EXPECT_TRUE(eval("distance(pts.lat, pts.lon, lat, lon) < 1"));
  EXPECT_TRUE(eval("distance(pts.lat, pts.lon, lat, lon) > 476"));
  EXPECT_TRUE(eval("distance(pts.lat, pts.lon, lat, lon) between 200 and 400"));  // a lat with the other lon
  EXPECT_FALSE(eval("distance(pts.lat, pts.lon, lat, lon) between 480 and 20000"));
  EXPECT_TRUE(eval("pts contains (distance(lat, lon, 41.9028, 12.4964) = 0)"));
  EXPECT_FALSE(eval("pts contains (distance(lat, lon, 41.9028, 12.4964) between 1 and 400)"));
  // The SQL carries the arguments as parameters.
  Sql sql = Compile(ParseAndBind("distance(lat, lon, 41.872389, ?) < 5", Params({"12.48018"}), kNow), kSqlite, p);
  EXPECT_NE(sql.text.find("gb_distance("), std::string::npos);
  EXPECT_EQ(sql.text.find("41.87"), std::string::npos);
  EXPECT_EQ(sql.text.find("12.48"), std::string::npos);
  Sql pg = Compile(ParseAndBind("distance(lat, lon, 41.872389, ?) < 5", Params({"12.48018"}), kNow), kPostgres, p);
  EXPECT_EQ(pg.text.find("41.87"), std::string::npos);
  EXPECT_EQ(pg.text.find("12.48"), std::string::npos);
  EXPECT_EQ(pg.text.find("gb_distance"), std::string::npos);
}

TEST(BaasboxWhereEval, CombinationsPastTheWorkBudgetStopTheQuery) {
  // A path through an array of objects is multi-valued (§8.6). Two 1,500-value paths compared
  // pairwise: 2,250,000 tests (past the budget of one record); distance() over four 100-value
  // paths: 10^8 values. Each stops with TooCostly (§8.9's 503 «Query timeout»); the same shapes
  // over small arrays, or with an early match, answer.
  auto objects = [](int from, int n) {
    json::array out;
    for (int i = 0; i < n; ++i) out.emplace_back(json::object{{"v", from + i}});
    return out;
  };
  json::object doc{{"a", objects(0, 1500)}, {"b", objects(1500, 1500)}, {"s", objects(0, 100)}, {"t", objects(1, 3)}};
  PathTable p = Documents();
  auto eval = [&](std::string_view where) { return Evaluate(ParseAndBind(where, {}, kNow), doc, p, {}); };
  EXPECT_THROW(eval("a.v > b.v"), TooCostly);
  EXPECT_THROW(eval("distance(s.v, s.v, s.v, s.v) < 0"), TooCostly);
  EXPECT_FALSE(eval("t.v > b.v"));
  EXPECT_TRUE(eval("b.v > a.v"));  // the first pair already matches
  EXPECT_FALSE(eval("distance(t.v, t.v, t.v, t.v) < 0"));
  EXPECT_TRUE(eval("distance(t.v, t.v, t.v, t.v) >= 0"));
}

TEST(BaasboxWhereEval, DistanceInFieldsProjections) {
  std::vector<CriteriaRow> rows;
  for (const char* d : {R"({"name": "rome", "lat": 41.9028, "lon": 12.4964})", R"({"name": "milan", "lat": 45.4642, "lon": 9.19})",
                        R"({"name": "none", "lat": "41.9", "lon": 12})", R"({"name": "empty"})"}) {
    CriteriaRow r;
    r.doc = json::parse(d).as_object();
    r.system = json::object{{"@version", 1}};
    rows.push_back(std::move(r));
  }
  Criteria c;
  c.fields = "name, distance(lat, lon, 45.4642, 9.19) as dist, DISTANCE(lat,lon,-41.9028,-12.4964), distance(@version, 0, 0, 0)";
  c.order_by = "dist desc";
  json::array out = ApplyInMemory(rows, c, 0, PathTable::DocumentHidden());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].at("name"), "rome");
  EXPECT_NEAR(out[0].at("dist").as_double(), 477, 1);
  EXPECT_EQ(out[0].at("dist").as_double(), util::HaversineKm(41.9028, 12.4964, 45.4642, 9.19));  // as in `where`
  EXPECT_EQ(out[0].at("distance").as_double(), util::HaversineKm(41.9028, 12.4964, -41.9028, -12.4964));
  EXPECT_EQ(out[0].at("distance2").as_double(), util::HaversineKm(1, 0, 0, 0));  // a clash gets a suffix
  EXPECT_EQ(out[1].at("name"), "milan");
  EXPECT_EQ(out[1].at("dist").as_double(), 0);
  EXPECT_EQ(out[2].at("name"), "none");  // nulls sort first: desc puts them last, in input order
  EXPECT_TRUE(out[2].at("dist").is_null());
  EXPECT_TRUE(out[2].at("distance").is_null());
  EXPECT_EQ(out[3].at("name"), "empty");
  EXPECT_TRUE(out[3].at("dist").is_null());
  for (const char* bad : {"distance(lat, lon, 1)", "distance(lat, lon, 1, 2, 3)", "distance()", "sum(distance(a, b, 1, 2))",
                          "distance(a, b, 'x', 2)", "distance(_allowRead, b, 1, 2)", "distance(a, b, 1, 2).size()",
                          "distance(a, b, 1, 2", "a[-1]", "a[1.5]"}) {
    SCOPED_TRACE(bad);
    Criteria b;
    b.fields = bad;
    EXPECT_THROW(CheckCriteriaSyntax(b, PathTable::DocumentHidden()), CriteriaError);
  }
  Criteria o;
  o.order_by = "distance(a, b, 1, 2)";  // orderBy takes keys and aliases only (§7.5)
  EXPECT_THROW(CheckCriteriaSyntax(o, PathTable::DocumentHidden()), CriteriaError);
}

// --- stores -----------------------------------------------------------------------------------

std::string PgUrl() {
  const char* url = std::getenv("GRIDBASE_TEST_PG_URL");
  return url ? url : "";
}

bool RunPsql(const std::string& url, const std::string& sql) {
  std::string cmd = "psql -X -q '" + url + "' -c '" + sql + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

/// A fresh PostgreSQL database on the test cluster, dropped at the end.
class WherePgDatabase {
 public:
  WherePgDatabase() {
    static std::atomic<int> n{0};
    name_ = "gbw_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    admin_ = PgUrl();
    if (!RunPsql(admin_, "CREATE DATABASE " + name_)) throw std::runtime_error("cannot create " + name_);
    url_ = admin_.substr(0, admin_.rfind('/') + 1) + name_;
  }
  ~WherePgDatabase() { RunPsql(admin_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }
  const std::string& url() const { return url_; }

 private:
  std::string admin_, name_, url_;
};

// --- random documents and expressions ---------------------------------------------------------

const char* kKeys[] = {"a", "b", "n", "s", "flag", "tags", "items", "obj", "name"};
const char* kStrings[] = {"", "a", "A", "abc", "Abc", "ABC", "a%b", "a_b", "x*y", "[z]", "q?", "2", "2.5", "-1",
                          "true", "FALSE", "\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89", "Stra\xc3\x9f", "\xce\xa3\xce\xb1",
                          "\xe6\x97\xa5\xe6\x9c\xac", " pad ", "2014-01-01",
                          "back\\slash", "it's", "john", "John Smith"};

struct Gen {
  std::mt19937 rng;
  explicit Gen(uint32_t seed) : rng(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  bool Chance(int percent) { return Int(1, 100) <= percent; }
  template <class T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Int(0, N - 1)];
  }

  json::value Scalar() {
    switch (Int(0, 5)) {
      case 0: return json::value(static_cast<int64_t>(Int(-3, 5)));
      case 1: return json::value(Int(-8, 12) / 4.0);
      case 2: return json::value(Pick(kStrings));
      case 3: return json::value(Chance(50));
      case 4: return json::value(nullptr);
      default: return json::value(static_cast<int64_t>(Int(-1000000, 1000000)));
    }
  }

  json::value Value(int depth) {
    int kind = Int(0, depth > 0 ? 9 : 5);
    if (kind <= 5) return Scalar();
    if (kind <= 6) return json::value(Object(depth - 1));
    json::array arr;
    int n = Int(0, 4);
    for (int i = 0; i < n; ++i) {
      if (kind == 7) arr.push_back(Scalar());
      else if (kind == 8) arr.push_back(json::value(Object(depth - 1)));
      else arr.push_back(Chance(70) ? Value(depth - 1) : Scalar());
    }
    return json::value(std::move(arr));
  }

  json::object Object(int depth) {
    json::object o;
    for (const char* k : kKeys)
      if (Chance(45)) o[k] = Value(depth);
    return o;
  }

  // -- expressions --

  std::string Path(bool relative) {
    if (!relative && Chance(12)) {
      const char* sys[] = {"id", "_author", "_creation_date", "@version", "@class", "@rid"};
      return Pick(sys);
    }
    std::string p = Pick(kKeys);
    if (Chance(15)) p += "[" + std::to_string(Int(0, 2)) + "]";
    int more = Int(0, 2);
    for (int i = 0; i < more; ++i) {
      p += std::string(".") + Pick(kKeys);
      if (Chance(10)) p += "[" + std::to_string(Int(0, 2)) + "]";
    }
    return p;
  }

  std::string Quote(std::string_view s) {
    std::string out = Chance(50) ? "'" : "\"";
    char q = out[0];
    for (char c : s) {
      if (c == q || c == '\\') out += '\\';
      out += c;
    }
    return out + q;
  }

  std::string Literal(std::vector<std::string>& params) {
    switch (Int(0, 6)) {
      case 0: return std::to_string(Int(-3, 5));
      case 1: {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%g", Int(-8, 12) / 4.0);
        return buf;
      }
      case 2: return Quote(Pick(kStrings));
      case 3: return Chance(50) ? "true" : "FALSE";
      case 4: return Chance(80) ? "?" : "null";
      case 5: {
        const char* dates[] = {"date('2014-01-01')", "date('2015-06-01T10:00:00Z')", "sysdate()",
                               "date('2013-12-31 23:00:00', 'yyyy-MM-dd HH:mm:ss')"};
        return Pick(dates);
      }
      default: {
        params.push_back(Chance(50) ? std::to_string(Int(-3, 5)) : Pick(kStrings));
        return "?";
      }
    }
  }

  std::string Methods() {
    std::string out;
    if (!Chance(20)) return out;
    const char* m[] = {".toLowerCase()", ".toUpperCase()", ".trim()", ".length()", ".size()"};
    int n = Int(1, 2);
    for (int i = 0; i < n; ++i) out += Pick(m);
    return out;
  }

  /// distance(…) over mostly numeric arguments (paths, numbers, numeric `?`), sometimes not.
  std::string Distance(std::vector<std::string>& params, bool relative, bool nested = false) {
    std::string out = Chance(80) ? "distance(" : "DISTANCE(";
    for (int i = 0; i < 4; ++i) {
      if (i) out += ", ";
      int k = Int(0, 19);
      if (k < 10) out += Path(relative) + (Chance(10) ? Methods() : "");
      else if (k < 15) out += std::to_string(Int(-3, 5)) + (Chance(30) ? ".5" : "");
      else if (k < 17) {
        params.push_back(Chance(80) ? std::to_string(Int(-3, 5)) : Pick(kStrings));
        out += "?";
      } else if (k < 18 && !nested) {
        out += Distance(params, relative, true);
      } else {
        out += Literal(params);
      }
    }
    return out + ")";
  }

  std::string Operand(std::vector<std::string>& params, bool relative) {
    if (Chance(5)) return Distance(params, relative);
    if (Chance(75)) return Path(relative) + Methods();
    return Literal(params);
  }

  std::string Predicate(std::vector<std::string>& params, bool relative, int depth) {
    const char* ops[] = {"=", "==", "<>", "!=", "<", "<=", ">", ">="};
    const char* patterns[] = {"'a%'", "'%b'", "'%'", "'a'", "'A%'", "'%b%'", "'a%b'", "'%_%'", "'x*%'", "'[%'",
                              "'%?'", "'%t%'", "'j%n%'", "''", "?"};
    switch (Int(0, 11)) {
      case 0:
      case 1:
      case 2: return Path(relative) + Methods() + " " + Pick(ops) + " " + Operand(params, relative);
      case 10: {
        // distance() against thresholds where the random data's distances fall (1° ≈ 111 km).
        const char* kms[] = {"0", "100", "111.19492664455873", "250", "300", "500.5", "1000", "'400'", "?", "n", "a"};
        std::string km = Pick(kms);
        if (km == "?") params.push_back(std::to_string(Int(0, 8) * 100));
        if (Chance(20)) return Distance(params, relative) + (Chance(50) ? " is null" : " IS NOT NULL");
        if (Chance(15)) return Distance(params, relative) + " between " + km + " and " + std::to_string(Int(1, 9) * 100);
        return Distance(params, relative) + " " + Pick(ops) + " " + km;
      }
      case 3: return Literal(params) + " " + Pick(ops) + " " + Path(relative) + Methods();
      case 4: return Path(relative) + Methods() + (Chance(50) ? " IS NULL" : " is not null");
      case 5: {
        std::string p = Pick(patterns);
        if (p == "?") params.push_back(Chance(50) ? "a%" : "%c");
        return Path(relative) + Methods() + (Chance(25) ? " NOT LIKE " : " like ") + p;
      }
      case 6: {
        std::string list;
        int n = Int(0, 4);
        for (int i = 0; i < n; ++i) list += (i ? ", " : "") + Literal(params);
        if (Chance(15)) return Path(relative) + " in " + Path(relative);
        return Path(relative) + (Chance(25) ? " not in " : " in ") + (Chance(50) ? "[" + list + "]" : n ? "(" + list + ")" : "[]");
      }
      case 7: return Path(relative) + Methods() + " between " + Literal(params) + " and " + Literal(params);
      case 8: return Path(relative) + " contains " + Literal(params);
      case 9:
        if (depth < 3) return Path(true) + " contains (" + Condition(params, true, depth + 1) + ")";
        return Path(relative) + " is null";
      default: return Path(relative) + " = " + Path(relative);
    }
  }

  std::string Condition(std::vector<std::string>& params, bool relative, int depth) {
    int k = Int(0, depth > 2 ? 0 : 5);
    if (k <= 2) return Predicate(params, relative, depth);
    if (k == 3) return (Chance(50) ? "not " : "NOT ") + std::string("(") + Condition(params, relative, depth + 1) + ")";
    std::string a = Condition(params, relative, depth + 1), b = Condition(params, relative, depth + 1);
    return "(" + a + (k == 4 ? ") AND (" : ") or (") + b + ")";
  }
};

const char* kHandWritten[] = {
    "a = 1", "a = '1'", "a = 1.0", "a <> 1", "not (a = 1)", "not a <> 1", "a > 0 and a < 3", "a >= -1.5",
    "a = true", "a = 'TRUE'", "a <> false", "a is null", "a is not null", "not (a is null)", "a.b is null",
    "a.b is not null", "items.name is null", "items.name is not null", "a = b", "a <> b", "a < b", "n = s",
    "s = 'abc'", "s > 'a'", "s < 'B'", "s >= 'Abc'", "s = '2'", "s = 2", "s = 2.5", "s = true", "s = 'true'",
    "n = '2'", "n = '2.5'", "n < '3'", "n = 'abc'", "flag = 'false'", "flag = 0", "flag < true",
    "s like 'a%'", "s like '%b%'", "s like 'a'", "s like '%'", "s like ''", "s like 'a_b'", "s like 'a%b'",
    "s like 'x*%'", "s like '[%'", "s like 'q?'", "s like '%?'", "s not like 'a%'", "s like '%\\\\%'",
    "s.toLowerCase() like 'a%'", "s.toUpperCase() = 'ABC'", "s.trim() = 'pad'", "s.length() = 3",
    "s.length() = 0", "tags.length() = 0", "tags.size() = 0", "tags.size() > 2", "obj.size() = 1",
    "s.size() = 0", "name.toLowerCase().length() > 2", "a in [1, 2, 'abc']", "a in []", "a not in [1, 'a']",
    "a in (true, null)", "a in tags", "'a' in tags", "tags in ['a', 2]", "a between 0 and 2",
    "a between 'a' and 'b'", "a not in ['2']", "tags contains 'a'", "tags contains 2", "tags contains '2'",
    "tags contains null", "tags contains true", "items contains (n > 0)", "items contains (s like 'a%')",
    "items contains (n is null)", "items contains (not (n = 1))", "items contains (tags contains 'a')",
    "tags contains (a is null)", "obj contains (a = 1)", "a contains (b = 1) or b contains (a = 1)",
    "items.n = 1", "items.n > 0 and items.s = 'a'", "items[0].n = 1", "items[1].tags[0] = 'a'",
    "obj.a = 1", "obj.a.b = 1", "obj.tags.n = 1", "a[0] = 1", "a[0][0] = 1", "a[1].b is null",
    "tags[0] = 'a'", "tags[2] is not null", "not (items.n = 1)", "not (tags contains 'a')",
    "not (items contains (n = 1))", "not (s like 'a%')", "not (a in [1, 2])", "not (a between 1 and 2)",
    "1 = 1", "1 = 2", "'a' = 'a'", "'01' = 1", "1 = '01'", "'abc'.length() = 3", "null is null",
    "id = 'uuid-3'", "id like 'uuid-1%'", "_author = 'user2'", "_author.length() = 5", "@version > 2",
    "@version = '3'", "@class = 'things'", "@rid = '#1:5'", "@rid like '#1:1%'",
    "_creation_date > date('2014-01-01')", "_creation_date <= '2014-01-10T00:00:00.000+0000'",
    "_creation_date = 1388534400000", "_creation_date < sysdate()", "_creation_date is null",
    "_creation_date between date('2014-01-02') and date('2014-01-05')", "id.x is null", "@class.x is null",
    "s = date('2014-01-01')", "a = sysdate()", "(a = 1 or b = 2) and not (n is null)",
    "not (not (a = 1) or not (b = 2))", "not (a = 1 and b is null)", "s.toLowerCase() = s",
    "items.n = items.s", "items contains (n = a)", "a.b.c.d = 1", "`a` = 1", "name = 'john'",
    "name.toLowerCase() like 'john%'", "s = ?", "n = ?", "n in ?", "flag = ?", "s like ?", "a = date(?)",
    // distance() (§8.5): the random numbers are degrees, 1° ≈ 111.19 km
    "distance(a, b, 0, 0) < 300", "distance(a, b, n, 1) >= 100", "distance(a, b, a, b) = 0", "distance(n, n, 1, 1) <= 200",
    "distance(items.n, 0, 0, 0) < 300", "distance(obj.a, obj.b, a, b) < 500", "distance(a, b, 0, 0) is null",
    "distance(a, b, 0, 0) is not null", "not (distance(a, b, 0, 0) > 300)", "distance(s, 0, 0, 0) is null",
    "distance('1', 0, 0, 0) is null", "distance(1, 0, 0, 0) < 112", "a = distance(0, 0, 0, 0)", "s = distance(0, 0, 0, 0)",
    "distance(a, b, 0, 0) between 100 and 400", "distance(a, b, 0, 0) in [0, 111.19492664455873, '222.38985328911747']",
    "items contains (distance(n, n, 0, 0) < 200)", "distance(@version, 0, 0, 0) < 300", "distance(_creation_date, 0, 0, 0) is null",
    "distance(s.length(), tags.size(), 0, 0) < 400", "distance(distance(a, b, 0, 0), 0, 0, 0) > 0", "distance(a, b, ?, ?) < 300",
    "distance(1e6, -1e6, 1000000, 5) >= 0", "distance(a, b, 0, 0) = n", "distance(a, b, 0, 0) < distance(n, n, 0, 0)",
    "DISTANCE(a, b, 0, 0).length() = 0", "distance(tags, 0, 0, 0) is null", "distance(obj.items.n, a, 0, 0) > 100",
};

struct Row {
  int64_t id;
  json::object doc;
  SystemValues system;
};

class BaasboxWhereStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gridbase-where-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    if (Store() == "postgresql") {
      if (PgUrl().empty()) GTEST_SKIP() << "GRIDBASE_TEST_PG_URL is not set (make test sets it)";
      pg_ = std::make_unique<WherePgDatabase>();
      store_ = store::OpenPostgresStore(pg_->url(), 1);
      // What migration 14 creates: the collation of toLowerCase()/toUpperCase().
      store_->Write([](store::Tx& tx) {
        tx.Exec("CREATE COLLATION IF NOT EXISTS gb_case (provider = libc, locale = 'C.UTF-8')");
      });
    } else {
      store_ = store::OpenSqliteStore(dir_ + "/w.db", 1);
    }
    Gen g(20240611);
    for (int i = 1; i <= 300; ++i) {
      Row r;
      r.id = i;
      r.doc = g.Object(2);
      if (i % 7 == 0) r.doc = json::object{};
      r.system["id"] = Value::String("uuid-" + std::to_string(i));
      r.system["_author"] = Value::String("user" + std::to_string(i % 5));
      r.system["_creation_date"] = Value::Date(1388534400000 + int64_t{i} * 3600000);
      r.system["@version"] = Value::Integer(i % 4 + 1);
      r.system["@class"] = Value::String("things");
      r.system["@rid"] = Value::String("#1:" + std::to_string(i));
      rows_.push_back(std::move(r));
    }
    store_->Write([&](store::Tx& tx) {
      tx.Exec("CREATE TABLE tbl_1 (id INTEGER PRIMARY KEY, bb_uuid TEXT, bb_version INTEGER, bb_author_id INTEGER, "
              "bb_created_at INTEGER, bb_doc TEXT)");
      for (const Row& r : rows_) {
        std::string doc = json::serialize(r.doc);
        tx.Exec("INSERT INTO tbl_1 (id, bb_uuid, bb_version, bb_author_id, bb_created_at, bb_doc) VALUES (?, ?, ?, ?, ?, ?)",
                r.id, r.system.at("id").text, *r.system.at("@version").integer, r.id % 5,
                r.system.at("_creation_date").date_ms, doc);
      }
      // "+projections": every top-level key gets projection columns (as the documents service
      // makes them), so each comparison on a top-level key reads them instead of the JSON.
      if (GetParam().find("+projections") == std::string::npos) return;
      int64_t id = 0;
      for (const char* key : kKeys) {
        ++id;
        AddProjectionColumns(tx, 1, id);
        auto v = ProjectionValues(tx.dialect(), "bb_doc", key);
        SqlParams params = v.string.params;
        params.insert(params.end(), v.number.params.begin(), v.number.params.end());
        auto bound = types::BindValues(params);
        tx.ExecV(fmt::format("UPDATE tbl_1 SET bbp_{0}_s = {1}, bbp_{0}_n = {2}", id, v.string.text, v.number.text),
                 bound);
        // Types no row holds under the key are skipped by the compiler (as the service finds them).
        PathTable::Projected p;
        p.prefix = fmt::format("t.bbp_{}", id);
        p.strings = p.numbers = false;
        for (const Row& r : rows_) {
          if (const auto* v = r.doc.if_contains(key)) {
            p.strings = p.strings || v->is_string();
            p.numbers = p.numbers || v->is_number();
          }
        }
        paths_.projected[key] = std::move(p);
      }
    });
  }
  std::string Store() const { return GetParam().substr(0, GetParam().find('+')); }
  void TearDown() override {
    if (store_) store_->Close();
    store_.reset();
    pg_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::set<int64_t> BySql(const Where& w) {
    Sql sql = Compile(w, store_->dialect(), paths_);
    std::string q = "SELECT t.id FROM tbl_1 t WHERE " + sql.text;
    auto values = types::BindValues(sql.params);
    std::set<int64_t> ids;
    store_->Read([&](store::Tx& tx) {
      auto c = tx.QueryV(q, values);
      while (c->Next()) ids.insert(c->Int(0));
    });
    return ids;
  }

  std::set<int64_t> ByEvaluator(const Where& w) {
    std::set<int64_t> ids;
    for (const Row& r : rows_)
      if (Evaluate(w, r.doc, paths_, r.system)) ids.insert(r.id);
    return ids;
  }

  /// Both ways agree; returns how many rows matched.
  size_t Agree(const std::string& where, const std::vector<std::string>& params) {
    SCOPED_TRACE(where);
    Where w = ParseAndBind(where, params, kNow);
    auto expected = ByEvaluator(w);
    std::set<int64_t> got;
    try {
      got = BySql(w);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "SQL failed: " << e.what() << "\n" << Compile(w, store_->dialect(), paths_).text;
      return 0;
    }
    if (got != expected) {
      std::string diff;
      for (auto id : expected)
        if (!got.count(id)) diff += " -" + std::to_string(id) + " " + json::serialize(rows_[id - 1].doc) + "\n";
      for (auto id : got)
        if (!expected.count(id)) diff += " +" + std::to_string(id) + " " + json::serialize(rows_[id - 1].doc) + "\n";
      ADD_FAILURE() << "SQL and evaluator differ (- evaluator only, + SQL only):\n"
                    << diff.substr(0, 3000) << Compile(w, store_->dialect(), paths_).text.substr(0, 3000);
    }
    return expected.size();
  }

  std::string dir_;
  std::unique_ptr<WherePgDatabase> pg_;
  std::unique_ptr<store::Store> store_;
  std::vector<Row> rows_;
  PathTable paths_ = Documents();
};

INSTANTIATE_TEST_SUITE_P(Stores, BaasboxWhereStoreTest,
                         ::testing::Values("sqlite", "postgresql", "sqlite+projections", "postgresql+projections"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '+', '_');
                           return name;
                         });

TEST_P(BaasboxWhereStoreTest, OrderByInSqlMatchesTheInMemoryOrder) {
  // Every top-level key and two system fields, both directions: the SQL order (CompileOrder,
  // ties by id) equals ApplyInMemory's stable sort of §7.5.
  std::vector<std::string> keys(std::begin(kKeys), std::end(kKeys));
  keys.push_back("@version");
  keys.push_back("id");
  for (const auto& key : keys) {
    for (bool desc : {false, true}) {
      SCOPED_TRACE(key + (desc ? " desc" : " asc"));
      std::vector<CriteriaRow> rows;
      for (const Row& r : rows_) {
        CriteriaRow c;
        c.doc = r.doc;
        c.system = json::object{{"id", r.system.at("id").text}, {"@version", *r.system.at("@version").integer}};
        c.out = r.id;
        rows.push_back(std::move(c));
      }
      Criteria crit;
      crit.order_by = key + (desc ? " desc" : "");
      json::array expected = ApplyInMemory(std::move(rows), crit, 0, paths_.hidden);
      auto terms = SqlOrder(crit, paths_.hidden);
      ASSERT_TRUE(terms.has_value());
      Sql order = CompileOrder(*terms, store_->dialect(), paths_);
      std::string q = "SELECT t.id FROM tbl_1 t ORDER BY " + (order.text.empty() ? "" : order.text + ", ") + "t.id";
      auto values = types::BindValues(order.params);
      json::array got;
      store_->Read([&](store::Tx& tx) {
        auto c = tx.QueryV(q, values);
        while (c->Next()) got.push_back(c->Int(0));
      });
      EXPECT_EQ(json::serialize(got), json::serialize(expected));
    }
  }
}

TEST_P(BaasboxWhereStoreTest, HandWrittenExpressionsMatchTheEvaluator) {
  std::vector<std::string> params = {"abc", "2", "2", "true", "a%", "2014-01-01"};
  size_t nonempty = 0;
  for (const char* w : kHandWritten) {
    std::vector<std::string> p;
    // the placeholders of the last rows take their values in order
    Where parsed = Parse(w);
    for (int i = 0; i < parsed.placeholders; ++i) p.push_back(params[(std::string_view(w).find("s like") == 0) ? 4 : i]);
    if (std::string_view(w) == "n = ?" || std::string_view(w) == "n in ?") p = {"2"};
    if (std::string_view(w) == "flag = ?") p = {"true"};
    if (std::string_view(w) == "a = date(?)") p = {"2014-01-01"};
    if (std::string_view(w) == "distance(a, b, ?, ?) < 300") p = {"1", "-2.5"};
    if (Agree(w, p) > 0) ++nonempty;
  }
  EXPECT_GT(nonempty, std::size(kHandWritten) / 2);  // the data exercise most expressions
}

TEST_P(BaasboxWhereStoreTest, GeneratedExpressionsMatchTheEvaluator) {
  Gen g(7);
  size_t nonempty = 0, total = 0;
  for (int i = 0; i < 600; ++i) {
    std::vector<std::string> params;
    std::string w = g.Condition(params, false, 0);
    Where parsed = Parse(w);
    while (params.size() < static_cast<size_t>(parsed.placeholders)) params.push_back(g.Pick(kStrings));
    ++total;
    if (Agree(w, params) > 0) ++nonempty;
    if (HasFailure()) break;
  }
  EXPECT_GT(nonempty, total / 4);
}

TEST_P(BaasboxWhereStoreTest, SystemFieldsAndTheExamplesRunOnTheStore) {
  EXPECT_EQ(Agree("id = 'uuid-3'", {}), 1u);
  EXPECT_EQ(Agree("_author = ?", {"user2"}), 60u);
  EXPECT_EQ(Agree("@rid = '#1:5' and @class = 'things' and @version = ?", {"2"}), 1u);
  EXPECT_EQ(Agree("_creation_date > date('2014-01-01T10:00:00.000+0000')", {}), 290u);
  EXPECT_EQ(Agree("_creation_date > date('2014-01-01T12:00:00.000+0200')", {}), 290u);
  EXPECT_EQ(Agree("1=1", {}), 300u);
  EXPECT_EQ(Agree("not (zzz = 1)", {}), 300u);
  EXPECT_EQ(Agree("zzz <> 1", {}), 0u);
  // distance(): @version is 1-4 (111, 222, 333, 445 km from 0,0); params that are numbers count.
  EXPECT_EQ(Agree("distance(@version, 0, 0, 0) < 300", {}), 150u);
  EXPECT_EQ(Agree("distance(@version, 0, ?, ?) < ?", {"0", "0", "300"}), 150u);
  EXPECT_EQ(Agree("distance(@version, 0, ?, ?) is null", {"0", "x"}), 300u);
  EXPECT_EQ(Agree("distance(id, 0, 0, 0) is null", {}), 300u);
}

TEST_P(BaasboxWhereStoreTest, DistanceInSqlEqualsTheEvaluatorToTheBit) {
  // SQLite's gb_distance() and PostgreSQL's inline expression give exactly the double
  // util::HaversineKm gives: `= <that double>` selects the @version 1 rows (75) in both.
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> deg(-400, 400);
  auto text = [](double v) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    return std::string(buf, r.ptr);
  };
  for (int i = 0; i < 120; ++i) {
    double x = deg(rng), y = deg(rng), z = deg(rng);
    if (i % 10 == 1) y = 1, z = x;                          // the same point: 0 km
    if (i % 10 == 2) y = -1, z = x + 180;                   // antipodal: the clamped asin
    if (i % 10 == 3) x *= 1e300 / 400, z *= 1e306 / 400;  // huge degrees: no overflow on PostgreSQL
    if (i % 10 == 4) x = std::round(x), y = std::round(y), z = std::round(z);
    double km = util::HaversineKm(1, x, y, z);
    SCOPED_TRACE(fmt::format("distance(1, {}, {}, {}) = {}", text(x), text(y), text(z), text(km)));
    EXPECT_EQ(Agree("distance(@version, ?, ?, ?) = ?", {text(x), text(y), text(z), text(km)}), 75u);
    if (HasFailure()) break;
  }
}

TEST(BaasboxWhereSql, UserTextNeverReachesTheSqlText) {
  const char* kWheres[] = {"`MARK k`.MARKb[1].MARKc = 'MARK1' or MARKd like '%MARK%' or MARKe in ['MARK']",
                           "MARKf contains (MARKg = \"MARK\") and MARKh between 'MARK' and ? and MARKi.toLowerCase() = ?",
                           "_creation_date > date('2014-01-01') and @class = 'MARK' and MARKj is null"};
  for (const char* w : kWheres) {
    Where b = ParseAndBind(w, Params({"MARK", "MARK"}), kNow);
    for (const store::Dialect* d : {static_cast<const store::Dialect*>(&kSqlite), static_cast<const store::Dialect*>(&kPostgres)}) {
      Sql sql = Compile(b, *d, Documents());
      EXPECT_EQ(sql.text.find("MARK"), std::string::npos) << sql.text;
      EXPECT_EQ(static_cast<size_t>(std::count(sql.text.begin(), sql.text.end(), '?')), sql.params.size());
    }
  }
}

TEST(BaasboxWhereSql, PostgresTextIsUnchangedByTheTranslatorButForPlaceholders) {
  Gen g(5);
  std::vector<std::string> wheres(std::begin(kHandWritten), std::end(kHandWritten));
  for (int i = 0; i < 300; ++i) {
    std::vector<std::string> p;
    wheres.push_back(g.Condition(p, false, 0));
  }
  std::vector<std::string> params(20, "2014-01-01");
  for (const auto& w : wheres) {
    SCOPED_TRACE(w);
    Where b = ParseAndBind(w, params, kNow);
    Sql pg = Compile(b, kPostgres, Documents());
    std::string expected;
    int n = 0;
    for (char c : pg.text) {
      if (c == '?') expected += "$" + std::to_string(++n);
      else expected += c;
    }
    EXPECT_EQ(store::TranslateToPostgres(pg.text), expected);
    Sql lite = Compile(b, kSqlite, Documents());
    EXPECT_EQ(lite.text.find("LIKE"), std::string::npos);  // SQLite's LIKE ignores case
  }
}

TEST_P(BaasboxWhereStoreTest, MultiValuedPathsSelectRows) {
  // The random data reach through arrays, so these are not vacuous agreements.
  for (const char* w : {"items.n is not null", "items.s is not null", "tags contains 'a'", "items contains (n > 0)",
                        "obj.items.n is not null", "items[0].n is not null", "not (items.n is not null)", "tags.size() > 2",
                        "distance(items.n, items.n, 0, 0) >= 0", "distance(items.n, 0, 0, 0) < 600",
                        "items contains (distance(n, 0, n, 0) = 0)"}) {
    EXPECT_GT(Agree(w, {}), 0u) << w;
    EXPECT_LT(Agree(w, {}), rows_.size()) << w;
  }
}

// --- fuzz ---------------------------------------------------------------------------------------

TEST_P(BaasboxWhereStoreTest, FuzzedCriteriaRunOrRaiseTheCriteriaError) {
  Gen g(99);
  std::vector<std::string> corpus(std::begin(kHandWritten), std::end(kHandWritten));
  for (int i = 0; i < 200; ++i) {
    std::vector<std::string> p;
    corpus.push_back(g.Condition(p, false, 0));
  }
  const char* kPieces[] = {"'", "\"", "`", "(", ")", "[", "]", ",", ".", "?", "%", "\\", "=", "<", ">", "!", "-",
                           " and ", " or ", " not ", " like ", " in ", " is ", " null ", " between ", " contains ",
                           "0", "1e5", "-2.5", "@rid", "@x", "_allow", "date(", "sysdate()", ".length()", ".size()",
                           "\xc3\xa9", "\xff", "\xe6\x97", "\t", "\n", ";", "--", "/*", "$", ":", "#", "{", "}",
                           "\\u0041", "\\u00", "a", "items", "tags", "[0]", "[99999999999]", "select", "true",
                           "distance(", "distance(a, b, 0, 0)", ", 1"};
  size_t ran = 0, refused = 0;
  const int kRounds = (Store() == "postgresql" ? 1500 : 3000) / (Store() == GetParam() ? 1 : 3);
  for (int i = 0; i < kRounds; ++i) {
    std::string w = corpus[g.Int(0, static_cast<int>(corpus.size()) - 1)];
    // A third of the rounds combine valid criteria (they must run); the rest mutate them.
    int edits = g.Chance(33) ? 0 : (g.Chance(60) ? 1 : g.Int(2, 4));
    if (edits == 0) w = "(" + w + (g.Chance(50) ? ") and not (" : ") or (") + corpus[g.Int(0, static_cast<int>(corpus.size()) - 1)] + ")";
    for (int k = 0; k < edits; ++k) {
      size_t pos = w.empty() ? 0 : static_cast<size_t>(g.Int(0, static_cast<int>(w.size())));
      switch (g.Int(0, 3)) {
        case 0: w.insert(pos, g.Pick(kPieces)); break;
        case 1:
          if (!w.empty()) w.erase(std::min(pos, w.size() - 1), static_cast<size_t>(g.Int(1, 4)));
          break;
        case 2:
          if (!w.empty()) w[std::min(pos, w.size() - 1)] = static_cast<char>(g.Int(1, 255));
          break;
        default: {
          std::string other = corpus[g.Int(0, static_cast<int>(corpus.size()) - 1)];
          w = w.substr(0, pos) + (g.Chance(50) ? " and " : " or ") + other;
        }
      }
    }
    std::vector<std::string> params = {"1", "abc", "2014-01-01", "%a%", "", "true"};
    SCOPED_TRACE(w);
    try {
      Where b = ParseAndBind(w, params, kNow);
      ++ran;
      Agree(w, params);  // runs the SQL and compares it with the evaluator
    } catch (const CriteriaError&) {
      ++refused;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "unexpected exception: " << e.what();
    }
    if (HasFailure()) break;
  }
  std::printf("fuzz on %s: %zu ran and agreed with the evaluator, %zu refused\n", GetParam().c_str(), ran, refused);
  EXPECT_GT(ran, static_cast<size_t>(kRounds) / 10);
  EXPECT_GT(refused, static_cast<size_t>(kRounds) / 10);
}

}  // namespace
}  // namespace gridbase::baasbox::where_test
