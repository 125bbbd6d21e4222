#pragma once
// Runs an io_context until a condition holds, for the Redis store's tests.

#include <boost/asio/io_context.hpp>

#include <chrono>

namespace shoal::tracker::test {

template <class Predicate>
bool run_until(boost::asio::io_context& ioc, Predicate done,
               std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        ioc.run_one_for(std::chrono::milliseconds(10));
        if (ioc.stopped())
            ioc.restart();
    }
    return done();
}

}  // namespace shoal::tracker::test
