#include "events/bus.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "util/time.hpp"

namespace gridbase::events {

namespace json = boost::json;

namespace {

constexpr int64_t kBatch = 500;
constexpr const char* kPrunedMarker = "_pruned";

std::optional<std::vector<int64_t>> ParseRecipients(std::string_view text) {
  std::vector<int64_t> out;
  std::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& id : v.as_array())
    if (id.is_int64()) out.push_back(id.as_int64());
  return out;
}

}  // namespace

std::vector<StoredEvent> ReadEvents(store::Tx& tx, int64_t after, int64_t limit, std::optional<int64_t> table_id) {
  static constexpr std::string_view kColumns =
      "SELECT id, uuid, created_on, type, workspace_id, table_id, recipients, exclude_ws, webhooks, message, extra "
      "FROM events ";
  auto c = table_id ? tx.Query(std::string(kColumns) + "WHERE table_id = ? AND id > ? ORDER BY id LIMIT ?", *table_id,
                               after, limit)
                    : tx.Query(std::string(kColumns) + "WHERE id > ? ORDER BY id LIMIT ?", after, limit);
  std::vector<StoredEvent> out;
  while (c->Next()) {
    StoredEvent e;
    e.id = c->Int(0);
    e.uuid = c->String(1);
    e.created_on = c->Int(2);
    e.type = c->String(3);
    e.workspace_id = c->OptInt(4).value_or(0);
    e.table_id = c->OptInt(5);
    if (!c->IsNull(6)) e.recipients = ParseRecipients(c->Text(6));
    if (!c->IsNull(7)) e.exclude_ws = c->String(7);
    e.webhooks = c->Bool(8);
    e.message = std::make_shared<const std::string>(c->Text(9));
    if (!c->IsNull(10)) e.extra = c->String(10);
    out.push_back(std::move(e));
  }
  return out;
}

int64_t PrunedUpTo(store::Tx& tx) {
  return tx.QueryInt("SELECT position FROM event_consumers WHERE name = ?", kPrunedMarker).value_or(0);
}

struct EventBus::Impl {
  store::Store& store;
  BusOptions options;
  std::vector<Consumer*> consumers;
  std::vector<int64_t> positions;
  std::mutex mu;
  std::condition_variable cv;
  bool pending = false;
  bool stopping = false;
  std::thread thread;
  std::chrono::steady_clock::time_point next_prune{};

  Impl(store::Store& s, BusOptions o) : store(s), options(o) {}

  /// Hands every committed event to the consumers; returns when caught up.
  void Drain() {
    while (true) {
      int64_t from = *std::min_element(positions.begin(), positions.end());
      std::vector<StoredEvent> batch;
      try {
        store.Read([&](store::Tx& tx) { batch = ReadEvents(tx, from, kBatch); });
      } catch (const std::exception& e) {
        spdlog::error("event bus: reading the outbox failed: {}", e.what());
        return;
      }
      if (batch.empty()) return;
      bool progressed = false;
      for (size_t i = 0; i < consumers.size(); ++i) {
        auto first = std::find_if(batch.begin(), batch.end(), [&](const StoredEvent& e) { return e.id > positions[i]; });
        if (first == batch.end()) continue;
        std::vector<StoredEvent> slice(first, batch.end());
        try {
          consumers[i]->Handle(slice);
          positions[i] = slice.back().id;
          progressed = true;
        } catch (const std::exception& e) {
          spdlog::error("event bus: consumer {} failed at event {}: {}", consumers[i]->name(), slice.front().id,
                        e.what());
        }
      }
      if (!progressed) return;  // a failing consumer is retried on the next wake-up
      if (static_cast<int64_t>(batch.size()) < kBatch) return;
    }
  }

  /// Removes outbox rows older than the retention that every consumer has handled.
  void Prune() {
    auto now = std::chrono::steady_clock::now();
    if (now < next_prune) return;
    next_prune = now + std::chrono::minutes(10);
    int64_t upto = *std::min_element(positions.begin(), positions.end());
    int64_t cutoff = util::NowMicros() - std::chrono::duration_cast<std::chrono::microseconds>(options.retention).count();
    try {
      store.Write([&](store::Tx& tx) {
        auto last = tx.QueryInt("SELECT MAX(id) FROM events WHERE id <= ? AND created_on < ?", upto, cutoff);
        if (!last) return;
        tx.Exec("DELETE FROM events WHERE id <= ?", *last);
        tx.Exec("INSERT INTO event_consumers (name, position) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                kPrunedMarker, *last);
      });
    } catch (const std::exception& e) {
      spdlog::warn("event bus: pruning failed: {}", e.what());
    }
  }

  void Run() {
    while (true) {
      {
        std::unique_lock lock(mu);
        cv.wait_for(lock, options.poll, [&] { return pending || stopping; });
        pending = false;
      }
      Drain();
      Prune();
      std::lock_guard lock(mu);
      if (stopping && !pending) return;
    }
  }
};

EventBus::EventBus(store::Store& store, BusOptions options) : impl_(std::make_unique<Impl>(store, options)) {}

EventBus::~EventBus() { Stop(); }

void EventBus::AddConsumer(Consumer* consumer) { impl_->consumers.push_back(consumer); }

void EventBus::Start() {
  if (impl_->thread.joinable() || impl_->consumers.empty()) return;
  int64_t newest = impl_->store.ReadResult(
      [](store::Tx& tx) { return tx.QueryInt("SELECT MAX(id) FROM events").value_or(0); });
  for (auto* c : impl_->consumers) impl_->positions.push_back(c->StartAfter(impl_->store, newest));
  impl_->next_prune = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  impl_->thread = std::thread([this] { impl_->Run(); });
  Notify();
}

void EventBus::Stop() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->thread.join();
}

void EventBus::Notify() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->pending = true;
  }
  impl_->cv.notify_one();
}

}  // namespace gridbase::events
