// shoald's settings: a config file and the command line, checked, and printed back.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "daemon/daemon_config.hpp"
#include "daemon/password_hash.hpp"
#include "test_files.hpp"

using namespace shoal;
using namespace shoal::daemon;

namespace {

struct Parsed {
    DaemonOptions options;
    Result<DaemonSetup> setup = make_error("not parsed");
};

class DaemonConfig : public ::testing::Test {
protected:
    std::string config(const std::string& text) {
        const auto path = dir_.path() / "shoald.toml";
        std::ofstream(path) << text;
        return path.string();
    }

    // Parses `args` as shoald does; an error from the config file or the command line.
    Result<Parsed> parse(std::vector<std::string> args) {
        Parsed parsed;
        CLI::App app("shoald", "shoald");
        add_daemon_options(app, parsed.options);
        try {
            auto read = parse_command_line(app, args);
            if (!read) return read.error();
        } catch (const CLI::ParseError& e) {
            return make_error(e.what());
        }
        parsed.setup = daemon_setup(parsed.options);
        return parsed;
    }

    test::TempDir dir_;
};

TEST_F(DaemonConfig, ReadsTheFile) {
    const std::string state = (dir_.path() / "state").string();
    auto parsed = parse({"--config", config("state_dir = '" + state + "'\n"
                                            "rpc_bind = '[::1]:9092'\n"
                                            "rpc_username = 'me'\n"
                                            "rpc_password = 'secret'\n"
                                            "rpc_whitelist = ['::1', '192.168.0.0/16']\n"
                                            "rpc_host_whitelist = ['box.lan']\n"
                                            "port = 51413\n"
                                            "dht = false\n"
                                            "interface = ''\n"
                                            "up_limit = '500K'\n")});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->setup.ok()) << parsed->setup.error().message;
    const DaemonSetup& setup = *parsed->setup;
    EXPECT_EQ(parsed->options.config, (dir_.path() / "shoald.toml").string());
    EXPECT_EQ(setup.control.session.state_dir, state);
    EXPECT_TRUE(setup.control.keep_torrent_list);
    EXPECT_EQ(setup.download_dir, std::filesystem::path(state) / "downloads");
    EXPECT_TRUE(setup.watch_dir.empty());
    EXPECT_EQ(setup.rpc_bind.port(), 9092);
    EXPECT_TRUE(setup.rpc_bind.address().is_v6());
    EXPECT_EQ(setup.access.username, "me");
    EXPECT_TRUE(verify_password(setup.access.password, "secret"));
    EXPECT_FALSE(verify_password(setup.access.password, "secreT"));
    ASSERT_EQ(setup.access.whitelist.size(), 2u);
    EXPECT_EQ(setup.access.whitelist[1].prefix, 16u);
    EXPECT_EQ(setup.access.host_whitelist, std::vector<std::string>{"box.lan"});
    EXPECT_EQ(setup.control.session.listen_port, 51413);
    EXPECT_FALSE(setup.control.session.enable_dht);
    EXPECT_TRUE(setup.control.session.enable_utp);
    EXPECT_EQ(setup.control.session.network_interface, "");
    EXPECT_EQ(setup.control.session.upload_limit, 500 * 1024);

    const std::string printed = effective_config(parsed->options, setup);
    EXPECT_EQ(printed.find("secret"), std::string::npos) << printed;
    EXPECT_NE(printed.find("rpc_password is set"), std::string::npos) << printed;
    EXPECT_NE(printed.find("rpc_bind = '[::1]:9092'"), std::string::npos) << printed;
}

