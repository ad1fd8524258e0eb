// Sections: a named, versioned unit of state in the stream, with optional
// subsections that are written only when needed. Loading goes into a
// staging copy; nothing touches the live object until every section of the
// stream has loaded and validated (see SnapshotReader).
#pragma once
#include "savevm/state_desc.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kestrel::savevm {

template <typename T, typename FieldsT> struct Subsection {
    std::string_view name;
    uint32_t version;
    uint32_t min_version;
    bool (*needed)(const T&); // written only when this holds
    void (*absent)(T&);       // applied on load when the stream lacks it
    FieldsT fields;
};

template <typename T, typename FieldsT>
constexpr Subsection<T, FieldsT> subsection(std::string_view name, uint32_t version,
                                            uint32_t min_version, bool (*needed)(const T&),
                                            void (*absent)(T&), FieldsT f) {
    return {name, version, min_version, needed, absent, f};
}

template <typename T, typename FieldsT, typename... Subs> struct SectionDesc {
    std::string_view name;
    uint32_t version;
    uint32_t min_version;
    FieldsT fields;
    std::tuple<Subs...> subs;
};

template <typename T, typename FieldsT, typename... Subs>
constexpr SectionDesc<T, FieldsT, Subs...> section(std::string_view name, uint32_t version,
                                                   uint32_t min_version, FieldsT f, Subs... subs) {
    return {name, version, min_version, f, {subs...}};
}

// Record tags inside a section payload.
constexpr uint8_t kTagSubsection = 'B';
constexpr uint8_t kTagSectionEnd = 'E';

template <typename T, typename FieldsT, typename... Subs>
void save_section_payload(ByteWriter& w, const T& obj, const SectionDesc<T, FieldsT, Subs...>& d) {
    save_fields(w, obj, d.fields);
    std::apply(
        [&](const auto&... sub) {
            (
                [&] {
                    if (!sub.needed(obj)) return;
                    w.u8(kTagSubsection);
                    w.str(sub.name);
                    w.u32(sub.version);
                    size_t len_at = w.reserve_u64();
                    size_t start = w.size();
                    save_fields(w, obj, sub.fields);
                    w.patch_u64(len_at, w.size() - start);
                }(),
                ...);
        },
        d.subs);
    w.u8(kTagSectionEnd);
}

template <typename T, typename FieldsT, typename... Subs>
void load_section_payload(ByteReader& r, T& obj, const SectionDesc<T, FieldsT, Subs...>& d,
                          uint32_t version) {
    if (version > d.version)
        r.fail("version " + std::to_string(version) + " is newer than this build reads (" +
               std::to_string(d.version) + ")");
    if (version < d.min_version)
        r.fail("version " + std::to_string(version) +
               " is older than the oldest this build reads (" + std::to_string(d.min_version) +
               ")");
    load_fields(r, obj, d.fields, version);
    constexpr size_t n = sizeof...(Subs);
    std::array<bool, n + 1> seen{};
    for (;;) {
        uint8_t tag = r.u8();
        if (tag == kTagSectionEnd) break;
        if (tag != kTagSubsection) r.fail("corrupt record tag " + std::to_string(tag));
        std::string name = r.str(256);
        uint32_t sver = r.u32();
        uint64_t len = r.u64();
        if (len > r.remaining()) r.fail("subsection '" + name + "' is truncated");
        ByteReader sr = r.sub(static_cast<size_t>(len), r.what() + "/" + name);
        bool found = false;
        size_t idx = 0;
        std::apply(
            [&](const auto&... sub) {
                (
                    [&] {
                        size_t my = idx++;
                        if (found || sub.name != name) return;
                        found = true;
                        if (seen[my]) sr.fail("appears twice");
                        seen[my] = true;
                        if (sver > sub.version || sver < sub.min_version)
                            sr.fail("version " + std::to_string(sver) + " not readable (reads " +
                                    std::to_string(sub.min_version) + ".." +
                                    std::to_string(sub.version) + ")");
                        load_fields(sr, obj, sub.fields, sver);
                        if (sr.remaining() != 0)
                            sr.fail("has " + std::to_string(sr.remaining()) + " unread bytes");
                    }(),
                    ...);
            },
            d.subs);
        if (!found) r.fail("unknown subsection '" + name + "'");
    }
    size_t idx = 0;
    std::apply(
        [&](const auto&... sub) {
            (
                [&] {
                    if (!seen[idx++] && sub.absent) sub.absent(obj);
                }(),
                ...);
        },
        d.subs);
}

