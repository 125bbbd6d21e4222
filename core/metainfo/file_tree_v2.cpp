#include "crypto/merkle.hpp"
#include "metainfo/file_lists.hpp"
#include "metainfo/path_rules.hpp"

namespace shoal::detail {
namespace {

class TreeWalker {
public:
    TreeWalker(const TorrentLimits& limits, std::vector<FileEntry>& out)
        : limits_(limits), out_(out) {}

    // `base` components of `path` come before the tree (the torrent's name, or none); `depth`
    // counts the folders walked, including those whose names sanitize to nothing.
    Result<bool> walk(const bencode::Value& dir, std::vector<std::string>& path, std::size_t base,
                      std::size_t depth = 0) {
        if (!dir.is_dict()) return make_error("the 'file tree' holds a non-dictionary");
        if (depth > limits_.max_path_depth) return make_error("the 'file tree' is too deep");
        const auto& entries = dir.as_dict();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& [key, node] = entries[i];
            if (key.empty()) return make_error("the 'file tree' holds an empty file name");
            // The tree's order is the order of the files and so of their pieces: a reader
            // that sorts the names would lay the torrent out differently from one that does not.
            if (i > 0 && key < entries[i - 1].first) {
                return make_error("the 'file tree' lists names out of order, so the order of "
                                  "its files and pieces is ambiguous");
            }
            if (!node.is_dict()) return make_error("the 'file tree' holds a non-dictionary");
            const std::size_t parent_size = path.size();
            append_component(path, key);
            Result<bool> r = true;
            if (is_file(node)) {
                if (path.size() == base) path.emplace_back(k_placeholder_name);
                r = add_file(*node.find(""), path);
            } else {
                r = walk(node, path, base, depth + 1);
            }
            path.resize(parent_size);
            if (!r) return r;
        }
        return true;
    }

    static bool is_file(const bencode::Value& node) {
        return node.as_dict().size() == 1 && node.as_dict()[0].first.empty();
    }

private:
    Result<bool> add_file(const bencode::Value& entry, const std::vector<std::string>& path) {
        if (!entry.is_dict()) return make_error("a 'file tree' entry is not a dictionary");
        if (out_.size() >= limits_.max_files) return make_error("torrent lists too many files");
        FileEntry f;
        f.path = path;
        if (const auto* attr = entry.find_string("attr")) {
            const std::string_view a = attr->as_string();
            if (a.find('p') != std::string_view::npos) {
                return make_error("a file in the v2 'file tree' has the pad attribute set");
            }
            f.executable = a.find('x') != std::string_view::npos;
            f.hidden = a.find('h') != std::string_view::npos;
            f.symlink = a.find('l') != std::string_view::npos;
        }
        if (f.symlink) {
            const auto* target = entry.find("symlink path");
            if (!target) return make_error("a symlink in the torrent has no 'symlink path'");
            auto t = parse_path_list(*target, "a 'symlink path'", limits_);
            if (!t) return t.error();
            f.symlink_target = std::move(*t);
            out_.push_back(std::move(f));
            return true;
        }
        const auto* length = entry.find_int("length");
        if (!length || length->as_int() < 0) return make_error("invalid file length in torrent");
        f.size = length->as_int();
        if (f.size > 0) {
            const auto* root = entry.find_string("pieces root");
            auto digest = root ? Sha256Hash::from_bytes(root->as_string()) : std::nullopt;
            if (!digest || digest->is_zero()) {
                return make_error("a v2 file entry has no valid 'pieces root'");
            }
            f.pieces_root = *digest;
        }
        out_.push_back(std::move(f));
        return true;
    }

    const TorrentLimits& limits_;
    std::vector<FileEntry>& out_;
};

}  // namespace

Result<ParsedFiles> parse_v2_file_tree(const bencode::Value& tree, const std::string& name,
                                       const TorrentLimits& limits) {
    ParsedFiles out;
    if (!tree.is_dict() || tree.as_dict().empty()) return make_error("the 'file tree' is empty");
    const auto& top = tree.as_dict();
    out.multi_file = !(top.size() == 1 && top[0].second.is_dict() &&
                       TreeWalker::is_file(top[0].second));
    std::vector<std::string> path;
    if (out.multi_file) path.push_back(name);
    auto r = TreeWalker(limits, out.files).walk(tree, path, path.size());
    if (!r) return r.error();
    if (out.files.empty()) return make_error("the 'file tree' lists no files");
    return out;
}

Result<bool> merge_hybrid(std::vector<FileEntry>& v1, const std::vector<FileEntry>& v2,
                          std::int64_t piece_length) {
    // A folder holding one file: the v1 list puts it under the torrent's name, while a file
    // tree with one top-level file reads as a single file. Both describe the same data.
    auto same_path = [](const FileEntry& a, const FileEntry& b) {
        if (a.path == b.path) return true;
        return a.path.size() == 2 && b.path.size() == 1 && a.path[1] == b.path[0];
    };
    std::size_t j = 0;
    for (auto& f : v1) {
        if (f.pad) continue;
        if (j >= v2.size() || !same_path(f, v2[j]) || f.size != v2[j].size ||
            f.symlink != v2[j].symlink) {
            return make_error("the v1 and v2 file lists of this hybrid torrent do not match");
        }
        if (f.size > 0 && f.offset % piece_length != 0) {
            return make_error("a file of this hybrid torrent does not start on a piece boundary");
        }
        f.pieces_root = v2[j].pieces_root;
        ++j;
    }
    if (j != v2.size()) {
        return make_error("the v1 and v2 file lists of this hybrid torrent do not match");
    }
    return true;
}

Result<bool> attach_piece_layers(std::vector<FileEntry>& files, const bencode::Value* layers,
                                 std::int64_t piece_length) {
    if (layers && !layers->is_dict()) return make_error("'piece layers' is not a dictionary");
    const Sha256Hash pad = merkle_pad(log2_exact(piece_length / k_merkle_block_size));
    if (layers) {
        // Keys are pieces roots; anything else means the dictionary was built wrongly.
        for (const auto& entry : layers->as_dict()) {
            if (entry.first.size() != Sha256Hash::size) {
                return make_error("a 'piece layers' key is not a 32-byte pieces root");
            }
        }
    }
    for (auto& f : files) {
        if (!f.pieces_root || f.size <= piece_length || !layers) continue;
        const auto* layer = layers->find(f.pieces_root->view());
        // A missing layer can be fetched from peers later (BEP 52 hash requests).
        if (!layer) continue;
        if (!layer->is_string()) return make_error("a piece layer is not a string");
        const std::string_view bytes = layer->as_string();
        const std::int64_t pieces = f.size / piece_length + (f.size % piece_length != 0 ? 1 : 0);
        if (bytes.size() != static_cast<std::size_t>(pieces) * Sha256Hash::size) {
            return make_error("a piece layer has the wrong length for its file");
        }
        f.piece_layer.resize(static_cast<std::size_t>(pieces));
        for (std::size_t i = 0; i < f.piece_layer.size(); ++i) {
            f.piece_layer[i] = *Sha256Hash::from_bytes(bytes.substr(i * Sha256Hash::size, 32));
        }
        if (merkle_root(f.piece_layer, pad) != *f.pieces_root) {
            return make_error("a piece layer does not match its file's 'pieces root'");
        }
    }
    return true;
}

}  // namespace shoal::detail
