/* task: input line → task, easy-handle setup from the config, the counting
 * write callback, and the record of one URL's result. */
#include "task.h"
#include "clock.h"
#include "deny.h"
#include "field.h"
#include "resume.h"
#include "log.h"
#include "output.h"
#include "url.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Only counts: the decision about a too large body is made after the
 * transfer ends. Returning short makes libcurl stop the transfer. */
size_t task_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct task *t = arg;
    size_t n = size * nmemb;
    t->body_bytes += (int64_t)n;
    if (t->max_filesize >= 0 && t->body_bytes > t->max_filesize) {
        t->too_large = true;
        return 0;
    }
    if (t->cs.active)
        check_state_feed(&t->cs, ptr, n);
    if (t->write_failed) /* --output-dir: its file could not be made */
        return 0;
    if (t->out_fd >= 0) { /* --output-dir: buffered to its file */
        for (size_t done = 0; done < n;) {
            ssize_t w = write(t->out_fd, ptr + done, n - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                t->write_failed = true;
                return 0;
            }
            done += (size_t)w;
        }
    }
    return n;
}

/* Only buffers: the header lines, when they are wanted (checks,
 * --include-headers, -D). */
size_t task_header_line(char *ptr, size_t size, size_t nitems, void *arg)
{
    struct task *t = arg;
    size_t n = size * nitems;
    if (t->collect_headers)
        headers_feed(&t->hdrs, ptr, n);
    if (t->dump_headers) {
        char *url = NULL;
        curl_easy_getinfo(t->h->easy, CURLINFO_EFFECTIVE_URL, &url);
        trace_header(&t->trace, url ? url : "", ptr, n);
    }
    return n;
}

curl_socket_t task_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
    (void)purpose;
    struct task *t = arg;
    long hop = 0; /* the counts are per connection: a redirect starts anew */
    curl_easy_getinfo(t->h->easy, CURLINFO_REDIRECT_COUNT, &hop);
    if (hop != t->sock_hop) {
        t->sock_hop = hop;
        t->sock_made = t->sock_denied = 0;
    }
    bool embedded;
    const char *why = t->deny ? deny_check(t->deny, &addr->addr, addr->addrlen, &embedded) : NULL;
    if (why) { /* the one decision made inside a callback: nothing may be sent */
        if (t->sock_denied++ == 0) {
            buf_clear(&t->denied);
            deny_addr_text(&addr->addr, addr->addrlen, &t->denied);
            buf_addf(&t->denied, " (%s%s)", why, embedded ? ", IPv4 in IPv6" : "");
        }
        return CURL_SOCKET_BAD;
    }
    curl_socket_t fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (fd == CURL_SOCKET_BAD && (errno == EMFILE || errno == ENFILE))
        t->local_errno = errno; /* a local limit, not the remote host's failure */
    else if (fd != CURL_SOCKET_BAD)
        t->sock_made++;
    return fd;
}

void task_init(struct task *t)
{
    t->out_fd = -1;
    check_state_init(&t->cs);
    headers_init(&t->hdrs);
}

void task_reset(struct task *t)
{
    t->seq = 0;
    buf_clear(&t->url);
    buf_clear(&t->shown);
    buf_clear(&t->label);
    buf_clear(&t->effective);
    buf_clear(&t->redirect);
    spec_clear(&t->spec);
    curl_slist_free_all(t->spec_headers);
    t->spec_headers = NULL;
    curl_slist_free_all(t->hfor_headers);
    t->hfor_headers = NULL;
    curl_slist_free_all(t->hop_headers);
    t->hop_headers = NULL;
    t->query = t->self_follow = false;
    buf_clear(&t->origin);
    t->hops = 0;
    trace_clear(&t->trace);
    check_spec_free(t->checks);
    t->checks = NULL;
    check_state_reset(&t->cs);
    headers_reset(&t->hdrs);
    t->collect_headers = false;
    buf_clear(&t->headers_json);
    buf_clear(&t->message);
    buf_clear(&t->filename);
    if (t->out_fd >= 0)
        close(t->out_fd);
    t->out_fd = -1;
    t->write_failed = false;
    t->method = NULL;
    t->h = NULL;
    t->t_read = t->t_first = t->t_first_wall = 0;
    t->attempts = 0;
    t->body_bytes = 0;
    t->max_filesize = -1;
    t->too_large = false;
    t->jq_waiting = false; /* the scheduler cancels a request before it resets */
    memset(&t->rec, 0, sizeof t->rec);
}

