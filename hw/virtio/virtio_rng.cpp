#include "hw/virtio/virtio_rng.hpp"

#include <sys/random.h>

namespace kestrel {

bool VirtioRng::process(unsigned, VirtQueue& vq) {
    for (;;) {
        VirtqElement e;
        auto r = vq.pop(e);
        if (r == VirtQueue::PopResult::Empty) return true;
        if (r == VirtQueue::PopResult::Malformed) return false;
        uint32_t written = 0;
        for (const auto& s : e.segs) {
            if (!s.device_writable) continue;
            uint32_t done = 0;
            while (done < s.len) {
                ssize_t n = getrandom(s.host + done, s.len - done, 0);
                if (n <= 0) break;
                done += static_cast<uint32_t>(n);
            }
            written += done;
        }
        vq.push(e, written);
    }
}

} // namespace kestrel
