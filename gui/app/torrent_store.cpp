#include "app/torrent_store.hpp"

#include <algorithm>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include "metainfo/torrent_info.hpp"

namespace shoal::gui {

QString store_id(const AddRequest& request) {
    if (request.info && request.info->info_hash_v1) {
        return QString::fromStdString(request.info->info_hash_v1->hex());
    }
    if (request.info && request.info->info_hash_v2) {
        return QString::fromStdString(request.info->info_hash_v2->hex());
    }
    return QString::fromLatin1(
        QCryptographicHash::hash(request.magnet.toUtf8(), QCryptographicHash::Sha1).toHex());
}

TorrentStore::TorrentStore(QString folder) : folder_(std::move(folder)) {
    QDir().mkpath(folder_);
    QFile index(index_path());
    if (index.open(QIODevice::ReadOnly)) {
        entries_ = QJsonDocument::fromJson(index.readAll()).object();
    }
}

QString TorrentStore::index_path() const {
    return QDir(folder_).filePath(QStringLiteral("torrents.json"));
}

void TorrentStore::write_index() const {
    // Written whole and renamed over the old one, so a crash never leaves half an index.
    QSaveFile out(index_path());
    if (!out.open(QIODevice::WriteOnly))
        return;
    out.write(QJsonDocument(entries_).toJson());
    out.commit();
}

QString TorrentStore::add(const AddRequest& r) {
    const QString id = store_id(r);
    QJsonObject e;
    if (r.info) {
        if (r.torrent_bytes.isEmpty())
            return {};
        QSaveFile file(QDir(folder_).filePath(id + QStringLiteral(".torrent")));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(r.torrent_bytes) != r.torrent_bytes.size() || !file.commit()) {
            return {};
        }
        e[QStringLiteral("file")] = id + QStringLiteral(".torrent");
    } else {
        e[QStringLiteral("magnet")] = r.magnet;
    }
    e[QStringLiteral("save_dir")] = r.save_dir;
    e[QStringLiteral("paused")] = r.paused;
    e[QStringLiteral("sequential")] = r.sequential;
    e[QStringLiteral("added_on")] =
        (r.added_on.isValid() ? r.added_on : QDateTime::currentDateTime()).toString(Qt::ISODate);
    QJsonArray priorities;
    for (int p : r.file_priorities)
        priorities.append(p);
    e[QStringLiteral("priorities")] = priorities;
    QJsonObject names;
    for (const auto& [file, name] : r.file_names)
        names[QString::number(file)] = name;
    e[QStringLiteral("file_names")] = names;
    entries_[id] = e;
    write_index();
    return id;
}

void TorrentStore::remove(const QString& id) {
    if (!entries_.contains(id))
        return;
    const QString file = entries_[id].toObject()[QStringLiteral("file")].toString();
    if (!file.isEmpty())
        QFile::remove(QDir(folder_).filePath(file));
    entries_.remove(id);
    write_index();
}

void TorrentStore::set_paused(const QString& id, bool paused) {
    if (!entries_.contains(id))
        return;
    QJsonObject e = entries_[id].toObject();
    if (e[QStringLiteral("paused")].toBool() == paused)
        return;
    e[QStringLiteral("paused")] = paused;
    entries_[id] = e;
    write_index();
}

void TorrentStore::set_priorities(const QString& id, const std::vector<int>& priorities) {
    if (!entries_.contains(id))
        return;
    QJsonObject e = entries_[id].toObject();
    QJsonArray list;
    for (int p : priorities)
        list.append(p);
    e[QStringLiteral("priorities")] = list;
    entries_[id] = e;
    write_index();
}

void TorrentStore::set_file_name(const QString& id, int file, const QString& name) {
    if (!entries_.contains(id))
        return;
    QJsonObject e = entries_[id].toObject();
    QJsonObject names = e[QStringLiteral("file_names")].toObject();
    names[QString::number(file)] = name;
    e[QStringLiteral("file_names")] = names;
    entries_[id] = e;
    write_index();
}

void TorrentStore::set_trackers(const QString& id, const std::vector<TrackerSnapshot>& trackers) {
    if (!entries_.contains(id))
        return;
    QJsonObject e = entries_[id].toObject();
    QJsonArray tiers;
    for (const auto& t : trackers) {
        const int index = std::clamp(t.tier, 0, 999);
        while (tiers.size() <= index)
            tiers.append(QJsonArray());
        QJsonArray tier = tiers[index].toArray();
        tier.append(t.url);
        tiers[index] = tier;
    }
    e[QStringLiteral("trackers")] = tiers;
    entries_[id] = e;
    write_index();
}

std::vector<std::pair<QString, AddRequest>> TorrentStore::load(QStringList* problems) const {
    std::vector<std::pair<QString, AddRequest>> out;
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        const QJsonObject e = it.value().toObject();
        AddRequest r;
        r.save_dir = e[QStringLiteral("save_dir")].toString();
        r.paused = e[QStringLiteral("paused")].toBool();
        r.sequential = e[QStringLiteral("sequential")].toBool();
        r.added_on = QDateTime::fromString(e[QStringLiteral("added_on")].toString(), Qt::ISODate);
        for (const auto& p : e[QStringLiteral("priorities")].toArray())
            r.file_priorities.push_back(p.toInt());
        if (e.contains(QStringLiteral("trackers"))) {
            std::vector<QStringList> tiers;
            for (const auto& tier : e[QStringLiteral("trackers")].toArray()) {
                QStringList urls;
                for (const auto& url : tier.toArray())
                    urls << url.toString();
                if (!urls.isEmpty())
                    tiers.push_back(urls);
            }
            r.trackers = std::move(tiers);
        }
        const QJsonObject names = e[QStringLiteral("file_names")].toObject();
        for (auto n = names.begin(); n != names.end(); ++n) {
            bool ok = false;
            const int file = n.key().toInt(&ok);
            if (ok && file >= 0)
                r.file_names[file] = n.value().toString();
        }
        r.magnet = e[QStringLiteral("magnet")].toString();
        const QString file = e[QStringLiteral("file")].toString();
        if (!file.isEmpty()) {
            QFile f(QDir(folder_).filePath(file));
            if (!f.open(QIODevice::ReadOnly)) {
                if (problems)
                    *problems << QObject::tr("%1: %2").arg(f.fileName(), f.errorString());
                continue;
            }
            r.torrent_bytes = f.readAll();
            auto parsed = parse_torrent(std::string_view(
                r.torrent_bytes.constData(), static_cast<std::size_t>(r.torrent_bytes.size())));
            if (!parsed) {
                if (problems)
                    *problems << QObject::tr("%1: %2").arg(
                        f.fileName(), QString::fromStdString(parsed.error().message));
                continue;
            }
            r.info = std::make_shared<const TorrentInfo>(std::move(*parsed));
            if (r.file_priorities.size() != r.info->files.size())
                r.file_priorities.clear();
        } else if (r.magnet.isEmpty()) {
            continue;
        }
        out.emplace_back(it.key(), std::move(r));
    }
    // Oldest first, as they were added.
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.second.added_on < b.second.added_on; });
    return out;
}

}  // namespace shoal::gui
