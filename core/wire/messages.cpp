#include "wire/messages.hpp"

namespace shoal::wire {
namespace {

Error bad(std::string_view what, std::size_t size) {
    return make_error("malformed " + std::string(what) + " message (" + std::to_string(size) +
                      " bytes)");
}

HashRequest read_hash_request(std::string_view p) {
    HashRequest r;
    r.pieces_root = *Sha256Hash::from_bytes(p.substr(0, 32));
    r.base_layer = read_u32(p.data() + 32);
    r.index = read_u32(p.data() + 36);
    r.length = read_u32(p.data() + 40);
    r.proof_layers = read_u32(p.data() + 44);
    return r;
}

BlockRequest read_block(std::string_view p) {
    return {read_u32(p.data()), read_u32(p.data() + 4), read_u32(p.data() + 8)};
}

void append_length_and_id(std::string& out, std::uint32_t payload, MessageId id) {
    append_u32(out, payload + 1);
    out.push_back(static_cast<char>(id));
}

}  // namespace

std::uint32_t read_u32(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return std::uint32_t{u[0]} << 24 | std::uint32_t{u[1]} << 16 | std::uint32_t{u[2]} << 8 | u[3];
}

void append_u32(std::string& out, std::uint32_t v) {
    const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                           static_cast<char>(v >> 8), static_cast<char>(v)};
    out.append(bytes, 4);
}

Result<Message> decode_message(std::string_view body) {
    if (body.empty()) return Message{KeepAlive{}};
    const auto id = static_cast<std::uint8_t>(body[0]);
    const std::string_view p = body.substr(1);
    auto fixed = [&](std::size_t size, const char* what) -> std::optional<Error> {
        if (p.size() != size) return bad(what, p.size());
        return std::nullopt;
    };
    switch (static_cast<MessageId>(id)) {
        case MessageId::choke:
            if (auto e = fixed(0, "choke")) return *e;
            return Message{Choke{}};
        case MessageId::unchoke:
            if (auto e = fixed(0, "unchoke")) return *e;
            return Message{Unchoke{}};
        case MessageId::interested:
            if (auto e = fixed(0, "interested")) return *e;
            return Message{Interested{}};
        case MessageId::not_interested:
            if (auto e = fixed(0, "not interested")) return *e;
            return Message{NotInterested{}};
        case MessageId::have:
            if (auto e = fixed(4, "have")) return *e;
            return Message{Have{read_u32(p.data())}};
        case MessageId::bitfield:
            return Message{Bitfield{p}};
        case MessageId::request:
            if (auto e = fixed(12, "request")) return *e;
            return Message{Request{read_block(p)}};
        case MessageId::piece:
            if (p.size() < 8) return bad("piece", p.size());
            return Message{Piece{read_u32(p.data()), read_u32(p.data() + 4), p.substr(8)}};
        case MessageId::cancel:
            if (auto e = fixed(12, "cancel")) return *e;
            return Message{Cancel{read_block(p)}};
        case MessageId::port:
            if (auto e = fixed(2, "port")) return *e;
            return Message{Port{static_cast<std::uint16_t>(
                static_cast<unsigned char>(p[0]) << 8 | static_cast<unsigned char>(p[1]))}};
        case MessageId::suggest:
            if (auto e = fixed(4, "suggest")) return *e;
            return Message{Suggest{read_u32(p.data())}};
        case MessageId::have_all:
            if (auto e = fixed(0, "have all")) return *e;
            return Message{HaveAll{}};
        case MessageId::have_none:
            if (auto e = fixed(0, "have none")) return *e;
            return Message{HaveNone{}};
        case MessageId::reject:
            if (auto e = fixed(12, "reject")) return *e;
            return Message{Reject{read_block(p)}};
        case MessageId::allowed_fast:
            if (auto e = fixed(4, "allowed fast")) return *e;
            return Message{AllowedFast{read_u32(p.data())}};
        case MessageId::extended:
            if (p.empty()) return bad("extended", 0);
            return Message{Extended{static_cast<std::uint8_t>(p[0]), p.substr(1)}};
        case MessageId::hash_request:
            if (auto e = fixed(48, "hash request")) return *e;
            return Message{read_hash_request(p)};
        case MessageId::hash_reject:
            if (auto e = fixed(48, "hash reject")) return *e;
            return Message{HashReject{read_hash_request(p)}};
        case MessageId::hashes:
            if (p.size() < 48 || (p.size() - 48) % 32 != 0) return bad("hashes", p.size());
            return Message{Hashes{read_hash_request(p), p.substr(48)}};
    }
    return Message{Unknown{id}};
}

void encode_simple(std::string& out, MessageId id) { append_length_and_id(out, 0, id); }

void encode_have(std::string& out, std::uint32_t piece) {
    encode_piece_index(out, MessageId::have, piece);
}

void encode_bitfield(std::string& out, std::string_view bits) {
    append_length_and_id(out, static_cast<std::uint32_t>(bits.size()), MessageId::bitfield);
    out.append(bits);
}

void encode_request(std::string& out, MessageId id, const BlockRequest& b) {
    append_length_and_id(out, 12, id);
    append_u32(out, b.piece);
    append_u32(out, b.begin);
    append_u32(out, b.length);
}

void encode_piece_header(std::string& out, std::uint32_t piece, std::uint32_t begin,
                         std::uint32_t length) {
    append_length_and_id(out, 8 + length, MessageId::piece);
    append_u32(out, piece);
    append_u32(out, begin);
}

void encode_piece_index(std::string& out, MessageId id, std::uint32_t piece) {
    append_length_and_id(out, 4, id);
    append_u32(out, piece);
}

void encode_port(std::string& out, std::uint16_t port) {
    append_length_and_id(out, 2, MessageId::port);
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port));
}

void encode_extended(std::string& out, std::uint8_t id, std::string_view payload) {
    append_length_and_id(out, static_cast<std::uint32_t>(payload.size() + 1), MessageId::extended);
    out.push_back(static_cast<char>(id));
    out.append(payload);
}

void encode_keep_alive(std::string& out) { append_u32(out, 0); }

namespace {

void append_hash_request(std::string& out, const HashRequest& r) {
    out.append(r.pieces_root.view());
    for (std::uint32_t v : {r.base_layer, r.index, r.length, r.proof_layers}) append_u32(out, v);
}

}  // namespace

void encode_hash_request(std::string& out, MessageId id, const HashRequest& request) {
    append_length_and_id(out, 48, id);
    append_hash_request(out, request);
}

void encode_hashes(std::string& out, const HashRequest& request, std::span<const Sha256Hash> hashes) {
    append_length_and_id(out, static_cast<std::uint32_t>(48 + hashes.size() * Sha256Hash::size), MessageId::hashes);
    append_hash_request(out, request);
    for (const auto& h : hashes) out.append(h.view());
}

}  // namespace shoal::wire
