// RemoteEngine against a real shoald on loopback (a fresh state folder, credentials on), and
// against a small HTTP server of the test's own that answers badly (not JSON, too large,
// nothing at all). SHOALD names the daemon's binary.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include "dialogs/limits_dialog.hpp"
#include "engine/remote_engine.hpp"
#include "engine/rpc_client.hpp"
#include "gui_test_support.hpp"
#include "metainfo/torrent_info.hpp"
#include "widgets/general_tab.hpp"

using namespace shoal::gui;
using namespace shoal::gui::test;
using shoal::TorrentFormat;
using shoal::TorrentInfo;

namespace {

constexpr auto k_user = "alice";
constexpr auto k_password = "right horse battery";

int free_port() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    return probe.serverPort();
}

// Answers every request the same way, or never.
class BadServer : public QObject {
  public:
    enum class Mode { not_json, too_large_declared, too_large_streamed, silent, json_array };
    explicit BadServer(Mode mode) : mode_(mode) {
        server_.listen(QHostAddress::LocalHost, 0);
        connect(&server_, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket* socket = server_.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { answer(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort())); }

  private:
    void answer(QTcpSocket* socket) {
        socket->readAll();
        if (socket->property("answered").toBool() || mode_ == Mode::silent)
            return;
        socket->setProperty("answered", true);
        QByteArray body;
        QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n";
        switch (mode_) {
            case Mode::not_json:
                body = "{\"result\": \"success\", \"arguments\": {\"torrents\": [";
                break;
            case Mode::json_array:
                body = "[1, 2, 3]";
                break;
            case Mode::too_large_declared:
            case Mode::too_large_streamed:
                body = "{\"result\":\"success\",\"arguments\":{\"torrents\":[]},\"pad\":\"" +
                       QByteArray(2 * 1024 * 1024, 'x') + "\"}";
                break;
            case Mode::silent:
                return;
        }
        if (mode_ != Mode::too_large_streamed)
            head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        socket->write(head + "\r\n" + body);
        socket->disconnectFromHost();
    }

    Mode mode_;
    QTcpServer server_;
};

}  // namespace

class RemoteEngineTest : public QObject {
    Q_OBJECT
  private slots:
    void initTestCase();
    void cleanupTestCase();
    void lists_the_daemons_torrents_and_pauses_one();
    void shows_the_file_list_of_the_selected_torrent();
    void a_new_torrent_gets_its_files_while_another_is_selected();
    void removes_a_torrent_the_daemon_dropped();
    void a_wrong_password_is_a_readable_problem();
    void a_refused_connection_is_a_readable_problem_and_polling_goes_on();
    void malformed_replies_are_refused();
    void oversized_replies_are_refused();
    void a_silent_daemon_times_out();
    void moves_a_torrents_data_and_its_place_in_the_queue();
    void the_add_dialogs_extras_reach_the_daemon();
    void trackers_the_daemon_refuses_are_a_problem();
    void the_general_tab_names_each_info_hash();
    void limits_set_in_kib_come_back_as_set();

  private:
    // A torrent-get straight to the daemon.
    QJsonArray daemon_torrents(const QJsonArray& fields = {"id", "name", "status"});
    // The torrent named `name` in a torrent-get of `fields` straight to the daemon.
    QJsonObject daemon_torrent(const QString& name, QJsonArray fields);
    std::unique_ptr<RemoteEngine> engine(const QString& password = k_password);

    QTemporaryDir dir_;
    QProcess daemon_;
    QUrl url_;
    MadeTorrent first_;
    MadeTorrent second_;
};

void RemoteEngineTest::initTestCase() {
    QVERIFY(dir_.isValid());
    const QByteArray shoald = qgetenv("SHOALD");
    QVERIFY2(!shoald.isEmpty(), "SHOALD names the shoald binary");
    const QString data = dir_.filePath("data");
    write_data(data + "/alpha.bin", 300 * 1024 + 17);
    write_data(data + "/beta/one.bin", 200 * 1024, 'k');
    write_data(data + "/beta/two.bin", 100 * 1024 + 3, 'q');
    first_ = make_torrent(data + "/alpha.bin", dir_.filePath("alpha.torrent"));
    second_ = make_torrent(data + "/beta", dir_.filePath("beta.torrent"));

    const int port = free_port();
    url_ = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    QFile config(dir_.filePath("shoald.toml"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("state_dir = \"%1\"\ndownload_dir = \"%2\"\nrpc_bind = \"127.0.0.1:%3\"\n"
                                "port = %6\nlisten = \"127.0.0.1\"\ndht = false\nlsd = false\n"
                                "port_mapping = false\nrpc_username = \"%4\"\nrpc_password = \"%5\"\n")
                     .arg(dir_.filePath("state"), data)
                     .arg(port)
                     .arg(k_user, k_password)
                     .arg(free_port())
                     .toUtf8());
    config.close();
    daemon_.setProcessChannelMode(QProcess::ForwardedChannels);
    daemon_.start(QString::fromLocal8Bit(shoald), {"--config", config.fileName(), "--foreground"});
    QVERIFY(daemon_.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, static_cast<quint16>(port));
            return probe.waitForConnected(200);
        }(),
        20000);
}

