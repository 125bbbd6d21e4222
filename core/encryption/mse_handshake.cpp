#include "encryption/mse_handshake.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <stdexcept>

#include "encryption/encrypted_stream.hpp"

namespace shoal::mse {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr std::size_t k_discard = 1024;  // keystream bytes dropped before use
constexpr std::size_t k_vc_size = 8;     // the verification constant: 8 zero bytes
constexpr std::size_t k_read_chunk = 4096;

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (n > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        throw std::runtime_error("OpenSSL's RAND_bytes failed");
    }
    return out;
}

std::size_t padding_length(const Options& options) {
    if (options.padding)
        return *options.padding;
    const std::string r = random_bytes(2);
    const auto value = static_cast<std::size_t>(static_cast<std::uint8_t>(r[0])) << 8 |
                       static_cast<std::uint8_t>(r[1]);
    return value % (k_max_padding + 1);
}

std::string_view view(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

void put_u16(std::string& out, std::size_t v) {
    out.push_back(static_cast<char>(v >> 8 & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
}
void put_u32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>(v >> shift & 0xff));
}
std::uint32_t get_u(std::string_view in) {
    std::uint32_t v = 0;
    for (char c : in)
        v = v << 8 | static_cast<std::uint8_t>(c);
    return v;
}

Rc4 keyed(const Sha1Hash& key) {
    Rc4 rc4(key.bytes);
    rc4.discard(k_discard);
    return rc4;
}

void apply(Rc4& rc4, std::string& bytes) {
    auto* p = reinterpret_cast<std::uint8_t*>(bytes.data());
    rc4.apply(p, p, bytes.size());
}

// The raw side of the handshake: reads into a buffer (never more than the handshake still
// needs plus one chunk), writes whole messages, all before one deadline.
class Wire {
  public:
    Wire(net::PeerStream& stream, std::chrono::milliseconds timeout, std::string received)
        : stream_(stream), timer_(stream.get_executor(), timeout), buffer_(std::move(received)) {}

    std::string& buffer() { return buffer_; }

    // Until the buffer holds at least `n` bytes.
    asio::awaitable<Result<Done>> fill(std::size_t n) {
        while (buffer_.size() < n) {
            auto more = co_await read_more();
            if (!more)
                co_return more;
        }
        co_return Done{};
    }
    asio::awaitable<Result<Done>> read_more() {
        char chunk[k_read_chunk];
        boost::system::error_code ec;
        auto some =
            co_await (stream_.async_read_some(asio::buffer(chunk),
                                              asio::redirect_error(asio::use_awaitable, ec)) ||
                      timer_.async_wait(asio::use_awaitable));
        if (some.index() != 0)
            co_return timed_out();
        if (ec)
            co_return failed(ec);
        buffer_.append(chunk, std::get<0>(some));
        co_return Done{};
    }
    // The first `n` bytes of the buffer, removed from it (fill first).
    std::string take(std::size_t n) {
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return out;
    }
    // Reads until `pattern` shows up starting at most `max_offset` bytes in, then drops
    // everything up to its end.
    asio::awaitable<Result<Done>> sync_on(std::string_view pattern, std::size_t max_offset,
                                          std::string what) {
        for (;;) {
            const std::size_t at = buffer_.find(pattern);
            if (at != std::string::npos && at <= max_offset) {
                buffer_.erase(0, at + pattern.size());
                co_return Done{};
            }
            if (buffer_.size() >= max_offset + pattern.size()) {
                co_return make_error(ErrorCode::invalid_input, "an encryption handshake without " +
                                                                   what + " where it belongs");
            }
            auto more = co_await read_more();
            if (!more)
                co_return more;
        }
    }
    asio::awaitable<Result<Done>> send(const std::string& bytes) {
        boost::system::error_code ec;
        auto wrote = co_await (asio::async_write(stream_, asio::buffer(bytes),
                                                 asio::redirect_error(asio::use_awaitable, ec)) ||
                               timer_.async_wait(asio::use_awaitable));
        if (wrote.index() != 0)
            co_return timed_out();
        if (ec)
            co_return failed(ec);
        co_return Done{};
    }

  private:
    static Error timed_out() {
        return make_error(ErrorCode::timeout, "no encryption handshake in time");
    }
    static Error failed(const boost::system::error_code& ec) {
        return make_error(ErrorCode::network, ec == asio::error::eof
                                                  ? "closed during the encryption handshake"
                                                  : ec.message());
    }

    net::PeerStream& stream_;
    asio::steady_timer timer_;
    std::string buffer_;
};

// The stream to carry on with, given the bytes already read beyond the handshake.
std::unique_ptr<net::PeerStream> carry_on(std::unique_ptr<net::PeerStream> stream,
                                          std::uint32_t method, Rc4 in, Rc4 out,
                                          std::string payload, std::string rest) {
    if (method == k_rc4) {
        apply(in, rest);
        return std::make_unique<EncryptedStream>(std::move(stream), std::move(in), std::move(out),
                                                 payload + rest);
    }
    return std::make_unique<PrefixedStream>(std::move(stream), payload + rest);
}

Result<SharedSecret> secret_from(const PrivateKey& ours, std::string_view theirs) {
    PublicKey y{};
    std::copy(theirs.begin(), theirs.end(), reinterpret_cast<char*>(y.data()));
    return shared_secret(ours, y);
}

}  // namespace

