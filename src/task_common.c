/* task_common: the run-wide request options, read once, and the easy
 * handles made with them. */
#include "task_common.h"
#include "form.h"
#include "task.h"
#include "trace.h"
#include "deny.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *task_common_method(const char *given, bool data, bool head)
{
    return given ? given : data ? "POST" : head ? "HEAD" : "GET";
}

static struct curl_slist *task_common_append(struct curl_slist *l, const char *s)
{
    struct curl_slist *t = curl_slist_append(l, s);
    if (!t)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return t;
}

static struct curl_slist *task_common_slist(char *const *items, size_t n)
{
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < n; i++)
        l = task_common_append(l, items[i]);
    return l;
}

/* The value of LOWER, else of UPPER (may be NULL), when set and not empty;
 * the name it came from into *FROM (may be NULL). */
static const char *task_common_env(const char *lower, const char *upper, const char **from)
{
    const char *name = lower, *v = getenv(lower);
    if ((!v || !*v) && upper)
        v = getenv(name = upper);
    if (from)
        *from = v && *v ? name : NULL;
    return v && *v ? v : NULL;
}

/* The proxy rules libcurl applies, read once: -x for every scheme, else
 * http_proxy (lower case only) for http, https_proxy or HTTPS_PROXY for
 * https, all_proxy or ALL_PROXY for both; --noproxy, else no_proxy or
 * NO_PROXY, exempts hosts.
 * Each proxy ("" for none) and where it came from (NULL: none). */
static void task_common_proxy_env(const struct config *cfg, const char **http, const char **https,
                                  const char **from_http, const char **from_https)
{
    if (cfg->proxy) {
        *http = *https = cfg->proxy;
        *from_http = *from_https = *cfg->proxy ? "-x" : NULL;
        return;
    }
    const char *all_from, *h_from, *hs_from;
    const char *all = task_common_env("all_proxy", "ALL_PROXY", &all_from);
    const char *h = task_common_env("http_proxy", NULL, &h_from);
    const char *hs = task_common_env("https_proxy", "HTTPS_PROXY", &hs_from);
    *http = h ? h : all ? all : "";
    *https = hs ? hs : all ? all : "";
    *from_http = h ? h_from : all_from;
    *from_https = hs ? hs_from : all_from;
}

const char *task_common_proxy_origin(const struct config *cfg)
{
    const char *http, *https, *from_http, *from_https;
    task_common_proxy_env(cfg, &http, &https, &from_http, &from_https);
    const char *no = cfg->noproxy ? cfg->noproxy : task_common_env("no_proxy", "NO_PROXY", NULL);
    if (no && !strcmp(no, "*"))
        return NULL; /* every host exempted, -x's too (CURLOPT_NOPROXY) */
    return from_http ? from_http : from_https;
}

static void task_common_proxies(struct task_common *tc)
{
    const char *from_http, *from_https;
    task_common_proxy_env(tc->cfg, &tc->proxy_http, &tc->proxy_https, &from_http, &from_https);
    const char *no = task_common_env("no_proxy", "NO_PROXY", NULL);
    tc->noproxy = tc->cfg->noproxy ? tc->cfg->noproxy : no ? no : "";
}

bool task_common_host_matches(const char *pattern, const char *host, size_t len)
{
    if (len && host[len - 1] == '.')
        len--;
    if (pattern[0] == '*' && pattern[1] == '.') {
        size_t n = strlen(pattern + 1); /* ".domain" */
        return len > n && !strncasecmp(host + len - n, pattern + 1, n);
    }
    return strlen(pattern) == len && !strncasecmp(host, pattern, len);
}