void RemoteEngineTest::cleanupTestCase() {
    if (daemon_.state() == QProcess::NotRunning)
        return;
    daemon_.terminate();
    if (!daemon_.waitForFinished(30000))
        daemon_.kill();
}

std::unique_ptr<RemoteEngine> RemoteEngineTest::engine(const QString& password) {
    return std::make_unique<RemoteEngine>(url_, k_user, password, nullptr, 200);
}

QJsonArray RemoteEngineTest::daemon_torrents(const QJsonArray& fields) {
    RpcClient client(url_);
    client.set_credentials(k_user, k_password);
    QJsonArray out;
    bool done = false;
    client.call("torrent-get", QJsonObject{{"fields", fields}},
                [&](const RpcReply& r) {
                    if (!r.ok())
                        qWarning("torrent-get: %s", qPrintable(r.error));
                    out = r.arguments.value("torrents").toArray();
                    done = true;
                });
    QDeadlineTimer deadline(10000);
    while (!done && !deadline.hasExpired())
        QTest::qWait(20);
    if (!done)
        qWarning("torrent-get: no answer in 10 s");
    return out;
}

QJsonObject RemoteEngineTest::daemon_torrent(const QString& name, QJsonArray fields) {
    fields.append("name");
    for (const QJsonValue& t : daemon_torrents(fields)) {
        if (t["name"].toString() == name)
            return t.toObject();
    }
    return {};
}

namespace {

// The engine's key of the torrent named `name`, once its list has it.
std::optional<TorrentKey> key_named(const Engine& e, const QString& name) {
    for (const auto& s : e.torrents()) {
        if (s.name == name)
            return s.key;
    }
    return std::nullopt;
}

}  // namespace

void RemoteEngineTest::lists_the_daemons_torrents_and_pauses_one() {
    auto e = engine();
    // Added through the engine: torrent-add with the file's bytes, seeding from where the
    // data lies.
    for (const MadeTorrent* t : {&first_, &second_}) {
        AddRequest r;
        r.torrent_bytes = t->bytes;
        r.info = t->info;
        r.save_dir = t->save_dir;
        QVERIFY(e->add(r).ok());
    }
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{2}, 10000);
    QVERIFY(e->connected());
    QStringList names;
    for (const auto& s : e->torrents())
        names << s.name;
    names.sort();
    QCOMPARE(names, (QStringList{"alpha.bin", "beta"}));
    const TorrentKey key = e->torrents().front().key;
    QTRY_VERIFY_WITH_TIMEOUT(e->find(key)->status == TorrentStatus::seeding, 20000);
    QVERIFY(e->find(key)->finished);
    QCOMPARE(e->find(key)->save_dir, first_.save_dir);

    // A second engine sees the same list at once (the first poll asks for all of it).
    auto other = engine();
    QTRY_COMPARE_WITH_TIMEOUT(other->torrents().size(), std::size_t{2}, 10000);

    QSignalSpy changed(e.get(), &Engine::torrents_changed);
    e->pause(key);
    QTRY_VERIFY_WITH_TIMEOUT(e->find(key)->status == TorrentStatus::paused, 10000);
    QVERIFY(!changed.isEmpty());
    // The daemon itself says stopped (Transmission's status 0): pause was torrent-stop.
    bool stopped = false;
    for (const QJsonValue& t : daemon_torrents()) {
        if (t["name"].toString() == e->find(key)->name)
            stopped = t["status"].toInt() == 0;
    }
    QVERIFY(stopped);
    // The other engine hears of it through "recently-active".
    QTRY_VERIFY_WITH_TIMEOUT(other->find(other->torrents().front().key)->status == TorrentStatus::paused ||
                                 other->find(other->torrents().back().key)->status == TorrentStatus::paused,
                             10000);
    e->resume(key);
    QTRY_VERIFY_WITH_TIMEOUT(e->find(key)->status == TorrentStatus::seeding, 20000);
}

