#include "bencode/value.hpp"

namespace shoal::bencode {

const Value* Value::find(std::string_view key) const {
    if (!is_dict()) return nullptr;
    for (const auto& [k, v] : as_dict()) {
        if (k == key) return &v;
    }
    return nullptr;
}

const Value* Value::find_int(std::string_view key) const {
    const Value* v = find(key);
    return v && v->is_int() ? v : nullptr;
}

const Value* Value::find_string(std::string_view key) const {
    const Value* v = find(key);
    return v && v->is_string() ? v : nullptr;
}

const Value* Value::find_list(std::string_view key) const {
    const Value* v = find(key);
    return v && v->is_list() ? v : nullptr;
}

const Value* Value::find_dict(std::string_view key) const {
    const Value* v = find(key);
    return v && v->is_dict() ? v : nullptr;
}

}  // namespace shoal::bencode
