#include "wire/extension_handshake.hpp"

#include "bencode/decode.hpp"
#include "bencode/node.hpp"
#include "util/endpoint.hpp"

#ifndef SHOAL_VERSION
#error "SHOAL_VERSION must be defined by the build"
#endif

namespace shoal::wire {

namespace {

std::uint8_t message_id(const bencode::Value& m, std::string_view name) {
    const auto* id = m.find_int(name);
    return id && id->as_int() > 0 && id->as_int() <= 255 ? static_cast<std::uint8_t>(id->as_int()) : 0;
}

}  // namespace

std::string_view our_client_name() {
    static const std::string name = std::string("Shoal ") + SHOAL_VERSION;
    return name;
}

std::string encode_extension_handshake(const OurExtensions& ours) {
    bencode::Node::Dict m;
    if (ours.ut_metadata) m["ut_metadata"] = std::int64_t{k_ut_metadata_id};
    if (ours.ut_pex) m["ut_pex"] = std::int64_t{k_ut_pex_id};
    if (ours.ut_holepunch) m["ut_holepunch"] = std::int64_t{k_ut_holepunch_id};
    bencode::Node::Dict d;
    d["m"] = std::move(m);
    if (ours.metadata_size && ours.ut_metadata) d["metadata_size"] = *ours.metadata_size;
    if (ours.listen_port) d["p"] = std::int64_t{ours.listen_port};
    if (ours.max_requests > 0) d["reqq"] = ours.max_requests;
    d["v"] = std::string(our_client_name());
    if (ours.their_address) {
        const auto& a = *ours.their_address;
        if (a.is_v4()) {
            const auto bytes = a.to_v4().to_bytes();
            d["yourip"] = std::string(bytes.begin(), bytes.end());
        } else {
            const auto bytes = a.to_v6().to_bytes();
            d["yourip"] = std::string(bytes.begin(), bytes.end());
        }
    }
    return bencode::encode(bencode::Node(std::move(d)));
}

Result<TheirExtensions> decode_extension_handshake(std::string_view payload) {
    auto dict = bencode::decode(payload, bencode::Limits{.max_depth = 8, .max_items = 1000});
    if (!dict || !dict->is_dict()) return make_error("malformed extension handshake");
    TheirExtensions out;
    if (const auto* m = dict->find_dict("m")) {
        out.ut_metadata = message_id(*m, "ut_metadata");
        out.ut_pex = message_id(*m, "ut_pex");
        out.ut_holepunch = message_id(*m, "ut_holepunch");
    }
    if (const auto* size = dict->find_int("metadata_size"); size && size->as_int() > 0) {
        out.metadata_size = size->as_int();
    }
    if (const auto* p = dict->find_int("p"); p && p->as_int() > 0 && p->as_int() <= 65535) {
        out.listen_port = static_cast<std::uint16_t>(p->as_int());
    }
    if (const auto* reqq = dict->find_int("reqq"); reqq && reqq->as_int() > 0) out.max_requests = reqq->as_int();
    if (const auto* ip = dict->find_string("yourip")) out.our_address = address_from_bytes(ip->as_string());
    if (const auto* v = dict->find_string("v")) {
        std::string name(v->as_string().substr(0, 64));
        for (char& c : name) {
            if (static_cast<unsigned char>(c) < 0x20) c = '?';
        }
        out.client = std::move(name);
    }
    return out;
}

}  // namespace shoal::wire
