#pragma once
// A scripted transport and a hand-driven clock for the announcer's unit tests.

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "discovery/tracker/announcer.hpp"

namespace shoal::tracker_client {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using TimePoint = std::chrono::steady_clock::time_point;

struct Call {
    std::string url;
    AnnounceRequest request;
};

// Replies from a per-URL script; an empty script means the tracker cannot be reached.
class FakeTransport : public TrackerTransport {
  public:
    asio::awaitable<Result<AnnounceResponse>> announce(std::string url,
                                                       AnnounceRequest request) override {
        calls.push_back({url, request});
        if (hang_all || (hang_urls.count(url) && request.event != TrackerEvent::stopped)) {
            asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
            co_await forever.async_wait(asio::use_awaitable);
        }
        if (auto delay = delays.find(url); delay != delays.end()) {
            asio::steady_timer later(co_await asio::this_coro::executor, delay->second);
            co_await later.async_wait(asio::use_awaitable);
        }
        if (throw_urls.count(url))
            throw std::runtime_error("transport exploded");
        auto& script = scripts[url];
        if (script.empty())
            co_return make_error("tracker " + url + ": unreachable");
        auto reply = script.front();
        script.pop_front();
        co_return reply;
    }

    void answer(const std::string& url, std::int64_t interval = 1800,
                std::optional<std::int64_t> min_interval = {}, std::string tracker_id = {}) {
        AnnounceResponse r;
        r.interval = interval;
        r.min_interval = min_interval;
        r.seeders = 3;
        r.leechers = 4;
        r.tracker_id = std::move(tracker_id);
        r.peers.emplace_back(asio::ip::make_address("10.0.0.1"), 6881);
        scripts[url].push_back(r);
    }
    void answer_many(const std::string& url, int count) {
        for (int i = 0; i < count; ++i)
            answer(url);
    }

    std::map<std::string, std::deque<Result<AnnounceResponse>>> scripts;
    std::set<std::string> hang_urls;
    std::set<std::string> throw_urls;
    std::map<std::string, std::chrono::milliseconds> delays;  // before answering
    bool hang_all = false;
    std::vector<Call> calls;
};

class AnnouncerTest : public ::testing::Test {
  protected:
    std::unique_ptr<Announcer> make(std::vector<std::vector<std::string>> tiers,
                                    AnnouncerOptions options = {}) {
        if (!options.shuffle_seed)
            options.shuffle_seed = 1;
        AnnounceIdentity identity;
        identity.info_hash.bytes.fill(0xab);
        identity.peer_id.bytes.fill('P');
        identity.port = 6881;
        identity.key = 0x1234;
        return std::make_unique<Announcer>(
            io.get_executor(), identity, std::move(tiers), transport, [this] { return totals; },
            [this](const TrackerUpdate& u) { updates.push_back(u); }, options,
            [this] { return now; });
    }

    // Runs one coroutine on the io_context to completion, rethrowing what escaped it.
    void finish(asio::awaitable<void> work) {
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) {
            failure = e;
            done = true;
        });
        io.restart();
        const auto give_up = std::chrono::steady_clock::now() + 5s;
        while (!done && std::chrono::steady_clock::now() < give_up)
            io.run_one_for(100ms);
        ASSERT_TRUE(done) << "coroutine did not finish";
        if (failure)
            std::rethrow_exception(failure);
    }

    template <class Pred>
    bool poll_until(Pred pred, std::chrono::milliseconds limit = 5s) {
        io.restart();
        const auto give_up = std::chrono::steady_clock::now() + limit;
        while (!pred() && std::chrono::steady_clock::now() < give_up)
            io.run_one_for(10ms);
        return pred();
    }

    std::vector<std::string> order_of(const Announcer& a, std::size_t tier) {
        std::vector<std::string> out;
        for (const auto& t : a.tiers()[tier])
            out.push_back(t.url);
        return out;
    }

    asio::io_context io;
    FakeTransport transport;
    TimePoint now = TimePoint{} + 1000h;
    TransferTotals totals{10, 20, 300};
    std::vector<TrackerUpdate> updates;
};

}  // namespace shoal::tracker_client
