#include "wire/ut_metadata.hpp"

#include <limits>

#include "bencode/decode.hpp"
#include "bencode/node.hpp"

namespace shoal::wire {
namespace {

// The dictionary holds three integers; anything deep or large is not a ut_metadata message.
constexpr bencode::Limits k_dict_limits{.max_depth = 4, .max_items = 64};

std::string encode_header(MetadataType type, std::uint32_t piece,
                          std::optional<std::int64_t> total_size) {
    bencode::Node::Dict d;
    d["msg_type"] = static_cast<std::int64_t>(type);
    d["piece"] = static_cast<std::int64_t>(piece);
    if (total_size)
        d["total_size"] = *total_size;
    return bencode::encode(bencode::Node(std::move(d)));
}

}  // namespace

std::uint32_t metadata_piece_count(std::int64_t total_size) {
    if (total_size <= 0)
        return 0;
    return static_cast<std::uint32_t>((total_size + k_metadata_piece_size - 1) /
                                      k_metadata_piece_size);
}

std::int64_t metadata_piece_size(std::int64_t total_size, std::uint32_t piece) {
    if (piece >= metadata_piece_count(total_size))
        return 0;
    const std::int64_t begin = std::int64_t{piece} * k_metadata_piece_size;
    return std::min(k_metadata_piece_size, total_size - begin);
}

Result<std::int64_t> check_metadata_size(std::int64_t size, const MetadataLimits& limits) {
    if (size <= 0)
        return make_error("metadata size must be positive");
    if (size > limits.max_total_size) {
        return make_error("metadata size " + std::to_string(size) + " exceeds the limit of " +
                          std::to_string(limits.max_total_size) + " bytes");
    }
    return size;
}

Result<MetadataMessage> decode_metadata_message(std::string_view payload,
                                                std::optional<std::int64_t> known_size,
                                                const MetadataLimits& limits) {
    auto dict = bencode::decode_prefix(payload, k_dict_limits);
    if (!dict)
        return make_error("ut_metadata: " + dict.error().message);
    if (!dict->is_dict())
        return make_error("ut_metadata: message is not a dictionary");
    const std::string_view trailing = payload.substr(dict->raw().size());

    const auto* type = dict->find_int("msg_type");
    if (!type)
        return make_error("ut_metadata: missing integer msg_type");
    MetadataMessage m;
    switch (type->as_int()) {
        case 0:
            m.type = MetadataType::request;
            break;
        case 1:
            m.type = MetadataType::data;
            break;
        case 2:
            m.type = MetadataType::reject;
            break;
        default:
            m.type = MetadataType::unknown;
            return m;
    }

    const auto* piece = dict->find_int("piece");
    if (!piece)
        return make_error("ut_metadata: missing integer piece");
    if (piece->as_int() < 0 || piece->as_int() > std::numeric_limits<std::uint32_t>::max()) {
        return make_error("ut_metadata: piece index out of range");
    }
    m.piece = static_cast<std::uint32_t>(piece->as_int());

    std::optional<std::int64_t> size = known_size;
    if (m.type == MetadataType::data) {
        const auto* total = dict->find_int("total_size");
        if (!total)
            return make_error("ut_metadata: data without integer total_size");
        auto checked = check_metadata_size(total->as_int(), limits);
        if (!checked)
            return make_error("ut_metadata: " + checked.error().message);
        if (known_size && *known_size != *checked) {
            return make_error("ut_metadata: total_size " + std::to_string(*checked) +
                              " differs from the announced " + std::to_string(*known_size));
        }
        m.total_size = *checked;
        size = *checked;
    } else if (!trailing.empty()) {
        return make_error("ut_metadata: unexpected bytes after a request or reject");
    }

    if (size && m.piece >= metadata_piece_count(*size)) {
        return make_error("ut_metadata: piece " + std::to_string(m.piece) +
                          " does not exist in metadata of " + std::to_string(*size) + " bytes");
    }
    if (m.type == MetadataType::data) {
        const auto expected = metadata_piece_size(m.total_size, m.piece);
        if (static_cast<std::int64_t>(trailing.size()) != expected) {
            return make_error("ut_metadata: piece " + std::to_string(m.piece) + " carries " +
                              std::to_string(trailing.size()) + " bytes, expected " +
                              std::to_string(expected));
        }
        m.data = trailing;
    }
    return m;
}

std::string encode_metadata_request(std::uint32_t piece) {
    return encode_header(MetadataType::request, piece, std::nullopt);
}

std::string encode_metadata_reject(std::uint32_t piece) {
    return encode_header(MetadataType::reject, piece, std::nullopt);
}

std::string encode_metadata_data(std::uint32_t piece, std::int64_t total_size,
                                 std::string_view piece_bytes) {
    std::string out = encode_header(MetadataType::data, piece, total_size);
    out.append(piece_bytes);
    return out;
}

std::string serve_metadata_request(std::string_view info_bytes, std::uint32_t piece) {
    const auto total = static_cast<std::int64_t>(info_bytes.size());
    if (piece >= metadata_piece_count(total))
        return encode_metadata_reject(piece);
    const auto begin = static_cast<std::size_t>(std::int64_t{piece} * k_metadata_piece_size);
    const auto length = static_cast<std::size_t>(metadata_piece_size(total, piece));
    return encode_metadata_data(piece, total, info_bytes.substr(begin, length));
}

}  // namespace shoal::wire
