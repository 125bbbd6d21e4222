#pragma once
// Download and upload rates over the last five minutes, one sample per engine refresh.

#include <QWidget>
#include <deque>

namespace shoal::gui {

class SpeedGraph final : public QWidget {
    Q_OBJECT
  public:
    static constexpr int k_samples = 300;

    explicit SpeedGraph(QWidget* parent = nullptr);
    void add_sample(double down, double up);
    std::size_t sample_count() const { return down_.size(); }
    QSize sizeHint() const override { return {400, 160}; }

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    std::deque<double> down_;
    std::deque<double> up_;
};

}  // namespace shoal::gui
