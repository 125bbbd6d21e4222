// Fuzzes the bencode decoder. Invariants: anything decoded re-encodes to canonical bencode that
// decodes strictly, and canonical input re-encodes to exactly the same bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bencode/decode.hpp"
#include "bencode/node.hpp"

namespace {

using namespace shoal::bencode;

Node to_node(const Value& v) {
    if (v.is_int())
        return Node(v.as_int());
    if (v.is_string())
        return Node(std::string(v.as_string()));
    if (v.is_list()) {
        Node::List out;
        for (const auto& item : v.as_list())
            out.push_back(to_node(item));
        return Node(std::move(out));
    }
    Node::Dict out;
    for (const auto& [key, value] : v.as_dict())
        out.emplace(std::string(key), to_node(value));
    return Node(std::move(out));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    Limits strict;
    strict.require_sorted_keys = true;

    auto loose = decode(input);
    auto canonical = decode(input, strict);
    // Strict acceptance implies loose acceptance.
    if (canonical.ok() && !loose.ok())
        __builtin_trap();
    if (!loose.ok()) {
        if (loose.error().message.find("at byte") == std::string::npos &&
            loose.error().message.find("empty input") == std::string::npos) {
            __builtin_trap();
        }
        return 0;
    }
    if (loose->raw() != input)
        __builtin_trap();
    const std::string encoded = encode(to_node(*loose));
    if (!decode(encoded, strict).ok())
        __builtin_trap();
    if (canonical.ok() && encoded != input)
        __builtin_trap();
    return 0;
}