void task_free(struct task *t)
{
    jqw_req_free(&t->jq);
    url_checker_free(t->parsed);
    spec_clear(&t->spec);
    curl_slist_free_all(t->spec_headers);
    curl_slist_free_all(t->hfor_headers);
    curl_slist_free_all(t->hop_headers);
    buf_free(&t->origin);
    trace_free(&t->trace);
    check_spec_free(t->checks);
    check_state_free(&t->cs);
    headers_free(&t->hdrs);
    buf_free(&t->headers_json);
    buf_free(&t->message);
    buf_free(&t->filename);
    buf_free(&t->denied);
    if (t->out_fd >= 0)
        close(t->out_fd);
    buf_free(&t->url);
    buf_free(&t->shown);
    buf_free(&t->label);
    buf_free(&t->effective);
    buf_free(&t->redirect);
}

/* Fields every record has, whatever happened. */
/* The URL and method a record shows for T. */
static const char *task_shown_url(struct task *t)
{
    return t->shown.len ? t->shown.p : buf_str(&t->url);
}

static const char *task_shown_method(const struct task *t, const struct task_common *tc)
{
    return t->method ? t->method : tc->method;
}

static void task_record_base(struct task *t, const struct task_common *tc)
{
    struct record *r = &t->rec;
    r->seq = t->seq;
    r->input = buf_str(&t->label);
    r->url = task_shown_url(t);
    r->url_effective = r->url;
    r->method = task_shown_method(t, tc);
    r->id_json = t->spec.id_json;
    r->timestamp_ms = t->t_first_wall;
    r->attempts = t->attempts;
    r->error_code = -1;
}

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

static CURLU *task_curlu(const struct task *t)
{
    return url_checker_handle(t->parsed);
}

/* --url-query, then -G's data (the spec's, else the run's), appended to the
 * query of T's parsed URL. */
static bool task_add_query(struct task *t, const struct task_common *tc)
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

/* "scheme://host:port" of U (lower case, the port always), into DST. */
static void task_origin_of(CURLU *u, struct buf *dst)
{
    char *scheme = NULL, *host = NULL, *port = NULL;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_HOST, &host, 0);
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    buf_clear(dst);
    buf_addf(dst, "%s://%s:%s", scheme ? scheme : "", host ? host : "", port ? port : "");
    for (size_t i = 0; i < dst->len; i++)
        dst->p[i] = (char)tolower((unsigned char)dst->p[i]);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
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

/* The headers of T's first request. */
static struct curl_slist *task_headers(const struct task *t, const struct task_common *tc)
{
    return t->hfor_headers ? t->hfor_headers : t->spec_headers ? t->spec_headers : tc->headers;
}

/* Set the request options (method, data, headers) of T on H: the spec's
 * when T has one, else the run's, which a handle carries from its making
 * until it runs a task's own request. */
