#pragma once
// Loads and saves the engine settings in QSettings.

#include "engine/engine_types.hpp"

namespace shoal::gui {

EngineSettings load_settings();
void save_settings(const EngineSettings& settings);

}  // namespace shoal::gui
