/* check: --expect-* expectations. Each parsed expectation is a reference-
 * counted item (PCRE2 regexes, libjq programs, a KMP table for streaming
 * body-contains), a spec is a set of items, and evaluation lists the
 * failures as struct check_failure for the record. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "check.h"
#include "headers.h"
#include "log.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>
#include <openssl/evp.h>
#include <pcre2.h>

/* ---- items and specs ---------------------------------------------------- */

enum check_kind { CK_STATUS, CK_HEADER, CK_BODY, CK_CONTAINS, CK_JQ, CK_TIME, CK_SIZE, CK_SHA256 };
#define CK__COUNT 8

static const char *const check_names[CK__COUNT] = {
    "status", "header", "body", "body-contains", "jq", "time", "size", "sha256",
};

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
    /* jq */
    jq_state *jq;
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

static struct check_item *check_item_new(enum check_kind kind)
{
    struct check_item *it = log_calloc(1, sizeof *it);
    it->refs = 1;
    it->kind = kind;
    it->max = -1;
    return it;
}

static struct check_item *check_item_ref(struct check_item *it)
{
    if (it)
        it->refs++;
    return it;
}

static void check_item_unref(struct check_item *it)
{
    if (!it || --it->refs > 0)
        return;
    free(it->expected);
    free(it->value);
    free(it->ranges);
    free(it->hname);
    pcre2_code_free(it->re);
    free(it->needle);
    free(it->kmp);
    if (it->jq)
        jq_teardown(&it->jq);
    free(it);
}

struct check_spec *check_spec_new(void)
{
    return log_calloc(1, sizeof(struct check_spec));
}

void check_spec_free(struct check_spec *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < CK__COUNT; k++)
        check_item_unref(s->item[k]);
    for (size_t i = 0; i < s->nheaders; i++)
        check_item_unref(s->headers[i]);
    free(s->headers);
    free(s);
}

struct check_spec *check_spec_override(const struct check_spec *base, const struct check_spec *line)
{
    struct check_spec *s = check_spec_new();
    for (size_t k = 0; k < CK__COUNT; k++) {
        struct check_item *it = line && line->item[k] ? line->item[k] : base ? base->item[k] : NULL;
        s->item[k] = check_item_ref(it);
    }
    const struct check_spec *h = line && line->nheaders ? line : base;
    if (h && h->nheaders) {
        s->headers = log_calloc(h->nheaders, sizeof *s->headers);
        for (size_t i = 0; i < h->nheaders; i++)
            s->headers[i] = check_item_ref(h->headers[i]);
        s->nheaders = h->nheaders;
    }
    return s;
}

bool check_spec_empty(const struct check_spec *s)
{
    if (!s)
        return true;
    for (size_t k = 0; k < CK__COUNT; k++)
        if (s->item[k])
            return false;
    return s->nheaders == 0;
}

bool check_spec_needs_body(const struct check_spec *s)
{
    return s && (s->item[CK_BODY] || s->item[CK_JQ]);
}

bool check_spec_has_headers(const struct check_spec *s)
{
    return s && s->nheaders > 0;
}

bool check_spec_has_status(const struct check_spec *s)
{
    return s && s->item[CK_STATUS];
}

bool check_status_ok(const struct check_spec *s, long http_code)
{
    const struct check_item *it = s ? s->item[CK_STATUS] : NULL;
    if (!it)
        return http_code >= 200 && http_code <= 399;
    for (size_t i = 0; i < it->nranges; i++)
        if (http_code >= it->ranges[i].lo && http_code <= it->ranges[i].hi)
            return true;
    return false;
}

/* ---- parsing ------------------------------------------------------------ */

/* Trim blanks (text_blank) from both ends of [*s, *e). */
static void check_trim(const char **s, const char **e)
{
    size_t n = (size_t)(*e - *s);
    text_trim(s, &n);
    *e = *s + n;
}

/* The status codes HTTP defines (RFC 9110, 15: 100 to 599). */
#define CHECK_STATUS_MIN 100
#define CHECK_STATUS_MAX 599

/* Three decimal digits in [s, e), as a number (any, 000 to 999); -1 when
 * they are not that. */
static long check_three_digits(const char *s, const char *e)
{
    if (e - s != 3 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]))
        return -1;
    return (s[0] - '0') * 100L + (s[1] - '0') * 10 + (s[2] - '0');
}

/* A status code CHECK_STATUS_MIN..CHECK_STATUS_MAX in [s, e). */
static bool check_parse_code(const char *s, const char *e, long *out)
{
    long v = check_three_digits(s, e);
    if (v < CHECK_STATUS_MIN || v > CHECK_STATUS_MAX)
        return false;
    *out = v;
    return true;
}

