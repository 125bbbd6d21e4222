// The strict bencode decoder (limits, canonical form, error offsets) and the encoder.

#include <gtest/gtest.h>

#include <string>

#include "bencode/decode.hpp"
#include "bencode/node.hpp"

namespace shoal::bencode {
namespace {

// The error message of a decode that must fail.
std::string error_of(std::string_view input, const Limits& limits = {}) {
    auto r = decode(input, limits);
    if (r.ok())
        return "(accepted)";
    return r.error().message;
}

testing::AssertionResult fails_at(std::string_view input, std::size_t offset, std::string_view what,
                                  const Limits& limits = {}) {
    const std::string message = error_of(input, limits);
    const std::string expected =
        "invalid bencoding at byte " + std::to_string(offset) + ": " + std::string(what);
    if (message.find(expected) != std::string::npos)
        return testing::AssertionSuccess();
    return testing::AssertionFailure()
           << "input '" << input << "' gave '" << message << "', expected '" << expected << "'";
}

// An owning copy, so decoded values can be re-encoded.
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

TEST(BencodeDecode, Integers) {
    EXPECT_EQ(decode("i0e")->as_int(), 0);
    EXPECT_EQ(decode("i42e")->as_int(), 42);
    EXPECT_EQ(decode("i-42e")->as_int(), -42);
    EXPECT_EQ(decode("i9223372036854775807e")->as_int(), INT64_MAX);
    EXPECT_EQ(decode("i-9223372036854775808e")->as_int(), INT64_MIN);
}

TEST(BencodeDecode, IntegerOverflow) {
    EXPECT_TRUE(fails_at("i9223372036854775808e", 0, "integer out of range"));
    EXPECT_TRUE(fails_at("i-9223372036854775809e", 0, "integer out of range"));
    EXPECT_TRUE(fails_at("i99999999999999999999999999e", 0, "integer out of range"));
    EXPECT_TRUE(fails_at("li1ei18446744073709551616ee", 4, "integer out of range"));
}

TEST(BencodeDecode, NonCanonicalIntegers) {
    EXPECT_TRUE(fails_at("i-0e", 0, "negative zero"));
    EXPECT_TRUE(fails_at("i03e", 0, "integer with leading zero"));
    EXPECT_TRUE(fails_at("i00e", 0, "integer with leading zero"));
    EXPECT_TRUE(fails_at("i-03e", 0, "integer with leading zero"));
    EXPECT_TRUE(fails_at("ie", 1, "integer without digits"));
    EXPECT_TRUE(fails_at("i-e", 2, "integer without digits"));
    EXPECT_TRUE(fails_at("i+1e", 1, "integer without digits"));
    EXPECT_TRUE(fails_at("i12", 3, "integer not terminated by 'e'"));
    EXPECT_TRUE(fails_at("i1.5e", 2, "integer not terminated by 'e'"));
    EXPECT_TRUE(fails_at("i 1e", 1, "integer without digits"));
}

TEST(BencodeDecode, Strings) {
    EXPECT_EQ(decode("0:")->as_string(), "");
    EXPECT_EQ(decode("3:abc")->as_string(), "abc");
    const std::string binary("4:\0\xff\n\x80", 6);
    EXPECT_EQ(decode(binary)->as_string(), std::string_view("\0\xff\n\x80", 4));
}

TEST(BencodeDecode, StringLengths) {
    EXPECT_TRUE(fails_at("03:abc", 0, "string length with leading zero"));
    EXPECT_TRUE(fails_at("00:", 0, "string length with leading zero"));
    EXPECT_TRUE(fails_at("4:abc", 0, "string length exceeds the input"));
    EXPECT_TRUE(fails_at("l1:a6:abcde", 4, "string length exceeds the input"));
    // A length near SIZE_MAX must not wrap around.
    EXPECT_TRUE(fails_at("18446744073709551615:a", 0, "string length exceeds the input"));
    EXPECT_TRUE(fails_at("99999999999999999999999999:a", 0, "string length exceeds the input"));
    EXPECT_TRUE(fails_at("3abc", 1, "string length not followed by ':'"));
    EXPECT_TRUE(fails_at("3", 1, "string length not followed by ':'"));
}

TEST(BencodeDecode, ListsAndDictionaries) {
    auto v = decode("d4:listli1e3:twoe3:numi-7e5:emptylee");
    ASSERT_TRUE(v.ok()) << v.error().message;
    ASSERT_TRUE(v->is_dict());
    ASSERT_TRUE(v->find_list("list"));
    EXPECT_EQ(v->find_list("list")->as_list().size(), 2u);
    EXPECT_EQ(v->find_list("list")->as_list()[1].as_string(), "two");
    EXPECT_EQ(v->find_int("num")->as_int(), -7);
    EXPECT_TRUE(v->find_list("empty")->as_list().empty());
    // Typed lookups refuse the wrong type rather than throwing.
    EXPECT_EQ(v->find_string("num"), nullptr);
    EXPECT_EQ(v->find_dict("list"), nullptr);
    EXPECT_EQ(v->find("missing"), nullptr);
    EXPECT_EQ(v->find_int("num")->find("x"), nullptr);
}

TEST(BencodeDecode, RawBytesOfEachValue) {
    const std::string input = "d1:ad1:bli1ei2eee1:c3:xyze";
    auto v = decode(input);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->raw(), input);
    EXPECT_EQ(v->find("a")->raw(), "d1:bli1ei2eee");
    EXPECT_EQ(v->find("a")->find("b")->raw(), "li1ei2ee");
    EXPECT_EQ(v->find("c")->raw(), "3:xyz");
    // The raw view points into the caller's buffer (no copy).
    EXPECT_EQ(v->find("c")->raw().data(), input.data() + 20);
}

TEST(BencodeDecode, Unterminated) {
    EXPECT_TRUE(fails_at("l", 1, "unterminated list"));
    EXPECT_TRUE(fails_at("li1e", 4, "unterminated list"));
    EXPECT_TRUE(fails_at("d", 1, "unterminated dictionary"));
    EXPECT_TRUE(fails_at("d1:ai1e", 7, "unterminated dictionary"));
    EXPECT_TRUE(fails_at("d1:a", 4, "unexpected end of input"));
    EXPECT_TRUE(fails_at("lld1:ali", 8, "integer without digits"));
}

TEST(BencodeDecode, DictionaryKeys) {
    EXPECT_TRUE(fails_at("di1ei2ee", 1, "dictionary key is not a string"));
    EXPECT_TRUE(fails_at("dli1ee1:ae", 1, "dictionary key is not a string"));
    EXPECT_TRUE(fails_at("d1:ai1ei2ei3ee", 7, "dictionary key is not a string"));
    EXPECT_TRUE(fails_at("d1:ai1exe", 7, "dictionary key is not a string"));
}

TEST(BencodeDecode, UnsortedKeysOnlyWhenRequired) {
    const std::string unsorted = "d1:bi1e1:ai2ee";
    auto loose = decode(unsorted);
    ASSERT_TRUE(loose.ok()) << loose.error().message;
    // Entries keep file order; lookups still work.
    EXPECT_EQ(loose->as_dict()[0].first, "b");
    EXPECT_EQ(loose->find_int("a")->as_int(), 2);
    Limits strict;
    strict.require_sorted_keys = true;
    EXPECT_TRUE(fails_at(unsorted, 7, "dictionary keys are not sorted", strict));
    EXPECT_TRUE(decode("d1:ai1e1:bi2ee", strict).ok());
    // Keys compare as unsigned bytes: 0xff sorts after 'a'.
    EXPECT_TRUE(decode("d1:ai1e1:\xffi2ee", strict).ok());
    EXPECT_TRUE(fails_at("d1:\xffi1e1:ai2ee", 7, "dictionary keys are not sorted", strict));
    // A prefix sorts before the longer key.
    EXPECT_TRUE(decode("d1:ai1e2:aai2ee", strict).ok());
    // Nested dictionaries are checked too.
    EXPECT_TRUE(fails_at("d1:ad1:bi1e1:ai2eee", 11, "dictionary keys are not sorted", strict));
}

TEST(BencodeDecode, DuplicateKeysAlwaysRefused) {
    EXPECT_TRUE(fails_at("d1:ai1e1:ai2ee", 7, "duplicate dictionary key"));
    Limits strict;
    strict.require_sorted_keys = true;
    EXPECT_TRUE(fails_at("d1:ai1e1:ai2ee", 7, "duplicate dictionary key", strict));
    // Not adjacent, in an unsorted dictionary: named at the dictionary's start.
    EXPECT_TRUE(fails_at("d1:bi1e1:ai2e1:bi3ee", 0, "duplicate dictionary key"));
    EXPECT_TRUE(fails_at("l0:d1:bi1e1:ai2e1:bi3eee", 3, "duplicate dictionary key"));
}

TEST(BencodeDecode, TrailingDataAndEmptyInput) {
    EXPECT_TRUE(fails_at("i1ei2e", 3, "unexpected trailing data after the bencoded value"));
    EXPECT_TRUE(fails_at("dex", 2, "unexpected trailing data after the bencoded value"));
    EXPECT_TRUE(fails_at("de\n", 2, "unexpected trailing data after the bencoded value"));
    EXPECT_NE(error_of("").find("empty input"), std::string::npos);
    EXPECT_TRUE(fails_at("x", 0, "unexpected character"));
    EXPECT_TRUE(fails_at("li1exe", 4, "unexpected character"));
}

TEST(BencodeDecode, DepthLimit) {
    Limits limits;
    limits.max_depth = 3;
    EXPECT_TRUE(decode("llleee", limits).ok());
    EXPECT_TRUE(fails_at("lllleeee", 3, "nesting depth exceeded", limits));
    EXPECT_TRUE(fails_at("d1:ad1:ad1:ad1:aleeeee", 12, "nesting depth exceeded", limits));
    // The default of 100 levels.
    const std::string ok = std::string(100, 'l') + std::string(100, 'e');
    const std::string deep = std::string(101, 'l') + std::string(101, 'e');
    EXPECT_TRUE(decode(ok).ok());
    EXPECT_TRUE(fails_at(deep, 100, "nesting depth exceeded"));
    // Far past the limit it still fails cleanly (no stack exhaustion).
    const std::string very_deep(1'000'000, 'l');
    EXPECT_TRUE(fails_at(very_deep, 100, "nesting depth exceeded"));
}

TEST(BencodeDecode, ItemLimit) {
    Limits limits;
    limits.max_items = 3;
    EXPECT_TRUE(decode("li1ei2ee", limits).ok());
    EXPECT_TRUE(fails_at("li1ei2ei3ee", 7, "too many items", limits));
    // Keys are not items of their own: each comes with the value that is counted.
    EXPECT_TRUE(decode("d1:ai1e1:bi2ee", limits).ok());
    EXPECT_TRUE(fails_at("d1:ai1e1:bi2e1:ci3ee", 16, "too many items", limits));
}

TEST(BencodeDecode, OffsetsCountFromFirstOffset) {
    EXPECT_TRUE(decode("i1e", {}, 500).ok());
    const auto r = decode("d1:bi1e1:ai2ee", Limits{100, 100, true}, 1000);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("at byte 1007:"), std::string::npos) << r.error().message;
}

