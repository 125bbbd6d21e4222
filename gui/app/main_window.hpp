#pragma once
// The main window: toolbar, status sidebar and text filter, transfer list, properties panel,
// status bar, tray icon. Adding goes through here so every torrent is also saved for the
// next start.

#include <QHash>
#include <QMainWindow>

#include "engine/engine.hpp"

class QLineEdit;
class QListView;
class QSplitter;
class QSystemTrayIcon;

namespace shoal::gui {

class AddTorrentDialog;
class CreateTorrentDialog;
class PreferencesDialog;
class PropertiesPanel;
class StatusBar;
class StatusFilterModel;
class TorrentActions;
class TransferFilter;
class TransferModel;
class TransferView;

class MainWindow final : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(Engine& engine, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Adds (the engine keeps it for the next start); shows and returns the error, if any.
    AddResult add_torrent(const AddRequest& request);
    // Brings back what the engine kept from the last run (at start).
    void restore_torrents();
    // .torrent paths and magnet links from the command line or a second instance.
    void handle_arguments(const QStringList& arguments);

    AddTorrentDialog* show_add_dialog(const QString& file_or_magnet);
    CreateTorrentDialog* show_create_dialog(const QString& source = {});
    PreferencesDialog* show_preferences();
    void apply_preferences(const EngineSettings& settings);

    QList<TorrentKey> selected_keys() const;
    void select(TorrentKey key);

    TransferView* transfer_view() const { return view_; }
    TransferModel* transfer_model() const { return model_; }
    TransferFilter* transfer_filter() const { return filter_; }
    StatusFilterModel* status_model() const { return status_model_; }
    QListView* sidebar() const { return sidebar_; }
    QLineEdit* search_box() const { return search_; }
    PropertiesPanel* properties() const { return properties_; }
    StatusBar* status() const { return status_; }
    TorrentActions* actions() const { return actions_; }
    QString last_error() const { return last_error_; }
    QString last_notification() const { return last_notification_; }
    // Asks for a daemon's address, user name and password; connect_requested() follows.
    void ask_connection();

  signals:
    // The user chose to control a daemon, or to come back to this computer's session; the
    // owner replaces the engine (and this window).
    void connect_requested(const QString& url, const QString& user, const QString& password);
    void local_session_requested();

  protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

  private:
    void build_toolbar();
    void build_menu();
    void build_tray();
    void ask_magnet();
    void ask_torrent_file();
    void on_finished(TorrentKey key);
    void report_error(const QString& message);

    Engine& engine_;
    TransferModel* model_;
    TransferFilter* filter_;
    StatusFilterModel* status_model_;
    TransferView* view_;
    QListView* sidebar_;
    QLineEdit* search_;
    PropertiesPanel* properties_;
    StatusBar* status_;
    QSplitter* splitter_;
    TorrentActions* actions_;
    QSystemTrayIcon* tray_ = nullptr;
    QString last_error_;
    QString last_notification_;
};

}  // namespace shoal::gui
