#include "creation/create_torrent.hpp"

#include <chrono>
#include <deque>

#include "bencode/node.hpp"
#include "creation/scan_files.hpp"
#include "crypto/merkle.hpp"
#include "metainfo/file_lists.hpp"
#include "metainfo/path_rules.hpp"
#include "storage/parallel_pieces.hpp"
#include "storage/piece_hasher.hpp"

namespace fs = std::filesystem;

namespace shoal {
namespace {

using bencode::Node;

constexpr std::int64_t k_min_piece = 16 * 1024;
constexpr std::int64_t k_max_auto_piece = 16 * 1024 * 1024;
constexpr std::int64_t k_max_piece = 256 * 1024 * 1024;

fs::path normalized(const fs::path& source) {
    fs::path p = fs::absolute(source).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();
    return p;
}

// The byte layout of the new torrent. Hybrid torrents pad between files so each v2 file
// starts on a piece boundary; v2-only torrents lay out the way a parser reads them back.
TorrentInfo lay_out_new(const std::string& name, const std::vector<ScannedFile>& scanned,
                        bool multi_file, std::int64_t piece_length, TorrentFormat format) {
    TorrentInfo t;
    t.name = name;
    t.piece_length = piece_length;
    t.multi_file = multi_file;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < scanned.size(); ++i) {
        FileEntry f;
        f.path.push_back(name);
        f.path.insert(f.path.end(), scanned[i].path.begin(), scanned[i].path.end());
        f.size = scanned[i].size;
        f.executable = scanned[i].executable;
        f.offset = offset;
        offset += f.size;
        t.files.push_back(std::move(f));
        const std::int64_t tail = scanned[i].size % piece_length;
        const bool last = i + 1 == scanned.size();
        if (format != TorrentFormat::v1 && tail != 0 && (!last || format == TorrentFormat::v2)) {
            FileEntry pad;
            pad.size = piece_length - tail;
            pad.path = {name, ".pad", std::to_string(pad.size)};
            pad.pad = true;
            pad.offset = offset;
            offset += pad.size;
            t.files.push_back(std::move(pad));
        }
    }
    t.total_size = offset;
    t.num_pieces = (offset + piece_length - 1) / piece_length;
    return t;
}

Error read_error(const PieceReader& reader, const ReadResult& r) {
    const std::string path = reader.file_path(r.file).string();
    switch (r.status) {
        case ReadStatus::missing:
            return make_error(ErrorCode::not_found, "'" + path + "' disappeared while hashing");
        case ReadStatus::short_file:
            return make_error(ErrorCode::io, "'" + path + "' shrank while hashing");
        default:
            return make_error(ErrorCode::io, "cannot read '" + path + "'");
    }
}

Node v1_file_list(const TorrentInfo& t) {
    Node::List files;
    for (const FileEntry& f : t.files) {
        Node::Dict entry;
        entry["length"] = f.size;
        Node::List path;
        for (std::size_t i = 1; i < f.path.size(); ++i) path.emplace_back(f.path[i]);
        entry["path"] = std::move(path);
        if (f.pad) {
            entry["attr"] = "p";
        } else if (f.executable) {
            entry["attr"] = "x";
        }
        files.emplace_back(std::move(entry));
    }
    return files;
}

Node v2_file_tree(const TorrentInfo& t) {
    Node tree = Node::Dict{};
    for (const FileEntry& f : t.files) {
        if (f.pad) continue;
        Node* dir = &tree;
        // A multi-file tree starts below the torrent's name; a single file is named by it.
        for (std::size_t i = t.multi_file ? 1 : 0; i < f.path.size(); ++i) {
            dir = &std::get<Node::Dict>(dir->v)[f.path[i]];
        }
        Node::Dict leaf;
        leaf["length"] = f.size;
        if (f.pieces_root) leaf["pieces root"] = std::string(f.pieces_root->view());
        if (f.executable) leaf["attr"] = "x";
        std::get<Node::Dict>(dir->v)[""] = std::move(leaf);
    }
    return tree;
}

Node piece_layers(const TorrentInfo& t) {
    Node::Dict layers;
    for (const FileEntry& f : t.files) {
        if (f.piece_layer.empty()) continue;
        std::string bytes;
        for (const auto& h : f.piece_layer) bytes += h.view();
        layers[std::string(f.pieces_root->view())] = std::move(bytes);
    }
    return layers;
}

std::string build_torrent(const TorrentInfo& t, const std::vector<Sha1Hash>& v1_hashes, TorrentFormat format,
                          const CreateOptions& o) {
    Node::Dict info;
    info["name"] = t.name;
    info["piece length"] = t.piece_length;
    if (format != TorrentFormat::v2) {
        std::string pieces;
        pieces.reserve(v1_hashes.size() * 20);
        for (const auto& h : v1_hashes) pieces += h.view();
        info["pieces"] = std::move(pieces);
        if (t.multi_file) {
            info["files"] = v1_file_list(t);
        } else {
            info["length"] = t.files[0].size;
        }
    }
    if (format != TorrentFormat::v1) {
        info["meta version"] = 2;
        info["file tree"] = v2_file_tree(t);
    }
    if (o.is_private) info["private"] = 1;
    if (!o.source.empty()) info["source"] = o.source;

    Node::Dict root;
    root["info"] = std::move(info);
    if (format != TorrentFormat::v1) {
        Node layers = piece_layers(t);
        if (!std::get<Node::Dict>(layers.v).empty()) root["piece layers"] = std::move(layers);
    }
    if (!o.trackers.empty() && !o.trackers[0].empty()) {
        root["announce"] = o.trackers[0][0];
        if (o.trackers.size() > 1 || o.trackers[0].size() > 1) {
            Node::List tiers;
            for (const auto& tier : o.trackers) {
                Node::List urls(tier.begin(), tier.end());
                tiers.emplace_back(std::move(urls));
            }
            root["announce-list"] = std::move(tiers);
        }
    }
    if (o.web_seeds.size() == 1) {
        root["url-list"] = o.web_seeds[0];
    } else if (!o.web_seeds.empty()) {
        root["url-list"] = Node::List(o.web_seeds.begin(), o.web_seeds.end());
    }
    if (!o.comment.empty()) root["comment"] = o.comment;
    if (!o.created_by.empty()) root["created by"] = o.created_by;
    if (o.include_date) {
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        root["creation date"] = o.creation_date.value_or(now);
    }
    return bencode::encode(Node(std::move(root)));
}

}  // namespace

