// BEP 52 merkle trees: against a naive full-tree computation, values computed with Python's
// hashlib, and the pieces roots and piece layers of real v2 torrents.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "bencode/decode.hpp"
#include "crypto/hasher.hpp"
#include "crypto/merkle.hpp"

namespace shoal {
namespace {

Sha256Hash hash_of(const Sha256Hash& a, const Sha256Hash& b) {
    return Sha256Hasher().update(a.bytes).update(b.bytes).final();
}

// Every node of the tree materialised: the obvious, slow way.
Sha256Hash naive_root(std::vector<Sha256Hash> level, const Sha256Hash& pad, std::size_t width) {
    level.resize(width, pad);
    while (level.size() > 1) {
        std::vector<Sha256Hash> next;
        for (std::size_t i = 0; i < level.size(); i += 2)
            next.push_back(hash_of(level[i], level[i + 1]));
        level = std::move(next);
    }
    return level[0];
}

std::vector<Sha256Hash> leaves_of(const std::string& data) {
    std::vector<Sha256Hash> leaves;
    for (std::size_t i = 0; i < data.size(); i += k_merkle_block_size) {
        leaves.push_back(sha256(std::string_view(data).substr(i, k_merkle_block_size)));
    }
    return leaves;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Merkle, PowersOfTwo) {
    EXPECT_EQ(next_power_of_two(0), 1u);
    EXPECT_EQ(next_power_of_two(1), 1u);
    EXPECT_EQ(next_power_of_two(2), 2u);
    EXPECT_EQ(next_power_of_two(3), 4u);
    EXPECT_EQ(next_power_of_two(1025), 2048u);
    EXPECT_EQ(log2_exact(1), 0);
    EXPECT_EQ(log2_exact(16384), 14);
    EXPECT_EQ(log2_exact(std::uint64_t{1} << 40), 40);
}

TEST(Merkle, PadHashes) {
    EXPECT_TRUE(merkle_pad(0).is_zero());
    // hashlib.sha256(bytes(64)).hexdigest()
    EXPECT_EQ(merkle_pad(1).hex(),
              "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
    // Three rounds of p = sha256(p + p) from 32 zero bytes, in Python.
    EXPECT_EQ(merkle_pad(3).hex(),
              "c78009fdf07fc56a11f122370658a353aaa542ed63e44c4bc15ff4cd105ab33c");
    for (int h = 0; h < 8; ++h) {
        EXPECT_EQ(merkle_pad(h + 1), hash_of(merkle_pad(h), merkle_pad(h))) << h;
    }
}

TEST(Merkle, MatchesPythonForSevenBlocks) {
    // data = bytes(i % 251 for i in range(100000)); 7 leaves padded to 8 with zero hashes.
    std::string data(100000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>(i % 251);
    const auto leaves = leaves_of(data);
    ASSERT_EQ(leaves.size(), 7u);
    EXPECT_EQ(merkle_root(leaves, Sha256Hash{}).hex(),
              "505fc9a922f60ae071450b07256a4ba760612bffc38c27584ed03fd96c69841b");
}

TEST(Merkle, MatchesNaiveTreeForManySizes) {
    std::vector<Sha256Hash> nodes;
    for (std::size_t n = 0; n <= 70; ++n) {
        for (const int pad_height : {0, 2}) {
            const Sha256Hash pad = merkle_pad(pad_height);
            const std::size_t width = next_power_of_two(n);
            EXPECT_EQ(merkle_root(nodes, pad), naive_root(nodes, pad, width)) << n;
            // A wider tree than needed, as when a layer is padded to a fixed size.
            EXPECT_EQ(merkle_root(nodes, pad, width * 4), naive_root(nodes, pad, width * 4)) << n;
        }
        nodes.push_back(sha256(std::to_string(n)));
    }
}

TEST(Merkle, SingleNodeAndEmpty) {
    const auto a = sha256("a");
    EXPECT_EQ(merkle_root(std::vector<Sha256Hash>{a}, Sha256Hash{}), a);
    EXPECT_EQ(merkle_root({}, merkle_pad(5)), merkle_pad(5));
    EXPECT_EQ(merkle_root({}, Sha256Hash{}, 8), merkle_pad(3));
    EXPECT_EQ(merkle_root(std::vector<Sha256Hash>{a}, Sha256Hash{}, 2), hash_of(a, Sha256Hash{}));
}

// Hashing piece by piece (the piece layer) and then over the layer gives the same root as one
// tree over all blocks: what lets a v2 client verify pieces before the whole file is there.
TEST(Merkle, PieceLayerIsAnInnerLevel) {
    std::string data(9 * 4 * k_merkle_block_size + 5000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<char>((i * 7919) >> 5);
    const auto leaves = leaves_of(data);
    const std::size_t per_piece = 4;
    std::vector<Sha256Hash> layer;
    for (std::size_t i = 0; i < leaves.size(); i += per_piece) {
        const auto end = std::min(leaves.size(), i + per_piece);
        layer.push_back(
            merkle_root(std::span(leaves).subspan(i, end - i), Sha256Hash{}, per_piece));
    }
    ASSERT_EQ(layer.size(), 10u);
    EXPECT_EQ(merkle_root(layer, merkle_pad(2)), merkle_root(leaves, Sha256Hash{}));
    EXPECT_EQ(merkle_root(layer, merkle_pad(2)), naive_root(leaves, Sha256Hash{}, 64));
}

// The roots in real v2 torrents, read straight from the bencoded file, not through the
// torrent parser that uses the same code.
struct RealTorrent {
    const char* file;
    int pad_height;  // log2(piece length / 16 KiB)
    std::size_t layers;
};

TEST(Merkle, RealTorrentPieceLayersHashToTheirRoots) {
    const RealTorrent torrents[] = {
        {"v2_only.torrent", 2, 1},            // 64 KiB pieces
        {"v2_multiple_files.torrent", 6, 3},  // 1 MiB pieces
        {"v2_hybrid.torrent", 5, 0},          // 512 KiB pieces; layers for each large file
    };
    for (const auto& t : torrents) {
        SCOPED_TRACE(t.file);
        const std::string data =
            read_file(std::string(SHOAL_SHARED_TESTDATA) + "/libtorrent-test-torrents/" + t.file);
        ASSERT_FALSE(data.empty());
        auto root = bencode::decode(data);
        ASSERT_TRUE(root.ok()) << root.error().message;
        const auto* layers = root->find_dict("piece layers");
        ASSERT_TRUE(layers);
        if (t.layers != 0) {
            EXPECT_EQ(layers->as_dict().size(), t.layers);
        }
        EXPECT_FALSE(layers->as_dict().empty());
        for (const auto& [key, layer] : layers->as_dict()) {
            const std::string_view bytes = layer.as_string();
            ASSERT_EQ(bytes.size() % 32, 0u);
            std::vector<Sha256Hash> hashes;
            for (std::size_t i = 0; i < bytes.size(); i += 32) {
                hashes.push_back(*Sha256Hash::from_bytes(bytes.substr(i, 32)));
            }
            EXPECT_EQ(merkle_root(hashes, merkle_pad(t.pad_height)), *Sha256Hash::from_bytes(key));
            EXPECT_EQ(
                merkle_root(hashes, merkle_pad(t.pad_height)),
                naive_root(hashes, merkle_pad(t.pad_height), next_power_of_two(hashes.size())));
        }
    }
}

}  // namespace
}  // namespace shoal