static bool check_parse_status(struct check_item *it, const char *v, struct buf *err)
{
    struct buf norm = {0};
    size_t cap = 0;
    const char *p = v, *vs = v, *ve = v + strlen(v);
    check_trim(&vs, &ve);
    if (vs == ve) {
        buf_adds(err, "--expect-status: the list is empty");
        return false;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *s = p, *e = comma ? comma : p + strlen(p);
        check_trim(&s, &e);
        struct check_range r;
        const char *dash = memchr(s, '-', (size_t)(e - s));
        if (s == e) {
            buf_addf(err, "--expect-status: empty item in '%s'", v);
            goto fail;
        }
        if (e - s == 3 && s[0] >= '1' && s[0] <= '5' && (s[1] == 'x' || s[1] == 'X') &&
            (s[2] == 'x' || s[2] == 'X')) {
            r.lo = (s[0] - '0') * 100L;
            r.hi = r.lo + 99;
            buf_addf(&norm, "%s%cxx", norm.len ? "," : "", s[0]);
        } else if (dash) {
            const char *a = s, *ae = dash, *b = dash + 1, *be = e;
            check_trim(&a, &ae);
            check_trim(&b, &be);
            if (!check_parse_code(a, ae, &r.lo) || !check_parse_code(b, be, &r.hi)) {
                buf_addf(err,
                         "--expect-status: '%.*s' is not a range of status codes like 300-399 "
                         "(codes are 100 to 599)",
                         (int)(e - s), s);
                goto fail;
            }
            if (r.lo > r.hi) {
                buf_addf(err, "--expect-status: range '%.*s' runs backwards", (int)(e - s), s);
                goto fail;
            }
            buf_addf(&norm, "%s%ld-%ld", norm.len ? "," : "", r.lo, r.hi);
        } else if (check_three_digits(s, e) >= 0 && !check_parse_code(s, e, &r.lo)) {
            buf_addf(err, "--expect-status: %.*s is not an HTTP status code (100 to 599)",
                     (int)(e - s), s);
            goto fail;
        } else {
            if (!check_parse_code(s, e, &r.lo)) {
                buf_addf(err,
                         "--expect-status: '%.*s' is not a status code (a list like "
                         "200,204,300-399 or 2xx; codes are 100 to 599)",
                         (int)(e - s), s);
                goto fail;
            }
            r.hi = r.lo;
            buf_addf(&norm, "%s%ld", norm.len ? "," : "", r.lo);
        }
        if (it->nranges == cap) {
            cap = cap ? cap * 2 : 4;
            it->ranges = log_realloc(it->ranges, cap * sizeof *it->ranges);
        }
        it->ranges[it->nranges++] = r;
        if (!comma)
            break;
        p = comma + 1;
    }
    it->expected = log_strdup(buf_str(&norm));
    buf_free(&norm);
    return true;
fail:
    buf_free(&norm);
    return false;
}

