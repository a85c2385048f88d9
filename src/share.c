/* share: the run's curl_share (the cookie store today), the -b files
 * loaded once into it and the -c jar written once from it. */
#include "share.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct share {
    const struct config *cfg;
    CURLSH *sh;
    CURL *jar; /* a handle on the share that never transfers: it loads and lists the cookies */
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

struct share *share_new(const struct config *cfg)
{
    struct share *s = log_calloc(1, sizeof *s);
    s->cfg = cfg;
    if (!share_cookies(cfg))
        return s;
    if (!(s->sh = curl_share_init()) || !(s->jar = curl_easy_init()))
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
    free(s);
}

CURLSH *share_curl(const struct share *s)
{
    return s ? s->sh : NULL;
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
