/* task_result: libcurl's result → one URL's record: the error kind
 * (task_classify, the contract's table), the CURLINFO values of the field
 * table, the checks and fragments, the outcome the retry policy reads
 * (Retry-After included), the jq checks' hand-off to jqw, and the record of
 * a cancelled task. */
#include "task.h"
#include "task_impl.h"
#include "field.h"
#include "output.h"
#include "url.h"

#include <assert.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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
    case CURLE_OBSOLETE51: /* CURLE_PEER_FAILED_VERIFICATION before 7.62 */
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

/* --check-fragments, after every other check held: the link's fragments
 * must be anchors of the run's own document at that URL (--base), else of
 * a 2xx body that is HTML or Markdown (fragment.h); a missing one fails R
 * with a "fragment" check. Bodies of other types are not checked. */
static void task_fragments(struct task *t, const struct task_common *tc, struct record *r)
{
    enum links_format fmt;
    if (r->kind != KIND_NONE || r->http_code < 200 || r->http_code > 299 ||
        !task_fragments_wanted(t, tc))
        return;
    const struct record_link *l = t->link;
    if (!t->frag)
        t->frag = fragment_check_new();
    const struct check_failure *failed;
    size_t n;
    if (l->anchors) {
        n = fragment_check_anchors(t->frag, l->anchors, l->nanchors, l->fragments, l->nfragments, 0,
                                   &failed);
    } else if (fragment_body_format(r->content_type, r->url_effective, &fmt)) {
        size_t len;
        bool truncated;
        const char *body = check_state_body(&t->cs, &len, &truncated);
        n = fragment_check_document(t->frag, body, len, fmt, l->fragments, l->nfragments,
                                    truncated ? len : 0, &failed);
    } else {
        return;
    }
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
    if (result == CURLE_OK) /* after every other check (and a jq answer) */
        task_fragments(t, tc, r);
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
