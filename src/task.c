/* task: one task's life (init, reset, free), libcurl's callbacks (the
 * counting write callback, headers, the socket opener that --deny-private
 * asks), the per-attempt options on a pooled easy handle, and the
 * redirects volley follows itself. An input line becomes a task in
 * task_line.c; libcurl's result becomes a record in task_result.c. */
#include "task.h"
#include "task_impl.h"
#include "clock.h"
#include "deny.h"
#include "log.h"
#include "output.h"
#include "url.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
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
    if (fd == CURL_SOCKET_BAD && (errno == EMFILE || errno == ENFILE)) {
        t->local_errno = errno; /* a local limit, not the remote host's failure */
    } else if (fd != CURL_SOCKET_BAD) {
        t->sock_made++;
        /* a socket after all (others' transfers ended meanwhile, in this
         * loop or another): what happens next is not the limit's doing */
        t->local_errno = 0;
    }
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
    t->link = NULL;
    t->jq_waiting = false; /* the scheduler cancels a request before it resets */
    memset(&t->rec, 0, sizeof t->rec);
}

void task_free(struct task *t)
{
    jqw_req_free(&t->jq);
    url_checker_free(t->parsed);
    fragment_check_free(t->frag);
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
const char *task_shown_url(struct task *t)
{
    return t->shown.len ? t->shown.p : buf_str(&t->url);
}

const char *task_shown_method(const struct task *t, const struct task_common *tc)
{
    return t->method ? t->method : tc->method;
}

void task_record_base(struct task *t, const struct task_common *tc)
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
    if (t->link) {
        r->sources = t->link->sources;
        r->nsources = t->link->nsources;
    }
}

CURLU *task_curlu(const struct task *t)
{
    return url_checker_handle(t->parsed);
}

/* "scheme://host:port" of U (lower case, the port always), into DST. */
void task_origin_of(CURLU *u, struct buf *dst)
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

/* Fetch U next on EASY. libcurl 7.88 connects to what U says, but makes
 * its URL string from U again only when it has none left from the last
 * transfer (or one it made following a redirect): until then
 * CURLINFO_EFFECTIVE_URL and the -e ;auto Referer name the last transfer's
 * URL. FRESH clears that string first, for the transfers that read it
 * before a redirect of libcurl's own set it (a query volley added, its own
 * following, an automatic Referer); making it costs libcurl a URL build
 * and parse, about 10 % of a plain transfer, so the others skip it. */
static void task_set_url(CURL *easy, CURLU *u, bool fresh)
{
    if (fresh)
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

/* --check-fragments: T's link has fragments to look for. */
bool task_fragments_wanted(const struct task *t, const struct task_common *tc)
{
    return tc->cfg->check_fragments && t->link && t->link->nfragments > 0;
}

/* ... in the body: the link is not one of the run's own documents. */
static bool task_fragments_in_body(const struct task *t, const struct task_common *tc)
{
    return task_fragments_wanted(t, tc) && !t->link->anchors;
}

static void task_begin_body(struct task *t, const struct task_common *tc)
{
    const struct config *cfg = tc->cfg;
    t->body_bytes = 0;
    t->too_large = false;
    const struct check_spec *checks = t->checks ? t->checks : cfg->checks;
    bool keep = cfg->include_body || task_fragments_in_body(t, tc); /* the body is read for them */
    if (checks || cfg->sha256 || keep)
        check_state_begin(&t->cs, checks, (size_t)cfg->max_body, cfg->sha256, keep);
    headers_reset(&t->hdrs);
    t->collect_headers = cfg->include_headers || check_spec_has_headers(checks) ||
                         output_template_headers(cfg->tmpl);
    if (cfg->output_dir)
        task_open_output(t, cfg->output_dir);
}

void task_attach(struct task *t, const struct task_common *tc, struct task_handle *h, long rbuf,
                 int64_t now)
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
    if (h->rbuf != rbuf) {
        TASK_SET(easy, CURLOPT_BUFFERSIZE, rbuf);
        h->rbuf = rbuf;
    }
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
    task_set_url(easy, task_curlu(t), t->query || t->self_follow || tc->autoreferer);
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
void task_trace_flush(struct task *t, const struct task_common *tc)
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
    task_set_url(easy, u, true);
    t->h->custom = true; /* the next task sets its own request options again */
    t->h->errbuf[0] = '\0';
    task_begin_body(t, tc); /* the redirect's body is not the response's */
    return true;
}
