#pragma once
// Connect to a daemon: the RPC address, a user name and a password. Also asks for the
// password alone when a daemon answers 401. The password stays in memory only.

#include <QDialog>

class QLabel;
class QLineEdit;

namespace shoal::gui {

class ConnectDialog final : public QDialog {
    Q_OBJECT
  public:
    enum class Mode { connect, password };
    ConnectDialog(Mode mode, QWidget* parent = nullptr);

    void set_url(const QString& url);
    void set_user(const QString& user);
    void set_message(const QString& message);

    QString url() const;
    QString user() const;
    QString password() const;

  private:
    // Fills the user name remembered for the host typed.
    void url_edited(const QString& text);
    QLabel* message_;
    QLineEdit* url_;
    QLineEdit* user_;
    QLineEdit* password_;
};

}  // namespace shoal::gui
