#pragma once
// A fixed-capacity FIFO of bytes, moved in and out with memcpy (at most two copies each way,
// where the ring wraps). The connection's send queue and read queue: every byte of a transfer
// passes through one, so copying element by element is not an option.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace shoal::utp {

class ByteRing {
  public:
    // The storage is made on the first push, so that an idle connection holds none.
    explicit ByteRing(std::size_t capacity) : capacity_(capacity) {}

    std::size_t size() const { return size_; }
    std::size_t capacity() const { return capacity_; }
    std::size_t free() const { return capacity_ - size_; }
    bool empty() const { return size_ == 0; }

    // Appends what fits of `bytes`; returns how many.
    std::size_t push(std::span<const std::uint8_t> bytes) {
        const std::size_t n = std::min(bytes.size(), free());
        if (n == 0)
            return 0;
        if (buffer_.empty())
            buffer_.resize(capacity_);
        const std::size_t tail = (head_ + size_) % capacity_;
        const std::size_t first = std::min(n, capacity_ - tail);
        std::memcpy(buffer_.data() + tail, bytes.data(), first);
        std::memcpy(buffer_.data(), bytes.data() + first, n - first);
        size_ += n;
        return n;
    }

    // Moves the first out.size() bytes (at most size()) into `out`; returns how many.
    std::size_t pop(std::span<std::uint8_t> out) {
        const std::size_t n = std::min(out.size(), size_);
        if (n == 0)
            return 0;
        const std::size_t first = std::min(n, capacity_ - head_);
        std::memcpy(out.data(), buffer_.data() + head_, first);
        std::memcpy(out.data() + first, buffer_.data(), n - first);
        head_ = (head_ + n) % capacity_;
        size_ -= n;
        return n;
    }

    void clear() {
        head_ = 0;
        size_ = 0;
    }

  private:
    std::size_t capacity_;
    std::vector<std::uint8_t> buffer_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

}  // namespace shoal::utp
