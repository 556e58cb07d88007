// Batches under savepoints: a clean batch is streamed into one COPY; a refused one is rolled back
// to its savepoint and retried from memory in smaller batches, the refused record set aside each
// time, so clustered errors cost a few extra round trips, not one per row.
#include "transfer/reject_sink.hpp"

#include <libpq-fe.h>

#include <algorithm>

#include "core/strings.hpp"
#include "db/cancel_on_signal.hpp"
#include "db/connection.hpp"
#include "db/copy_error.hpp"
#include "db/copy_in.hpp"

namespace pgmonkey::transfer {
namespace {

// Errors a rollback to the savepoint cannot cure: the session, the server or the user stopped.
bool fatal(const db::CopyError& e) {
  const std::string& s = e.sqlstate();
  if (e.connection_lost() || s.empty()) return true;
  for (const char* cls : {"08", "53", "57", "58", "XX", "25", "40"})
    if (core::starts_with(s, cls)) return true;
  return false;
}

constexpr const char* kRenew = "RELEASE SAVEPOINT pgimport_batch; SAVEPOINT pgimport_batch; ";

// Each query string chains a few COPYs, each under a fresh savepoint: when one goes in, the next
// has started by the time its verdict is read, so a batch costs one round trip, not two. A
// refusal ends the string (the server skips the rest), so after one the chain starts short.
class DbBatchTarget final : public BatchTarget {
 public:
  DbBatchTarget(db::Connection& conn, std::string copy_sql) : conn_(conn), copy_sql_(std::move(copy_sql)) {}

  void begin() override {
    db::throw_if_interrupted();
    if (copy_) return;  // the string's next COPY is already open
    // One savepoint at a time: the last batch's is released as the next one is set, or rolled
    // back to after a refusal; sent with the COPYs, in the same round trip.
    std::string sql = rollback_pending_ ? "ROLLBACK TO SAVEPOINT pgimport_batch; "
                      : have_savepoint_ ? kRenew
                                        : "SAVEPOINT pgimport_batch; ";
    sql += copy_sql_;
    for (std::size_t i = 1; i < chain_; ++i) sql.append("; ").append(kRenew).append(copy_sql_);
    rollback_pending_ = false;
    have_savepoint_ = true;
    copy_.emplace(conn_, sql);
  }
  void settle() override {
    // The string's COPYs not needed end empty (cancelling one would log an error on the server).
    while (copy_) {
      copy_->finish_copy();
      if (!copy_->next_copy()) copy_.reset();
    }
    if (rollback_pending_) exec("ROLLBACK TO SAVEPOINT pgimport_batch");
    rollback_pending_ = false;
  }
  void send(const char* data, std::size_t size) override { copy_->write(data, size); }
  bool refused() override { return copy_->server_reported_error(); }
  std::optional<Refusal> end() override {
    try {
      copy_->finish_copy();
    } catch (const db::CopyError& e) {
      copy_.reset();
      db::throw_if_interrupted();
      if (fatal(e)) throw;
      rollback_pending_ = true;
      chain_ = kShortChain;
      return Refusal{e.copy_line(), e.column(), e.what(), e.detail(), e.sqlstate()};
    }
    // Errors past the verdict (the savepoint's renewal) cannot be blamed on a record: thrown.
    if (!copy_->next_copy()) {
      copy_.reset();
      chain_ = std::min(chain_ * 2, kLongChain);
    }
    return std::nullopt;
  }
  void abort() noexcept override {
    if (copy_) copy_->abort("pgimport stopped");
    copy_.reset();
  }

 private:
  // COPYs per query string: each unused one costs the server a few microseconds of parsing.
  static constexpr std::size_t kShortChain = 2, kLongChain = 16;

