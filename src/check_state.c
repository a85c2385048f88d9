/* check_state: one attempt's body as it streams: kept up to --max-body
 * (with slack for the regex matcher), hashed with SHA-256, searched for
 * body-contains with Knuth-Morris-Pratt across chunk boundaries. Only
 * counts, hashes and buffers: safe inside libcurl's write callback. */
#include "check.h"
#include "check_impl.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

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

/* Keep what fits of DATA under max_body; the buffer grows by doubling but
 * never past max_body + CHECK_PAD. */
static void check_state_keep(struct check_state *st, const void *data, size_t len)
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
static void check_state_search(struct check_state *st, const unsigned char *p, size_t len)
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
        check_state_keep(st, data, len);
    if (st->searching)
        check_state_search(st, data, len);
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