static void task_apply_request(struct task *t, const struct task_common *tc, struct task_handle *h)
{
    const struct config *cfg = tc->cfg;
    bool own = t->spec.url || t->hfor_headers;
    if (!own) {
        if (h->custom)
            task_common_request(tc, h);
        return; /* the handle carries the run's options */
    }
    if (h->custom || !t->spec.url)
        task_common_request(tc, h); /* credentials, Referer, body: the run's */
    TASK_SET(h->easy, CURLOPT_HTTPHEADER, task_headers(t, tc));
    h->custom = true;
    if (!t->spec.url)
        return;
    CURL *easy = h->easy;
    const struct spec *sp = &t->spec;
    const char *method = t->method;
    bool head = strcasecmp(method, "HEAD") == 0;
    bool body = sp->data ? !cfg->get : tc->body;
    TASK_SET(easy, CURLOPT_HTTPGET, 1L); /* clears POST and NOBODY */
    if (sp->data && !cfg->get) {
        TASK_SET(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)sp->data_len);
        TASK_SET(easy, CURLOPT_POSTFIELDS, sp->data);
    } else if (!sp->data && cfg->data && !cfg->get) {
        TASK_SET(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)cfg->data_len);
        TASK_SET(easy, CURLOPT_POSTFIELDS, cfg->data);
    } else if (!sp->data && h->mime) {
        TASK_SET(easy, CURLOPT_MIMEPOST, h->mime);
    }
    TASK_SET(easy, CURLOPT_NOBODY, head ? 1L : 0L);
    /* a custom method only where it differs from what the body implies, so
     * -L turns a POST into a GET after 301/302/303 as curl does */
    bool natural =
        head || (body ? strcasecmp(method, "POST") == 0 : strcasecmp(method, "GET") == 0);
    TASK_SET(easy, CURLOPT_CUSTOMREQUEST,
             natural && !(sp->method ? sp->method : cfg->method) ? NULL : method);
}