/* The --header-for list: patterns in lower case, without a trailing dot. */
static void task_common_header_for(struct task_common *tc)
{
    const struct config *cfg = tc->cfg;
    tc->nheader_for = cfg->nheader_for;
    tc->header_for = log_calloc(cfg->nheader_for + 1, sizeof *tc->header_for);
    for (size_t i = 0; i < cfg->nheader_for; i++) {
        const char *v = cfg->header_for[i], *eq = strchr(v, '=');
        char *p = log_strndup(v, (size_t)(eq - v));
        for (char *q = p; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        size_t n = strlen(p);
        if (n && p[n - 1] == '.')
            p[n - 1] = '\0';
        tc->header_for[i] = (struct task_header_for){p, eq + 1};
    }
}

/* -b: the NAME=VALUE strings, joined as one Cookie header. */
static void task_common_cookie(struct task_common *tc)
{
    struct buf b = {0};
    for (size_t i = 0; i < tc->cfg->ncookies; i++)
        if (strchr(tc->cfg->cookies[i], '=')) {
            if (b.len)
                buf_add(&b, "; ", 2);
            buf_adds(&b, tc->cfg->cookies[i]);
        }
    tc->cookie = b.len ? log_strdup(b.p) : NULL;
    buf_free(&b);
}

/* -e URL, URL;auto or ;auto. */
static void task_common_referer(struct task_common *tc)
{
    const char *e = tc->cfg->referer;
    if (!e)
        return;
    size_t n = strlen(e);
    tc->autoreferer = n >= 5 && !strcmp(e + n - 5, ";auto");
    if (tc->autoreferer)
        n -= 5;
    tc->referer = n ? log_strndup(e, n) : NULL;
}

struct task_common *task_common_new(const struct config *cfg, const struct share *share,
                                    struct jqw *jq)
{
    struct task_common *tc = log_calloc(1, sizeof *tc);
    tc->cfg = cfg;
    tc->jq = jq;
    tc->headers = task_common_slist(cfg->headers, cfg->nheaders);
    for (size_t i = 0; i < cfg->nheaders; i++) {
        const char *h = cfg->headers[i];
        size_t n = strcspn(h, ":;");
        if (!(n == 13 && !strncasecmp(h, "authorization", n)) &&
            !(n == 6 && !strncasecmp(h, "cookie", n)))
            tc->cross_headers = task_common_append(tc->cross_headers, h);
    }
    tc->resolve = task_common_slist(cfg->resolve, cfg->nresolve);
    tc->connect_to = task_common_slist(cfg->connect_to, cfg->nconnect_to);
    tc->body = (cfg->data && !cfg->get) || cfg->form;
    tc->method = task_common_method(cfg->method, tc->body, cfg->head);
    task_common_proxies(tc);
    task_common_header_for(tc);
    task_common_cookie(tc);
    task_common_referer(tc);
    tc->redact = redact_new(cfg);
    tc->share = share_curl(share);
    tc->share_cookies = share_has_cookies(share);
    tc->httpauth = cfg->oauth2_bearer         ? (long)CURLAUTH_BEARER
                   : cfg->auth == AUTH_DIGEST ? (long)CURLAUTH_DIGEST
                   : cfg->auth == AUTH_ANY    ? (long)CURLAUTH_ANY
                                              : (long)CURLAUTH_BASIC;
    tc->trace_fd = cfg->verbose ? 2 : -1;
    tc->check_cache = check_cache_new(256);
    if (cfg->deny_private) {
        struct buf err = {0};
        if (!(tc->deny = deny_new(cfg->allow_address, cfg->nallow_address, &err)))
            log_die(LOG_EXIT_INTERNAL, "%s", buf_str(&err)); /* prepare checked them */
        buf_free(&err);
    }
    return tc;
}

void task_common_free(struct task_common *tc)
{
    if (!tc)
        return;
    curl_slist_free_all(tc->headers);
    curl_slist_free_all(tc->cross_headers);
    curl_slist_free_all(tc->resolve);
    curl_slist_free_all(tc->connect_to);
    for (size_t i = 0; i < tc->nheader_for; i++)
        free(tc->header_for[i].pattern);
    free(tc->header_for);
    free(tc->cookie);
    free(tc->referer);
    redact_free(tc->redact);
    check_cache_free(tc->check_cache);
    deny_free(tc->deny);
    free(tc);
}

void task_common_request(const struct task_common *tc, struct task_handle *h)
{
    const struct config *cfg = tc->cfg;
    CURL *easy = h->easy;
    TASK_SET(easy, CURLOPT_HTTPGET, 1L); /* clears a body and NOBODY */
    if (cfg->head)
        TASK_SET(easy, CURLOPT_NOBODY, 1L);
    if (cfg->data && !cfg->get) {
        TASK_SET(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)cfg->data_len);
        TASK_SET(easy, CURLOPT_POSTFIELDS, cfg->data);
    }
    if (h->mime)
        TASK_SET(easy, CURLOPT_MIMEPOST, h->mime);
    TASK_SET(easy, CURLOPT_CUSTOMREQUEST, cfg->method);
    TASK_SET(easy, CURLOPT_HTTPHEADER, tc->headers);
    TASK_SET(easy, CURLOPT_USERPWD, cfg->user);
    TASK_SET(easy, CURLOPT_XOAUTH2_BEARER, cfg->oauth2_bearer);
    TASK_SET(easy, CURLOPT_REFERER, tc->referer);
    h->custom = false;
}

