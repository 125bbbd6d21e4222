#include "tracker/redis_store.hpp"

#include <hiredis/hiredis.h>

#include <memory>

#include "crypto/hasher.hpp"

namespace shoal::tracker {
namespace {

constexpr std::size_t k_announce_script = 0;
constexpr std::size_t k_scrape_script = 1;

// KEYS: s4 l4 s6 l6 d. ARGV: member, family ("4" or "6"), seeding ("1" or "0"), event
// (0 none, 1 completed, 2 started, 3 stopped), numwant, want v4, want v6, peer timeout.
// Returns {seeders, leechers, completed, member...}.
constexpr const char* k_announce_lua = R"lua(
local now = tonumber(redis.call('TIME')[1])
local timeout = tonumber(ARGV[8])
local cutoff = now - timeout
local member = ARGV[1]
local seeding = ARGV[3] == '1'
local event = ARGV[4]
local own_s, own_l = KEYS[1], KEYS[2]
if ARGV[2] == '6' then own_s, own_l = KEYS[3], KEYS[4] end
for i = 1, 4 do
  local stale = redis.call('ZRANGEBYSCORE', KEYS[i], '-inf', '(' .. cutoff, 'LIMIT', 0, 64)
  if #stale > 0 then redis.call('ZREM', KEYS[i], unpack(stale)) end
end
local was_seeder = redis.call('ZSCORE', own_s, member)
local was_leecher = redis.call('ZSCORE', own_l, member)
if (was_leecher and seeding) or (event == '1' and not was_seeder) then
  redis.call('INCR', KEYS[5])
end
if event == '3' then
  if was_seeder then redis.call('ZREM', own_s, member) end
  if was_leecher then redis.call('ZREM', own_l, member) end
else
  local into, from = own_l, own_s
  if seeding then into, from = own_s, own_l end
  redis.call('ZREM', from, member)
  redis.call('ZADD', into, now, member)
  redis.call('EXPIRE', into, timeout)
  redis.call('EXPIRE', KEYS[5], timeout)
end
local counts = {}
for i = 1, 4 do counts[i] = redis.call('ZCOUNT', KEYS[i], cutoff, '+inf') end
local out = {counts[1] + counts[3], counts[2] + counts[4], tonumber(redis.call('GET', KEYS[5]) or '0')}
local want = tonumber(ARGV[5])
if event == '3' or want <= 0 then return out end
local function take(key, n)
  if n <= 0 then return 0 end
  local got = 0
  local r = redis.call('ZRANDMEMBER', key, n + 1, 'WITHSCORES')
  for i = 1, #r, 2 do
    if got >= n then break end
    if r[i] ~= member and tonumber(r[i + 1]) >= cutoff then
      out[#out + 1] = r[i]
      got = got + 1
    end
  end
  return got
end
for f = 0, 1 do
  if want > 0 and ARGV[6 + f] == '1' then
    local s_key, l_key = KEYS[1 + 2 * f], KEYS[2 + 2 * f]
    if seeding then
      want = want - take(l_key, want)
    else
      local s, l = counts[1 + 2 * f], counts[2 + 2 * f]
      if s + l > 0 then
        -- Seeders' share rounded up, so that a leecher in a seeded swarm sees a seeder.
        local from_s = math.min(s, math.ceil(want * s / (s + l)))
        local from_l = math.min(l, want - from_s)
        from_s = math.min(s, want - from_l)
        want = want - take(l_key, from_l) - take(s_key, from_s)
      end
    end
  end
end
return out
)lua";

// KEYS: s4 l4 s6 l6 d for each torrent. ARGV: peer timeout. Returns three numbers a torrent.
constexpr const char* k_scrape_lua = R"lua(
local cutoff = tonumber(redis.call('TIME')[1]) - tonumber(ARGV[1])
local out = {}
for t = 0, #KEYS / 5 - 1 do
  local k = t * 5
  local function live(i) return redis.call('ZCOUNT', KEYS[k + i], cutoff, '+inf') end
  out[#out + 1] = live(1) + live(3)
  out[#out + 1] = live(2) + live(4)
  out[#out + 1] = tonumber(redis.call('GET', KEYS[k + 5]) or '0')
end
return out
)lua";

constexpr std::string_view k_suffixes[] = {":s4", ":l4", ":s6", ":l6", ":d"};

std::string member_of(const PeerEndpoint& e) {
    std::string m(reinterpret_cast<const char*>(e.address.bytes.data()), e.address.size());
    m.push_back(static_cast<char>(e.port >> 8));
    m.push_back(static_cast<char>(e.port & 0xFF));
    return m;
}

bool endpoint_of(std::string_view member, PeerEndpoint& out) {
    if (member.size() != 6 && member.size() != 18)
        return false;
    out.address = IpAddress{};
    out.address.family = member.size() == 6 ? Family::v4 : Family::v6;
    const std::size_t n = member.size() - 2;
    for (std::size_t i = 0; i < n; ++i)
        out.address.bytes[i] = static_cast<std::uint8_t>(member[i]);
    out.port = static_cast<std::uint16_t>((static_cast<std::uint8_t>(member[n]) << 8) |
                                          static_cast<std::uint8_t>(member[n + 1]));
    return out.port != 0;
}

std::uint32_t count_of(const redisReply* r) {
    if (r->type != REDIS_REPLY_INTEGER || r->integer < 0)
        return 0;
    return static_cast<std::uint32_t>(std::min<long long>(r->integer, 0xFFFFFFFFll));
}

bool is_noscript(const redisReply* r) {
    return r->type == REDIS_REPLY_ERROR && std::string_view(r->str, r->len).starts_with("NOSCRIPT");
}

}  // namespace

const std::vector<std::string>& RedisStore::scripts() {
    static const std::vector<std::string> s = {k_announce_lua, k_scrape_lua};
    return s;
}

RedisStore::RedisStore(asio::any_io_executor executor, RedisOptions options, std::string prefix,
                       std::uint32_t peer_timeout, RedisConnection::StateListener listener)
    : executor_(executor),
      connection_(executor,
                  [&options] {
                      options.scripts = scripts();
                      return std::move(options);
                  }(),
                  std::move(listener)),
      prefix_(std::move(prefix)),
      peer_timeout_(peer_timeout) {
    for (const auto& s : scripts())
        shas_.push_back(sha1(s).hex());
}

std::string RedisStore::key(const InfoHash& hash, std::string_view suffix) const {
    std::string k;
    k.reserve(prefix_.size() + 44 + suffix.size());
    k += prefix_;
    k += '{';
    k += hash.hex();
    k += '}';
    k += suffix;
    return k;
}

void RedisStore::call(std::size_t script, std::vector<std::string> keys,
                      std::vector<std::string> args,
                      std::function<void(StoreStatus, const redisReply*)> done) {
    // Arguments live in one shared block: a NOSCRIPT answer (the server's script cache was
    // flushed) sends them again with the script's text.
    struct Call {
        std::vector<std::string> keys, args;
        std::function<void(StoreStatus, const redisReply*)> done;
    };
    auto c = std::make_shared<Call>(Call{std::move(keys), std::move(args), std::move(done)});
    auto send = [this, script, c](bool by_text, auto&& callback) {
        const std::string count = std::to_string(c->keys.size());
        std::vector<std::string_view> argv;
        argv.reserve(3 + c->keys.size() + c->args.size());
        argv.push_back(by_text ? "EVAL" : "EVALSHA");
        argv.push_back(by_text ? std::string_view(scripts()[script]) : std::string_view(shas_[script]));
        argv.push_back(count);
        for (const auto& k : c->keys)
            argv.push_back(k);
        for (const auto& a : c->args)
            argv.push_back(a);
        return connection_.command(argv, std::forward<decltype(callback)>(callback));
    };
    auto finish = [c](const redisReply* r) {
        if (r == nullptr || r->type == REDIS_REPLY_ERROR)
            c->done(StoreStatus::unavailable, nullptr);
        else
            c->done(StoreStatus::ok, r);
    };
    const auto submitted = send(false, [send, finish, c](const redisReply* r) {
        if (r != nullptr && is_noscript(r)) {
            if (send(true, finish) != RedisConnection::Submit::queued)
                c->done(StoreStatus::unavailable, nullptr);
            return;
        }
        finish(r);
    });
    if (submitted == RedisConnection::Submit::busy)
        c->done(StoreStatus::busy, nullptr);
    else if (submitted == RedisConnection::Submit::unavailable)
        c->done(StoreStatus::unavailable, nullptr);
}

void RedisStore::announce(const StoreAnnounce& request, AnnounceDone done) {
    std::vector<std::string> keys;
    keys.reserve(5);
    for (const auto suffix : k_suffixes)
        keys.push_back(key(request.info_hash, suffix));
    std::vector<std::string> args = {
        member_of(request.endpoint),
        request.endpoint.address.family == Family::v4 ? "4" : "6",
        request.seeding ? "1" : "0",
        std::to_string(static_cast<std::uint32_t>(request.event)),
        std::to_string(request.numwant),
        request.families.v4 ? "1" : "0",
        request.families.v6 ? "1" : "0",
        std::to_string(peer_timeout_),
    };
    call(k_announce_script, std::move(keys), std::move(args),
         [done = std::move(done)](StoreStatus status, const redisReply* r) {
             std::vector<PeerInfo> peers;
             if (status != StoreStatus::ok) {
                 done(status, {}, std::move(peers));
                 return;
             }
             if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
                 done(StoreStatus::unavailable, {}, std::move(peers));
                 return;
             }
             const SwarmCounts counts{count_of(r->element[0]), count_of(r->element[1]),
                                      count_of(r->element[2])};
             peers.reserve(r->elements - 3);
             for (std::size_t i = 3; i < r->elements; ++i) {
                 const redisReply* m = r->element[i];
                 PeerInfo p;
                 if (m->type == REDIS_REPLY_STRING && endpoint_of({m->str, m->len}, p.endpoint))
                     peers.push_back(p);
             }
             done(StoreStatus::ok, counts, std::move(peers));
         });
}

void RedisStore::scrape(std::span<const InfoHash> hashes, ScrapeDone done) {
    std::vector<std::string> keys;
    keys.reserve(hashes.size() * 5);
    for (const auto& h : hashes) {
        for (const auto suffix : k_suffixes)
            keys.push_back(key(h, suffix));
    }
    const std::size_t n = hashes.size();
    call(k_scrape_script, std::move(keys), {std::to_string(peer_timeout_)},
         [done = std::move(done), n](StoreStatus status, const redisReply* r) {
             std::vector<SwarmCounts> counts;
             if (status != StoreStatus::ok) {
                 done(status, std::move(counts));
                 return;
             }
             if (r->type != REDIS_REPLY_ARRAY || r->elements != n * 3) {
                 done(StoreStatus::unavailable, std::move(counts));
                 return;
             }
             counts.reserve(n);
             for (std::size_t i = 0; i < n; ++i) {
                 counts.push_back({count_of(r->element[3 * i]), count_of(r->element[3 * i + 1]),
                                   count_of(r->element[3 * i + 2])});
             }
             done(StoreStatus::ok, std::move(counts));
         });
}

}  // namespace shoal::tracker
