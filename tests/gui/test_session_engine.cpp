// SessionEngine's own code, the projection of the control layer's event stream into rows,
// peers, trackers, pieces and signals, driven by a scripted control layer (no session).
#include <QSignalSpy>
#include <QtTest>

#include "engine/session_engine.hpp"
#include "fake_control.hpp"
#include "fake_engine.hpp"
#include "metainfo/torrent_info.hpp"

using namespace shoal;
using namespace shoal::gui;
using shoal::gui::test::FakeControl;

class SessionEngineTest : public QObject {
    Q_OBJECT
  private slots:
    void init();
    void cleanup();
    void add_shows_the_layers_summary();
    void stats_and_states_update_the_row();
    void pieces_peers_and_trackers_follow_events();
    void signals_for_finish_error_and_rename();
    void commands_pass_through_with_their_errors();
    void restore_brings_rows_and_problems();
    void problems_while_running_are_signalled();
    void metadata_previews_are_not_rows();
    void network_status_is_signalled();
    void network_settings_wait_for_a_restart();

  private:
    // The engine's queued drain runs on the event loop.
    void deliver(Event e) {
        control_->publish(std::move(e));
        QCoreApplication::processEvents();
    }
    TorrentKey add_one(const QString& name, std::vector<std::int64_t> sizes = {300'000, 200'000});

    FakeControl* control_ = nullptr;  // owned by engine_
    std::unique_ptr<SessionEngine> engine_;
};

void SessionEngineTest::init() {
    auto control = std::make_unique<FakeControl>();
    control_ = control.get();
    engine_ = std::make_unique<SessionEngine>(std::move(control), EngineSettings{});
}

void SessionEngineTest::cleanup() {
    engine_.reset();
    control_ = nullptr;
}

TorrentKey SessionEngineTest::add_one(const QString& name, std::vector<std::int64_t> sizes) {
    AddRequest r;
    r.info = make_fake_info(name, sizes);
    r.save_dir = QStringLiteral("/downloads");
    const AddResult added = engine_->add(r);
    if (!added.ok())
        qFatal("add failed: %s", qPrintable(added.error));
    return added.key;
}

