#include "swarm/bitfield.hpp"

namespace shoal {

Bitfield::Bitfield(std::size_t size, bool all) : words_((size + 63) / 64, 0), size_(size) {
    if (all) set_all();
}

void Bitfield::set(std::size_t i) {
    if (i >= size_ || test(i)) return;
    words_[i / 64] |= std::uint64_t{1} << (i % 64);
    ++count_;
}

void Bitfield::reset(std::size_t i) {
    if (i >= size_ || !test(i)) return;
    words_[i / 64] &= ~(std::uint64_t{1} << (i % 64));
    --count_;
}

void Bitfield::set_all() {
    for (std::size_t i = 0; i < size_; ++i) words_[i / 64] |= std::uint64_t{1} << (i % 64);
    count_ = size_;
}

std::optional<Bitfield> Bitfield::from_bytes(std::string_view bytes, std::size_t size) {
    if (bytes.size() != (size + 7) / 8) return std::nullopt;
    Bitfield b(size);
    for (std::size_t byte = 0; byte < bytes.size(); ++byte) {
        const auto v = static_cast<unsigned char>(bytes[byte]);
        for (int bit = 0; bit < 8; ++bit) {
            if (!(v & (0x80 >> bit))) continue;
            const std::size_t i = byte * 8 + static_cast<std::size_t>(bit);
            if (i >= size) return std::nullopt;  // spare bits must be zero
            b.set(i);
        }
    }
    return b;
}

std::string Bitfield::to_bytes() const {
    std::string out((size_ + 7) / 8, '\0');
    for (std::size_t i = 0; i < size_; ++i) {
        if (test(i)) out[i / 8] = static_cast<char>(out[i / 8] | (0x80 >> (i % 8)));
    }
    return out;
}

}  // namespace shoal
