#include "net/socket_binding.hpp"

#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace shoal::net {

Result<Done> bind_to_device(int socket, const std::string& device) {
    if (device.empty())
        return Done{};
    if (device.size() >= IFNAMSIZ)
        return make_error(ErrorCode::invalid_input, "interface name \"" + device + "\" is too long");
    if (::setsockopt(socket, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(),
                     static_cast<socklen_t>(device.size() + 1)) != 0) {
        const int error = errno;
        return make_error(ErrorCode::network,
                          "cannot bind to interface " + device + ": " +
                              (error == ENODEV ? std::string("no such interface")
                                               : std::string(std::strerror(error))));
    }
    return Done{};
}

}  // namespace shoal::net
