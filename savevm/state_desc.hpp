// Declarative state descriptions. A stateful object describes its state
// once; the same description drives save, load and the JSON dump of the
// format. Encoding: little-endian fixed-width scalars, arrays and vectors
// as a u32 count followed by their elements, nested structs field by field.
#pragma once
#include "savevm/byte_stream.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace kestrel::savevm {

// Specialise with `static constexpr auto fields = savevm::fields(...);` to
// describe a plain struct that appears as a field of another description.
template <typename T> struct Describe;

template <typename Owner, typename M> struct Field {
    std::string_view name;
    M Owner::*member;
    uint32_t since; // first section version that carries this field
};

template <typename Owner, typename M>
constexpr Field<Owner, M> field(std::string_view name, M Owner::*member, uint32_t since = 1) {
    return {name, member, since};
}

template <typename... Fs> struct FieldList { std::tuple<Fs...> items; };
template <typename... Fs> constexpr FieldList<Fs...> fields(Fs... f) {
    return {{f...}};
}

template <typename T>
concept Scalar = std::is_integral_v<T> || std::is_enum_v<T>;
template <typename T>
concept Described = requires {
    Describe<T>::fields;
};

template <typename T> struct IsStdArray : std::false_type {};
template <typename T, size_t N> struct IsStdArray<std::array<T, N>> : std::true_type {};
template <typename T> struct IsVector : std::false_type {};
template <typename T, typename A> struct IsVector<std::vector<T, A>> : std::true_type {};

// Vectors hold per-CPU records or tables; a bound keeps a corrupt count
// from allocating without limit.
constexpr uint32_t kMaxVectorElements = 1u << 24;

template <typename T> struct MemberType;
template <typename Owner, typename M> struct MemberType<M Owner::*> { using type = M; };

template <typename T> void save_value(ByteWriter& w, const T& v);
template <typename T> size_t min_encoded_size(uint32_t version);
template <typename T> void load_value(ByteReader& r, T& v, uint32_t version);
template <typename T> nlohmann::json describe_type();

template <typename Owner, typename... Fs>
void save_fields(ByteWriter& w, const Owner& o, const FieldList<Fs...>& fl) {
    std::apply([&](const auto&... f) { (save_value(w, o.*(f.member)), ...); }, fl.items);
}

template <typename Owner, typename... Fs>
void load_fields(ByteReader& r, Owner& o, const FieldList<Fs...>& fl, uint32_t version) {
    std::apply(
        [&](const auto&... f) {
            (
                [&] {
                    if (version >= f.since) load_value(r, o.*(f.member), version);
                }(),
                ...);
        },
        fl.items);
}

template <typename... Fs> nlohmann::json describe_fields(const FieldList<Fs...>& fl) {
    nlohmann::json out = nlohmann::json::array();
    std::apply(
        [&](const auto&... f) {
            (out.push_back(
                 {{"name", f.name},
                  {"since", f.since},
                  {"type", describe_type<typename MemberType<decltype(f.member)>::type>()}}),
             ...);
        },
        fl.items);
    return out;
}

template <typename T> void save_value(ByteWriter& w, const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        w.u8(v ? 1 : 0);
    } else if constexpr (Scalar<T>) {
        w.bytes(&v, sizeof(T));
    } else if constexpr (std::is_array_v<T>) {
        w.u32(static_cast<uint32_t>(std::extent_v<T>));
        for (const auto& e : v)
            save_value(w, e);
    } else if constexpr (IsStdArray<T>::value || IsVector<T>::value) {
        w.u32(static_cast<uint32_t>(v.size()));
        for (const auto& e : v)
            save_value(w, e);
    } else if constexpr (std::is_same_v<T, std::string>) {
        w.str(v);
    } else {
        static_assert(Described<T>, "type has no savevm description");
        save_fields(w, v, Describe<T>::fields);
    }
}

// The fewest bytes one value of T takes in a stream of this section
// version: bounds how many vector elements a count may claim.
template <typename T> size_t min_encoded_size(uint32_t version) {
    if constexpr (std::is_same_v<T, bool>) {
        return 1;
    } else if constexpr (Scalar<T>) {
        return sizeof(T);
    } else if constexpr (std::is_array_v<T>) {
        return 4 + std::extent_v<T> * min_encoded_size<std::remove_extent_t<T>>(version);
    } else if constexpr (IsStdArray<T>::value) {
        return 4 + std::tuple_size_v<T> * min_encoded_size<typename T::value_type>(version);
    } else if constexpr (IsVector<T>::value || std::is_same_v<T, std::string>) {
        return 4;
    } else {
        size_t n = 0;
        std::apply(
            [&](const auto&... f) {
                ((n +=
                  version >= f.since
                      ? min_encoded_size<typename MemberType<decltype(f.member)>::type>(version)
                      : 0),
                 ...);
            },
            Describe<T>::fields.items);
        return n;
    }
}

template <typename T> void load_value(ByteReader& r, T& v, uint32_t version) {
    if constexpr (std::is_same_v<T, bool>) {
        uint8_t b = r.u8();
        if (b > 1) r.fail("boolean field holds " + std::to_string(b));
        v = b;
    } else if constexpr (Scalar<T>) {
        r.bytes(&v, sizeof(T));
    } else if constexpr (std::is_array_v<T> || IsStdArray<T>::value) {
        constexpr size_t n = [] {
            if constexpr (std::is_array_v<T>)
                return std::extent_v<T>;
            else
                return std::tuple_size_v<T>;
        }();
        uint32_t count = r.u32();
        if (count != n)
            r.fail("array of " + std::to_string(count) + " elements, expected " +
                   std::to_string(n));
        for (auto& e : v)
            load_value(r, e, version);
    } else if constexpr (IsVector<T>::value) {
        uint32_t count = r.u32();
        size_t each = std::max<size_t>(1, min_encoded_size<typename T::value_type>(version));
        if (count > kMaxVectorElements || count > r.remaining() / each)
            r.fail("vector of " + std::to_string(count) + " elements is larger than the stream");
        v.resize(count);
        for (auto& e : v)
            load_value(r, e, version);
    } else if constexpr (std::is_same_v<T, std::string>) {
        v = r.str(1u << 20);
    } else {
        static_assert(Described<T>, "type has no savevm description");
        load_fields(r, v, Describe<T>::fields, version);
    }
}

template <typename T> nlohmann::json describe_type() {
    if constexpr (std::is_same_v<T, bool>) {
        return "bool";
    } else if constexpr (std::is_enum_v<T>) {
        return describe_type<std::underlying_type_t<T>>();
    } else if constexpr (Scalar<T>) {
        return std::string(std::is_signed_v<T> ? "i" : "u") + std::to_string(sizeof(T) * 8);
    } else if constexpr (std::is_array_v<T>) {
        return {{"array", describe_type<std::remove_extent_t<T>>()}, {"count", std::extent_v<T>}};
    } else if constexpr (IsStdArray<T>::value) {
        return {{"array", describe_type<typename T::value_type>()},
                {"count", std::tuple_size_v<T>}};
    } else if constexpr (IsVector<T>::value) {
        return {{"vector", describe_type<typename T::value_type>()}};
    } else if constexpr (std::is_same_v<T, std::string>) {
        return "string";
    } else {
        return {{"struct", describe_fields(Describe<T>::fields)}};
    }
}

} // namespace kestrel::savevm
