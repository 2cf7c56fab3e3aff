// Recording: record_* append the change to the in-memory batch (no allocation once the batch has
// reached its high-water mark) and mark the twin whose current state is to be written; a full
// batch flushes by itself, commit_desired flushes at once.
#include <string>

#include "engine/store/store_impl.hpp"

namespace dtwin {

using namespace store_detail;

void MirrorStore::record_reported(std::size_t twin, std::size_t prop, const Reported& r) {
  Impl& s = need(impl_);
  s.writable();
  const std::size_t f = s.flat(twin, prop);
  if (s.n >= s.opt.max_backlog) {  // failing for long: the mirror goes on, its history not
    ++s.stats.lost;
    return;
  }
  Entry& e = s.next();
  e.kind = HistoryKind::Reported;
  e.state = static_cast<std::uint8_t>(r.quality);
  e.twin = static_cast<std::uint32_t>(twin);
  e.prop = static_cast<std::uint32_t>(prop);
  e.value = r.value;  // no allocation for numbers, nor for text within the entry's capacity
  e.source_time = r.source_time;
  e.receive_time = r.receive_time;
  e.session = r.session;
  e.seq = r.seq;
  s.mark(twin);
  // the report may have applied the desired value
  const Desired& d = s.mirror->state(twin).props[prop].desired;
  const LastDesired& last = s.last_desired[f];
  if (d.state != last.state || d.version != last.version)
    s.add_desired(twin, prop, f, d, r.receive_time);
  s.flush_if_full();
}

void MirrorStore::record_desired(std::size_t twin, std::size_t prop, const Desired& d, double now) {
  Impl& s = need(impl_);
  s.writable();
  s.add_desired(twin, prop, s.flat(twin, prop), d, now);
  s.flush_if_full();
}

void MirrorStore::commit_desired(std::size_t twin, std::size_t prop, const Desired& d, double now) {
  Impl& s = need(impl_);
  s.writable();
  const std::size_t f = s.flat(twin, prop), n = s.n;
  const LastDesired last = s.last_desired[f];
  s.add_desired(twin, prop, f, d, now);
  try {
    s.flush(s.opt.sync_desired, false);
  } catch (const StoreError& e) {
    // not durable, so refused: the command leaves no trace in the batch either
    s.n = n;
    s.last_desired[f] = last;
    throw StoreError(std::string("the store cannot write (") + e.what() +
                     "): the command is refused until it can");
  }
}

void MirrorStore::record_presence(std::size_t twin, bool online, std::uint64_t session,
                                  double receive_time) {
  Impl& s = need(impl_);
  s.writable();
  if (twin >= s.mirror->twin_count())
    throw std::out_of_range("MirrorStore: no twin " + std::to_string(twin));
  Entry& e = s.next();
  e.kind = HistoryKind::Presence;
  e.state = online ? 1 : 0;
  e.twin = static_cast<std::uint32_t>(twin);
  e.prop = 0;
  e.value = Value{};
  e.source_time = 0;
  e.receive_time = receive_time;
  e.session = session;
  s.mark_urgent(twin);  // a death marks every reported value stale, a birth uncertain
  s.flush_if_full();
}

void MirrorStore::Impl::writable() const {
  if (opt.read_only) throw StoreError(path + ": the store was opened read-only");
  if (!mirror) throw std::logic_error("MirrorStore: attach a Mirror before recording");
}

std::size_t MirrorStore::Impl::flat(std::size_t t, std::size_t p) const {
  if (t >= mirror->twin_count() || p >= mirror->spec(t).properties.size())
    throw std::out_of_range("MirrorStore: no property " + std::to_string(p) + " on twin " +
                            std::to_string(t));
  return first_prop[t] + p;
}

// The desired value's new step, after the pending value it supersedes if any; the twin's
// current state is written at the next flush.
void MirrorStore::Impl::add_desired(std::size_t t, std::size_t p, std::size_t f, const Desired& d,
                                    double now) {
  LastDesired& last = last_desired[f];
  if (last.state == DesiredState::Pending && d.version > last.version) {
    Entry& e = next();  // the pending value this command replaced
    e.kind = HistoryKind::Desired;
    e.state = static_cast<std::uint8_t>(DesiredState::Superseded);
    e.twin = static_cast<std::uint32_t>(t);
    e.prop = static_cast<std::uint32_t>(p);
    e.value = last.value;
    e.source_time = last.set_time;
    e.receive_time = now;
    e.version = last.version;
  }
  Entry& e = next();
  e.kind = HistoryKind::Desired;
  e.state = static_cast<std::uint8_t>(d.state);
  e.twin = static_cast<std::uint32_t>(t);
  e.prop = static_cast<std::uint32_t>(p);
  e.value = d.value;
  e.source_time = d.set_time;
  e.receive_time = now;
  e.version = d.version;
  last.state = d.state;
  last.version = d.version;
  last.value = d.value;  // keeps the string's capacity
  last.set_time = d.set_time;
  mark_urgent(t);
}

}  // namespace dtwin
