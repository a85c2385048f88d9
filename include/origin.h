/* origin: the scheduler's per-origin (scheme://host:port) state and the
 * structures that find and order origins: an origin's queue of entries in
 * seq order, two indexed binary min-heaps (by the seq of the queue's head:
 * ready to start; by the next start time: waiting for --rate-per-host), and
 * the origin table, a hash by key that grows as origins come. Pure data
 * structures: no clock, no config, no libcurl. */
#ifndef VOLLEY_ORIGIN_H
#define VOLLEY_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include "buf.h"

/* An entry of an origin's queue, embedded in the queued object (the
 * scheduler's task). SEQ orders the queue and the ready heap. */
struct origin_entry {
    TAILQ_ENTRY(origin_entry) link;
    uint64_t seq;
};

TAILQ_HEAD(origin_queue, origin_entry);

struct origin {
    struct origin_queue queue; /* queued entries, in seq order */
    long inflight;             /* the scheduler's counts */
    long waiting;              /* ...of transfers running and waiting to retry */
    int64_t next_start;        /* the key of the time heap (µs) */
    size_t ready_pos;          /* 1-based index in the ready heap, 0: not there */
    size_t timed_pos;          /* 1-based index in the time heap, 0: not there */
    /* the table's */
    struct origin *hnext;
    char *key; /* NULL for an origin outside any table */
    uint64_t hash;
};

/* Make O (zeroed) an empty origin outside any table. */
void origin_init(struct origin *o);
/* Queue E (borrowed until popped) in seq order; E's seq is usually above
 * every queued one (a new line) or below them (a retry), both O(1). */
void origin_push(struct origin *o, struct origin_entry *e);
/* The queue's first entry, NULL when it is empty. */
struct origin_entry *origin_head(const struct origin *o);
/* Take the first entry off the queue; NULL when it is empty. */
struct origin_entry *origin_pop(struct origin *o);

enum origin_order {
    ORIGIN_BY_HEAD, /* the seq of the queue's head; only origins with a queue */
    ORIGIN_BY_TIME, /* next_start */
};

/* A binary min-heap of origins; each origin keeps its own position in it,
 * so it can be moved or removed in O(log n). Zero it, then set ORDER. */
struct origin_heap {
    struct origin **v;
    size_t n, cap;
    enum origin_order order;
};

/* Insert O, or move it to its place after its key changed. */
void origin_heap_put(struct origin_heap *h, struct origin *o);
/* Take O out of H; nothing when it is not there. */
void origin_heap_remove(struct origin_heap *h, struct origin *o);
/* The origin with the smallest key, NULL when H is empty. */
struct origin *origin_heap_top(const struct origin_heap *h);
/* True when O is in H. */
bool origin_heap_has(const struct origin_heap *h, const struct origin *o);
/* True when every position is right and every parent's key is at most its
 * children's (for the tests and assertions). */
bool origin_heap_valid(const struct origin_heap *h);
void origin_heap_free(struct origin_heap *h);

/* Origins by key. Owns its origins. */
struct origin_table {
    struct origin **buckets;
    size_t nbuckets, n;
    struct buf key; /* scratch */
};

void origin_table_init(struct origin_table *t);
/* Free every origin (in no heap any more; their queues are not touched) and
 * the table. */
void origin_table_free(struct origin_table *t);
/* The origin of URL (as url_prepare() made it), made when it is new. */
struct origin *origin_table_get(struct origin_table *t, const char *url);
/* Unlink and free O, which must be in no heap and have an empty queue. */
void origin_table_remove(struct origin_table *t, struct origin *o);
/* Call FN for every origin; FN must not add or remove origins. */
void origin_table_each(struct origin_table *t, void (*fn)(struct origin *o, void *arg), void *arg);

/* The key of URL's origin into KEY (replacing its content), as
 * url_origin() writes it: scheme://host[:port], scheme and host in lower
 * case, userinfo dropped, the scheme's default port left out. */
void origin_key(const char *url, struct buf *key);

#endif
