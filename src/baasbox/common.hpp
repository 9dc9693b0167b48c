#pragma once
// Types shared by the BaasBox services (src/baasbox/) and their HTTP surface (src/docapi/).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gridbase::baasbox {

/// A failure of the BaasBox surface: the HTTP status, the envelope's `message` (baasbox.md §4.2;
/// clients match substrings, so texts are the spec's «…») and the optional string `bb_code`.
class BbError : public std::runtime_error {
 public:
  BbError(int status, std::string message, std::string bb_code = "")
      : std::runtime_error(message), status_(status), message_(std::move(message)), bb_code_(std::move(bb_code)) {}
  int status() const { return status_; }
  const std::string& message() const { return message_; }
  const std::string& bb_code() const { return bb_code_; }

 private:
  int status_;
  std::string message_;
  std::string bb_code_;
};

/// Who is calling the BaasBox surface (after authentication, §2).
struct Caller {
  int64_t user_id = 0;      // bb_user.id; 0 for the anonymous caller
  std::string username;     // "" for the anonymous caller
  /// Ids of the roles the caller holds plus all their ancestors (§2.4); the anonymous caller
  /// holds `anonymous` only.
  std::vector<int64_t> role_ids;
  bool bypass_acl = false;  // administrator or backoffice (§2.4)
  bool is_admin = false;    // holds `administrator` directly (§2.2 ADMIN)
  bool anonymous() const { return user_id == 0; }
};

}  // namespace gridbase::baasbox
