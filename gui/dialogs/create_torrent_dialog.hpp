#pragma once
// Makes a .torrent from a file or folder: format, piece size, trackers in tiers, web seeds,
// private, comment, source. Hashing runs on its own thread with progress and cancel.

#include <QDialog>
#include <atomic>
#include <thread>

#include "engine/engine.hpp"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace shoal {
struct CreateOptions;
}

namespace shoal::gui {

class CreateTorrentDialog final : public QDialog {
    Q_OBJECT
  public:
    explicit CreateTorrentDialog(QWidget* parent = nullptr);
    ~CreateTorrentDialog() override;

    void set_source(const QString& path);
    // Starts hashing; returns false (with error()) when the form is not usable.
    bool start();
    void cancel();
    // While hashing, cancels it; otherwise closes.
    void reject() override;
    bool running() const { return worker_.joinable() && !finished_; }
    QString error() const { return error_; }
    QString output_path() const;
    // The options the form describes (the progress and cancel hooks are set by start()).
    CreateOptions options() const;

    QLineEdit* source_edit() const { return source_; }
    QLineEdit* output_edit() const { return output_; }
    QComboBox* format_box() const { return format_; }
    QComboBox* piece_box() const { return piece_; }
    QLabel* piece_count_label() const { return piece_count_; }
    QPlainTextEdit* trackers_edit() const { return trackers_; }
    QPlainTextEdit* web_seeds_edit() const { return web_seeds_; }
    QCheckBox* private_box() const { return private_; }
    QLineEdit* comment_edit() const { return comment_; }
    QLineEdit* source_tag_edit() const { return source_tag_; }
    QCheckBox* seed_box() const { return seed_; }
    QProgressBar* progress_bar() const { return progress_; }

  signals:
    // Hashing finished and the file is written; `seed` carries the request to seed it, if asked.
    void created(const QString& torrent_path, const shoal::gui::AddRequest& seed,
                 bool start_seeding);
    void failed(const QString& message);

  protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

  private:
    void update_piece_count();
    void on_finished(bool ok, const QString& message, const QByteArray& bytes,
                     const QString& save_dir);

    QLineEdit* source_;
    QLineEdit* output_;
    QComboBox* format_;
    QComboBox* piece_;
    QLabel* piece_count_;
    QPlainTextEdit* trackers_;
    QPlainTextEdit* web_seeds_;
    QCheckBox* private_;
    QLineEdit* comment_;
    QLineEdit* source_tag_;
    QCheckBox* seed_;
    QProgressBar* progress_;
    QPushButton* create_;
    std::int64_t total_size_ = 0;
    std::thread worker_;
    std::atomic<bool> cancel_{false};
    bool finished_ = false;
    QString error_;
};

}  // namespace shoal::gui
