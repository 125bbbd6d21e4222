#include "control/controller.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "control/web_seed_list.hpp"
#include "metainfo/rename.hpp"

namespace shoal::control {
namespace {

Error unknown(TorrentId id) {
    return make_error(ErrorCode::not_found, "no torrent has id " + std::to_string(id.value));
}

Error peer_limit_problem() {
    return make_error(ErrorCode::invalid_input,
                      "a torrent's peer limit is 0 (the global one) to " + std::to_string(k_max_peer_limit));
}

// A .torrent file holding only the info dictionary; the trackers are kept in the record.
std::string metainfo_of(const TorrentInfo& info) { return "d4:info" + info.info_bytes + "e"; }

std::string magnet_id(const MagnetLink& m) {
    return m.info_hash_v1 ? m.info_hash_v1->hex() : m.info_hash_v2 ? m.info_hash_v2->hex() : std::string{};
}

Tiers magnet_tiers(const MagnetLink& m) {
    Tiers tiers;
    for (const auto& url : m.trackers) tiers.push_back({url});
    return tiers;
}

// True when any of the torrent's files is in `dir` already: a torrent added to seed (or go on
// with) data there is not sent through the incomplete folder.
bool data_present(const TorrentInfo& info, const std::filesystem::path& dir) {
    std::error_code ec;
    for (const FileEntry& file : info.files) {
        if (file.pad || file.symlink) continue;
        std::filesystem::path path = dir;
        for (const auto& component : file.path) path /= component;
        if (std::filesystem::exists(path, ec)) return true;
    }
    return false;
}

}  // namespace

Controller::Controller(ControllerSettings settings) : settings_(std::move(settings)), session_(settings_.session) {
    if (settings_.keep_torrent_list && !settings_.session.state_dir.empty()) list_.emplace(settings_.session.state_dir);
}

Controller::~Controller() { stop(); }

void Controller::stop() {
    if (stopped_) return;
    stopped_ = true;
    session_.set_wakeup({});
    session_.stop();
}

Controller::Entry* Controller::entry(TorrentId id) {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
}

const Controller::Entry* Controller::entry(TorrentId id) const {
    auto it = entries_.find(id);
    return it == entries_.end() ? nullptr : &it->second;
}

void Controller::save(Entry& e) {
    if (persistent()) {
        const TorrentSummary& s = e.summary;
        StoredTorrent record;
        record.id = s.store_id;
        record.metainfo = std::move(e.stored.metainfo);
        record.metainfo_saved = e.stored.metainfo_saved;
        if (e.stored.rare) record.magnet = e.stored.rare->magnet;
        record.save_dir = s.save_dir;
        record.complete_dir = s.complete_dir;
        record.paused = e.stored.paused;
        record.sequential = s.sequential;
        record.added_on = s.added_on;
        if (e.stored.own_priorities) record.file_priorities = e.priorities;
        if (e.stored.rare) {
            record.file_names = e.stored.rare->file_names;
            record.trackers = e.stored.rare->trackers;
            record.web_seeds = e.stored.rare->web_seeds;
        }
        record.upload_limit = s.upload_limit;
        record.download_limit = s.download_limit;
        record.peer_limit = s.peer_limit;
        record.seed_limits = s.seed_limits;
        record.labels = s.labels;
        record.queue_position = e.stored.queue_position;
        auto saved = list_->save(record);
        if (!saved) {
            e.stored.metainfo = std::move(record.metainfo);  // written next time
            return pending_problems_.push_back(saved.error());
        }
        if (!record.metainfo.empty()) e.stored.metainfo_saved = true;
    }
    // In the state folder now, or with nowhere to go: the parsed TorrentInfo has what is used.
    std::string{}.swap(e.stored.metainfo);  // its memory too, which assigning "" keeps
}

Result<TorrentId> Controller::add(AddTorrent r) {
    StoredTorrent stored;
    std::shared_ptr<const TorrentInfo> info = r.info;
    AddTorrentParams params;
    if (!info && !r.metainfo.empty()) {
        auto parsed = parse_torrent(r.metainfo);
        if (!parsed) return make_error(ErrorCode::invalid_input, parsed.error().message);
        info = std::make_shared<const TorrentInfo>(std::move(*parsed));
    }
    if (info) {
        stored.id = stored_id(*info);
        // Without the original file the trackers would be lost; the record keeps them.
        if (r.metainfo.empty() && !r.trackers && !info->trackers.empty()) r.trackers = info->trackers;
        if (r.metainfo.empty() && !info->web_seeds.empty()) stored.web_seeds = info->web_seeds;
        stored.metainfo = r.metainfo.empty() ? metainfo_of(*info) : std::move(r.metainfo);
    } else if (!r.magnet.empty()) {
        auto magnet = parse_magnet(r.magnet);
        if (!magnet) return make_error(ErrorCode::invalid_input, magnet.error().message);
        if (r.select_only) magnet->select_only = *r.select_only;
        stored.id = magnet_id(*magnet);
        stored.magnet = r.magnet;
        params.magnet = std::move(*magnet);
    } else {
        return make_error(ErrorCode::invalid_input, "neither a torrent nor a magnet link was given");
    }
    if (r.save_dir.empty()) return make_error(ErrorCode::invalid_input, "no save folder was given");
    if (r.upload_limit < 0 || r.download_limit < 0) {
        return make_error(ErrorCode::invalid_input, "a rate limit cannot be negative");
    }
    if (r.peer_limit < 0 || r.peer_limit > k_max_peer_limit) return peer_limit_problem();
    for (int p : r.file_priorities) {
        if (p < 0 || p > 7) return make_error(ErrorCode::invalid_input, "file priorities are 0 to 7");
    }
    if (info && !r.file_priorities.empty() && r.file_priorities.size() != info->files.size()) {
        return make_error(ErrorCode::invalid_input, "the torrent has " + std::to_string(info->files.size()) +
                                                                " files, not " + std::to_string(r.file_priorities.size()));
    }
    if (!r.file_names.empty()) {
        if (!info) return make_error(ErrorCode::unavailable, "a magnet link's files cannot be renamed yet");
        std::vector<std::string> refused;
        (void)with_files_renamed(*info, r.file_names, &refused);
        if (!refused.empty()) return make_error(ErrorCode::invalid_input, refused.front());
    }
    auto labels = checked_labels(std::move(r.labels));
    if (!labels) return labels.error();
    stored.labels = std::move(*labels);
    if (r.trackers) {
        auto checked = checked_tiers(*r.trackers);
        if (!checked) return checked.error();
        stored.trackers = std::move(*checked);
    }
    stored.save_dir = std::filesystem::absolute(r.save_dir).lexically_normal();
    if (!r.incomplete_dir.empty() && !r.skip_check && !(info && data_present(*info, stored.save_dir))) {
        stored.complete_dir = stored.save_dir;
        stored.save_dir = std::filesystem::absolute(r.incomplete_dir).lexically_normal();
        if (stored.save_dir == stored.complete_dir) stored.complete_dir.clear();
    }
    stored.paused = r.paused;
    stored.sequential = r.sequential;
    stored.added_on = r.added_on > 0 ? r.added_on : static_cast<std::int64_t>(std::time(nullptr));
    stored.file_priorities = r.file_priorities;
    stored.file_names = r.file_names;
    stored.upload_limit = r.upload_limit;
    stored.download_limit = r.download_limit;
    stored.peer_limit = r.peer_limit;
    stored.queue_position = next_queue_position();
    params.assume_complete = r.skip_check;
    params.peers = std::move(r.peers);
    auto added = add_checked(std::move(stored), std::move(info), std::move(params));
    if (added) save(entries_.at(*added));
    return added;
}

Result<TorrentId> Controller::add_checked(StoredTorrent stored, std::shared_ptr<const TorrentInfo> info,
                                          AddTorrentParams params) {
    if (store_ids_.contains(stored.id)) {
        return make_error(ErrorCode::already_exists, "This torrent is already in the list");
    }
    params.info = info;
    params.save_dir = stored.save_dir;
    params.paused = stored.paused || settings_.queue.any();  // the queue starts it
    params.sequential = stored.sequential;
    params.file_priorities = stored.file_priorities;
    params.file_names = stored.file_names;
    params.upload_limit = stored.upload_limit;
    params.download_limit = stored.download_limit;
    params.peer_limit = stored.peer_limit;
    Tiers tiers = info ? info->trackers : params.magnet ? magnet_tiers(*params.magnet) : Tiers{};
    const TorrentId id = session_.add_torrent(std::move(params));
    if (stored.trackers && *stored.trackers != tiers) {
        tiers = *stored.trackers;
        session_.set_trackers(id, tiers);
    }
    if (stored.web_seeds) session_.set_web_seeds(id, *stored.web_seeds);
    Entry e;
    e.tiers = std::move(tiers);
    e.priorities = std::move(stored.file_priorities);
    e.stored.own_priorities = !e.priorities.empty();
    TorrentSummary& s = e.summary;
    s.id = id;
    s.store_id = std::move(stored.id);
    // Shown with the names the session gives the files (it renames them the same way).
    s.info = info && !stored.file_names.empty()
                 ? std::make_shared<const TorrentInfo>(with_files_renamed(*info, stored.file_names))
                 : info;
    if (s.info) {
        s.name = s.info->name;
        s.stats.num_pieces = info->num_pieces;
    } else {
        s.name = parse_magnet(stored.magnet).ok() ? parse_magnet(stored.magnet)->display_name : std::string{};
        s.magnet = stored.magnet;
        s.stats.state = TorrentState::fetching_metadata;
    }
    s.save_dir = stored.save_dir.string();
    s.complete_dir = stored.complete_dir.string();
    s.added_on = stored.added_on;
    s.sequential = stored.sequential;
    s.upload_limit = stored.upload_limit;
    s.download_limit = stored.download_limit;
    s.peer_limit = stored.peer_limit;
    s.seed_limits = stored.seed_limits;
    s.labels = std::move(stored.labels);
    e.stored.metainfo = std::move(stored.metainfo);
    e.stored.metainfo_saved = stored.metainfo_saved;
    e.stored.paused = stored.paused;
    if (!stored.magnet.empty() || !stored.file_names.empty() || stored.trackers || stored.web_seeds) {
        Record::Rare& rare = e.stored.rare_made();
        rare.magnet = std::move(stored.magnet);
        rare.file_names = std::move(stored.file_names);
        rare.trackers = std::move(stored.trackers);
        rare.web_seeds = std::move(stored.web_seeds);
    }
    e.stored.queue_position = stored.queue_position;
    Entry& listed = entries_[id] = std::move(e);
    store_ids_.insert(listed.summary.store_id);
    join_queue(listed);
    return id;
}

Result<Done> Controller::remove(TorrentId id, bool with_data) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    session_.remove_torrent(id, with_data);
    if (persistent()) list_->remove(e->summary.store_id);
    store_ids_.erase(e->summary.store_id);
    removed_.push_back({id, std::move(e->summary.name)});
    entries_.erase(id);
    leave_queue(id);
    return Done{};
}

