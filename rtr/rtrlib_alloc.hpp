// rtrlib's memory, compact. rtrlib keeps its own copy of every VRP (its
// pfx_table, which its RTR code needs to check announcements and
// withdrawals): per distinct prefix a 64-byte trie node, a 16-byte record
// list head and a 16-byte array per origin, each a separate malloc block,
// about 140 bytes with glibc's headers and rounding. rtrlib lets its user
// supply the allocator (lrtr_set_alloc_functions, as FRR does); this one
// serves blocks of up to 64 bytes from size-class pools without a per-block
// header (16/32/48/64-byte slots in 1 MiB arenas), about 96 bytes a prefix,
// and passes larger requests to malloc. Pool memory is reused, not returned
// to the system. Thread-safe (rtrlib allocates on its socket threads).
#pragma once

#include <cstddef>

namespace moat::rtr {

// Installs the allocator for rtrlib; call before the first rtrlib object is
// created (idempotent). Everything rtrlib allocated before stays malloc's.
void use_compact_rtrlib_allocator();

// Bytes in pool arenas and bytes of slots in use (for the memory view and tests).
struct RtrlibPoolStats {
    size_t arena_bytes = 0;
    size_t used_bytes = 0;
};
RtrlibPoolStats rtrlib_pool_stats();

// The allocator itself, for tests.
void* rtrlib_alloc(size_t size);
void* rtrlib_realloc(void* p, size_t size);
void rtrlib_free(void* p);

}  // namespace moat::rtr
