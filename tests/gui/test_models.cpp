// Every item model under QAbstractItemModelTester, fed by a FakeEngine.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

#include "fake_engine.hpp"
#include "metainfo/torrent_info.hpp"
#include "models/files_model.hpp"
#include "models/peers_model.hpp"
#include "models/status_filter.hpp"
#include "models/trackers_model.hpp"
#include "models/transfer_filter.hpp"
#include "models/transfer_model.hpp"

using namespace shoal::gui;

class ModelsTest : public QObject {
    Q_OBJECT
  private slots:
    void transfer_model_follows_the_engine();
    void changed_rows_only();
    void filters_by_status_and_text();
    void status_counts();
    void sorts_by_raw_values();
    void peers_model_updates_in_place();
    void trackers_model();
    void files_model_tree_and_priorities();
};

namespace {

FakeTorrent spec(const QString& name, TorrentStatus status, double progress, double down = 0,
                 double up = 0) {
    FakeTorrent t;
    t.name = name;
    t.status = status;
    t.progress = progress;
    t.down_rate = down;
    t.up_rate = up;
    t.peers = 3;
    t.seeds = 2;
    return t;
}

}  // namespace

void ModelsTest::transfer_model_follows_the_engine() {
    FakeEngine engine;
    TransferModel model(engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const TorrentKey a = engine.add_fake(spec("alpha", TorrentStatus::downloading, 0.5, 1000));
    const TorrentKey b = engine.add_fake(spec("beta", TorrentStatus::seeding, 1.0, 0, 500));
    engine.add_fake(spec("gamma", TorrentStatus::paused, 0.2));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(1, TransferModel::name).data().toString(), QStringLiteral("beta"));
    QCOMPARE(model.index(0, TransferModel::progress).data().toString(), QStringLiteral("50.0%"));
    QCOMPARE(model.index(1, TransferModel::status).data().toString(), QStringLiteral("Seeding"));
    QVERIFY(!model.index(0, TransferModel::eta).data().toString().isEmpty());
    QCOMPARE(model.key_at(1), b);
    engine.remove(a, false);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, TransferModel::name).data().toString(), QStringLiteral("beta"));
    for (int c = 0; c < TransferModel::column_count; ++c) {
        QVERIFY(!model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString().isEmpty());
    }
    engine.step();
}

void ModelsTest::changed_rows_only() {
    FakeEngine engine;
    TransferModel model(engine);
    for (int i = 0; i < 10; ++i)
        engine.add_fake(spec(QStringLiteral("t%1").arg(i), TorrentStatus::downloading, 0.1));
    engine.refresh();  // what the additions themselves published
    QSignalSpy spy(&model, &QAbstractItemModel::dataChanged);
    engine.pause(TorrentKey{3});
    engine.pause(TorrentKey{4});
    engine.pause(TorrentKey{8});
    engine.refresh();
    // Rows 2-3 (keys 3, 4) are one run, row 7 (key 8) another.
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy[0][0].toModelIndex().row(), 2);
    QCOMPARE(spy[0][1].toModelIndex().row(), 3);
    QCOMPARE(spy[1][0].toModelIndex().row(), 7);
    spy.clear();
    engine.refresh();  // nothing changed since
    QCOMPARE(spy.count(), 0);
}