Result<Done> Controller::pause(TorrentId id) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    session_.pause(id);
    e->queue.forced = e->queue.held = false;
    e->queue.running_as = QueueWant::none;
    e->summary.queued = TorrentSummary::Queued::no;
    if (!e->stored.paused) {
        e->stored.paused = true;
        save(*e);
    }
    return Done{};
}

Result<Done> Controller::resume(TorrentId id) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (e->stored.paused && settings_.queue.any() && !e->queue.forced) e->queue.held = true;  // the queue starts it
    if (!e->queue.held) session_.resume(id);
    if (e->stored.paused) {
        e->stored.paused = false;
        save(*e);
    }
    apply_queue();
    return Done{};
}

Result<Done> Controller::recheck(TorrentId id) {
    if (!entry(id)) return unknown(id);
    session_.recheck(id);
    return Done{};
}

Result<Done> Controller::reannounce(TorrentId id) {
    if (!entry(id)) return unknown(id);
    session_.reannounce(id);
    return Done{};
}

Result<Done> Controller::request_details(TorrentId id) {
    if (!entry(id)) return unknown(id);
    session_.request_details(id);
    return Done{};
}

Result<Done> Controller::set_file_priority(TorrentId id, std::size_t file, int priority) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (!e->summary.info) return make_error(ErrorCode::unavailable, "This torrent's files are not known yet");
    const std::size_t files = e->summary.info->files.size();
    if (file >= files) return make_error(ErrorCode::invalid_input, "no file has that index");
    if (priority < 0 || priority > 7) return make_error(ErrorCode::invalid_input, "file priorities are 0 to 7");
    if (e->priorities.empty()) e->priorities.assign(files, k_normal_priority);
    e->priorities[file] = priority;
    session_.set_file_priority(id, file, priority);
    e->stored.own_priorities = true;
    save(*e);
    return Done{};
}

