/* place: origins by hash, other tasks by the power of two choices. */
#include "place.h"
#include "hash.h"
#include "origin.h"

#include <string.h>

void place_init(struct place *p, int n, bool by_origin, uint64_t seed, place_load_fn load,
                void *arg)
{
    *p = (struct place){.n = n > 0 ? n : 1, .by_origin = by_origin, .load = load, .arg = arg};
    p->rng = seed | 1;
}

void place_free(struct place *p)
{
    buf_free(&p->key);
}

int place_origin(const char *key, int n)
{
    return (int)(hash_fnv1a64(key, strlen(key)) % (uint64_t)n);
}

static uint32_t place_random(struct place *p)
{
    uint64_t x = p->rng; /* xorshift64* */
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    p->rng = x;
    return (uint32_t)((x * 2685821657736338717ULL) >> 32);
}

int place_pick(struct place *p, const char *url)
{
    if (p->n == 1)
        return 0;
    if (p->by_origin) {
        origin_key(url, &p->key);
        return place_origin(buf_str(&p->key), p->n);
    }
    int a = p->next;
    p->next = (p->next + 1) % p->n;
    int b = (a + 1 + (int)(place_random(p) % (uint32_t)(p->n - 1))) % p->n;
    return p->load(p->arg, b) < p->load(p->arg, a) ? b : a;
}