void ModelsTest::filters_by_status_and_text() {
    FakeEngine engine;
    TransferModel model(engine);
    TransferFilter filter(engine);
    filter.setSourceModel(&model);
    QAbstractItemModelTester tester(&filter,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    engine.add_fake(spec("Debian ISO", TorrentStatus::downloading, 0.5, 1000));
    engine.add_fake(spec("Ubuntu ISO", TorrentStatus::seeding, 1.0, 0, 10));
    engine.add_fake(spec("Photos", TorrentStatus::paused, 1.0));
    auto broken = spec("Broken", TorrentStatus::error, 0.0);
    broken.error = "disk full";
    engine.add_fake(broken);
    engine.add_fake(spec("Checking", TorrentStatus::checking, 0.0));
    QCOMPARE(filter.rowCount(), 5);
    filter.set_status_filter(StatusFilter::downloading);
    QCOMPARE(filter.rowCount(), 1);
    filter.set_status_filter(StatusFilter::completed);
    QCOMPARE(filter.rowCount(), 2);
    filter.set_status_filter(StatusFilter::active);
    QCOMPARE(filter.rowCount(), 2);
    filter.set_status_filter(StatusFilter::errored);
    QCOMPARE(filter.rowCount(), 1);
    filter.set_status_filter(StatusFilter::all);
    filter.set_text_filter("iso");
    QCOMPARE(filter.rowCount(), 2);
    filter.set_status_filter(StatusFilter::seeding);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, 0).data().toString(), QStringLiteral("Ubuntu ISO"));
    // A torrent leaving the filter's status leaves the view after a refresh.
    engine.pause(TorrentKey{2});
    engine.refresh();
    QCOMPARE(filter.rowCount(), 0);
}

void ModelsTest::status_counts() {
    FakeEngine engine;
    StatusFilterModel model(engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    engine.add_fake(spec("a", TorrentStatus::downloading, 0.5, 10));
    engine.add_fake(spec("b", TorrentStatus::downloading, 0.1));
    engine.add_fake(spec("c", TorrentStatus::seeding, 1.0));
    QCOMPARE(model.rowCount(), k_status_filter_count);
    // Additions are counted once the event loop runs, however many there were.
    QCOMPARE(model.count(StatusFilter::all), 0);
    QTRY_COMPARE(model.count(StatusFilter::all), 3);
    QCOMPARE(model.count(StatusFilter::downloading), 2);
    QCOMPARE(model.count(StatusFilter::active), 1);
    QCOMPARE(model.index(1).data().toString(), QStringLiteral("Downloading (2)"));
    engine.pause(TorrentKey{1});
    engine.refresh();
    QCOMPARE(model.count(StatusFilter::downloading), 1);
    QCOMPARE(model.count(StatusFilter::paused), 1);
}

void ModelsTest::sorts_by_raw_values() {
    FakeEngine engine;
    TransferModel model(engine);
    TransferFilter filter(engine);
    filter.setSourceModel(&model);
    auto small = spec("small", TorrentStatus::downloading, 0.1, 2 * 1024 * 1024);
    small.file_sizes = {900 * 1024};
    auto large = spec("large", TorrentStatus::downloading, 0.1, 512);
    large.file_sizes = {std::int64_t{3} << 30};
    engine.add_fake(large);
    engine.add_fake(small);
    // "900.0 KiB" sorts after "3.00 GiB" as text; by bytes it comes first.
    filter.sort(TransferModel::size, Qt::AscendingOrder);
    QCOMPARE(filter.index(0, 0).data().toString(), QStringLiteral("small"));
    filter.sort(TransferModel::down_rate, Qt::DescendingOrder);
    QCOMPARE(filter.index(0, 0).data().toString(), QStringLiteral("small"));
}

void ModelsTest::peers_model_updates_in_place() {
    PeersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    PeerSnapshot a{"10.0.0.1:1", "qBittorrent", "D", 0.5, 100, 10};
    PeerSnapshot b{"10.0.0.2:2", "aria2", "U", -1, -1, -1};
    model.set_peers({a, b});
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, PeersModel::progress).data().toString(), QStringLiteral("–"));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    a.down_rate = 200;
    PeerSnapshot c{"10.0.0.3:3", "Transmission", "", 1, 0, 0};
    model.set_peers({c, a});
    QCOMPARE(removed.count(), 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0, PeersModel::address).data().toString(), QStringLiteral("10.0.0.1:1"));
    QCOMPARE(model.index(1, PeersModel::client).data().toString(), QStringLiteral("Transmission"));
    model.set_peers({});
    QCOMPARE(model.rowCount(), 0);
}

