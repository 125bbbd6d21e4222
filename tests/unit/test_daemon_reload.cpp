// SIGHUP's reload: the config file read again, its changes said one line each and applied to
// the scripted control layer, the RPC's access and the watch folder; a broken file refused.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "daemon/config_reload.hpp"
#include "daemon/password_hash.hpp"
#include "daemon/rpc_methods.hpp"
#include "daemon/setting_changes.hpp"
#include "fake_control.hpp"
#include "test_files.hpp"

using namespace shoal;
using namespace shoal::daemon;

namespace {

class DaemonReload : public ::testing::Test {
protected:
    DaemonReload() : out_(open_memstream(&data_, &size_)), log_(LogLevel::info, out_, false) {}
    ~DaemonReload() override {
        std::fclose(out_);
        std::free(data_);
    }

    void write(const std::string& extra) {
        std::ofstream(config_) << "state_dir = '" << (dir_.path() / "state").string() << "'\n"
                               << "rpc_username = 'u'\n" << extra;
    }

    // What the log said since the last call.
    std::string said() {
        std::fflush(out_);
        std::string text(data_ + seen_, size_ - seen_);
        seen_ = size_;
        return text;
    }

    ConfigReload start(const std::string& extra) {
        write(extra);
        auto started = load_settings(args_);
        EXPECT_TRUE(started.ok()) << started.error().message;
        DaemonFacts facts = daemon_facts(started->setup);
        facts.saved_settings = saved_settings_;
        methods_.emplace(control_, facts);
        return ConfigReload(args_, std::move(*started),
                            {[this](const DaemonFacts& read) { methods_->config_changed(read); },
                             [this](RpcAccess a) { access_ = std::move(a); },
                             [this](const std::filesystem::path& p) { watch_dir_ = p; }, log_});
    }

