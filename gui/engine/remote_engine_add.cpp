// RemoteEngine::add. torrent-add carries the torrent file or magnet link, the folder, paused,
// the file choices and sequential download (shoald's sequentialDownload; Transmission's
// torrent-add has no such key). What it cannot carry is sent once the daemon has named the new
// torrent, one call after another: each renamed file (torrent-rename-path, with the file's
// path inside the torrent) and the trackers as edited (torrent-set trackerList, replacing the
// torrent's own). A torrent-get then checks that the trackers and sequential download are what
// was asked, since a daemon may take a key it does not know without a word. Whatever was
// refused or did not take is said through problem(), once.
#include <QJsonArray>
#include <QJsonObject>

#include "engine/remote_engine.hpp"
#include "engine/remote_rpc_values.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::gui {

using namespace rpc_values;

struct RemoteEngine::AddFollowUp {
    struct Rename {
        QString path;  // the file's path inside the torrent, as the RPC's `files` name it
        QString name;  // its new last part
    };
    std::int64_t id = 0;
    QString name;
    std::vector<Rename> renames;
    std::optional<std::vector<QStringList>> trackers;  // tidied (tidy_tiers)
    bool sequential = false;
    bool renamed = false;     // a rename was taken: the file list is asked for again
    QStringList failed;       // sentences: what the daemon refused, with its reason
    QStringList not_applied;  // what was not sent, or sent and not taken
};

namespace {

// Tiers of trimmed URLs, without empty URLs or empty tiers.
std::vector<QStringList> tidy_tiers(const std::vector<QStringList>& tiers) {
    std::vector<QStringList> out;
    for (const QStringList& tier : tiers) {
        QStringList urls;
        for (const QString& url : tier) {
            if (!url.trimmed().isEmpty())
                urls << url.trimmed();
        }
        if (!urls.isEmpty())
            out.push_back(urls);
    }
    return out;
}

// Transmission's trackerList: one announce URL a line, a blank line between tiers.
QString tracker_list_text(const std::vector<QStringList>& tiers) {
    QStringList blocks;
    for (const QStringList& tier : tiers)
        blocks << tier.join(QLatin1Char('\n'));
    return blocks.join(QStringLiteral("\n\n"));
}

std::vector<QStringList> parse_tracker_list(const QString& text) {
    std::vector<QStringList> tiers(1);
    for (const QString& line : text.split(QLatin1Char('\n'))) {
        const QString url = line.trimmed();
        if (!url.isEmpty())
            tiers.back() << url;
        else if (!tiers.back().isEmpty())
            tiers.emplace_back();
    }
    if (tiers.back().isEmpty())
        tiers.pop_back();
    return tiers;
}

QString joined_path(const FileEntry& f) {
    QStringList parts;
    for (const std::string& part : f.path)
        parts << QString::fromStdString(part);
    return parts.join(QLatin1Char('/'));
}

bool is_file_name(const QString& name) {
    return !name.isEmpty() && !name.contains(QLatin1Char('/')) && name != QLatin1String(".") &&
           name != QLatin1String("..");
}

}  // namespace

AddResult RemoteEngine::add(const AddRequest& request) {
    QJsonObject a;
    if (!request.torrent_bytes.isEmpty())
        a.insert("metainfo", QString::fromLatin1(request.torrent_bytes.toBase64()));
    else if (!request.magnet.isEmpty())
        a.insert("filename", request.magnet);
    else
        return AddResult{
            {}, tr("Nothing to add: the daemon needs the torrent file's bytes or a magnet link.")};
    if (!request.save_dir.isEmpty())
        a.insert("download-dir", request.save_dir);
    a.insert("paused", request.paused);
    // The RPC numbers a torrent's files without its BEP 47 pad files.
    const TorrentInfo* info = request.info.get();
    const bool by_info = info && info->files.size() == request.file_priorities.size();
    QJsonArray unwanted, high, low;
    qint64 rpc_index = 0;
    for (std::size_t i = 0; i < request.file_priorities.size(); ++i) {
        if (by_info && info->files[i].pad)
            continue;
        const qint64 index = by_info ? rpc_index++ : static_cast<qint64>(i);
        const int p = request.file_priorities[i];
        if (p == k_priority_skip)
            unwanted.push_back(index);
        else if (p > k_priority_normal)
            high.push_back(index);
        else if (p < k_priority_normal)
            low.push_back(index);
    }
    if (!unwanted.isEmpty())
        a.insert("files-unwanted", unwanted);
    if (!high.isEmpty())
        a.insert("priority-high", high);
    if (!low.isEmpty())
        a.insert("priority-low", low);

    auto follow = std::make_shared<AddFollowUp>();
    if (request.sequential) {
        a.insert("sequentialDownload", true);
        follow->sequential = true;
    }
    // Without the torrent's files (a magnet link) there is no path to rename by.
    if (!request.file_names.empty() && !info)
        follow->not_applied << tr("file names changed in the add dialog");
    for (const auto& [file, name] : request.file_names) {
        if (!info)
            break;
        const bool known = file >= 0 && static_cast<std::size_t>(file) < info->files.size() &&
                           !info->files[static_cast<std::size_t>(file)].pad &&
                           !info->files[static_cast<std::size_t>(file)].path.empty();
        if (!known || !is_file_name(name)) {
            follow->not_applied << tr("the file name “%1”").arg(name);
            continue;
        }
        const FileEntry& entry = info->files[static_cast<std::size_t>(file)];
        if (QString::fromStdString(entry.path.back()) != name)
            follow->renames.push_back({joined_path(entry), name});
    }
    if (request.trackers)
        follow->trackers = tidy_tiers(*request.trackers);

    client_.call(QStringLiteral("torrent-add"), a, [this, follow](const RpcReply& r) {
        if (!r.ok()) {
            emit problem(tr("The daemon did not add the torrent: %1").arg(r.error));
            return;
        }
        if (r.arguments.contains("torrent-duplicate")) {
            emit problem(tr("The daemon already has “%1”.")
                             .arg(r.arguments.value("torrent-duplicate")
                                      .toObject()
                                      .value("name")
                                      .toString()));
            poll_torrents();
            return;
        }
        const QJsonObject added = r.arguments.value("torrent-added").toObject();
        follow->name = added.value("name").toString();
        poll_torrents();
        if (!added.value("id").isDouble()) {
            if (!follow->renames.empty() || follow->trackers || follow->sequential)
                follow->failed << tr(
                    "the daemon did not say which torrent it added, so nothing more was sent");
            finish_added(*follow);
            return;
        }
        follow->id = as_int(added, "id");
        rename_added(follow, 0);
    });
    return {};
}

