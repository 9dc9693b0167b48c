#pragma once
// Webhook delivery (webhooks.md §4–§6), a durable consumer of the outbox: for each table
// event it queues one delivery per matching webhook in `webhook_deliveries`, in the same
// transaction that advances its stored position, so nothing is lost or queued twice across a
// crash. Worker threads then call each webhook's queue head (one call in flight per webhook,
// FIFO), log the attempt, retry with backoff, and deactivate a webhook after too many
// consecutive failures. Never on the request path.
#include <memory>

#include "events/bus.hpp"
#include "services/webhooks.hpp"

namespace gridbase::events {

class WebhookDispatcher : public Consumer {
 public:
  WebhookDispatcher(store::Store& store, services::WebhookConfig config, int threads = 4);
  ~WebhookDispatcher() override;

  std::string_view name() const override { return "webhooks"; }
  int64_t StartAfter(store::Store& store, int64_t newest) override;
  void Handle(const std::vector<StoredEvent>& events) override;

  /// Starts the delivery threads (queued deliveries from before a restart go out first).
  void Start();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The webhook event type of an outbox event type ("rows_created" → "rows.created"), or "".
std::string_view WebhookEventTypeOf(std::string_view outbox_type);

}  // namespace gridbase::events