Result<Done> Controller::rename_file(TorrentId id, std::size_t file, const std::string& name) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (!e->summary.info) return make_error(ErrorCode::unavailable, "This torrent's files are not known yet");
    // Checked here so the user hears at once; the session renames on its thread.
    if (auto renamed = with_file_renamed(*e->summary.info, file, name); !renamed) {
        return make_error(ErrorCode::invalid_input, renamed.error().message);
    }
    session_.rename_file(id, file, name);
    return Done{};
}

Result<Done> Controller::move_storage(TorrentId id, const std::filesystem::path& dir, bool move) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (!e->summary.info) return make_error(ErrorCode::unavailable, "This torrent's files are not known yet");
    if (dir.empty()) return make_error(ErrorCode::invalid_input, "no folder was given");
    const auto target = std::filesystem::absolute(dir).lexically_normal();
    if (!e->summary.complete_dir.empty()) {
        // Still in the incomplete folder: moving it means where it goes once finished. Without
        // moving, the data is said to be in `target` already, which ends the wait.
        e->summary.complete_dir = move ? target.string() : std::string{};
        save(*e);
        if (move) return Done{};
    }
    session_.move_storage(id, target, move);
    return Done{};
}

Result<Done> Controller::set_torrent_limits(TorrentId id, std::int64_t upload, std::int64_t download) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (upload < 0 || download < 0) return make_error(ErrorCode::invalid_input, "a rate limit cannot be negative");
    session_.set_torrent_rate_limits(id, upload, download);
    e->summary.upload_limit = upload;
    e->summary.download_limit = download;
    save(*e);
    return Done{};
}