/* The TLS options: client certificate, CAs, pinning, versions, ciphers. */
static void task_common_tls(const struct config *cfg, CURL *h)
{
    if (cfg->insecure) {
        TASK_SET(h, CURLOPT_SSL_VERIFYPEER, 0L);
        TASK_SET(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (cfg->cacert)
        TASK_SET(h, CURLOPT_CAINFO, cfg->cacert);
    if (cfg->capath)
        TASK_SET(h, CURLOPT_CAPATH, cfg->capath);
    if (cfg->cert_file)
        TASK_SET(h, CURLOPT_SSLCERT, cfg->cert_file);
    if (cfg->cert_password)
        TASK_SET(h, CURLOPT_KEYPASSWD, cfg->cert_password);
    TASK_SET(h, CURLOPT_SSLCERTTYPE, cfg->cert_type); /* as curl: the certificate's only */
    if (cfg->key)
        TASK_SET(h, CURLOPT_SSLKEY, cfg->key);
    if (cfg->pinnedpubkey)
        TASK_SET(h, CURLOPT_PINNEDPUBLICKEY, cfg->pinnedpubkey);
    if (cfg->tls_min != TLS_DEFAULT)
        TASK_SET(h, CURLOPT_SSLVERSION,
                 cfg->tls_min == TLS_1_3 ? (long)CURL_SSLVERSION_TLSv1_3
                                         : (long)CURL_SSLVERSION_TLSv1_2);
    if (cfg->ciphers)
        TASK_SET(h, CURLOPT_SSL_CIPHER_LIST, cfg->ciphers);
}

/* How connections are made: source, family, speed, keepalive. */
static void task_common_connection(const struct config *cfg, CURL *h)
{
    if (cfg->interface)
        TASK_SET(h, CURLOPT_INTERFACE, cfg->interface);
    if (cfg->local_port) {
        TASK_SET(h, CURLOPT_LOCALPORT, cfg->local_port);
        if (cfg->local_port_range)
            TASK_SET(h, CURLOPT_LOCALPORTRANGE, cfg->local_port_range);
    }
    if (cfg->ip != IP_ANY)
        TASK_SET(h, CURLOPT_IPRESOLVE,
                 cfg->ip == IP_V4 ? (long)CURL_IPRESOLVE_V4 : (long)CURL_IPRESOLVE_V6);
    if (cfg->limit_rate > 0) { /* curl's --limit-rate: both ways */
        TASK_SET(h, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)cfg->limit_rate);
        TASK_SET(h, CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)cfg->limit_rate);
    }
    /* on unless --no-keepalive, as in curl */
    TASK_SET(h, CURLOPT_TCP_KEEPALIVE, cfg->no_keepalive ? 0L : 1L);
    if (!cfg->no_keepalive) {
        long secs = (cfg->keepalive_ms + 999) / 1000;
        TASK_SET(h, CURLOPT_TCP_KEEPIDLE, secs);
        TASK_SET(h, CURLOPT_TCP_KEEPINTVL, secs);
    }
}

