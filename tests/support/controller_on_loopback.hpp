#pragma once
// For tests of the control layer over real sessions on loopback addresses: a controller's
// settings, a small torrent made from generated data, an add request, and polling.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "control/controller.hpp"
#include "creation/create_torrent.hpp"
#include "test_files.hpp"

namespace shoal::test {

// Listening on `address` (port chosen by the system), without DHT or local discovery; the
// torrent list kept in `state`, or nowhere when it is empty.
inline control::ControllerSettings on_loopback(const std::string& address, const std::filesystem::path& state) {
    control::ControllerSettings s;
    s.session.listen_host = address;
    s.session.listen_port = 0;
    s.session.enable_dht = false;
    s.session.enable_lsd = false;
    s.session.state_dir = state;
    s.keep_torrent_list = !state.empty();
    return s;
}

// A v1 torrent of one file, data.bin, of `size` bytes generated from `seed`, written in `folder`.
inline CreatedTorrent make_one_file_torrent(const std::filesystem::path& folder, std::size_t size, unsigned seed) {
    write_file(folder / "data.bin", size, seed);
    CreateOptions o;
    o.format = TorrentFormat::v1;
    o.piece_length = 16 * 1024;
    auto created = create_torrent(folder, o);
    EXPECT_TRUE(created) << created.error().message;
    return std::move(*created);
}

inline control::AddTorrent add_request(const CreatedTorrent& t, const std::filesystem::path& save_dir) {
    control::AddTorrent r;
    r.metainfo = t.bytes;
    r.save_dir = save_dir;
    return r;
}

// Polls every controller until `done` says so or the time is up.
inline bool poll_until(std::vector<control::Controller*> controllers, std::chrono::seconds timeout,
                       const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        for (control::Controller* c : controllers) (void)c->poll();
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace shoal::test
