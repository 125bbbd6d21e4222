#pragma once
// Where the Internet sees this session, from what others report: the router of a port
// mapping, trackers ("external ip"), peers ("yourip" in the extension handshake, BEP 10) and
// the DHT (its own BEP 42 vote). The router is believed when it names a public address (it
// is the NAT); otherwise reports that contradict each other are settled by votes, one per
// source network, as the DHT settles them (dht::ExternalAddressVotes), never by the last one
// heard. One vote per address family. Network thread only.

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <optional>

#include "discovery/dht/external_address.hpp"

namespace shoal {

class ExternalAddress {
  public:
    using Address = boost::asio::ip::address;
    using TimePoint = std::chrono::steady_clock::time_point;

    ExternalAddress();

    // What the router says (none: no mapping). True when address() changed.
    bool from_router(const std::optional<Address>& reported);
    // `voter` (a tracker, a peer, or the DHT's node as a voter of its own) says it sees us at
    // `reported`. Private and unspecified addresses are ignored. True when address() changed.
    bool vote(const Address& reported, const Address& voter, TimePoint now);
    // The IPv4 address if known, else the IPv6 one.
    std::optional<Address> address() const;

  private:
    std::optional<Address> router_;
    dht::ExternalAddressVotes v4_;
    dht::ExternalAddressVotes v6_;
};

// A public address: not private, loopback, link-local, shared (CGNAT), documentation or
// unspecified. Documentation ranges count as public, so that tests may use them.
bool is_public_address(const boost::asio::ip::address& address);

}  // namespace shoal
