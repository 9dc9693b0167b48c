#pragma once
// Everything gridbase can be configured with; filled by main.cpp from flags and GRIDBASE_*
// environment variables.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace gridbase::app {

struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;
  std::string data_dir = "./data";
  std::string database_url;  // empty: sqlite file in data_dir
  int threads = 0;           // 0: one per core
  std::string secret_key;    // empty: generated once and kept in data_dir
  std::string public_url;    // base URL of absolute links; empty: from the Host header
  std::vector<std::string> cors_origins{"*"};
  size_t body_limit_bytes = 20 * 1024 * 1024;
  size_t max_connections = 10000;
  int header_timeout_ms = 10000;
  int body_timeout_ms = 60000;
  int idle_timeout_ms = 75000;
  bool access_log = true;
  int64_t index_min_rows = 5000;  // tables this large get indexes for what they are queried by
  std::string frontend_url;  // the web frontend's URL; invitation links must use its host
  std::string smtp_url;      // smtp://host:port (empty: mails are written to the log)
  std::string smtp_user;
  std::string smtp_password;
  std::string smtp_from = "gridbase@localhost";
  std::string log_level = "info";
  bool webhooks_allow_private_address = false;  // webhooks may call private/loopback addresses
  int64_t webhooks_retry_delay_ms = 1000;       // base of the webhook retry backoff (1, 2, 4 … × this)
  int64_t event_retention_hours = 72;           // how long the event outbox keeps events for replay
  // The BaasBox document API (baasbox.md §1.1, §2.4, §3).
  std::string baasbox_prefix = "/baasbox";  // mount point on the main listener
  uint16_t baasbox_port = 0;                // dedicated root listener; 0 = none
  std::string baasbox_appcode = "1234567890";
  std::string baasbox_admin_password;       // password of the built-in `admin` on first start
  bool baasbox_dev_mode = false;            // without a password, `admin` gets the literal "admin"
  double baasbox_session_timeout_min = 15;  // sliding idle expiry of session tokens; 0 = never
  int64_t baasbox_query_timeout_ms = 10000;  // §8.9 query time limit; 0 = none
};

/// A configuration or environment problem that makes the command unusable (exit code 2).
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gridbase::app