    test::TempDir dir_;
    std::filesystem::path config_ = dir_.path() / "shoald.toml";
    std::vector<std::string> args_ = {"--config", config_.string()};
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t seen_ = 0;
    std::FILE* out_;
    Log log_;
    gui::test::FakeControl control_;
    std::filesystem::path saved_settings_;  // empty: session-set's changes are not kept
    std::optional<RpcMethods> methods_;
    std::optional<RpcAccess> access_;
    std::optional<std::filesystem::path> watch_dir_;
};

TEST_F(DaemonReload, SaysAndAppliesWhatChanged) {
    auto reload = start("rpc_password = 'pw'\nup_limit = '0'\nseed_ratio = 1.5\n");
    EXPECT_EQ(said(), "");  // load_settings reads the file and leaves it alone
    reload.reload();
    // The plain password was replaced by its hash; it is the same password.
    EXPECT_EQ(said(), "shoald: replaced the plain rpc_password in " + config_.string() + " with its hash\n"
                      "shoald: settings reloaded: nothing changed\n");
    // The hash written is the one in use: the file read again says the same.
    reload.reload();
    EXPECT_EQ(said(), "shoald: settings reloaded: nothing changed\n");

    write("rpc_password = 'other'\nup_limit = '100000'\nseed_ratio = 2\nport = 7000\nencryption = 'require'\n"
          "watch_dir = '/srv/watch'\nrpc_whitelist = ['10.0.0.0/8']\nlog_level = 'warning'\n");
    reload.reload();
    const std::string text = said();
    for (const char* line : {"shoald: up_limit: 0 -> 100000\n", "shoald: seed_ratio: 1.5 -> 2\n",
                             "shoald: watch_dir: (none) -> /srv/watch\n",
                             "shoald: rpc_whitelist: [127.0.0.0/8, ::1] -> [10.0.0.0/8]\n",
                             "shoald: log_level: info -> warning\n", "shoald: rpc_password: changed\n",
                             "shoald: port changed: takes effect after a restart\n",
                             "shoald: encryption changed: takes effect after a restart\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
    }
    EXPECT_EQ(text.find("down_limit"), std::string::npos) << text;
    EXPECT_DOUBLE_EQ(control_.seed_limits.ratio, 2.0);
    ASSERT_TRUE(access_);
    EXPECT_TRUE(verify_password(access_->password, "other"));
    ASSERT_EQ(access_->whitelist.size(), 1u);
    EXPECT_EQ(watch_dir_, std::filesystem::path("/srv/watch"));
    EXPECT_EQ(log_.level(), LogLevel::warning);

    // The same again: the port still waits for a restart, the rest is as it runs.
    access_.reset();
    log_.set_level(LogLevel::info);
    write("rpc_password = 'other'\nup_limit = '100000'\nseed_ratio = 2\nport = 7000\nencryption = 'require'\n"
          "watch_dir = '/srv/watch'\nrpc_whitelist = ['10.0.0.0/8']\nlog_level = 'info'\n");
    reload.reload();
    const std::string again = said();
    EXPECT_NE(again.find("port changed"), std::string::npos) << again;
    EXPECT_EQ(again.find("up_limit"), std::string::npos) << again;
    EXPECT_EQ(again.find("rpc_password: changed"), std::string::npos) << again;
    EXPECT_FALSE(access_);
}

// A reload's rate, peer and seed limits reach the RPC methods: session-get says what runs
// (before, a reload set the control layer's limits behind the methods' backs and session-get
// kept the old values). A setting the file changed replaces a session-set change of it; the
// others stay as session-set left them, in the running daemon and in the state folder.
TEST_F(DaemonReload, SessionGetSaysWhatAReloadChanged) {
    saved_settings_ = dir_.path() / "settings.json";
    auto reload = start("up_limit = '0'\ndown_limit = '200000'\nseed_ratio = 1.5\n");
    auto session = [&] {
        auto answer = boost::json::parse(methods_->handle(R"({"method": "session-get"})")).as_object();
        return answer.at("arguments").as_object();
    };
    auto set = [&](const std::string& args) {
        auto answer = boost::json::parse(methods_->handle(R"({"method": "session-set", "arguments": )" + args + "}"));
        return std::string(answer.as_object().at("result").as_string());
    };
    EXPECT_EQ(session()["speed-limit-up-enabled"], false);
    EXPECT_EQ(session()["speed-limit-down"], 200);
    ASSERT_EQ(set(R"({"speed-limit-down": 300, "idle-seeding-limit": 20, "idle-seeding-limit-enabled": true})"),
              "success");

    write("up_limit = '100000'\ndown_limit = '200000'\nseed_ratio = 2\nseed_idle = 45\nalt_speed_up = '20000'\n");
    reload.reload();
    auto a = session();
    EXPECT_EQ(a["speed-limit-up"], 100);
    EXPECT_EQ(a["speed-limit-up-enabled"], true);
    EXPECT_EQ(a["seedRatioLimit"], 2.0);
    EXPECT_EQ(a["seedRatioLimited"], true);
    EXPECT_EQ(a["alt-speed-up"], 20);
    EXPECT_EQ(a["speed-limit-down"], 300);       // the file's down_limit is as it was
    EXPECT_EQ(a["idle-seeding-limit"], 45);      // the file's seed_idle is new: it wins
    EXPECT_EQ(methods_->runtime().upload_limit(), 100'000);
    EXPECT_DOUBLE_EQ(control_.seed_limits.ratio, 2.0);
    EXPECT_EQ(control_.seed_limits.idle, std::chrono::minutes(45));

    // Started again over the same state folder: session-set's change that the file did not
    // replace is still there.
    methods_.reset();
    auto restarted = start("up_limit = '100000'\ndown_limit = '200000'\nseed_ratio = 2\nseed_idle = 45\n");
    a = session();
    EXPECT_EQ(a["speed-limit-down"], 300);
    EXPECT_EQ(a["idle-seeding-limit"], 45);
    EXPECT_EQ(a["alt-speed-up"], 50);
}

// A limit the config file gives to the byte (up_limit = '1M' is 1,048,576 bytes/s) reaches the
// session as it is after a reload and a restart, and a change within the same kB/s is one.
TEST_F(DaemonReload, AByteLimitSurvivesAReloadAndARestart) {
    saved_settings_ = dir_.path() / "settings.json";
    auto reload = start("up_limit = '1M'\ndown_limit = '1500'\n");
    auto session = [&] {
        auto answer = boost::json::parse(methods_->handle(R"({"method": "session-get"})")).as_object();
        return answer.at("arguments").as_object();
    };
    // Another setting of the file changed: the limits are applied again, to the byte.
    write("up_limit = '1M'\ndown_limit = '1500'\nseed_ratio = 2\n");
    reload.reload();
    EXPECT_EQ(control_.upload_limit, 1'048'576);
    EXPECT_EQ(control_.download_limit, 1'500);
    EXPECT_EQ(session()["speed-limit-up"], 1048);
    EXPECT_EQ(session()["speed-limit-down"], 1);
    // A new limit that is the same number of kB/s is still a change.
    write("up_limit = '1048999'\ndown_limit = '1500'\nseed_ratio = 2\n");
    reload.reload();
    EXPECT_NE(said().find("shoald: up_limit: 1048576 -> 1048999\n"), std::string::npos);
    EXPECT_EQ(control_.upload_limit, 1'048'999);
    EXPECT_EQ(methods_->runtime().upload_limit(), 1'048'999);

    // session-set's change of something else is kept; started again, the limits are as the file says.
    auto answer = boost::json::parse(methods_->handle(
        R"({"method": "session-set", "arguments": {"peer-limit-global": 40, "speed-limit-up": 1048}})"));
    ASSERT_EQ(answer.as_object().at("result"), "success");
    EXPECT_EQ(control_.upload_limit, 1'048'999) << "the limit sent back as shown is the one that runs";
    methods_.reset();
    control_.upload_limit = control_.download_limit = -1;
    auto restarted = start("up_limit = '1048999'\ndown_limit = '1500'\nseed_ratio = 2\n");
    EXPECT_EQ(session()["peer-limit-global"], 40);
    EXPECT_EQ(control_.upload_limit, 1'048'999);
    EXPECT_EQ(control_.download_limit, 1'500);
}

TEST_F(DaemonReload, RefusesABrokenFileWhole) {
    auto reload = start("rpc_password = 'pw'\nseed_ratio = 1.5\n");
    said();
    write("rpc_password = 'pw'\nseed_ratio = 3\nrpc_bind = 'nowhere'\n");
    reload.reload();
    const std::string text = said();
    EXPECT_NE(text.find("shoald: error: the settings were not reloaded (the running ones stay): rpc_bind"),
              std::string::npos) << text;
    EXPECT_EQ(text.find("seed_ratio"), std::string::npos) << text;
    EXPECT_DOUBLE_EQ(control_.seed_limits.ratio, 0.0);  // never set
    EXPECT_FALSE(access_);
}

TEST_F(DaemonReload, AppliesChangedQueueSizes) {
    auto reload = start("rpc_password = 'pw'\n");
    reload.reload();
    said();
    write("rpc_password = 'pw'\ndownload_queue_size = 2\nseed_queue_size = 4\n");
    reload.reload();
    const std::string text = said();
    EXPECT_NE(text.find("shoald: download_queue_size: 5 -> 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("shoald: seed_queue_size: 0 -> 4\n"), std::string::npos) << text;
    const control::QueueSettings q = control_.queue_settings();
    EXPECT_TRUE(q.download_enabled);
    EXPECT_EQ(q.download_size, 2);
    EXPECT_TRUE(q.seed_enabled);
    EXPECT_EQ(q.seed_size, 4);
}

TEST(DaemonSettingChanges, DescribeThemselves) {
    EXPECT_EQ((SettingChange{"up_limit", "0", "100000", false}.describe()), "up_limit: 0 -> 100000");
    EXPECT_EQ((SettingChange{"rpc_bind", "a", "b", true}.describe()), "rpc_bind changed: takes effect after a restart");
    EXPECT_EQ((SettingChange{"rpc_password", "", "", false}.describe()), "rpc_password: changed");
}

}  // namespace
