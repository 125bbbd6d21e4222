#include "app/single_instance.hpp"

#include <unistd.h>
#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>

namespace shoal::gui {

QString SingleInstance::default_name() {
    const QString profile = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    const QByteArray digest =
        QCryptographicHash::hash(profile.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    return QStringLiteral("shoal-%1-%2").arg(::getuid()).arg(QString::fromLatin1(digest));
}

SingleInstance::SingleInstance(QString name, QObject* parent)
    : QObject(parent), name_(std::move(name)) {}

bool SingleInstance::send_to_running(const QStringList& arguments, int timeout_ms) const {
    QLocalSocket socket;
    socket.connectToServer(name_);
    if (!socket.waitForConnected(timeout_ms))
        return false;
    // Paths are made absolute here: the running instance has another working folder.
    QStringList absolute;
    for (const QString& a : arguments) {
        absolute << (a.startsWith(QLatin1String("magnet:")) ? a : QFileInfo(a).absoluteFilePath());
    }
    QByteArray payload;
    QDataStream out(&payload, QIODevice::WriteOnly);
    out << absolute;
    socket.write(payload);
    if (!socket.waitForBytesWritten(timeout_ms))
        return false;
    socket.disconnectFromServer();
    return true;
}

bool SingleInstance::listen() {
    server_ = new QLocalServer(this);
    server_->setSocketOptions(QLocalServer::UserAccessOption);
    if (!server_->listen(name_)) {
        // A socket left by a crashed instance: nobody answered send_to_running, so take it.
        QLocalServer::removeServer(name_);
        if (!server_->listen(name_))
            return false;
    }
    connect(server_, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket* socket = server_->nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
                QDataStream in(socket);
                in.startTransaction();
                QStringList arguments;
                in >> arguments;
                if (!in.commitTransaction())
                    return;  // wait for the rest
                emit arguments_received(arguments);
            });
        }
    });
    return true;
}

}  // namespace shoal::gui
