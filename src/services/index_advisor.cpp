#include "services/index_advisor.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "services/fulltext.hpp"
#include "store/ddl.hpp"
#include "types/field_type.hpp"

namespace gridbase::services {

namespace advisor_impl {

struct Job {
  int64_t table_id;
  int64_t field_id;  // 0: build the table's substring search index; -1: flush its marked rows
  std::string key_expr;
};

constexpr int64_t kSearchIndexChunk = 20000;

}  // namespace advisor_impl

struct IndexAdvisor::Impl {
  store::Store& store;
  int64_t min_rows = kAutoIndexMinRows;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<advisor_impl::Job> queue;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> last_request;
  std::unordered_set<int64_t> search_pending;  // tables whose search index is queued or building
  std::unordered_set<int64_t> flush_pending;   // tables with a queued flush
  bool stopping = false;
  bool busy = false;
  std::thread worker;

  explicit Impl(store::Store& s) : store(s) {}

  void Run() {
    while (true) {
      advisor_impl::Job job;
      {
        std::unique_lock lock(mu);
        busy = false;
        cv.notify_all();
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) return;
        job = std::move(queue.front());
        queue.pop_front();
        busy = true;
      }
      try {
        auto started = std::chrono::steady_clock::now();
        if (job.field_id == -1) {
          {
            std::lock_guard lock(mu);
            flush_pending.erase(job.table_id);
          }
          // Small transactions: writers wait behind a flush for milliseconds, not longer.
          bool more = true;
          while (more) {
            more = false;
            store.Write([&](store::Tx& tx) { more = FlushSearchIndex(tx, job.table_id, 256); });
          }
          continue;
        }
        if (job.field_id == 0) {
          // Chunks in separate transactions: other writes interleave with the build.
          bool done = false;
          while (!done) {
            {
              std::lock_guard lock(mu);
              if (stopping) return;
            }
            store.Write([&](store::Tx& tx) { done = BuildSearchIndexChunk(tx, job.table_id, advisor_impl::kSearchIndexChunk); });
          }
          auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
          spdlog::info("search index of table {} ready ({:.0f} ms)", job.table_id, ms);
          std::lock_guard lock(mu);
          search_pending.erase(job.table_id);
          continue;
        }
        store.Write([&](store::Tx& tx) {
          // The field may have changed or gone since the request: index only a live column.
          auto live = tx.QueryInt("SELECT id FROM fields WHERE id = ? AND table_id = ? AND trashed = 0", job.field_id,
                                  job.table_id);
          if (live) store::CreateAutoIndex(tx, job.table_id, job.field_id, job.key_expr);
        });
        auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        spdlog::info("index on table {} field {} ready ({:.0f} ms)", job.table_id, job.field_id, ms);
      } catch (const std::exception& e) {
        spdlog::warn("index on table {} field {} failed: {}", job.table_id, job.field_id, e.what());
        // A failed flush leaves its rows marked: searches check marked rows exactly, and the
        // next write to the table queues another flush (flush_pending was cleared above).
        if (job.field_id == 0) {
          std::lock_guard lock(mu);
          search_pending.erase(job.table_id);
        }
      }
    }
  }
};

IndexAdvisor::IndexAdvisor(store::Store& store, int64_t min_rows) : impl_(std::make_unique<Impl>(store)) {
  impl_->min_rows = min_rows;
  impl_->worker = std::thread([this] { impl_->Run(); });
}

IndexAdvisor::~IndexAdvisor() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->worker.join();
}

void IndexAdvisor::Used(const types::TableSchema& schema, const types::Field& field) {
  if (schema.row_count < impl_->min_rows || field.db_index) return;
  const auto* type = types::FindFieldType(field.type);
  auto expr = type ? type->IndexExpr(field) : std::nullopt;
  if (!expr) return;
  std::string key = std::to_string(schema.id) + ":" + std::to_string(field.id) + ":" + *expr;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(impl_->mu);
  auto it = impl_->last_request.find(key);
  if (it != impl_->last_request.end() && now - it->second < std::chrono::minutes(1)) return;
  impl_->last_request[key] = now;
  impl_->queue.push_back(advisor_impl::Job{schema.id, field.id, *expr});
  impl_->cv.notify_all();
}

void IndexAdvisor::SearchUsed(const types::TableSchema& schema) {
  if (schema.row_count < impl_->min_rows || schema.trigram_state >= 2) return;
  std::lock_guard lock(impl_->mu);
  if (!impl_->search_pending.insert(schema.id).second) return;  // already queued or building
  impl_->queue.push_back(advisor_impl::Job{schema.id, 0, ""});
  impl_->cv.notify_all();
}

void IndexAdvisor::SearchDirty(int64_t table_id) {
  std::lock_guard lock(impl_->mu);
  if (!impl_->flush_pending.insert(table_id).second) return;  // the queued flush takes these rows too
  impl_->queue.push_back(advisor_impl::Job{table_id, -1, ""});
  impl_->cv.notify_all();
}

int64_t IndexAdvisor::min_rows() const { return impl_->min_rows; }

void IndexAdvisor::Drain() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->queue.empty() && !impl_->busy; });
}

}  // namespace gridbase::services
