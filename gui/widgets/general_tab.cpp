#include "widgets/general_tab.hpp"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLocale>
#include <QScrollArea>
#include <QVBoxLayout>

#include "metainfo/torrent_info.hpp"
#include "widgets/piece_bar.hpp"

namespace shoal::gui {

GeneralTab::GeneralTab(QWidget* parent) : QWidget(parent), pieces_(new PieceBar(this)) {
    auto* outer = new QVBoxLayout(this);
    auto* bar_row = new QHBoxLayout;
    bar_row->addWidget(new QLabel(tr("Pieces:"), this));
    bar_row->addWidget(pieces_, 1);
    outer->addLayout(bar_row);

    auto* columns = new QHBoxLayout;
    auto* transfer = new QGroupBox(tr("Transfer"), this);
    auto* tf = new QFormLayout(transfer);
    for (const char* f : {"Status", "Progress", "Downloaded", "Uploaded", "Ratio", "Down speed",
                          "Up speed", "Seeds / peers", "ETA", "Limits"}) {
        add_field(tf, tr(f));
    }
    auto* info = new QGroupBox(tr("Torrent"), this);
    auto* inf = new QFormLayout(info);
    for (const char* f : {"Size", "Pieces", "Save folder", "Info-hash v1", "Info-hash v2",
                          "Created by", "Created on", "Comment", "Added on", "Completed on"}) {
        add_field(inf, tr(f));
    }
    columns->addWidget(transfer, 2);
    columns->addWidget(info, 5);
    outer->addLayout(columns);
    outer->addStretch();
}

QLabel* GeneralTab::add_field(QFormLayout* form, const QString& label) {
    auto* value = new QLabel(this);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    value->setWordWrap(false);
    form->addRow(label + QLatin1Char(':'), value);
    fields_[label] = value;
    return value;
}

QString GeneralTab::field_text(const QString& field) const {
    auto it = fields_.find(field);
    return it == fields_.end() ? QString() : it->second->text();
}

void GeneralTab::show_torrent(const Engine& engine, const TorrentSnapshot* s) {
    if (!s) {
        for (auto& [name, label] : fields_)
            label->clear();
        pieces_->set_pieces({}, true);
        return;
    }
    bool exact = true;
    pieces_->set_pieces(engine.pieces(s->key, &exact), exact);
    const QLocale locale;
    auto set = [&](const char* field, const QString& text) { fields_[tr(field)]->setText(text); };
    set("Status", s->error.isEmpty() ? status_text(s->status)
                                     : status_text(s->status) + QStringLiteral(": ") + s->error);
    set("Progress", QStringLiteral("%1% (%2 of %3)")
                        .arg(s->progress() * 100, 0, 'f', 1)
                        .arg(human_size(s->wanted_done), human_size(s->wanted)));
    set("Downloaded", human_size(s->downloaded));
    set("Uploaded", human_size(s->uploaded));
    set("Ratio", QString::number(s->ratio(), 'f', 2));
    set("Down speed", human_rate(s->down_rate));
    set("Up speed", human_rate(s->up_rate));
    set("Seeds / peers", QStringLiteral("%1 / %2").arg(s->seeds).arg(s->peers));
    set("ETA", s->status == TorrentStatus::downloading ? human_duration(s->eta_seconds())
                                                       : QStringLiteral("–"));
    auto limit = [](std::int64_t v) {
        return v > 0 ? human_rate(static_cast<double>(v)) : tr("none");
    };
    set("Limits", tr("down %1, up %2").arg(limit(s->down_limit), limit(s->up_limit)));
    set("Save folder", s->save_dir);
    set("Added on", locale.toString(s->added_on, QLocale::ShortFormat));
    set("Completed on", s->completed_on.isValid()
                            ? locale.toString(s->completed_on, QLocale::ShortFormat)
                            : QStringLiteral("–"));
    const TorrentInfo* info = s->info.get();
    if (!info) {
        for (const char* f : {"Size", "Pieces", "Info-hash v1", "Info-hash v2", "Created by",
                              "Created on", "Comment"}) {
            set(f, QStringLiteral("–"));
        }
        return;
    }
    set("Size", QStringLiteral("%1 (%2 bytes)")
                    .arg(human_size(info->total_size))
                    .arg(locale.toString(qlonglong(info->total_size))));
    set("Pieces", tr("%1 × %2 (have %3)")
                      .arg(locale.toString(qlonglong(info->num_pieces)))
                      .arg(human_size(info->piece_length))
                      .arg(locale.toString(qlonglong(s->pieces_have))));
    // A description without the info dictionary (a daemon's) may name one hash only; whether
    // the torrent has the other is then not known.
    const bool whole = !info->info_bytes.empty() || s->info_hashes_known;
    set("Info-hash v1", info->info_hash_v1 ? QString::fromStdString(info->info_hash_v1->hex())
                        : whole            ? tr("none (v2 only)")
                                           : tr("not reported"));
    set("Info-hash v2", info->info_hash_v2 ? QString::fromStdString(info->info_hash_v2->hex())
                        : whole            ? tr("none (v1 only)")
                                           : tr("not reported"));
    set("Created by",
        info->created_by.empty() ? QStringLiteral("–") : QString::fromStdString(info->created_by));
    set("Created on", info->creation_date
                          ? locale.toString(QDateTime::fromSecsSinceEpoch(*info->creation_date),
                                            QLocale::ShortFormat)
                          : QStringLiteral("–"));
    QString comment = QString::fromStdString(info->comment);
    if (info->is_private)
        comment = tr("[private] ") + comment;
    set("Comment", comment.isEmpty() ? QStringLiteral("–") : comment);
}

}  // namespace shoal::gui
