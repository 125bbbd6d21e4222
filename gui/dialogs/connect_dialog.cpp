#include "dialogs/connect_dialog.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include "app/settings_store.hpp"

namespace shoal::gui {

ConnectDialog::ConnectDialog(Mode mode, QWidget* parent)
    : QDialog(parent),
      message_(new QLabel(this)),
      url_(new QLineEdit(this)),
      user_(new QLineEdit(this)),
      password_(new QLineEdit(this)) {
    setWindowTitle(mode == Mode::connect ? tr("Connect to a Daemon") : tr("Daemon Password"));
    message_->setWordWrap(true);
    message_->setText(
        tr("Shoal shows and controls the torrents of a shoald (or any daemon speaking "
           "Transmission's RPC) instead of this computer's. The local session stops while "
           "connected; File → Use the Local Session brings it back."));
    url_->setPlaceholderText(QStringLiteral("http://host:9091"));
    url_->setAccessibleName(tr("Daemon address"));
    user_->setAccessibleName(tr("User name"));
    password_->setEchoMode(QLineEdit::Password);
    password_->setAccessibleName(tr("Password"));
    password_->setToolTip(tr("Kept in memory for this run only, never written to disk"));
    auto* form = new QFormLayout;
    form->addRow(tr("Address:"), url_);
    form->addRow(tr("User name:"), user_);
    form->addRow(tr("Password:"), password_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(message_);
    layout->addLayout(form);
    layout->addWidget(buttons);
    if (mode == Mode::password) {
        url_->setReadOnly(true);
        password_->setFocus();
    } else {
        if (const auto last = last_connection()) {
            url_->setText(last->url);
            user_->setText(last->user);
        }
        connect(url_, &QLineEdit::textEdited, this, &ConnectDialog::url_edited);
    }
    resize(460, sizeHint().height());
}

void ConnectDialog::url_edited(const QString& text) {
    if (const auto known = connection_for_host(connection_host(text)))
        user_->setText(known->user);
}

void ConnectDialog::set_url(const QString& url) {
    url_->setText(url);
}

void ConnectDialog::set_user(const QString& user) {
    user_->setText(user);
}

void ConnectDialog::set_message(const QString& message) {
    message_->setText(message);
}

QString ConnectDialog::url() const {
    return url_->text().trimmed();
}

QString ConnectDialog::user() const {
    return user_->text();
}

QString ConnectDialog::password() const {
    return password_->text();
}

}  // namespace shoal::gui
