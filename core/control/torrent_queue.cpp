#include "control/torrent_queue.hpp"

#include <algorithm>
#include <set>

namespace shoal::control {

std::vector<QueueVerdict> decide_queue(std::span<const QueueInput> torrents, const QueueSettings& settings) {
    std::vector<QueueVerdict> out(torrents.size(), QueueVerdict::leave);
    const auto queued = [&](QueueWant w) { return w == QueueWant::download ? settings.download_enabled : settings.seed_enabled; };
    const auto size = [&](QueueWant w) { return w == QueueWant::download ? settings.download_size : settings.seed_size; };
    const auto stalled = [&](const QueueInput& t) { return settings.stalled_enabled && t.idle >= settings.stalled_after; };
    int active_downloads = 0;
    int active_seeds = 0;
    const auto active = [&](QueueWant w) -> int& { return w == QueueWant::download ? active_downloads : active_seeds; };
    const auto wants_to_run = [](const QueueInput& t) { return t.want == QueueWant::download || t.want == QueueWant::seed; };
    // Those that run whatever the queue holds: started already, started now, or not queued.
    for (std::size_t i = 0; i < torrents.size(); ++i) {
        const QueueInput& t = torrents[i];
        if (!wants_to_run(t)) continue;
        if (t.forced || t.running_as == t.want || !queued(t.want)) {
            out[i] = QueueVerdict::run;
            if (!stalled(t)) ++active(t.want);
        }
    }
    // The others take the free slots in queue order.
    for (std::size_t i = 0; i < torrents.size(); ++i) {
        const QueueInput& t = torrents[i];
        if (!wants_to_run(t) || out[i] == QueueVerdict::run) continue;
        if (active(t.want) < size(t.want)) {
            out[i] = QueueVerdict::run;
            ++active(t.want);
        } else {
            out[i] = QueueVerdict::wait;
        }
    }
    return out;
}

void QueueOrder::push_back(TorrentId id) { ids_.push_back(id); }

void QueueOrder::erase(TorrentId id) { std::erase(ids_, id); }

bool QueueOrder::move(std::span<const TorrentId> ids, QueueMove to) {
    const std::set<TorrentId> chosen(ids.begin(), ids.end());
    const auto is_chosen = [&](TorrentId id) { return chosen.contains(id); };
    const std::vector<TorrentId> before = ids_;
    switch (to) {
        case QueueMove::top:
            std::stable_partition(ids_.begin(), ids_.end(), is_chosen);
            break;
        case QueueMove::bottom:
            std::stable_partition(ids_.begin(), ids_.end(), [&](TorrentId id) { return !is_chosen(id); });
            break;
        case QueueMove::up:
            for (std::size_t i = 1; i < ids_.size(); ++i) {
                if (is_chosen(ids_[i]) && !is_chosen(ids_[i - 1])) std::swap(ids_[i], ids_[i - 1]);
            }
            break;
        case QueueMove::down:
            for (std::size_t i = ids_.size(); i-- > 1;) {
                if (is_chosen(ids_[i - 1]) && !is_chosen(ids_[i])) std::swap(ids_[i], ids_[i - 1]);
            }
            break;
    }
    return ids_ != before;
}

void QueueOrder::sort_by_saved(const std::function<std::optional<std::int64_t>(TorrentId)>& saved) {
    std::vector<std::pair<std::optional<std::int64_t>, TorrentId>> keyed;
    keyed.reserve(ids_.size());
    for (TorrentId id : ids_) keyed.emplace_back(saved(id), id);
    std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
        if (a.first.has_value() != b.first.has_value()) return a.first.has_value();
        return a.first.has_value() && *a.first < *b.first;
    });
    for (std::size_t i = 0; i < keyed.size(); ++i) ids_[i] = keyed[i].second;
}

}  // namespace shoal::control
