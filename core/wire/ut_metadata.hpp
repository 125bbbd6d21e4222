#pragma once
// ut_metadata (BEP 9): the messages that carry a torrent's info dictionary between peers,
// and the reply a peer that has the metadata gives to a request.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::wire {

// Metadata travels in pieces of this size; only the last piece may be shorter.
constexpr std::int64_t k_metadata_piece_size = 16 * 1024;
// Far above any real info dictionary (a 1 TiB torrent with 16 KiB pieces needs ~1.3 MiB of
// piece hashes), low enough that a peer cannot make us buffer much.
constexpr std::int64_t k_default_max_metadata_size = 16 * 1024 * 1024;

enum class MetadataType : std::uint8_t { request = 0, data = 1, reject = 2, unknown = 255 };

// One decoded ut_metadata message; `data` views the payload it was decoded from.
struct MetadataMessage {
    MetadataType type = MetadataType::request;
    std::uint32_t piece = 0;
    std::int64_t total_size = 0;  // data only: the size of the whole metadata
    std::string_view data;        // data only: this piece's bytes
};

struct MetadataLimits {
    std::int64_t max_total_size = k_default_max_metadata_size;
};

// How many pieces metadata of `total_size` bytes has (0 for a size of 0 or less).
std::uint32_t metadata_piece_count(std::int64_t total_size);
// The size of `piece` in metadata of `total_size` bytes (0 when the piece does not exist).
std::int64_t metadata_piece_size(std::int64_t total_size, std::uint32_t piece);
// Checks a `metadata_size` from an extension handshake (or a data message): 1..max_total_size.
Result<std::int64_t> check_metadata_size(std::int64_t size, const MetadataLimits& limits = {});

// Decodes the payload of a ut_metadata extended message (after the extended id byte).
// A message type we do not know comes back as `unknown`, which BEP 9 says to ignore.
// `known_size`, when given, is the metadata size the piece index must fit (the one we serve,
// or the one the peer announced); a data message must then carry that total_size. Data must
// be exactly 16 KiB except for the last piece; request and reject carry no trailing bytes.
Result<MetadataMessage> decode_metadata_message(std::string_view payload,
                                                std::optional<std::int64_t> known_size = {},
                                                const MetadataLimits& limits = {});

// Payloads, to be wrapped with encode_extended() and the peer's ut_metadata id.
std::string encode_metadata_request(std::uint32_t piece);
std::string encode_metadata_reject(std::uint32_t piece);
std::string encode_metadata_data(std::uint32_t piece, std::int64_t total_size,
                                 std::string_view piece_bytes);

// The reply to a request for `piece` of `info_bytes` (the info dictionary we verified): the
// data message, or a reject when we have no metadata or the piece does not exist.
std::string serve_metadata_request(std::string_view info_bytes, std::uint32_t piece);

}  // namespace shoal::wire
