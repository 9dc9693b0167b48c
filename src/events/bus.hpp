#pragma once
// The EventBus: after a write commits, it reads the new rows of the outbox (`events`) in id
// order and hands them to its consumers, listed once in app/ (realtime, webhooks). Each
// consumer has its own position; a durable consumer stores it in the database, so events
// committed before a crash are still handled after a restart.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace gridbase::events {

/// One outbox row.
struct StoredEvent {
  int64_t id = 0;
  std::string uuid;
  int64_t created_on = 0;  // micros
  std::string type;
  int64_t workspace_id = 0;
  std::optional<int64_t> table_id;
  std::optional<std::vector<int64_t>> recipients;
  std::string exclude_ws;
  bool webhooks = false;
  std::shared_ptr<const std::string> message;  // shared by every connection it is sent to
  std::string extra;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  virtual std::string_view name() const = 0;
  /// Called once when the bus starts: the id of the last event this consumer has handled.
  virtual int64_t StartAfter(store::Store& store, int64_t newest) = 0;
  /// Handles `events` (ascending ids, all after its position). Throwing leaves the position
  /// where it was: the same events come again later.
  virtual void Handle(const std::vector<StoredEvent>& events) = 0;
};

/// Outbox rows after `after`, ascending, at most `limit`; only those of `table_id` when given.
std::vector<StoredEvent> ReadEvents(store::Tx& tx, int64_t after, int64_t limit,
                                    std::optional<int64_t> table_id = std::nullopt);
/// The newest outbox id that pruning removed (0 when none).
int64_t PrunedUpTo(store::Tx& tx);

struct BusOptions {
  std::chrono::hours retention{72};  // outbox rows older than this are pruned
  std::chrono::milliseconds poll{1000};
};

class EventBus {
 public:
  EventBus(store::Store& store, BusOptions options);
  ~EventBus();
  EventBus(const EventBus&) = delete;
  EventBus& operator=(const EventBus&) = delete;

  /// Consumers are called in the order they were added. Only before Start().
  void AddConsumer(Consumer* consumer);
  void Start();
  /// Hands over what is already committed, then stops the thread.
  void Stop();
  /// Wakes the bus: new events were committed.
  void Notify();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridbase::events
