/* task: input line → task, easy-handle setup from the config, the counting
 * write callback, and the record of one URL's result. */
#include "task.h"
#include "clock.h"
#include "field.h"
#include "resume.h"
#include "log.h"
#include "output.h"
#include "url.h"

#include <assert.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
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

/* Only buffers: the header lines, when they are wanted. */
size_t task_header_line(char *ptr, size_t size, size_t nitems, void *arg)
{
    struct task *t = arg;
    size_t n = size * nitems;
    if (t->collect_headers)
        headers_feed(&t->hdrs, ptr, n);
    return n;
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
    memset(&t->rec, 0, sizeof t->rec);
}

void task_free(struct task *t)
{
    url_checker_free(t->parsed);
    fragment_check_free(t->frag);
    spec_clear(&t->spec);
    curl_slist_free_all(t->spec_headers);
    check_spec_free(t->checks);
    check_state_free(&t->cs);
    headers_free(&t->hdrs);
    buf_free(&t->headers_json);
    buf_free(&t->message);
    buf_free(&t->filename);
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
    if (t->link) {
        r->sources = t->link->sources;
        r->nsources = t->link->nsources;
    }
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
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < cfg->nheaders; i++) {
        const char *h = cfg->headers[i];
        size_t n = spec_header_name_len(h);
        bool replaced = false;
        for (size_t j = 0; j < sp->nheaders && !replaced; j++)
            replaced = spec_header_named(sp->headers[j], h, n);
        if (!replaced && !(l = curl_slist_append(l, h)))
            log_die(LOG_EXIT_INTERNAL, "out of memory");
    }
    for (size_t j = 0; j < sp->nheaders; j++)
        if (!(l = curl_slist_append(l, sp->headers[j])))
            log_die(LOG_EXIT_INTERNAL, "out of memory");
    t->spec_headers = l;
    if (sp->nexpect) {
        struct check_spec *line = check_spec_new();
        for (size_t i = 0; i < sp->nexpect; i++)
            if (!check_spec_set_cached(line, tc->check_cache, sp->expect[2 * i],
                                       sp->expect[2 * i + 1], err)) {
                check_spec_free(line);
                return false;
            }
        t->checks = check_spec_override(cfg->checks, line);
        check_spec_free(line);
    }
    const char *data = sp->data ? sp->data : cfg->data;
    t->method = task_common_method(sp->method ? sp->method : cfg->method, data != NULL, cfg->head);
    if (data && strcasecmp(t->method, "HEAD") == 0) {
        buf_adds(err, "a HEAD request cannot send data");
        return false;
    }
    return true;
}

/* Fill T->rec for a line that is not fetchable: WHY (static or in T's
 * message) and TEXT (LEN bytes) shown clipped and redacted. */
static bool task_reject(struct task *t, const struct task_common *tc, const char *why,
                        const char *text, size_t len)
{
    buf_clear(&t->shown);
    url_clip(text, len, &t->shown);
    task_record_base(t, tc);
    t->rec.kind = KIND_INPUT;
    t->rec.error_message = why;
    return false;
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
        return task_reject(t, tc, "line longer than 64 KiB", l->text, l->len);
    const char *url = l->text;
    size_t len = l->len;
    if (l->text[0] == '{') { /* a JSON request spec */
        struct spec sp;
        buf_clear(&t->message);
        if (!spec_parse(l->text, l->len, &sp, &t->message) ||
            !task_set_spec(t, tc, &sp, &t->message))
            return task_reject(t, tc, buf_str(&t->message), l->text, l->len);
        url = t->spec.url;
        len = strlen(url);
    }
    if (!t->parsed)
        t->parsed = url_checker_new();
    const char *why = url_prepare(t->parsed, url, len, tc->cfg->proto_default, &t->url);
    if (why)
        return task_reject(t, tc, why, url, len);
    if (url_has_password(t->url.p))
        url_redact(t->url.p, &t->shown);
    return true;
}

/* Set the request options (method, data, headers) of T on H: the spec's
 * when T has one, else the run's, which a handle carries from its making
 * until it runs a spec's request. */
static void task_apply_request(struct task *t, const struct task_common *tc, struct task_handle *h)
{
    const struct config *cfg = tc->cfg;
    if (!t->spec.url && !h->custom)
        return; /* the handle already carries the run's options */
    CURL *easy = h->easy;
    const struct spec *sp = &t->spec;
    const char *method = t->method;
    const char *data = sp->url && sp->data ? sp->data : cfg->data;
    size_t data_len = sp->url && sp->data ? sp->data_len : cfg->data_len;
    bool head = strcasecmp(method, "HEAD") == 0;
    TASK_SET(easy, CURLOPT_HTTPGET, 1L); /* clears POST and NOBODY */
    if (data) {
        TASK_SET(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)data_len);
        TASK_SET(easy, CURLOPT_POSTFIELDS, data);
    }
    TASK_SET(easy, CURLOPT_NOBODY, head ? 1L : 0L);
    /* a custom method only where it differs from what the data implies, so
     * -L turns a POST into a GET after 301/302/303 as curl does */
    bool natural =
        head || (data ? strcasecmp(method, "POST") == 0 : strcasecmp(method, "GET") == 0);
    TASK_SET(easy, CURLOPT_CUSTOMREQUEST,
             natural && !(sp->url ? sp->method : cfg->method) ? NULL : method);
    TASK_SET(easy, CURLOPT_HTTPHEADER, sp->url ? t->spec_headers : tc->headers);
    h->custom = sp->url != NULL;
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
        const char *u = strstr(t->url.p, "://");
        u = u ? u + 3 : t->url.p;
        const char *at = strchr(u, '@'); /* never a password in a file name */
        if (at && at < u + strcspn(u, "/?#"))
            u = at + 1;
        size_t n = 0;
        for (; *u && *u != '?' && *u != '#' && n < 120; u++, n++) {
            char c = *u;
            bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '-';
            buf_addc(&t->filename, safe ? c : '_');
        }
    }
    t->out_fd = open(t->filename.p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (t->out_fd < 0)
        t->write_failed = true;
}

