#include "engine/rpc_client.hpp"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace shoal::gui {
namespace {

const char* const k_session_header = "X-Transmission-Session-Id";
// A 409 hands out the session id; more than two in a row means the daemon keeps changing it.
constexpr int k_max_attempts = 3;

}  // namespace

RpcClient::RpcClient(const QUrl& url, QObject* parent) : QObject(parent), url_(rpc_url(url)) {}

RpcClient::~RpcClient() {
    cancel_all();
}

void RpcClient::cancel_all() {
    for (QNetworkReply* reply : network_.findChildren<QNetworkReply*>()) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

QUrl RpcClient::rpc_url(const QUrl& url) {
    QUrl out = url;
    if (out.path().isEmpty() || out.path() == QLatin1String("/"))
        out.setPath(QStringLiteral("/transmission/rpc"));
    out.setUserName({});
    out.setPassword({});
    return out;
}

void RpcClient::set_credentials(const QString& user, const QString& password) {
    user_ = user;
    password_ = password;
}

void RpcClient::set_limits(qint64 max_reply_bytes, int timeout_ms) {
    max_reply_bytes_ = max_reply_bytes;
    timeout_ms_ = timeout_ms;
}

void RpcClient::call(const QString& method, const QJsonObject& arguments, Callback done) {
    QJsonObject request{{QStringLiteral("method"), method}};
    if (!arguments.isEmpty())
        request.insert(QStringLiteral("arguments"), arguments);
    send(QJsonDocument(request).toJson(QJsonDocument::Compact), std::move(done), 1);
}

void RpcClient::send(const QByteArray& body, Callback done, int attempt) {
    QNetworkRequest request(url_);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!session_id_.isEmpty())
        request.setRawHeader(k_session_header, session_id_);
    if (!user_.isEmpty() || !password_.isEmpty()) {
        const QByteArray pair = (user_ + QLatin1Char(':') + password_).toUtf8();
        request.setRawHeader("Authorization", "Basic " + pair.toBase64());
    }
    QNetworkReply* reply = network_.post(request, body);
    auto* deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply] {
        reply->setProperty("shoal_timed_out", true);
        reply->abort();
    });
    deadline->start(timeout_ms_);
    // A reply larger than the cap is cut off as it arrives, never buffered whole.
    const qint64 cap = max_reply_bytes_;
    auto check_size = [reply, cap] {
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (reply->bytesAvailable() > cap || (length.isValid() && length.toLongLong() > cap)) {
            reply->setProperty("shoal_too_large", true);
            reply->abort();
        }
    };
    connect(reply, &QNetworkReply::metaDataChanged, reply, check_size);
    connect(reply, &QNetworkReply::readyRead, reply, check_size);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, body, done = std::move(done), attempt] {
                reply->deleteLater();
                finish(reply, body, done, attempt);
            });
}

QString RpcClient::network_error_text(QNetworkReply* reply) const {
    const QString where = url_.host() + (url_.port() > 0 ? QStringLiteral(":%1").arg(url_.port())
                                                         : QString());
    if (reply->property("shoal_timed_out").toBool())
        return tr("The daemon at %1 did not answer within %2 seconds.")
            .arg(where)
            .arg(timeout_ms_ / 1000);
    if (reply->property("shoal_too_large").toBool())
        return tr("The daemon at %1 sent a reply larger than %2 MiB; it was refused.")
            .arg(where)
            .arg(max_reply_bytes_ / (1024 * 1024));
    switch (reply->error()) {
        case QNetworkReply::ConnectionRefusedError:
            return tr("Cannot connect to the daemon at %1: connection refused (is shoald running?).")
                .arg(where);
        case QNetworkReply::HostNotFoundError:
            return tr("Cannot connect to the daemon: host %1 not found.").arg(url_.host());
        case QNetworkReply::TimeoutError:
            return tr("Cannot connect to the daemon at %1: the connection timed out.").arg(where);
        case QNetworkReply::RemoteHostClosedError:
            return tr("The daemon at %1 closed the connection.").arg(where);
        default:
            return tr("Cannot talk to the daemon at %1: %2").arg(where, reply->errorString());
    }
}

void RpcClient::finish(QNetworkReply* reply, const QByteArray& body, const Callback& done,
                       int attempt) {
    RpcReply out;
    out.http_status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (out.http_status == 409 && reply->hasRawHeader(k_session_header)) {
        session_id_ = reply->rawHeader(k_session_header).left(256);
        if (attempt < k_max_attempts) {
            send(body, done, attempt + 1);
            return;
        }
        out.error = tr("The daemon keeps changing its session id; giving up on this request.");
        done(out);
        return;
    }
    if (out.http_status == 401) {
        out.error = user_.isEmpty() && password_.isEmpty()
                        ? tr("The daemon asks for a user name and password (401).")
                        : tr("The daemon refused the user name or password (401).");
        done(out);
        emit unauthorized();
        return;
    }
    if (out.http_status == 403) {
        out.error = tr("The daemon refused this computer (403): its RPC whitelist or host "
                       "whitelist does not let this address in.");
        done(out);
        return;
    }
    if (reply->error() != QNetworkReply::NoError && out.http_status == 0) {
        out.error = network_error_text(reply);
        done(out);
        return;
    }
    if (reply->property("shoal_too_large").toBool() ||
        reply->property("shoal_timed_out").toBool()) {
        out.error = network_error_text(reply);
        done(out);
        return;
    }
    if (out.http_status != 200) {
        out.error = tr("The daemon answered HTTP %1 %2.")
                        .arg(out.http_status)
                        .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
        done(out);
        return;
    }
    const QByteArray bytes = reply->read(max_reply_bytes_ + 1);
    if (bytes.size() > max_reply_bytes_) {
        reply->setProperty("shoal_too_large", true);
        out.error = network_error_text(reply);
        done(out);
        return;
    }
    QJsonParseError parse_error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &parse_error);
    if (parse_error.error != QJsonParseError::NoError || !document.isObject()) {
        out.error = tr("The daemon's reply is not a JSON object (%1); is this a Transmission RPC "
                       "address?")
                        .arg(parse_error.error != QJsonParseError::NoError
                                 ? parse_error.errorString()
                                 : tr("another JSON value"));
        done(out);
        return;
    }
    const QJsonObject object = document.object();
    const QJsonValue result = object.value(QLatin1String("result"));
    if (!result.isString()) {
        out.error = tr("The daemon's reply has no result.");
        done(out);
        return;
    }
    if (result.toString() != QLatin1String("success")) {
        out.error = result.toString().left(500);
        if (out.error.isEmpty())
            out.error = tr("The daemon refused the request.");
        done(out);
        return;
    }
    out.arguments = object.value(QLatin1String("arguments")).toObject();
    done(out);
}

}  // namespace shoal::gui