void ModelsTest::trackers_model() {
    FakeEngine engine;
    const TorrentKey key = engine.add_fake(spec("t", TorrentStatus::downloading, 0.1));
    TrackersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.set_trackers(engine.trackers(key));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1, TrackersModel::tier).data().toInt(), 2);
    QVERIFY(model.index(0, TrackersModel::url).data().toString().startsWith("udp://"));
    engine.add_tracker(key, "http://new.example/announce", 2);
    model.set_trackers(engine.trackers(key));
    QCOMPARE(model.rowCount(), 3);
    engine.remove_tracker(key, model.url_at(0));
    model.set_trackers(engine.trackers(key));
    QCOMPARE(model.rowCount(), 2);
}

void ModelsTest::files_model_tree_and_priorities() {
    FilesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto info = make_fake_info("album", {100, 200, 300, 400});
    model.set_torrent(info, {});
    // album/ holds data/ (files 0, 1, 3) and extras/ (file 2).
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex top = model.index(0, 0);
    QCOMPARE(top.data().toString(), QStringLiteral("album"));
    QCOMPARE(model.rowCount(top), 2);
    QCOMPARE(model.index(0, FilesModel::size).data().toString(), QStringLiteral("1000 B"));
    QSignalSpy changed(&model, &FilesModel::priority_changed);
    const QModelIndex extras = model.index(1, 0, top);
    QCOMPARE(extras.data().toString(), QStringLiteral("extras"));
    QVERIFY(model.setData(extras, Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toInt(), 2);
    QCOMPARE(changed[0][1].toInt(), k_priority_skip);
    QCOMPARE(top.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::PartiallyChecked);
    QCOMPARE(model.priorities(), (std::vector<int>{4, 4, 0, 4}));
    model.set_priority(model.index(0, 0, top), k_priority_high);
    QCOMPARE(model.priorities(), (std::vector<int>{7, 7, 0, 7}));
    QCOMPARE(model.index(0, FilesModel::priority, top).data().toString(), QStringLiteral("High"));
    QCOMPARE(top.siblingAtColumn(FilesModel::priority).data().toString(), QStringLiteral("Mixed"));
    model.update_priorities({4, 4, 4, 4});
    QCOMPARE(top.data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QCOMPARE(model.relative_path(model.index(0, 0, extras)),
             QStringLiteral("album/extras/part-2.bin"));
    // Progress appears once known: per file, and per folder from what it holds.
    QVERIFY(model.index(0, FilesModel::progress).data().isNull());
    QSignalSpy progress(&model, &FilesModel::dataChanged);
    model.set_done({50, 200, 0, 400});
    QCOMPARE(model.index(0, FilesModel::progress).data().toString(), QStringLiteral("65.0%"));
    QCOMPARE(model.index(0, FilesModel::progress, extras).data().toString(), QStringLiteral("0.0%"));
    progress.clear();
    model.set_done({50, 200, 300, 400});  // only file 2 and its folders change
    QCOMPARE(progress.count(), 3);
    QCOMPARE(extras.siblingAtColumn(FilesModel::progress).data().toString(), QStringLiteral("100.0%"));
    // Without a rename handler names are read-only.
    QVERIFY(!(model.flags(model.index(0, 0, extras)) & Qt::ItemIsEditable));
    QString renamed;
    model.set_rename_handler([&](int file, const QString& name) {
        renamed = QStringLiteral("%1=%2").arg(file).arg(name);
        return QString();
    });
    QVERIFY(model.setData(model.index(0, 0, extras), "cover.bin", Qt::EditRole));
    QCOMPARE(renamed, QStringLiteral("2=cover.bin"));
    QCOMPARE(model.index(0, 0, extras).data().toString(), QStringLiteral("cover.bin"));
}

QTEST_MAIN(ModelsTest)
#include "test_models.moc"
