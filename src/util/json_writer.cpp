#include "util/json_writer.hpp"

#include "util/decimal.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace gridbase::util {

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(s.data() + start, s.size() - start);
  out += '"';
}

void JsonWriter::Int(int64_t v) {
  Sep();
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out_.append(buf, p);
}

void JsonWriter::Fixed(double v, int decimals) {
  Sep();
  out_ += FormatFixed(v, decimals);
}

void JsonWriter::PyFloat(double v) {
  Sep();
  out_ += PythonFloatRepr(v);
}

void JsonWriter::Value(const boost::json::value& v) {
  Sep();
  out_ += boost::json::serialize(v);
}

std::string PythonFloatRepr(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  std::string s(buf, p);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

namespace {

void AppendJson(std::string& out, const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, val] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, k);
        out += ':';
        AppendJson(out, val);
      }
      out += '}';
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& val : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendJson(out, val);
      }
      out += ']';
      break;
    }
    case boost::json::kind::string:
      AppendJsonString(out, v.get_string());
      break;
    case boost::json::kind::double_: {
      double d = v.get_double();
      out += std::isfinite(d) ? PythonFloatRepr(d) : std::string("null");
      break;
    }
    default:
      out += boost::json::serialize(v);
  }
}

}  // namespace

std::string ToJson(const boost::json::value& v) {
  std::string out;
  AppendJson(out, v);
  return out;
}

}  // namespace gridbase::util