  void exec(const char* sql) {
    PGconn* c = conn_.raw();
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, sql), PQclear);
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) db::throw_copy_error(r.get(), c);
  }

  db::Connection& conn_;
  std::string copy_sql_;
  std::optional<db::CopyIn> copy_;
  std::size_t chain_ = kShortChain;
  bool have_savepoint_ = false;
  bool rollback_pending_ = false;
};

class NullBatchTarget final : public BatchTarget {
 public:
  void begin() override {}
  void send(const char*, std::size_t) override {}
  bool refused() override { return false; }
  std::optional<Refusal> end() override { return std::nullopt; }
  void abort() noexcept override {}
};

}  // namespace

std::unique_ptr<BatchTarget> make_db_batch_target(db::Connection& conn, std::string copy_sql) {
  return std::make_unique<DbBatchTarget>(conn, std::move(copy_sql));
}

std::unique_ptr<BatchTarget> make_null_batch_target() {
  return std::make_unique<NullBatchTarget>();
}

RejectSink::RejectSink(std::unique_ptr<BatchTarget> target, std::uint64_t max_errors,
                       std::function<void(const Rejected&)> on_reject, std::function<void(std::string_view)> on_header,
                       Limits limits)
    : target_(std::move(target)),
      max_errors_(max_errors),
      on_reject_(std::move(on_reject)),
      on_header_(std::move(on_header)),
      limits_(limits),
      batch_bytes_(limits.max_batch_bytes) {}

void RejectSink::write(const char* data, std::size_t size) {
  copy_.append(data, size);
}

void RejectSink::on_record(const csv::ScannedRecord& r) {
  using Kind = csv::ScannedRecord::Kind;
  if (r.kind == Kind::header) {
    if (on_header_) on_header_(r.raw);
    return;
  }
  if (r.kind == Kind::bad) {
    // Never sent; kept with the batch so the rejects come out in file order.
    copy_.resize(record_from_);
    const std::string column = !r.column_name.empty() ? std::string(r.column_name)
                               : r.column             ? std::to_string(r.column)
                                                      : std::string();
    reject({r.line, column, std::string(r.message), r.sqlstate, std::string(r.raw)});
    // Over the limit: the records before it are checked first, so the limit is met in file order.
    if (rejected_ > max_errors_) end_batch();
    return;
  }
  records_.push_back(
      {record_from_, copy_.size(), raw_.size(), raw_.size() + r.raw.size(), r.line, r.copy_lines, r.copy_lines_first});
  raw_.append(r.raw);
  record_from_ = copy_.size();
  if (!open_) {
    target_->begin();
    ++attempts_;
    open_ = true;
    refused_ = false;
  }
  // A batch's first bytes go early, and the next pushes double up to push_bytes, so the server,
  // which has just finished the last batch, is not idle while a full push fills.
  if (copy_.size() - pushed_ >= (pushed_ == 0 ? limits_.push_bytes / 8 : std::min(limits_.push_bytes, pushed_))) push();
  if (refused_ || copy_.size() >= batch_bytes_) end_batch();
}

void RejectSink::push() {
  if (refused_) return;  // the server skips the rest anyway; the batch is retried from memory
  target_->send(copy_.data() + pushed_, record_from_ - pushed_);
  pushed_ = record_from_;
  refused_ = target_->refused();
}

void RejectSink::end_batch() {
  if (open_) {
    push();
    open_ = false;
    if (auto refusal = target_->end()) {
      recover(std::move(*refusal));
      batch_bytes_ = std::max(limits_.min_batch_bytes, batch_bytes_ / 4);
    } else {
      loaded_ += records_.size();
      batch_bytes_ = std::min(limits_.max_batch_bytes, batch_bytes_ * 2);
    }
  }
  emit_rejects();
  copy_.clear();
  raw_.clear();
  records_.clear();
  record_from_ = 0;
  pushed_ = 0;
}

