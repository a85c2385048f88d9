/* fuzz_check: libFuzzer target for check_spec_set values (every kind but
 * jq, which runs in its worker) and their evaluation on a response.
 * Input: a byte saying which expectations to set, a chunk size, the
 * NUL-separated values (status, header, body regex, body-contains, time,
 * size, sha256), then the body. A value that is refused says which option
 * it was for and leaves the spec as it was; the body is fed in chunks of
 * that size, and body-contains, streamed across them, must agree with a
 * search of the whole body, the SHA-256 with OpenSSL's of the whole body;
 * failures come in check order, each naming a check that was set, with
 * an actual value of at most 256 characters and "...". PCRE2 runs with
 * volley's match, depth and heap limits, so a pathological regex costs
 * bounded time (libFuzzer's -timeout catches one that does not). */
#define _GNU_SOURCE /* memmem */
#include "check.h"
#include "fuzz.h"

#include <openssl/sha.h>

static const char *const names[] = {"status", "header", "body",  "body-contains",
                                    "time",   "size",   "sha256"};
#define NNAMES (sizeof names / sizeof names[0])

static size_t chars(const char *s)
{
    size_t c = 0, n = strlen(s);
    uint32_t cp;
    for (size_t i = 0; i < n; c++) {
        size_t k = fuzz_utf8_seq((const unsigned char *)s + i, n - i, &cp);
        i += k ? k : 1;
    }
    return c;
}

static const char *no_header(void *arg, const char *name, size_t index)
{
    (void)arg;
    (void)name;
    return index == 0 ? "text/plain" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 18)
        return 0;
    struct fuzz_in in = {data, size};
    unsigned which = fuzz_u8(&in);
    size_t chunk = fuzz_u8(&in) + 1u;
    char *v[NNAMES];
    for (size_t i = 0; i < NNAMES; i++)
        v[i] = fuzz_str(&in, NULL);
    const uint8_t *body = in.p;
    size_t blen = in.n;

    struct check_spec *s = check_spec_new();
    bool set[NNAMES] = {false};
    struct buf err = {0};
    for (size_t i = 0; i < NNAMES; i++) {
        if (!(which >> i & 1))
            continue;
        bool was_empty = check_spec_empty(s);
        buf_clear(&err);
        set[i] = check_spec_set(s, names[i], v[i], &err);
        if (set[i]) {
            FUZZ_CHECK(err.len == 0 && !check_spec_empty(s));
        } else {
            char want[32];
            snprintf(want, sizeof want, "--expect-%s", names[i]);
            FUZZ_CHECK(err.len > 0 && strstr(buf_str(&err), want) != NULL);
            FUZZ_CHECK(check_spec_empty(s) == was_empty);
        }
    }
    if (check_spec_has_headers(s) != set[1])
        FUZZ_CHECK(false);

    struct check_state st;
    check_state_init(&st);
    check_state_begin(&st, s, 4096, true, false);
    for (size_t off = 0; off < blen; off += chunk)
        check_state_feed(&st, body + off, blen - off < chunk ? blen - off : chunk);
    struct check_response r = {
        .http_code = 200, .time_total = 1000, .size_download = (int64_t)blen, .header = no_header};
    const struct check_failure *failed;
    size_t nf = check_evaluate(s, &st, &r, &failed);
    size_t last = 0;
    bool contains_failed = false;
    for (size_t i = 0; i < nf; i++) {
        size_t k = 0;
        while (k < NNAMES && strcmp(failed[i].check, names[k]))
            k++;
        FUZZ_CHECK(k < NNAMES && set[k]); /* a check that was set */
        FUZZ_CHECK(k >= last);            /* in check order */
        last = k;
        FUZZ_CHECK(failed[i].expected && failed[i].actual);
        FUZZ_CHECK(chars(failed[i].actual) <= 256 + 3);
        contains_failed |= k == 3;
    }
    if (set[3]) {
        bool found = memmem(body, blen, v[3], strlen(v[3])) != NULL;
        FUZZ_CHECK(contains_failed == !found);
    }
    const char *hex = check_state_sha256_hex(&st);
    FUZZ_CHECK(hex != NULL && strlen(hex) == 64);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(body, blen, md);
    char want[65];
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(want + 2 * i, 3, "%02x", md[i]);
    FUZZ_CHECK(!strcmp(hex, want));

    check_state_free(&st);
    check_spec_free(s);
    buf_free(&err);
    for (size_t i = 0; i < NNAMES; i++)
        free(v[i]);
    return 0;
}