void RemoteEngineTest::shows_the_file_list_of_the_selected_torrent() {
    auto e = engine();
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{2}, 10000);
    TorrentKey beta;
    for (const auto& s : e->torrents()) {
        if (s.name == "beta")
            beta = s.key;
    }
    QVERIFY(beta.value != 0);
    QTRY_VERIFY_WITH_TIMEOUT(e->find(beta)->info != nullptr, 10000);
    const auto& info = *e->find(beta)->info;
    QCOMPARE(info.files.size(), std::size_t{2});
    // As the daemon counts it (with the pad files of a hybrid torrent), which the list leaves out.
    QCOMPARE(info.total_size, second_.info->total_size);
    QCOMPARE(info.piece_length, second_.info->piece_length);
    // Priorities and per-file progress come with the detail fields once the views ask.
    QTRY_COMPARE_WITH_TIMEOUT(e->file_priorities(beta).size(), std::size_t{2}, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(e->file_progress(beta) == (std::vector<std::int64_t>{200 * 1024, 100 * 1024 + 3}),
                             10000);
    // Which pieces the daemon has, from `pieces`: all of them.
    const auto all_pieces = [&] {
        bool exact = false;
        const auto pieces = e->pieces(beta, &exact);
        return exact && pieces.size() == static_cast<std::size_t>(second_.info->num_pieces) &&
               std::all_of(pieces.begin(), pieces.end(), [](std::uint8_t p) { return p != 0; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(all_pieces(), 10000);
    e->set_file_priority(beta, 1, k_priority_skip);
    // The daemon itself has the second file unwanted: torrent-set files-unwanted.
    const auto daemon_wanted = [&] {
        for (const QJsonValue& t : daemon_torrents({"name", "wanted"})) {
            if (t["name"].toString() == "beta")
                return t["wanted"].toArray();
        }
        return QJsonArray{};
    };
    QTRY_COMPARE_WITH_TIMEOUT(daemon_wanted(), (QJsonArray{1, 0}), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(e->file_priorities(beta) == (std::vector<int>{k_priority_normal, k_priority_skip}),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(!e->trackers(beta).empty(), 10000);
    QCOMPARE(e->trackers(beta).front().url, QStringLiteral("http://127.0.0.1:1/announce"));
    e->set_file_priority(beta, 1, k_priority_normal);
}

void RemoteEngineTest::a_new_torrent_gets_its_files_while_another_is_selected() {
    auto e = engine();
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{2}, 10000);
    const TorrentKey selected = e->torrents().front().key;
    // The views read the selected torrent's details before every poll, as the window's tabs do.
    const auto watch = [&] { (void)e->file_progress(selected); };
    watch();
    const QString source = dir_.filePath("data/gamma.bin");
    write_data(source, 64 * 1024 + 5, 'g');
    const MadeTorrent gamma = make_torrent(source, dir_.filePath("gamma.torrent"));
    AddRequest r;
    r.torrent_bytes = gamma.bytes;
    r.info = gamma.info;
    r.save_dir = gamma.save_dir;
    QVERIFY(e->add(r).ok());
    std::optional<TorrentKey> added;
    QTRY_VERIFY_WITH_TIMEOUT((watch(), added = key_named(*e, "gamma.bin")).has_value(), 10000);
    // Its file list (and so its size in the list) comes although another torrent is watched.
    QTRY_VERIFY_WITH_TIMEOUT((watch(), e->find(*added)->info != nullptr), 10000);
    QCOMPARE(e->find(*added)->info->total_size, gamma.info->total_size);
    e->remove(*added, false);
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{2}, 10000);
}

void RemoteEngineTest::removes_a_torrent_the_daemon_dropped() {
    auto e = engine();
    auto other = engine();
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{2}, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(other->torrents().size(), std::size_t{2}, 10000);
    const TorrentKey key = e->torrents().back().key;
    const QString name = e->find(key)->name;
    e->remove(key, false);
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{1}, 10000);
    // The other engine learns it from the "removed" ids of its recently-active poll.
    QTRY_COMPARE_WITH_TIMEOUT(other->torrents().size(), std::size_t{1}, 10000);
    QVERIFY(other->torrents().front().name != name);
    QVERIFY(QFileInfo::exists(second_.save_dir + "/beta/one.bin"));
}

void RemoteEngineTest::a_wrong_password_is_a_readable_problem() {
    auto e = engine("wrong");
    QSignalSpy problems(e.get(), &Engine::problem);
    QSignalSpy asked(e.get(), &RemoteEngine::credentials_needed);
    QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10000);
    const QString message = problems.front().front().toString();
    QVERIFY2(message.contains("refused the user name or password"), qPrintable(message));
    QVERIFY(!asked.isEmpty());
    QVERIFY(e->torrents().empty());
    QVERIFY(!e->connected());
    // The right password, given later, connects.
    e->set_credentials(k_user, k_password);
    QTRY_VERIFY_WITH_TIMEOUT(e->connected(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(e->torrents().size(), std::size_t{1}, 10000);
}

void RemoteEngineTest::a_refused_connection_is_a_readable_problem_and_polling_goes_on() {
    const int port = free_port();
    RemoteEngine e(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), {}, {}, nullptr, 100);
    QSignalSpy problems(&e, &Engine::problem);
    QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10000);
    QVERIFY2(problems.front().front().toString().contains("connection refused"),
             qPrintable(problems.front().front().toString()));
    // A daemon that appears later is found without anything done.
    QTcpServer late;
    QVERIFY(late.listen(QHostAddress::LocalHost, static_cast<quint16>(port)));
    QTRY_VERIFY_WITH_TIMEOUT(late.hasPendingConnections(), 10000);
}

void RemoteEngineTest::malformed_replies_are_refused() {
    for (auto mode : {BadServer::Mode::not_json, BadServer::Mode::json_array}) {
        BadServer server(mode);
        RemoteEngine e(server.url(), {}, {}, nullptr, 100);
        QSignalSpy problems(&e, &Engine::problem);
        QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10000);
        QVERIFY2(problems.front().front().toString().contains("not a JSON object"),
                 qPrintable(problems.front().front().toString()));
        QVERIFY(e.torrents().empty());
    }
}

