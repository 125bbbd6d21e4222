// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "session/torrent_web_seeds.hpp"

#include <algorithm>
#include <set>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "web_seed/file_spans.hpp"
#include "web_seed/seed_connection.hpp"
#include "web_seed/web_seed_url.hpp"

namespace shoal {

namespace asio = boost::asio;
using wire::BlockRequest;
using Kind = web_seed::Verdict::Kind;

namespace {

// Bytes asked for at once by one connection: what the last request's rate moves in a quarter
// of a second, within these bounds (a slow seed gets small requests, a fast one few).
constexpr std::int64_t k_min_request_bytes = 256 * 1024;
constexpr std::int64_t k_max_request_bytes = 8 * 1024 * 1024;
constexpr double k_request_seconds = 0.25;
constexpr std::chrono::seconds k_first_back_off{5};
// Requests in flight to one seed, each on a connection of its own, so that one reply is read
// while the next is on its way.
constexpr int k_connections_per_seed = 2;
constexpr std::chrono::seconds k_max_back_off{600};

// The blame for a failed piece goes by sender address. A web seed is not a peer, and its
// server's address may well be a peer's too, so each seed stands for an address of its own
// in 100::/64, the discard-only prefix (RFC 6666), which no peer can have.
asio::ip::address sender_address(std::uint32_t index) {
    asio::ip::address_v6::bytes_type bytes{};
    bytes[0] = 0x01;
    bytes[12] = static_cast<std::uint8_t>(index >> 24);
    bytes[13] = static_cast<std::uint8_t>(index >> 16);
    bytes[14] = static_cast<std::uint8_t>(index >> 8);
    bytes[15] = static_cast<std::uint8_t>(index);
    return asio::ip::address_v6(bytes);
}

std::int64_t stream_offset(const TorrentInfo& info, const BlockRequest& b) {
    return static_cast<std::int64_t>(b.piece) * info.piece_length + b.begin;
}

}  // namespace

struct TorrentWebSeeds::Seed {
    enum class State { idle, downloading, waiting, missing_files, dropped };
    std::string url;
    Address sender;
    State state = State::idle;
    std::string error;
    std::vector<bool> missing;  // per file
    int missing_count = 0;
    int failures = 0;           // in a row
    Clock::time_point retry_at{};
    std::int64_t downloaded = 0;
    std::int64_t counted = 0;  // `downloaded` at the last tick
    double rate = 0;
    // One coroutine per connection asks for blocks; `busy` marks the connections in use.
    std::vector<std::shared_ptr<web_seed::SeedConnection>> connections;
    std::vector<bool> busy;
    int workers = 0;
    std::set<BlockRequest> in_flight;  // picked by its workers and not yet delivered or given back