Result<Done> Controller::set_peer_limit(TorrentId id, int peers) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (peers < 0 || peers > k_max_peer_limit) return peer_limit_problem();
    if (e->summary.peer_limit == peers) return Done{};
    session_.set_torrent_peer_limit(id, peers);
    e->summary.peer_limit = peers;
    save(*e);
    return Done{};
}

Result<Done> Controller::set_torrent_seed_limits(TorrentId id, const TorrentSeedLimits& limits) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    if (auto problem = seed_limits_problem(limits)) return make_error(ErrorCode::invalid_input, *problem);
    if (e->summary.seed_limits == limits) return Done{};
    // A torrent stopped by its old limits may seed again under the new ones once resumed.
    e->summary.seed_limits = limits;
    e->summary.seed_limit_reached = false;
    save(*e);
    return Done{};
}

Result<Done> Controller::set_labels(TorrentId id, Labels labels) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    auto checked = checked_labels(std::move(labels));
    if (!checked) return checked.error();
    if (*checked == e->summary.labels) return Done{};
    e->summary.labels = std::move(*checked);
    save(*e);
    return Done{};
}

Result<Done> Controller::change_trackers(TorrentId id, const std::function<Result<Done>(Tiers&)>& change) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    Tiers tiers = e->tiers;
    if (auto changed = change(tiers); !changed) return changed;
    std::erase_if(tiers, [](const Tier& t) { return t.empty(); });
    e->tiers = tiers;
    e->stored.rare_made().trackers = tiers;
    session_.set_trackers(id, std::move(tiers));
    save(*e);
    return Done{};
}

Result<Done> Controller::add_tracker(TorrentId id, const std::string& url, int tier) {
    return change_trackers(id, [&](Tiers& tiers) { return control::add_tracker(tiers, url, tier); });
}

Result<Done> Controller::replace_tracker(TorrentId id, const std::string& url, const std::string& new_url) {
    return change_trackers(id, [&](Tiers& tiers) { return control::replace_tracker(tiers, url, new_url); });
}

Result<Done> Controller::remove_tracker(TorrentId id, const std::string& url) {
    return change_trackers(id, [&](Tiers& tiers) { return control::remove_tracker(tiers, url); });
}

