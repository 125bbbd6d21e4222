#include "app/resources.hpp"

#include <QtGlobal>

// Q_INIT_RESOURCE has to be used outside any namespace.
static void init_shoal_resources() {
    Q_INIT_RESOURCE(shoal);
}

namespace shoal::gui {
void init_resources() {
    init_shoal_resources();
}
}  // namespace shoal::gui
