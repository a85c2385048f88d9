/* check: expectations on a response (--expect-*, a request spec's "expect").
 * Parsed once into an immutable spec; the body is fed in while it streams
 * (buffered only up to --max-body, hashed, searched); after the transfer the
 * spec is evaluated into a list of the checks that failed (struct
 * check_failure, record.h). A "jq" expectation is only text here: jqw's
 * worker compiles it (check_spec_compile) and runs it on the kept body; its
 * answer comes in with the response (struct check_response). */
#ifndef VOLLEY_CHECK_H
#define VOLLEY_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

struct jqw;

/* ---- specs -------------------------------------------------------------- */

/* A set of expectations. Immutable once built (the set calls come first);
 * compiled regexes and jq programs are shared between specs by reference
 * counting, so each spec is freed on its own, in any order. A NULL spec
 * means "no expectations" everywhere below. Not thread-safe (one event
 * loop). */
struct check_spec;

/* An empty spec. Caller frees with check_spec_free(). */
struct check_spec *check_spec_new(void);

/* Set the expectation NAME (the option name without "--expect-": "status",
 * "header", "body", "body-contains", "jq", "time", "size", "sha256") to
 * VALUE, as given on the command line or in a spec's "expect" object.
 * "header" ("Name: REGEX") appends; every other name replaces an earlier
 * value. Values:
 *   status         codes and inclusive ranges: "200,204,300-399"; "2xx" is
 *                  200-299; spaces around items are allowed
 *   header         "Name: REGEX" (PCRE2); some value of that response header
 *                  must match; an empty REGEX only asks for the header
 *   body           a PCRE2 regex searched in the (kept) body
 *   body-contains  non-empty text searched in the whole body, streaming
 *   jq             a jq program run on the JSON body; holds when its last
 *                  output is neither false nor null (jq -e); kept as text
 *                  (at most JQW_MAX_PROGRAM bytes): check_spec_compile()
 *                  says whether it compiles
 *   time           SECS (fractions allowed): time_total <= SECS
 *   size           N, MIN-MAX or MIN- (bytes; k/M/G suffixes, 1024-based)
 *   sha256         64 hex digits (either case), of the whole body
 * Regexes are Perl syntax, UTF-8 (invalid UTF-8 in a subject never
 * matches). Returns false for an unknown NAME or an invalid VALUE, and then
 * appends a message naming the option ("--expect-NAME: ...") to ERR and
 * leaves S unchanged. */
bool check_spec_set(struct check_spec *s, const char *name, const char *value, struct buf *err);

/* A bounded cache of compiled expectations ("header", "body", "jq") keyed
 * by name and value, for specs parsed per input line (a regex costs some
 * microseconds to compile; jqw remembers its own compile answers). Holds
 * at most CAPACITY entries (the oldest is dropped first), so its memory
 * does not grow with the list. Caller frees with check_cache_free(); specs
 * made through it stay valid after it is freed. */
struct check_cache;
struct check_cache *check_cache_new(size_t capacity);
void check_cache_free(struct check_cache *c);

/* check_spec_set(), reusing a compiled expectation from CACHE (NULL: no
 * cache) when the same NAME and VALUE were set before, and remembering a
 * newly compiled one. */
bool check_spec_set_cached(struct check_spec *s, struct check_cache *cache, const char *name,
                           const char *value, struct buf *err);

/* A new spec: BASE with every expectation set in LINE replacing BASE's; for
 * "header", LINE's whole list replaces BASE's when LINE set any. Either may
 * be NULL. Both are only borrowed: the result shares their compiled parts by
 * reference and stays valid after they are freed. Caller frees the result
 * with check_spec_free(). */
struct check_spec *check_spec_override(const struct check_spec *base,
                                       const struct check_spec *line);

/* Free S (NULL is fine). */
void check_spec_free(struct check_spec *s);

/* True when S has no expectation at all (or S is NULL). */
bool check_spec_empty(const struct check_spec *s);
/* True when S needs the body buffered (up to --max-body): "body", "jq". */
bool check_spec_needs_body(const struct check_spec *s);
/* S's jq program (the value as given), or NULL when S has none. Borrowed
 * from S. */
const char *check_spec_jq(const struct check_spec *s);
/* Whether S's jq program (if any) compiles, asked of W (jqw_compile: a
 * lookup once known, else one compile in the worker, within its time
 * budget, blocking the caller). When not, appends "--expect-jq: 'PROGRAM'
 * does not compile: REASON" to ERR. True when S has no jq program. */
bool check_spec_compile(const struct check_spec *s, struct jqw *w, struct buf *err);
/* True when S has a "header" expectation (the response's headers must then
 * be collected for check_evaluate). */
bool check_spec_has_headers(const struct check_spec *s);
/* True when S has a "status" expectation (a status failure is then a check
 * failure, error.kind "check", rather than "http"). */
bool check_spec_has_status(const struct check_spec *s);

/* Whether HTTP_CODE is accepted: with no "status" expectation 200..399,
 * otherwise exactly the codes S lists (which replace the default). */
bool check_status_ok(const struct check_spec *s, long http_code);

