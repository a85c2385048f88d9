/* hash: FNV-1a-64, the one hash of the project: --shard's (written down in
 * the contract so that other tools can compute the same split) and every
 * hash table's. */
#ifndef VOLLEY_HASH_H
#define VOLLEY_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A64_BASIS 14695981039346656037ULL
#define HASH_FNV1A64_PRIME 1099511628211ULL

/* One more byte C into the hash H. */
static inline uint64_t hash_fnv1a64_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * HASH_FNV1A64_PRIME;
}

/* FNV-1a-64 over N bytes at P. */
static inline uint64_t hash_fnv1a64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = HASH_FNV1A64_BASIS;
    for (size_t i = 0; i < n; i++)
        h = hash_fnv1a64_step(h, s[i]);
    return h;
}

#endif