void SessionEngineTest::add_shows_the_layers_summary() {
    const TorrentKey key = add_one(QStringLiteral("first"));
    QCOMPARE(control_->calls().back(), std::string("add first"));
    QCOMPARE(engine_->torrents().size(), 1u);
    const TorrentSnapshot* s = engine_->find(key);
    QCOMPARE(s->name, QStringLiteral("first"));
    QCOMPARE(s->status, TorrentStatus::checking);
    QCOMPARE(s->save_dir, QStringLiteral("/downloads"));
    QCOMPARE(s->total_size, 500'000);
    QCOMPARE(engine_->file_priorities(key), (std::vector<int>{4, 4}));
    AddRequest nothing;
    QVERIFY(!engine_->add(nothing).ok());
}

void SessionEngineTest::stats_and_states_update_the_row() {
    const TorrentKey key = add_one(QStringLiteral("stats"));
    const TorrentId id{key.value};
    QSignalSpy changed(engine_.get(), &Engine::torrents_changed);
    TorrentStats& st = control_->summary(id).stats;
    st.state = TorrentState::downloading;
    st.total_wanted = 500'000;
    st.total_wanted_done = 125'000;
    st.download_rate = 1000;
    st.peers = 3;
    st.seeds = 1;
    deliver(event::Stats{id, st});
    engine_->refresh();
    QCOMPARE(changed.count(), 1);
    const TorrentSnapshot* s = engine_->find(key);
    QCOMPARE(s->status, TorrentStatus::downloading);
    QCOMPARE(s->progress(), 0.25);
    QCOMPARE(s->down_rate, 1000.0);
    QCOMPARE(s->peers, 3);
    QCOMPARE(s->seeds, 1);

    control_->summary(id).stats.state = TorrentState::paused;
    deliver(event::StateChanged{id, TorrentState::paused});
    QCOMPARE(engine_->find(key)->status, TorrentStatus::paused);

    // Waiting its turn in the control layer's queue: paused in the session, shown as queued.
    control_->summary(id).queued = control::TorrentSummary::Queued::to_download;
    deliver(event::Stats{id, control_->summary(id).stats});
    engine_->refresh();
    QCOMPARE(engine_->find(key)->status, TorrentStatus::queued);
    QCOMPARE(status_text(TorrentStatus::queued), QStringLiteral("Queued"));
}

void SessionEngineTest::pieces_peers_and_trackers_follow_events() {
    const TorrentKey key = add_one(QStringLiteral("detail"));
    const TorrentId id{key.value};
    const auto pieces = static_cast<std::size_t>(engine_->find(key)->num_pieces);
    QVERIFY(pieces >= 2);

    deliver(event::PieceFinished{id, 1});
    bool exact = true;
    auto have = engine_->pieces(key, &exact);
    QCOMPARE(have.size(), pieces);
    QCOMPARE(have[0], std::uint8_t{0});
    QCOMPARE(have[1], std::uint8_t{1});

    deliver(event::PeerConnected{id, "10.0.0.1:6881", "Shoal 1.0"});
    QCOMPARE(engine_->peers(key).size(), 1u);
    QCOMPARE(engine_->peers(key)[0].client, QStringLiteral("Shoal 1.0"));
    deliver(event::PeerDisconnected{id, "10.0.0.1:6881", "bye"});
    QVERIFY(engine_->peers(key).empty());

    // The torrent's own trackers are listed before any has answered.
    const auto own = engine_->trackers(key).size();
    deliver(event::TrackerReply{id, "http://t.example/announce", 7, "", true});
    auto trackers = engine_->trackers(key);
    QCOMPARE(trackers.size(), own + 1);
    QCOMPARE(trackers.back().url, QStringLiteral("http://t.example/announce"));
    QCOMPARE(trackers.back().status, QStringLiteral("Working"));
    QCOMPARE(trackers.back().peers, 7);

    event::Details d{id, {}, {}, std::string(1, '\x80'), {}};
    d.peers.push_back({"10.0.0.2:1", "other", "D", 0.5, 10, 20, false, "TCP"});
    d.trackers.push_back({"udp://u.example:1", 0, TrackerInfo::Status::failed, "timed out", -1, 30});
    d.web_seeds.push_back({"https://mirror.example/pub/", "waiting", "HTTP 503 Service Unavailable", 0, 0, 0});
    deliver(d);
    const auto sources = engine_->peers(key);
    QCOMPARE(sources.size(), 2u);
    const auto peer = std::find_if(sources.begin(), sources.end(), [](auto& p) { return p.flags == "D"; });
    QVERIFY(peer != sources.end());
    QCOMPARE(peer->address, QStringLiteral("10.0.0.2:1"));
    const auto seed = std::find_if(sources.begin(), sources.end(),
                                   [](auto& p) { return p.address == "https://mirror.example/pub/"; });
    QVERIFY(seed != sources.end());
    QVERIFY(seed->client.contains(QStringLiteral("waiting")));
    QVERIFY(seed->client.contains(QStringLiteral("503")));
    trackers = engine_->trackers(key);
    QCOMPARE(trackers.size(), 1u);
    QCOMPARE(trackers[0].status, QStringLiteral("Failed"));
    QVERIFY(trackers[0].next_announce.isValid());
    have = engine_->pieces(key, &exact);
    QCOMPARE(have[0], std::uint8_t{1});
    QCOMPARE(have[1], std::uint8_t{0});

    control_->summary(id).stats.state = TorrentState::seeding;
    deliver(event::StateChanged{id, TorrentState::seeding});
    have = engine_->pieces(key, &exact);
    QVERIFY(std::all_of(have.begin(), have.end(), [](std::uint8_t p) { return p == 1; }));
    QVERIFY(exact);
}

void SessionEngineTest::signals_for_finish_error_and_rename() {
    const TorrentKey key = add_one(QStringLiteral("signals"));
    const TorrentId id{key.value};
    QSignalSpy finished(engine_.get(), &Engine::torrent_finished);
    QSignalSpy errors(engine_.get(), &Engine::torrent_error);
    QSignalSpy renamed(engine_.get(), &Engine::file_renamed);

    // Complete when added: no "finished downloading" for it.
    control_->summary(id).finished = true;
    deliver(event::TorrentFinished{id, false});
    QCOMPARE(finished.count(), 0);
    QVERIFY(engine_->find(key)->finished);

    const TorrentKey other = add_one(QStringLiteral("downloaded"));
    const TorrentId other_id{other.value};
    control_->summary(other_id).stats.state = TorrentState::downloading;
    deliver(event::StateChanged{other_id, TorrentState::downloading});
    control_->summary(other_id).finished = true;
    control_->summary(other_id).completed_on = 1'700'000'123;
    deliver(event::TorrentFinished{other_id, true});
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished[0][0].value<TorrentKey>(), other);
    QCOMPARE(engine_->find(other)->completed_on.toSecsSinceEpoch(), 1'700'000'123);

    control_->summary(id).error = "disk full";
    deliver(event::Error{id, "disk full"});
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors[0][1].toString(), QStringLiteral("disk full"));
    QCOMPARE(engine_->find(key)->error, QStringLiteral("disk full"));

    auto info = std::make_shared<TorrentInfo>(*control_->summary(id).info);
    info->files[0].path.back() = "new.bin";
    control_->summary(id).info = info;
    deliver(event::FileRenamed{id, 0, "new.bin", info});
    QCOMPARE(renamed.count(), 1);
    QCOMPARE(renamed[0][2].toString(), QStringLiteral("new.bin"));
    QCOMPARE(engine_->find(key)->info->files[0].path.back(), std::string("new.bin"));
}

