#include "session/torrent_disk_jobs.hpp"

#include <algorithm>

#include "storage/verify.hpp"
#include "swarm/bitfield.hpp"

namespace shoal::disk_jobs {

DataCheck check_data(TorrentId id, const TorrentInfo& info, const std::filesystem::path& save_dir,
                     const ResumeStore* resume) {
    DataCheck out;
    out.good.assign(static_cast<std::size_t>(info.num_pieces), 0);
    if (resume) {
        std::string why;
        const auto have = resume->trusted_pieces(info, save_dir, why, &out.totals);
        const auto bits = have ? Bitfield::from_bytes(*have, out.good.size()) : std::nullopt;
        if (have && !bits) why = "resume data: spare bits set";
        out.resumed = event::ResumeDataChecked{id, bits.has_value(), why};
        if (bits) {
            for (std::size_t i = 0; i < out.good.size(); ++i) out.good[i] = bits->test(i);
        }
    }
    if (out.resumed && out.resumed->trusted) return out;
    bool any_file = false;
    for (std::size_t i = 0; i < info.files.size() && !any_file; ++i) {
        std::error_code ec;
        any_file = !info.files[i].pad &&
                   std::filesystem::exists(save_dir / std::filesystem::path(info.files[i].joined_path()), ec);
    }
    if (any_file) {
        const VerifyReport report = verify_torrent(info, save_dir);
        std::fill(out.good.begin(), out.good.end(), 1);
        for (auto piece : report.bad_pieces) out.good[static_cast<std::size_t>(piece)] = 0;
    }
    return out;
}

std::vector<std::string> read_blocks(const TorrentInfo& info, TorrentStorage& storage,
                                     const std::vector<wire::BlockRequest>& blocks) {
    std::vector<std::string> out(blocks.size());
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const wire::BlockRequest& b = blocks[i];
        std::string message;
        wire::encode_piece_header(message, b.piece, b.begin, b.length);
        const std::size_t header = message.size();
        message.resize(header + b.length);
        const auto r = storage.read(static_cast<std::int64_t>(b.piece) * info.piece_length + b.begin,
                                    std::span<char>(message.data() + header, b.length));
        if (r.status == ReadStatus::ok) out[i] = std::move(message);
    }
    return out;
}

}  // namespace shoal::disk_jobs
