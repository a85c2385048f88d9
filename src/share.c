/* share: the run's curl_share (DNS cache, TLS sessions, the cookie store)
 * with a pthread mutex per kind of data, the -b files loaded once into it
 * and the -c jar written once from it. */
#include "share.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct share {
    const struct config *cfg;
    CURLSH *sh;
    CURL *jar; /* a handle on the share that never transfers: it loads and lists the cookies */
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    atomic_ulong taken;
};

#define SHARE_SET(s, opt, val)                                                                     \
    do {                                                                                           \
        if (curl_share_setopt(s, opt, val) != CURLSHE_OK)                                          \
            log_die(LOG_EXIT_INTERNAL, "libcurl refused share option %s", #opt);                   \
    } while (0)

#define SHARE_EASY(h, opt, val)                                                                    \
    do {                                                                                           \
        if (curl_easy_setopt(h, opt, val) != CURLE_OK)                                             \
            log_die(LOG_EXIT_INTERNAL, "libcurl refused option %s", #opt);                         \
    } while (0)

/* The cookie engine is on with a -b file (a value without '=', "" too) or
 * a -c jar, as in curl; a -b "NAME=VALUE" string alone only sends it. */
static bool share_cookies(const struct config *cfg)
{
    if (cfg->cookie_jar)
        return true;
    for (size_t i = 0; i < cfg->ncookies; i++)
        if (!strchr(cfg->cookies[i], '='))
            return true;
    return false;
}

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

struct share *share_new(const struct config *cfg)
{
    struct share *s = log_calloc(1, sizeof *s);
    s->cfg = cfg;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        if (pthread_mutex_init(&s->locks[i], NULL) != 0)
            log_die(LOG_EXIT_INTERNAL, "cannot make a lock");
    atomic_init(&s->taken, 0);
    if (!(s->sh = curl_share_init()))
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    SHARE_SET(s->sh, CURLSHOPT_LOCKFUNC, share_lock);
    SHARE_SET(s->sh, CURLSHOPT_UNLOCKFUNC, share_unlock);
    SHARE_SET(s->sh, CURLSHOPT_USERDATA, s);
    SHARE_SET(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    SHARE_SET(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    /* never CURL_LOCK_DATA_CONNECT: not supported across threads */
    if (!share_cookies(cfg))
        return s;
    if (!(s->jar = curl_easy_init()))
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    SHARE_SET(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE);
    SHARE_EASY(s->jar, CURLOPT_SHARE, s->sh);
    bool files = false;
    for (size_t i = 0; i < cfg->ncookies; i++) {
        const char *c = cfg->cookies[i];
        if (strchr(c, '=') || !*c || access(c, F_OK) != 0) /* a missing one is the -c jar */
            continue;
        SHARE_EASY(s->jar, CURLOPT_COOKIEFILE, c);
        files = true;
    }
    if (files) /* into the shared store now, once, not at each handle's first transfer */
        SHARE_EASY(s->jar, CURLOPT_COOKIELIST, "RELOAD");
    return s;
}

void share_free(struct share *s)
{
    if (!s)
        return;
    if (s->jar)
        curl_easy_cleanup(s->jar);
    if (s->sh)
        curl_share_cleanup(s->sh);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&s->locks[i]);
    free(s);
}

CURLSH *share_curl(const struct share *s)
{
    return s ? s->sh : NULL;
}

bool share_has_cookies(const struct share *s)
{
    return s && s->jar;
}

unsigned long share_locks_taken(struct share *s)
{
    return atomic_load(&s->taken);
}

static bool share_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

bool share_write_jar(struct share *s, struct buf *err)
{
    const char *path = s->cfg->cookie_jar;
    if (!path || !s->jar)
        return true;
    struct curl_slist *list = NULL;
    if (curl_easy_getinfo(s->jar, CURLINFO_COOKIELIST, &list) != CURLE_OK)
        log_die(LOG_EXIT_INTERNAL, "libcurl cannot list the cookies");
    struct buf b = {0};
    buf_adds(&b, "# Netscape HTTP Cookie File\n"
                 "# written by volley; the format of curl's -c and -b\n\n");
    for (struct curl_slist *l = list; l; l = l->next) {
        buf_adds(&b, l->data);
        buf_addc(&b, '\n');
    }
    curl_slist_free_all(list);
    struct buf tmp = {0};
    buf_addf(&tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp.p);
    bool ok = fd >= 0 && share_write_all(fd, b.p, b.len);
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && rename(tmp.p, path) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        if (fd >= 0)
            unlink(tmp.p);
        buf_addf(err, "cannot write the cookie jar %s: %s", path, strerror(e));
    }
    buf_free(&tmp);
    buf_free(&b);
    return ok;
}