/* --output-dir: a safe, collision-free name from the seq, host and path. */
static void task_open_output(struct task *t, const char *dir)
{
    if (t->out_fd >= 0)
        close(t->out_fd);
    t->write_failed = false;
    if (!t->filename.len) {
        buf_adds(&t->filename, dir);
        if (t->filename.p[t->filename.len - 1] != '/')
            buf_addc(&t->filename, '/');
        buf_add_u64(&t->filename, t->seq);
        buf_addc(&t->filename, '_');
        struct buf part = {0}; /* host, port and path as libcurl parsed them: no userinfo */
        url_name_part(t->parsed, &part);
        const char *u = part.p ? part.p : "";
        for (size_t n = 0; *u && n < 120; u++, n++) {
            char c = *u;
            bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-';
            buf_addc(&t->filename, safe ? c : '_');
        }
        buf_free(&part);
    }
    t->out_fd = open(t->filename.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (t->out_fd < 0) {
        t->write_failed = true; /* the first body bytes end the transfer */
        if (errno == EMFILE || errno == ENFILE)
            t->local_errno = errno;
    }
}

/* Fetch U next on EASY. libcurl 7.88 reads a CURLU again only when it has
 * no URL string left from the last transfer (or one it made following a
 * redirect): clear that first, or CURLINFO_EFFECTIVE_URL names the last
 * transfer's URL. */
static void task_set_url(CURL *easy, CURLU *u)
{
    TASK_SET(easy, CURLOPT_URL, (const char *)NULL);
    TASK_SET(easy, CURLOPT_CURLU, u);
}

/* A response's body starts: nothing counted, checked, collected or saved
 * yet. */
/* Forget the sockets --deny-private counted for the last connection. */
static void task_sockets_reset(struct task *t)
{
    t->sock_hop = 0;
    t->sock_made = t->sock_denied = 0;
}

static void task_begin_body(struct task *t, const struct task_common *tc)
{
    const struct config *cfg = tc->cfg;
    t->body_bytes = 0;
    t->too_large = false;
    const struct check_spec *checks = t->checks ? t->checks : cfg->checks;
    if (checks || cfg->sha256 || cfg->include_body)
        check_state_begin(&t->cs, checks, (size_t)cfg->max_body, cfg->sha256, cfg->include_body);
    headers_reset(&t->hdrs);
    t->collect_headers = cfg->include_headers || check_spec_has_headers(checks) ||
                         output_template_headers(cfg->tmpl);
    if (cfg->output_dir)
        task_open_output(t, cfg->output_dir);
}

void task_attach(struct task *t, const struct task_common *tc, struct task_handle *h, int64_t now)
{
    if (t->hops) { /* an earlier attempt followed redirects: from the start again */
        url_prepare(t->parsed, t->url.p, t->url.len, tc->cfg->proto_default, &t->effective);
        buf_clear(&t->effective);
        task_add_query(t, tc);
        t->hops = 0;
    }
    memset(t->hop_times, 0, sizeof t->hop_times);
    t->hop_connects = 0;
    task_apply_request(t, tc, h);
    CURL *easy = h->easy;
    t->h = h;
    h->trace = &t->trace;
    if (tc->cfg->location)
        TASK_SET(easy, CURLOPT_FOLLOWLOCATION, t->self_follow ? 0L : 1L);
    TASK_SET(easy, CURLOPT_HEADERDATA, t);
    t->dump_headers = tc->cfg->dump_header_fd >= 0;
    t->max_filesize = tc->cfg->max_filesize;
    t->attempts++;
    if (!t->t_first) {
        t->t_first = now;
        t->t_first_wall = clock_wall_ms();
    }
    t->t_attempt = now;
    t->local_errno = 0;
    t->deny = tc->deny;
    task_sockets_reset(t);
    h->errbuf[0] = '\0';
    task_begin_body(t, tc);
    task_set_url(easy, task_curlu(t));
    /* Wait for a connection that may multiplex (HTTP/2) only where one can:
     * over TLS (ALPN) or with prior knowledge. On plain http:// libcurl would
     * hold every request to a host until the first response came back. */
    bool tls = url_is_https(t->url.p);
    if (strcmp(tc->proxy_http, tc->proxy_https) != 0) /* set per scheme only when they differ */
        TASK_SET(easy, CURLOPT_PROXY, tls ? tc->proxy_https : tc->proxy_http);
    TASK_SET(easy, CURLOPT_PIPEWAIT,
             (long)((tls && tc->cfg->http != HTTPV_1_1) || tc->cfg->http == HTTPV_2_PRIOR));
    TASK_SET(easy, CURLOPT_WRITEDATA, t);
    TASK_SET(easy, CURLOPT_OPENSOCKETDATA, t);
}

void task_detach(struct task *t)
{
    if (t->h)
        t->h->trace = NULL;
    t->h = NULL;
}

static int64_t task_info_off(CURL *h, CURLINFO what)
{
    curl_off_t v = 0;
    curl_easy_getinfo(h, what, &v);
    return (int64_t)v;
}

/* Write what the attempt traced (-v, -D). */
static void task_trace_flush(struct task *t, const struct task_common *tc)
{
    trace_flush(&t->trace, t->seq, tc->redact, tc->trace_fd, tc->cfg->dump_header_fd);
}

/* How the request changes for the next hop, after STATUS (libcurl's
 * rules): 301, 302 and 303 turn a body into a GET, 303 anything but HEAD
 * (a -X method stays, as in libcurl). */
static void task_hop_method(struct task *t, long status, CURL *easy)
{
    bool nobody = !strcasecmp(t->method, "HEAD");
    bool body = !nobody && strcasecmp(t->method, "GET") != 0;
    if (nobody || !body)
        return;
    if (status == 301 || status == 302 || status == 303)
        TASK_SET(easy, CURLOPT_HTTPGET, 1L);
}

/* The -H (and spec) headers but Authorization and Cookie, for T's hops to
 * another origin. */
static struct curl_slist *task_cross_headers(struct task *t, const struct task_common *tc)
{
    if (!t->spec.url)
        return tc->cross_headers;
    if (!t->hop_headers)
        for (struct curl_slist *l = t->spec_headers; l; l = l->next) {
            size_t n = spec_header_name_len(l->data);
            if (!spec_header_named(l->data, "authorization", n) &&
                !spec_header_named(l->data, "cookie", n) &&
                !(t->hop_headers = curl_slist_append(t->hop_headers, l->data)))
                log_die(LOG_EXIT_INTERNAL, "out of memory");
        }
    return t->hop_headers;
}

bool task_follow(struct task *t, const struct task_common *tc, CURLcode *result, int64_t now)
{
    if (!t->self_follow || *result != CURLE_OK)
        return false;
    CURL *easy = t->h->easy;
    long code = 0;
    char *loc = NULL;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &loc);
    if (!loc || code < 300 || code > 308 || (code >= 304 && code <= 306))
        return false;
    long max = tc->cfg->max_redirs;
    if (max >= 0 && t->hops >= max) {
        *result = CURLE_TOO_MANY_REDIRECTS;
        snprintf(t->h->errbuf, CURL_ERROR_SIZE, "Maximum (%ld) redirects followed", max);
        return false;
    }
    struct buf prev = {0}; /* for ;auto: the URL that redirected */
    char *eff = NULL;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &eff);
    buf_adds(&prev, eff ? eff : "");
    CURLU *u = task_curlu(t);
    unsigned flags = tc->cfg->path_as_is ? CURLU_PATH_AS_IS : 0;
    if (curl_url_set(u, CURLUPART_URL, loc, flags) != CURLUE_OK) {
        buf_free(&prev);
        *result = CURLE_URL_MALFORMAT;
        snprintf(t->h->errbuf, CURL_ERROR_SIZE, "the redirect's Location is not a URL");
        return false;
    }
    char *scheme = NULL;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    bool http = scheme && (!strcasecmp(scheme, "http") || !strcasecmp(scheme, "https"));
    if (!http) {
        snprintf(t->h->errbuf, CURL_ERROR_SIZE,
                 "a redirect to %s: (only http and https are followed)", scheme ? scheme : "?");
        curl_free(scheme);
        buf_free(&prev);
        *result = CURLE_UNSUPPORTED_PROTOCOL;
        return false;
    }
    curl_free(scheme);
    task_trace_flush(t, tc);
    /* the hop's times add up as libcurl adds up its redirects' */
    static const CURLINFO times[] = {CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T,
                                     CURLINFO_APPCONNECT_TIME_T, CURLINFO_STARTTRANSFER_TIME_T};
    for (size_t i = 0; i < 4; i++)
        t->hop_times[i] += task_info_off(easy, times[i]);
    long connects = 0;
    curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &connects);
    t->hop_connects += connects;
    t->hops++;
    t->t_hop = now;
    task_sockets_reset(t); /* --deny-private judges the new hop's connection */
    struct buf origin = {0};
    task_origin_of(u, &origin);
    bool same = origin.len == t->origin.len && !memcmp(origin.p, t->origin.p, origin.len);
    buf_free(&origin);
    TASK_SET(easy, CURLOPT_HTTPHEADER, same ? task_headers(t, tc) : task_cross_headers(t, tc));
    TASK_SET(easy, CURLOPT_USERPWD, same ? tc->cfg->user : NULL);
    TASK_SET(easy, CURLOPT_XOAUTH2_BEARER, same ? tc->cfg->oauth2_bearer : NULL);
    if (tc->autoreferer) {
        CURLU *r = curl_url();
        char *ref = NULL;
        if (r && curl_url_set(r, CURLUPART_URL, prev.p, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
            curl_url_set(r, CURLUPART_USER, NULL, 0);
            curl_url_set(r, CURLUPART_PASSWORD, NULL, 0);
            curl_url_set(r, CURLUPART_FRAGMENT, NULL, 0);
            curl_url_get(r, CURLUPART_URL, &ref, 0);
        }
        TASK_SET(easy, CURLOPT_REFERER, ref);
        curl_free(ref);
        curl_url_cleanup(r);
    }
    buf_free(&prev);
    task_hop_method(t, code, easy);
    task_set_url(easy, u);
    t->h->custom = true; /* the next task sets its own request options again */
    t->h->errbuf[0] = '\0';
    task_begin_body(t, tc); /* the redirect's body is not the response's */
    return true;
}

