#pragma once
// A set of piece indices, convertible to and from the wire's bitfield bytes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shoal {

class Bitfield {
public:
    Bitfield() = default;
    explicit Bitfield(std::size_t size, bool all = false);

    // From wire bytes: nullopt when the length is wrong or spare bits are set.
    static std::optional<Bitfield> from_bytes(std::string_view bytes, std::size_t size);
    std::string to_bytes() const;

    std::size_t size() const { return size_; }
    std::size_t count() const { return count_; }
    bool all() const { return count_ == size_; }
    bool none() const { return count_ == 0; }
    bool test(std::size_t i) const { return i < size_ && (words_[i / 64] >> (i % 64)) & 1; }
    void set(std::size_t i);
    void reset(std::size_t i);
    void set_all();
    bool operator==(const Bitfield&) const = default;

private:
    std::vector<std::uint64_t> words_;
    std::size_t size_ = 0;
    std::size_t count_ = 0;
};

}  // namespace shoal