void RemoteEngineTest::oversized_replies_are_refused() {
    for (auto mode : {BadServer::Mode::too_large_declared, BadServer::Mode::too_large_streamed}) {
        BadServer server(mode);
        RemoteEngine e(server.url(), {}, {}, nullptr, 100);
        e.client().set_limits(1024 * 1024, 5000);
        QSignalSpy problems(&e, &Engine::problem);
        QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10000);
        QVERIFY2(problems.front().front().toString().contains("larger than 1 MiB"),
                 qPrintable(problems.front().front().toString()));
        QVERIFY(e.torrents().empty());
    }
}

void RemoteEngineTest::a_silent_daemon_times_out() {
    BadServer server(BadServer::Mode::silent);
    RemoteEngine e(server.url(), {}, {}, nullptr, 100);
    e.client().set_limits(1024 * 1024, 1000);
    QSignalSpy problems(&e, &Engine::problem);
    QTRY_VERIFY_WITH_TIMEOUT(!problems.isEmpty(), 10000);
    QVERIFY2(problems.front().front().toString().contains("did not answer within 1 seconds"),
             qPrintable(problems.front().front().toString()));
}

// Set Location is torrent-set-location, the queue's moves queue-move-*.
void RemoteEngineTest::moves_a_torrents_data_and_its_place_in_the_queue() {
    auto e = engine();
    const QString data = dir_.filePath("data");
    write_data(data + "/gamma.bin", 64 * 1024 + 5, 'g');
    const MadeTorrent gamma = make_torrent(data + "/gamma.bin", dir_.filePath("gamma.torrent"));
    AddRequest r;
    r.torrent_bytes = gamma.bytes;
    r.info = gamma.info;
    r.save_dir = gamma.save_dir;
    QVERIFY(e->add(r).ok());
    // The daemon's key for it comes with the list.
    auto gamma_key = [&] {
        for (const auto& s : e->torrents()) {
            if (s.name == QStringLiteral("gamma.bin"))
                return std::optional<TorrentKey>(s.key);
        }
        return std::optional<TorrentKey>();
    };
    QTRY_VERIFY_WITH_TIMEOUT(gamma_key() && e->find(*gamma_key())->status == TorrentStatus::seeding, 20000);
    const TorrentKey key = *gamma_key();

    const QString moved = dir_.filePath("moved");
    QVERIFY(QDir().mkpath(moved));
    QCOMPARE(e->set_location(key, moved, true), QString());
    QTRY_COMPARE_WITH_TIMEOUT(e->find(key)->save_dir, moved, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(moved + "/gamma.bin"), 10000);
    QVERIFY(!QFile::exists(data + "/gamma.bin"));

    auto position = [&] {
        for (const QJsonValue& t : daemon_torrents({"name", "queuePosition"})) {
            if (t["name"].toString() == QStringLiteral("gamma.bin"))
                return t["queuePosition"].toInt();
        }
        return -1;
    };
    QVERIFY(position() > 0);
    e->move_in_queue({key}, shoal::control::QueueMove::top);
    QTRY_COMPARE_WITH_TIMEOUT(position(), 0, 10000);
}

