#include "metainfo/file_lists.hpp"
#include "metainfo/path_rules.hpp"

namespace shoal::detail {
namespace {

constexpr std::string_view k_bitcomet_pad = "_____padding_file_";

void apply_attributes(FileEntry& f, std::string_view attr) {
    f.pad = attr.find('p') != std::string_view::npos;
    f.executable = attr.find('x') != std::string_view::npos;
    f.hidden = attr.find('h') != std::string_view::npos;
    f.symlink = attr.find('l') != std::string_view::npos;
}

std::vector<std::string> pad_path(const std::string& name, std::int64_t size) {
    return {name, ".pad", std::to_string(size)};
}

}  // namespace

void append_component(std::vector<std::string>& path, std::string_view raw) {
    std::string safe = sanitize_component(raw);
    if (!safe.empty()) path.push_back(std::move(safe));
}

Result<std::vector<std::string>> parse_path_list(const bencode::Value& list, std::string_view what,
                                                 const TorrentLimits& limits) {
    if (!list.is_list() || list.as_list().empty()) {
        return make_error(std::string(what) + " is missing or not a list of names");
    }
    if (list.as_list().size() > limits.max_path_depth) {
        return make_error(std::string(what) + " is nested too deeply");
    }
    std::vector<std::string> out;
    for (const auto& part : list.as_list()) {
        if (!part.is_string()) return make_error(std::string(what) + " holds a non-string");
        append_component(out, part.as_string());
    }
    if (out.empty()) out.emplace_back(k_placeholder_name);
    return out;
}

Result<ParsedFiles> parse_v1_files(const bencode::Value& info, const std::string& name,
                                   const TorrentLimits& limits) {
    ParsedFiles out;
    if (const auto* length = info.find("length")) {
        if (!length->is_int() || length->as_int() < 0) {
            return make_error("invalid file length in torrent");
        }
        FileEntry f;
        f.path = {name};
        f.size = length->as_int();
        if (const auto* attr = info.find_string("attr")) apply_attributes(f, attr->as_string());
        f.pad = false;
        out.files.push_back(std::move(f));
        return out;
    }
    const auto* files = info.find_list("files");
    if (!files) return make_error("torrent has neither 'length' nor 'files'");
    if (files->as_list().empty()) return make_error("torrent lists no files");
    if (files->as_list().size() > limits.max_files) return make_error("torrent lists too many files");
    out.multi_file = true;
    for (const auto& entry : files->as_list()) {
        if (!entry.is_dict()) return make_error("a 'files' entry is not a dictionary");
        FileEntry f;
        if (const auto* attr = entry.find_string("attr")) apply_attributes(f, attr->as_string());
        const auto* length = entry.find_int("length");
        // A symlink carries no data, so creators may leave its length out.
        if (length ? length->as_int() < 0 : !f.symlink) {
            return make_error("invalid file length in torrent");
        }
        f.size = length ? length->as_int() : 0;
        if (!f.pad) {
            const auto* path = entry.find("path");
            if (!path) return make_error("a file in the torrent has no 'path'");
            auto parts = parse_path_list(*path, "a file's 'path'", limits);
            if (!parts) return parts.error();
            // BitComet names its pad files instead of flagging them.
            f.pad = parts->back().starts_with(k_bitcomet_pad);
            f.path.reserve(parts->size() + 1);
            f.path.push_back(name);
            for (auto& p : *parts) f.path.push_back(std::move(p));
        }
        if (f.pad) {
            // Pad files are never created on disk, so their names do not matter.
            f.path = pad_path(name, f.size);
            out.files.push_back(std::move(f));
            continue;
        }
        if (f.symlink) {
            const auto* target = entry.find("symlink path");
            if (!target) return make_error("a symlink in the torrent has no 'symlink path'");
            auto t = parse_path_list(*target, "a 'symlink path'", limits);
            if (!t) return t.error();
            f.symlink_target = std::move(*t);
            f.size = 0;
        }
        out.files.push_back(std::move(f));
    }
    return out;
}

Result<std::int64_t> lay_out(std::vector<FileEntry>& files, std::int64_t piece_length, bool align,
                             const std::string& name, const TorrentLimits& limits) {
    std::vector<FileEntry> laid;
    laid.reserve(files.size());
    std::int64_t offset = 0;
    for (auto& f : files) {
        if (f.size > limits.max_total_size - offset) {
            return make_error("the torrent's total size is too large");
        }
        f.offset = offset;
        offset += f.size;
        const std::int64_t tail = f.size % piece_length;
        const bool needs_pad = align && !f.pad && tail != 0;
        laid.push_back(std::move(f));
        if (needs_pad) {
            FileEntry pad;
            pad.size = piece_length - tail;
            pad.path = pad_path(name, pad.size);
            pad.pad = true;
            pad.offset = offset;
            offset += pad.size;
            laid.push_back(std::move(pad));
        }
    }
    files = std::move(laid);
    return offset;
}

}  // namespace shoal::detail
