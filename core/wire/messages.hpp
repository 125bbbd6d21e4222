#pragma once
// Peer wire messages (BEP 3, BEP 6 fast extension, BEP 10 extended, BEP 52 hashes):
// typed values, a bounded decoder and encoders.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crypto/digest.hpp"
#include "util/result.hpp"

namespace shoal::wire {

enum class MessageId : std::uint8_t {
    choke = 0,
    unchoke = 1,
    interested = 2,
    not_interested = 3,
    have = 4,
    bitfield = 5,
    request = 6,
    piece = 7,
    cancel = 8,
    port = 9,
    suggest = 13,
    have_all = 14,
    have_none = 15,
    reject = 16,
    allowed_fast = 17,
    extended = 20,
    hash_request = 21,
    hashes = 22,
    hash_reject = 23,
};

constexpr std::uint32_t k_block_size = 16 * 1024;
// The largest block a peer may ask for; bigger requests are a protocol error.
constexpr std::uint32_t k_max_request_length = 128 * 1024;

struct KeepAlive {};
struct Choke {};
struct Unchoke {};
struct Interested {};
struct NotInterested {};
struct Have { std::uint32_t piece; };
struct Bitfield { std::string_view bits; };
struct BlockRequest {
    std::uint32_t piece;
    std::uint32_t begin;
    std::uint32_t length;
    auto operator<=>(const BlockRequest&) const = default;
};
struct Request { BlockRequest block; };
struct Piece { std::uint32_t piece; std::uint32_t begin; std::string_view data; };
struct Cancel { BlockRequest block; };
struct Port { std::uint16_t port; };
struct Suggest { std::uint32_t piece; };
struct HaveAll {};
struct HaveNone {};
struct Reject { BlockRequest block; };
struct AllowedFast { std::uint32_t piece; };
struct Extended { std::uint8_t id; std::string_view payload; };
struct HashRequest {
    Sha256Hash pieces_root;
    std::uint32_t base_layer, index, length, proof_layers;
};
struct Hashes { HashRequest request; std::string_view hashes; };
struct HashReject { HashRequest request; };
// A message id we do not know: ignored, as BEP 3 asks.
struct Unknown { std::uint8_t id; };

using Message = std::variant<KeepAlive, Choke, Unchoke, Interested, NotInterested, Have, Bitfield,
                             Request, Piece, Cancel, Port, Suggest, HaveAll, HaveNone, Reject,
                             AllowedFast, Extended, HashRequest, Hashes, HashReject, Unknown>;

struct MessageLimits {
    std::uint32_t max_length = k_max_request_length + 13;  // a piece message with its header
};

// Decodes one message body (without its 4-byte length prefix). The result views `body`.
Result<Message> decode_message(std::string_view body);

// Appends the encoded message (with its length prefix) to `out`.
void encode_simple(std::string& out, MessageId id);  // choke .. not interested, have all/none
void encode_have(std::string& out, std::uint32_t piece);
void encode_bitfield(std::string& out, std::string_view bits);
void encode_request(std::string& out, MessageId id, const BlockRequest& block);  // request, cancel, reject
void encode_piece_header(std::string& out, std::uint32_t piece, std::uint32_t begin,
                         std::uint32_t length);  // the data follows separately
void encode_piece_index(std::string& out, MessageId id, std::uint32_t piece);  // suggest, allowed fast
void encode_port(std::string& out, std::uint16_t port);
void encode_extended(std::string& out, std::uint8_t id, std::string_view payload);
void encode_keep_alive(std::string& out);
// hash request or hash reject (BEP 52)
void encode_hash_request(std::string& out, MessageId id, const HashRequest& request);
void encode_hashes(std::string& out, const HashRequest& request, std::span<const Sha256Hash> hashes);

std::uint32_t read_u32(const char* p);
void append_u32(std::string& out, std::uint32_t v);

}  // namespace shoal::wire
