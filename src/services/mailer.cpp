#include "services/mailer.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace gridbase::services {

namespace mailer_impl {

struct Message {
  std::string to;
  std::string subject;
  std::string body;
};

struct Payload {
  std::string data;
  size_t offset = 0;
};

size_t ReadPayload(char* buffer, size_t size, size_t n, void* user) {
  auto* p = static_cast<Payload*>(user);
  size_t left = p->data.size() - p->offset;
  size_t chunk = std::min(left, size * n);
  std::memcpy(buffer, p->data.data() + p->offset, chunk);
  p->offset += chunk;
  return chunk;
}

/// Header values must not carry line breaks (header injection).
std::string OneLine(std::string s) {
  for (auto& c : s)
    if (c == '\r' || c == '\n') c = ' ';
  return s;
}

}  // namespace mailer_impl

struct Mailer::Impl {
  MailConfig config;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<mailer_impl::Message> queue;
  bool stopping = false;
  std::thread worker;

  void Deliver(const mailer_impl::Message& m) {
    CURL* curl = curl_easy_init();
    if (!curl) return;
    mailer_impl::Payload payload;
    payload.data = "From: " + mailer_impl::OneLine(config.from) + "\r\nTo: " + mailer_impl::OneLine(m.to) +
                   "\r\nSubject: " + mailer_impl::OneLine(m.subject) +
                   "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + m.body + "\r\n";
    struct curl_slist* rcpt = curl_slist_append(nullptr, ("<" + m.to + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_URL, config.smtp_url.c_str());
    if (!config.username.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, config.username.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, config.password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, ("<" + config.from + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &mailer_impl::ReadPayload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &payload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) spdlog::warn("mail to {} failed: {}", m.to, curl_easy_strerror(rc));
    else spdlog::info("mail sent to {}: {}", m.to, m.subject);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
  }

  void Run() {
    while (true) {
      mailer_impl::Message m;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        m = std::move(queue.front());
        queue.pop_front();
      }
      Deliver(m);
    }
  }
};

Mailer::Mailer(MailConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  if (configured()) impl_->worker = std::thread([this] { impl_->Run(); });
}

Mailer::~Mailer() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
}

bool Mailer::configured() const { return !impl_->config.smtp_url.empty(); }

void Mailer::Send(const std::string& to, const std::string& subject, const std::string& body) {
  if (!configured()) {
    spdlog::info("mail (no SMTP configured) to {}: {}\n{}", to, subject, body);
    return;
  }
  {
    std::lock_guard lock(impl_->mu);
    impl_->queue.push_back(mailer_impl::Message{to, subject, body});
  }
  impl_->cv.notify_one();
}

}  // namespace gridbase::services
