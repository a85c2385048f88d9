/* share: a CURLSH with one pthread mutex per kind of shared data. */
#include "share.h"
#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct share {
    CURLSH *sh;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    atomic_ulong taken;
};

static void share_lock(CURL *easy, curl_lock_data data, curl_lock_access access, void *arg)
{
    (void)easy;
    (void)access; /* one mutex serves shared and single access alike */
    struct share *s = arg;
    if (data >= 0 && data < CURL_LOCK_DATA_LAST) {
        pthread_mutex_lock(&s->locks[data]);
        atomic_fetch_add_explicit(&s->taken, 1, memory_order_relaxed);
    }
}

static void share_unlock(CURL *easy, curl_lock_data data, void *arg)
{
    (void)easy;
    struct share *s = arg;
    if (data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&s->locks[data]);
}

static void share_set(CURLSH *sh, CURLSHoption opt, long v)
{
    CURLSHcode rc = curl_share_setopt(sh, opt, v);
    if (rc != CURLSHE_OK)
        log_die(LOG_EXIT_INTERNAL, "curl_share_setopt: %s", curl_share_strerror(rc));
}

struct share *share_new(const struct share_options *o)
{
    struct share *s = log_calloc(1, sizeof *s);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        if (pthread_mutex_init(&s->locks[i], NULL) != 0)
            log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
    atomic_init(&s->taken, 0);
    s->sh = curl_share_init();
    if (!s->sh)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    if (curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s) != CURLSHE_OK)
        log_die(LOG_EXIT_INTERNAL, "libcurl refused the share's locks");
    share_set(s->sh, CURLSHOPT_SHARE, (long)CURL_LOCK_DATA_DNS);
    share_set(s->sh, CURLSHOPT_SHARE, (long)CURL_LOCK_DATA_SSL_SESSION);
    if (o && o->cookies)
        share_set(s->sh, CURLSHOPT_SHARE, (long)CURL_LOCK_DATA_COOKIE);
    /* never CURL_LOCK_DATA_CONNECT: not supported across threads */
    return s;
}

void share_free(struct share *s)
{
    if (!s)
        return;
    curl_share_cleanup(s->sh);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&s->locks[i]);
    free(s);
}

CURLSH *share_handle(struct share *s)
{
    return s->sh;
}

unsigned long share_locks_taken(struct share *s)
{
    return atomic_load(&s->taken);
}
