/* strmap: string → size_t hash map with open addressing and linear probing;
 * the table doubles at 50% load, keys are copied once and never move. */
#include "strmap.h"
#include "hash.h"
#include "log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strmap_slot {
    char *key; /* NULL: empty */
    size_t len;
    uint64_t hash;
    size_t value;
};

struct strmap {
    struct strmap_slot *slots;
    size_t cap; /* a power of two */
    size_t count;
};

static uint64_t strmap_hash(const char *key, size_t len)
{
    return hash_fnv1a64(key, len);
}

struct strmap *strmap_new(void)
{
    struct strmap *m = log_calloc(1, sizeof *m);
    m->cap = 16;
    m->slots = log_calloc(m->cap, sizeof *m->slots);
    return m;
}

void strmap_clear(struct strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->count = 0;
}

void strmap_free(struct strmap *m)
{
    if (!m)
        return;
    strmap_clear(m);
    free(m->slots);
    free(m);
}

size_t strmap_count(const struct strmap *m)
{
    return m->count;
}

/* The slot holding KEY, or the empty slot where it would go. */
static struct strmap_slot *strmap_find(const struct strmap *m, const char *key, size_t len,
                                       uint64_t hash)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        struct strmap_slot *s = &m->slots[i];
        if (!s->key || (s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0))
            return s;
    }
}

bool strmap_get(const struct strmap *m, const char *key, size_t len, size_t *value)
{
    const struct strmap_slot *s = strmap_find(m, key, len, strmap_hash(key, len));
    if (!s->key)
        return false;
    if (value)
        *value = s->value;
    return true;
}

static void strmap_grow(struct strmap *m)
{
    struct strmap_slot *old = m->slots;
    size_t oldcap = m->cap;
    m->cap *= 2;
    m->slots = log_calloc(m->cap, sizeof *m->slots);
    for (size_t i = 0; i < oldcap; i++) {
        if (old[i].key)
            *strmap_find(m, old[i].key, old[i].len, old[i].hash) = old[i];
    }
    free(old);
}

const char *strmap_put(struct strmap *m, const char *key, size_t len, size_t value, bool *added)
{
    uint64_t hash = strmap_hash(key, len);
    struct strmap_slot *s = strmap_find(m, key, len, hash);
    if (added)
        *added = !s->key;
    if (s->key) {
        s->value = value;
        return s->key;
    }
    if ((m->count + 1) * 2 > m->cap) {
        strmap_grow(m);
        s = strmap_find(m, key, len, hash);
    }
    s->key = log_malloc(len + 1); /* not strndup: a key may hold NUL bytes */
    memcpy(s->key, key, len);
    s->key[len] = '\0';
    s->len = len;
    s->hash = hash;
    s->value = value;
    m->count++;
    return s->key;
}