void SessionEngineTest::commands_pass_through_with_their_errors() {
    const TorrentKey key = add_one(QStringLiteral("commands"));
    engine_->pause(key);
    engine_->resume(key);
    engine_->recheck(key);
    engine_->set_file_priority(key, 1, 0);
    engine_->set_torrent_limits(key, 100, 200);
    QCOMPARE(engine_->find(key)->up_limit, 100);
    QCOMPARE(engine_->rename_file(key, 0, QStringLiteral("a/b")), QStringLiteral("'a/b' is not a file name"));
    QCOMPARE(engine_->rename_file(key, 0, QStringLiteral("ok.bin")), QString());
    QSignalSpy edited(engine_.get(), &Engine::trackers_edited);
    const auto own = engine_->trackers(key).size();
    QCOMPARE(engine_->add_tracker(key, QStringLiteral("udp://new.example:1"), -1), QString());
    QCOMPARE(edited.count(), 1);
    // Shown at once as not contacted, before the session says anything.
    QCOMPARE(engine_->trackers(key).size(), own + 1);
    QCOMPARE(engine_->trackers(key).back().url, QStringLiteral("udp://new.example:1"));
    QCOMPARE(engine_->trackers(key).back().status, QStringLiteral("Not contacted yet"));
    QVERIFY(!engine_->add_tracker(key, QStringLiteral("udp://new.example:1"), 0).isEmpty());
    QVERIFY(!engine_->remove_tracker(key, QStringLiteral("http://absent/announce")).isEmpty());
    QCOMPARE(engine_->file_priorities(key), (std::vector<int>{4, 0}));
    EngineSettings settings = engine_->settings();
    settings.seed_ratio_limit = 1.5;
    settings.seed_time_limit_minutes = 60;
    QVERIFY(engine_->apply_settings(settings).isEmpty());  // at once, no restart
    QCOMPARE(control_->seed_limits.ratio, 1.5);
    QVERIFY(control_->seed_limits.time == std::chrono::minutes(60));
    engine_->remove(key, true);
    QVERIFY(engine_->torrents().empty());
    const std::string id = std::to_string(key.value);
    const std::vector<std::string> expected{"add commands",
                                            "pause " + id,
                                            "resume " + id,
                                            "recheck " + id,
                                            "priority " + id + " 1=0",
                                            "limits " + id + " up=100 down=200",
                                            "rename " + id + " 0 ok.bin",
                                            "add_tracker " + id + " udp://new.example:1",
                                            "remove with data " + id};
    QCOMPARE(control_->calls(), expected);
}

