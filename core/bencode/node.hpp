#pragma once
// An owning bencode value for building messages and torrents; dictionaries stay sorted.

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace shoal::bencode {

struct Node {
    using List = std::vector<Node>;
    // std::string compares bytes as unsigned, which is the order bencode requires.
    using Dict = std::map<std::string, Node>;

    Node() : v(Dict{}) {}
    Node(std::int64_t i) : v(i) {}
    Node(int i) : v(std::int64_t{i}) {}
    Node(std::string s) : v(std::move(s)) {}
    Node(const char* s) : v(std::string(s)) {}
    Node(List l) : v(std::move(l)) {}
    Node(Dict d) : v(std::move(d)) {}

    std::variant<std::int64_t, std::string, List, Dict> v;
};

std::string encode(const Node& node);
void encode_to(std::string& out, const Node& node);

}  // namespace shoal::bencode
