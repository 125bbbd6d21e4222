#pragma once
// Transmission's RPC methods over a real Controller on loopback, for the daemon's unit tests.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <optional>
#include <thread>

#include "control/controller.hpp"
#include "creation/create_torrent.hpp"
#include "daemon/base64.hpp"
#include "daemon/rpc_methods.hpp"
#include "test_files.hpp"

namespace shoal::daemon {

namespace json = boost::json;

// Transmission's methods over a Controller with no peer sources, listening on loopback.
class DaemonMethods : public ::testing::Test {
protected:
    DaemonMethods() {
        control::ControllerSettings& settings = settings_;
        settings.session.listen_host = "127.0.0.1";
        settings.session.listen_port = 0;
        settings.session.enable_dht = false;
        settings.session.enable_lsd = false;
        settings.session.enable_pex = false;
        settings.session.enable_port_mapping = false;
        settings.session.state_dir = dir_.path() / "state";
        settings.session.upload_limit = 250'000;
        settings.seed_limits.ratio = 2;
        controller_.emplace(settings);
        facts_.version = "Shoal test";
        facts_.session_id = "id";
        facts_.download_dir = dir_.path() / "downloads";
        facts_.config_dir = settings.session.state_dir;
        facts_.settings = settings.session;
        facts_.seed_limits = settings.seed_limits;
        facts_.saved_settings = settings.session.state_dir / "settings.json";
        restart_methods();
    }

    // The controller and the methods made anew over the same state folder, as at a restart.
    void restart_controller() {
        controller_->stop();
        methods_.reset();
        controller_.emplace(settings_);
        EXPECT_TRUE(controller_->restore().empty());
        restart_methods();
    }

    // The methods made anew over the same controller and state folder, as at a restart.
    void restart_methods() {
        methods_.reset();
        methods_.emplace(*controller_, facts_, [this] { return std::chrono::steady_clock::now() + skew_; });
    }
    ~DaemonMethods() override { controller_->stop(); }

    // A torrent of one file of `size` bytes, made in the download folder (so it is complete).
    std::string make_torrent(const std::string& name, std::size_t size, unsigned seed,
                             TorrentFormat format = TorrentFormat::v1) {
        const auto file = dir_.path() / "downloads" / name;
        test::write_file(file, size, seed);
        CreateOptions options;
        options.format = format;
        auto created = create_torrent(file, options);
        EXPECT_TRUE(created.ok());
        return created.ok() ? created->bytes : std::string{};
    }

    // A torrent of a folder `name` holding files of the given sizes, made in the download folder.
    std::string make_folder_torrent(const std::string& name, const std::vector<std::size_t>& sizes) {
        const auto folder = dir_.path() / "downloads" / name;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            test::write_file(folder / ("f" + std::to_string(i) + ".bin"), sizes[i], static_cast<unsigned>(i + 10));
        }
        CreateOptions options;
        options.format = TorrentFormat::v1;
        options.piece_length = 16 * 1024;
        auto created = create_torrent(folder, options);
        EXPECT_TRUE(created.ok());
        return created.ok() ? created->bytes : std::string{};
    }

    // Adds a torrent; its id (0 when it failed).
    std::int64_t add(const std::string& metainfo, bool paused) {
        auto answer = call("torrent-add", {{"metainfo", to_base64(metainfo)}, {"paused", paused}});
        EXPECT_EQ(answer["result"], "success") << json::serialize(answer);
        if (answer["result"] != "success") return 0;
        return answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64();
    }

    // One torrent's fields.
    json::object get(std::int64_t id, json::array fields) {
        auto answer = call("torrent-get", {{"ids", id}, {"fields", std::move(fields)}});
        auto& list = answer["arguments"].as_object()["torrents"].as_array();
        EXPECT_EQ(list.size(), 1u);
        return list.empty() ? json::object{} : list[0].as_object();
    }

    json::object call(const json::object& request) {
        const std::string answer = methods_->handle(json::serialize(request));
        json::value v = json::parse(answer);
        EXPECT_TRUE(v.is_object()) << answer;
        return v.as_object();
    }

    json::object call(const std::string& method, json::object args = {}, std::int64_t tag = 7) {
        return call(json::object{{"method", method}, {"arguments", std::move(args)}, {"tag", tag}});
    }

    // Polls until torrent `id` has Transmission status `status`.
    bool wait_for_status(std::int64_t id, std::int64_t status) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            (void)controller_->poll();
            auto got = call("torrent-get", {{"ids", id}, {"fields", json::array{"status"}}});
            const auto& torrents = got["arguments"].as_object()["torrents"].as_array();
            if (!torrents.empty() && torrents[0].as_object().at("status").as_int64() == status) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }

    test::TempDir dir_;
    control::ControllerSettings settings_;
    DaemonFacts facts_;
    std::chrono::steady_clock::duration skew_{};  // added to the methods' clock
    std::optional<control::Controller> controller_;
    std::optional<RpcMethods> methods_;
};

}  // namespace shoal::daemon
