#pragma once
// What can be done to the selected torrents (start, pause, remove, recheck, reannounce, open
// folder, set location, copy magnet link, set limits, move in the queue), as actions shared by
// the toolbar, the context menu and the tray.

#include <QAction>
#include <QObject>
#include <functional>

#include "engine/engine.hpp"

class QMenu;
class QWidget;

namespace shoal::gui {

class TorrentActions final : public QObject {
    Q_OBJECT
  public:
    using Selection = std::function<QList<TorrentKey>()>;

    TorrentActions(Engine& engine, Selection selection, QWidget* parent);

    QAction* start() const { return start_; }
    QAction* pause() const { return pause_; }
    QAction* remove() const { return remove_; }
    void fill_menu(QMenu& menu);
    // Enables what makes sense for the current selection.
    void update_enabled();

    void start_selected();
    void pause_selected();
    // Asks first unless `ask` is false.
    void remove_selected(bool with_data, bool ask = true);
    void recheck_selected();
    void reannounce_selected();
    void open_folders() const;
    QString copy_magnet() const;
    void set_limits(std::int64_t down, std::int64_t up);
    // Moves the selected torrents' data to `folder`, or with `move` false looks for it there;
    // a refusal is said in a message box.
    void set_location(const QString& folder, bool move);
    void move_in_queue(control::QueueMove to);
    void start_all();
    void pause_all();

  private:
    // Asks for a folder (on the engine's computer) and whether to move the data there.
    void ask_location();
    void ask_limits();

    Engine& engine_;
    Selection selection_;
    QWidget* parent_;
    QAction* start_;
    QAction* pause_;
    QAction* remove_;
};

}  // namespace shoal::gui
