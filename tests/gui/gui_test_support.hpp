#pragma once
// Helpers shared by the GUI tests: real torrent files made from data in a temporary folder.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "engine/engine_types.hpp"
#include "creation/create_torrent.hpp"

namespace shoal::gui::test {

// Writes `size` bytes of a repeatable pattern to `path`, making folders on the way.
inline void write_data(const QString& path, qint64 size, char seed = 'a') {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray block(64 * 1024, Qt::Uninitialized);
    for (int i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>(seed + (i * 7) % 23);
    for (qint64 done = 0; done < size; done += block.size()) {
        f.write(block.constData(), std::min<qint64>(block.size(), size - done));
    }
}

struct MadeTorrent {
    QString torrent_path;
    QString save_dir;
    QByteArray bytes;
    std::shared_ptr<const TorrentInfo> info;
};

// A torrent of `source` (file or folder), written to `torrent_path`.
inline MadeTorrent make_torrent(const QString& source, const QString& torrent_path,
                                TorrentFormat format = TorrentFormat::hybrid) {
    MadeTorrent out;
    CreateOptions o;
    o.format = format;
    o.trackers = {{"http://127.0.0.1:1/announce"}};
    auto created = create_torrent(source.toStdString(), o);
    if (!created)
        qFatal("cannot create a torrent: %s", created.error().message.c_str());
    out.bytes = QByteArray::fromStdString(created->bytes);
    QFile f(torrent_path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(torrent_path));
    f.write(out.bytes);
    out.torrent_path = torrent_path;
    out.save_dir = QString::fromStdString(created->save_dir.string());
    out.info = std::make_shared<const TorrentInfo>(created->info);
    return out;
}

}  // namespace shoal::gui::test
