#include <fstream>
#include <iterator>
#include <set>

#include "bencode/decode.hpp"
#include "crypto/hasher.hpp"
#include "crypto/merkle.hpp"
#include "metainfo/file_lists.hpp"
#include "metainfo/path_rules.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal {
namespace {

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(first, last - first + 1));
}

// Adds `raw` (trimmed) to `tier` unless it is empty or there already (a set: a file's list may
// be long).
void add_url(std::set<std::string>& seen, Tier& tier, std::string_view raw) {
    std::string url = trimmed(raw);
    if (url.empty() || !seen.insert(url).second) return;
    tier.push_back(std::move(url));
}

// A tracker as add_url takes it, while the torrent has fewer than k_max_trackers and no
// longer than k_max_tracker_url_bytes: the limits of an edit (control/tracker_tiers), so that
// a torrent's list and an edit of it agree. What is over them is left out, not refused: the
// torrent is good without those trackers.
void add_tracker_url(std::set<std::string>& seen, Tier& tier, std::string_view raw) {
    if (seen.size() >= k_max_trackers) return;
    std::string url = trimmed(raw);
    if (url.empty() || url.size() > k_max_tracker_url_bytes || !seen.insert(url).second) return;
    tier.push_back(std::move(url));
}

// BEP 12: `announce-list` wins over `announce` when it holds any URL.
std::vector<Tier> read_trackers(const bencode::Value& root) {
    std::vector<Tier> tiers;
    std::set<std::string> seen;
    if (const auto* list = root.find_list("announce-list")) {
        for (const auto& tier_value : list->as_list()) {
            if (!tier_value.is_list()) continue;
            Tier tier;
            for (const auto& url : tier_value.as_list()) {
                if (url.is_string()) add_tracker_url(seen, tier, url.as_string());
            }
            if (!tier.empty()) tiers.push_back(std::move(tier));
        }
    }
    if (tiers.empty()) {
        if (const auto* announce = root.find_string("announce")) {
            Tier tier;
            add_tracker_url(seen, tier, announce->as_string());
            if (!tier.empty()) tiers.push_back(std::move(tier));
        }
    }
    return tiers;
}

// BEP 19: `url-list` is one URL or a list of them.
std::vector<std::string> read_web_seeds(const bencode::Value& root) {
    Tier seeds;
    std::set<std::string> seen;
    if (const auto* one = root.find_string("url-list")) {
        add_url(seen, seeds, one->as_string());
    } else if (const auto* list = root.find_list("url-list")) {
        for (const auto& url : list->as_list()) {
            if (seeds.size() == k_max_web_seeds) break;
            if (url.is_string()) add_url(seen, seeds, url.as_string());
        }
    }
    return seeds;
}

std::string read_text(const bencode::Value& dict, std::string_view key) {
    const std::string utf8_key = std::string(key) + ".utf-8";
    if (const auto* v = dict.find_string(utf8_key)) return std::string(v->as_string());
    if (const auto* v = dict.find_string(key)) return std::string(v->as_string());
    return {};
}

