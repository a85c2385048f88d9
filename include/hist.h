/* hist: a log-linear histogram of non-negative integers (latencies in
 * microseconds), in fixed memory, with percentiles of a stated precision.
 * Pure: no I/O, no clock. */
#ifndef VOLLEY_HIST_H
#define VOLLEY_HIST_H

#include <stddef.h>
#include <stdint.h>

/* Values below 2^BITS each have a bucket of their own; then every power of
 * two up to 2^HIST_TOP (about 1074 s in µs) is split into 2^BITS equal
 * buckets; larger values share the last one. A bucket spans at most 1/2^BITS
 * of its lower bound and its middle is reported, so a percentile is within
 * 1/2^(BITS+1) of the true value (below 2^HIST_TOP): 0.8 % with
 * HIST_FINE_BITS, 6.3 % with HIST_COARSE_BITS. min, max, count and sum are
 * exact. */
#define HIST_TOP 30
#define HIST_FINE_BITS 6
#define HIST_COARSE_BITS 3

struct hist {
    unsigned bits;    /* 1 .. HIST_TOP - 1 */
    uint64_t *counts; /* the buckets, allocated on the first hist_add() */
    uint64_t n;       /* values added */
    int64_t min, max; /* valid when n > 0 */
    double sum;
};

/* An empty histogram of 2^BITS buckets per power of two; nothing is
 * allocated until the first value. Free with hist_free(). */
void hist_init(struct hist *h, unsigned bits);
/* Release H's buckets; H is then empty again (same bits). */
void hist_free(struct hist *h);
/* Count VALUE (negative values count as 0). */
void hist_add(struct hist *h, int64_t value);
/* The nearest-rank PERMILLE-th percentile (500 = p50, 990 = p99): the
 * smallest value with at least PERMILLE/1000 of the values at or below it,
 * within the precision above and clamped to [min, max]; 1000 and above give
 * max exactly. -1 when H is empty. */
int64_t hist_quantile(const struct hist *h, unsigned permille);
/* The mean, rounded; -1 when H is empty. */
int64_t hist_mean(const struct hist *h);

#endif
