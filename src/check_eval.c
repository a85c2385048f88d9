/* check_eval: a spec against a response and what the body left behind,
 * into the list of failed checks (owned by the check_state): the status, the
 * headers and the body by regex (within bounded limits), body-contains, jq
 * (the worker's answer, brought by the response), time, size, SHA-256. */
#include "check.h"
#include "check_impl.h"
#include "headers.h"
#include "log.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* ---- evaluation --------------------------------------------------------- */

#define CHECK_CLIP 256

/* Cut B to CHECK_CLIP characters and "..." when longer. */
static void check_eval_clip(struct buf *b)
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
static void check_eval_fail(struct check_eval *ev, const char *name, const char *expected)
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
static int check_eval_step(pcre2_callout_block *cb, void *arg)
{
    (void)cb;
    struct check_eval *ev = arg;
    return ++ev->steps > CHECK_RE_STEPS ? PCRE2_ERROR_MATCHLIMIT : 0;
}

/* Match RE against [s, s+len) within the check's limits: 1 match, 0 none,
 * < 0 a PCRE2 error (a limit, say). Call check_eval_steps_begin() first for
 * every check. */
static int check_eval_match(struct check_eval *ev, const pcre2_code *re, const char *s, size_t len)
{
    if (!ev->mctx) {
        if (!(ev->mctx = pcre2_match_context_create(NULL)) ||
            !(ev->mdata = pcre2_match_data_create(1, NULL)))
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        pcre2_set_match_limit(ev->mctx, CHECK_RE_MATCH_LIMIT);
        pcre2_set_depth_limit(ev->mctx, CHECK_RE_DEPTH_LIMIT);
        pcre2_set_heap_limit(ev->mctx, CHECK_RE_HEAP_KIB);
        pcre2_set_callout(ev->mctx, check_eval_step, ev);
    }
    if (ev->steps > CHECK_RE_STEPS)
        return PCRE2_ERROR_MATCHLIMIT; /* spent on earlier values */
    int rc = pcre2_match(re, (PCRE2_SPTR)(s ? s : ""), len, 0, 0, ev->mdata, ev->mctx);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : rc;
}

/* A new check's step count. */
static void check_eval_steps_begin(struct check_eval *ev)
{
    ev->steps = 0;
}

/* True for the errors of a match over one of its limits. */
static bool check_eval_over_limit(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static void check_eval_regex_error(struct buf *b, int rc)
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
    check_eval_steps_begin(ev);
    bool secret = headers_secret(it->hname, strlen(it->hname));
    const char *v = NULL;
    size_t i = 0;
    for (; r->header && (v = r->header(r->header_arg, it->hname, i)); i++) {
        size_t len = strlen(v);
        buf_clear(&ev->subject); /* a padded copy (CHECK_PAD) */
        buf_reserve(&ev->subject, len + CHECK_PAD);
        memcpy(ev->subject.p, v, len);
        memset(ev->subject.p + len, 0, CHECK_PAD);
        int rc = check_eval_match(ev, it->re, ev->subject.p, len);
        if (rc > 0)
            return;
        if (check_eval_over_limit(rc)) { /* the check fails: no value is tried after it */
            buf_clear(&ev->actual);
            check_eval_regex_error(&ev->actual, rc);
            i++;
            break;
        }
        if (ev->actual.len > 4 * CHECK_CLIP)
            continue; /* over CHECK_CLIP characters: enough to show; keep looking */
        if (ev->actual.len)
            buf_adds(&ev->actual, ", ");
        if (rc < 0)
            check_eval_regex_error(&ev->actual, rc);
        else /* a secret's value is never shown */
            buf_adds(&ev->actual, secret ? "***" : v);
    }
    if (i == 0)
        buf_adds(&ev->actual, "(absent)");
    check_eval_clip(&ev->actual);
    check_eval_fail(ev, "header", it->expected);
}

/* "body": the regex searched in the kept body. */
static void check_eval_body(struct check_eval *ev, const struct check_item *it,
                            const struct check_state *st)
{
    size_t len;
    bool cut;
    const char *body = check_state_body(st, &len, &cut);
    check_eval_steps_begin(ev);
    int rc = check_eval_match(ev, it->re, body, len);
    if (rc > 0)
        return;
    buf_clear(&ev->actual);
    if (rc < 0)
        check_eval_regex_error(&ev->actual, rc);
    else if (cut)
        buf_addf(&ev->actual, "no match in the first %zu bytes", len);
    else
        buf_adds(&ev->actual, "no match");
    check_eval_fail(ev, "body", it->expected);
}

/* "jq": the worker's answer, as the response brings it. */
static void check_eval_jq(struct check_eval *ev, const struct check_item *it,
                          const struct check_response *r)
{
    if (r->jq_holds)
        return;
    buf_clear(&ev->actual);
    buf_adds(&ev->actual, r->jq_actual ? r->jq_actual : "(not evaluated)");
    check_eval_clip(&ev->actual);
    check_eval_fail(ev, "jq", it->expected);
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
        check_eval_fail(&ev, "status", it->expected);
    }
    for (size_t i = 0; i < s->nheaders; i++)
        check_eval_header(&ev, s->headers[i], r);
    if ((it = s->item[CK_BODY]))
        check_eval_body(&ev, it, st);
    if ((it = s->item[CK_CONTAINS]) && !st->found) {
        buf_clear(&ev.actual);
        buf_adds(&ev.actual, "not found");
        check_eval_fail(&ev, "body-contains", it->expected);
    }
    if ((it = s->item[CK_JQ]))
        check_eval_jq(&ev, it, r);
    if ((it = s->item[CK_TIME]) && r->time_total > it->limit_us) {
        buf_clear(&ev.actual);
        check_add_secs(&ev.actual, r->time_total);
        check_eval_fail(&ev, "time", it->expected);
    }
    if ((it = s->item[CK_SIZE]) &&
        (r->size_download < it->min || (it->max >= 0 && r->size_download > it->max))) {
        buf_clear(&ev.actual);
        buf_add_i64(&ev.actual, r->size_download);
        check_eval_fail(&ev, "size", it->expected);
    }
    if ((it = s->item[CK_SHA256])) {
        const char *hex = check_state_sha256_hex(st);
        if (!hex || strcmp(hex, it->hex)) {
            buf_clear(&ev.actual);
            buf_adds(&ev.actual, hex ? hex : "(not computed)");
            check_eval_fail(&ev, "sha256", it->expected);
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
