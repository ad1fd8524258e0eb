// savevm description of a virtio-mmio transport with its device (section
// "virtio-mmio", instance = transport slot). The queue records carry the
// in-flight ring positions (last_avail: next available entry the device
// takes; used_idx: next used entry it fills). Requests are completed
// synchronously on the guest's notify, so nothing else is in flight.
// virtio-blk and virtio-rng keep no device state of their own; a disk's
// contents are handled by the disk snapshot layer (savevm/disk_snapshots.hpp).
#pragma once
#include "hw/virtio/virtio_mmio.hpp"
#include "savevm/section.hpp"

namespace kestrel {

struct VirtioSnapshotState {
    uint32_t device_id = 0; // which device sits behind the transport
    VirtioMmioState transport;
    bool operator==(const VirtioSnapshotState&) const = default;
};

} // namespace kestrel

template <> struct kestrel::savevm::Describe<kestrel::VirtqConfig> {
    using S = kestrel::VirtqConfig;
    static constexpr auto fields = savevm::fields(
        field("num", &S::num), field("num_max", &S::num_max), field("ready", &S::ready),
        field("desc", &S::desc), field("avail", &S::avail), field("used", &S::used),
        field("last_avail", &S::last_avail), field("used_idx", &S::used_idx));
};

template <> struct kestrel::savevm::Describe<kestrel::VirtioMmioState> {
    using S = kestrel::VirtioMmioState;
    static constexpr auto fields = savevm::fields(
        field("device_features_sel", &S::device_features_sel),
        field("driver_features_sel", &S::driver_features_sel),
        field("driver_features", &S::driver_features), field("queue_sel", &S::queue_sel),
        field("interrupt_status", &S::interrupt_status), field("status", &S::status),
        field("config_generation", &S::config_generation), field("queues", &S::queues));
};

namespace kestrel {

inline constexpr auto kVirtioMmioSection = savevm::section<VirtioSnapshotState>(
    "virtio-mmio", 1, 1,
    savevm::fields(savevm::field("device_id", &VirtioSnapshotState::device_id),
                   savevm::field("transport", &VirtioSnapshotState::transport)));

// Why a staged transport state cannot be installed on `live`, or "".
inline std::string virtio_state_mismatch(const VirtioSnapshotState& st, VirtioMmio& live) {
    if (st.device_id != live.device().device_id())
        return "the snapshot has virtio device " + std::to_string(st.device_id) +
               " here, this machine has " + std::to_string(live.device().device_id());
    if (st.transport.queues.size() != live.device().num_queues())
        return std::to_string(st.transport.queues.size()) + " queues, the device has " +
               std::to_string(live.device().num_queues());
    for (const VirtqConfig& q : st.transport.queues) {
        if (q.num > q.num_max || (q.num & (q.num - 1)) != 0)
            return "queue size " + std::to_string(q.num) + " is not valid";
    }
    return {};
}

} // namespace kestrel
