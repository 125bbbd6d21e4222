#include "session/external_address.hpp"

#include "net/global_ipv6_address.hpp"

namespace shoal {

namespace {

// Trackers and peers are few in a small swarm: two networks that agree are enough.
dht::ExternalAddressRules session_rules() {
    dht::ExternalAddressRules rules;
    rules.min_voters = 2;
    return rules;
}

}  // namespace

ExternalAddress::ExternalAddress() : v4_(session_rules()), v6_(session_rules()) {}

bool is_public_address(const boost::asio::ip::address& address) {
    if (address.is_unspecified() || address.is_loopback() || address.is_multicast())
        return false;
    if (address.is_v4()) {
        const auto a = address.to_v4().to_uint();
        auto in = [a](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
        return !(in(0x0a000000, 8) || in(0xac100000, 12) || in(0xc0a80000, 16) ||  // RFC 1918
                 in(0x64400000, 10) ||                                             // shared (CGNAT)
                 in(0xa9fe0000, 16) || in(0x00000000, 8));                         // link-local, "this"
    }
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped())
        return is_public_address(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
    return net::is_global_ipv6(v6);
}

bool ExternalAddress::from_router(const std::optional<Address>& reported) {
    const auto before = address();
    router_ = reported && is_public_address(*reported) ? reported : std::nullopt;
    return address() != before;
}

bool ExternalAddress::vote(const Address& reported, const Address& voter, TimePoint now) {
    if (!is_public_address(reported))
        return false;
    const auto before = address();
    (reported.is_v4() ? v4_ : v6_).add(reported, voter, now);
    return address() != before;
}

std::optional<ExternalAddress::Address> ExternalAddress::address() const {
    if (router_)
        return router_;
    if (auto v4 = v4_.address())
        return v4;
    return v6_.address();
}

}  // namespace shoal
