#include "app/main_window.hpp"

#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QUrl>

#include "app/settings_store.hpp"
#include "app/torrent_actions.hpp"
#include "dialogs/add_torrent_dialog.hpp"
#include "dialogs/connect_dialog.hpp"
#include "dialogs/create_torrent_dialog.hpp"
#include "dialogs/preferences_dialog.hpp"
#include "models/files_model.hpp"
#include "models/transfer_filter.hpp"
#include "models/transfer_model.hpp"
#include "widgets/content_tab.hpp"
#include "widgets/properties_panel.hpp"
#include "widgets/status_bar.hpp"
#include "widgets/transfer_view.hpp"

namespace shoal::gui {

MainWindow::MainWindow(Engine& engine, QWidget* parent)
    : QMainWindow(parent),
      engine_(engine),
      model_(new TransferModel(engine, this)),
      filter_(new TransferFilter(engine, this)),
      status_model_(new StatusFilterModel(engine, this)),
      view_(new TransferView(this)),
      sidebar_(new QListView(this)),
      search_(new QLineEdit(this)),
      properties_(new PropertiesPanel(engine, this)),
      status_(new StatusBar(engine, this)),
      splitter_(new QSplitter(Qt::Horizontal, this)) {
    setWindowTitle(QStringLiteral("Shoal"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/shoal.svg")));
    setAcceptDrops(true);
    filter_->setSourceModel(model_);
    view_->setModel(filter_);
    view_->restore_layout();
    sidebar_->setModel(status_model_);
    sidebar_->setCurrentIndex(status_model_->index(0));
    sidebar_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    search_->setPlaceholderText(tr("Filter by name…"));
    search_->setClearButtonEnabled(true);
    search_->setMaximumWidth(260);

    auto* right = new QSplitter(Qt::Vertical, this);
    right->setObjectName(QStringLiteral("list_and_properties"));
    right->addWidget(view_);
    right->addWidget(properties_);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    splitter_->addWidget(sidebar_);
    splitter_->addWidget(right);
    splitter_->setStretchFactor(0, 0);
    splitter_->setStretchFactor(1, 1);
    splitter_->setSizes({170, 1000});
    QSettings settings;
    splitter_->restoreState(settings.value("main_window/sidebar_split").toByteArray());
    right->restoreState(settings.value("main_window/properties_split").toByteArray());
    setCentralWidget(splitter_);
    setStatusBar(status_);

    actions_ = new TorrentActions(engine, [this] { return selected_keys(); }, this);
    build_menu();
    build_toolbar();
    build_tray();

    connect(sidebar_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                filter_->set_status_filter(static_cast<StatusFilter>(current.row()));
            });
    connect(search_, &QLineEdit::textChanged, filter_, &TransferFilter::set_text_filter);
    connect(view_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const auto keys = selected_keys();
        properties_->show_torrent(keys.isEmpty() ? TorrentKey{} : keys.front());
        actions_->update_enabled();
    });
    connect(view_, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        if (selected_keys().isEmpty())
            return;
        QMenu menu(this);
        actions_->fill_menu(menu);
        menu.exec(view_->viewport()->mapToGlobal(pos));
    });
    connect(&engine, &Engine::refreshed, actions_, &TorrentActions::update_enabled);
    connect(&engine, &Engine::torrent_finished, this, &MainWindow::on_finished);
    connect(&engine, &Engine::problem, this, [this](const QString& message) {
        last_notification_ = message;
        statusBar()->showMessage(message, 15000);
    });

    resize(1180, 720);
    const QByteArray geometry = QSettings().value("main_window/geometry").toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
}

MainWindow::~MainWindow() = default;

void MainWindow::build_menu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Add Torrent…"), this, &MainWindow::ask_torrent_file);
    file->addAction(tr("Add Magnet Link…"), this, &MainWindow::ask_magnet);
    file->addSeparator();
    file->addAction(tr("Connect to a Daemon…"), this, &MainWindow::ask_connection);
    QAction* local = file->addAction(tr("Use the Local Session"), this,
                                     &MainWindow::local_session_requested);
    local->setEnabled(!engine_.supports(Feature::local_settings));
    file->addSeparator();
    QAction* quit = file->addAction(tr("Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);
}

void MainWindow::ask_connection() {
    auto* dialog = new ConnectDialog(ConnectDialog::Mode::connect, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->url().isEmpty())
            return;
        emit connect_requested(dialog->url(), dialog->user(), dialog->password());
    });
    dialog->open();
}

