#include "storage/resume_data.hpp"

#include <sys/stat.h>

#include "bencode/decode.hpp"
#include "bencode/node.hpp"

namespace shoal {

namespace {

constexpr std::int64_t k_format_version = 1;

// Both info-hashes the torrent has, so data of a torrent with the same v1 hash but another
// v2 tree (or the other way round) is never taken for this one.
std::string identity(const TorrentInfo& torrent) {
    std::string out;
    if (torrent.info_hash_v1) out.append(torrent.info_hash_v1->bytes.begin(), torrent.info_hash_v1->bytes.end());
    if (torrent.info_hash_v2) out.append(torrent.info_hash_v2->bytes.begin(), torrent.info_hash_v2->bytes.end());
    return out;
}

}  // namespace

std::vector<FileStamp> stamp_files(const TorrentInfo& torrent, const std::filesystem::path& save_dir) {
    std::vector<FileStamp> out(torrent.files.size());
    for (std::size_t i = 0; i < torrent.files.size(); ++i) {
        if (torrent.files[i].pad) continue;
        const std::filesystem::path path = save_dir / torrent.files[i].joined_path();
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        out[i].size = st.st_size;
        out[i].mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    }
    return out;
}

std::string encode_resume_data(const TorrentInfo& torrent, const ResumeData& data) {
    bencode::Node::List files;
    for (const FileStamp& f : data.files) {
        files.emplace_back(bencode::Node::List{bencode::Node(f.size), bencode::Node(f.mtime_ns)});
    }
    bencode::Node::Dict d;
    d["downloaded"] = data.downloaded;
    d["files"] = std::move(files);
    d["have"] = data.have;
    d["info-hashes"] = identity(torrent);
    d["save-dir"] = data.save_dir;
    d["uploaded"] = data.uploaded;
    d["version"] = k_format_version;
    return bencode::encode(bencode::Node(std::move(d)));
}

Result<ResumeData> decode_resume_data(const TorrentInfo& torrent, std::string_view bytes) {
    bencode::Limits limits;
    limits.max_items = 16 + 3 * torrent.files.size();
    auto root = bencode::decode(bytes, limits);
    if (!root) return make_error(ErrorCode::invalid_input, "resume data: " + root.error().message);
    const auto* version = root->find_int("version");
    if (!version || version->as_int() != k_format_version) return make_error(ErrorCode::invalid_input, "resume data: unknown version");
    const auto* hashes = root->find_string("info-hashes");
    if (!hashes || hashes->as_string() != identity(torrent)) {
        return make_error(ErrorCode::invalid_input, "resume data: written for another torrent");
    }
    const auto* save_dir = root->find_string("save-dir");
    const auto* have = root->find_string("have");
    const auto* files = root->find_list("files");
    if (!save_dir || !have || !files) return make_error(ErrorCode::invalid_input, "resume data: a field is missing");
    const auto pieces = static_cast<std::size_t>(torrent.num_pieces);
    if (have->as_string().size() != (pieces + 7) / 8) return make_error(ErrorCode::invalid_input, "resume data: wrong piece count");
    if (files->as_list().size() != torrent.files.size()) return make_error(ErrorCode::invalid_input, "resume data: wrong file count");

    ResumeData out;
    for (auto [key, field] : {std::pair{"uploaded", &out.uploaded}, std::pair{"downloaded", &out.downloaded}}) {
        if (const auto* v = root->find_int(key); v && v->as_int() >= 0) *field = v->as_int();
    }
    out.save_dir = std::string(save_dir->as_string());
    out.have = std::string(have->as_string());
    for (const auto& entry : files->as_list()) {
        if (!entry.is_list() || entry.as_list().size() != 2 || !entry.as_list()[0].is_int() ||
            !entry.as_list()[1].is_int()) {
            return make_error(ErrorCode::invalid_input, "resume data: a file entry is malformed");
        }
        out.files.push_back({entry.as_list()[0].as_int(), entry.as_list()[1].as_int()});
    }
    return out;
}

}  // namespace shoal
