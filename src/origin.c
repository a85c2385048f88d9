/* origin: per-origin queues, the two indexed heaps and the origin table. */
#include "origin.h"
#include "hash.h"
#include "log.h"
#include "url.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* ---- the queue ---------------------------------------------------------- */

void origin_init(struct origin *o)
{
    TAILQ_INIT(&o->queue);
}

void origin_push(struct origin *o, struct origin_entry *e)
{
    struct origin_entry *last = TAILQ_LAST(&o->queue, origin_queue);
    if (!last || last->seq < e->seq) { /* a new line: the usual case */
        TAILQ_INSERT_TAIL(&o->queue, e, link);
        return;
    }
    struct origin_entry *at = TAILQ_FIRST(&o->queue);
    while (at->seq < e->seq) /* stops at LAST at the latest */
        at = TAILQ_NEXT(at, link);
    TAILQ_INSERT_BEFORE(at, e, link);
}

struct origin_entry *origin_head(const struct origin *o)
{
    return TAILQ_FIRST(&o->queue);
}

struct origin_entry *origin_pop(struct origin *o)
{
    struct origin_entry *e = TAILQ_FIRST(&o->queue);
    if (e)
        TAILQ_REMOVE(&o->queue, e, link);
    return e;
}

/* ---- the heaps ---------------------------------------------------------- */

static size_t *origin_heap_pos(const struct origin_heap *h, struct origin *o)
{
    return h->order == ORIGIN_BY_TIME ? &o->timed_pos : &o->ready_pos;
}

static uint64_t origin_heap_key(const struct origin_heap *h, const struct origin *o)
{
    if (h->order == ORIGIN_BY_TIME)
        return (uint64_t)o->next_start;
    assert(!TAILQ_EMPTY(&o->queue)); /* only origins with a queue are ready */
    return TAILQ_FIRST(&o->queue)->seq;
}

static void origin_heap_set(struct origin_heap *h, size_t i, struct origin *o)
{
    h->v[i] = o;
    *origin_heap_pos(h, o) = i + 1;
}

static void origin_heap_up(struct origin_heap *h, size_t i)
{
    struct origin *o = h->v[i];
    uint64_t key = origin_heap_key(h, o);
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (origin_heap_key(h, h->v[p]) <= key)
            break;
        origin_heap_set(h, i, h->v[p]);
        i = p;
    }
    origin_heap_set(h, i, o);
}

static void origin_heap_down(struct origin_heap *h, size_t i)
{
    struct origin *o = h->v[i];
    uint64_t key = origin_heap_key(h, o);
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && origin_heap_key(h, h->v[c + 1]) < origin_heap_key(h, h->v[c]))
            c++;
        if (key <= origin_heap_key(h, h->v[c]))
            break;
        origin_heap_set(h, i, h->v[c]);
        i = c;
    }
    origin_heap_set(h, i, o);
}

bool origin_heap_has(const struct origin_heap *h, const struct origin *o)
{
    size_t pos = h->order == ORIGIN_BY_TIME ? o->timed_pos : o->ready_pos;
    assert(pos == 0 || (pos <= h->n && h->v[pos - 1] == o));
    return pos != 0;
}

void origin_heap_remove(struct origin_heap *h, struct origin *o)
{
    if (!origin_heap_has(h, o))
        return;
    size_t *pos = origin_heap_pos(h, o);
    size_t i = *pos - 1;
    *pos = 0;
    struct origin *last = h->v[--h->n];
    if (last == o)
        return;
    h->v[i] = last;
    origin_heap_up(h, i);
    origin_heap_down(h, *origin_heap_pos(h, last) - 1);
}

void origin_heap_put(struct origin_heap *h, struct origin *o)
{
    if (origin_heap_has(h, o)) {
        size_t i = *origin_heap_pos(h, o) - 1;
        origin_heap_up(h, i);
        origin_heap_down(h, *origin_heap_pos(h, o) - 1);
        return;
    }
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->v = log_realloc(h->v, h->cap * sizeof *h->v);
    }
    h->v[h->n] = o;
    *origin_heap_pos(h, o) = ++h->n;
    origin_heap_up(h, h->n - 1);
}

struct origin *origin_heap_top(const struct origin_heap *h)
{
    return h->n ? h->v[0] : NULL;
}

bool origin_heap_valid(const struct origin_heap *h)
{
    for (size_t i = 0; i < h->n; i++) {
        if (*origin_heap_pos(h, h->v[i]) != i + 1)
            return false;
        if (i > 0 && origin_heap_key(h, h->v[(i - 1) / 2]) > origin_heap_key(h, h->v[i]))
            return false;
    }
    return true;
}

void origin_heap_free(struct origin_heap *h)
{
    free(h->v);
    h->v = NULL;
    h->n = h->cap = 0;
}

/* ---- the table ---------------------------------------------------------- */

#define ORIGIN_BUCKETS 64 /* at first; grows 4× when the chains average 2 */

void origin_key(const char *url, struct buf *key)
{
    buf_clear(key);
    struct url_parts u;
    if (url_split(url, strlen(url), &u))
        url_origin(&u, "https", key);
    else
        buf_adds(key, url); /* no host: prepared URLs always have one */
    buf_str(key);
}

static uint64_t origin_hash(const char *s)
{
    return hash_fnv1a64(s, strlen(s));
}

void origin_table_init(struct origin_table *t)
{
    memset(t, 0, sizeof *t);
    t->nbuckets = ORIGIN_BUCKETS;
    t->buckets = log_calloc(t->nbuckets, sizeof *t->buckets);
}

void origin_table_free(struct origin_table *t)
{
    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct origin *o = t->buckets[i], *next; o; o = next) {
            next = o->hnext;
            free(o->key);
            free(o);
        }
    free(t->buckets);
    buf_free(&t->key);
    memset(t, 0, sizeof *t);
}

/* Four times the buckets: rehash every chain. */
static void origin_table_grow(struct origin_table *t)
{
    size_t n = t->nbuckets * 4;
    struct origin **nb = log_calloc(n, sizeof *nb);
    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct origin *x = t->buckets[i], *next; x; x = next) {
            next = x->hnext;
            x->hnext = nb[x->hash & (n - 1)];
            nb[x->hash & (n - 1)] = x;
        }
    free(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
}

struct origin *origin_table_get(struct origin_table *t, const char *url)
{
    origin_key(url, &t->key);
    const char *key = buf_str(&t->key);
    uint64_t h = origin_hash(key);
    struct origin **b = &t->buckets[h & (t->nbuckets - 1)];
    for (struct origin *o = *b; o; o = o->hnext)
        if (o->hash == h && strcmp(o->key, key) == 0)
            return o;
    struct origin *o = log_calloc(1, sizeof *o);
    origin_init(o);
    o->key = log_strdup(key);
    o->hash = h;
    o->hnext = *b;
    *b = o;
    if (++t->n > 2 * t->nbuckets)
        origin_table_grow(t);
    return o;
}

void origin_table_remove(struct origin_table *t, struct origin *o)
{
    assert(!o->ready_pos && !o->timed_pos && TAILQ_EMPTY(&o->queue));
    struct origin **b = &t->buckets[o->hash & (t->nbuckets - 1)];
    while (*b != o)
        b = &(*b)->hnext;
    *b = o->hnext;
    t->n--;
    free(o->key);
    free(o);
}

void origin_table_each(struct origin_table *t, void (*fn)(struct origin *o, void *arg), void *arg)
{
    for (size_t i = 0; i < t->nbuckets; i++)
        for (struct origin *o = t->buckets[i]; o; o = o->hnext)
            fn(o, arg);
}
