#pragma once
// Outgoing e-mail. With an SMTP URL configured, messages go out through libcurl on a
// background thread (a request never waits for the mail server); without one, the message
// and its links are written to the log, so a self-hosted instance works without SMTP.
#include <memory>
#include <string>

namespace gridbase::services {

struct MailConfig {
  std::string smtp_url;  // smtp://host:587 or smtps://host:465; empty = log only
  std::string username;
  std::string password;
  std::string from = "gridbase@localhost";
};

class Mailer {
 public:
  explicit Mailer(MailConfig config);
  ~Mailer();
  /// Queues a plain-text message.
  void Send(const std::string& to, const std::string& subject, const std::string& body);
  bool configured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbase::services
