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
    QSpinBox* down_;
    QSpinBox* up_;
};

// A spin box in KiB/s where 0 reads "Unlimited".
QSpinBox* make_rate_box(std::int64_t bytes_per_second, QWidget* parent);

}  // namespace shoal::gui
