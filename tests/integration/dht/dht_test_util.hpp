#pragma once
// Helpers for the in-process DHT network tests: loopback addresses, a raw KRPC client, and
// running the io_context until something holds.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "discovery/dht/krpc.hpp"
#include "discovery/dht/node.hpp"

namespace shoal::dht::testing {

inline boost::asio::ip::address loopback(unsigned host) {
    return boost::asio::ip::make_address_v4(0x7f000000u + host);
}

// Runs `io` in slices until `done()` or `limit` has passed; returns done().
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.restart();
        io.run_for(std::chrono::milliseconds(20));
    }
    return done();
}

// A bare UDP socket that speaks KRPC by hand, for sending what a real node never would.
class RawClient {
  public:
    RawClient(boost::asio::io_context& io, unsigned host) : socket_(io) {
        socket_.open(boost::asio::ip::udp::v4());
        socket_.bind(Endpoint(loopback(host), 0));
        socket_.non_blocking(true);
    }
    void send(const std::string& bytes, const Endpoint& to) {
        boost::system::error_code ec;
        socket_.send_to(boost::asio::buffer(bytes), to, 0, ec);
    }
    void send(const Message& message, const Endpoint& to) { send(encode_message(message), to); }
    // Every datagram waiting now, decoded; undecodable ones are skipped.
    std::vector<Message> drain() {
        std::vector<Message> out;
        for (;;) {
            std::array<char, 2048> buffer;
            Endpoint from;
            boost::system::error_code ec;
            const auto size = socket_.receive_from(boost::asio::buffer(buffer), from, 0, ec);
            if (ec)
                return out;
            auto decoded = decode_message(std::string_view(buffer.data(), size));
            if (auto* m = std::get_if<Message>(&decoded))
                out.push_back(std::move(*m));
        }
    }
    Endpoint local() const { return socket_.local_endpoint(); }

  private:
    boost::asio::ip::udp::socket socket_;
};

inline Message make_query(std::string tid, Query query) {
    Message m;
    m.transaction_id = std::move(tid);
    m.body = std::move(query);
    return m;
}

}  // namespace shoal::dht::testing
