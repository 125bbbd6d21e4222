#include "dialogs/create_torrent_dialog.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDirIterator>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "creation/create_torrent.hpp"

namespace shoal::gui {
namespace {

std::int64_t size_of(const QString& path) {
    const QFileInfo fi(path);
    if (fi.isFile())
        return fi.size();
    std::int64_t total = 0;
    QDirIterator it(path, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        total += it.nextFileInfo().size();
    return total;
}

std::vector<std::string> lines_of(const QString& text) {
    std::vector<std::string> out;
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        if (!line.trimmed().isEmpty())
            out.push_back(line.trimmed().toStdString());
    }
    return out;
}

}  // namespace

CreateTorrentDialog::CreateTorrentDialog(QWidget* parent)
    : QDialog(parent),
      source_(new QLineEdit(this)),
      output_(new QLineEdit(this)),
      format_(new QComboBox(this)),
      piece_(new QComboBox(this)),
      piece_count_(new QLabel(this)),
      trackers_(new QPlainTextEdit(this)),
      web_seeds_(new QPlainTextEdit(this)),
      private_(new QCheckBox(tr("Private torrent (peers only from its trackers)"), this)),
      comment_(new QLineEdit(this)),
      source_tag_(new QLineEdit(this)),
      seed_(new QCheckBox(tr("Start seeding when done"), this)),
      progress_(new QProgressBar(this)),
      create_(new QPushButton(tr("Create"), this)) {
    setWindowTitle(tr("Create Torrent"));
    setAcceptDrops(true);
    source_->setPlaceholderText(tr("Drop a file or folder here, or choose one"));
    auto* pick_file = new QPushButton(tr("File…"), this);
    auto* pick_folder = new QPushButton(tr("Folder…"), this);
    auto* source_row = new QHBoxLayout;
    source_row->addWidget(source_, 1);
    source_row->addWidget(pick_file);
    source_row->addWidget(pick_folder);
    connect(pick_file, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("File to share"));
        if (!f.isEmpty())
            set_source(f);
    });
    connect(pick_folder, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Folder to share"));
        if (!d.isEmpty())
            set_source(d);
    });
    connect(source_, &QLineEdit::editingFinished, this, [this] { set_source(source_->text()); });

    format_->addItem(tr("Hybrid (v1 + v2)"), int(TorrentFormat::hybrid));
    format_->addItem(tr("v1"), int(TorrentFormat::v1));
    format_->addItem(tr("v2"), int(TorrentFormat::v2));
    piece_->addItem(tr("Automatic"), qlonglong(0));
    for (std::int64_t size = 16 * 1024; size <= 16 * 1024 * 1024; size *= 2) {
        piece_->addItem(human_size(size), qlonglong(size));
    }
    // Extra height goes to the text boxes, not to this row.
    piece_count_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto* piece_row = new QHBoxLayout;
    piece_row->addWidget(piece_);
    piece_row->addWidget(piece_count_, 1);
    connect(piece_, &QComboBox::currentIndexChanged, this,
            &CreateTorrentDialog::update_piece_count);

    trackers_->setPlaceholderText(tr("One URL per line; an empty line starts the next tier"));
    web_seeds_->setPlaceholderText(tr("One URL per line"));
    trackers_->setFixedHeight(90);
    web_seeds_->setFixedHeight(60);
    seed_->setChecked(true);
    progress_->setRange(0, 1000);
    progress_->setValue(0);

    auto* form = new QFormLayout;
    form->addRow(tr("Source:"), source_row);
    form->addRow(tr("Save torrent as:"), output_);
    form->addRow(tr("Format:"), format_);
    form->addRow(tr("Piece size:"), piece_row);
    form->addRow(tr("Trackers:"), trackers_);
    form->addRow(tr("Web seeds:"), web_seeds_);
    form->addRow(tr("Comment:"), comment_);
    form->addRow(tr("Source tag:"), source_tag_);
    form->addRow(QString(), private_);
    form->addRow(QString(), seed_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(create_, QDialogButtonBox::AcceptRole);
    connect(create_, &QPushButton::clicked, this, [this] { start(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &CreateTorrentDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(progress_);
    layout->addWidget(buttons);
    update_piece_count();
    resize(600, 520);
}

CreateTorrentDialog::~CreateTorrentDialog() {
    cancel_ = true;
    if (worker_.joinable())
        worker_.join();
}

void CreateTorrentDialog::set_source(const QString& path) {
    const QString clean = QDir::cleanPath(path);
    source_->setText(clean);
    total_size_ = QFileInfo::exists(clean) ? size_of(clean) : 0;
    if (output_->text().isEmpty() || output_->property("automatic").toBool()) {
        output_->setText(clean + QStringLiteral(".torrent"));
        output_->setProperty("automatic", true);
    }
    update_piece_count();
}

void CreateTorrentDialog::update_piece_count() {
    if (total_size_ <= 0) {
        piece_count_->setText(tr("choose a source to see the piece count"));
        return;
    }
    std::int64_t piece = piece_->currentData().toLongLong();
    const bool automatic = piece == 0;
    if (automatic)
        piece = automatic_piece_length(total_size_);
    const std::int64_t count = (total_size_ + piece - 1) / piece;
    piece_count_->setText(automatic ? tr("%1 pieces of %2").arg(count).arg(human_size(piece))
                                    : tr("%1 pieces").arg(count));
}

QString CreateTorrentDialog::output_path() const {
    return output_->text();
}

CreateOptions CreateTorrentDialog::options() const {
    CreateOptions o;
    o.format = static_cast<TorrentFormat>(format_->currentData().toInt());
    o.piece_length = piece_->currentData().toLongLong();
    Tier tier;
    for (const QString& line : trackers_->toPlainText().split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty()) {
            if (!tier.empty())
                o.trackers.push_back(std::move(tier));
            tier.clear();
        } else {
            tier.push_back(line.trimmed().toStdString());
        }
    }
    if (!tier.empty())
        o.trackers.push_back(std::move(tier));
    o.web_seeds = lines_of(web_seeds_->toPlainText());
    o.is_private = private_->isChecked();
    o.comment = comment_->text().toStdString();
    o.source = source_tag_->text().toStdString();
    o.created_by = "Shoal/0.1.0";
    return o;
}

bool CreateTorrentDialog::start() {
    if (running())
        return false;
    const QString source = source_->text();
    if (source.isEmpty() || !QFileInfo::exists(source)) {
        error_ = tr("Choose a file or folder that exists");
        emit failed(error_);
        return false;
    }
    if (output_->text().isEmpty()) {
        error_ = tr("Choose where to save the torrent");
        emit failed(error_);
        return false;
    }
    if (worker_.joinable())
        worker_.join();
    CreateOptions o = options();
    cancel_ = false;
    finished_ = false;
    error_.clear();
    progress_->setValue(0);
    create_->setEnabled(false);
    QPointer<CreateTorrentDialog> self(this);
    o.cancel = &cancel_;
    o.progress = [self](std::int64_t done, std::int64_t total) {
        const int value = total > 0 ? static_cast<int>(done * 1000 / total) : 0;
        QMetaObject::invokeMethod(
            self,
            [self, value] {
                if (self)
                    self->progress_->setValue(value);
            },
            Qt::QueuedConnection);
    };
    const std::filesystem::path path = source.toStdString();
    worker_ = std::thread([this, self, o = std::move(o), path] {
        auto result = create_torrent(path, o);
        bool ok = result.ok();
        QString message = ok ? QString() : QString::fromStdString(result.error().message);
        QByteArray bytes = ok ? QByteArray::fromStdString(result->bytes) : QByteArray();
        QString save_dir = ok ? QString::fromStdString(result->save_dir.string()) : QString();
        // The dialog outlives this thread (its destructor joins), so `this` is safe to queue.
        QMetaObject::invokeMethod(
            this,
            [this, ok, message, bytes, save_dir] { on_finished(ok, message, bytes, save_dir); },
            Qt::QueuedConnection);
    });
    return true;
}

void CreateTorrentDialog::on_finished(bool ok, const QString& message, const QByteArray& bytes,
                                      const QString& save_dir) {
    finished_ = true;
    create_->setEnabled(true);
    if (!ok) {
        error_ = cancel_ ? tr("Cancelled") : message;
        progress_->setValue(0);
        emit failed(error_);
        return;
    }
    QFile out(output_->text());
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size()) {
        error_ = tr("Cannot write '%1': %2").arg(output_->text(), out.errorString());
        emit failed(error_);
        return;
    }
    out.close();
    progress_->setValue(1000);
    AddRequest seed;
    auto parsed =
        parse_torrent(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
    if (parsed)
        seed.info = std::make_shared<const TorrentInfo>(std::move(*parsed));
    seed.torrent_bytes = bytes;
    seed.save_dir = save_dir;
    seed.skip_check = true;  // we just hashed this very data
    emit created(output_->text(), seed, seed_->isChecked() && seed.info);
    accept();
}

void CreateTorrentDialog::cancel() {
    cancel_ = true;
}

void CreateTorrentDialog::reject() {
    // Cancel stops the hashing first; a second press closes.
    if (running()) {
        cancel();
        return;
    }
    QDialog::reject();
}

void CreateTorrentDialog::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void CreateTorrentDialog::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile())
        set_source(urls.front().toLocalFile());
}

}  // namespace shoal::gui