TEST(BencodeDecode, MessagesAreOneLine) {
    for (const char* bad : {"i-0e", "03:abc", "ie", "l", "d", "di1ei1ee", "i1ei2e", "6:ab\ncd"}) {
        const std::string m = error_of(bad);
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        EXPECT_NE(m, "(accepted)") << bad;
    }
}

TEST(BencodeEncode, Scalars) {
    EXPECT_EQ(encode(Node(0)), "i0e");
    EXPECT_EQ(encode(Node(-5)), "i-5e");
    EXPECT_EQ(encode(Node(INT64_MIN)), "i-9223372036854775808e");
    EXPECT_EQ(encode(Node(INT64_MAX)), "i9223372036854775807e");
    EXPECT_EQ(encode(Node("")), "0:");
    EXPECT_EQ(encode(Node(std::string("a\0b", 3))), std::string("3:a\0b", 5));
}

TEST(BencodeEncode, ContainersSortKeys) {
    Node::Dict d;
    d["zeta"] = Node(1);
    d["alpha"] = Node(Node::List{Node("x"), Node(2), Node(Node::List{})});
    d["\xff"] = Node("high");
    d["Beta"] = Node(Node::Dict{});
    EXPECT_EQ(encode(Node(d)),
              "d4:Betade5:alphal1:xi2elee4:zetai1e1:\xff"
              "4:highe");
    EXPECT_EQ(encode(Node()), "de");
}