Result<Done> Controller::set_trackers(TorrentId id, const Tiers& replacement) {
    return change_trackers(id, [&](Tiers& tiers) -> Result<Done> {
        auto checked = checked_tiers(replacement);
        if (!checked) return checked.error();
        tiers = std::move(*checked);
        return Done{};
    });
}

Result<Done> Controller::change_web_seeds(TorrentId id,
                                          const std::function<Result<Done>(std::vector<std::string>&)>& change) {
    Entry* e = entry(id);
    if (!e) return unknown(id);
    auto urls = web_seeds(id);
    if (auto changed = change(urls); !changed) return changed;
    e->stored.rare_made().web_seeds = urls;
    session_.set_web_seeds(id, std::move(urls));
    save(*e);
    return Done{};
}

Result<Done> Controller::add_web_seed(TorrentId id, const std::string& url) {
    return change_web_seeds(id, [&](std::vector<std::string>& urls) { return control::add_web_seed(urls, url); });
}

Result<Done> Controller::remove_web_seed(TorrentId id, const std::string& url) {
    return change_web_seeds(id, [&](std::vector<std::string>& urls) { return control::remove_web_seed(urls, url); });
}

Result<Done> Controller::set_rate_limits(std::int64_t upload, std::int64_t download) {
    if (upload < 0 || download < 0) return make_error(ErrorCode::invalid_input, "a rate limit cannot be negative");
    session_.set_rate_limits(upload, download);
    return Done{};
}

Result<Done> Controller::set_max_peers_per_torrent(int peers) {
    if (peers < 1) return make_error(ErrorCode::invalid_input, "a torrent needs room for at least one peer");
    session_.set_max_peers_per_torrent(peers);
    return Done{};
}

Result<Done> Controller::set_max_connections(int connections) {
    if (connections < 1) return make_error(ErrorCode::invalid_input, "at least one connection is needed");
    session_.set_max_connections(connections);
    return Done{};
}

Result<TorrentId> Controller::fetch_metadata(const std::string& magnet) {
    auto parsed = parse_magnet(magnet);
    if (!parsed) return make_error(ErrorCode::invalid_input, parsed.error().message);
    AddTorrentParams p;
    p.magnet = std::move(*parsed);
    p.metadata_only = true;
    return session_.add_torrent(std::move(p));
}

void Controller::cancel_metadata(TorrentId id) {
    if (!entry(id)) session_.remove_torrent(id);
}

std::vector<TorrentSummary> Controller::summaries() const {
    std::vector<TorrentSummary> out;
    out.reserve(entries_.size());
    for (const auto& [id, e] : entries_) out.push_back(e.summary);
    return out;
}

const TorrentSummary* Controller::find(TorrentId id) const {
    const Entry* e = entry(id);
    return e ? &e->summary : nullptr;
}

Tiers Controller::trackers(TorrentId id) const {
    const Entry* e = entry(id);
    return e ? e->tiers : Tiers{};
}

std::vector<std::string> Controller::web_seeds(TorrentId id) const {
    const Entry* e = entry(id);
    if (!e) return {};
    if (const auto& urls = e->stored.web_seeds()) return *urls;
    return e->summary.info ? e->summary.info->web_seeds : std::vector<std::string>{};
}

std::vector<int> Controller::file_priorities(TorrentId id) const {
    const Entry* e = entry(id);
    return e ? priorities_of(*e) : std::vector<int>{};
}

std::vector<int> Controller::priorities_of(const Entry& e) {
    if (!e.priorities.empty() || !e.summary.info) return e.priorities;
    return std::vector<int>(e.summary.info->files.size(), k_normal_priority);
}

std::optional<TorrentDetails> Controller::details(TorrentId id) const {
    const Entry* e = entry(id);
    if (!e) return std::nullopt;
    TorrentDetails d;
    d.id = id;
    d.trackers = e->tiers;
    d.file_priorities = priorities_of(*e);
    if (e->last_details) {
        d.peers = e->last_details->peers;
        d.tracker_status = e->last_details->trackers;
        d.have = e->last_details->have;
    }
    return d;
}

}  // namespace shoal::control
