#include <gtest/gtest.h>

#include "bencode/node.hpp"
#include "test_util.hpp"
#include "tracker/http_reply.hpp"

namespace shoal::tracker {
namespace {

using bencode::Node;

// The compact reply is written without a node tree; it must be exactly what the general
// encoder makes of the same dictionary.
TEST(HttpReply, CompactAnnounceIsTheCanonicalEncoding) {
    AnnounceOutcome outcome;
    outcome.counts = {12, 3456, 7};
    outcome.interval = 1800;
    outcome.min_interval = 900;
    const std::vector<PeerInfo> peers = {{test::v4(0x0A000001, 6881), {}},
                                         {test::v6(9, 51413), {}},
                                         {test::v4(0xC0A80102, 1), {}}};
    Node::Dict d;
    d["complete"] = Node(std::int64_t{12});
    d["incomplete"] = Node(std::int64_t{3456});
    d["downloaded"] = Node(std::int64_t{7});
    d["interval"] = Node(std::int64_t{1800});
    d["min interval"] = Node(std::int64_t{900});
    d["peers"] = Node(std::string("\x0a\x00\x00\x01\x1a\xe1\xc0\xa8\x01\x02\x00\x01", 12));
    std::string v6(16, '\0');
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[15] = 9;
    v6 += "\xc8\xd5";
    d["peers6"] = Node(v6);
    EXPECT_EQ(bencode_announce(outcome, peers, true, false), bencode::encode(Node(d)));

    // Without IPv6 peers there is no peers6 key; without peers, an empty string.
    d.erase("peers6");
    EXPECT_EQ(bencode_announce(outcome, {peers[0], peers[2]}, true, false),
              bencode::encode(Node(d)));
    d["peers"] = Node(std::string());
    EXPECT_EQ(bencode_announce(outcome, {}, true, true), bencode::encode(Node(d)));
}

TEST(HttpReply, FailureMayCarryRetryIn) {
    EXPECT_EQ(bencode_failure("no"), "d14:failure reason2:noe");
    EXPECT_EQ(bencode_failure("busy", 1), "d14:failure reason4:busy8:retry ini1ee");
}

}  // namespace
}  // namespace shoal::tracker
