#pragma once
// The desktop client's first window: says what Shoal can do today and how.

#include <QWidget>

class PlaceholderWindow : public QWidget {
    Q_OBJECT
public:
    explicit PlaceholderWindow(const QStringList& arguments, QWidget* parent = nullptr);
};
