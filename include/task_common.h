/* task_common: what every request of a run shares, built once from the
 * config: the proxies (read from -x and the environment once), the header,
 * --resolve and --connect-to lists, the run's method, the cache of compiled
 * per-line expectations; and the easy handles made with the run-wide
 * options, which the scheduler's pool lends to tasks. Nothing in it
 * changes once built but the check cache, which task_from_line() fills
 * (loops that share a task_common must lock it, or have one each). */
#ifndef VOLLEY_TASK_COMMON_H
#define VOLLEY_TASK_COMMON_H

#include <curl/curl.h>
#include <stdbool.h>

#include "check.h"
#include "cli.h"
#include "log.h"

/* Fields are read by task.c; only CHECK_CACHE changes after
 * task_common_new(). */
struct task_common {
    const struct config *cfg;
    /* Proxies decided once from -x and the environment, so libcurl does not
     * read the environment again for every transfer. */
    const char *proxy_http, *proxy_https; /* "" for none */
    const char *noproxy;
    struct check_cache *check_cache; /* compiled per-line expectations */
    struct curl_slist *headers;
    struct curl_slist *resolve;
    struct curl_slist *connect_to;
    const char *method; /* the run's method (task_common_method) */
};

/* An easy handle as the scheduler's pool hands it out, with the error
 * buffer libcurl writes into (CURLOPT_ERRORBUFFER, set once) and whether it
 * carries a request spec's options. Lives at a fixed address as long as the
 * handle does. */
struct task_handle {
    CURL *easy; /* NULL until task_common_handle_init() */
    char errbuf[CURL_ERROR_SIZE];
    bool custom; /* EASY carries a request spec's method, data or headers */
};

/* Build once per run; CFG must outlive it. Free with task_common_free(). */
struct task_common *task_common_new(const struct config *cfg);
void task_common_free(struct task_common *tc);

/* The method of a request: the one GIVEN (-X or a spec's), else POST when
 * it sends DATA, HEAD with -I (HEAD), else GET. The one place this is
 * decided. */
const char *task_common_method(const char *given, bool data, bool head);

/* Give H (zeroed, or cleaned up) a new easy handle with every run-wide
 * option set. Clean it up with task_common_handle_cleanup(). */
void task_common_handle_init(const struct task_common *tc, struct task_handle *h);
void task_common_handle_cleanup(struct task_handle *h);

/* curl_easy_setopt() that must not fail (only out of memory can). */
#define TASK_SET(h, opt, val)                                                                      \
    do {                                                                                           \
        if (curl_easy_setopt(h, opt, val) != CURLE_OK)                                             \
            log_die(LOG_EXIT_INTERNAL, "libcurl refused option %s", #opt);                         \
    } while (0)

#endif
