// Incoming connections in their handshake: a cap per address, and the oldest closed to make
// room when the table is full, so idle connections cannot keep a peer out.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include "memory_stream.hpp"
#include "session/pending_handshakes.hpp"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::MemoryStream;

struct Connections {
    asio::io_context io;
    std::vector<std::unique_ptr<MemoryStream>> ours;
    std::vector<std::unique_ptr<MemoryStream>> theirs;

    MemoryStream& from(const std::string& address) {
        auto [a, b] = MemoryStream::pair(io.get_executor(), {asio::ip::make_address("198.51.100.1"), 6881},
                                         {asio::ip::make_address(address), 50000});
        ours.push_back(std::move(a));
        theirs.push_back(std::move(b));
        return *ours.back();
    }
    // Whether our end of connection `i` was closed (the other end reads the end of the stream).
    bool closed(std::size_t i) {
        char byte;
        boost::system::error_code ec;
        bool done = false;
        asio::cancellation_signal give_up;
        io.restart();  // poll() stops the context once it runs out of work
        theirs[i]->async_read_some(asio::buffer(&byte, 1),
                                   asio::bind_cancellation_slot(give_up.slot(), [&](boost::system::error_code e, std::size_t) {
                                       ec = e;
                                       done = true;
                                   }));
        io.poll();
        if (done) return ec == asio::error::eof;
        give_up.emit(asio::cancellation_type::terminal);
        io.restart();
        io.poll();
        return false;
    }
};

TEST(PendingHandshakes, AFullTableClosesTheOldestToMakeRoom) {
    Connections c;
    PendingHandshakes table(3, 8);
    for (int i = 0; i < 3; ++i) {
        const std::string address = "198.51.100." + std::to_string(10 + i);
        EXPECT_TRUE(table.admit(c.from(address), asio::ip::make_address(address)));
    }
    EXPECT_FALSE(c.closed(0));
    EXPECT_TRUE(table.admit(c.from("198.51.100.20"), asio::ip::make_address("198.51.100.20")));
    EXPECT_TRUE(c.closed(0)) << "the oldest made room";
    EXPECT_FALSE(c.closed(1));
    EXPECT_EQ(table.size(), 4u) << "the closed one stays until its handshake ends";
    // Another newcomer before the first one ended closes the next oldest, not the same again.
    EXPECT_TRUE(table.admit(c.from("198.51.100.21"), asio::ip::make_address("198.51.100.21")));
    EXPECT_TRUE(c.closed(1));
    table.ended(*c.ours[0]);
    table.ended(*c.ours[1]);
    EXPECT_EQ(table.size(), 3u);
    EXPECT_FALSE(c.closed(2));
}

TEST(PendingHandshakes, OneAddressGetsOnlyItsShare) {
    Connections c;
    PendingHandshakes table(10, 2);
    const auto address = asio::ip::make_address("198.51.100.10");
    EXPECT_TRUE(table.admit(c.from("198.51.100.10"), address));
    EXPECT_TRUE(table.admit(c.from("198.51.100.10"), address));
    EXPECT_FALSE(table.admit(c.from("198.51.100.10"), address));
    EXPECT_TRUE(table.admit(c.from("198.51.100.11"), asio::ip::make_address("198.51.100.11")));
    table.ended(*c.ours[0]);
    EXPECT_TRUE(table.admit(c.from("198.51.100.10"), address)) << "its share is back once one ended";
    EXPECT_EQ(table.size(), 3u);
}

TEST(PendingHandshakes, EndingAStreamItDoesNotKnowChangesNothing) {
    Connections c;
    PendingHandshakes table(2, 2);
    MemoryStream& stranger = c.from("198.51.100.10");
    table.ended(stranger);
    EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace shoal
