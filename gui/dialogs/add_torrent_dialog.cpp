#include "dialogs/add_torrent_dialog.hpp"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"
#include "models/files_model.hpp"

namespace shoal::gui {

AddTorrentDialog::AddTorrentDialog(Engine& engine, const QString& save_dir, QWidget* parent)
    : QDialog(parent),
      engine_(engine),
      title_(new QLabel(this)),
      save_dir_(new QLineEdit(save_dir, this)),
      files_(new FilesModel(this)),
      view_(new QTreeView(this)),
      note_(new QLabel(this)),
      paused_(new QCheckBox(tr("Start paused"), this)),
      skip_check_(new QCheckBox(tr("Skip hash check (the data is already complete)"), this)),
      sequential_(new QCheckBox(tr("Download in sequential order"), this)) {
    setWindowTitle(tr("Add Torrent"));
    setAcceptDrops(false);
    title_->setWordWrap(true);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    note_->setWordWrap(true);
    note_->hide();

    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* folder_row = new QHBoxLayout;
    folder_row->addWidget(save_dir_, 1);
    folder_row->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Save folder"), save_dir_->text());
        if (!dir.isEmpty())
            save_dir_->setText(dir);
    });

    view_->setModel(files_);
    view_->setUniformRowHeights(true);
    view_->header()->resizeSection(FilesModel::name, 320);
    view_->header()->resizeSection(FilesModel::size, 90);
    view_->setColumnHidden(FilesModel::progress, true);  // nothing is downloaded yet

    auto* form = new QFormLayout;
    form->addRow(tr("Save in:"), folder_row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addLayout(form);
    layout->addWidget(view_, 1);
    layout->addWidget(note_);
    layout->addWidget(paused_);
    layout->addWidget(skip_check_);
    layout->addWidget(sequential_);
    layout->addWidget(buttons);
    if (!engine.supports(Feature::magnet_links)) {
        note_->setProperty("no_magnets", true);
    }
    resize(620, 480);
}

bool AddTorrentDialog::load_file(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        error_ = tr("Cannot read '%1': %2").arg(path, file.errorString());
        return false;
    }
    bytes_ = file.read(64 * 1024 * 1024 + 1);
    auto parsed = parse_torrent(
        std::string_view(bytes_.constData(), static_cast<std::size_t>(bytes_.size())));
    if (!parsed) {
        error_ = tr("'%1' is not a valid torrent: %2")
                     .arg(path, QString::fromStdString(parsed.error().message));
        return false;
    }
    info_ = std::make_shared<const TorrentInfo>(std::move(*parsed));
    show_info();
    return true;
}

AddTorrentDialog::~AddTorrentDialog() {
    if (fetching_)
        engine_.cancel_metadata(magnet_);
}

bool AddTorrentDialog::load_magnet(const QString& uri) {
    auto parsed = parse_magnet(uri.trimmed().toStdString());
    if (!parsed) {
        error_ =
            tr("Not a usable magnet link: %1").arg(QString::fromStdString(parsed.error().message));
        return false;
    }
    magnet_ = uri.trimmed();
    const QString name = QString::fromStdString(parsed->display_name);
    title_->setText(name.isEmpty() ? tr("Magnet link") : name);
    skip_check_->setEnabled(false);
    if (note_->property("no_magnets").toBool())
        note_->setText(tr("The files are listed once the metadata arrives from peers. This "
                          "engine cannot fetch metadata yet, so the torrent will wait with "
                          "an error until it can."));
    else if (!engine_.supports(Feature::metadata_preview))
        note_->setText(tr("The daemon fetches the metadata from peers once the link is added; "
                          "its files are then listed in the Content tab."));
    else
        note_->setText(tr("The files are listed once the metadata arrives from peers."));
    note_->show();
    if (engine_.supports(Feature::magnet_links) && engine_.supports(Feature::metadata_preview)) {
        fetching_ = true;
        connect(&engine_, &Engine::metadata_fetched, this,
                [this](const QString& magnet, std::shared_ptr<const TorrentInfo> info) {
                    if (magnet == magnet_ && info)
                        metadata_received(std::move(info));
                });
        engine_.fetch_metadata(magnet_);
    }
    return true;
}

void AddTorrentDialog::metadata_received(std::shared_ptr<const TorrentInfo> info) {
    fetching_ = false;
    info_ = std::move(info);
    // Kept for the next start: a torrent file holding just the info dictionary.
    if (bytes_.isEmpty() && !info_->info_bytes.empty()) {
        bytes_ = "d4:info" + QByteArray::fromStdString(info_->info_bytes) + "e";
    }
    note_->hide();
    skip_check_->setEnabled(true);
    show_info();
}

void AddTorrentDialog::show_info() {
    title_->setText(tr("%1 — %2 in %3 files")
                        .arg(QString::fromStdString(info_->name), human_size(info_->total_size))
                        .arg(std::count_if(info_->files.begin(), info_->files.end(),
                                           [](const FileEntry& f) { return !f.pad; })));
    files_->set_torrent(info_, {});
    expand_sensibly(view_);
}

AddRequest AddTorrentDialog::request() const {
    AddRequest r;
    r.info = info_;
    r.torrent_bytes = bytes_;
    r.magnet = magnet_;
    r.save_dir = save_dir_->text();
    r.paused = paused_->isChecked();
    r.skip_check = skip_check_->isEnabled() && skip_check_->isChecked();
    r.sequential = sequential_->isChecked();
    if (info_) {
        const auto& p = files_->priorities();
        // All normal says nothing; an empty list keeps the engine's default.
        if (std::any_of(p.begin(), p.end(), [](int v) { return v != k_priority_normal; })) {
            r.file_priorities = p;
        }
    }
    return r;
}

}  // namespace shoal::gui
