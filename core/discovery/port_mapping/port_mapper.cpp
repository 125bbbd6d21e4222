#include "discovery/port_mapping/port_mapper.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "discovery/port_mapping/protocol_worker.hpp"

namespace shoal::port_mapping {

std::string_view state_name(MappingState state) {
    switch (state) {
        case MappingState::off:
            return "off";
        case MappingState::discovering:
            return "discovering";
        case MappingState::mapped:
            return "mapped";
        case MappingState::failed:
            return "failed";
    }
    return "off";
}

const ProtocolStatus* PortMappingStatus::mapped() const {
    if (natpmp.state == MappingState::mapped) {
        return &natpmp;
    }
    if (upnp.state == MappingState::mapped) {
        return &upnp;
    }
    return nullptr;
}

struct PortMapper::Impl {
    PortMapperOptions options;
    OnChange on_change;

    mutable std::mutex mutex;  // guards status and stopping
    std::condition_variable wake;
    PortMappingStatus status;
    bool stopping = false;

    // Held while a change is made and told, so that on_change sees changes in order.
    std::mutex notify_mutex;
    std::mutex stop_mutex;  // one stop() at a time
    std::thread upnp_thread;
    std::thread natpmp_thread;

    ProtocolStatus& slot(Protocol p) { return p == Protocol::upnp ? status.upnp : status.natpmp; }

    void publish(Protocol p, const ProtocolStatus& next) {
        std::lock_guard notify(notify_mutex);
        PortMappingStatus copy;
        {
            std::lock_guard lock(mutex);
            if (slot(p) == next) {
                return;
            }
            slot(p) = next;
            copy = status;
        }
        if (on_change) {
            on_change(copy);
        }
    }

    bool is_stopping() const {
        std::lock_guard lock(mutex);
        return stopping;
    }

    // Waits `how_long` or until stop(); false when stopping.
    bool wait(std::chrono::steady_clock::duration how_long) {
        std::unique_lock lock(mutex);
        return !wake.wait_for(lock, how_long, [&] { return stopping; });
    }

    void run(Protocol p, std::unique_ptr<ProtocolWorker> worker) {
        const Cancelled cancelled = [this] { return is_stopping(); };
        ProtocolStatus current;
        auto retry = options.retry_initial;
        while (!is_stopping()) {
            if (current.state != MappingState::mapped) {
                current.state = MappingState::discovering;
                publish(p, current);
            }
            ProtocolStatus attempt = current;
            if (worker->map(attempt, cancelled)) {
                attempt.state = MappingState::mapped;
                current = attempt;
                publish(p, current);
                retry = options.retry_initial;
                if (!wait(worker->renew_after())) {
                    break;
                }
                continue;
            }
            if (is_stopping()) {
                break;
            }
            current = ProtocolStatus{};
            current.state = MappingState::failed;
            current.gateway = attempt.gateway;
            current.error = attempt.error;
            publish(p, current);
            if (!wait(retry)) {
                break;
            }
            retry = std::min(retry * 2, options.retry_max);
        }
        worker->unmap();
        publish(p, ProtocolStatus{});  // off: nothing mapped any more
    }

    void start() {
        if (options.upnp) {
            upnp_thread = std::thread([this] { run(Protocol::upnp, make_upnp_worker(options)); });
        }
        if (options.natpmp) {
            natpmp_thread =
                std::thread([this] { run(Protocol::natpmp, make_natpmp_worker(options)); });
        }
    }
};

PortMapper::PortMapper(PortMapperOptions options, OnChange on_change)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->on_change = std::move(on_change);
    impl_->start();
}

PortMapper::~PortMapper() {
    stop();
}

void PortMapper::stop() {
    std::lock_guard one(impl_->stop_mutex);
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wake.notify_all();
    for (auto* t : {&impl_->upnp_thread, &impl_->natpmp_thread}) {
        if (t->joinable()) {
            t->join();
        }
    }
}

PortMappingStatus PortMapper::status() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->status;
}

}  // namespace shoal::port_mapping
