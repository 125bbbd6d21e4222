#pragma once
// The streams an MSE handshake hands on: RC4 both ways over the raw stream (EncryptedStream),
// or, when plain text was selected, the raw stream itself. Either may begin with bytes the
// handshake already received beyond its end (the initial payload, or what came after PadD);
// those are delivered first, already decrypted.

#include <memory>
#include <string>

#include "encryption/rc4.hpp"
#include "net/peer_stream.hpp"

namespace shoal::mse {

class EncryptedStream final : public net::PeerStream {
  public:
    // `in` decrypts what arrives, `out` encrypts what leaves; both already past the bytes the
    // handshake used. `prefix` is plain text to deliver before anything read from `inner`.
    EncryptedStream(std::unique_ptr<net::PeerStream> inner, Rc4 in, Rc4 out, std::string prefix);
    ~EncryptedStream() override;

    executor_type get_executor() override { return inner_->get_executor(); }
    const boost::asio::ip::tcp::endpoint& remote_endpoint() const override {
        return inner_->remote_endpoint();
    }
    net::Transport transport() const override { return inner_->transport(); }
    void rebind_device(const std::string& device) override { inner_->rebind_device(device); }
    void close() override { inner_->close(); }
    bool encrypted() const override { return true; }

    // The most one write takes from its buffers (the rest is left to the next write). A
    // write completes only once all of it is out (the keystream has moved past it), so this
    // also bounds how long a write to a slow reader shows no progress. Bytes handed over
    // in place are encrypted where they are; others are copied first.
    static constexpr std::size_t k_max_write = 128 * 1024;

  protected:
    void read_some(boost::asio::mutable_buffer buffer, Handler handler) override;
    void write_some(std::vector<boost::asio::const_buffer> buffers, Handler handler) override;
    void write_some_in_place(std::vector<boost::asio::mutable_buffer> buffers,
                             Handler handler) override;

  private:
    struct State;
    std::unique_ptr<net::PeerStream> inner_;
    std::shared_ptr<State> state_;  // shared with pending completions
};

// The stream after an MSE handshake that chose plain text: `inner` as it is, except that
// `prefix` (bytes the handshake read beyond its end) is delivered first.
class PrefixedStream final : public net::PeerStream {
  public:
    PrefixedStream(std::unique_ptr<net::PeerStream> inner, std::string prefix);

    executor_type get_executor() override { return inner_->get_executor(); }
    const boost::asio::ip::tcp::endpoint& remote_endpoint() const override {
        return inner_->remote_endpoint();
    }
    net::Transport transport() const override { return inner_->transport(); }
    void rebind_device(const std::string& device) override { inner_->rebind_device(device); }
    void close() override;
    bool encrypted() const override { return false; }
    bool encrypted_handshake() const override { return true; }

  protected:
    void read_some(boost::asio::mutable_buffer buffer, Handler handler) override;
    void write_some(std::vector<boost::asio::const_buffer> buffers, Handler handler) override;
    void write_some_in_place(std::vector<boost::asio::mutable_buffer> buffers,
                             Handler handler) override;

  private:
    std::unique_ptr<net::PeerStream> inner_;
    std::string prefix_;
    std::size_t taken_ = 0;
};

}  // namespace shoal::mse
