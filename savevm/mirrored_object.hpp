// A StateObject for live objects that are not plain data (a Cpu, a GIC, a
// device with private members): the object's state is captured into a plain
// struct T, which the section describes. Loading stages a T (starting from
// the live values, so fields an older stream lacks keep them), validates it
// against the live machine, and only the commit installs it.
#pragma once
#include "savevm/section.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace kestrel::savevm {

template <typename T> struct MirrorHooks {
    // The live state as plain data (before saving, and as the staging base).
    std::function<T()> capture;
    // Why the staged state cannot be installed, or nothing. Runs after every
    // section of the stream has been read, before anything is committed.
    std::function<std::optional<std::string>(const T& staged)> validate;
    // Installs a validated state and rebuilds the object's caches. Must not fail.
    std::function<void(const T& staged)> install;
    // For objects whose state lives outside the process (a KVM vCPU or
    // vGIC): used instead of install when set; an error it returns (the
    // kernel refused a register) is the object's commit_error().
    std::function<std::optional<std::string>(const T& staged)> install_checked = {};
    // The staging base for load(), when capture() must not run then (it
    // would ask the kernel, e.g. before the vGIC exists). Fields a stream
    // lacks keep this value.
    std::function<T()> stage_base = {};
};

template <typename T, typename Desc> class MirroredObject : public StateObject {
  public:
    MirroredObject(const Desc& desc, uint32_t instance, MirrorHooks<T> hooks)
        : desc_(desc), instance_(instance), hooks_(std::move(hooks)) {}

    std::string_view name() const override { return desc_.name; }
    uint32_t instance() const override { return instance_; }
    uint32_t version() const override { return desc_.version; }
    void save(ByteWriter& w) override {
        T now = hooks_.capture();
        save_section_payload(w, now, desc_);
    }
    void load(ByteReader& r, uint32_t version) override {
        staged_ = std::make_unique<T>(hooks_.stage_base ? hooks_.stage_base() : hooks_.capture());
        load_section_payload(r, *staged_, desc_, version);
    }
    std::optional<std::string> validate() override {
        if (!staged_)
            return "section '" + std::string(desc_.name) + "' instance " +
                   std::to_string(instance_) + " is missing from the snapshot";
        if (hooks_.validate) {
            if (auto err = hooks_.validate(*staged_))
                return "section '" + std::string(desc_.name) + "' instance " +
                       std::to_string(instance_) + ": " + *err;
        }
        return std::nullopt;
    }
    void commit() override {
        commit_error_.reset();
        if (hooks_.install_checked) {
            if (auto err = hooks_.install_checked(*staged_))
                commit_error_ = "section '" + std::string(desc_.name) + "' instance " +
                                std::to_string(instance_) + ": " + *err;
        } else if (hooks_.install) {
            hooks_.install(*staged_);
        }
        staged_.reset();
    }
    std::optional<std::string> commit_error() override { return commit_error_; }
    void discard() override { staged_.reset(); }
    nlohmann::json describe() const override { return describe_section(desc_); }

    // For tests: the staged state after load(), before commit.
    const T* staged() const { return staged_.get(); }

  private:
    Desc desc_;
    uint32_t instance_;
    MirrorHooks<T> hooks_;
    std::unique_ptr<T> staged_;
    std::optional<std::string> commit_error_;
};

template <typename T, typename Desc>
std::unique_ptr<StateObject> make_mirrored_object(const Desc& desc, uint32_t instance,
                                                  MirrorHooks<T> hooks) {
    return std::make_unique<MirroredObject<T, Desc>>(desc, instance, std::move(hooks));
}

} // namespace kestrel::savevm