Result<bool> read_info(const bencode::Value& info, const bencode::Value& root,
                       const TorrentLimits& limits, TorrentInfo& t) {
    const auto* name = info.find_string("name");
    if (!name) return make_error("the torrent has no 'name'");

    const auto* piece_length = info.find_int("piece length");
    if (!piece_length || piece_length->as_int() <= 0 ||
        piece_length->as_int() > limits.max_piece_length) {
        return make_error("invalid or missing 'piece length'");
    }
    t.piece_length = piece_length->as_int();

    const auto* meta_version = info.find_int("meta version");
    const auto* file_tree = info.find("file tree");
    const bool v2 = meta_version && meta_version->as_int() == 2 && file_tree;
    const auto* pieces = info.find("pieces");
    const bool v1 = pieces != nullptr || !v2;
    if (meta_version && meta_version->as_int() > 2) {
        return make_error("unsupported 'meta version' " + std::to_string(meta_version->as_int()));
    }
    if (v2) {
        const std::int64_t pl = t.piece_length;
        if (pl < k_merkle_block_size || (pl & (pl - 1)) != 0) {
            return make_error("'piece length' must be a power of two of at least 16 KiB in a v2 torrent");
        }
    }
    if (v1) t.info_hash_v1 = InfoHashV1::from_bytes(sha1(info.raw()).view());
    if (v2) t.info_hash_v2 = InfoHashV2::from_bytes(sha256(info.raw()).view());
    // A name that sanitizes to nothing (such as "..") gives way to the info-hash, as in
    // libtorrent.
    if (!name->as_string().empty()) t.name = sanitize_component(name->as_string());
    if (t.name.empty()) t.name = v1 ? t.info_hash_v1->hex() : t.info_hash_v2->hex();

    std::optional<detail::ParsedFiles> v2_files;
    if (v2) {
        auto parsed = detail::parse_v2_file_tree(*file_tree, t.name, limits);
        if (!parsed) return parsed.error();
        v2_files = std::move(*parsed);
    }
    if (v1) {
        auto parsed = detail::parse_v1_files(info, t.name, limits);
        if (!parsed) return parsed.error();
        t.files = std::move(parsed->files);
        t.multi_file = parsed->multi_file;
    } else {
        t.files = v2_files->files;
        t.multi_file = v2_files->multi_file;
    }

    auto total = detail::lay_out(t.files, t.piece_length, !v1, t.name, limits);
    if (!total) return total.error();
    t.total_size = *total;
    if (t.total_size == 0) return make_error("the torrent holds no data (total size is zero)");
    // Rounded up without adding first, which could overflow with a caller's larger limits.
    t.num_pieces = t.total_size / t.piece_length + (t.total_size % t.piece_length != 0 ? 1 : 0);
    if (t.num_pieces > limits.max_pieces) {
        return make_error("too many pieces in the torrent (" + std::to_string(t.num_pieces) + ")");
    }

    if (v1) {
        // `v1` is also true for a torrent with no v2 part and no 'pieces' at all.
        if (!pieces || !pieces->is_string()) return make_error("invalid or missing 'pieces'");
        const std::string_view hashes = pieces->as_string();
        if (static_cast<std::int64_t>(hashes.size()) != t.num_pieces * 20) {
            // In bytes: a length that is no multiple of 20 has no whole number of hashes.
            return make_error("'pieces' is " + std::to_string(hashes.size()) +
                              " bytes but the files need " + std::to_string(t.num_pieces) +
                              " SHA-1 hashes (" + std::to_string(t.num_pieces * 20) + " bytes)");
        }
        // Both are views of the same bytes: where the hashes stand within the info dictionary.
        t.v1_hashes_at = static_cast<std::size_t>(hashes.data() - info.raw().data());
    }
    if (v2) {
        if (v1) {
            auto merged = detail::merge_hybrid(t.files, v2_files->files, t.piece_length);
            if (!merged) return merged.error();
        }
        auto layers = detail::attach_piece_layers(t.files, root.find("piece layers"),
                                                  t.piece_length);
        if (!layers) return layers.error();
    }
    detail::make_paths_unique(t.files);

    if (const auto* priv = info.find_int("private")) t.is_private = priv->as_int() == 1;
    t.source = read_text(info, "source");
    t.info_bytes = std::string(info.raw());
    return true;
}

}  // namespace

std::string FileEntry::joined_path() const {
    std::string out;
    for (const auto& part : path) {
        if (!out.empty()) out += '/';
        out += part;
    }
    return out;
}

Sha1Hash TorrentInfo::piece_hash_v1(std::int64_t piece) const {
    return *Sha1Hash::from_bytes(
        std::string_view(info_bytes).substr(v1_hashes_at + static_cast<std::size_t>(piece) * 20, 20));
}

std::int64_t TorrentInfo::piece_size(std::int64_t piece) const {
    return std::min(piece_length, total_size - piece * piece_length);
}

Result<TorrentInfo> parse_torrent(std::string_view data, const TorrentLimits& limits) {
    if (data.size() > limits.max_file_bytes) return make_error("the torrent file is too large");
    // Files that passed through text tools often end in a newline; other clients accept
    // them, and whitespace cannot be part of the root dictionary, so it is dropped. Any other
    // trailing byte still fails: it would mean the file was cut or concatenated.
    const auto end = data.find_last_not_of(" \t\r\n");
    data = data.substr(0, end == std::string_view::npos ? 0 : end + 1);
    auto root = bencode::decode(data);
    if (!root) return root.error();
    if (!root->is_dict()) return make_error("the torrent file is not a bencoded dictionary");
    // The info-hash is taken over the info dictionary's bytes as they are, never re-encoded:
    // keys out of order (as some creators write them) still give the hash every client gets.
    const auto* info = root->find("info");
    if (!info) return make_error("the torrent has no 'info' dictionary");
    if (!info->is_dict()) return make_error("the torrent's 'info' is not a dictionary");

    TorrentInfo t;
    auto ok = read_info(*info, *root, limits, t);
    if (!ok) return ok.error();

    t.trackers = read_trackers(*root);
    t.web_seeds = read_web_seeds(*root);
    t.comment = read_text(*root, "comment");
    t.created_by = read_text(*root, "created by");
    if (const auto* date = root->find_int("creation date")) t.creation_date = date->as_int();
    return t;
}

Result<TorrentInfo> load_torrent(const std::string& path, const TorrentLimits& limits) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error("cannot open '" + path + "'");
    std::string data;
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) return make_error("cannot read '" + path + "'");
    if (static_cast<std::uint64_t>(size) > limits.max_file_bytes) {
        return make_error("'" + path + "' is too large to be a torrent file");
    }
    data.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    if (!in.read(data.data(), size)) return make_error("cannot read '" + path + "'");
    auto t = parse_torrent(data, limits);
    if (!t) return make_error("'" + path + "': " + t.error().message);
    return t;
}

}  // namespace shoal