asio::awaitable<Result<Established>> handshake_as_initiator(std::unique_ptr<net::PeerStream> stream,
                                                            StreamKey skey, std::uint32_t provide,
                                                            std::string initial_payload,
                                                            Options options) {
    if (initial_payload.size() > k_max_initial_payload || (provide & (k_rc4 | k_plaintext)) == 0) {
        co_return make_error(ErrorCode::invalid_input, "an encryption handshake we cannot offer");
    }
    Wire wire(*stream, options.timeout, {});
    // 1. Ya, PadA.
    const PrivateKey x = options.private_key.value_or(random_private_key());
    const PublicKey ya = public_key(x);
    if (auto sent =
            co_await wire.send(std::string(view(ya)) + random_bytes(padding_length(options)));
        !sent) {
        co_return sent.error();
    }
    // 2. Yb (PadB is skipped by the synchronisation below).
    if (auto got = co_await wire.fill(k_key_size); !got)
        co_return got.error();
    const auto s = secret_from(x, wire.take(k_key_size));
    if (!s)
        co_return s.error();
    Rc4 out = keyed(key_a(*s, skey));
    Rc4 in = keyed(key_b(*s, skey));
    // 3. HASH('req1', S), HASH('req2', SKEY) xor HASH('req3', S), ENCRYPT(VC, crypto_provide,
    //    len(PadC), PadC, len(IA), IA).
    std::string encrypted(k_vc_size, '\0');
    put_u32(encrypted, provide);
    const std::size_t pad_c = padding_length(options);
    put_u16(encrypted, pad_c);
    encrypted.append(pad_c, '\0');
    put_u16(encrypted, initial_payload.size());
    encrypted += initial_payload;
    apply(out, encrypted);
    const std::string step3 =
        std::string(req1(*s).view()) + std::string(req2_xor_req3(*s, skey).view()) + encrypted;
    if (auto sent = co_await wire.send(step3); !sent)
        co_return sent.error();
    // 4. ENCRYPT(VC) within PadB's limit, then crypto_select, len(PadD), PadD.
    std::string vc(k_vc_size, '\0');
    apply(in, vc);
    if (auto synced = co_await wire.sync_on(vc, k_max_padding, "the verification constant");
        !synced) {
        co_return synced.error();
    }
    if (auto got = co_await wire.fill(6); !got)
        co_return got.error();
    std::string header = wire.take(6);
    apply(in, header);
    const std::uint32_t select = get_u(std::string_view(header).substr(0, 4));
    const std::size_t pad_d = get_u(std::string_view(header).substr(4, 2));
    if ((select != k_rc4 && select != k_plaintext) || (select & provide) == 0) {
        co_return make_error(ErrorCode::refused,
                             "the peer selected an encryption method we did not offer");
    }
    if (pad_d > k_max_padding)
        co_return make_error(ErrorCode::too_large, "an encryption handshake with too much padding");
    if (auto got = co_await wire.fill(pad_d); !got)
        co_return got.error();
    std::string padding = wire.take(pad_d);
    apply(in, padding);
    Established done;
    done.skey = skey;
    done.method = select;
    done.stream = carry_on(std::move(stream), select, std::move(in), std::move(out), {},
                           std::move(wire.buffer()));
    co_return done;
}

