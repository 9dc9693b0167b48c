#include "baasbox/sessions.hpp"

#include <vector>

#include "util/crypto.hpp"

namespace gridbase::baasbox {

std::string SessionStore::Create(Session session) {
  std::string token = util::NewUuid();
  auto now = Clock::now();
  std::lock_guard lock(mu_);
  MaybeSweep(now);
  tokens_[token] = Entry{std::move(session), timeout_.count() == 0 ? Clock::time_point::max() : now + timeout_};
  return token;
}

std::optional<Session> SessionStore::Touch(std::string_view token) {
  auto now = Clock::now();
  std::lock_guard lock(mu_);
  MaybeSweep(now);
  auto it = tokens_.find(std::string(token));
  if (it == tokens_.end()) return std::nullopt;
  if (timeout_.count() != 0) {
    if (it->second.expires <= now) {
      tokens_.erase(it);
      return std::nullopt;
    }
    it->second.expires = now + timeout_;
  }
  return it->second.session;
}

bool SessionStore::Remove(std::string_view token) {
  std::lock_guard lock(mu_);
  return tokens_.erase(std::string(token)) > 0;
}

void SessionStore::RemoveUser(int64_t user_id) {
  std::lock_guard lock(mu_);
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.session.user_id == user_id; });
}

size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  return tokens_.size();
}

void SessionStore::MaybeSweep(Clock::time_point now) {
  if (timeout_.count() == 0 || now - last_sweep_ < std::chrono::minutes(1)) return;
  last_sweep_ = now;
  std::erase_if(tokens_, [&](const auto& kv) { return kv.second.expires <= now; });
}

}  // namespace gridbase::baasbox