TEST_F(DaemonConfig, DefaultsAndTheCommandLineWins) {
    auto parsed = parse({"--config", config("state_dir = '/var/lib/shoald'\nport = 1234\n"), "--port", "4321",
                         "--download-dir", "/srv/t", "--watch-dir", "/srv/w/../watch"});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->setup.ok());
    EXPECT_EQ(parsed->setup->control.session.listen_port, 4321);
    EXPECT_EQ(parsed->setup->download_dir, "/srv/t");
    EXPECT_EQ(parsed->setup->watch_dir, "/srv/watch");
    EXPECT_NE(effective_config(parsed->options, *parsed->setup).find("watch_dir = '/srv/watch'"), std::string::npos);
    EXPECT_EQ(parsed->setup->rpc_bind.port(), 9091);
    EXPECT_TRUE(parsed->setup->rpc_bind.address().is_loopback());
    EXPECT_TRUE(parsed->setup->access.username.empty());
    EXPECT_EQ(parsed->setup->log_level, LogLevel::info);
    ASSERT_EQ(parsed->setup->access.whitelist.size(), 2u);
    EXPECT_TRUE(in_range(boost::asio::ip::make_address("127.0.0.5"), parsed->setup->access.whitelist[0]));
    EXPECT_FALSE(in_range(boost::asio::ip::make_address("10.0.0.1"), parsed->setup->access.whitelist[0]));
}

TEST_F(DaemonConfig, Refusals) {
    auto unknown = parse({"--config", config("state_dir = '/x'\nrpc_port = 9091\n")});
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("unknown key 'rpc_port'"), std::string::npos) << unknown.error().message;
    // Switches of the command line only are not keys.
    for (const char* key : {"foreground = true", "print_config = true", "peer = '1.2.3.4:5'", "json = true"}) {
        auto refused = parse({"--config", config(std::string("state_dir = '/x'\n") + key + "\n")});
        EXPECT_FALSE(refused.ok()) << key;
    }
    auto setup_error = [&](const std::string& text) {
        auto parsed = parse({"--config", config("state_dir = '/x'\n" + text)});
        EXPECT_TRUE(parsed.ok()) << text;
        if (!parsed.ok() || parsed->setup.ok()) return std::string("accepted");
        return parsed->setup.error().message;
    };
    EXPECT_NE(setup_error("rpc_bind = 'localhost:9091'\n").find("rpc_bind"), std::string::npos);
    EXPECT_NE(setup_error("rpc_whitelist = ['10.0.0.0/40']\n").find("rpc_whitelist"), std::string::npos);
    EXPECT_NE(setup_error("rpc_password = 'p'\n").find("without rpc_username"), std::string::npos);
    EXPECT_NE(setup_error("rpc_username = 'a:b'\n").find("colon"), std::string::npos);
    EXPECT_NE(setup_error("encryption = 'sometimes'\n").find("encryption"), std::string::npos);
    EXPECT_NE(setup_error("log_level = 'verbose'\n").find("log_level 'verbose'"), std::string::npos);
    EXPECT_NE(setup_error("tcp = false\nutp = false\n").find("no way to reach a peer"), std::string::npos);
    EXPECT_NE(setup_error("rpc_username = 'u'\nrpc_password = 'pbkdf2-sha256$10$AA$AA'\n")
                  .find("rpc_password is not a valid hash"),
              std::string::npos);
    EXPECT_NE(setup_error("rpc_username = 'u'\nrpc_password = 'p'\nrpc_password_file = '/p'\n").find("both set"),
              std::string::npos);
    EXPECT_NE(setup_error("rpc_username = 'u'\nrpc_password_file = '/nonexistent/pw'\n").find("/nonexistent/pw"),
              std::string::npos);
    auto no_state = parse({"--state-dir", ""});
    ASSERT_TRUE(no_state.ok());
    EXPECT_FALSE(no_state->setup.ok());
}

