#include "dialogs/limits_dialog.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

#include <algorithm>

namespace shoal::gui {

namespace {

constexpr int k_max_kib = 10'000'000;

int kib(std::int64_t bytes_per_second) {
    if (bytes_per_second <= 0)
        return 0;
    return static_cast<int>(std::clamp<std::int64_t>((bytes_per_second + 512) / 1024, 1, k_max_kib));
}

}  // namespace

QSpinBox* make_rate_box(std::int64_t bytes_per_second, QWidget* parent) {
    auto* box = new QSpinBox(parent);
    box->setRange(0, k_max_kib);
    box->setSuffix(QObject::tr(" KiB/s"));
    box->setSpecialValueText(QObject::tr("Unlimited"));
    box->setValue(kib(bytes_per_second));
    return box;
}

std::int64_t rate_of(const QSpinBox* box, std::int64_t shown) {
    if (box->value() == kib(shown))
        return shown;
    return std::int64_t{box->value()} * 1024;
}

LimitsDialog::LimitsDialog(std::int64_t down, std::int64_t up, QWidget* parent)
    : QDialog(parent), down_shown_(down), up_shown_(up), down_(make_rate_box(down, this)),
      up_(make_rate_box(up, this)) {
    setWindowTitle(tr("Set Limits"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("Download limit:"), down_);
    form->addRow(tr("Upload limit:"), up_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

std::int64_t LimitsDialog::down_limit() const {
    return rate_of(down_, down_shown_);
}
std::int64_t LimitsDialog::up_limit() const {
    return rate_of(up_, up_shown_);
}

}  // namespace shoal::gui