FindStreamKey find_among(const std::vector<StreamKey>& keys) {
    std::vector<std::pair<Sha1Hash, StreamKey>> named;
    named.reserve(keys.size());
    for (const StreamKey& key : keys)
        named.emplace_back(req2(key), key);
    return [named = std::move(named)](const Sha1Hash& wanted) -> std::optional<StreamKey> {
        for (const auto& [hash, key] : named) {
            if (hash == wanted)
                return key;
        }
        return std::nullopt;
    };
}

asio::awaitable<Result<Established>> handshake_as_receiver(std::unique_ptr<net::PeerStream> stream,
                                                           std::string received,
                                                           FindStreamKey find,
                                                           std::uint32_t accept, Options options) {
    Wire wire(*stream, options.timeout, std::move(received));
    // 1. Ya (PadA is skipped by the synchronisation below).
    if (auto got = co_await wire.fill(k_key_size); !got)
        co_return got.error();
    const PrivateKey x = options.private_key.value_or(random_private_key());
    const auto s = secret_from(x, wire.take(k_key_size));
    if (!s)
        co_return s.error();
    // 2. Yb, PadB.
    const PublicKey yb = public_key(x);
    if (auto sent =
            co_await wire.send(std::string(view(yb)) + random_bytes(padding_length(options)));
        !sent) {
        co_return sent.error();
    }
    // 3. HASH('req1', S) within PadA's limit, then which torrent.
    if (auto synced = co_await wire.sync_on(req1(*s).view(), k_max_padding, "its first hash");
        !synced) {
        co_return synced.error();
    }
    if (auto got = co_await wire.fill(20); !got)
        co_return got.error();
    const std::string named = wire.take(20);
    Sha1Hash wanted = req3(*s);
    for (std::size_t i = 0; i < wanted.bytes.size(); ++i)
        wanted.bytes[i] ^= static_cast<std::uint8_t>(named[i]);
    const std::optional<StreamKey> skey = find ? find(wanted) : std::nullopt;
    if (!skey)
        co_return make_error(ErrorCode::not_found,
                             "an encryption handshake for a torrent we do not have");
    Rc4 in = keyed(key_a(*s, *skey));
    Rc4 out = keyed(key_b(*s, *skey));
    //    ENCRYPT(VC, crypto_provide, len(PadC), PadC, len(IA), IA).
    if (auto got = co_await wire.fill(k_vc_size + 6); !got)
        co_return got.error();
    std::string header = wire.take(k_vc_size + 6);
    apply(in, header);
    if (header.substr(0, k_vc_size) != std::string(k_vc_size, '\0')) {
        co_return make_error(ErrorCode::invalid_input,
                             "an encryption handshake with a wrong verification constant");
    }
    const std::uint32_t provide = get_u(std::string_view(header).substr(k_vc_size, 4));
    const std::size_t pad_c = get_u(std::string_view(header).substr(k_vc_size + 4, 2));
    if (pad_c > k_max_padding)
        co_return make_error(ErrorCode::too_large, "an encryption handshake with too much padding");
    if (auto got = co_await wire.fill(pad_c + 2); !got)
        co_return got.error();
    std::string middle = wire.take(pad_c + 2);
    apply(in, middle);
    const std::size_t ia_size = get_u(std::string_view(middle).substr(pad_c, 2));
    if (ia_size > k_max_initial_payload) {
        co_return make_error(ErrorCode::too_large,
                             "an encryption handshake with too long an initial payload");
    }
    if (auto got = co_await wire.fill(ia_size); !got)
        co_return got.error();
    std::string payload = wire.take(ia_size);
    apply(in, payload);
    // 4. ENCRYPT(VC, crypto_select, len(PadD), PadD): RC4 when both may.
    const std::uint32_t both = provide & accept;
    const std::uint32_t select = (both & k_rc4) ? k_rc4 : (both & k_plaintext) ? k_plaintext : 0;
    if (select == 0) {
        co_return make_error(ErrorCode::refused, "the peer offers no encryption method we accept");
    }
    std::string answer(k_vc_size, '\0');
    put_u32(answer, select);
    const std::size_t pad_d = padding_length(options);
    put_u16(answer, pad_d);
    answer.append(pad_d, '\0');
    apply(out, answer);
    if (auto sent = co_await wire.send(answer); !sent)
        co_return sent.error();
    Established done;
    done.skey = *skey;
    done.method = select;
    done.stream =
        carry_on(std::move(stream), select, std::move(in), std::move(out), std::move(payload),
                 std::move(wire.buffer()));
    co_return done;
}

}  // namespace shoal::mse