TEST_F(DaemonConfig, SeedIdleAndTheAlternativeSpeedsSchedule) {
    auto parsed = parse({"--config", config("state_dir = '/x'\nseed_idle = 45\nalt_speed_up = '20K'\n"
                                            "alt_speed_time_enabled = true\nalt_speed_time_begin = '22:30'\n"
                                            "alt_speed_time_end = '06:00'\nalt_speed_time_day = 'sat,sun'\n")});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    ASSERT_TRUE(parsed->setup.ok()) << parsed->setup.error().message;
    const DaemonSetup& setup = *parsed->setup;
    EXPECT_EQ(setup.control.seed_limits.idle, std::chrono::minutes(45));
    EXPECT_EQ(setup.alt_speed_up, 20 * 1024);
    EXPECT_EQ(setup.alt_speed_down, 0);
    EXPECT_EQ(setup.alt_speed_schedule, (AltSpeedSchedule{.enabled = true, .begin = 22 * 60 + 30, .end = 6 * 60,
                                                          .days = 0b1000001}));
    const DaemonFacts facts = daemon_facts(setup);
    EXPECT_EQ(facts.saved_settings, std::filesystem::path("/x/settings.json"));
    const RuntimeSettings runtime = runtime_settings(facts);
    EXPECT_EQ(runtime.idle_seeding_limit, 45);
    EXPECT_TRUE(runtime.idle_seeding_limit_enabled);
    // Kept to the byte (20K is 20,480 bytes/s), said in whole kB/s; Transmission's 50 kB/s by default.
    EXPECT_EQ(runtime.alt_speed_up, 20 * 1024);
    EXPECT_EQ(runtime.alt_speed_down, 50'000);
    EXPECT_EQ(runtime_values(runtime).at("alt-speed-up"), 20);
    const std::string printed = effective_config(parsed->options, setup);
    for (const char* line : {"seed_idle = 45", "alt_speed_time_begin = '22:30'", "alt_speed_time_day = 'weekend'"}) {
        EXPECT_NE(printed.find(line), std::string::npos) << line << " in\n" << printed;
    }
    auto setup_error = [&](const std::string& text) {
        auto bad = parse({"--config", config("state_dir = '/x'\n" + text)});
        if (!bad.ok()) return bad.error().message;
        return bad->setup.ok() ? std::string("accepted") : bad->setup.error().message;
    };
    EXPECT_NE(setup_error("alt_speed_time_begin = '25:00'\n").find("alt_speed_time_begin"), std::string::npos);
    EXPECT_NE(setup_error("alt_speed_time_day = 'someday'\n").find("alt_speed_time_day"), std::string::npos);
    EXPECT_NE(setup_error("alt_speed_down = 'fast'\n").find("alt_speed_down"), std::string::npos);
    EXPECT_NE(setup_error("seed_idle = -1\n"), "accepted");
}

TEST_F(DaemonConfig, PasswordsPlainHashedOrInAFile) {
    const std::string hashed = to_text(hash_password("from-hash"));
    auto parsed =
        parse({"--config", config("state_dir = '/x'\nrpc_username = 'u'\nrpc_password = '" + hashed + "'\n")});
    ASSERT_TRUE(parsed.ok() && parsed->setup.ok());
    EXPECT_TRUE(verify_password(parsed->setup->access.password, "from-hash"));
    EXPECT_EQ(effective_config(parsed->options, *parsed->setup).find(hashed), std::string::npos);

    std::ofstream(dir_.path() / "pw") << hashed << "\n";
    parsed = parse({"--state-dir", "/x", "--rpc-username", "u", "--rpc-password-file", (dir_.path() / "pw").string()});
    ASSERT_TRUE(parsed.ok() && parsed->setup.ok());
    EXPECT_TRUE(verify_password(parsed->setup->access.password, "from-hash"));

    std::ofstream(dir_.path() / "pw") << "plain-in-file\n";
    parsed = parse({"--state-dir", "/x", "--rpc-username", "u", "--rpc-password-file", (dir_.path() / "pw").string()});
    ASSERT_TRUE(parsed.ok() && parsed->setup.ok());
    EXPECT_TRUE(verify_password(parsed->setup->access.password, "plain-in-file"));
    const std::string printed = effective_config(parsed->options, *parsed->setup);
    EXPECT_EQ(printed.find("plain-in-file"), std::string::npos) << printed;
    EXPECT_NE(printed.find("rpc_password_file"), std::string::npos) << printed;

    // --hash-password is a switch of the command line only.
    EXPECT_FALSE(parse({"--config", config("state_dir = '/x'\nhash_password = true\n")}).ok());
}

// The queue: Transmission's defaults (downloads queued by 5, seeds not queued, stalled after
// 30 minutes), 0 for off, and a negative size refused.
TEST_F(DaemonConfig, QueueSizesWithZeroForOff) {
    auto defaults = parse({"--config", config("state_dir = '/x'\n")});
    ASSERT_TRUE(defaults.ok() && defaults->setup.ok());
    const control::QueueSettings q = defaults->setup->control.queue;
    EXPECT_TRUE(q.download_enabled);
    EXPECT_EQ(q.download_size, 5);
    EXPECT_FALSE(q.seed_enabled);
    EXPECT_TRUE(q.stalled_enabled);
    EXPECT_EQ(q.stalled_after, std::chrono::minutes(30));
    const std::string printed = effective_config(defaults->options, *defaults->setup);
    for (const char* line : {"download_queue_size = 5", "seed_queue_size = 0", "queue_stalled_minutes = 30"}) {
        EXPECT_NE(printed.find(line), std::string::npos) << line << " in\n" << printed;
    }

    auto set = parse({"--config", config("state_dir = '/x'\ndownload_queue_size = 0\nseed_queue_size = 3\n"
                                         "queue_stalled_minutes = 0\n")});
    ASSERT_TRUE(set.ok() && set->setup.ok());
    const control::QueueSettings s = set->setup->control.queue;
    EXPECT_FALSE(s.download_enabled);
    EXPECT_TRUE(s.seed_enabled);
    EXPECT_EQ(s.seed_size, 3);
    EXPECT_FALSE(s.stalled_enabled);

    auto negative = parse({"--config", config("state_dir = '/x'\nseed_queue_size = -1\n")});
    ASSERT_TRUE(negative.ok());
    ASSERT_FALSE(negative->setup.ok());
    EXPECT_NE(negative->setup.error().message.find("seed_queue_size"), std::string::npos);
}

// resources/systemd/shoald.toml: every key shoald takes is there, and each reads back.
TEST_F(DaemonConfig, TheExampleConfigHasEveryKey) {
    std::ifstream example(std::string(SHOAL_TEST_DATA) + "/../../resources/systemd/shoald.toml");
    ASSERT_TRUE(example) << "resources/systemd/shoald.toml";
    std::string uncommented;
    std::set<std::string> keys;
    for (std::string line; std::getline(example, line);) {
        if (line.starts_with("# ") && line.find(" = ") != std::string::npos && line[2] >= 'a' && line[2] <= 'z') {
            line = line.substr(2);
        }
        if (line.empty() || line.starts_with('#')) continue;
        const std::string key = line.substr(0, line.find(" = "));
        keys.insert(key);
        if (key != "rpc_password_file") uncommented += line + "\n";  // it excludes rpc_password
    }
    auto parsed = parse({"--config", config(uncommented)});
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->setup.ok()) << parsed->setup.error().message;

    CLI::App app("shoald", "shoald");
    DaemonOptions options;
    add_daemon_options(app, options);
    std::set<std::string> expected;
    for (const CLI::Option* o : app.get_options()) {
        std::string name = o->get_lnames().empty() ? "" : o->get_lnames()[0];
        if (name.empty() || name == "help" || name == "config" || name == "foreground" || name == "print-config" ||
            name == "hash-password") {
            continue;
        }
        if (name.starts_with("no-")) name = name.substr(3);
        std::replace(name.begin(), name.end(), '-', '_');
        expected.insert(name);
    }
    EXPECT_EQ(keys, expected);
}

}  // namespace