/* --check-fragments: T's link has fragments to look for in the body. */
static bool task_fragments_wanted(const struct task *t, const struct task_common *tc)
{
    return tc->cfg->check_fragments && t->link && t->link->nfragments > 0;
}

void task_attach(struct task *t, const struct task_common *tc, struct task_handle *h, int64_t now)
{
    task_apply_request(t, tc, h);
    CURL *easy = h->easy;
    t->h = h;
    t->max_filesize = tc->cfg->max_filesize;
    t->attempts++;
    if (!t->t_first) {
        t->t_first = now;
        t->t_first_wall = clock_wall_ms();
    }
    t->t_attempt = now;
    t->body_bytes = 0;
    t->too_large = false;
    h->errbuf[0] = '\0';
    const struct config *cfg = tc->cfg;
    const struct check_spec *checks = t->checks ? t->checks : cfg->checks;
    bool keep = cfg->include_body || task_fragments_wanted(t, tc);
    if (checks || cfg->sha256 || keep)
        check_state_begin(&t->cs, checks, (size_t)cfg->max_body, cfg->sha256, keep);
    headers_reset(&t->hdrs);
    t->collect_headers = cfg->include_headers || check_spec_has_headers(checks) ||
                         output_template_headers(cfg->tmpl);
    TASK_SET(easy, CURLOPT_HEADERDATA, t);
    if (cfg->output_dir)
        task_open_output(t, cfg->output_dir);
    TASK_SET(easy, CURLOPT_CURLU, url_checker_handle(t->parsed));
    /* Wait for a connection that may multiplex (HTTP/2) only where one can:
     * over TLS (ALPN) or with prior knowledge. On plain http:// libcurl would
     * hold every request to a host until the first response came back. */
    bool tls = url_is_https(t->url.p);
    if (strcmp(tc->proxy_http, tc->proxy_https) != 0) /* set per scheme only when they differ */
        TASK_SET(easy, CURLOPT_PROXY, tls ? tc->proxy_https : tc->proxy_http);
    TASK_SET(easy, CURLOPT_PIPEWAIT,
             (long)((tls && tc->cfg->http != HTTPV_1_1) || tc->cfg->http == HTTPV_2_PRIOR));
    TASK_SET(easy, CURLOPT_WRITEDATA, t);
}

void task_detach(struct task *t)
{
    t->h = NULL;
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

/* --check-fragments, after every other check held: the link's fragments
 * must be anchors of a 2xx body that is HTML or Markdown (fragment.h); a
 * missing one fails R with a "fragment" check. Bodies of other types are
 * not checked. */
static void task_fragments(struct task *t, const struct task_common *tc, struct record *r)
{
    enum links_format fmt;
    if (r->kind != KIND_NONE || r->http_code < 200 || r->http_code > 299 ||
        !task_fragments_wanted(t, tc) ||
        !fragment_body_format(r->content_type, r->url_effective, &fmt))
        return;
    size_t len;
    bool truncated;
    const char *body = check_state_body(&t->cs, &len, &truncated);
    if (!t->frag)
        t->frag = fragment_check_new();
    const struct check_failure *failed;
    size_t n = fragment_check_document(t->frag, body, len, fmt, t->link->fragments,
                                       t->link->nfragments, truncated ? len : 0, &failed);
    if (n == 0)
        return;
    r->kind = KIND_CHECK;
    r->checks = failed;
    r->nchecks = n;
    r->error_message = fragment_message(failed, n, &t->message);
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
    };
    struct curl_header *h = NULL;
    if (retries && !r->ok && r->http_code > 0 &&
        curl_easy_header(t->h->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h)
        t->outcome.retry_after_ms = retry_parse_after(h->value, time(NULL));
}

void task_finish(struct task *t, const struct task_common *tc, CURLcode result, int64_t now)
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
    if (eff && redirects > 0) {
        buf_clear(&t->effective);
        url_redact(eff, &t->effective);
        r->url_effective = t->effective.p;
    }
    if (r->redirect_url && url_has_password(r->redirect_url)) {
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
    if (t->write_failed && result == CURLE_WRITE_ERROR) {
        r->kind = KIND_OTHER;
        r->error_code = (long)result;
        r->error_message = "cannot write the body to --output-dir";
    } else if (result == CURLE_OK) {
        task_checks(t, tc, code, r);
        task_fragments(t, tc, r);
    }
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

void task_cancelled(struct task *t, const struct task_common *tc, const char *why, bool aborted,
                    int64_t now)
{
    /* nothing of an earlier attempt: its strings lived in a handle that
     * another task may be using by now */
    memset(&t->rec, 0, sizeof t->rec);
    task_record_base(t, tc);
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