enum record_kind task_classify(CURLcode code, long http_code, bool too_large)
{
    if (too_large)
        return KIND_TOO_LARGE;
    switch ((int)code) {
    case CURLE_OK:
        return (http_code >= 200 && http_code < 400) ? KIND_NONE : KIND_HTTP;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return KIND_DNS;
    case CURLE_COULDNT_CONNECT:
        return KIND_CONNECT;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
        return http_code > 0 ? KIND_PROTOCOL : KIND_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return KIND_TIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:
        return KIND_TOO_LARGE;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_PARTIAL_FILE:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2_STREAM:
        return KIND_PROTOCOL;
    case CURLE_SSL_CONNECT_ERROR:
    case 51: /* CURLE_PEER_FAILED_VERIFICATION before 7.62 */
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return KIND_TLS;
    case CURLE_ABORTED_BY_CALLBACK:
        return KIND_CANCELLED;
    default:
        return KIND_OTHER;
    }
}

static const char *task_http_version(long v)
{
    switch (v) {
    case CURL_HTTP_VERSION_1_0:
        return "1.0";
    case CURL_HTTP_VERSION_1_1:
        return "1.1";
    case CURL_HTTP_VERSION_2_0:
        return "2";
    case CURL_HTTP_VERSION_3:
        return "3";
    default:
        return NULL;
    }
}