template <typename T, typename FieldsT, typename... Subs>
nlohmann::json describe_section(const SectionDesc<T, FieldsT, Subs...>& d) {
    nlohmann::json j;
    j["name"] = d.name;
    j["version"] = d.version;
    j["min_version"] = d.min_version;
    j["fields"] = describe_fields(d.fields);
    j["subsections"] = nlohmann::json::array();
    std::apply(
        [&](const auto&... sub) {
            (j["subsections"].push_back({{"name", sub.name},
                                         {"version", sub.version},
                                         {"min_version", sub.min_version},
                                         {"fields", describe_fields(sub.fields)}}),
             ...);
        },
        d.subs);
    return j;
}

// A stateful object registered with the snapshot machinery. Loading is
// two-phase: load() fills a staging copy, commit() makes it live.
class StateObject {
  public:
    virtual ~StateObject() = default;
    virtual std::string_view name() const = 0;
    virtual uint32_t instance() const = 0;
    virtual uint32_t version() const = 0;
    virtual void save(ByteWriter& w) = 0;
    virtual void load(ByteReader& r, uint32_t version) = 0;
    // Checks the staged state against the live machine; returns an error
    // message, or nothing when it may be committed.
    virtual std::optional<std::string> validate() = 0;
    virtual void commit() = 0;
    // Why the last commit() could not install everything (an object backed
    // by a kernel, e.g. KVM, can be refused at that point), or nothing.
    // read_snapshot asks after every object has committed.
    virtual std::optional<std::string> commit_error() { return std::nullopt; }
    virtual void discard() = 0;
    virtual nlohmann::json describe() const = 0;
};

template <typename T, typename Desc> class DescribedObject : public StateObject {
  public:
    using Validator = std::function<std::optional<std::string>(const T& staged, const T& live)>;
    DescribedObject(const Desc& desc, T* live, uint32_t instance,
                    std::function<void()> pre_save = {}, Validator post_load = {},
                    std::function<void()> after_commit = {})
        : desc_(desc), live_(live), instance_(instance), pre_save_(std::move(pre_save)),
          post_load_(std::move(post_load)), after_commit_(std::move(after_commit)) {}

    std::string_view name() const override { return desc_.name; }
    uint32_t instance() const override { return instance_; }
    uint32_t version() const override { return desc_.version; }
    void save(ByteWriter& w) override {
        if (pre_save_) pre_save_();
        save_section_payload(w, *live_, desc_);
    }
    void load(ByteReader& r, uint32_t version) override {
        staged_ = std::make_unique<T>(*live_);
        load_section_payload(r, *staged_, desc_, version);
    }
    std::optional<std::string> validate() override {
        if (!staged_)
            return std::string("section '") + std::string(desc_.name) +
                   "' missing from the snapshot";
        if (post_load_) return post_load_(*staged_, *live_);
        return std::nullopt;
    }
    void commit() override {
        *live_ = std::move(*staged_);
        staged_.reset();
        if (after_commit_) after_commit_();
    }
    void discard() override { staged_.reset(); }
    nlohmann::json describe() const override { return describe_section(desc_); }

  private:
    Desc desc_;
    T* live_;
    uint32_t instance_;
    std::function<void()> pre_save_;
    Validator post_load_;
    std::function<void()> after_commit_;
    std::unique_ptr<T> staged_;
};

template <typename T, typename Desc>
std::unique_ptr<StateObject>
make_state_object(const Desc& desc, T* live, uint32_t instance = 0,
                  std::function<void()> pre_save = {},
                  typename DescribedObject<T, Desc>::Validator post_load = {},
                  std::function<void()> after_commit = {}) {
    return std::make_unique<DescribedObject<T, Desc>>(
        desc, live, instance, std::move(pre_save), std::move(post_load), std::move(after_commit));
}

} // namespace kestrel::savevm
