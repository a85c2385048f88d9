/* fuzz.h: what every libFuzzer target shares: FUZZ_CHECK (a broken
 * invariant aborts, which libFuzzer reports as a crash with its input), an
 * independent UTF-8 validator (not text.c's, which is under test), a
 * reader that takes typed values off the front of the input, and a
 * temporary file rewritten per input. Header-only: each target is one .c. */
#ifndef VOLLEY_FUZZ_H
#define VOLLEY_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The length of the valid UTF-8 sequence at S (N > 0 bytes), 0 when there
 * is none (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF). */
static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        size_t k = fuzz_utf8_seq(p + i, n - i, &cp);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

/* memcmp(A, B, N) == 0, also for N == 0 with NULL pointers. */
static inline bool fuzz_eq(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

/* Occurrences of NEEDLE (NN > 0 bytes) in HAY (HN bytes), overlapping. */
static inline size_t fuzz_count(const char *hay, size_t hn, const char *needle, size_t nn)
{
    size_t c = 0;
    for (size_t i = 0; nn && i + nn <= hn; i++)
        if (memcmp(hay + i, needle, nn) == 0)
            c++;
    return c;
}

/* The input, consumed from the front. */
struct fuzz_in {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | fuzz_u8(in);
    return v;
}

/* The bytes up to the next NUL (or the end), the NUL consumed, as a new
 * NUL-terminated string (caller frees); *LEN its length. */
static inline char *fuzz_str(struct fuzz_in *in, size_t *len)
{
    const uint8_t *z = memchr(in->p, '\0', in->n);
    size_t k = z ? (size_t)(z - in->p) : in->n;
    char *s = malloc(k + 1);
    if (!s)
        abort();
    memcpy(s, in->p, k);
    s[k] = '\0';
    in->p += k + (z != NULL);
    in->n -= k + (z != NULL);
    if (len)
        *len = k;
    return s;
}

/* A copy of LEN bytes with a NUL after them (caller frees). */
static inline char *fuzz_dup(const void *p, size_t len)
{
    char *s = malloc(len + 1);
    if (!s)
        abort();
    if (len)
        memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

/* A temporary file's name, made once per process (removed at exit). */
static char fuzz_tmp_name[64];

static inline void fuzz_tmp_remove(void)
{
    if (fuzz_tmp_name[0])
        unlink(fuzz_tmp_name);
}

/* Replace the temporary file's content with LEN bytes at P; its name. */
static inline char *fuzz_tmp_write(const void *p, size_t len)
{
    if (!fuzz_tmp_name[0]) {
        snprintf(fuzz_tmp_name, sizeof fuzz_tmp_name, "/tmp/volley-fuzz-XXXXXX");
        int fd = mkstemp(fuzz_tmp_name);
        FUZZ_CHECK(fd >= 0);
        close(fd);
        atexit(fuzz_tmp_remove);
    }
    FILE *f = fopen(fuzz_tmp_name, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(len == 0 || fwrite(p, 1, len, f) == len);
    FUZZ_CHECK(fclose(f) == 0);
    return fuzz_tmp_name;
}

#endif
