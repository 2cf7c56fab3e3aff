// Order lists: a source that releases the rows of its "orders" CSV (parse_orders.cpp), each
// row's quantity of parts of its product at its release time, one part after the other at that
// instant. A part's release time is its row's, even when it waited at a full source; its due
// time is the row's (Part::order).
#include <algorithm>

#include "twins/line/model_detail.hpp"

namespace dtwin::line {

// The first row's parts come at its release time.
void LineModel::start_orders(Ctx& c, std::uint32_t i) const {
  const SourceSpec& src = spec_.sources[i];
  SourceState& ss = c.s.sources[i];
  ss.next = 0;
  ss.left = spec_.orders[src.orders_begin].quantity;
  next_order(c, i);
}

// The next part of the order list: now when the current row has parts left, else at the next
// row's release time; none after the last row.
void LineModel::next_order(Ctx& c, std::uint32_t i) const {
  const SourceSpec& src = spec_.sources[i];
  const SourceState& ss = c.s.sources[i];
  if (src.orders_begin + ss.next >= src.orders_end) return;
  const double t = spec_.orders[src.orders_begin + ss.next].release_s;
  c.at(std::max(c.now, t), kModel, i, kArrival);
}

// Source i releases the next part of its order list into its place (or holds it, or drops it,
// when the place is full).
void LineModel::order_arrival(Ctx& c, std::uint32_t i) const {
  const SourceSpec& src = spec_.sources[i];
  SourceState& ss = c.s.sources[i];
  const std::uint32_t row = src.orders_begin + ss.next;
  const OrderSpec& o = spec_.orders[row];
  if (--ss.left == 0 && row + 1 < src.orders_end) {
    ++ss.next;
    ss.left = spec_.orders[row + 1].quantity;
  } else if (ss.left == 0) {
    ++ss.next;  // past the last row
  }
  const Part part{o.release_s, o.product, row};
  const PlaceSpec& P = spec_.places[src.place];
  ++ss.arrivals;
  if (c.s.places[src.place].births.size() < P.capacity) {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    if (spec_.typed) product_entered(c, o.product);
    put(c, src.place, part);
    next_order(c, i);
    notify(c, src.place);
  } else if (src.drop_when_full) {
    ++ss.dropped;
    next_order(c, i);
  } else {
    wip_changed(c);
    ++c.s.wip;
    ++c.s.released;
    if (spec_.typed) product_entered(c, o.product);
    ss.blocked = true;
    ss.held_birth = part.birth;
    ss.held_product = part.product;
    ss.held_order = row;
    if (P.capacity == 0) notify(c, src.place);
  }
}

}  // namespace dtwin::line
