/* task_common: the run-wide request options, read once, and the easy
 * handles made with them. */
#include "task_common.h"
#include "task.h"

#include <stdlib.h>
#include <string.h>

const char *task_common_method(const char *given, bool data, bool head)
{
    return given ? given : data ? "POST" : head ? "HEAD" : "GET";
}

static struct curl_slist *task_common_slist(char *const *items, size_t n)
{
    struct curl_slist *l = NULL;
    for (size_t i = 0; i < n; i++) {
        struct curl_slist *t = curl_slist_append(l, items[i]);
        if (!t)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        l = t;
    }
    return l;
}

static const char *task_common_env(const char *lower, const char *upper)
{
    const char *v = getenv(lower);
    if ((!v || !*v) && upper)
        v = getenv(upper);
    return v && *v ? v : NULL;
}

/* The proxy rules libcurl applies, read once: -x for every scheme, else
 * http_proxy (lower case only) for http, https_proxy or HTTPS_PROXY for
 * https, all_proxy or ALL_PROXY for both; no_proxy or NO_PROXY exempts hosts. */
static void task_common_proxies(struct task_common *tc)
{
    const char *all = task_common_env("all_proxy", "ALL_PROXY");
    const char *http = task_common_env("http_proxy", NULL);
    const char *https = task_common_env("https_proxy", "HTTPS_PROXY");
    const char *no = task_common_env("no_proxy", "NO_PROXY");
    if (tc->cfg->proxy) {
        tc->proxy_http = tc->proxy_https = tc->cfg->proxy;
    } else {
        tc->proxy_http = http ? http : all ? all : "";
        tc->proxy_https = https ? https : all ? all : "";
    }
    tc->noproxy = no ? no : "";
}

struct task_common *task_common_new(const struct config *cfg)
{
    struct task_common *tc = log_calloc(1, sizeof *tc);
    tc->cfg = cfg;
    tc->headers = task_common_slist(cfg->headers, cfg->nheaders);
    tc->resolve = task_common_slist(cfg->resolve, cfg->nresolve);
    tc->connect_to = task_common_slist(cfg->connect_to, cfg->nconnect_to);
    tc->method = task_common_method(cfg->method, cfg->data != NULL, cfg->head);
    task_common_proxies(tc);
    tc->check_cache = check_cache_new(256);
    return tc;
}

void task_common_free(struct task_common *tc)
{
    if (!tc)
        return;
    curl_slist_free_all(tc->headers);
    curl_slist_free_all(tc->resolve);
    curl_slist_free_all(tc->connect_to);
    check_cache_free(tc->check_cache);
    free(tc);
}

static CURL *task_common_easy(const struct task_common *tc, char *errbuf)
{
    const struct config *cfg = tc->cfg;
    CURL *h = curl_easy_init();
    if (!h)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    TASK_SET(h, CURLOPT_NOSIGNAL, 1L);
    TASK_SET(h, CURLOPT_ERRORBUFFER, errbuf);
    TASK_SET(h, CURLOPT_WRITEFUNCTION, task_write);
    TASK_SET(h, CURLOPT_HEADERFUNCTION, task_header_line);
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
    if (cfg->insecure) {
        TASK_SET(h, CURLOPT_SSL_VERIFYPEER, 0L);
        TASK_SET(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (cfg->cacert)
        TASK_SET(h, CURLOPT_CAINFO, cfg->cacert);
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
    if (cfg->head)
        TASK_SET(h, CURLOPT_NOBODY, 1L);
    if (cfg->data) {
        TASK_SET(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)cfg->data_len);
        TASK_SET(h, CURLOPT_POSTFIELDS, cfg->data);
    }
    if (cfg->method)
        TASK_SET(h, CURLOPT_CUSTOMREQUEST, cfg->method);
    return h;
}

void task_common_handle_init(const struct task_common *tc, struct task_handle *h)
{
    h->easy = task_common_easy(tc, h->errbuf);
    h->custom = false;
}

void task_common_handle_cleanup(struct task_handle *h)
{
    if (h->easy)
        curl_easy_cleanup(h->easy);
    h->easy = NULL;
}
