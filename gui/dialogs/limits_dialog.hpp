#pragma once
// Download and upload limits for one or more torrents (0: unlimited).

#include <QDialog>

class QSpinBox;

namespace shoal::gui {

class LimitsDialog final : public QDialog {
    Q_OBJECT
  public:
    LimitsDialog(std::int64_t down, std::int64_t up, QWidget* parent = nullptr);
    std::int64_t down_limit() const;  // bytes per second
    std::int64_t up_limit() const;
    QSpinBox* down_box() const { return down_; }
    QSpinBox* up_box() const { return up_; }

  private:
    std::int64_t down_shown_;
    std::int64_t up_shown_;
    QSpinBox* down_;
    QSpinBox* up_;
};

// A spin box in KiB/s where 0 reads "Unlimited", showing `bytes_per_second` to the nearest KiB/s
// (a limit under 1 KiB/s as 1, not as "Unlimited").
QSpinBox* make_rate_box(std::int64_t bytes_per_second, QWidget* parent);
// What a box that make_rate_box made for `shown` says, in bytes per second: `shown` itself while
// the box still says it, so that a limit that is no whole number of KiB/s (a daemon's are whole
// kB/s) stays to the byte when the dialog is confirmed unchanged; else the box's KiB/s.
std::int64_t rate_of(const QSpinBox* box, std::int64_t shown);

}  // namespace shoal::gui
