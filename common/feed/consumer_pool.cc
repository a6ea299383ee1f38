#include "common/feed/consumer_pool.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace ks::feed {

using ::kerjasosial::common::v1::Event;
using ::kerjasosial::common::v1::StreamEventsRequest;

struct ConsumerPool::Worker {
  grpc::CompletionQueue cq;
  std::thread thread;
  int load = 0;  // consumers given to it (guarded by the pool's mu_)
};

// One followed consumer. Touched by its worker only, except the fields
// guarded by the pool's mu_ (what Remove needs to interrupt it).
struct ConsumerPool::Follow {
  enum class Phase { kWaiting, kStarting, kMetadata, kReading, kFinishing };

  Consumer* consumer = nullptr;
  Worker* worker = nullptr;
  Phase phase = Phase::kWaiting;
  std::unique_ptr<grpc::ClientAsyncReaderInterface<Event>> reader;
  Event event;
  grpc::Status finished;
  StreamId known;  // newest cursor handled on this stream
  bool refreshing = false;
  bool progressed = false;
  absl::Status failure;  // why we ended the stream ourselves

  // Guarded by the pool's mu_.
  std::unique_ptr<grpc::ClientContext> context;  // the open call, if any
  // The backoff alarm; a fresh one per wait (an Alarm is set once).
  std::unique_ptr<grpc::Alarm> alarm;
  bool stop = false;    // Remove asked
  bool let_go = false;  // the worker no longer touches it
};

ConsumerPool::ConsumerPool(int workers) {
  for (int i = 0; i < std::max(workers, 1); ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
  for (auto& w : workers_) {
    w->thread = std::thread([this, w = w.get()] { Loop(w); });
  }
}

ConsumerPool::~ConsumerPool() {
  std::vector<Consumer*> left;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [consumer, follow] : follows_) left.push_back(consumer);
  }
  for (Consumer* c : left) c->Stop();
  for (auto& w : workers_) w->cq.Shutdown();
  for (auto& w : workers_) w->thread.join();
}

int ConsumerPool::size() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(follows_.size());
}

void ConsumerPool::Add(Consumer* consumer) {
  absl::MutexLock lock(&mu_);
  if (follows_.contains(consumer)) return;
  auto follow = std::make_unique<Follow>();
  follow->consumer = consumer;
  follow->worker = std::min_element(workers_.begin(), workers_.end(),
                                    [](const auto& a, const auto& b) {
                                      return a->load < b->load;
                                    })
                       ->get();
  ++follow->worker->load;
  // Its first stream opens on its worker, at once.
  follow->alarm = std::make_unique<grpc::Alarm>();
  follow->alarm->Set(&follow->worker->cq, absl::ToChronoTime(absl::Now()),
                     follow.get());
  follows_[consumer] = std::move(follow);
}

void ConsumerPool::Remove(Consumer* consumer) {
  absl::MutexLock lock(&mu_);
  auto it = follows_.find(consumer);
  if (it == follows_.end()) return;
  Follow* follow = it->second.get();
  follow->stop = true;
  // Whatever is in flight completes now (cancelled), and the worker, seeing
  // `stop`, lets go.
  if (follow->context != nullptr) follow->context->TryCancel();
  if (follow->alarm != nullptr) follow->alarm->Cancel();
  mu_.Await(absl::Condition(&follow->let_go));
  --follow->worker->load;
  follows_.erase(it);
}

bool ConsumerPool::LetGoIfStopping(Follow* follow) {
  if (!follow->stop) return false;
  follow->context.reset();
  follow->let_go = true;
  return true;
}

void ConsumerPool::Loop(Worker* worker) {
  void* tag = nullptr;
  bool ok = false;
  while (worker->cq.Next(&tag, &ok)) Step(static_cast<Follow*>(tag), ok);
}

void ConsumerPool::Step(Follow* f, bool ok) {
  switch (f->phase) {
    case Follow::Phase::kWaiting:
      // The backoff ended (or was cancelled by Remove: Begin lets go).
      Begin(f);
      return;
    case Follow::Phase::kStarting:
      if (!ok) return FinishCall(f);
      f->phase = Follow::Phase::kMetadata;
      f->reader->ReadInitialMetadata(f);
      return;
    case Follow::Phase::kMetadata:
      if (!ok) return FinishCall(f);
      f->consumer->SetConnected(true);
      return ReadNext(f);
    case Follow::Phase::kReading:
      if (!ok) return FinishCall(f);  // the stream ended: Finish says why
      f->failure = f->consumer->OnEvent(f->event, &f->known, &f->progressed);
      if (!f->failure.ok()) {
        absl::MutexLock lock(&mu_);
        f->context->TryCancel();
      } else {
        return ReadNext(f);
      }
      return FinishCall(f);
    case Follow::Phase::kFinishing: {
      f->reader.reset();
      const absl::Status status =
          f->consumer->EndStream(f->failure, f->finished, f->refreshing);
      {
        absl::MutexLock lock(&mu_);
        f->context.reset();
      }
      return Retry(f, status, f->progressed);
    }
  }
}

void ConsumerPool::Begin(Follow* f) {
  {
    absl::MutexLock lock(&mu_);
    f->alarm.reset();
    if (LetGoIfStopping(f)) return;
  }
  f->consumer->BeginAttempt();
  absl::StatusOr<StreamEventsRequest> request = f->consumer->NextRequest();
  if (!request.ok()) return Retry(f, request.status(), false);
  f->known = request->after_cursor().empty()
                 ? StreamId{}
                 : *ParseStreamId(request->after_cursor());
  f->progressed = false;
  f->failure = absl::OkStatus();
  f->finished = grpc::Status::OK;
  auto context = std::make_unique<grpc::ClientContext>();
  f->refreshing = f->consumer->PrepareContext(context.get());
  absl::MutexLock lock(&mu_);
  if (LetGoIfStopping(f)) return;
  f->context = std::move(context);
  f->reader = f->consumer->options_.async_stream(f->context.get(), *request,
                                                 &f->worker->cq);
  f->phase = Follow::Phase::kStarting;
  f->reader->StartCall(f);
}

void ConsumerPool::ReadNext(Follow* f) {
  {
    absl::MutexLock lock(&mu_);
    if (f->stop) f->context->TryCancel();
  }
  f->phase = Follow::Phase::kReading;
  f->reader->Read(&f->event, f);
}

void ConsumerPool::FinishCall(Follow* f) {
  f->phase = Follow::Phase::kFinishing;
  f->reader->Finish(&f->finished, f);
}

void ConsumerPool::Retry(Follow* f, const absl::Status& status,
                         bool progressed) {
  const absl::Duration delay = f->consumer->AfterAttempt(status, progressed);
  absl::MutexLock lock(&mu_);
  if (LetGoIfStopping(f)) return;
  f->phase = Follow::Phase::kWaiting;
  f->alarm = std::make_unique<grpc::Alarm>();
  f->alarm->Set(&f->worker->cq, absl::ToChronoTime(absl::Now() + delay), f);
}

}  // namespace ks::feed