void RemoteEngine::rename_added(std::shared_ptr<AddFollowUp> follow, std::size_t next) {
    if (next >= follow->renames.size()) {
        set_added_trackers(std::move(follow));
        return;
    }
    const AddFollowUp::Rename& rename = follow->renames[next];
    const QJsonObject a{{"ids", QJsonArray{static_cast<qint64>(follow->id)}},
                        {"path", rename.path},
                        {"name", rename.name}};
    client_.call(QStringLiteral("torrent-rename-path"), a, [this, follow, next](const RpcReply& r) {
        const AddFollowUp::Rename& done = follow->renames[next];
        if (r.ok())
            follow->renamed = true;
        else
            follow->failed << tr("the daemon did not rename “%1” to “%2”: %3")
                                  .arg(done.path, done.name, r.error);
        rename_added(follow, next + 1);
    });
}

void RemoteEngine::set_added_trackers(std::shared_ptr<AddFollowUp> follow) {
    if (!follow->trackers) {
        check_added(std::move(follow));
        return;
    }
    const QJsonObject a{{"ids", QJsonArray{static_cast<qint64>(follow->id)}},
                        {"trackerList", tracker_list_text(*follow->trackers)}};
    client_.call(QStringLiteral("torrent-set"), a, [this, follow](const RpcReply& r) {
        if (!r.ok()) {
            follow->failed << tr("the daemon did not take the trackers: %1").arg(r.error);
            follow->trackers.reset();  // nothing to check
        }
        check_added(follow);
    });
}

void RemoteEngine::check_added(std::shared_ptr<AddFollowUp> follow) {
    if (!follow->trackers && !follow->sequential) {
        finish_added(*follow);
        return;
    }
    const QJsonObject a{{"ids", QJsonArray{static_cast<qint64>(follow->id)}},
                        {"fields", QJsonArray{"id", "sequentialDownload", "trackerList"}}};
    client_.call(QStringLiteral("torrent-get"), a, [this, follow](const RpcReply& r) {
        if (!r.ok()) {
            follow->failed << tr("what the daemon took could not be checked: %1").arg(r.error);
            finish_added(*follow);
            return;
        }
        QJsonObject t;
        for (const QJsonValue& v : r.arguments.value("torrents").toArray()) {
            if (as_int(v.toObject(), "id") == follow->id)
                t = v.toObject();
        }
        // A daemon without the key (Transmission's torrent-add has none) leaves it out.
        if (follow->sequential && !t.value("sequentialDownload").toBool())
            follow->not_applied << tr("sequential download");
        // A daemon older than RPC 17 has no trackerList and took nothing.
        if (follow->trackers &&
            (!t.value("trackerList").isString() ||
             parse_tracker_list(t.value("trackerList").toString()) != *follow->trackers))
            follow->not_applied << tr("the trackers as edited");
        finish_added(*follow);
    });
}

void RemoteEngine::finish_added(const AddFollowUp& follow) {
    if (follow.renamed) {
        // The file list again, with the new names.
        if (const auto it = keys_.find(follow.id); it != keys_.end()) {
            if (Remote* r = remote_of(it->second))
                r->has_files = false;
            need_files_.insert(follow.id);
        }
    }
    QStringList parts = follow.failed;
    if (!follow.not_applied.isEmpty())
        parts << tr("not applied by the daemon: %1")
                     .arg(follow.not_applied.join(QStringLiteral(", ")));
    if (!parts.isEmpty())
        emit problem(tr("Added “%1”; %2.").arg(follow.name, parts.join(QStringLiteral("; "))));
    poll_torrents();
}

}  // namespace shoal::gui
