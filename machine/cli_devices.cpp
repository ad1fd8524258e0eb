#include "machine/cli_devices.hpp"

#include "machine/cli.hpp"
#include "machine/virt/memory_map.hpp"

#include <set>

namespace kestrel {

namespace {

bool parse_on_off(const std::string& opt, const std::string& key, const std::string& v) {
    if (v == "on" || v == "yes" || v == "true") return true;
    if (v == "off" || v == "no" || v == "false") return false;
    throw CliError(opt + ": property '" + key + "' expects on or off, not '" + v + "'");
}

} // namespace

void DeviceOptions::add_drive(const std::string& value) {
    Drive d;
    std::string interface = "virtio"; // the virt board's default block interface
    bool have_file = false;
    for (const std::string& it : split_props(value)) {
        size_t eq = it.find('=');
        if (eq == std::string::npos)
            throw CliError("-drive: '" + it + "' is not a property (use key=value)");
        std::string key = it.substr(0, eq), v = it.substr(eq + 1);
        if (key == "file") {
            if (v.empty()) throw CliError("-drive: file= needs a path");
            d.file = v;
            have_file = true;
        } else if (key == "format") {
            if (v != "raw")
                throw CliError("-drive: format '" + v + "' is not supported (only raw)");
        } else if (key == "if") {
            if (v != "virtio" && v != "none")
                throw CliError("-drive: interface '" + v +
                               "' is not available on the virt board (use virtio or none)");
            interface = v;
        } else if (key == "id") {
            if (v.empty()) throw CliError("-drive: id= needs a name");
            d.id = v;
        } else if (key == "readonly") {
            d.read_only = parse_on_off("-drive", key, v);
        } else if (key == "media") {
            if (v != "disk") throw CliError("-drive: media '" + v + "' is not supported (disk)");
        } else if (key == "cache" || key == "aio" || key == "discard") {
            // Host caching hints: Kestrel always uses the host page cache.
        } else {
            throw CliError("-drive: unknown property '" + key + "'");
        }
    }
    if (!have_file) throw CliError("-drive: file= is required");
    for (const Drive& o : drives_)
        if (!d.id.empty() && o.id == d.id)
            throw CliError("-drive: duplicate drive id '" + d.id + "'");
    if (interface == "none" && d.id.empty())
        throw CliError("-drive: if=none needs id= (used by -device ...,drive=ID)");
    d.attach_now = interface == "virtio";
    drives_.push_back(d);
    if (d.attach_now) order_.push_back({true, drives_.size() - 1, "", ""});
}

std::string DeviceOptions::add_device(const std::string& value) {
    auto items = split_props(value);
    const std::string& driver = items[0];
    if (driver == "help" || driver == "?")
        return "Devices of the virt board:\n"
               "  virtio-blk-device   drive=ID   virtio block device (-drive ...,if=none,id=ID)\n"
               "  virtio-rng-device              virtio entropy source (host random numbers)\n";
    if (driver != "virtio-blk-device" && driver != "virtio-rng-device")
        throw CliError("-device: unknown device '" + driver +
                       "' (available: virtio-blk-device, virtio-rng-device)");
    Entry e;
    e.driver = driver;
    for (size_t i = 1; i < items.size(); i++) {
        const std::string& it = items[i];
        size_t eq = it.find('=');
        std::string key = it.substr(0, eq);
        if (eq == std::string::npos)
            throw CliError("-device: '" + it + "' is not a property (use key=value)");
        std::string v = it.substr(eq + 1);
        if (key == "drive" && driver == "virtio-blk-device")
            e.drive_ref = v;
        else if (key == "id")
            ; // device ids only name the device; nothing refers to them yet
        else
            throw CliError("-device " + driver + ": unknown property '" + key + "'");
    }
    if (driver == "virtio-blk-device" && e.drive_ref.empty())
        throw CliError("-device virtio-blk-device: drive=ID is required");
    order_.push_back(e);
    return "";
}

std::vector<VirtioDeviceConfig> DeviceOptions::resolve() const {
    std::vector<VirtioDeviceConfig> out;
    std::set<size_t> used;
    for (const Entry& e : order_) {
        VirtioDeviceConfig v;
        if (e.is_drive) {
            if (!used.insert(e.drive).second)
                throw CliError("-drive: drive '" + drives_[e.drive].id +
                               "' is already used by a -device");
            v.file = drives_[e.drive].file;
            v.read_only = drives_[e.drive].read_only;
        } else if (e.driver == "virtio-rng-device") {
            v.kind = VirtioDeviceConfig::Kind::Rng;
        } else {
            size_t found = drives_.size();
            for (size_t i = 0; i < drives_.size(); i++)
                if (drives_[i].id == e.drive_ref) found = i;
            if (found == drives_.size())
                throw CliError("-device virtio-blk-device: no -drive with id '" + e.drive_ref +
                               "'");
            if (!used.insert(found).second)
                throw CliError("-device virtio-blk-device: drive '" + e.drive_ref +
                               "' is already in use");
            v.file = drives_[found].file;
            v.read_only = drives_[found].read_only;
        }
        out.push_back(v);
    }
    if (out.size() > virt::kVirtioCount)
        throw CliError("too many virtio devices: the virt board has " +
                       std::to_string(virt::kVirtioCount) + " virtio-mmio transports");
    return out;
}

} // namespace kestrel
