/* task_line: an input line → a task: its label, the 64 KiB rule, a request
 * spec merged over -H, -X, -d and its expect over --expect-*, the
 * --header-for headers for its host, --url-query and -G in its query, the
 * URL prepared by libcurl's parser and redacted; or, for a line that cannot
 * be fetched, its input record. Also the request key (--resume). */
#include "task.h"
#include "task_impl.h"
#include "log.h"
#include "resume.h"
#include "url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Headers from layers of rising priority: -H, then --header-for, then a
 * spec's. A header is sent unless a later layer names it. */
struct task_layer {
    const char *const *h;
    size_t n;
};

static bool task_named_after(const struct task_layer *ls, size_t nl, size_t from, const char *h)
{
    size_t n = spec_header_name_len(h);
    for (size_t l = from; l < nl; l++)
        for (size_t j = 0; j < ls[l].n; j++)
            if (spec_header_named(ls[l].h[j], h, n))
                return true;
    return false;
}

static struct curl_slist *task_merge(const struct task_layer *ls, size_t nl)
{
    struct curl_slist *out = NULL;
    for (size_t l = 0; l < nl; l++)
        for (size_t j = 0; j < ls[l].n; j++)
            if (!task_named_after(ls, nl, l + 1, ls[l].h[j]) &&
                !(out = curl_slist_append(out, ls[l].h[j])))
                log_die(LOG_EXIT_INTERNAL, "out of memory");
    return out;
}

void task_key(struct task *t, const struct task_common *tc, struct buf *key)
{
    resume_key(key, t->spec.id_json, task_shown_method(t, tc), task_shown_url(t));
}

/* Take the request spec S (moved: S is cleared) for T: its method, data
 * and headers replace the run's for this task; false with a message in ERR
 * when they cannot be used. */
static bool task_set_spec(struct task *t, const struct task_common *tc, struct spec *s,
                          struct buf *err)
{
    const struct config *cfg = tc->cfg;
    t->spec = *s;
    memset(s, 0, sizeof *s);
    struct spec *sp = &t->spec;
    /* run-level headers the spec does not name, then the spec's */
    struct task_layer ls[] = {{(const char *const *)cfg->headers, cfg->nheaders},
                              {(const char *const *)sp->headers, sp->nheaders}};
    t->spec_headers = task_merge(ls, 2);
    if (sp->nexpect) {
        struct check_spec *line = check_spec_new();
        for (size_t i = 0; i < sp->nexpect; i++)
            if (!check_spec_set_cached(line, tc->check_cache, sp->expect[2 * i],
                                       sp->expect[2 * i + 1], err)) {
                check_spec_free(line);
                return false;
            }
        if (tc->jq && !check_spec_compile(line, tc->jq, err)) {
            check_spec_free(line);
            return false;
        }
        t->checks = check_spec_override(cfg->checks, line);
        check_spec_free(line);
    }
    bool body = sp->data ? !cfg->get : tc->body;
    t->method = task_common_method(sp->method ? sp->method : cfg->method, body, cfg->head);
    if (body && strcasecmp(t->method, "HEAD") == 0) {
        buf_adds(err, "a HEAD request cannot send data");
        return false;
    }
    return true;
}

/* Fill T->rec for a line that is not fetchable: WHY (static or in T's
 * message) and TEXT (LEN bytes) shown clipped and redacted. */
static bool task_reject(struct task *t, const struct task_common *tc, const char *why,
                        const char *text, size_t len, bool cut)
{
    buf_clear(&t->shown);
    url_clip(text, len, cut, &t->shown);
    task_record_base(t, tc);
    t->rec.kind = KIND_INPUT;
    t->rec.error_message = why;
    return false;
}

/* --url-query, then -G's data (the spec's, else the run's), appended to the
 * query of T's parsed URL. */
bool task_add_query(struct task *t, const struct task_common *tc)
{
    const struct config *cfg = tc->cfg;
    const char *parts[] = {cfg->query, !cfg->get ? NULL : t->spec.data ? t->spec.data : cfg->data};
    for (size_t i = 0; i < 2; i++) {
        if (!parts[i])
            continue;
        t->query = true;
        if (curl_url_set(task_curlu(t), CURLUPART_QUERY, parts[i], CURLU_APPENDQUERY) != CURLUE_OK)
            return false;
    }
    return true;
}

/* The --header-for headers whose pattern matches T's host: T's headers
 * with them, and with -L volley follows T's redirects (task_follow). */
static void task_header_for(struct task *t, const struct task_common *tc)
{
    char *host = NULL;
    if (curl_url_get(task_curlu(t), CURLUPART_HOST, &host, 0) != CURLUE_OK || !host)
        return;
    size_t hl = strlen(host);
    const char **matched = log_calloc(tc->nheader_for, sizeof *matched);
    size_t n = 0;
    for (size_t i = 0; i < tc->nheader_for; i++)
        if (task_common_host_matches(tc->header_for[i].pattern, host, hl))
            matched[n++] = tc->header_for[i].header;
    curl_free(host);
    if (n) {
        const struct config *cfg = tc->cfg;
        const struct spec *sp = &t->spec;
        struct task_layer ls[] = {{(const char *const *)cfg->headers, cfg->nheaders},
                                  {matched, n},
                                  {(const char *const *)sp->headers, sp->url ? sp->nheaders : 0}};
        t->hfor_headers = task_merge(ls, 3);
        t->self_follow = cfg->location;
        task_origin_of(task_curlu(t), &t->origin);
    }
    free(matched);
}

bool task_quick_key(const struct task_common *tc, const struct input_line *l, struct buf *url,
                    struct buf *key)
{
    /* a plain line without userinfo: its record shows the composed URL as
     * is (no redaction, no clipping that differs from it) */
    if (l->too_long || l->text[0] == '{' || memchr(l->text, '@', l->len) ||
        url_compose(l->text, l->len, tc->cfg->proto_default, url))
        return false;
    resume_key(key, NULL, tc->method, url->p);
    return true;
}

bool task_from_line(struct task *t, const struct task_common *tc, const struct input_line *l,
                    uint64_t seq, int64_t now)
{
    t->seq = seq;
    t->t_read = now;
    t->method = tc->method;
    t->link = l->link;
    buf_adds(&t->label, l->source);
    buf_addc(&t->label, ':');
    buf_add_u64(&t->label, l->lineno);
    if (l->too_long)
        return task_reject(t, tc, "line longer than 64 KiB", l->text, l->len, true);
    const char *url = l->text;
    size_t len = l->len;
    if (l->text[0] == '{') { /* a JSON request spec */
        struct spec sp;
        buf_clear(&t->message);
        if (!spec_parse(l->text, l->len, &sp, &t->message) ||
            !task_set_spec(t, tc, &sp, &t->message))
            return task_reject(t, tc, buf_str(&t->message), l->text, l->len, false);
        url = t->spec.url;
        len = strlen(url);
    }
    if (!t->parsed)
        t->parsed = url_checker_new();
    url_checker_path_as_is(t->parsed, tc->cfg->path_as_is);
    const char *why = url_prepare(t->parsed, url, len, tc->cfg->proto_default, &t->url);
    if (why)
        return task_reject(t, tc, why, url, len, false);
    if (!task_add_query(t, tc))
        return task_reject(t, tc, "the URL with --url-query or -G data does not parse", url, len,
                           false);
    url_redact_prepared(t->parsed, t->url.p, &t->shown); /* libcurl's password, if any */
    if (tc->nheader_for)
        task_header_for(t, tc);
    return true;
}
