// A per-family prefix table that does not allocate per entry.
//
// Entries live in one dense vector and keep their index for life (freed
// indices are reused), so other structures (Adj-RIB-Out, dirty lists) refer to
// a prefix by a 32-bit index instead of copying its key. Exact lookup goes
// through an open-addressing index (linear probing, backward-shift deletion,
// load factor at most 0.7) of 32-bit slots: 4 bytes per slot, 6-12 bytes per
// prefix. A slot holds the entry's index in its low bits and, in the bits the
// index does not need, a tag taken from the key's hash: a probe that meets
// another key's slot is almost always told apart by the tag, without reading
// that entry (a cache miss per probe on a full table). Walks (dumps, RPKI revalidation, the CLI's
// longer-prefixes) scan the dense vector, which is the fastest scan there is;
// covering (less-specific) prefixes are found by at most max_len+1 exact
// lookups. docs/rib.md explains why this beats a trie for Moat's load.
//
// Entry must have a `Key key` and a `bool live` member and be default
// constructible; the table sets both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace moat::rib {

inline constexpr uint32_t no_index = 0xFFFFFFFFu;

template <typename Key, typename Entry>
class PrefixTable {
public:
    // Index of the entry for k, or no_index.
    uint32_t find(const Key& k) const {
        if (live_ == 0) return no_index;
        const uint64_t h = k.hash();
        const uint32_t tag = tag_of(h);
        for (size_t s = h & mask_;; s = (s + 1) & mask_) {
            const uint32_t v = slots_[s];
            if (v == no_index) return no_index;
            if ((v & ~index_mask_) == tag && entries_[v & index_mask_].key == k) return v & index_mask_;
        }
    }

    // A hint: start loading the slot where a lookup of k begins.
    void prefetch(const Key& k) const {
        if (!slots_.empty()) __builtin_prefetch(&slots_[k.hash() & mask_]);
    }

    // Index of the entry for k, created (default-initialised) when missing;
    // second is true when it was created.
    std::pair<uint32_t, bool> insert(const Key& k) {
        if ((live_ + 1) * 10 > slots_.size() * 7) grow();
        const uint64_t h = k.hash();
        const uint32_t tag = tag_of(h);
        size_t s = h & mask_;
        for (;; s = (s + 1) & mask_) {
            const uint32_t v = slots_[s];
            if (v == no_index) break;
            if ((v & ~index_mask_) == tag && entries_[v & index_mask_].key == k) return {v & index_mask_, false};
        }
        uint32_t idx;
        if (!free_.empty()) {
            idx = free_.back();
            free_.pop_back();
            entries_[idx] = Entry{};
        } else {
            idx = static_cast<uint32_t>(entries_.size());
            entries_.emplace_back();
        }
        entries_[idx].key = k;
        entries_[idx].live = true;
        slots_[s] = idx | tag;
        ++live_;
        return {idx, true};
    }

    // Removes the entry at idx (which must be live); idx may be reused later.
    void erase(uint32_t idx) {
        const Key& k = entries_[idx].key;
        size_t s = k.hash() & mask_;
        while ((slots_[s] & index_mask_) != idx) s = (s + 1) & mask_;
        // Backward-shift deletion keeps every probe chain unbroken.
        size_t hole = s;
        for (size_t j = (hole + 1) & mask_;; j = (j + 1) & mask_) {
            const uint32_t v = slots_[j];
            if (v == no_index) break;
            size_t home = entries_[v & index_mask_].key.hash() & mask_;
            // Move the slot into the hole unless its home lies cyclically in (hole, j].
            bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!stays) {
                slots_[hole] = v;
                hole = j;
            }
        }
        slots_[hole] = no_index;
        entries_[idx] = Entry{};
        free_.push_back(idx);
        --live_;
    }

    Entry& operator[](uint32_t i) { return entries_[i]; }
    const Entry& operator[](uint32_t i) const { return entries_[i]; }
    size_t size() const { return live_; }
    // One past the highest index ever used: the bound for walks and for
    // arrays indexed like this table.
    uint32_t index_bound() const { return static_cast<uint32_t>(entries_.size()); }
    size_t memory_bytes() const {
        return entries_.capacity() * sizeof(Entry) + slots_.capacity() * sizeof(uint32_t) +
               free_.capacity() * sizeof(uint32_t);
    }

    // Calls f(index, entry) for every live entry whose key is k or covers k
    // (the less-specifics), shortest first.
    template <typename F>
    void for_each_covering(const Key& k, F&& f) const {
        for (int l = 0; l <= k.len; ++l) {
            uint32_t i = find(k.truncated(static_cast<uint8_t>(l)));
            if (i != no_index) f(i, entries_[i]);
        }
    }

    // Calls f(index, entry) for every live entry k covers (k and its
    // more-specifics), in index order.
    template <typename F>
    void for_each_covered(const Key& k, F&& f) const {
        for (uint32_t i = 0; i < entries_.size(); ++i)
            if (entries_[i].live && k.covers(entries_[i].key)) f(i, entries_[i]);
    }

private:
    // The tag: the hash's high bits, in the slot bits above the index. An
    // index is always below 0.7 * slots_.size() (entries_ never outgrows the
    // live count the load factor allows), so it fits in log2(size) bits and
    // no slot of a live entry equals no_index.
    uint32_t tag_of(uint64_t h) const { return static_cast<uint32_t>(h >> 32) & ~index_mask_; }

    void grow() {
        size_t n = slots_.empty() ? 64 : slots_.size() * 2;
        slots_.assign(n, no_index);
        mask_ = n - 1;
        index_mask_ = static_cast<uint32_t>(mask_);  // n is at most 2^32: 32-bit indices
        for (uint32_t i = 0; i < entries_.size(); ++i) {
            if (!entries_[i].live) continue;
            const uint64_t h = entries_[i].key.hash();
            size_t s = h & mask_;
            while (slots_[s] != no_index) s = (s + 1) & mask_;
            slots_[s] = i | tag_of(h);
        }
    }

    std::vector<Entry> entries_;
    std::vector<uint32_t> free_;
    std::vector<uint32_t> slots_;
    size_t mask_ = 0;
    uint32_t index_mask_ = 0;  // the slot bits that hold the index (mask_, at most 32 bits)
    size_t live_ = 0;
};

}  // namespace moat::rib
