#include "cli/torrent_json.hpp"

#include <boost/json.hpp>

namespace shoal::cli {
namespace json = boost::json;

namespace {

template <class Hash>
json::value hash_or_null(const std::optional<Hash>& h) {
    return h ? json::value(h->hex()) : json::value(nullptr);
}

json::array strings(const std::vector<std::string>& list) {
    return json::array(list.begin(), list.end());
}

json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

}  // namespace

json::value torrent_to_json(const TorrentInfo& t) {
    json::object o;
    o["name"] = t.name;
    o["info_hash_v1"] = hash_or_null(t.info_hash_v1);
    o["info_hash_v2"] = hash_or_null(t.info_hash_v2);
    o["piece_length"] = t.piece_length;
    o["num_pieces"] = t.num_pieces;
    o["total_size"] = t.total_size;
    o["private"] = t.is_private;
    json::array files;
    for (const FileEntry& f : t.files) {
        json::object file;
        file["path"] = f.joined_path();
        file["size"] = f.size;
        file["pad"] = f.pad;
        if (f.executable) file["executable"] = true;
        if (f.symlink) {
            std::string target;
            for (const auto& part : f.symlink_target) target += (target.empty() ? "" : "/") + part;
            file["symlink"] = target;
        }
        if (f.pieces_root) file["pieces_root"] = f.pieces_root->hex();
        files.push_back(std::move(file));
    }
    o["files"] = std::move(files);
    json::array tiers;
    for (const auto& tier : t.trackers) tiers.push_back(strings(tier));
    o["trackers"] = std::move(tiers);
    o["web_seeds"] = strings(t.web_seeds);
    o["comment"] = text_or_null(t.comment);
    o["created_by"] = text_or_null(t.created_by);
    o["creation_date"] = t.creation_date ? json::value(*t.creation_date) : json::value(nullptr);
    o["source"] = text_or_null(t.source);
    o["magnet"] = to_uri(magnet_for(t));
    return o;
}

json::value magnet_to_json(const MagnetLink& m) {
    json::object o;
    o["name"] = text_or_null(m.display_name);
    o["info_hash_v1"] = hash_or_null(m.info_hash_v1);
    o["info_hash_v2"] = hash_or_null(m.info_hash_v2);
    json::array tiers;
    for (const auto& url : m.trackers) tiers.push_back(json::array{json::value(url)});
    o["trackers"] = std::move(tiers);
    o["web_seeds"] = strings(m.web_seeds);
    o["peers"] = strings(m.peers);
    json::array select;
    for (const auto& r : m.select_only) select.push_back(json::array{r.first, r.last});
    o["select_only"] = std::move(select);
    o["magnet"] = to_uri(m);
    return o;
}

json::value verify_report_to_json(const TorrentInfo& t, const VerifyReport& r) {
    json::object o;
    o["ok"] = r.ok();
    o["num_pieces"] = r.num_pieces;
    o["good_pieces"] = r.good_pieces;
    o["bad_pieces"] = json::array(r.bad_pieces.begin(), r.bad_pieces.end());
    json::array problems;
    for (const auto& p : r.file_problems) {
        json::object item;
        item["path"] = t.files[p.file].joined_path();
        item["problem"] = std::string(to_string(p.kind));
        item["expected_size"] = p.expected_size;
        if (p.kind == FileProblem::Kind::wrong_size) item["actual_size"] = p.actual_size;
        problems.push_back(std::move(item));
    }
    o["file_problems"] = std::move(problems);
    return o;
}

}  // namespace shoal::cli
