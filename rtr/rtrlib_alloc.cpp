// See rtrlib_alloc.hpp.
#include "rtr/rtrlib_alloc.hpp"

#include <rtrlib/rtrlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// Under AddressSanitizer a free slot is off-limits until handed out again, so
// a use of rtrlib memory after it was freed is still reported.
#define MOAT_POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define MOAT_POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define MOAT_POOL_POISON(p, n) ((void)(p), (void)(n))
#define MOAT_POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace moat::rtr {

namespace {

constexpr size_t arena_size = size_t{1} << 20;  // aligned to its size: ptr & ~(size - 1) is its arena
constexpr size_t granule = 16;
constexpr size_t classes = 4;  // 16, 32, 48, 64 bytes
constexpr size_t largest = granule * classes;

struct FreeSlot {
    FreeSlot* next;
};

struct Pools {
    std::mutex mutex;
    std::array<FreeSlot*, classes> free{};
    // Per class: the arena being carved and how far.
    std::array<char*, classes> carving{};
    std::array<size_t, classes> carved{};
    // Every arena with its class, sorted by address, for free() and realloc().
    std::vector<std::pair<uintptr_t, uint8_t>> arenas;
    size_t used = 0;

    // The class of a pool block, or -1 for malloc's.
    int class_of(const void* p) const {
        const auto base = reinterpret_cast<uintptr_t>(p) & ~(arena_size - 1);
        auto it = std::lower_bound(arenas.begin(), arenas.end(), std::make_pair(base, uint8_t{0}));
        if (it == arenas.end() || it->first != base) return -1;
        return it->second;
    }

    void* take(size_t c) {
        if (FreeSlot* s = free[c]) {
            MOAT_POOL_UNPOISON(s, (c + 1) * granule);
            free[c] = s->next;
            used += (c + 1) * granule;
            return s;
        }
        const size_t slot = (c + 1) * granule;
        if (!carving[c] || carved[c] + slot > arena_size) {
            void* a = std::aligned_alloc(arena_size, arena_size);
            if (!a) return nullptr;
            carving[c] = static_cast<char*>(a);
            carved[c] = 0;
            const auto entry = std::make_pair(reinterpret_cast<uintptr_t>(a), static_cast<uint8_t>(c));
            arenas.insert(std::upper_bound(arenas.begin(), arenas.end(), entry), entry);
        }
        void* p = carving[c] + carved[c];
        carved[c] += slot;
        used += slot;
        return p;
    }

    void give(void* p, size_t c) {
        auto* s = static_cast<FreeSlot*>(p);
        s->next = free[c];
        free[c] = s;
        used -= (c + 1) * granule;
        MOAT_POOL_POISON(s, (c + 1) * granule);
    }
};

Pools& pools() {
    static Pools* p = new Pools;  // never destroyed: rtrlib may free during exit
    return *p;
}

size_t class_for(size_t size) { return size == 0 ? 0 : (size - 1) / granule; }

}  // namespace

void* rtrlib_alloc(size_t size) {
    if (size > largest) return std::malloc(size);
    Pools& P = pools();
    std::lock_guard lock(P.mutex);
    return P.take(class_for(size));
}

void rtrlib_free(void* p) {
    if (!p) return;
    Pools& P = pools();
    {
        std::lock_guard lock(P.mutex);
        const int c = P.class_of(p);
        if (c >= 0) {
            P.give(p, static_cast<size_t>(c));
            return;
        }
    }
    std::free(p);
}

void* rtrlib_realloc(void* p, size_t size) {
    if (!p) return rtrlib_alloc(size);
    Pools& P = pools();
    int c;
    {
        std::lock_guard lock(P.mutex);
        c = P.class_of(p);
    }
    if (c < 0) return std::realloc(p, size);  // malloc's block stays malloc's
    const size_t have = (static_cast<size_t>(c) + 1) * granule;
    if (size <= have && class_for(size) == static_cast<size_t>(c)) return p;
    void* q = rtrlib_alloc(size);
    if (!q) return nullptr;
    std::memcpy(q, p, std::min(have, size));
    rtrlib_free(p);
    return q;
}

void use_compact_rtrlib_allocator() {
    static std::once_flag once;
    std::call_once(once, [] { lrtr_set_alloc_functions(&rtrlib_alloc, &rtrlib_realloc, &rtrlib_free); });
}

RtrlibPoolStats rtrlib_pool_stats() {
    Pools& P = pools();
    std::lock_guard lock(P.mutex);
    return RtrlibPoolStats{P.arenas.size() * arena_size, P.used};
}

}  // namespace moat::rtr
