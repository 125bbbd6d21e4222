#include "fake_control.hpp"

#include <ctime>

#include "control/web_seed_list.hpp"
#include "metainfo/rename.hpp"

namespace shoal::gui::test {


FakeControl::Torrent* FakeControl::torrent(TorrentId id) {
    auto it = torrents_.find(id.value);
    return it == torrents_.end() || it->second.restorable ? nullptr : &it->second;
}

void FakeControl::publish(Event event) {
    queued_.push_back(std::move(event));
    if (wakeup_)
        wakeup_();
}

TorrentId FakeControl::put_restorable(control::TorrentSummary summary) {
    const TorrentId id{next_id_++};
    summary.id = id;
    Torrent& t = torrents_[id.value];
    t.restorable = true;
    if (summary.info)
        t.priorities.assign(summary.info->files.size(), 4);
    t.summary = std::move(summary);
    return id;
}

std::vector<Error> FakeControl::restore() {
    calls_.push_back("restore");
    for (auto& [id, t] : torrents_)
        t.restorable = false;
    return restore_problems;
}

Result<TorrentId> FakeControl::add(control::AddTorrent r) {
    if (!r.info && r.magnet.empty())
        return make_error(ErrorCode::invalid_input, "neither a torrent nor a magnet link was given");
    std::string name;
    if (!r.info) {
        auto magnet = parse_magnet(r.magnet);
        if (!magnet)
            return make_error(ErrorCode::invalid_input, magnet.error().message);
        name = magnet->display_name;
    }
    for (const auto& [other, t] : torrents_) {
        const auto& o = t.summary;
        const bool same = r.info ? o.info && o.info->info_hash_v1 == r.info->info_hash_v1 &&
                                       o.info->info_hash_v2 == r.info->info_hash_v2
                                 : !o.info && o.magnet == r.magnet;
        if (same)
            return make_error(ErrorCode::already_exists, "This torrent is already in the list");
    }
    const TorrentId id{next_id_++};
    Torrent& t = torrents_[id.value];
    control::TorrentSummary& s = t.summary;
    s.id = id;
    s.info = r.info;
    s.name = r.info ? r.info->name : name;
    s.magnet = r.info ? to_uri(magnet_for(*r.info)) : r.magnet;
    s.save_dir = r.save_dir;
    s.added_on = r.added_on > 0 ? r.added_on : static_cast<std::int64_t>(std::time(nullptr));
    s.sequential = r.sequential;
    s.stats.state = !r.info ? TorrentState::fetching_metadata : r.paused ? TorrentState::paused : TorrentState::checking;
    if (r.info) {
        t.tiers = r.trackers ? *r.trackers : r.info->trackers;
        t.priorities = r.file_priorities.empty() ? std::vector<int>(r.info->files.size(), 4) : r.file_priorities;
        s.stats.total_wanted = r.info->total_size;
        s.stats.num_pieces = r.info->num_pieces;
        if (r.skip_check) {
            s.stats.total_wanted_done = r.info->total_size;
            s.stats.pieces_have = r.info->num_pieces;
            s.finished = true;
        }
    }
    calls_.push_back("add " + s.name);
    queue_.push_back(id);
    number_queue();
    return id;
}

Result<Done> FakeControl::remove(TorrentId id, bool with_data) {
    if (auto logged_ok = logged(id, with_data ? "remove with data" : "remove"); !logged_ok)
        return logged_ok;
    removed_.push_back({id, torrents_.at(id.value).summary.name});
    torrents_.erase(id.value);
    queue_.erase(id);
    number_queue();
    return Done{};
}

Result<Done> FakeControl::logged(TorrentId id, const std::string& what) {
    if (!torrent(id))
        return make_error(ErrorCode::not_found, "no torrent has that id");
    calls_.push_back(what + " " + std::to_string(id.value));
    return Done{};
}

Result<Done> FakeControl::pause(TorrentId id) {
    if (auto ok = logged(id, "pause"); !ok)
        return ok;
    TorrentStats& st = torrent(id)->summary.stats;
    st.state = TorrentState::paused;
    st.download_rate = st.upload_rate = 0;
    publish(event::StateChanged{id, st.state});
    return Done{};
}

Result<Done> FakeControl::resume(TorrentId id) {
    if (auto ok = logged(id, "resume"); !ok)
        return ok;
    control::TorrentSummary& s = torrent(id)->summary;
    s.stats.state = s.finished ? TorrentState::seeding : TorrentState::downloading;
    publish(event::StateChanged{id, s.stats.state});
    return Done{};
}

Result<Done> FakeControl::resume_now(TorrentId id) {
    if (auto ok = logged(id, "resume-now"); !ok)
        return ok;
    control::TorrentSummary& s = torrent(id)->summary;
    s.queued = control::TorrentSummary::Queued::no;
    s.stats.state = s.finished ? TorrentState::seeding : TorrentState::downloading;
    publish(event::StateChanged{id, s.stats.state});
    return Done{};
}

Result<Done> FakeControl::move_in_queue(const std::vector<TorrentId>& ids, control::QueueMove to) {
    std::string line = "queue-move";
    for (TorrentId id : ids) {
        if (!torrent(id))
            return make_error(ErrorCode::not_found, "no torrent has that id");
        line += " " + std::to_string(id.value);
    }
    calls_.push_back(line);
    queue_.move(ids, to);
    number_queue();
    return Done{};
}

void FakeControl::number_queue() {
    std::size_t position = 0;
    for (TorrentId id : queue_.ids())
        torrents_.at(id.value).summary.queue_position = position++;
}

Result<Done> FakeControl::set_file_priority(TorrentId id, std::size_t file, int priority) {
    Torrent* t = torrent(id);
    if (!t || file >= t->priorities.size())
        return make_error(ErrorCode::invalid_input, "no such file");
    t->priorities[file] = priority;
    calls_.push_back("priority " + std::to_string(id.value) + " " + std::to_string(file) + "=" + std::to_string(priority));
    return Done{};
}

Result<Done> FakeControl::move_storage(TorrentId id, const std::filesystem::path& dir, bool move) {
    Torrent* t = torrent(id);
    if (!t) return make_error(ErrorCode::not_found, "no torrent has that id");
    if (dir.empty()) return make_error(ErrorCode::invalid_input, "no folder was given");
    calls_.push_back(std::string(move ? "move " : "locate ") + std::to_string(id.value) + " " + dir.string());
    // Moved at once, as a session does once the files are there.
    t->summary.save_dir = dir;
    publish(event::StorageMoved{id, dir});
    return Done{};
}

Result<Done> FakeControl::rename_file(TorrentId id, std::size_t file, const std::string& name) {
    Torrent* t = torrent(id);
    if (!t)
        return make_error(ErrorCode::not_found, "no torrent has that id");
    if (name.find('/') != std::string::npos)
        return make_error(ErrorCode::invalid_input, "'" + name + "' is not a file name");
    calls_.push_back("rename " + std::to_string(id.value) + " " + std::to_string(file) + " " + name);
    // Renamed at once, as a session does soon after.
    if (t->summary.info) {
        if (auto renamed = with_file_renamed(*t->summary.info, file, name)) {
            auto info = std::make_shared<const TorrentInfo>(std::move(*renamed));
            t->summary.info = info;
            publish(event::FileRenamed{id, file, name, info});
        }
    }
    return Done{};
}

Result<Done> FakeControl::set_torrent_limits(TorrentId id, std::int64_t up, std::int64_t down) {
    Torrent* t = torrent(id);
    if (!t)
        return make_error(ErrorCode::not_found, "no torrent has that id");
    t->summary.upload_limit = up;
    t->summary.download_limit = down;
    calls_.push_back("limits " + std::to_string(id.value) + " up=" + std::to_string(up) + " down=" + std::to_string(down));
    return Done{};
}

Result<Done> FakeControl::set_peer_limit(TorrentId id, int peers) {
    Torrent* t = torrent(id);
    if (!t)
        return make_error(ErrorCode::not_found, "no torrent has that id");
    t->summary.peer_limit = peers;
    calls_.push_back("peer limit " + std::to_string(id.value) + " " + std::to_string(peers));
    return Done{};
}

Result<Done> FakeControl::set_labels(TorrentId id, control::Labels labels) {
    Torrent* t = torrent(id);
    if (!t)
        return make_error(ErrorCode::not_found, "no torrent has that id");
    auto checked = control::checked_labels(std::move(labels));
    if (!checked)
        return checked.error();
    t->summary.labels = std::move(*checked);
    calls_.push_back("labels " + std::to_string(id.value));
    return Done{};
}

Result<Done> FakeControl::set_torrent_seed_limits(TorrentId id, const control::TorrentSeedLimits& limits) {
    Torrent* t = torrent(id);
    if (!t)
        return make_error(ErrorCode::not_found, "no torrent has that id");
    if (auto problem = control::seed_limits_problem(limits))
        return make_error(ErrorCode::invalid_input, *problem);
    t->summary.seed_limits = limits;
    calls_.push_back("seed limits " + std::to_string(id.value));
    return Done{};
}

Result<Done> FakeControl::edited(TorrentId id, const std::string& line,
                                 const std::function<Result<Done>(control::Tiers&)>& change) {
    Torrent* t = torrent(id);
    if (!t)
        return make_error(ErrorCode::not_found, "no torrent has that id");
    // The real rules, so the messages the front-end passes on are the real ones.
    if (auto changed = change(t->tiers); !changed)
        return changed;
    calls_.push_back(line);
    return Done{};
}

Result<Done> FakeControl::add_tracker(TorrentId id, const std::string& url, int tier) {
    return edited(id, "add_tracker " + std::to_string(id.value) + " " + url,
                  [&](control::Tiers& tiers) { return control::add_tracker(tiers, url, tier); });
}

Result<Done> FakeControl::replace_tracker(TorrentId id, const std::string& url, const std::string& new_url) {
    return edited(id, "replace_tracker " + std::to_string(id.value) + " " + url + " " + new_url,
                  [&](control::Tiers& tiers) { return control::replace_tracker(tiers, url, new_url); });
}

Result<Done> FakeControl::remove_tracker(TorrentId id, const std::string& url) {
    return edited(id, "remove_tracker " + std::to_string(id.value) + " " + url,
                  [&](control::Tiers& tiers) { return control::remove_tracker(tiers, url); });
}

Result<Done> FakeControl::set_trackers(TorrentId id, const control::Tiers& replacement) {
    return edited(id, "set_trackers " + std::to_string(id.value), [&](control::Tiers& tiers) -> Result<Done> {
        tiers = replacement;
        return Done{};
    });
}

Result<Done> FakeControl::add_web_seed(TorrentId id, const std::string& url) {
    Torrent* t = torrent(id);
    if (!t) return make_error(ErrorCode::not_found, "no torrent has that id");
    if (auto added = control::add_web_seed(t->web_seeds, url); !added) return added;
    calls_.push_back("add_web_seed " + std::to_string(id.value) + " " + url);
    return Done{};
}

Result<Done> FakeControl::remove_web_seed(TorrentId id, const std::string& url) {
    Torrent* t = torrent(id);
    if (!t) return make_error(ErrorCode::not_found, "no torrent has that id");
    if (auto removed = control::remove_web_seed(t->web_seeds, url); !removed) return removed;
    calls_.push_back("remove_web_seed " + std::to_string(id.value) + " " + url);
    return Done{};
}

Result<TorrentId> FakeControl::fetch_metadata(const std::string& magnet) {
    const TorrentId id{next_id_++};
    calls_.push_back("fetch_metadata " + std::to_string(id.value) + " " + magnet);
    fetches_[id.value] = magnet;
    return id;
}

void FakeControl::cancel_metadata(TorrentId id) {
    calls_.push_back("cancel_metadata " + std::to_string(id.value));
    fetches_.erase(id.value);
}

std::optional<TorrentId> FakeControl::fetching(const std::string& magnet) const {
    for (const auto& [id, link] : fetches_) {
        if (link == magnet)
            return TorrentId{id};
    }
    return std::nullopt;
}

std::vector<control::TorrentSummary> FakeControl::summaries() const {
    std::vector<control::TorrentSummary> out;
    for (const auto& [id, t] : torrents_) {
        if (!t.restorable)
            out.push_back(t.summary);
    }
    return out;
}

const control::TorrentSummary* FakeControl::find(TorrentId id) const {
    auto it = torrents_.find(id.value);
    return it == torrents_.end() || it->second.restorable ? nullptr : &it->second.summary;
}

control::Tiers FakeControl::trackers(TorrentId id) const {
    auto it = torrents_.find(id.value);
    return it == torrents_.end() ? control::Tiers{} : it->second.tiers;
}

std::vector<std::string> FakeControl::web_seeds(TorrentId id) const {
    auto it = torrents_.find(id.value);
    return it == torrents_.end() ? std::vector<std::string>{} : it->second.web_seeds;
}

std::vector<int> FakeControl::file_priorities(TorrentId id) const {
    auto it = torrents_.find(id.value);
    return it == torrents_.end() ? std::vector<int>{} : it->second.priorities;
}

std::optional<control::TorrentDetails> FakeControl::details(TorrentId id) const {
    auto it = torrents_.find(id.value);
    if (it == torrents_.end())
        return std::nullopt;
    control::TorrentDetails d;
    d.id = id;
    d.trackers = it->second.tiers;
    d.file_priorities = it->second.priorities;
    return d;
}

void FakeControl::report(Error problem) {
    problems_.push_back(std::move(problem));
    if (wakeup_) wakeup_();
}

control::Published FakeControl::poll() {
    control::Published out;
    out.events.assign(queued_.begin(), queued_.end());
    queued_.clear();
    out.problems = std::move(problems_);
    problems_.clear();
    out.removed = std::move(removed_);
    removed_.clear();
    return out;
}

}  // namespace shoal::gui::test
