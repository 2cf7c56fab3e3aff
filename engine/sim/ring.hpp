// A FIFO ring of plain values that grows by doubling and never shrinks: after warm-up a queue
// reaches its working size and pushes and pops no longer allocate. Copyable (snapshots) and
// comparable by content.
#pragma once

#include <cstddef>
#include <vector>

namespace dtwin {

template <class T>
class Ring {
 public:
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const T& front() const { return buf_[head_]; }
  const T& back() const { return buf_[(head_ + n_ - 1) & mask_]; }
  const T& operator[](std::size_t i) const { return buf_[(head_ + i) & mask_]; }

  void reserve(std::size_t n) {
    if (n > buf_.size()) grow(n);
  }
  void push_back(const T& v) {
    if (n_ == buf_.size()) grow(n_ + 1);
    buf_[(head_ + n_) & mask_] = v;
    ++n_;
  }
  T pop_front() {
    T v = buf_[head_];
    head_ = (head_ + 1) & mask_;
    --n_;
    return v;
  }
  // removes and returns the i-th value; the later ones move up (O(n - i))
  T erase(std::size_t i) {
    T v = (*this)[i];
    for (std::size_t k = i; k + 1 < n_; ++k) buf_[(head_ + k) & mask_] = (*this)[k + 1];
    --n_;
    return v;
  }
  void clear() { head_ = n_ = 0; }

  bool operator==(const Ring& o) const {
    if (n_ != o.n_) return false;
    for (std::size_t i = 0; i < n_; ++i)
      if (!((*this)[i] == o[i])) return false;
    return true;
  }
  bool operator!=(const Ring& o) const { return !(*this == o); }

 private:
  void grow(std::size_t need) {
    std::size_t cap = buf_.empty() ? 8 : buf_.size();
    while (cap < need) cap *= 2;
    std::vector<T> nb(cap);
    for (std::size_t i = 0; i < n_; ++i) nb[i] = (*this)[i];
    buf_.swap(nb);
    head_ = 0;
    mask_ = cap - 1;
  }
  std::vector<T> buf_;
  std::size_t head_ = 0, n_ = 0, mask_ = 0;
};

}  // namespace dtwin
