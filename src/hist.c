/* hist: log-linear buckets (HdrHistogram's layout with a power-of-two
 * sub-bucket count): the bucket of a value is its octave and its top BITS
 * bits after the leading one; a percentile walks the buckets once. */
#include "hist.h"
#include "log.h"

#include <stdlib.h>

/* The number of buckets. */
static size_t hist_size(unsigned bits)
{
    return (size_t)(HIST_TOP + 1 - bits) << bits;
}

static size_t hist_index(unsigned bits, uint64_t v)
{
    uint64_t sub = (uint64_t)1 << bits;
    if (v < sub)
        return (size_t)v;
    if (v >> HIST_TOP)
        v = ((uint64_t)1 << HIST_TOP) - 1;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* bits <= e < HIST_TOP */
    return ((size_t)(e - bits + 1) << bits) + (size_t)((v >> (e - bits)) - sub);
}

/* The middle of bucket IDX. */
static uint64_t hist_value(unsigned bits, size_t idx)
{
    size_t octave = idx >> bits;
    if (octave == 0)
        return idx;
    unsigned shift = (unsigned)octave - 1;
    uint64_t sub = (uint64_t)1 << bits;
    uint64_t lo = (sub + (idx & (sub - 1))) << shift;
    return lo + (((uint64_t)1 << shift) - 1) / 2;
}

void hist_init(struct hist *h, unsigned bits)
{
    *h = (struct hist){.bits = bits};
}

void hist_free(struct hist *h)
{
    free(h->counts);
    hist_init(h, h->bits);
}

void hist_add(struct hist *h, int64_t value)
{
    if (value < 0)
        value = 0;
    if (!h->counts)
        h->counts = log_calloc(hist_size(h->bits), sizeof *h->counts);
    h->counts[hist_index(h->bits, (uint64_t)value)]++;
    if (!h->n || value < h->min)
        h->min = value;
    if (!h->n || value > h->max)
        h->max = value;
    h->n++;
    h->sum += (double)value;
}

int64_t hist_quantile(const struct hist *h, unsigned permille)
{
    if (!h->n)
        return -1;
    if (permille >= 1000)
        return h->max;
    uint64_t rank = (h->n * permille + 999) / 1000;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    size_t size = hist_size(h->bits);
    for (size_t i = 0; i < size; i++) {
        seen += h->counts[i];
        if (seen < rank)
            continue;
        uint64_t v = hist_value(h->bits, i);
        if ((int64_t)v < h->min)
            return h->min;
        if ((int64_t)v > h->max)
            return h->max;
        return (int64_t)v;
    }
    return h->max;
}

int64_t hist_mean(const struct hist *h)
{
    return h->n ? (int64_t)(h->sum / (double)h->n + 0.5) : -1;
}