std::optional<std::size_t> RejectSink::locate(const std::deque<std::size_t>& q, std::size_t n, const Refusal& r) const {
  if (!r.copy_line) return std::nullopt;
  std::uint64_t line = 0;
  for (std::size_t i = 0; i < n; ++i) {
    line += i == 0 ? records_[q[i]].copy_lines_first : records_[q[i]].copy_lines;
    if (line >= *r.copy_line) return i;
  }
  return std::nullopt;
}

std::optional<Refusal> RejectSink::send_records(const std::deque<std::size_t>& q, std::size_t n) {
  target_->begin();
  ++attempts_;
  for (std::size_t i = 0; i < n; ++i) {
    const Record& rec = records_[q[i]];
    target_->send(copy_.data() + rec.copy_begin, rec.copy_end - rec.copy_begin);
  }
  return target_->end();
}

// The batch was rolled back. Retry what is left from memory: the refused record is set aside,
// the records before it (known good) go in again together with the next untested ones, in
// batches that start near the distance between errors and double while they go in. A refusal
// without a line (a deferred check) halves the batch, trusting nothing, until the record is alone.
void RejectSink::recover(Refusal refusal) {
  std::deque<std::size_t> q;
  for (std::size_t i = 0; i < records_.size(); ++i) q.push_back(i);
  std::size_t sent = q.size();
  std::size_t good = 0;  // q's first records that went in before the last refusal
  std::size_t limit = limits_.min_retry_rows;
  while (true) {
    auto k = locate(q, sent, refusal);
    if (!k && sent == 1) k = 0;
    if (k) {
      const Record& rec = records_[q[*k]];
      reject({rec.line, refusal.column,
              refusal.detail.empty() ? refusal.message : refusal.message + ": " + refusal.detail, refusal.sqlstate,
              raw_.substr(rec.raw_begin, rec.raw_end - rec.raw_begin)});
      q.erase(q.begin() + static_cast<std::ptrdiff_t>(*k));
      limit = std::max(limits_.min_retry_rows, *k > good ? *k - good : 0);
      good = *k;
    } else {
      limit = std::max<std::size_t>(1, sent / 2);
      good = 0;
    }
    std::optional<Refusal> next;
    while (!q.empty() && !next) {
      // Known-good records go alone when resending them with the next ones would cost more than
      // those are worth: many errors close together would otherwise resend a growing prefix.
      const bool alone = good >= limits_.max_good_rows || good > 2 * limit;
      sent = alone ? good : std::min(q.size(), good + limit);
      next = send_records(q, sent);
      if (!next) {
        loaded_ += sent;
        q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(sent));
        good = 0;
        limit = std::min(limit * 2, limits_.max_retry_rows);
      }
    }
    if (!next) return;
    refusal = std::move(*next);
  }
}

void RejectSink::reject(Rejected r) {
  ++rejected_;
  batch_rejects_.push_back(std::move(r));
}

// The batch is settled, so all its rejects are known: in file order, and when there are more
// than allowed, the first one over the limit is the last passed on.
void RejectSink::emit_rejects() {
  std::stable_sort(batch_rejects_.begin(), batch_rejects_.end(),
                   [](const Rejected& a, const Rejected& b) { return a.line < b.line; });
  if (rejected_ > max_errors_) {
    batch_rejects_.resize(batch_rejects_.size() - static_cast<std::size_t>(rejected_ - max_errors_ - 1));
    rejected_ = max_errors_ + 1;
    for (const auto& r : batch_rejects_)
      if (on_reject_) on_reject_(r);
    std::uint64_t line = batch_rejects_.back().line;
    batch_rejects_.clear();
    throw RejectLimitExceeded(line);
  }
  for (const auto& r : batch_rejects_)
    if (on_reject_) on_reject_(r);
  batch_rejects_.clear();
}

std::uint64_t RejectSink::finish(std::uint64_t) {
  end_batch();
  target_->settle();
  return loaded_;
}

void RejectSink::abort(const std::string&) noexcept {
  target_->abort();  // also a COPY the target opened ahead
  open_ = false;
}

}  // namespace pgmonkey::transfer
