// What shoald logs of the control layer's events and of the RPC's refusals, at which level.
#include <gtest/gtest.h>

#include <cstdlib>

#include "daemon/event_log.hpp"
#include "daemon/rpc_access.hpp"
#include "fake_control.hpp"

using namespace shoal;
using namespace shoal::daemon;

namespace {

class DaemonEventLog : public ::testing::Test {
protected:
    DaemonEventLog() : out_(open_memstream(&data_, &size_)), log_(LogLevel::info, out_, false) {}
    ~DaemonEventLog() override {
        std::fclose(out_);
        std::free(data_);
    }
    std::string text() {
        std::fflush(out_);
        return std::string(data_, size_);
    }

    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::FILE* out_;
    Log log_;
    gui::test::FakeControl control_;
};

TEST_F(DaemonEventLog, LevelsOfEvents) {
    EventLog events(log_);
    control::Published published;
    published.events = {event::TorrentAdded{TorrentId{3}, "linux.iso"},
                        event::StateChanged{TorrentId{3}, TorrentState::downloading},
                        event::TorrentFinished{TorrentId{3}, true},
                        event::TorrentFinished{TorrentId{3}, false},
                        event::Error{TorrentId{0}, "cannot listen on port 6881"},
                        event::Notice{TorrentId{3}, "routine"},
                        event::TorrentRemoved{TorrentId{3}}};
    published.seed_limits_reached = {{TorrentId{3}, "seed ratio 2 reached"}};
    published.problems = {make_error("cannot save the torrent list")};
    events.report(published, control_);
    EXPECT_EQ(text(), "shoald: linux.iso: added\n"
                      "shoald: linux.iso: complete\n"
                      "shoald: error: cannot listen on port 6881\n"
                      "shoald: linux.iso: removed\n"
                      "shoald: linux.iso: seed ratio 2 reached\n"
                      "shoald: error: cannot save the torrent list\n");
    log_.set_level(LogLevel::debug);
    events.report({{event::StateChanged{TorrentId{9}, TorrentState::seeding}}, {}, {}, {}}, control_);
    EXPECT_TRUE(text().ends_with("shoald: debug: torrent 9: state seeding\n")) << text();
}

TEST_F(DaemonEventLog, ATorrentTakenOffTheListIsStillNamed) {
    EventLog events(log_);
    control::TorrentSummary listed;
    listed.name = "debian.iso";
    const TorrentId id = control_.put_restorable(listed);
    control_.restore();
    control_.publish(event::TorrentAdded{id, "debian.iso"});
    events.report(control_.poll(), control_);
    // Removed from the list; the session says so in a later poll, after an error.
    ASSERT_TRUE(control_.remove(id, true));
    events.report(control_.poll(), control_);
    control_.publish(event::Error{id, "cannot delete a file"});
    events.report(control_.poll(), control_);
    control_.publish(event::TorrentRemoved{id});
    events.report(control_.poll(), control_);
    // Not named any more once removed.
    control_.publish(event::Error{id, "late"});
    events.report(control_.poll(), control_);
    EXPECT_EQ(text(), "shoald: debian.iso: added\n"
                      "shoald: error: debian.iso: cannot delete a file\n"
                      "shoald: debian.iso: removed\n"
                      "shoald: error: torrent " + std::to_string(id.value) + ": late\n");
}

TEST_F(DaemonEventLog, RefusedRequestsAreWarnings) {
    RpcAccess access;
    access.whitelist = {*parse_address_range("127.0.0.0/8")};
    access.username = "user";
    access.password = hash_password("pw");
    access.session_id = "id";
    access.refused = [this](const Refusal& r, const boost::asio::ip::address& client) {
        log_refusal(log_, r, client);
    };
    const auto ip = [](const char* text) { return boost::asio::ip::make_address(text); };
    EXPECT_TRUE(check_access(access, {ip("::ffff:10.1.2.3"), "localhost", "", "id"}));
    EXPECT_TRUE(check_access(access, {ip("127.0.0.1"), "evil.example", "", "id"}));
    EXPECT_TRUE(check_access(access, {ip("127.0.0.2"), "localhost", "Basic dTp4", "id"}));
    EXPECT_TRUE(check_access(access, {ip("127.0.0.3"), "localhost", "Basic dXNlcjpwdw==", "stale"}));
    const std::string said = text();
    EXPECT_NE(said.find("shoald: warning: RPC request from 10.1.2.3 refused (403): "), std::string::npos) << said;
    EXPECT_NE(said.find("shoald: warning: RPC request from 127.0.0.1 refused (421): "), std::string::npos) << said;
    EXPECT_NE(said.find("shoald: warning: RPC request from 127.0.0.2 refused (401): "), std::string::npos) << said;
    // A missing session id is how every client starts: routine.
    EXPECT_EQ(said.find("127.0.0.3"), std::string::npos) << said;
    log_.set_level(LogLevel::debug);
    EXPECT_TRUE(check_access(access, {ip("127.0.0.3"), "localhost", "Basic dXNlcjpwdw==", "stale"}));
    EXPECT_NE(text().find("shoald: debug: RPC request from 127.0.0.3 refused (409): "), std::string::npos);
}

}  // namespace
