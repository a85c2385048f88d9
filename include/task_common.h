/* task_common: what every request of a run shares, built once from the
 * config: the proxies (read from -x and the environment once), the header,
 * --resolve and --connect-to lists, the --header-for headers, the run's
 * method, the redactions, the run's curl_share (share.h, made by main), the
 * cache of compiled per-line expectations; and the easy handles made with
 * the run-wide options, which the loops' pools lend to tasks. One per run,
 * shared by every loop: nothing in it changes once built but the check
 * cache, which task_from_line() fills, and task_from_line() runs only on
 * the dispatcher's thread. */
#ifndef VOLLEY_TASK_COMMON_H
#define VOLLEY_TASK_COMMON_H

#include <curl/curl.h>
#include <stdbool.h>

#include "check.h"
#include "cli.h"
#include "jqw.h"
#include "log.h"
#include "redact.h"
#include "share.h"

struct trace;

/* One --header-for: the header, sent only to hosts PATTERN matches. */
struct task_header_for {
    char *pattern;      /* lower case; "*.domain" or a host */
    const char *header; /* borrowed from the config */
};
struct deny; /* deny.h */

/* Fields are read by task.c; only CHECK_CACHE changes after
 * task_common_new(). */
struct task_common {
    const struct config *cfg;
    /* Proxies decided once from -x and the environment, so libcurl does not
     * read the environment again for every transfer. */
    const char *proxy_http, *proxy_https; /* "" for none */
    const char *noproxy;
    struct check_cache *check_cache; /* compiled per-line expectations */
    struct jqw *jq;                  /* the run's jq worker (borrowed); NULL: jq
                                        programs are neither compiled nor run */
    struct deny *deny;               /* --deny-private's policy; NULL: none */
    struct curl_slist *headers;
    struct curl_slist *resolve;
    struct curl_slist *connect_to;
    const char *method;               /* the run's method (task_common_method) */
    struct curl_slist *cross_headers; /* the -H headers but Authorization and Cookie, which
                                         libcurl keeps from other hosts after a redirect */
    struct task_header_for *header_for;
    size_t nheader_for;
    struct redact *redact;
    CURLSH *share;      /* borrowed; NULL: none */
    bool share_cookies; /* the share holds the cookie store (-b FILE, -c) */
    char *cookie;       /* the -b NAME=VALUE strings joined with "; "; NULL: none */
    char *referer;      /* -e without ";auto"; NULL: none */
    bool autoreferer;   /* -e ...;auto */
    long httpauth;      /* CURLOPT_HTTPAUTH for -u / --oauth2-bearer */
    bool body;          /* the run's requests carry a body (-d without -G, or -F) */
    int trace_fd;       /* -v: stderr; else -1 */
};

/* An easy handle as the scheduler's pool hands it out, with the error
 * buffer libcurl writes into (CURLOPT_ERRORBUFFER, set once) and whether it
 * carries a request spec's options. Lives at a fixed address as long as the
 * handle does. */
struct task_handle {
    CURL *easy; /* NULL until task_common_handle_init() */
    char errbuf[CURL_ERROR_SIZE];
    bool custom;         /* EASY carries a task's own request options (a spec's, a redirect's) */
    curl_mime *mime;     /* -F's body, owned; freed after EASY */
    struct trace *trace; /* -v: the trace of the task using EASY (CURLOPT_DEBUGDATA points
                            here), NULL while none does */
    long rbuf;           /* EASY's CURLOPT_BUFFERSIZE now */
};

/* One loop's memory of its recent bodies, for the size of libcurl's
 * receive buffer (the rule is task_common.c's); zeroed to start. */
struct task_recv_sizer {
    long big_left; /* transfers still to start with the big buffer */
};
/* The receive buffer for the loop's next transfer (RS NULL: a first one). */
long task_common_recv_buffer(const struct task_common *tc, const struct task_recv_sizer *rs);
/* One of the loop's transfers received a body of BYTES. */
void task_common_recv_seen(struct task_recv_sizer *rs, int64_t bytes);

/* Build once per run; CFG, SHARE (may be NULL) and JQ (the run's jq
 * worker, shared by every loop; NULL in tests without jq) must outlive it.
 * Free with task_common_free(). */
struct task_common *task_common_new(const struct config *cfg, const struct share *share,
                                    struct jqw *jq);
void task_common_free(struct task_common *tc);

/* What gives the run a proxy: "-x", or the environment variable that
 * names one (the rules of libcurl that task_common applies); NULL: none. */
const char *task_common_proxy_origin(const struct config *cfg);

/* The method of a request: the one GIVEN (-X or a spec's), else POST when
 * it sends a body (DATA: -d without -G, or -F), HEAD with -I (HEAD), else
 * GET. The one place this is decided. */
const char *task_common_method(const char *given, bool data, bool head);

/* Give H (zeroed, or cleaned up) a new easy handle with every run-wide
 * option set. Clean it up with task_common_handle_cleanup(). */
/* The request options of the run on H (method, body, headers,
 * credentials, Referer), as a handle carries them from its making: for a
 * handle that carried a task's own. */
void task_common_request(const struct task_common *tc, struct task_handle *h);
/* Does HOST (LEN bytes, as libcurl's URL parser gives it) match the
 * --header-for PATTERN: the host itself, or any name under DOMAIN for
 * "*.DOMAIN" (not DOMAIN itself); any case, a trailing dot ignored? */
bool task_common_host_matches(const char *pattern, const char *host, size_t len);
void task_common_handle_init(const struct task_common *tc, struct task_handle *h);
void task_common_handle_cleanup(struct task_handle *h);

/* curl_easy_setopt() that must not fail (only out of memory can). */
#define TASK_SET(h, opt, val)                                                                      \
    do {                                                                                           \
        if (curl_easy_setopt(h, opt, val) != CURLE_OK)                                             \
            log_die(LOG_EXIT_INTERNAL, "libcurl refused option %s", #opt);                         \
    } while (0)

#endif