/* The scheme libcurl used, in lower case as URLs write it (libcurl before
 * 8.8 says "HTTP"); only http and https are fetched. */
static const char *task_scheme(const char *s)
{
    if (s && !strcasecmp(s, "https"))
        return "https";
    if (s && !strcasecmp(s, "http"))
        return "http";
    return NULL;
}

/* The record fields libcurl reports as they are (the field table's
 * CURLINFO column), in one loop; an empty string is null. */
static void task_getinfo(CURL *h, struct record *r)
{
    size_t n;
    const struct field *f = field_table(&n);
    for (const struct field *end = f + n; f < end; f++) {
        if (f->info == CURLINFO_NONE)
            continue;
        switch (f->info & CURLINFO_TYPEMASK) {
        case CURLINFO_LONG: {
            long v = 0;
            curl_easy_getinfo(h, f->info, &v);
            *(long *)field_at(f, r) = v;
            break;
        }
        case CURLINFO_OFF_T: {
            curl_off_t v = 0;
            curl_easy_getinfo(h, f->info, &v);
            *(int64_t *)field_at(f, r) = (int64_t)v;
            break;
        }
        case CURLINFO_STRING: {
            char *v = NULL;
            curl_easy_getinfo(h, f->info, &v);
            *(const char **)field_at(f, r) = v && *v ? v : NULL;
            break;
        }
        default: /* test_field checks that the table has no other kind */
            assert(!"a CURLINFO type the record has no member for");
        }
    }
}

/* The INDEX-th value of response header NAME, for the checks. */
static const char *task_header(void *arg, const char *name, size_t index)
{
    return headers_get(arg, name, index);
}

/* Evaluate the status and the expectations of a transfer that got its
 * response; sets R's kind (http or check) and checks. */
static void task_checks(struct task *t, const struct task_common *tc, long code, struct record *r)
{
    const struct check_spec *spec = t->checks ? t->checks : tc->cfg->checks;
    if (!spec)
        return; /* task_classify already applied 2xx/3xx */
    bool status_ok = check_status_ok(spec, code);
    struct check_response resp = {
        .http_code = code,
        .time_total = r->time_total,
        .size_download = r->size_download,
        .header = task_header,
        .header_arg = &t->hdrs,
        .jq_holds = t->jq.status == JQW_HOLDS,
        .jq_actual = tc->jq ? buf_str(&t->jq.actual) : "jq is not available",
    };
    const struct check_failure *failed;
    size_t nfailed = check_evaluate(spec, &t->cs, &resp, &failed);
    r->checks = failed;
    r->nchecks = nfailed;
    if (!status_ok && !check_spec_has_status(spec))
        r->kind = KIND_HTTP;
    else if (!status_ok || nfailed > 0)
        r->kind = KIND_CHECK;
    else
        r->kind = KIND_NONE;
    if (r->kind == KIND_CHECK) { /* name the failed checks */
        buf_clear(&t->message);
        buf_adds(&t->message, nfailed == 1 ? "failed check:" : "failed checks:");
        for (size_t i = 0; i < nfailed; i++) {
            buf_addc(&t->message, ' ');
            buf_adds(&t->message, failed[i].check);
        }
    }
}

/* The response headers as a JSON object (headers_json: a repeated name's
 * values joined with ", ", secrets as "***"), in one pass over what the
 * header callback collected. */
static const char *task_headers_json(struct task *t)
{
    buf_clear(&t->headers_json);
    headers_json(&t->hdrs, &t->headers_json);
    return t->headers_json.p;
}

