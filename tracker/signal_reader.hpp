#pragma once
// The signals the tracker's control thread handles (SIGINT, SIGTERM, SIGHUP), read from a
// signalfd instead of caught by a handler. Making a SignalReader blocks them in the calling
// thread, so every thread started from it afterwards has them blocked too and the kernel keeps
// them for the signalfd: none is ever handled, or lost, in whichever thread it lands on.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

#include <functional>

namespace shoal::tracker {

class SignalReader {
public:
    // Without a signalfd (out of descriptors) the signals are left unblocked, with their
    // default actions, and a warning is logged.
    explicit SignalReader(boost::asio::io_context& io);
    SignalReader(const SignalReader&) = delete;
    SignalReader& operator=(const SignalReader&) = delete;

    // `on_signal` gets the next signal's number, or operation_aborted after cancel().
    void async_wait(std::function<void(const boost::system::error_code&, int)> on_signal);
    void cancel();

private:
    boost::asio::posix::stream_descriptor descriptor_;
};

}  // namespace shoal::tracker
