#pragma once
// The sidebar's status filters and the rule that says which torrents each one shows.

#include <QAbstractListModel>
#include <array>

#include "engine/engine.hpp"

namespace shoal::gui {

enum class StatusFilter { all, downloading, seeding, completed, paused, active, checking, errored };
constexpr int k_status_filter_count = 8;

bool matches(const TorrentSnapshot& s, StatusFilter filter);
QString filter_name(StatusFilter filter);

// One row per filter, "Downloading (3)"; counts are recomputed on each engine refresh.
class StatusFilterModel final : public QAbstractListModel {
    Q_OBJECT
  public:
    enum Role { filter_role = Qt::UserRole + 1, count_role };

    explicit StatusFilterModel(Engine& engine, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    int count(StatusFilter filter) const { return counts_[static_cast<std::size_t>(filter)]; }

    void recount();

  private:
    void recount_soon();

    Engine& engine_;
    std::array<int, k_status_filter_count> counts_{};
    bool recount_queued_ = false;
};

}  // namespace shoal::gui
