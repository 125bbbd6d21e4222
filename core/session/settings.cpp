#include "session/settings.hpp"

namespace shoal {

std::vector<boost::asio::ip::address> listen_addresses(const SessionSettings& settings) {
    namespace ip = boost::asio::ip;
    if (settings.listen_host.empty())
        return {ip::address_v4::any(), ip::address_v6::any()};
    boost::system::error_code ec;
    const auto address = ip::make_address(settings.listen_host, ec);
    if (ec)
        return {};
    return {address};
}

}  // namespace shoal