    void close_connections() {
        for (auto& c : connections) c->close();
        connections.clear();
        busy.clear();
    }
};

TorrentWebSeeds::TorrentWebSeeds(std::shared_ptr<const TorrentInfo> info, const std::vector<std::string>& urls,
                                 asio::any_io_executor executor, http_client::TlsClientContext& tls,
                                 const net::SocketBinding& binding, Host host)
    : info_(std::move(info)), executor_(std::move(executor)), tls_(tls), binding_(binding), host_(std::move(host)) {
    for (const auto& url : urls) (void)add(url);
}

TorrentWebSeeds::~TorrentWebSeeds() {
    alive_.end();
    for (auto& seed : seeds_) seed->close_connections();
}

Result<Done> TorrentWebSeeds::add(const std::string& url) {
    if (auto fits = web_seed::check_new_seed(urls(), url); !fits) return fits.error();
    auto seed = std::make_shared<Seed>();
    seed->url = url;
    seed->sender = sender_address(next_sender_++);
    seed->missing.assign(info_->files.size(), false);
    seeds_.push_back(seed);
    if (running_) launch(seed);
    return Done{};
}

bool TorrentWebSeeds::remove(const std::string& url) {
    auto it = std::find_if(seeds_.begin(), seeds_.end(), [&](const auto& s) { return s->url == url; });
    if (it == seeds_.end()) return false;
    // Its coroutines, if any, see the closed connections and give their blocks back.
    (*it)->close_connections();
    (*it)->state = Seed::State::dropped;
    seeds_.erase(it);
    return true;
}

std::vector<std::string> TorrentWebSeeds::urls() const {
    std::vector<std::string> out;
    for (const auto& s : seeds_) out.push_back(s->url);
    return out;
}

void TorrentWebSeeds::start() {
    running_ = true;
    const auto now = Clock::now();
    for (auto& seed : seeds_) {
        if (seed->workers > 0 || seed->state == Seed::State::dropped || seed->state == Seed::State::missing_files)
            continue;
        if (seed->state == Seed::State::waiting && now < seed->retry_at) continue;
        launch(seed);
    }
}

void TorrentWebSeeds::stop() {
    running_ = false;
    for (auto& seed : seeds_) {
        seed->close_connections();
        if (seed->state == Seed::State::downloading) seed->state = Seed::State::idle;
    }
}

void TorrentWebSeeds::launch(const std::shared_ptr<Seed>& seed) {
    seed->state = Seed::State::downloading;
    if (seed->connections.empty()) {
        for (int i = 0; i < k_connections_per_seed; ++i)
            seed->connections.push_back(std::make_shared<web_seed::SeedConnection>(executor_, tls_.get(), binding_));
        seed->busy.assign(seed->connections.size(), false);
    }
    for (std::size_t i = 0; i < seed->connections.size(); ++i) {
        if (seed->busy[i]) continue;
        seed->busy[i] = true;
        ++seed->workers;
        asio::co_spawn(executor_, run(seed, seed->connections[i]), asio::detached);
    }
}

void TorrentWebSeeds::tick() {
    for (auto& seed : seeds_) {
        const auto moved = static_cast<double>(seed->downloaded - seed->counted);
        seed->counted = seed->downloaded;
        seed->rate = seed->rate * 0.5 + moved * 0.5;
        if (seed->rate < 1) seed->rate = moved;
    }
}

Bitfield TorrentWebSeeds::pieces_of(const Seed& seed) const {
    Bitfield has(static_cast<std::size_t>(info_->num_pieces), true);
    if (seed.missing_count == 0) return has;
    for (std::size_t f = 0; f < info_->files.size(); ++f) {
        const auto& file = info_->files[f];
        if (!seed.missing[f] || file.size == 0) continue;
        const auto first = static_cast<std::size_t>(file.offset / info_->piece_length);
        const auto last = static_cast<std::size_t>((file.offset + file.size - 1) / info_->piece_length);
        for (std::size_t p = first; p <= last; ++p) has.reset(p);
    }
    return has;
}

asio::awaitable<void> TorrentWebSeeds::run(std::shared_ptr<Seed> seed,
                                           std::shared_ptr<web_seed::SeedConnection> connection) {
    auto alive = alive_.watch();
    Bitfield counted;  // what the picker counts this seed as having
    std::int64_t bytes = k_min_request_bytes;  // to ask for next
    while (*alive && running_ && seed->state == Seed::State::downloading) {
        const Bitfield has = pieces_of(*seed);
        if (has.none()) {
            seed->state = Seed::State::missing_files;
            break;
        }
        if (has != counted) {
            if (counted.size() > 0) host_.remove_source(counted);
            host_.add_source(has);
            counted = has;
        }
        auto blocks = host_.pick(has, static_cast<std::size_t>(bytes / wire::k_block_size),
                                 [&](const BlockRequest& b) { return seed->in_flight.contains(b); });
        if (blocks.empty()) {
            // Nothing to ask it for now; start() wakes it.
            break;
        }
        std::sort(blocks.begin(), blocks.end());
        seed->in_flight.insert(blocks.begin(), blocks.end());
        // Contiguous stretches of the torrent's byte stream, one after the other.
        std::vector<std::vector<BlockRequest>> runs;
        for (const auto& b : blocks) {
            if (runs.empty() || stream_offset(*info_, runs.back().back()) + runs.back().back().length !=
                                    stream_offset(*info_, b)) {
                runs.emplace_back();
            }
            runs.back().push_back(b);
        }
        bool all_in = true;
        const auto started = Clock::now();
        std::int64_t asked = 0;
        for (auto& run_blocks : runs) {
            if (!all_in) {
                for (const auto& b : run_blocks) {
                    seed->in_flight.erase(b);
                    host_.abort(b);
                }
                continue;
            }
            for (const auto& b : run_blocks) asked += b.length;
            all_in = co_await fetch_run(seed, connection, std::move(run_blocks));
            if (!*alive) co_return;
        }
        if (all_in) {
            const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
            const double rate = static_cast<double>(asked) / std::max(seconds, 1e-3);
            bytes = std::clamp(static_cast<std::int64_t>(rate * k_request_seconds), k_min_request_bytes,
                               k_max_request_bytes);
        }
    }
    if (*alive) {
        if (counted.size() > 0) host_.remove_source(counted);
        --seed->workers;
        for (std::size_t i = 0; i < seed->connections.size(); ++i) {
            if (seed->connections[i] == connection) seed->busy[i] = false;
        }
        if (seed->workers == 0 && seed->state == Seed::State::downloading) seed->state = Seed::State::idle;
    }
}

asio::awaitable<bool> TorrentWebSeeds::fetch_run(std::shared_ptr<Seed> seed,
                                                 std::shared_ptr<web_seed::SeedConnection> connection,
                                                 std::vector<BlockRequest> run) {
    auto alive = alive_.watch();
    const std::int64_t offset = stream_offset(*info_, run.front());
    std::int64_t length = 0;
    for (const auto& b : run) length += b.length;
    const auto give_back = [&] {
        for (const auto& b : run) {
            seed->in_flight.erase(b);
            host_.abort(b);
        }
    };

    std::string bytes;
    const auto spans = web_seed::file_spans(*info_, offset, length);
    // One span's body becomes `bytes` as it is; several are put together.
    if (spans.size() > 1) bytes.reserve(static_cast<std::size_t>(length));
    for (const auto& span : spans) {
        if (span.pad) {
            bytes.append(static_cast<std::size_t>(span.length), '\0');
            continue;
        }
        if (seed->missing[span.file]) {
            give_back();
            co_return false;
        }
        co_await host_.throttle(span.length);
        if (!*alive) co_return false;
        if (seed->state != Seed::State::downloading) {
            give_back();
            co_return false;
        }
        const auto& file = info_->files[span.file];
        auto reply = co_await connection->fetch(web_seed::file_url(seed->url, *info_, span.file),
                                                {span.offset, span.length}, file.size, k_request_timeout);
        if (!*alive) co_return false;
        if (seed->state != Seed::State::downloading) {
            give_back();
            co_return false;
        }
        web_seed::Verdict verdict;
        if (reply) {
            verdict = std::move(reply->verdict);
        } else if (reply.error().code == ErrorCode::cancelled) {
            give_back();
            co_return false;
        } else {
            verdict = {Kind::back_off, reply.error().message, std::nullopt};
        }
        if (verdict.kind == Kind::data) {
            if (bytes.empty() && spans.size() == 1) {
                bytes = std::move(reply->body);
            } else {
                bytes += reply->body;
            }
            continue;
        }
        give_back();
        seed->error = file.joined_path() + ": " + verdict.reason;
        if (verdict.kind == Kind::file_missing) {
            seed->missing[span.file] = true;
            ++seed->missing_count;
            host_.notice("web seed " + seed->url + " does not have " + seed->error);
        } else if (verdict.kind == Kind::seed_failed) {
            seed->state = Seed::State::dropped;
            seed->error = verdict.reason;
            host_.notice("web seed " + seed->url + " dropped: " + verdict.reason);
        } else {
            ++seed->failures;
            auto wait = k_first_back_off * (1 << std::min(seed->failures - 1, 7));
            wait = std::min<std::chrono::seconds>(wait, k_max_back_off);
            if (verdict.retry_after) wait = std::max(wait, *verdict.retry_after);
            seed->retry_at = Clock::now() + wait;
            seed->state = Seed::State::waiting;
        }
        co_return false;
    }
    seed->failures = 0;
    seed->downloaded += length;
    std::size_t at = 0;
    for (const auto& b : run) {
        seed->in_flight.erase(b);
        host_.deliver(b, std::string_view(bytes).substr(at, b.length), seed->sender);
        if (!*alive) co_return false;
        at += b.length;
    }
    co_return true;
}

bool TorrentWebSeeds::is_seed(const Address& sender) const {
    return std::any_of(seeds_.begin(), seeds_.end(), [&](const auto& s) { return s->sender == sender; });
}

void TorrentWebSeeds::drop(const Address& sender, const std::string& reason) {
    for (auto& seed : seeds_) {
        if (seed->sender != sender || seed->state == Seed::State::dropped) continue;
        seed->state = Seed::State::dropped;
        seed->error = reason;
        seed->close_connections();
        host_.notice("web seed " + seed->url + " dropped: " + reason);
    }
}

std::vector<WebSeedInfo> TorrentWebSeeds::describe() const {
    std::vector<WebSeedInfo> out;
    for (const auto& seed : seeds_) {
        WebSeedInfo info;
        info.url = seed->url;
        switch (seed->state) {
            case Seed::State::idle: info.state = "idle"; break;
            case Seed::State::downloading: info.state = "downloading"; break;
            case Seed::State::waiting: info.state = "waiting"; break;
            case Seed::State::missing_files: info.state = "missing files"; break;
            case Seed::State::dropped: info.state = "dropped"; break;
        }
        info.error = seed->error;
        info.download_rate = seed->rate;
        info.downloaded = seed->downloaded;
        info.missing_files = seed->missing_count;
        out.push_back(std::move(info));
    }
    return out;
}

double TorrentWebSeeds::download_rate() const {
    double total = 0;
    for (const auto& seed : seeds_) total += seed->rate;
    return total;
}

int TorrentWebSeeds::active() const {
    return static_cast<int>(
        std::count_if(seeds_.begin(), seeds_.end(), [](const auto& s) { return s->state == Seed::State::downloading; }));
}

}  // namespace shoal
