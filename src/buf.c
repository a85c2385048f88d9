/* buf: a growable byte buffer with cheap integer and fixed-point formatting. */
#include "buf.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->p = log_realloc(b->p, cap);
    b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void buf_addc(struct buf *b, char c)
{
    buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_add_u64(struct buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_add(b, tmp + i, sizeof tmp - i);
}

void buf_add_i64(struct buf *b, int64_t v)
{
    if (v < 0) {
        buf_addc(b, '-');
        buf_add_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        buf_add_u64(b, (uint64_t)v);
    }
}

void buf_add_secs(struct buf *b, int64_t usec, int digits)
{
    static const uint64_t scale[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    if (digits < 1)
        digits = 1;
    if (digits > 6)
        digits = 6;
    uint64_t u = (uint64_t)usec;
    if (usec < 0) {
        buf_addc(b, '-');
        u = (uint64_t)0 - u; /* well defined for INT64_MIN too */
    }
    uint64_t unit = scale[digits];
    uint64_t v = u / unit + ((u % unit) * 2 >= unit); /* rounded to DIGITS decimals */
    uint64_t whole = v / scale[6 - digits];
    uint64_t frac = v % scale[6 - digits];
    buf_add_u64(b, whole);
    buf_addc(b, '.');
    char tmp[8];
    for (int i = digits - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    buf_add(b, tmp, (size_t)digits);
}

const char *buf_str(struct buf *b)
{
    buf_reserve(b, 0);
    b->p[b->len] = '\0';
    return b->p;
}

void buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
