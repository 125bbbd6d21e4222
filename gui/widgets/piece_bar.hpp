#pragma once
// One thin bar for a torrent's pieces: each pixel column is as dark as the share of its
// pieces that are verified.

#include <QWidget>
#include <cstdint>
#include <vector>

namespace shoal::gui {

class PieceBar final : public QWidget {
    Q_OBJECT
  public:
    explicit PieceBar(QWidget* parent = nullptr);
    void set_pieces(std::vector<std::uint8_t> pieces, bool exact);
    QSize sizeHint() const override { return {300, 18}; }

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    std::vector<std::uint8_t> pieces_;
    bool exact_ = true;
};

}  // namespace shoal::gui
