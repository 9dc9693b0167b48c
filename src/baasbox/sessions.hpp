#pragma once
// BaasBox session tokens (baasbox.md §3): random UUID v4 strings held in memory only, with a
// sliding idle expiry. A restart forgets every token; so does each process of a multi-process
// PostgreSQL deployment keep its own (clients re-login on bb_code 40101).
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gridbase::baasbox {

/// What a token stands for. Never the password (BaasBox kept it; we do not).
struct Session {
  std::string app_code;
  int64_t user_id = 0;
  int64_t session_gen = 0;  // bb_user.session_gen when the token was made
};

class SessionStore {
 public:
  /// `idle_timeout` zero = tokens never expire.
  explicit SessionStore(std::chrono::milliseconds idle_timeout) : timeout_(idle_timeout) {}

  /// A new, independent token (one per login; several devices per user).
  std::string Create(Session session);
  /// The live session of `token`, sliding its expiry; nullopt when unknown or expired (an
  /// expired token is forgotten on the spot).
  std::optional<Session> Touch(std::string_view token);
  /// Forgets one token; false when it was not known.
  bool Remove(std::string_view token);
  /// Forgets every token of a user (password/username change, suspension; §3).
  void RemoveUser(int64_t user_id);
  size_t size();

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    Session session;
    Clock::time_point expires;
  };
  /// Drops expired entries at most once a minute (called with mu_ held).
  void MaybeSweep(Clock::time_point now);

  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> tokens_;
  Clock::time_point last_sweep_ = Clock::now();
};

}  // namespace gridbase::baasbox
