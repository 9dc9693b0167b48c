#pragma once
// Request-body validation with Django REST Framework's messages and codes (errors.md §2).
// Every check records its error and validation goes on, so one response names every bad key.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gridbase::util {

struct StringRule {
  bool required = true;
  bool allow_blank = false;
  bool allow_null = false;
  size_t min_length = 0;
  size_t max_length = std::numeric_limits<size_t>::max();
  bool trim = true;
};

class Validator {
 public:
  /// A body that is not an object is recorded as "Invalid data. Expected a dictionary, but
  /// got <python type>." under non_field_errors.
  explicit Validator(const boost::json::value& body);
  Validator(boost::json::value&&) = delete;  // keeps a pointer: the body must outlive it

  bool Has(std::string_view key) const;
  const boost::json::value* Raw(std::string_view key) const;

  std::optional<std::string> String(std::string_view key, const StringRule& rule = {});
  std::optional<std::string> Email(std::string_view key, bool required = true);
  std::optional<std::string> Choice(std::string_view key, const std::vector<std::string>& choices,
                                    bool required = true);
  std::optional<bool> Bool(std::string_view key, bool required = true);
  std::optional<int64_t> Int(std::string_view key, bool required = true,
                             std::optional<int64_t> min = std::nullopt,
                             std::optional<int64_t> max = std::nullopt);
  std::optional<std::vector<int64_t>> IntList(std::string_view key, bool required = true);
  std::optional<std::vector<std::string>> StringList(std::string_view key, bool required = true);
  /// Password rules of Baserow's register/reset/change endpoints (8–256 characters).
  std::optional<std::string> Password(std::string_view key);

  void Fail(std::string_view key, std::string_view message, std::string_view code);
  void FailNonField(std::string_view message, std::string_view code);
  /// Records a structured error (nested objects, index-keyed lists) under `key`.
  void SetError(std::string_view key, boost::json::value detail) { errors_[key] = std::move(detail); }

  bool ok() const { return errors_.empty(); }
  /// Throws ERROR_REQUEST_BODY_VALIDATION with every recorded error.
  void Check() const;
  /// The recorded errors in plain DRF form: {"key": ["message"]}.
  boost::json::object PlainErrors() const;
  const boost::json::object& errors() const { return errors_; }

  /// Python's type name of a JSON value ("list", "str", "int", "float", "bool", "dict").
  static std::string_view PythonType(const boost::json::value& v);

 private:
  const boost::json::value* Lookup(std::string_view key, bool required);
  const boost::json::object* obj_ = nullptr;
  boost::json::object errors_;
};

/// DRF's coercion of a JSON scalar to a string for a CharField; nullopt when not allowed.
std::optional<std::string> CoerceString(const boost::json::value& v);
/// DRF's BooleanField parsing.
std::optional<bool> CoerceBool(const boost::json::value& v);
/// DRF's IntegerField parsing.
std::optional<int64_t> CoerceInt(const boost::json::value& v);

}  // namespace gridbase::util
