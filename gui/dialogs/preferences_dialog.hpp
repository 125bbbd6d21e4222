#pragma once
// Preferences: listening port, network interface, port forwarding, rate limits (normal and alternative), connection limits,
// DHT/PEX/LSD, encryption, default save folder, what to do when a download completes, and
// when seeding stops.

#include <QDialog>
#include <optional>

#include "engine/engine.hpp"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace shoal::gui {

// "Any interface" and the system's network interfaces (name and addresses), `current`
// selected; a stored name the system has not now stays in the list, marked "(not present)".
// Each item's data is the device name ("" for any).
QComboBox* make_interface_box(const QString& current, QWidget* parent);

// Asks for the network interface alone, saying why (the chosen one is missing at start);
// nullopt when the user cancels.
std::optional<QString> ask_network_interface(const QString& current, const QString& why,
                                             QWidget* parent = nullptr);

class PreferencesDialog final : public QDialog {
    Q_OBJECT
  public:
    PreferencesDialog(const Engine& engine, QWidget* parent = nullptr);
    EngineSettings settings() const;

    QSpinBox* port_box() const { return port_; }
    QCheckBox* port_mapping_box() const { return port_mapping_; }
    QComboBox* interface_box() const { return interface_; }
    QSpinBox* down_box() const { return down_; }
    QSpinBox* up_box() const { return up_; }
    QCheckBox* alt_box() const { return use_alt_; }
    QCheckBox* dht_box() const { return dht_; }
    QComboBox* encryption_box() const { return encryption_; }
    QComboBox* transports_box() const { return transports_; }
    QLineEdit* save_dir_edit() const { return save_dir_; }
    QComboBox* completion_box() const { return completion_; }
    QDoubleSpinBox* seed_ratio_box() const { return seed_ratio_; }
    QSpinBox* seed_minutes_box() const { return seed_minutes_; }

  private:
    EngineSettings base_;
    QSpinBox* port_;
    QCheckBox* port_mapping_;
    QComboBox* interface_;
    QSpinBox* down_;
    QSpinBox* up_;
    QSpinBox* alt_down_;
    QSpinBox* alt_up_;
    QCheckBox* use_alt_;
    QSpinBox* max_connections_;
    QSpinBox* max_peers_;
    QCheckBox* dht_;
    QCheckBox* pex_;
    QCheckBox* lsd_;
    QComboBox* transports_;
    QComboBox* encryption_;
    QLineEdit* save_dir_;
    QComboBox* completion_;
    QDoubleSpinBox* seed_ratio_;
    QSpinBox* seed_minutes_;
};

}  // namespace shoal::gui
