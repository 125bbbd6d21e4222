#pragma once
// Tells work that outlives its object (a disk job's answer, a timer, a coroutine) whether the
// object is still there.

#include <memory>

namespace shoal {

// An object's member, used on the object's own thread: watch() gives a flag to capture, which
// reads false once end() ran or the object is gone. The flag is made by the first watch(), so
// an object nothing has waited on yet (most torrents of a large library) holds no allocation.
class AliveFlag {
public:
    AliveFlag() = default;
    AliveFlag(const AliveFlag&) = delete;
    AliveFlag& operator=(const AliveFlag&) = delete;
    ~AliveFlag() { end(); }

    std::shared_ptr<const bool> watch() {
        if (!flag_) flag_ = std::make_shared<bool>(!ended_);
        return flag_;
    }
    // Every flag given out, and every one given out later, reads false.
    void end() {
        ended_ = true;
        if (flag_) *flag_ = false;
    }

private:
    std::shared_ptr<bool> flag_;
    bool ended_ = false;
};

}  // namespace shoal
