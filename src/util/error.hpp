#pragma once
// The one exception type that ends an operation with a Baserow error.
#include <boost/json/value.hpp>
#include <exception>
#include <string>

namespace gridbase {

/// An error that ends the current operation and becomes `{"error": code, "detail": …}`.
/// `code` is Baserow's code string (e.g. "ERROR_USER_NOT_IN_GROUP"); the HTTP status and the
/// default detail come from the catalogue in api/errors.cpp. `detail`, when set, replaces the
/// catalogue's detail (validation objects, rendered messages).
class Error : public std::exception {
 public:
  explicit Error(std::string code) : code_(std::move(code)) {}
  Error(std::string code, boost::json::value detail)
      : code_(std::move(code)), detail_(std::move(detail)), has_detail_(true) {}
  Error(std::string code, std::string detail)
      : code_(std::move(code)), detail_(boost::json::string(detail)), has_detail_(true) {}
  Error(std::string code, const char* detail) : Error(std::move(code), std::string(detail)) {}

  const char* what() const noexcept override { return code_.c_str(); }
  const std::string& code() const { return code_; }
  bool has_detail() const { return has_detail_; }
  const boost::json::value& detail() const { return detail_; }

 private:
  std::string code_;
  boost::json::value detail_;
  bool has_detail_ = false;
};

}  // namespace gridbase
