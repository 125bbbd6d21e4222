#pragma once
// One Transmission RPC endpoint over HTTP: JSON requests POSTed with QNetworkAccessManager,
// the X-Transmission-Session-Id handshake (a 409 carries the id to send; the request goes
// again once), HTTP Basic credentials, a deadline per request and a cap on a reply's size.
// Every failure reaches the caller as a sentence a person can read.

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>
#include <functional>

class QNetworkReply;

namespace shoal::gui {

struct RpcReply {
    QJsonObject arguments;
    QString error;     // empty on success
    int http_status = 0;
    bool ok() const { return error.isEmpty(); }
};

class RpcClient final : public QObject {
    Q_OBJECT
  public:
    using Callback = std::function<void(const RpcReply&)>;

    static constexpr qint64 k_default_max_reply_bytes = 64 * 1024 * 1024;
    static constexpr int k_default_timeout_ms = 20000;

    // `url` is the RPC's address; a bare http://host:port gets /transmission/rpc.
    explicit RpcClient(const QUrl& url, QObject* parent = nullptr);
    ~RpcClient() override;

    static QUrl rpc_url(const QUrl& url);
    QUrl url() const { return url_; }
    void set_credentials(const QString& user, const QString& password);
    QString user() const { return user_; }
    void set_limits(qint64 max_reply_bytes, int timeout_ms);

    // Calls `method`; `done` runs on this thread with the reply's arguments or an error.
    void call(const QString& method, const QJsonObject& arguments, Callback done);
    // Drops the requests under way without calling their callbacks (their owner is going).
    void cancel_all();

  signals:
    // The daemon asked for a user name and password (401).
    void unauthorized();

  private:
    void send(const QByteArray& body, Callback done, int attempt);
    void finish(QNetworkReply* reply, const QByteArray& body, const Callback& done, int attempt);
    QString network_error_text(QNetworkReply* reply) const;

    QUrl url_;
    QString user_;
    QString password_;
    QByteArray session_id_;
    qint64 max_reply_bytes_ = k_default_max_reply_bytes;
    int timeout_ms_ = k_default_timeout_ms;
    QNetworkAccessManager network_;
};

}  // namespace shoal::gui