void MainWindow::build_toolbar() {
    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("main_toolbar"));
    bar->setMovable(false);
    bar->setIconSize(QSize(24, 24));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(QIcon(QStringLiteral(":/icons/add-file.svg")), tr("Add Torrent"), this,
                   &MainWindow::ask_torrent_file);
    bar->addAction(QIcon(QStringLiteral(":/icons/add-magnet.svg")), tr("Add Magnet"), this,
                   &MainWindow::ask_magnet);
    QAction* create = bar->addAction(QIcon(QStringLiteral(":/icons/create.svg")), tr("Create"),
                                     this, [this] { show_create_dialog(); });
    if (!engine_.supports(Feature::local_files)) {
        // The daemon cannot seed files from this computer.
        create->setEnabled(false);
        create->setToolTip(tr("Creating a torrent needs the files on the computer that seeds "
                              "them; connected to a daemon, use shoal-cli create there."));
    }
    bar->addSeparator();
    bar->addAction(actions_->start());
    bar->addAction(actions_->pause());
    bar->addAction(actions_->remove());
    bar->addSeparator();
    bar->addAction(QIcon(QStringLiteral(":/icons/preferences.svg")), tr("Preferences"), this,
                   [this] { show_preferences(); });
    auto* spacer = new QWidget(bar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    bar->addWidget(spacer);
    bar->addWidget(search_);
}

void MainWindow::build_tray() {
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    tray_ = new QSystemTrayIcon(windowIcon(), this);
    tray_->setToolTip(QStringLiteral("Shoal"));
    auto* menu = new QMenu(this);
    menu->addAction(tr("Show Shoal"), this, [this] {
        showNormal();
        activateWindow();
    });
    menu->addAction(tr("Start All"), actions_, &TorrentActions::start_all);
    menu->addAction(tr("Pause All"), actions_, &TorrentActions::pause_all);
    menu->addSeparator();
    menu->addAction(tr("Quit"), qApp, &QApplication::quit);
    tray_->setContextMenu(menu);
    connect(tray_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
        if (r == QSystemTrayIcon::Trigger)
            setVisible(!isVisible());
    });
    tray_->show();
}

AddResult MainWindow::add_torrent(const AddRequest& request) {
    AddResult result = engine_.add(request);
    if (!result.ok())
        report_error(result.error);
    return result;
}

void MainWindow::restore_torrents() {
    const QStringList problems = engine_.restore();
    if (!problems.isEmpty())
        report_error(tr("Some torrents could not be restored:\n") + problems.join('\n'));
}

void MainWindow::handle_arguments(const QStringList& arguments) {
    if (arguments.isEmpty())
        return;
    // The window comes forward first and its dialogs after, so that raising the window does
    // not bury the dialogs it has just opened.
    showNormal();
    raise();
    activateWindow();
    for (const QString& a : arguments) {
        if (a.isEmpty())
            continue;
        if (AddTorrentDialog* dialog = show_add_dialog(a)) {
            dialog->raise();
            dialog->activateWindow();
        }
    }
}