/* Compile PATTERN for --expect-NAME, or explain why not in ERR. */
static pcre2_code *check_regex(const char *name, const char *pattern, struct buf *err)
{
    int code;
    PCRE2_SIZE off;
    /* every item gets a callout, which counts the steps of a check (see
     * check_match) */
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_AUTO_CALLOUT, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
            strcpy((char *)msg, "invalid");
        buf_addf(err, "--expect-%s: bad regex '%s' at offset %zu: %s", name, pattern, (size_t)off,
                 (const char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* optional: falls back to the interpreter */
    return re;
}

/* An HTTP header name: RFC 9110 token characters. */
static bool check_token(const char *s, const char *e)
{
    if (s == e)
        return false;
    for (; s < e; s++) {
        unsigned char c = (unsigned char)*s;
        if (!isalnum(c) && !strchr("!#$%&'*+-.^_`|~", c))
            return false;
    }
    return true;
}

static bool check_parse_header(struct check_item *it, const char *v, struct buf *err)
{
    const char *colon = strchr(v, ':');
    const char *s = v, *e = colon ? colon : v;
    check_trim(&s, &e);
    if (!colon || !check_token(s, e)) {
        buf_addf(err, "--expect-header: '%s' is not 'Name: REGEX'", v);
        return false;
    }
    const char *pattern = colon + 1;
    while (text_blank(*pattern))
        pattern++;
    if (!(it->re = check_regex("header", pattern, err)))
        return false;
    it->hname = log_strndup(s, (size_t)(e - s));
    struct buf b = {0};
    if (*pattern)
        buf_addf(&b, "%s: %s", it->hname, pattern);
    else /* only asks for the header */
        buf_addf(&b, "%s:", it->hname);
    it->expected = log_strdup(buf_str(&b));
    buf_free(&b);
    return true;
}

static bool check_parse_contains(struct check_item *it, const char *v, struct buf *err)
{
    size_t n = strlen(v);
    if (n == 0) {
        buf_adds(err, "--expect-body-contains: the text must not be empty");
        return false;
    }
    it->needle = (unsigned char *)log_strdup(v);
    it->needle_len = n;
    it->kmp = log_calloc(n, sizeof *it->kmp);
    for (size_t i = 1, k = 0; i < n; i++) {
        while (k > 0 && it->needle[i] != it->needle[k])
            k = it->kmp[k - 1];
        if (it->needle[i] == it->needle[k])
            k++;
        it->kmp[i] = k;
    }
    it->expected = log_strdup(v);
    return true;
}

/* jq's compile messages, gathered into one line: "jq: error: " dropped,
 * the "jq: N compile errors" trailer skipped, white space collapsed. */
static void check_jq_message(void *arg, jv msg)
{
    struct buf *b = arg;
    jv text = jq_format_error(msg); /* takes MSG */
    const char *s = jv_get_kind(text) == JV_KIND_STRING ? jv_string_value(text) : "";
    if (!strncmp(s, "jq: error: ", 11))
        s += 11;
    else if (!strncmp(s, "jq: ", 4) && strstr(s, " compile error"))
        s = "";
    while (isspace((unsigned char)*s))
        s++;
    if (*s && b) {
        if (b->len)
            buf_adds(b, "; ");
        bool space = false;
        for (; *s; s++) {
            if (isspace((unsigned char)*s)) {
                space = true;
                continue;
            }
            if (space)
                buf_addc(b, ' ');
            space = false;
            buf_addc(b, *s);
        }
    }
    jv_free(text);
}

static bool check_parse_jq(struct check_item *it, const char *v, struct buf *err)
{
    jq_state *jq = jq_init();
    if (!jq)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    struct buf msgs = {0};
    jq_set_error_cb(jq, check_jq_message, &msgs);
    int ok = jq_compile(jq, v);
    jq_set_error_cb(jq, check_jq_message, NULL); /* runtime messages are dropped */
    if (!ok) {
        buf_addf(err, "--expect-jq: '%s' does not compile: %s", v,
                 msgs.len ? buf_str(&msgs) : "invalid program");
        buf_free(&msgs);
        jq_teardown(&jq);
        return false;
    }
    buf_free(&msgs);
    it->jq = jq;
    it->expected = log_strdup(v);
    return true;
}

/* Seconds (as -m takes them) to microseconds. */
static bool check_parse_secs(const char *v, int64_t *us)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (text_blank(*end))
        end++;
    if (end == v || *end || errno || !isfinite(d) || d < 0 || d > 86400.0 * 365)
        return false;
    *us = (int64_t)llround(d * 1e6);
    return true;
}

/* Append US microseconds as seconds without trailing zeros: "0.5", "2". */
static void check_add_secs(struct buf *b, int64_t us)
{
    size_t start = b->len;
    buf_add_secs(b, us, 6);
    if (memchr(b->p + start, '.', b->len - start)) {
        while (b->p[b->len - 1] == '0')
            b->len--;
        if (b->p[b->len - 1] == '.')
            b->len--;
        b->p[b->len] = '\0';
    }
}

static bool check_parse_time(struct check_item *it, const char *v, struct buf *err)
{
    if (!check_parse_secs(v, &it->limit_us)) {
        buf_addf(err, "--expect-time: '%s' is not a number of seconds", v);
        return false;
    }
    struct buf b = {0};
    buf_adds(&b, "<= ");
    check_add_secs(&b, it->limit_us);
    it->expected = log_strdup(buf_str(&b));
    buf_free(&b);
    return true;
}

bool check_parse_bytes(const char *s, const char *e, int64_t *out)
{
    check_trim(&s, &e);
    if (s == e || !isdigit((unsigned char)*s))
        return false;
    int64_t v = 0;
    for (; s < e && isdigit((unsigned char)*s); s++) {
        int d = *s - '0';
        if (v > (INT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    int64_t mul = 1;
    if (s < e) {
        switch (*s++) {
        case 'k':
        case 'K':
            mul = 1024;
            break;
        case 'm':
        case 'M':
            mul = 1024 * 1024;
            break;
        case 'g':
        case 'G':
            mul = 1024 * 1024 * 1024;
            break;
        default:
            return false;
        }
        if (s < e)
            return false;
    }
    if (v > INT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static bool check_parse_size(struct check_item *it, const char *v, struct buf *err)
{
    const char *dash = strchr(v, '-');
    const char *end = v + strlen(v);
    bool ok;
    if (!dash) {
        ok = check_parse_bytes(v, end, &it->min);
        it->max = it->min;
    } else {
        ok = check_parse_bytes(v, dash, &it->min);
        const char *b = dash + 1, *be = end;
        check_trim(&b, &be);
        if (ok && b == be)
            it->max = -1;
        else
            ok = ok && check_parse_bytes(b, be, &it->max) && it->min <= it->max;
    }
    if (!ok) {
        buf_addf(err, "--expect-size: '%s' is not N, MIN-MAX or MIN- (bytes)", v);
        return false;
    }
    struct buf b = {0};
    if (it->max < 0)
        buf_addf(&b, ">= %lld", (long long)it->min);
    else if (it->min == it->max)
        buf_addf(&b, "%lld", (long long)it->min);
    else
        buf_addf(&b, "%lld-%lld", (long long)it->min, (long long)it->max);
    it->expected = log_strdup(buf_str(&b));
    buf_free(&b);
    return true;
}

static bool check_parse_sha256(struct check_item *it, const char *v, struct buf *err)
{
    const char *s = v, *e = v + strlen(v);
    check_trim(&s, &e);
    bool ok = e - s == 64;
    for (size_t i = 0; ok && i < 64; i++) {
        if (!isxdigit((unsigned char)s[i]))
            ok = false;
        else
            it->hex[i] = (char)tolower((unsigned char)s[i]);
    }
    if (!ok) {
        buf_addf(err, "--expect-sha256: '%s' is not 64 hex digits", v);
        return false;
    }
    it->hex[64] = '\0';
    it->expected = log_strdup(it->hex);
    return true;
}

/* ---- the cache ---------------------------------------------------------- */

struct check_cache {
    struct check_item **items; /* a ring: NULL slots are free */
    size_t cap;
    size_t next; /* the slot written next (holding the oldest entry) */
};

struct check_cache *check_cache_new(size_t capacity)
{
    struct check_cache *c = log_calloc(1, sizeof *c);
    c->cap = capacity ? capacity : 1;
    c->items = log_calloc(c->cap, sizeof *c->items);
    return c;
}

void check_cache_free(struct check_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->cap; i++)
        check_item_unref(c->items[i]);
    free(c->items);
    free(c);
}

static bool check_cacheable(enum check_kind k)
{
    return k == CK_HEADER || k == CK_BODY || k == CK_JQ;
}

static struct check_item *check_cache_find(const struct check_cache *c, enum check_kind k,
                                           const char *value)
{
    for (size_t i = 0; i < c->cap; i++)
        if (c->items[i] && c->items[i]->kind == k && !strcmp(c->items[i]->value, value))
            return c->items[i];
    return NULL;
}

static void check_cache_put(struct check_cache *c, struct check_item *it)
{
    check_item_unref(c->items[c->next]);
    c->items[c->next] = check_item_ref(it);
    c->next = (c->next + 1) % c->cap;
}

/* ---- setting ------------------------------------------------------------ */

bool check_spec_set(struct check_spec *s, const char *name, const char *value, struct buf *err)
{
    return check_spec_set_cached(s, NULL, name, value, err);
}

/* Parse VALUE for --expect-KIND into a new item, or NULL with ERR. */
static struct check_item *check_item_parse(enum check_kind kind, const char *value, struct buf *err)
{
    struct check_item *it = check_item_new(kind);
    bool ok = false;
    switch (kind) {
    case CK_STATUS:
        ok = check_parse_status(it, value, err);
        break;
    case CK_HEADER:
        ok = check_parse_header(it, value, err);
        break;
    case CK_BODY:
        ok = (it->re = check_regex("body", value, err)) != NULL;
        if (ok)
            it->expected = log_strdup(value);
        break;
    case CK_CONTAINS:
        ok = check_parse_contains(it, value, err);
        break;
    case CK_JQ:
        ok = check_parse_jq(it, value, err);
        break;
    case CK_TIME:
        ok = check_parse_time(it, value, err);
        break;
    case CK_SIZE:
        ok = check_parse_size(it, value, err);
        break;
    case CK_SHA256:
        ok = check_parse_sha256(it, value, err);
        break;
    }
    if (!ok) {
        check_item_unref(it);
        return NULL;
    }
    it->value = log_strdup(value);
    return it;
}

bool check_spec_set_cached(struct check_spec *s, struct check_cache *cache, const char *name,
                           const char *value, struct buf *err)
{
    size_t k = 0;
    while (k < CK__COUNT && strcmp(check_names[k], name))
        k++;
    if (k == CK__COUNT) {
        buf_addf(err,
                 "unknown expectation '%s' (status, header, body, body-contains, jq, time, size, "
                 "sha256)",
                 name);
        return false;
    }
    enum check_kind kind = (enum check_kind)k;
    struct check_item *it = NULL;
    if (cache && check_cacheable(kind) && (it = check_cache_find(cache, kind, value))) {
        check_item_ref(it);
    } else {
        if (!(it = check_item_parse(kind, value, err)))
            return false;
        if (cache && check_cacheable(kind))
            check_cache_put(cache, it);
    }
    if (it->kind == CK_HEADER) {
        s->headers = log_realloc(s->headers, (s->nheaders + 1) * sizeof *s->headers);
        s->headers[s->nheaders++] = it;
    } else {
        check_item_unref(s->item[k]);
        s->item[k] = it;
    }
    return true;
}

/* ---- streaming ---------------------------------------------------------- */

void check_state_init(struct check_state *st)
{
    memset(st, 0, sizeof *st);
}

void check_state_begin(struct check_state *st, const struct check_spec *s, size_t max_body,
                       bool want_sha256, bool want_body)
{
    if (check_spec_empty(s))
        s = NULL;
    st->spec = s;
    buf_clear(&st->body);
    st->max_body = max_body < SIZE_MAX / 2 ? max_body : SIZE_MAX / 2;
    st->fed = 0;
    st->keep = want_body || check_spec_needs_body(s);
    st->hashing = want_sha256 || (s && s->item[CK_SHA256]);
    st->sha_done = false;
    st->sha_hex[0] = '\0';
    st->nfailed = 0;
    buf_clear(&st->failed_text);
    const struct check_item *c = s ? s->item[CK_CONTAINS] : NULL;
    st->searching = c != NULL;
    st->needle = c ? c->needle : NULL;
    st->kmp = c ? c->kmp : NULL;
    st->needle_len = c ? c->needle_len : 0;
    st->matched = 0;
    st->found = false;
    st->active = st->keep || st->hashing || st->searching;
    if (st->hashing) {
        if (!st->sha && !(st->sha = EVP_MD_CTX_new()))
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        if (!EVP_DigestInit_ex(st->sha, EVP_sha256(), NULL))
            log_die(LOG_EXIT_INTERNAL, "SHA-256 is not available from libcrypto");
    }
}

/* Initialised bytes kept after a regex subject: PCRE2's JIT reads whole
 * aligned words past the end (harmless, but valgrind reports the bytes it
 * reads from beyond what was written), so subjects end with this much
 * zeroed slack, the NUL included. */
#define CHECK_PAD 64

/* Keep what fits of DATA under max_body; the buffer grows by doubling but
 * never past max_body + CHECK_PAD. */
static void check_keep(struct check_state *st, const void *data, size_t len)
{
    struct buf *b = &st->body;
    size_t room = st->max_body - b->len;
    size_t n = len < room ? len : room;
    if (n == 0)
        return;
    if (b->len + n + CHECK_PAD > b->cap) {
        size_t limit = st->max_body + CHECK_PAD;
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + CHECK_PAD && cap < limit)
            cap *= 2;
        if (cap > limit)
            cap = limit;
        b->p = log_realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    memset(b->p + b->len, 0, CHECK_PAD);
}

/* Knuth-Morris-Pratt over one chunk, resuming with st->matched bytes of the
 * needle already seen; memchr skips ahead while nothing is matched. */
static void check_search(struct check_state *st, const unsigned char *p, size_t len)
{
    const unsigned char *end = p + len, *needle = st->needle;
    size_t m = st->matched, n = st->needle_len;
    while (p < end) {
        if (m == 0) {
            p = memchr(p, needle[0], (size_t)(end - p));
            if (!p)
                break;
            p++;
            m = 1;
        } else {
            while (m > 0 && *p != needle[m])
                m = st->kmp[m - 1];
            if (*p == needle[m])
                m++;
            p++;
        }
        if (m == n) {
            st->found = true;
            st->searching = false;
            st->active = st->keep || st->hashing;
            return;
        }
    }
    st->matched = m;
}

void check_state_feed(struct check_state *st, const void *data, size_t len)
{
    if (!st->active || len == 0)
        return;
    st->fed += len;
    if (st->hashing)
        EVP_DigestUpdate(st->sha, data, len);
    if (st->keep)
        check_keep(st, data, len);
    if (st->searching)
        check_search(st, data, len);
}

void check_state_finish(struct check_state *st)
{
    if (!st->hashing)
        return;
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!EVP_DigestFinal_ex(st->sha, md, &n) || n != 32)
        log_die(LOG_EXIT_INTERNAL, "SHA-256 failed in libcrypto");
    for (unsigned int i = 0; i < n; i++) {
        st->sha_hex[2 * i] = hex[md[i] >> 4];
        st->sha_hex[2 * i + 1] = hex[md[i] & 15];
    }
    st->sha_hex[64] = '\0';
    st->sha_done = true;
    st->hashing = false;
    st->active = st->keep || st->searching;
}

const char *check_state_sha256_hex(struct check_state *st)
{
    check_state_finish(st);
    return st->sha_done ? st->sha_hex : NULL;
}

const char *check_state_body(const struct check_state *st, size_t *len, bool *truncated)
{
    if (!st->keep) {
        *len = 0;
        *truncated = false;
        return NULL;
    }
    *len = st->body.len;
    *truncated = st->fed > st->body.len;
    return st->body.p ? st->body.p : "";
}

/* Release the failures' memory. */
static void check_state_free_failures(struct check_state *st)
{
    free(st->failed);
    free(st->failed_at);
    buf_free(&st->failed_text);
}

void check_state_reset(struct check_state *st)
{
    struct evp_md_ctx_st *sha = st->sha;
    buf_free(&st->body);
    check_state_free_failures(st);
    check_state_init(st);
    st->sha = sha;
}

void check_state_free(struct check_state *st)
{
    buf_free(&st->body);
    check_state_free_failures(st);
    EVP_MD_CTX_free(st->sha);
    check_state_init(st);
}

/* ---- evaluation --------------------------------------------------------- */

#define CHECK_CLIP 256

/* Cut B to CHECK_CLIP characters and "..." when longer. */
static void check_clip(struct buf *b)
{
    text_clip(b, 0, CHECK_CLIP, "...");
}

/* The limits of one regex check (a body regex, or one header expectation
 * over all of the header's values): PCRE2 counts its match limit, depth
 * limit and heap limit afresh at every starting position, so a pattern
 * that backtracks a little less than the limit at each position of a long
 * body would still run for hours; every item of a pattern is therefore a
 * callout (PCRE2_AUTO_CALLOUT) that counts the check's steps in all, JIT
 * or not, and ends the match past CHECK_RE_STEPS (about 0.2 s). A match
 * over any limit fails its check. */
#define CHECK_RE_STEPS 10000000u      /* steps of one check, in all */
#define CHECK_RE_MATCH_LIMIT 1000000u /* PCRE2's match limit, per position */
#define CHECK_RE_DEPTH_LIMIT 100000u  /* PCRE2's backtracking depth (interpreter) */
#define CHECK_RE_HEAP_KIB 16384u      /* PCRE2's heap limit: 16 MiB (interpreter) */
/* JIT: the default 32 KiB JIT stack (PCRE2_ERROR_JIT_STACKLIMIT past it). */

struct check_eval {
    struct check_state *st;    /* where the failures go */
    struct buf actual;         /* scratch for one failure's actual value */
    struct buf subject;        /* scratch for a header value being matched */
    pcre2_match_context *mctx; /* the limits; made on the first match */
    pcre2_match_data *mdata;   /* made with it */
    uint32_t steps;            /* of the current check, counted by the callout */
};

/* Record one failed check: NAME (a static string), EXPECTED and
 * ev->actual, both copied into st->failed_text. Their offsets wait in
 * st->failed_at until check_evaluate() makes them pointers, as the text
 * may move while it grows. */
static void check_fail(struct check_eval *ev, const char *name, const char *expected)
{
    struct check_state *st = ev->st;
    if (st->nfailed == st->failed_cap) {
        st->failed_cap = st->failed_cap ? 2 * st->failed_cap : CK__COUNT;
        st->failed = log_realloc(st->failed, st->failed_cap * sizeof *st->failed);
        st->failed_at = log_realloc(st->failed_at, 2 * st->failed_cap * sizeof *st->failed_at);
    }
    struct buf *t = &st->failed_text;
    size_t *at = &st->failed_at[2 * st->nfailed];
    st->failed[st->nfailed++] = (struct check_failure){.check = name};
    at[0] = t->len;
    buf_add(t, expected, strlen(expected) + 1);
    at[1] = t->len;
    buf_add(t, ev->actual.p ? ev->actual.p : "", ev->actual.len);
    buf_addc(t, '\0');
}

/* The callout at every item: counts the check's steps, and ends the match
 * (with PCRE2's own match-limit error) past CHECK_RE_STEPS. */
static int check_step(pcre2_callout_block *cb, void *arg)
{
    (void)cb;
    struct check_eval *ev = arg;
    return ++ev->steps > CHECK_RE_STEPS ? PCRE2_ERROR_MATCHLIMIT : 0;
}

/* Match RE against [s, s+len) within the check's limits: 1 match, 0 none,
 * < 0 a PCRE2 error (a limit, say). Call check_steps_begin() first for
 * every check. */
static int check_match(struct check_eval *ev, const pcre2_code *re, const char *s, size_t len)
{
    if (!ev->mctx) {
        if (!(ev->mctx = pcre2_match_context_create(NULL)) ||
            !(ev->mdata = pcre2_match_data_create(1, NULL)))
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        pcre2_set_match_limit(ev->mctx, CHECK_RE_MATCH_LIMIT);
        pcre2_set_depth_limit(ev->mctx, CHECK_RE_DEPTH_LIMIT);
        pcre2_set_heap_limit(ev->mctx, CHECK_RE_HEAP_KIB);
        pcre2_set_callout(ev->mctx, check_step, ev);
    }
    if (ev->steps > CHECK_RE_STEPS)
        return PCRE2_ERROR_MATCHLIMIT; /* spent on earlier values */
    int rc = pcre2_match(re, (PCRE2_SPTR)(s ? s : ""), len, 0, 0, ev->mdata, ev->mctx);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : rc;
}

/* A new check's step count. */
static void check_steps_begin(struct check_eval *ev)
{
    ev->steps = 0;
}

/* True for the errors of a match over one of its limits. */
static bool check_over_limit(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static void check_regex_error(struct buf *b, int rc)
{
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT:
        buf_adds(b, "regex over its match limit");
        return;
    case PCRE2_ERROR_DEPTHLIMIT:
        buf_adds(b, "regex over its depth limit");
        return;
    case PCRE2_ERROR_HEAPLIMIT:
        buf_adds(b, "regex over its heap limit");
        return;
    case PCRE2_ERROR_JIT_STACKLIMIT:
        buf_adds(b, "regex over its JIT stack limit");
        return;
    default:
        break;
    }
    PCRE2_UCHAR msg[256];
    if (pcre2_get_error_message(rc, msg, sizeof msg) < 0)
        strcpy((char *)msg, "failed");
    buf_addf(b, "regex error: %s", (const char *)msg);
}

static void check_eval_header(struct check_eval *ev, const struct check_item *it,
                              const struct check_response *r)
{
    buf_clear(&ev->actual);
    check_steps_begin(ev);
    bool secret = headers_secret(it->hname, strlen(it->hname));
    const char *v = NULL;
    size_t i = 0;
    for (; r->header && (v = r->header(r->header_arg, it->hname, i)); i++) {
        size_t len = strlen(v);
        buf_clear(&ev->subject); /* a padded copy (CHECK_PAD) */
        buf_reserve(&ev->subject, len + CHECK_PAD);
        memcpy(ev->subject.p, v, len);
        memset(ev->subject.p + len, 0, CHECK_PAD);
        int rc = check_match(ev, it->re, ev->subject.p, len);
        if (rc > 0)
            return;
        if (check_over_limit(rc)) { /* the check fails: no value is tried after it */
            buf_clear(&ev->actual);
            check_regex_error(&ev->actual, rc);
            i++;
            break;
        }
        if (ev->actual.len > 4 * CHECK_CLIP)
            continue; /* over CHECK_CLIP characters: enough to show; keep looking */
        if (ev->actual.len)
            buf_adds(&ev->actual, ", ");
        if (rc < 0)
            check_regex_error(&ev->actual, rc);
        else /* a secret's value is never shown */
            buf_adds(&ev->actual, secret ? "***" : v);
    }
    if (i == 0)
        buf_adds(&ev->actual, "(absent)");
    check_clip(&ev->actual);
    check_fail(ev, "header", it->expected);
}

/* "body": the regex searched in the kept body. */
static void check_eval_body(struct check_eval *ev, const struct check_item *it,
                            const struct check_state *st)
{
    size_t len;
    bool cut;
    const char *body = check_state_body(st, &len, &cut);
    check_steps_begin(ev);
    int rc = check_match(ev, it->re, body, len);
    if (rc > 0)
        return;
    buf_clear(&ev->actual);
    if (rc < 0)
        check_regex_error(&ev->actual, rc);
    else if (cut)
        buf_addf(&ev->actual, "no match in the first %zu bytes", len);
    else
        buf_adds(&ev->actual, "no match");
    check_fail(ev, "body", it->expected);
}

/* Parse BODY as exactly one JSON value, as jv_parse() does but without
 * copying the whole body into the error message. */
static jv check_parse_json(const char *body, size_t len)
{
    if (len > INT_MAX)
        return jv_invalid_with_msg(jv_string("body too large to parse"));
    jv_parser *p = jv_parser_new(0);
    jv_parser_set_buf(p, body ? body : "", (int)len, 0);
    jv v = jv_parser_next(p);
    if (jv_is_valid(v)) {
        jv next = jv_parser_next(p);
        if (jv_is_valid(next)) {
            jv_free(v);
            jv_free(next);
            v = jv_invalid_with_msg(jv_string("Unexpected extra JSON values"));
        } else if (jv_invalid_has_msg(jv_copy(next))) {
            jv_free(v);
            v = next;
        } else {
            jv_free(next);
        }
    } else if (!jv_invalid_has_msg(jv_copy(v))) {
        jv_free(v);
        v = jv_invalid_with_msg(jv_string("Expected JSON value"));
    }
    jv_parser_free(p);
    return v;
}

/* Append the message of the invalid jv V (consumed) to B. */
static void check_add_jv_msg(struct buf *b, jv v)
{
    jv msg = jv_invalid_get_msg(v);
    if (jv_get_kind(msg) == JV_KIND_STRING) {
        buf_adds(b, jv_string_value(msg));
        jv_free(msg);
    } else {
        jv text = jv_dump_string(msg, 0);
        buf_adds(b, jv_string_value(text));
        jv_free(text);
    }
}

static void check_eval_jq(struct check_eval *ev, const struct check_item *it,
                          const struct check_state *st)
{
    size_t len;
    bool cut;
    const char *body = check_state_body(st, &len, &cut);
    struct buf *a = &ev->actual;
    buf_clear(a);
    jv input = check_parse_json(body, len);
    if (!jv_is_valid(input)) {
        buf_adds(a, "body is not JSON");
        if (cut)
            buf_addf(a, " (cut at %zu bytes by --max-body)", len);
        buf_adds(a, ": ");
        check_add_jv_msg(a, input);
        check_fail(ev, "jq", it->expected);
        return;
    }
    jq_start(it->jq, input, 0); /* takes INPUT */
    jv last = jv_invalid();
    bool error = false;
    for (;;) {
        jv out = jq_next(it->jq);
        if (jv_is_valid(out)) {
            jv_free(last);
            last = out;
            continue;
        }
        if (jv_invalid_has_msg(jv_copy(out))) {
            buf_adds(a, "jq error: ");
            check_add_jv_msg(a, out);
            error = true;
        } else {
            jv_free(out);
        }
        break;
    }
    if (!error && jq_halted(it->jq)) {
        /* halt and halt_error: jq's exit status decides, as in jq -e */
        jv code = jq_get_exit_code(it->jq);
        int status = jv_get_kind(code) == JV_KIND_NUMBER ? (int)jv_number_value(code) : 0;
        jv_free(code);
        if (status != 0) {
            buf_addf(a, "jq halted with exit status %d", status);
            jv msg = jq_get_error_message(it->jq);
            if (jv_get_kind(msg) == JV_KIND_STRING) {
                buf_adds(a, ": ");
                buf_adds(a, jv_string_value(msg));
            }
            jv_free(msg);
            error = true;
        } else {
            jv_free(last);
            last = jv_true();
        }
    }
    if (!error) {
        jv_kind k = jv_get_kind(last);
        if (k != JV_KIND_INVALID && k != JV_KIND_FALSE && k != JV_KIND_NULL) {
            jv_free(last);
            return;
        }
        if (k == JV_KIND_INVALID) {
            buf_adds(a, "no output");
        } else {
            jv text = jv_dump_string(jv_copy(last), 0);
            buf_adds(a, jv_string_value(text));
            jv_free(text);
        }
    }
    jv_free(last);
    check_clip(a);
    check_fail(ev, "jq", it->expected);
}

size_t check_evaluate(const struct check_spec *s, struct check_state *st,
                      const struct check_response *r, const struct check_failure **failed)
{
    st->nfailed = 0;
    buf_clear(&st->failed_text);
    *failed = NULL;
    if (check_spec_empty(s))
        return 0;
    struct check_eval ev = {.st = st};
    const struct check_item *it;

    if ((it = s->item[CK_STATUS]) && !check_status_ok(s, r->http_code)) {
        buf_clear(&ev.actual);
        buf_addf(&ev.actual, "%ld", r->http_code);
        check_fail(&ev, "status", it->expected);
    }
    for (size_t i = 0; i < s->nheaders; i++)
        check_eval_header(&ev, s->headers[i], r);
    if ((it = s->item[CK_BODY]))
        check_eval_body(&ev, it, st);
    if ((it = s->item[CK_CONTAINS]) && !st->found) {
        buf_clear(&ev.actual);
        buf_adds(&ev.actual, "not found");
        check_fail(&ev, "body-contains", it->expected);
    }
    if ((it = s->item[CK_JQ]))
        check_eval_jq(&ev, it, st);
    if ((it = s->item[CK_TIME]) && r->time_total > it->limit_us) {
        buf_clear(&ev.actual);
        check_add_secs(&ev.actual, r->time_total);
        check_fail(&ev, "time", it->expected);
    }
    if ((it = s->item[CK_SIZE]) &&
        (r->size_download < it->min || (it->max >= 0 && r->size_download > it->max))) {
        buf_clear(&ev.actual);
        buf_add_i64(&ev.actual, r->size_download);
        check_fail(&ev, "size", it->expected);
    }
    if ((it = s->item[CK_SHA256])) {
        const char *hex = check_state_sha256_hex(st);
        if (!hex || strcmp(hex, it->hex)) {
            buf_clear(&ev.actual);
            buf_adds(&ev.actual, hex ? hex : "(not computed)");
            check_fail(&ev, "sha256", it->expected);
        }
    }
    buf_free(&ev.actual);
    buf_free(&ev.subject);
    pcre2_match_data_free(ev.mdata);
    pcre2_match_context_free(ev.mctx);
    for (size_t i = 0; i < st->nfailed; i++) {
        st->failed[i].expected = st->failed_text.p + st->failed_at[2 * i];
        st->failed[i].actual = st->failed_text.p + st->failed_at[2 * i + 1];
    }
    *failed = st->nfailed ? st->failed : NULL;
    return st->nfailed;
}