TEST(BencodeEncode, RoundTripsCanonicalInput) {
    const std::string inputs[] = {
        "i0e",
        "i-9223372036854775808e",
        "0:",
        "le",
        "de",
        "d3:bar4:spam3:fooi42ee",
        "d8:announce3:url4:infod6:lengthi1e4:name1:a12:piece lengthi16384e6:pieces0:ee",
        "lli1eeld1:ali2eeeee",
        std::string("d1:\x00i1e1:\x7fi2e1:\x80i3ee", 20),
    };
    Limits strict;
    strict.require_sorted_keys = true;
    for (const auto& input : inputs) {
        auto v = decode(input, strict);
        ASSERT_TRUE(v.ok()) << input << ": " << v.error().message;
        EXPECT_EQ(encode(to_node(*v)), input);
    }
}

TEST(BencodeEncode, EncodeToAppends) {
    std::string out = "prefix";
    encode_to(out, Node(Node::List{Node(1)}));
    EXPECT_EQ(out, "prefixli1ee");
}

TEST(BencodeDecode, PrefixLeavesTrailingBytes) {
    const std::string_view input = "d1:ai1eeRAW";
    auto v = decode_prefix(input);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v->raw(), "d1:ai1ee");
    EXPECT_EQ(input.substr(v->raw().size()), "RAW");
    EXPECT_FALSE(decode(input).ok());
    EXPECT_FALSE(decode_prefix("d1:ai1e").ok());
    EXPECT_FALSE(decode_prefix("").ok());
}

}  // namespace
}  // namespace shoal::bencode