AddTorrentDialog* MainWindow::show_add_dialog(const QString& file_or_magnet) {
    auto* dialog = new AddTorrentDialog(engine_, engine_.settings().default_save_dir, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QString local = file_or_magnet;
    if (local.startsWith(QLatin1String("file://")))
        local = QUrl(local).toLocalFile();
    const bool ok = local.startsWith(QLatin1String("magnet:"), Qt::CaseInsensitive)
                        ? dialog->load_magnet(local)
                        : dialog->load_file(local);
    if (!ok) {
        report_error(dialog->error());
        delete dialog;
        return nullptr;
    }
    connect(dialog, &QDialog::accepted, this, [this, dialog] { add_torrent(dialog->request()); });
    dialog->open();
    return dialog;
}

CreateTorrentDialog* MainWindow::show_create_dialog(const QString& source) {
    auto* dialog = new CreateTorrentDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!source.isEmpty())
        dialog->set_source(source);
    connect(dialog, &CreateTorrentDialog::created, this,
            [this](const QString& path, const AddRequest& seed, bool start) {
                statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
                if (start)
                    add_torrent(seed);
            });
    connect(dialog, &CreateTorrentDialog::failed, this, &MainWindow::report_error);
    dialog->open();
    return dialog;
}

PreferencesDialog* MainWindow::show_preferences() {
    auto* dialog = new PreferencesDialog(engine_, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
            [this, dialog] { apply_preferences(dialog->settings()); });
    dialog->open();
    return dialog;
}

void MainWindow::apply_preferences(const EngineSettings& settings) {
    // A daemon keeps its own settings; this computer's stay as they were.
    if (engine_.supports(Feature::local_settings))
        save_settings(settings);
    const QString note = engine_.apply_settings(settings);
    if (!note.isEmpty())
        statusBar()->showMessage(note, 10000);
    status_->refresh();
}

void MainWindow::ask_torrent_file() {
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add Torrent"), QString(),
                                                            tr("Torrent files (*.torrent)"));
    for (const QString& f : files)
        show_add_dialog(f);
}

void MainWindow::ask_magnet() {
    bool ok = false;
    const QString link = QInputDialog::getText(this, tr("Add Magnet Link"), tr("Magnet link:"),
                                               QLineEdit::Normal, QString(), &ok);
    if (ok && !link.trimmed().isEmpty())
        show_add_dialog(link.trimmed());
}

QList<TorrentKey> MainWindow::selected_keys() const {
    QList<TorrentKey> keys;
    if (!view_->selectionModel())
        return keys;
    for (const QModelIndex& index : view_->selectionModel()->selectedRows()) {
        keys.push_back(TorrentKey{index.data(TransferModel::key_role).toUInt()});
    }
    return keys;
}

void MainWindow::select(TorrentKey key) {
    const int row = engine_.row_of(key);
    if (row < 0)
        return;
    const QModelIndex index = filter_->mapFromSource(model_->index(row, 0));
    view_->selectionModel()->select(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    view_->setCurrentIndex(index);
}

void MainWindow::on_finished(TorrentKey key) {
    const TorrentSnapshot* s = engine_.find(key);
    if (!s)
        return;
    last_notification_ = tr("“%1” has finished downloading").arg(s->name);
    if (tray_)
        tray_->showMessage(tr("Download complete"), last_notification_, windowIcon(), 8000);
    statusBar()->showMessage(last_notification_, 8000);
    switch (engine_.settings().on_completion) {
        case CompletionAction::pause:
            engine_.pause(key);
            break;
        case CompletionAction::open_folder:
            if (engine_.supports(Feature::local_files))
                QDesktopServices::openUrl(QUrl::fromLocalFile(s->save_dir));
            break;
        case CompletionAction::nothing:
            break;
    }
}

void MainWindow::report_error(const QString& message) {
    last_error_ = message;
    auto* box = new QMessageBox(QMessageBox::Warning, QStringLiteral("Shoal"), message,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    view_->save_layout();
    QSettings settings;
    settings.setValue("main_window/geometry", saveGeometry());
    settings.setValue("main_window/sidebar_split", splitter_->saveState());
    if (auto* right = findChild<QSplitter*>(QStringLiteral("list_and_properties"))) {
        settings.setValue("main_window/properties_split", right->saveState());
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() || event->mimeData()->hasText())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls()) {
        for (const QUrl& url : mime->urls()) {
            show_add_dialog(url.isLocalFile() ? url.toLocalFile() : url.toString());
        }
    } else if (mime->text().trimmed().startsWith(QLatin1String("magnet:"))) {
        show_add_dialog(mime->text().trimmed());
    }
}

}  // namespace shoal::gui
