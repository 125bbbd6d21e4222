#include "dialogs/limits_dialog.hpp"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>

namespace shoal::gui {

QSpinBox* make_rate_box(std::int64_t bytes_per_second, QWidget* parent) {
    auto* box = new QSpinBox(parent);
    box->setRange(0, 10'000'000);
    box->setSuffix(QObject::tr(" KiB/s"));
    box->setSpecialValueText(QObject::tr("Unlimited"));
    box->setValue(static_cast<int>(bytes_per_second / 1024));
    return box;
}

LimitsDialog::LimitsDialog(std::int64_t down, std::int64_t up, QWidget* parent)
    : QDialog(parent), down_(make_rate_box(down, this)), up_(make_rate_box(up, this)) {
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
    return std::int64_t{down_->value()} * 1024;
}
std::int64_t LimitsDialog::up_limit() const {
    return std::int64_t{up_->value()} * 1024;
}

}  // namespace shoal::gui
