#pragma once
// Which swarm a connection belongs to: a torrent's (or magnet link's) info-hashes, and the
// 20-byte forms a handshake may name it by.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"
#include "wire/handshake.hpp"

namespace shoal {

struct SwarmId {
    std::optional<InfoHashV1> v1;
    std::optional<InfoHashV2> v2;

    static SwarmId of(const TorrentInfo& info) { return {info.info_hash_v1, info.info_hash_v2}; }
    static SwarmId of(const MagnetLink& magnet) { return {magnet.info_hash_v1, magnet.info_hash_v2}; }

    bool hybrid() const { return v1 && v2; }
    // What we name it by when we dial, announce or look it up: v1, else the truncated v2.
    SwarmHash wire_hash() const;
    // Whether a handshake's info-hash names this swarm (v1, or the truncated v2).
    bool matches(const SwarmHash& hash) const;
    // Every 20-byte name of it: v1 and the truncated v2 (an MSE handshake's SKEY is one).
    std::vector<SwarmHash> names() const;
    // The info-hash to answer a peer's handshake with. BEP 52's upgrade: a peer that names a
    // hybrid by its v1 hash and says it speaks v2 gets the truncated v2 hash back.
    SwarmHash answer_to(const wire::Handshake& theirs) const;
};

}  // namespace shoal
