#include "session/resume_store.hpp"

#include <fstream>
#include <sstream>

#include "crypto/hasher.hpp"
#include "storage/durable_file.hpp"
#include "util/encoding.hpp"

namespace shoal {

namespace {

// Larger than any resume file of a torrent the parser accepts (two integers per file).
constexpr std::uintmax_t k_max_resume_bytes = 64 * 1024 * 1024;

std::string absolute_text(const std::filesystem::path& p) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(p, ec);
    return (ec ? p : abs).lexically_normal().string();
}

}  // namespace

ResumeStore::ResumeStore(std::filesystem::path state_dir) : dir_(std::move(state_dir)) {}

std::filesystem::path ResumeStore::file_for(const TorrentInfo& torrent,
                                            const std::filesystem::path& save_dir) const {
    // The same torrent may be kept in several folders (a seed and a leech on one machine).
    const Sha1Hash folder = sha1(absolute_text(save_dir));
    const auto& id = torrent.info_hash_v1 ? std::span<const std::uint8_t>(torrent.info_hash_v1->bytes)
                                          : std::span<const std::uint8_t>(torrent.info_hash_v2->bytes);
    return dir_ / "resume" /
           (to_hex(id) + "-" + to_hex(std::span(folder.bytes).first(4)) + ".resume");
}

Result<ResumeData> ResumeStore::read(const TorrentInfo& torrent, const std::filesystem::path& save_dir) const {
    if (!enabled()) return make_error("no state folder");
    const auto path = file_for(torrent, save_dir);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return make_error("no resume data");
    if (size > k_max_resume_bytes) return make_error("resume data too large");
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    auto data = decode_resume_data(torrent, bytes.str());
    if (!data) return data.error();
    if (data->save_dir != absolute_text(save_dir)) return make_error("resume data is for another folder");
    return data;
}

std::optional<std::string> ResumeStore::trusted_pieces(const TorrentInfo& torrent,
                                                       const std::filesystem::path& save_dir, std::string& why,
                                                       std::pair<std::int64_t, std::int64_t>* totals) const {
    auto data = read(torrent, save_dir);
    if (totals) *totals = data ? std::pair{data->uploaded, data->downloaded} : std::pair<std::int64_t, std::int64_t>{};
    if (!data) {
        why = data.error().message;
        return std::nullopt;
    }
    if (data->files != stamp_files(torrent, save_dir)) {
        why = "files changed since the resume data was saved";
        return std::nullopt;
    }
    return std::move(data->have);
}

Result<bool> ResumeStore::save(const TorrentInfo& torrent, const std::filesystem::path& save_dir,
                               std::string have, std::int64_t uploaded, std::int64_t downloaded,
                               const std::function<Result<bool>()>& flush_data) const {
    if (!enabled()) return true;
    if (auto flushed = flush_data(); !flushed) return flushed;
    ResumeData data{absolute_text(save_dir), std::move(have), stamp_files(torrent, save_dir), uploaded, downloaded};
    const auto path = file_for(torrent, save_dir);
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return make_error("cannot create " + path.parent_path().string() + ": " + ec.message());
    // A crash leaves the old file or the new one.
    return replace_file_durably(path, encode_resume_data(torrent, data));
}

void ResumeStore::remove(const TorrentInfo& torrent, const std::filesystem::path& save_dir) const {
    if (!enabled()) return;
    std::error_code ec;
    std::filesystem::remove(file_for(torrent, save_dir), ec);
}

}  // namespace shoal