// What torrent-add cannot carry is sent once the daemon has the torrent: a file renamed in the
// add dialog (torrent-rename-path), the trackers as edited (torrent-set trackerList), and
// sequential download (shoald's torrent-add key); the file choices go by the RPC's file
// numbers, which leave out a hybrid torrent's pad files.
void RemoteEngineTest::the_add_dialogs_extras_reach_the_daemon() {
    auto e = engine();
    QSignalSpy problems(e.get(), &Engine::problem);
    const QString data = dir_.filePath("data");
    write_data(data + "/delta/a.bin", 40 * 1024 + 1, 'd');
    write_data(data + "/delta/sub/b.bin", 30 * 1024 + 2, 'e');
    write_data(data + "/delta/sub/c.bin", 20 * 1024 + 3, 'f');
    const MadeTorrent delta = make_torrent(data + "/delta", dir_.filePath("delta.torrent"));
    std::map<std::string, int> index;  // file name -> Shoal's file index (pad files counted)
    for (std::size_t i = 0; i < delta.info->files.size(); ++i) {
        if (!delta.info->files[i].pad)
            index[delta.info->files[i].path.back()] = static_cast<int>(i);
    }
    QCOMPARE(index.size(), std::size_t{3});
    QVERIFY2(delta.info->files.size() > 3, "a hybrid torrent of several files has pad files");

    AddRequest r;
    r.torrent_bytes = delta.bytes;
    r.info = delta.info;
    r.save_dir = delta.save_dir;
    r.paused = true;
    r.sequential = true;
    r.file_names[index["b.bin"]] = QStringLiteral("renamed.bin");
    r.file_priorities.assign(delta.info->files.size(), k_priority_normal);
    r.file_priorities[static_cast<std::size_t>(index["c.bin"])] = k_priority_skip;
    r.trackers = std::vector<QStringList>{{"http://127.0.0.1:2/announce"},
                                          {"udp://127.0.0.1:3/announce", " http://127.0.0.1:4/announce "}};
    QVERIFY(e->add(r).ok());

    const QJsonArray fields{"files", "trackerList", "sequentialDownload", "wanted"};
    const auto file_names = [&] {
        QStringList names;
        for (const QJsonValue& f : daemon_torrent("delta", fields)["files"].toArray())
            names << f["name"].toString();
        return names;
    };
    QTRY_COMPARE_WITH_TIMEOUT(file_names(),
                              (QStringList{"delta/a.bin", "delta/sub/renamed.bin", "delta/sub/c.bin"}), 10000);
    const QJsonObject t = daemon_torrent("delta", fields);
    QCOMPARE(t["trackerList"].toString(),
             QStringLiteral("http://127.0.0.1:2/announce\n\nudp://127.0.0.1:3/announce\nhttp://127.0.0.1:4/announce\n"));
    QCOMPARE(t["sequentialDownload"].toBool(), true);
    QCOMPARE(t["wanted"].toArray(), (QJsonArray{1, 1, 0}));

    // The engine lists the new name too, and nothing was said to be missing.
    const auto renamed_listed = [&] {
        const auto key = key_named(*e, "delta");
        const TorrentSnapshot* s = key ? e->find(*key) : nullptr;
        if (!s || !s->info)
            return false;
        return std::any_of(s->info->files.begin(), s->info->files.end(),
                           [](const auto& f) { return f.path.back() == "renamed.bin"; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(renamed_listed(), 10000);
    QTest::qWait(500);
    for (const auto& p : problems)
        QVERIFY2(!p.front().toString().contains("Added"), qPrintable(p.front().toString()));
}

// A follow-up the daemon refuses is said, with the daemon's reason; the torrent stays added.
void RemoteEngineTest::trackers_the_daemon_refuses_are_a_problem() {
    auto e = engine();
    QSignalSpy problems(e.get(), &Engine::problem);
    const QString data = dir_.filePath("data");
    write_data(data + "/epsilon.bin", 10 * 1024 + 7, 'x');
    const MadeTorrent epsilon = make_torrent(data + "/epsilon.bin", dir_.filePath("epsilon.torrent"));
    AddRequest r;
    r.torrent_bytes = epsilon.bytes;
    r.info = epsilon.info;
    r.save_dir = epsilon.save_dir;
    r.paused = true;
    r.trackers = std::vector<QStringList>{{"not a tracker"}};
    QVERIFY(e->add(r).ok());
    const auto said = [&] {
        for (const auto& p : problems) {
            const QString text = p.front().toString();
            if (text.contains("“epsilon.bin”") && text.contains("did not take the trackers"))
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(said(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(key_named(*e, "epsilon.bin").has_value(), 10000);
    // The torrent keeps its own tracker.
    QCOMPARE(daemon_torrent("epsilon.bin", {"trackerList"})["trackerList"].toString(),
             QStringLiteral("http://127.0.0.1:1/announce\n"));
}

// Transmission's hashString names one hash; shoald's shoalInfoHashV1 and V2 name both, so the
// General tab says each, or that the torrent has none of that version.
void RemoteEngineTest::the_general_tab_names_each_info_hash() {
    auto e = engine();
    const QString data = dir_.filePath("data");
    struct Case {
        const char* name;
        TorrentFormat format;
    };
    std::vector<std::pair<QString, MadeTorrent>> made;
    for (const Case& c : {Case{"hash-hybrid.bin", TorrentFormat::hybrid}, Case{"hash-v1.bin", TorrentFormat::v1},
                          Case{"hash-v2.bin", TorrentFormat::v2}}) {
        const QString name = QString::fromLatin1(c.name);
        write_data(data + "/" + name, 20 * 1024 + 9, 'h');
        made.emplace_back(name, make_torrent(data + "/" + name, dir_.filePath(name + ".torrent"), c.format));
        AddRequest r;
        r.torrent_bytes = made.back().second.bytes;
        r.info = made.back().second.info;
        r.save_dir = made.back().second.save_dir;
        r.paused = true;
        QVERIFY(e->add(r).ok());
    }
    GeneralTab tab;
    for (const auto& [name, torrent] : made) {
        QTRY_VERIFY_WITH_TIMEOUT(key_named(*e, name) && e->find(*key_named(*e, name))->info, 10000);
        tab.show_torrent(*e, e->find(*key_named(*e, name)));
        const TorrentInfo& info = *torrent.info;
        const QString v1 = info.info_hash_v1 ? QString::fromStdString(info.info_hash_v1->hex())
                                             : QStringLiteral("none (v2 only)");
        const QString v2 = info.info_hash_v2 ? QString::fromStdString(info.info_hash_v2->hex())
                                             : QStringLiteral("none (v1 only)");
        QCOMPARE(tab.field_text("Info-hash v1"), v1);
        QCOMPARE(tab.field_text("Info-hash v2"), v2);
    }
}

// The desktop client's limits are whole KiB/s and the RPC's whole kB/s: a limit set through the
// engine is sent to the nearest kB/s, so that it reads back as the KiB/s it was set to (sent
// rounded down, 147 KiB/s came back as 146).
void RemoteEngineTest::limits_set_in_kib_come_back_as_set() {
    auto e = engine();
    QTRY_VERIFY_WITH_TIMEOUT(key_named(*e, "alpha.bin").has_value(), 10000);
    const TorrentKey key = *key_named(*e, "alpha.bin");
    e->set_torrent_limits(key, 147 * 1024, 100 * 1024);
    QTRY_VERIFY_WITH_TIMEOUT(e->find(key)->up_limit > 0 && e->find(key)->down_limit > 0, 10000);
    const QJsonObject t = daemon_torrent("alpha.bin", {"uploadLimit", "downloadLimit"});
    QCOMPARE(t["uploadLimit"].toInt(), 151);  // 150,528 bytes/s
    QCOMPARE(t["downloadLimit"].toInt(), 102);
    const std::unique_ptr<QSpinBox> up(make_rate_box(e->find(key)->up_limit, nullptr));
    const std::unique_ptr<QSpinBox> down(make_rate_box(e->find(key)->down_limit, nullptr));
    QCOMPARE(up->value(), 147);
    QCOMPARE(down->value(), 100);
    e->set_torrent_limits(key, 0, 0);
    QTRY_VERIFY_WITH_TIMEOUT(e->find(key)->up_limit == 0, 10000);
}

QTEST_MAIN(RemoteEngineTest)
#include "test_remote_engine.moc"