/* Credentials, cookies and the Referer. */
static void task_common_auth(const struct task_common *tc, CURL *h)
{
    const struct config *cfg = tc->cfg;
    if (cfg->user || cfg->oauth2_bearer)
        TASK_SET(h, CURLOPT_HTTPAUTH, tc->httpauth);
    if (cfg->user)
        TASK_SET(h, CURLOPT_USERPWD, cfg->user);
    if (cfg->oauth2_bearer)
        TASK_SET(h, CURLOPT_XOAUTH2_BEARER, cfg->oauth2_bearer);
    if (cfg->netrc || cfg->netrc_file || cfg->netrc_optional)
        TASK_SET(h, CURLOPT_NETRC,
                 cfg->netrc_optional ? (long)CURL_NETRC_OPTIONAL : (long)CURL_NETRC_REQUIRED);
    if (cfg->netrc_file)
        TASK_SET(h, CURLOPT_NETRC_FILE, cfg->netrc_file);
    if (cfg->proxy_user)
        TASK_SET(h, CURLOPT_PROXYUSERPWD, cfg->proxy_user);
    if (tc->share) /* first: the cookie store comes with it */
        TASK_SET(h, CURLOPT_SHARE, tc->share);
    if (tc->share_cookies) /* the engine on for this handle, reading no file:
                              the share loaded the -b files once (share.c) */
        TASK_SET(h, CURLOPT_COOKIEFILE, "");
    if (tc->cookie)
        TASK_SET(h, CURLOPT_COOKIE, tc->cookie);
    if (tc->referer)
        TASK_SET(h, CURLOPT_REFERER, tc->referer);
    if (tc->autoreferer)
        TASK_SET(h, CURLOPT_AUTOREFERER, 1L);
}

/* libcurl's receive buffer. 128 KiB rather than its 16 KiB lets a 100 KiB
 * body arrive in two recv() calls, not seven (and as many fewer polls and
 * write callbacks): 15-20 % less CPU per URL there. But libcurl 7.71 to
 * 8.6 (Debian 12 has 7.88) mallocs that buffer at each transfer's start and
 * frees it at its end (Curl_preconnect, multi_done; 8.7 keeps one per multi
 * handle instead), and 128 KiB chunks going round the loops' malloc arenas
 * fragment them ever more: at -j 500 over two loops the arenas grew to
 * 132 MB over 2M small URLs (RSS +3.5 MB, still growing), against 24-26 MB,
 * flat, with 16 KiB. So a loop starts its transfers with libcurl's 16 KiB,
 * and with 128 KiB for the next TASK_COMMON_BIG_SPAN transfers after one
 * whose body was larger than that: a list of big bodies gets the big
 * buffer, a list of small ones never makes a chunk of it. With
 * --limit-rate, libcurl's 16 KiB or the rate when lower (as curl does):
 * libcurl reads a whole buffer between its checks of the pace. */
#define TASK_COMMON_RECV_BUFFER_BIG 131072L
#define TASK_COMMON_RECV_BUFFER 16384L    /* libcurl's own size */
#define TASK_COMMON_RECV_BUFFER_MIN 1024L /* libcurl's least */
#define TASK_COMMON_BIG_SPAN 256

long task_common_recv_buffer(const struct task_common *tc, const struct task_recv_sizer *rs)
{
    const struct config *cfg = tc->cfg;
    if (cfg->limit_rate > 0)
        return cfg->limit_rate >= TASK_COMMON_RECV_BUFFER      ? TASK_COMMON_RECV_BUFFER
               : cfg->limit_rate < TASK_COMMON_RECV_BUFFER_MIN ? TASK_COMMON_RECV_BUFFER_MIN
                                                               : (long)cfg->limit_rate;
    return rs && rs->big_left > 0 ? TASK_COMMON_RECV_BUFFER_BIG : TASK_COMMON_RECV_BUFFER;
}

void task_common_recv_seen(struct task_recv_sizer *rs, int64_t bytes)
{
    if (bytes > TASK_COMMON_RECV_BUFFER)
        rs->big_left = TASK_COMMON_BIG_SPAN;
    else if (rs->big_left > 0)
        rs->big_left--;
}