/* How the attempt behind T->rec ended, for the retry policy; the
 * Retry-After header only when the run retries and it failed. */
static void task_outcome(struct task *t, const struct task_common *tc, CURLcode result)
{
    const struct record *r = &t->rec;
    bool retries = tc->cfg->retries > 0;
    t->outcome = (struct retry_attempt){
        .kind = r->kind,
        .curl_code = (long)result,
        .http_code = r->http_code,
        .idempotent = retries && retry_idempotent(r->method),
        .attempts = t->attempts,
        .retry_after_ms = -1,
        .local = (t->local_errno != 0 && r->kind == KIND_OTHER) || r->kind == KIND_DENIED,
    };
    struct curl_header *h = NULL;
    if (retries && !r->ok && r->http_code > 0 &&
        curl_easy_header(t->h->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
        t->outcome.retry_after_ms = retry_parse_after(h->value, time(NULL));
}

/* The checks of T (when it has any) are in; the rest of T->rec and
 * T->outcome. */
static void task_complete(struct task *t, const struct task_common *tc, CURLcode result)
{
    const struct config *cfg = tc->cfg;
    struct record *r = &t->rec;
    long code = r->http_code;
    if (cfg->output_dir && code == 0) /* no response: no file, as curl does */
        unlink(t->filename.p);
    else if (cfg->output_dir && !t->write_failed)
        r->filename_effective = t->filename.p;
    if (cfg->include_headers && code > 0)
        r->headers_json = task_headers_json(t);
    if (t->collect_headers && code > 0)
        r->response_headers = &t->hdrs;
    if (cfg->sha256 && result == CURLE_OK)
        r->body_sha256 = check_state_sha256_hex(&t->cs);
    if (cfg->include_body) {
        r->has_body = true;
        r->body = check_state_body(&t->cs, &r->body_len, &r->body_truncated);
    }
    r->ok = r->kind == KIND_NONE;
    if (r->error_message) {
        /* set above */
    } else if (r->kind == KIND_HTTP) {
        r->error_message = "HTTP status outside 2xx/3xx";
    } else if (r->kind == KIND_CHECK) {
        r->error_message = t->message.p;
    } else if (r->kind == KIND_TOO_LARGE) {
        r->error_code = CURLE_FILESIZE_EXCEEDED;
        r->error_message = "body larger than --max-filesize";
    } else if (r->kind != KIND_NONE) {
        r->error_code = (long)result;
        r->error_message = t->h->errbuf[0] ? t->h->errbuf : curl_easy_strerror(result);
    }
    task_outcome(t, tc, result);
}

bool task_finish(struct task *t, const struct task_common *tc, CURLcode result, int64_t now)
{
    (void)now;
    struct record *r = &t->rec;
    CURL *h = t->h->easy;
    memset(r, 0, sizeof *r); /* nothing of an earlier attempt */
    task_record_base(t, tc);
    task_getinfo(h, r);
    long code = r->http_code, ver = 0, redirects = r->num_redirects;
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &ver);
    r->http_version = code > 0 ? task_http_version(ver) : NULL;
    char *eff = NULL, *scheme = NULL;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
    if (eff && (redirects > 0 || t->hops > 0 || t->query)) {
        buf_clear(&t->effective);
        url_redact(eff, &t->effective);
        r->url_effective = t->effective.p;
    }
    if (t->hops > 0) { /* volley followed: the chain's numbers, as libcurl counts its own */
        int64_t before = t->t_hop - t->t_attempt;
        r->num_redirects += t->hops;
        r->num_connects += t->hop_connects;
        r->time_redirect = before;
        r->time_total += before;
        r->time_namelookup += t->hop_times[0];
        r->time_connect += t->hop_times[1];
        r->time_appconnect += t->hop_times[2];
        r->time_starttransfer += t->hop_times[3];
    }
    task_trace_flush(t, tc);
    if (r->redirect_url) { /* its password, as libcurl's parse finds it */
        buf_clear(&t->redirect);
        url_redact(r->redirect_url, &t->redirect);
        r->redirect_url = t->redirect.p;
    }
    curl_easy_getinfo(h, CURLINFO_SCHEME, &scheme);
    r->scheme = task_scheme(scheme);
    r->time_queue = t->t_first - t->t_read;

    const struct config *cfg = tc->cfg;
    if (t->out_fd >= 0) {
        close(t->out_fd);
        t->out_fd = -1;
    }
    r->kind = task_classify(result, code, t->too_large);
    if (result == CURLE_URL_MALFORMAT && redirects == 0) {
        /* a URL libcurl's parser took but its transfer refused (an invalid
         * international host name, say): the line is not fetchable */
        r->kind = KIND_INPUT;
        r->attempts = 0;
    }
    if (result == CURLE_COULDNT_CONNECT && t->sock_denied > 0 && t->sock_made == 0 &&
        t->sock_hop == redirects) {
        /* every address of the connection was refused by --deny-private */
        r->kind = KIND_DENIED;
        buf_clear(&t->message);
        buf_adds(&t->message, "refused by --deny-private: ");
        buf_adds(&t->message, buf_str(&t->denied));
        if (t->sock_denied > 1)
            buf_addf(&t->message, " and %d more address%s", t->sock_denied - 1,
                     t->sock_denied > 2 ? "es" : "");
        r->error_message = t->message.p;
    } else if (t->local_errno && result != CURLE_OK && r->kind != KIND_CANCELLED) {
        /* out of file descriptors here: not the remote host's failure */
        r->kind = KIND_OTHER;
        r->error_code = (long)result;
        buf_clear(&t->message);
        buf_adds(&t->message, "too many open files (");
        buf_adds(&t->message, t->write_failed && result == CURLE_WRITE_ERROR
                                  ? "cannot create the --output-dir file"
                              : t->h->errbuf[0] ? t->h->errbuf
                                                : curl_easy_strerror(result));
        buf_addc(&t->message, ')');
        r->error_message = t->message.p;
    } else if (t->write_failed && result == CURLE_WRITE_ERROR) {
        r->kind = KIND_OTHER;
        r->error_code = (long)result;
        r->error_message = "cannot write the body to --output-dir";
    } else if (result == CURLE_OK) {
        const struct check_spec *spec = t->checks ? t->checks : cfg->checks;
        if (tc->jq && check_spec_jq(spec)) { /* the checks wait for the worker */
            t->result = result;
            return true;
        }
        task_checks(t, tc, code, r);
    }
    task_complete(t, tc, result);
    return false;
}

void task_jq_submit(struct task *t, const struct task_common *tc, struct event *done)
{
    const struct check_spec *spec = t->checks ? t->checks : tc->cfg->checks;
    size_t len;
    bool cut;
    const char *body = check_state_body(&t->cs, &len, &cut);
    t->jq_waiting = true;
    jqw_submit(tc->jq, &t->jq, check_spec_jq(spec), body, len, cut, done);
}

void task_jq_done(struct task *t, const struct task_common *tc)
{
    t->jq_waiting = false;
    task_checks(t, tc, t->rec.http_code, &t->rec);
    task_complete(t, tc, t->result);
}

bool task_jq_waiting(const struct task *t)
{
    return t->jq_waiting;
}

void task_jq_cancel(struct task *t, const struct task_common *tc)
{
    if (!t->jq_waiting)
        return;
    jqw_cancel(tc->jq, &t->jq);
    t->jq_waiting = false;
}

void task_cancelled(struct task *t, const struct task_common *tc, const char *why, bool aborted,
                    int64_t now)
{
    /* nothing of an earlier attempt: its strings lived in a handle that
     * another task may be using by now */
    memset(&t->rec, 0, sizeof t->rec);
    task_record_base(t, tc);
    if (aborted)
        task_trace_flush(t, tc);
    else
        trace_clear(&t->trace);
    struct record *r = &t->rec;
    r->kind = KIND_CANCELLED;
    r->error_code = aborted ? (long)CURLE_ABORTED_BY_CALLBACK : -1;
    r->error_message = why;
    if (t->t_first) {
        r->time_queue = t->t_first - t->t_read;
        if (aborted)
            r->time_total = now - t->t_attempt;
    }
}
