#pragma once
// Registers the icons compiled into the shoal_gui library (a static library's resources are
// not registered on their own).

namespace shoal::gui {
void init_resources();
}