static CURL *task_common_easy(const struct task_common *tc, struct task_handle *th)
{
    const struct config *cfg = tc->cfg;
    CURL *h = curl_easy_init();
    if (!h)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    TASK_SET(h, CURLOPT_NOSIGNAL, 1L);
    th->rbuf = task_common_recv_buffer(tc, NULL);
    TASK_SET(h, CURLOPT_BUFFERSIZE, th->rbuf);
    TASK_SET(h, CURLOPT_ERRORBUFFER, th->errbuf);
    TASK_SET(h, CURLOPT_WRITEFUNCTION, task_write);
    TASK_SET(h, CURLOPT_HEADERFUNCTION, task_header_line);
    TASK_SET(h, CURLOPT_OPENSOCKETFUNCTION, task_open_socket);
    TASK_SET(h, CURLOPT_PROTOCOLS_STR, "http,https");
    TASK_SET(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    TASK_SET(h, CURLOPT_TIMEOUT_MS, cfg->max_time_ms);
    TASK_SET(h, CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
    TASK_SET(h, CURLOPT_USERAGENT, cfg->user_agent);
    if (tc->headers)
        TASK_SET(h, CURLOPT_HTTPHEADER, tc->headers);
    if (cfg->location) {
        TASK_SET(h, CURLOPT_FOLLOWLOCATION, 1L);
        TASK_SET(h, CURLOPT_MAXREDIRS, cfg->max_redirs);
    }
    task_common_tls(cfg, h);
    switch (cfg->http) {
    case HTTPV_1_1:
        TASK_SET(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        break;
    case HTTPV_2:
        TASK_SET(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_0);
        break;
    case HTTPV_2_PRIOR:
        TASK_SET(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
        break;
    case HTTPV_DEFAULT:
        break;
    }
    if (cfg->compressed)
        TASK_SET(h, CURLOPT_ACCEPT_ENCODING, "");
    TASK_SET(h, CURLOPT_NOPROXY, tc->noproxy);
    if (!strcmp(tc->proxy_http, tc->proxy_https))
        TASK_SET(h, CURLOPT_PROXY, tc->proxy_http);
    if (tc->resolve)
        TASK_SET(h, CURLOPT_RESOLVE, tc->resolve);
    if (tc->connect_to)
        TASK_SET(h, CURLOPT_CONNECT_TO, tc->connect_to);
    if (cfg->max_filesize >= 0)
        TASK_SET(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cfg->max_filesize);
    if (cfg->path_as_is)
        TASK_SET(h, CURLOPT_PATH_AS_IS, 1L);
    task_common_connection(cfg, h);
    task_common_auth(tc, h);
    if (cfg->head)
        TASK_SET(h, CURLOPT_NOBODY, 1L);
    if (cfg->data && !cfg->get) {
        TASK_SET(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)cfg->data_len);
        TASK_SET(h, CURLOPT_POSTFIELDS, cfg->data);
    }
    if (cfg->form) {
        th->mime = form_mime(cfg->form, h);
        TASK_SET(h, CURLOPT_MIMEPOST, th->mime);
    }
    if (cfg->method)
        TASK_SET(h, CURLOPT_CUSTOMREQUEST, cfg->method);
    if (cfg->verbose) { /* the callback only buffers, into the trace of the task using H */
        TASK_SET(h, CURLOPT_DEBUGFUNCTION, trace_debug);
        TASK_SET(h, CURLOPT_DEBUGDATA, &th->trace);
        TASK_SET(h, CURLOPT_VERBOSE, 1L);
    }
    return h;
}

void task_common_handle_init(const struct task_common *tc, struct task_handle *h)
{
    h->trace = NULL;
    h->mime = NULL;
    h->easy = task_common_easy(tc, h);
    h->custom = false;
}

void task_common_handle_cleanup(struct task_handle *h)
{
    if (h->easy)
        curl_easy_cleanup(h->easy);
    curl_mime_free(h->mime);
    h->easy = NULL;
    h->mime = NULL;
}
