#pragma once
// A decoded bencode value that views the buffer it was decoded from.

#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace shoal::bencode {

class Value;
using List = std::vector<Value>;
// Entries in the order they appear in the buffer.
using Dict = std::vector<std::pair<std::string_view, Value>>;

class Value {
public:
    Value() = default;
    template <class T>
    Value(T v, std::string_view raw) : v_(std::move(v)), raw_(raw) {}

    bool is_int() const { return std::holds_alternative<std::int64_t>(v_); }
    bool is_string() const { return std::holds_alternative<std::string_view>(v_); }
    bool is_list() const { return std::holds_alternative<List>(v_); }
    bool is_dict() const { return std::holds_alternative<Dict>(v_); }

    std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
    std::string_view as_string() const { return std::get<std::string_view>(v_); }
    const List& as_list() const { return std::get<List>(v_); }
    const Dict& as_dict() const { return std::get<Dict>(v_); }

    // The value of `key` in a dictionary, or nullptr (also when this is no dictionary).
    const Value* find(std::string_view key) const;
    const Value* find_int(std::string_view key) const;
    const Value* find_string(std::string_view key) const;
    const Value* find_list(std::string_view key) const;
    const Value* find_dict(std::string_view key) const;

    // The exact bytes this value was decoded from.
    std::string_view raw() const { return raw_; }

private:
    std::variant<std::int64_t, std::string_view, List, Dict> v_;
    std::string_view raw_;
};

}  // namespace shoal::bencode
