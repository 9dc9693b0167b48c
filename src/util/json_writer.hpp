#pragma once
// A streaming JSON writer that appends straight to a string: no DOM, no per-cell objects.
// Used for row pages, where Boost.JSON's DOM would cost about half the time.
#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/decimal.hpp"

namespace gridbase::util {

/// Appends `s` as a JSON string literal (quotes included), escaping as JSON requires and
/// leaving non-ASCII UTF-8 as is.
void AppendJsonString(std::string& out, std::string_view s);

/// Serialises `v` like boost::json::serialize, except that doubles print in their shortest
/// round-trip form with a fraction ("1.5", "100.0", "1e+21") instead of Boost's exponent form.
std::string ToJson(const boost::json::value& v);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject() { Sep(); out_ += '{'; first_.push_back(true); }
  void EndObject() { out_ += '}'; first_.pop_back(); }
  void BeginArray() { Sep(); out_ += '['; first_.push_back(true); }
  void EndArray() { out_ += ']'; first_.pop_back(); }
  /// An object key; the next value call writes its value.
  void Key(std::string_view k) {
    Sep();
    AppendJsonString(out_, k);
    out_ += ':';
    after_key_ = true;
  }
  void String(std::string_view s) { Sep(); AppendJsonString(out_, s); }
  void Int(int64_t v);
  /// A number printed with exactly `decimals` fractional digits, unquoted.
  void Fixed(double v, int decimals);
  /// A number in Python's repr form (`3660.0`, `3666.666`).
  void PyFloat(double v);
  void Bool(bool v) { Sep(); out_ += v ? "true" : "false"; }
  void Null() { Sep(); out_ += "null"; }
  /// Pre-serialised JSON.
  void Raw(std::string_view json) { Sep(); out_ += json; }
  void Value(const boost::json::value& v);

 private:
  void Sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  std::string& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

/// Python's str(float): shortest round-trip digits, always with a fractional part.
std::string PythonFloatRepr(double v);

}  // namespace gridbase::util