void SessionEngineTest::restore_brings_rows_and_problems() {
    control::TorrentSummary kept;
    kept.name = "kept";
    kept.info = make_fake_info(QStringLiteral("kept"), {100'000});
    kept.save_dir = "/kept";
    kept.added_on = 1'600'000'000;
    kept.stats.state = TorrentState::paused;
    control_->put_restorable(kept);
    control_->restore_problems.push_back(
        make_error(ErrorCode::invalid_input, "torrents/x.json: not a JSON object"));
    const QStringList problems = engine_->restore();
    QCOMPARE(problems, QStringList{QStringLiteral("torrents/x.json: not a JSON object")});
    QCOMPARE(engine_->torrents().size(), 1u);
    const TorrentSnapshot& s = engine_->torrents()[0];
    QCOMPARE(s.name, QStringLiteral("kept"));
    QCOMPARE(s.status, TorrentStatus::paused);
    QCOMPARE(s.added_on.toSecsSinceEpoch(), 1'600'000'000);
}

void SessionEngineTest::problems_while_running_are_signalled() {
    QSignalSpy problems(engine_.get(), &Engine::problem);
    control_->report(make_error(ErrorCode::io, "cannot save the torrent list: disk full"));
    QCoreApplication::processEvents();
    QCOMPARE(problems.count(), 1);
    QCOMPARE(problems[0][0].toString(), QStringLiteral("cannot save the torrent list: disk full"));
    deliver(event::Stats{});
    QCOMPARE(problems.count(), 1);  // each once
}

void SessionEngineTest::metadata_previews_are_not_rows() {
    QSignalSpy fetched(engine_.get(), &Engine::metadata_fetched);
    const QString link = QStringLiteral("magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567");
    engine_->fetch_metadata(link);
    const TorrentId preview{1};
    auto info = make_fake_info(QStringLiteral("previewed"), {1000});
    deliver(event::MetadataReceived{preview, "previewed", info});
    QCOMPARE(fetched.count(), 1);
    QCOMPARE(fetched[0][0].toString(), link);
    QVERIFY(engine_->torrents().empty());
}

void SessionEngineTest::network_status_is_signalled() {
    QSignalSpy changed(engine_.get(), &Engine::network_changed);
    QVERIFY(!engine_->network().known);
    NetworkState n;
    n.listening_on = "0.0.0.0:6881 and [::]:6881";
    n.port_mapping = {{"UPnP", "mapped", "203.0.113.1", 6881, ""}, {"NAT-PMP", "failed", "", 0, "no gateway"}};
    n.external_address = "203.0.113.1";
    n.announce_port = 6881;
    deliver(event::NetworkStatus{TorrentId{0}, std::make_shared<const NetworkState>(n)});
    QCOMPARE(changed.count(), 1);
    const NetworkInfo& got = engine_->network();
    QVERIFY(got.known);
    QCOMPARE(got.listening_on, QStringLiteral("0.0.0.0:6881 and [::]:6881"));
    QCOMPARE(got.port_mapping.size(), std::size_t{2});
    QCOMPARE(got.port_mapping[0].state, QStringLiteral("mapped"));
    QCOMPARE(got.port_mapping[0].external_port, 6881);
    QCOMPARE(got.port_mapping[1].error, QStringLiteral("no gateway"));
    QCOMPARE(got.external_address, QStringLiteral("203.0.113.1"));
    QCOMPARE(got.announce_port, 6881);
    QVERIFY(engine_->torrents().empty());  // no torrent's (id 0)
    n.interface = "wg0";
    n.interface_up = false;
    n.interface_problem = "wg0 is down";
    deliver(event::NetworkStatus{TorrentId{0}, std::make_shared<const NetworkState>(n)});
    QCOMPARE(changed.count(), 2);
    QCOMPARE(engine_->network().interface, QStringLiteral("wg0"));
    QVERIFY(!engine_->network().interface_up);
    QCOMPARE(engine_->network().interface_problem, QStringLiteral("wg0 is down"));
}

void SessionEngineTest::network_settings_wait_for_a_restart() {
    EngineSettings s = engine_->settings();
    QVERIFY(s.port_mapping);  // on unless the user turns it off
    QVERIFY(s.network_interface.isEmpty());
    QVERIFY(engine_->apply_settings(s).isEmpty());
    s.port_mapping = false;
    QVERIFY(engine_->apply_settings(s).contains(QStringLiteral("restarts")));
    QVERIFY(engine_->apply_settings(s).isEmpty());
    s.network_interface = QStringLiteral("wg0");
    QVERIFY(engine_->apply_settings(s).contains(QStringLiteral("network interface")));
    QCOMPARE(engine_->settings().network_interface, QStringLiteral("wg0"));
}

QTEST_MAIN(SessionEngineTest)
#include "test_session_engine.moc"
