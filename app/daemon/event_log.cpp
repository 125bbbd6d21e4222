#include "daemon/event_log.hpp"

namespace shoal::daemon {

std::string EventLog::about(TorrentId id, const control::TorrentControl& control) const {
    if (id.value == 0) return {};
    if (const auto* s = control.find(id)) return s->name + ": ";
    const auto known = names_.find(id.value);
    return (known != names_.end() ? known->second : "torrent " + std::to_string(id.value)) + ": ";
}

void EventLog::report(const control::Published& published, const control::TorrentControl& control) {
    std::vector<std::uint32_t> removed_ids;  // named until the end of this report
    for (const auto& gone : published.removed) names_[gone.id.value] = gone.name;
    for (const auto& e : published.events) {
        if (auto* added = std::get_if<event::TorrentAdded>(&e)) {
            if (!control.find(added->id)) names_.try_emplace(added->id.value, added->name);
            log_.info(about(added->id, control) + "added");
        } else if (auto* got = std::get_if<event::MetadataReceived>(&e)) {
            if (!control.find(got->id)) names_[got->id.value] = got->name;  // fetched, not listed
            log_.debug(about(got->id, control) + "metadata received");
        } else if (auto* err = std::get_if<event::Error>(&e)) {
            log_.error(about(err->id, control) + err->message);
        } else if (auto* moved = std::get_if<event::StorageMoved>(&e)) {
            log_.info(about(moved->id, control) + "data now in " + moved->save_dir.string());
        } else if (auto* done = std::get_if<event::TorrentFinished>(&e)) {
            if (done->downloaded)
                log_.info(about(done->id, control) + "complete");
            else
                log_.debug(about(done->id, control) + "complete on disk");
        } else if (auto* removed = std::get_if<event::TorrentRemoved>(&e)) {
            log_.info(about(removed->id, control) + "removed");
            removed_ids.push_back(removed->id.value);
        } else if (auto* state = std::get_if<event::StateChanged>(&e)) {
            log_.debug(about(state->id, control) + "state " + std::string(to_string(state->state)));
        } else if (auto* tracker = std::get_if<event::TrackerReply>(&e)) {
            log_.debug(about(tracker->id, control) + "tracker " + tracker->url + (tracker->ok ? ": " : " failed: ") +
                       (tracker->ok ? std::to_string(tracker->peers) + " peers" : tracker->message));
        } else if (auto* hash = std::get_if<event::HashFailed>(&e)) {
            log_.debug(about(hash->id, control) + "piece " + std::to_string(hash->piece) + " failed its hash check");
        } else if (auto* banned = std::get_if<event::PeerBanned>(&e)) {
            log_.debug(about(banned->id, control) + "banned " + banned->address + ": " + banned->reason);
        } else if (auto* notice = std::get_if<event::Notice>(&e)) {
            log_.debug(about(notice->id, control) + notice->message);
        }
    }
    for (const auto& limit : published.seed_limits_reached) log_.info(about(limit.id, control) + limit.reason);
    for (const auto& problem : published.problems) log_.error(problem.message);
    for (auto id : removed_ids) names_.erase(id);
}

void log_refusal(const Log& log, const Refusal& refusal, const boost::asio::ip::address& client) {
    log.write(refusal.status == 409 ? LogLevel::debug : LogLevel::warning,
              "RPC request from " + client.to_string() + " refused (" + std::to_string(refusal.status) +
                  "): " + refusal.message);
}

}  // namespace shoal::daemon
