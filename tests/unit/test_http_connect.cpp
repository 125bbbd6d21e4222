// The HTTP client's connection helpers: the TLS context made and the CA store loaded on first
// use, the Host header and redirect targets.

#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdlib>

#include "discovery/tracker/tracker_client.hpp"
#include "http_client/connect.hpp"
#include "http_client/http_get.hpp"

namespace {

using namespace shoal;
namespace asio = boost::asio;

int certificates_in(asio::ssl::context& tls) {
    return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(tls.native_handle())));
}

TEST(HttpConnect, CaStoreIsLoadedByTheFirstConnectionOnly) {
    ::setenv("SSL_CERT_FILE", SHOAL_TEST_DATA "/tls/test_ca.pem", 1);
    ::setenv("SSL_CERT_DIR", SHOAL_TEST_DATA "/tls/none", 1);
    asio::io_context io;
    asio::ssl::context tls = http_client::make_tls_client_context();
    EXPECT_EQ(certificates_in(tls), 0);  // a session that never speaks TLS holds no CA

    asio::ssl::stream<boost::beast::tcp_stream> first(io, tls);
    ASSERT_TRUE(http_client::prepare_tls(first, "tracker.example").ok());
    EXPECT_EQ(certificates_in(tls), 1);  // the one in SSL_CERT_FILE

    asio::ssl::stream<boost::beast::tcp_stream> second(io, tls);
    ASSERT_TRUE(http_client::prepare_tls(second, "198.51.100.7").ok());
    EXPECT_EQ(certificates_in(tls), 1);  // loaded once
    ::unsetenv("SSL_CERT_FILE");
    ::unsetenv("SSL_CERT_DIR");
}

TEST(HttpConnect, TheSessionsTlsContextIsMadeWhenFirstAskedFor) {
    tracker_client::TrackerClient trackers;
    EXPECT_FALSE(trackers.tls().made());  // a session that never speaks TLS sets none up
    asio::ssl::context& tls = trackers.tls().get();
    EXPECT_TRUE(trackers.tls().made());
    EXPECT_EQ(&trackers.tls().get(), &tls);
    EXPECT_EQ(SSL_CTX_get_verify_mode(tls.native_handle()), SSL_VERIFY_PEER);
}

TEST(HttpConnect, RedirectTargets) {
    EXPECT_EQ(http_client::redirect_target("http://a.example/x/y", "https://b.example/z"), "https://b.example/z");
    EXPECT_EQ(http_client::redirect_target("http://a.example:8080/x/y?q", "/other"), "http://a.example:8080/other");
    EXPECT_EQ(http_client::redirect_target("http://a.example/x", "//evil.example/"), "");
    EXPECT_EQ(http_client::redirect_target("http://a.example/x", "relative"), "");
}

}  // namespace
