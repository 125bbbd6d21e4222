// The Controller's side that listens: restoring the saved list, and keeping snapshots, the
// saved list and the seed limits current from the session's events.
#include <ctime>
#include <limits>

#include "control/controller.hpp"
#include "control/desktop_store_migration.hpp"

namespace shoal::control {

std::vector<Error> Controller::restore() {
    std::vector<Error> problems;
    begin_restore(problems);
    while (!restore_some(std::numeric_limits<std::size_t>::max(), problems)) {
    }
    return problems;
}

void Controller::begin_restore(std::vector<Error>& problems) {
    if (!persistent()) return;
    if (!settings_.legacy_desktop_store.empty()) migrate_desktop_store(settings_.legacy_desktop_store, *list_, problems);
    restoring_.emplace(*list_);
}

bool Controller::restore_some(std::size_t count, std::vector<Error>& problems) {
    if (!restoring_) return true;
    RestoreProgress& r = *restoring_;
    // A step lists, reads or restores: first every record is listed and read (the torrents come
    // back oldest first), then they are restored.
    if (!r.listed) {
        r.listed = r.lister.list_some(count, r.files, problems);
        return false;
    }
    if (r.files_read < r.files.size()) {
        for (; count > 0 && r.files_read < r.files.size(); --count, ++r.files_read) {
            // Each .torrent file is read when its torrent's turn comes, so that the bytes of one
            // are held at a time instead of every file's for the whole restore (where what they
            // leave freed among the torrents made meanwhile stays resident).
            auto record = list_->read(r.files[r.files_read], MetainfoBytes::later);
            if (record) {
                r.records.push_back(std::move(record.value()));
            } else {
                problems.push_back(record.error());
            }
        }
        if (r.files_read == r.files.size()) TorrentListStore::sort_oldest_first(r.records);
        return false;
    }
    for (; count > 0 && r.restored < r.records.size(); --count, ++r.restored) {
        restore_one(std::move(r.records[r.restored]), problems);
    }
    if (r.restored < r.records.size()) return false;
    restoring_.reset();
    order_restored_queue();
    return true;
}

void Controller::restore_one(StoredTorrent stored, std::vector<Error>& problems) {
    std::shared_ptr<const TorrentInfo> info;
    AddTorrentParams params;
    if (stored.metainfo_saved) {
        auto bytes = list_->read_metainfo(stored.id);
        if (!bytes) {
            problems.push_back(bytes.error());
            return;
        }
        auto parsed = parse_torrent(*bytes);
        if (!parsed) {
            problems.push_back(make_error(ErrorCode::invalid_input,
                                             (list_->folder() / (stored.id + ".torrent")).string() + ": " +
                                                 parsed.error().message));
            return;
        }
        info = std::make_shared<const TorrentInfo>(std::move(*parsed));
        if (stored.file_priorities.size() != info->files.size()) stored.file_priorities.clear();
    } else {
        auto magnet = parse_magnet(stored.magnet);
        if (!magnet) {
            problems.push_back(make_error(ErrorCode::invalid_input, stored.id + ": " + magnet.error().message));
            return;
        }
        params.magnet = std::move(*magnet);
    }
    // The record is on disk already: nothing is written back.
    if (auto added = add_checked(std::move(stored), std::move(info), std::move(params)); !added) {
        problems.push_back(added.error());
    }
}

Published Controller::poll() {
    Published out;
    out.events = session_.pop_events();
    for (const Event& e : out.events) {
        const TorrentId id = std::visit([](const auto& v) { return v.id; }, e);
        if (Entry* entry = this->entry(id)) apply(*entry, e);
    }
    check_seed_limits(out);
    note_queue_activity();
    // A queue of the torrents restored so far would start and stop the wrong ones.
    if (!restoring()) apply_queue();
    out.problems = std::move(pending_problems_);
    pending_problems_.clear();
    out.removed = std::move(removed_);
    removed_.clear();
    return out;
}

void Controller::apply(Entry& e, const Event& event) {
    TorrentSummary& s = e.summary;
    if (auto* stats = std::get_if<event::Stats>(&event)) {
        s.stats = stats->stats;
    } else if (auto* state = std::get_if<event::StateChanged>(&event)) {
        s.stats.state = state->state;
        if (state->state != TorrentState::error) s.error.clear();
    } else if (auto* m = std::get_if<event::MetadataReceived>(&event)) {
        s.name = m->name;
        s.info = m->info;
        s.stats.num_pieces = m->info->num_pieces;
        std::string{}.swap(s.magnet);  // made from the metadata from now on
        if (!m->info->trackers.empty()) e.tiers = m->info->trackers;
        if (e.priorities.size() != m->info->files.size()) e.priorities.clear();
        // From now on the torrent comes back without asking peers for its metadata again.
        e.stored.metainfo = "d4:info" + m->info->info_bytes + "e";
        if (!e.stored.trackers()) e.stored.rare_made().trackers = e.tiers;
        // The magnet link's web seeds are not in the metadata: the record keeps them.
        if (!e.stored.web_seeds() && !m->info->web_seeds.empty()) e.stored.rare_made().web_seeds = m->info->web_seeds;
        save(e);
    } else if (auto* r = std::get_if<event::FileRenamed>(&event)) {
        s.info = r->info;
        s.name = r->info->name;
        e.stored.rare_made().file_names[r->file] = r->name;
        save(e);
    } else if (auto* moved = std::get_if<event::StorageMoved>(&event)) {
        s.save_dir = moved->save_dir.string();
        if (moved->save_dir == std::filesystem::path(s.complete_dir)) std::string{}.swap(s.complete_dir);
        save(e);
    } else if (auto* finished = std::get_if<event::TorrentFinished>(&event)) {
        s.finished = true;
        if (finished->downloaded) s.completed_on = static_cast<std::int64_t>(std::time(nullptr));
        if (!e.finished_at) e.finished_at = settings_.now();
        // Out of the incomplete folder; after a restart that came between the two, now.
        if (!s.complete_dir.empty()) session_.move_storage(e.summary.id, s.complete_dir, true);
    } else if (auto* error = std::get_if<event::Error>(&event)) {
        s.error = error->message;
    } else if (auto* details = std::get_if<event::Details>(&event)) {
        e.last_details = std::make_unique<event::Details>(*details);
    }
}

void Controller::check_seed_limits(Published& out) {
    const auto now = settings_.now();
    for (auto& [id, e] : entries_) {
        if (!e.finished_at || e.summary.seed_limit_reached) continue;
        // A paused torrent is not idle: its idle time starts again when it is resumed.
        if (e.stored.paused) {
            e.uploaded_at = now;
            continue;
        }
        // Idle from when the torrent finished, or last uploaded since.
        if (e.summary.stats.all_time_uploaded != e.uploaded_seen || e.uploaded_at < *e.finished_at) {
            e.uploaded_seen = e.summary.stats.all_time_uploaded;
            e.uploaded_at = now;
        }
        const SeedLimits limits = effective_seed_limits(settings_.seed_limits, e.summary.seed_limits);
        if (!limits.any()) continue;
        auto why = seed_limit_reached(limits, e.summary.stats, now - *e.finished_at, now - e.uploaded_at);
        if (!why) continue;
        e.summary.seed_limit_reached = true;
        if (settings_.seed_limit_action == SeedLimitAction::pause) {
            session_.pause(id);
            e.stored.paused = true;
            save(e);
        }
        out.seed_limits_reached.push_back({id, *why});
    }
}

}  // namespace shoal::control
