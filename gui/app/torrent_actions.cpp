#include "app/torrent_actions.hpp"

#include <QApplication>
#include <QClipboard>
#include <QDesktopServices>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QUrl>

#include "dialogs/limits_dialog.hpp"

namespace shoal::gui {

TorrentActions::TorrentActions(Engine& engine, Selection selection, QWidget* parent)
    : QObject(parent),
      engine_(engine),
      selection_(std::move(selection)),
      parent_(parent),
      start_(new QAction(QIcon(QStringLiteral(":/icons/start.svg")), tr("Start"), this)),
      pause_(new QAction(QIcon(QStringLiteral(":/icons/pause.svg")), tr("Pause"), this)),
      remove_(new QAction(QIcon(QStringLiteral(":/icons/remove.svg")), tr("Remove"), this)) {
    remove_->setShortcut(QKeySequence::Delete);
    connect(start_, &QAction::triggered, this, &TorrentActions::start_selected);
    connect(pause_, &QAction::triggered, this, &TorrentActions::pause_selected);
    connect(remove_, &QAction::triggered, this, [this] { remove_selected(false); });
    update_enabled();
}

void TorrentActions::update_enabled() {
    bool any_paused = false;
    bool any_running = false;
    const auto keys = selection_();
    for (TorrentKey k : keys) {
        const TorrentSnapshot* s = engine_.find(k);
        if (!s)
            continue;
        (s->status == TorrentStatus::paused ? any_paused : any_running) = true;
    }
    start_->setEnabled(any_paused);
    pause_->setEnabled(any_running);
    remove_->setEnabled(!keys.isEmpty());
}

void TorrentActions::fill_menu(QMenu& menu) {
    update_enabled();
    menu.addAction(start_);
    menu.addAction(pause_);
    menu.addSeparator();
    menu.addAction(remove_);
    menu.addAction(QIcon(QStringLiteral(":/icons/remove.svg")), tr("Remove With Data"), this,
                   [this] { remove_selected(true); });
    menu.addSeparator();
    menu.addAction(tr("Force Recheck"), this, &TorrentActions::recheck_selected);
    QAction* reannounce =
        menu.addAction(tr("Reannounce"), this, &TorrentActions::reannounce_selected);
    reannounce->setEnabled(engine_.supports(Feature::reannounce));
    menu.addSeparator();
    menu.addAction(QIcon(QStringLiteral(":/icons/folder.svg")), tr("Open Folder"), this,
                   &TorrentActions::open_folders)
        ->setEnabled(engine_.supports(Feature::local_files));
    menu.addAction(tr("Set Location…"), this, &TorrentActions::ask_location);
    menu.addAction(tr("Copy Magnet Link"), this, [this] { copy_magnet(); });
    menu.addAction(tr("Set Limits…"), this, &TorrentActions::ask_limits);
    if (engine_.supports(Feature::queue)) {
        QMenu* queue = menu.addMenu(tr("Queue"));
        queue->addAction(tr("Move to Top"), this, [this] { move_in_queue(control::QueueMove::top); });
        queue->addAction(tr("Move Up"), this, [this] { move_in_queue(control::QueueMove::up); });
        queue->addAction(tr("Move Down"), this, [this] { move_in_queue(control::QueueMove::down); });
        queue->addAction(tr("Move to Bottom"), this, [this] { move_in_queue(control::QueueMove::bottom); });
    }
}

void TorrentActions::start_selected() {
    for (TorrentKey k : selection_())
        engine_.resume(k);
    update_enabled();
}

void TorrentActions::pause_selected() {
    for (TorrentKey k : selection_())
        engine_.pause(k);
    update_enabled();
}

void TorrentActions::start_all() {
    for (const auto& s : engine_.torrents()) {
        if (s.status == TorrentStatus::paused)
            engine_.resume(s.key);
    }
}

void TorrentActions::pause_all() {
    std::vector<TorrentKey> keys;
    for (const auto& s : engine_.torrents()) {
        if (s.status != TorrentStatus::paused)
            keys.push_back(s.key);
    }
    for (TorrentKey k : keys)
        engine_.pause(k);
}

void TorrentActions::remove_selected(bool with_data, bool ask) {
    const auto keys = selection_();
    if (keys.isEmpty())
        return;
    if (ask) {
        QMessageBox box(QMessageBox::Question, tr("Remove"),
                        keys.size() == 1
                            ? tr("Remove “%1” from the list?").arg(engine_.find(keys.front())->name)
                            : tr("Remove %1 torrents from the list?").arg(keys.size()),
                        QMessageBox::Cancel, parent_);
        QPushButton* keep = box.addButton(tr("Remove"), QMessageBox::AcceptRole);
        QPushButton* wipe =
            box.addButton(tr("Remove and Delete Files"), QMessageBox::DestructiveRole);
        box.setDefaultButton(with_data ? wipe : keep);
        box.exec();
        if (box.clickedButton() == keep) {
            with_data = false;
        } else if (box.clickedButton() == wipe) {
            with_data = true;
        } else {
            return;
        }
    }
    for (TorrentKey k : keys)
        engine_.remove(k, with_data);
    update_enabled();
}

void TorrentActions::recheck_selected() {
    for (TorrentKey k : selection_())
        engine_.recheck(k);
}

void TorrentActions::reannounce_selected() {
    for (TorrentKey k : selection_())
        engine_.reannounce(k);
}

void TorrentActions::open_folders() const {
    for (TorrentKey k : selection_()) {
        if (const TorrentSnapshot* s = engine_.find(k)) {
            QDesktopServices::openUrl(QUrl::fromLocalFile(s->save_dir));
        }
    }
}

QString TorrentActions::copy_magnet() const {
    QStringList links;
    for (TorrentKey k : selection_()) {
        if (const TorrentSnapshot* s = engine_.find(k))
            links << s->magnet;
    }
    const QString text = links.join(QLatin1Char('\n'));
    QApplication::clipboard()->setText(text);
    return text;
}

void TorrentActions::set_limits(std::int64_t down, std::int64_t up) {
    for (TorrentKey k : selection_())
        engine_.set_torrent_limits(k, up, down);
}

void TorrentActions::ask_location() {
    const auto keys = selection_();
    if (keys.isEmpty())
        return;
    const TorrentSnapshot* first = engine_.find(keys.front());
    const QString current = first ? first->save_dir : QString();
    // A local folder is picked; a daemon's is typed, as a path on its computer.
    const QString folder =
        engine_.supports(Feature::local_files)
            ? QFileDialog::getExistingDirectory(parent_, tr("Set Location"), current)
            : QInputDialog::getText(parent_, tr("Set Location"), tr("Folder on the daemon's computer:"),
                                    QLineEdit::Normal, current);
    if (folder.trimmed().isEmpty())
        return;
    QMessageBox box(QMessageBox::Question, tr("Set Location"),
                    tr("Move the data to “%1”, or is it there already?").arg(folder.trimmed()),
                    QMessageBox::Cancel, parent_);
    QPushButton* move = box.addButton(tr("Move the Data"), QMessageBox::AcceptRole);
    QPushButton* look = box.addButton(tr("It Is There Already"), QMessageBox::AcceptRole);
    box.setDefaultButton(move);
    box.exec();
    if (box.clickedButton() == move || box.clickedButton() == look)
        set_location(folder.trimmed(), box.clickedButton() == move);
}

void TorrentActions::set_location(const QString& folder, bool move) {
    QStringList refused;
    for (TorrentKey k : selection_()) {
        const QString error = engine_.set_location(k, folder, move);
        if (!error.isEmpty())
            refused << error;
    }
    if (!refused.isEmpty())
        QMessageBox::warning(parent_, tr("Set Location"), refused.join(QLatin1Char('\n')));
}

void TorrentActions::move_in_queue(control::QueueMove to) {
    const auto keys = selection_();
    engine_.move_in_queue(std::vector<TorrentKey>(keys.begin(), keys.end()), to);
}

void TorrentActions::ask_limits() {
    const auto keys = selection_();
    if (keys.isEmpty())
        return;
    const TorrentSnapshot* first = engine_.find(keys.front());
    LimitsDialog dialog(first ? first->down_limit : 0, first ? first->up_limit : 0, parent_);
    if (dialog.exec() == QDialog::Accepted)
        set_limits(dialog.down_limit(), dialog.up_limit());
}

}  // namespace shoal::gui
