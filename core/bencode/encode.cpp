#include <string>

#include "bencode/node.hpp"

namespace shoal::bencode {
namespace {

void append_string(std::string& out, const std::string& s) {
    out += std::to_string(s.size());
    out += ':';
    out += s;
}

}  // namespace

void encode_to(std::string& out, const Node& node) {
    if (const auto* i = std::get_if<std::int64_t>(&node.v)) {
        out += 'i';
        out += std::to_string(*i);
        out += 'e';
    } else if (const auto* s = std::get_if<std::string>(&node.v)) {
        append_string(out, *s);
    } else if (const auto* l = std::get_if<Node::List>(&node.v)) {
        out += 'l';
        for (const Node& item : *l) encode_to(out, item);
        out += 'e';
    } else {
        out += 'd';
        for (const auto& [key, value] : std::get<Node::Dict>(node.v)) {
            append_string(out, key);
            encode_to(out, value);
        }
        out += 'e';
    }
}

std::string encode(const Node& node) {
    std::string out;
    encode_to(out, node);
    return out;
}

}  // namespace shoal::bencode
