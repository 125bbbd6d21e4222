#pragma once
// Incoming connections whose handshake is under way. At most a few per address; and when the
// table is full, the oldest makes room for the newest (it is closed), so that connections
// that never speak cannot keep peers out: a peer's handshake takes milliseconds, an idle
// connection's would have held its place until the handshake timeout. Network thread only.

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <list>
#include <map>

#include "net/peer_stream.hpp"

namespace shoal {

class PendingHandshakes {
public:
    using Address = boost::asio::ip::address;

    PendingHandshakes(std::size_t capacity, std::size_t per_address)
        : capacity_(capacity), per_address_(per_address) {}

    // Registers `stream`, from `address`, about to start its handshake: false when that
    // address has too many pending already. When the table is full, the oldest pending stream
    // is closed (its handshake fails, and it calls ended()).
    bool admit(net::PeerStream& stream, const Address& address);
    // The handshake on `stream` is over; called before the stream is handed on or destroyed.
    void ended(const net::PeerStream& stream);

    // Handshakes under way, those closed to make room included until they end.
    std::size_t size() const { return oldest_first_.size(); }

private:
    struct Entry {
        net::PeerStream* stream;
        Address address;
        bool closing = false;
    };

    std::size_t capacity_;
    std::size_t per_address_;
    std::list<Entry> oldest_first_;
    std::map<Address, std::size_t> by_address_;
    std::size_t closing_ = 0;
};

}  // namespace shoal