/* A byte count in [S, E): digits and an optional k, M or G (1024-based),
 * blanks around it allowed; the one size syntax of every option. */
bool check_parse_bytes(const char *s, const char *e, int64_t *out);

/* ---- per-attempt state -------------------------------------------------- */

/* What the body of one attempt left behind. Owned by the caller (embed it,
 * e.g. in struct task): check_state_init() once, check_state_begin() at the
 * start of every attempt, check_state_free() at the end. The fields are
 * private to check_state.c and check_eval.c. */
struct check_state {
    const struct check_spec *spec; /* borrowed from begin to evaluate */
    struct buf body;               /* the kept body: at most max_body bytes */
    size_t max_body;
    uint64_t fed;                /* body bytes fed in this attempt */
    struct evp_md_ctx_st *sha;   /* OpenSSL's EVP_MD_CTX, made on first use */
    const unsigned char *needle; /* body-contains: borrowed from the spec */
    const size_t *kmp;           /* its failure table */
    size_t needle_len;
    size_t matched; /* bytes of the needle matched at the end of the last chunk */
    bool active;    /* anything for check_state_feed() to do at all */
    bool keep;      /* buffer the body */
    bool hashing;   /* SHA-256 running */
    bool searching; /* body-contains running */
    bool found;     /* body-contains seen */
    bool sha_done;  /* sha_hex is valid */
    char sha_hex[65];
    struct check_failure *failed; /* check_evaluate()'s result */
    size_t nfailed, failed_cap;
    size_t *failed_at;      /* 2 per failure: offsets in failed_text while evaluating */
    struct buf failed_text; /* the failures' expected and actual strings */
};

/* Zero ST (equivalent to "= {0}"). */
void check_state_init(struct check_state *st);

/* Start an attempt: forget what the last one fed (keeping the buffer's
 * memory and the hash context) and decide what check_state_feed() does. S
 * is borrowed and must live until check_evaluate(); MAX_BODY bounds the kept
 * body (--max-body) when S needs it or WANT_BODY (--include-body) asks for
 * it; WANT_SHA256 (--sha256) hashes the body even when S does not check it.
 * With an empty S and neither want, check_state_feed() does nothing. */
void check_state_begin(struct check_state *st, const struct check_spec *s, size_t max_body,
                       bool want_sha256, bool want_body);

/* Feed LEN bytes of body. Safe inside libcurl's write callback: it only
 * buffers (up to max_body), hashes and searches for body-contains (across
 * chunk boundaries, without buffering); it decides nothing. */
void check_state_feed(struct check_state *st, const void *data, size_t len);

/* End the attempt's body: finalises the hash. Idempotent; called by
 * check_evaluate() and check_state_sha256_hex() when needed. */
void check_state_finish(struct check_state *st);

/* ---- evaluation --------------------------------------------------------- */

/* The response as the checks see it. HEADER returns the INDEX-th (0-based)
 * value of the response header NAME (matched case-insensitively), or NULL
 * when there are no more; the string must stay valid during
 * check_evaluate(). HEADER may be NULL: no headers. */
struct check_response {
    long http_code;
    int64_t time_total;    /* µs */
    int64_t size_download; /* body bytes */
    const char *(*header)(void *arg, const char *name, size_t index);
    void *header_arg;
    /* The answer to S's jq program on the kept body (jqw), read only when S
     * has one: whether it holds, else the failure's actual value (NULL:
     * "(not evaluated)"), cut to 256 characters here. */
    bool jq_holds;
    const char *jq_actual;
};

/* Evaluate S (the spec given to check_state_begin) against R and what ST was
 * fed, after a transfer that got a response. Returns the number of failed
 * checks and points *FAILED at them (NULL when none), in the order status,
 * header (as given), body, body-contains, jq, time, size, sha256, e.g.
 *   {.check = "status", .expected = "200,204", .actual = "404"}
 * "status" is a check only when S has one (see check_spec_has_status).
 * Long actual values are cut to 256 characters and "...". The array and
 * its strings are owned by ST: valid until its next begin, evaluate, reset
 * or free (not tied to S's lifetime). */
size_t check_evaluate(const struct check_spec *s, struct check_state *st,
                      const struct check_response *r, const struct check_failure **failed);

/* The body's SHA-256 in lower-case hex (64 characters), or NULL when the
 * attempt did not hash (neither want_sha256 nor a "sha256" expectation).
 * Finishes the body. Owned by ST: valid until its next begin, reset or free. */
const char *check_state_sha256_hex(struct check_state *st);

/* The kept body (for --include-body): *LEN bytes (NUL-terminated), and
 * *TRUNCATED when more than max_body came. NULL when the attempt kept no
 * body. Owned by ST: valid until its next begin, reset or free. */
const char *check_state_body(const struct check_state *st, size_t *len, bool *truncated);

/* Forget the attempt and release the body's memory (keeps the hash
 * context); ST can be begun again. */
void check_state_reset(struct check_state *st);
/* Release everything ST holds; ST is then as after check_state_init(). */
void check_state_free(struct check_state *st);

#endif
