/* buf: a growable byte buffer, the one string builder every module shares.
 * The owner of a struct buf frees it with buf_free(). */
#ifndef VOLLEY_BUF_H
#define VOLLEY_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
    char *p; /* NUL-terminated whenever len < cap */
    size_t len;
    size_t cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_add_u64(struct buf *b, uint64_t v);
void buf_add_i64(struct buf *b, int64_t v);
/* Fixed-point seconds from microseconds, with DIGITS (1..6) decimals. */
void buf_add_secs(struct buf *b, int64_t usec, int digits);
/* Make p a NUL-terminated string and return it. */
const char *buf_str(struct buf *b);
void buf_clear(struct buf *b);
void buf_free(struct buf *b);

#endif