std::int64_t automatic_piece_length(std::int64_t total_size) {
    std::int64_t length = k_min_piece;
    while (length < k_max_auto_piece && total_size / length > 2000) length *= 2;
    return length;
}

Result<CreatedTorrent> create_torrent(const fs::path& source_arg, const CreateOptions& o) {
    const fs::path source = normalized(source_arg);
    const std::string name = source.filename().string();
    if (auto why = unsafe_component(name)) {
        return make_error(ErrorCode::invalid_input,
                          "cannot name a torrent after '" + source.string() + "': " + *why);
    }
    auto scanned = scan_files(source, o.include_hidden);
    if (!scanned) return scanned.error();

    std::int64_t data_size = 0;
    for (const auto& f : *scanned) data_size += f.size;
    if (data_size == 0)
        return make_error(ErrorCode::invalid_input,
                          "'" + source.string() + "' holds only empty files");

    const std::int64_t piece_length = o.piece_length ? o.piece_length
                                                     : automatic_piece_length(data_size);
    if (piece_length < k_min_piece || piece_length > k_max_piece ||
        (piece_length & (piece_length - 1)) != 0) {
        return make_error(ErrorCode::invalid_input,
                          "piece size must be a power of two from 16 KiB to 256 MiB (got " +
                              std::to_string(piece_length) + ")");
    }
    // The folder the torrent's paths start from (the one a client's -d names).
    fs::path save_dir = source.parent_path();
    std::string torrent_name = name;
    if (o.format == TorrentFormat::v2 && scanned->size() == 1 && scanned->front().path.size() == 1) {
        // A v2 file tree with one file at its top is a single-file torrent to every reader
        // (the name is advisory), so a folder holding one file becomes that file's torrent.
        torrent_name = scanned->front().path[0];
        scanned->front().path.clear();
        save_dir = source;
    }
    const bool multi_file = !scanned->front().path.empty();
    TorrentInfo t = lay_out_new(torrent_name, *scanned, multi_file, piece_length, o.format);
    // The names were checked safe, so only a clash can make a reader store a file under another
    // name: "a.txt" beside "A.txt" is one file where case is ignored.
    auto as_read = t.files;
    detail::make_paths_unique(as_read);
    for (std::size_t i = 0; i < t.files.size(); ++i) {
        if (as_read[i].path != t.files[i].path) {
            return make_error(ErrorCode::invalid_input,
                              "cannot put '" + t.files[i].joined_path() +
                                  "' in a torrent: its name clashes with another's when case is "
                                  "ignored, and readers would rename it");
        }
    }

    const bool v1 = o.format != TorrentFormat::v2;
    const bool v2 = o.format != TorrentFormat::v1;
    const PieceReader reader(save_dir, t);
    const unsigned threads = o.threads ? o.threads : default_thread_count();
    std::atomic<std::int64_t> bytes_done{0};
    std::deque<PieceHasher> hashers;
    for (unsigned i = 0; i < threads; ++i) hashers.emplace_back(t, v1, v2);

    std::vector<Sha1Hash> v1_hashes(v1 ? static_cast<std::size_t>(t.num_pieces) : 0);
    std::vector<Sha256Hash> v2_roots(v2 ? static_cast<std::size_t>(t.num_pieces) : 0);
    std::vector<ReadResult> failures(threads);
    for_each_piece(
        t.num_pieces, threads,
        [&](std::int64_t piece, unsigned worker) {
            const PieceHashes h = hashers[worker].hash(piece, reader, &bytes_done);
            const auto index = static_cast<std::size_t>(piece);
            if (h.read.status != ReadStatus::ok) {
                failures[worker] = h.read;
                return;
            }
            if (h.v1) v1_hashes[index] = *h.v1;
            if (h.v2) v2_roots[index] = *h.v2;
        },
        [&] {
            if (o.progress) o.progress(bytes_done.load(), t.total_size);
        },
        o.cancel);
    if (o.cancel && o.cancel->load())
        return make_error(ErrorCode::cancelled, "torrent creation was cancelled");
    for (const auto& f : failures) {
        if (f.status != ReadStatus::ok)
            return read_error(reader, f);
    }

    if (v2) {
        const Sha256Hash pad = merkle_pad(log2_exact(piece_length / k_merkle_block_size));
        for (FileEntry& f : t.files) {
            if (f.pad || f.size == 0) continue;
            const auto first = static_cast<std::size_t>(f.offset / piece_length);
            if (f.size <= piece_length) {
                f.pieces_root = v2_roots[first];
                continue;
            }
            const auto count = static_cast<std::size_t>((f.size + piece_length - 1) / piece_length);
            f.piece_layer.assign(v2_roots.begin() + static_cast<std::ptrdiff_t>(first),
                                 v2_roots.begin() + static_cast<std::ptrdiff_t>(first + count));
            f.pieces_root = merkle_root(f.piece_layer, pad);
        }
    }

    CreatedTorrent out;
    out.bytes = build_torrent(t, v1_hashes, o.format, o);
    auto parsed = parse_torrent(out.bytes);
    if (!parsed) return make_error("internal error: the new torrent does not parse: " +
                                   parsed.error().message);
    out.info = std::move(*parsed);
    out.save_dir = save_dir;
    return out;
}

}  // namespace shoal
