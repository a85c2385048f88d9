/* check_impl: what check.c (specs, parsing, the cache), check_state.c (the
 * body as it streams) and check_eval.c (evaluation) share, and nothing else
 * includes: the parsed expectations. */
#ifndef VOLLEY_CHECK_IMPL_H
#define VOLLEY_CHECK_IMPL_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif

#include <stddef.h>
#include <stdint.h>

#include <pcre2.h>

#include "buf.h"
#include "check.h"

enum check_kind { CK_STATUS, CK_HEADER, CK_BODY, CK_CONTAINS, CK_JQ, CK_TIME, CK_SIZE, CK_SHA256 };
#define CK__COUNT 8

/* An inclusive range of status codes. */
struct check_range {
    long lo, hi;
};

/* One parsed expectation, shared by reference between specs. */
struct check_item {
    unsigned refs;
    enum check_kind kind;
    char *expected; /* "expected" in a failure: the value, normalised */
    char *value;    /* the value as given: the cache's key */
    /* status */
    struct check_range *ranges;
    size_t nranges;
    /* header (name) and body (regex) */
    char *hname;
    pcre2_code *re;
    /* body-contains */
    unsigned char *needle;
    size_t needle_len;
    size_t *kmp; /* kmp[i]: longest proper border of needle[0..i] */
    /* time */
    int64_t limit_us;
    /* size: max < 0 means no upper bound */
    int64_t min, max;
    /* sha256, lower case */
    char hex[65];
};

struct check_spec {
    struct check_item *item[CK__COUNT]; /* NULL: not set; CK_HEADER unused */
    struct check_item **headers;
    size_t nheaders;
};

/* Initialised bytes kept after a regex subject: PCRE2's JIT reads whole
 * aligned words past the end (harmless, but valgrind reports the bytes it
 * reads from beyond what was written), so subjects end with this much
 * zeroed slack, the NUL included. */
#define CHECK_PAD 64

/* Append US microseconds as seconds without trailing zeros: "0.5", "2". */
void check_add_secs(struct buf *b, int64_t us);

#endif
