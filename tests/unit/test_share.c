/* test_share: the run's curl share: easy handles in several threads use
 * its DNS cache (and its cookie store with -c) through its locks (counted),
 * and the -c jar is written from it once. */
#include "unit.h"

#include "cli.h"
#include "share.h"

#include <pthread.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* A port on 127.0.0.1 that refuses connections: bound, never listening. */
static int refused_port(int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0)
        return -1;
    socklen_t len = sizeof a;
    getsockname(*fd, (struct sockaddr *)&a, &len);
    return ntohs(a.sin_port);
}

struct fetcher {
    struct share *sh;
    char url[64];
    int failures;
};

static void *fetch_main(void *arg)
{
    struct fetcher *f = arg;
    for (int i = 0; i < 20; i++) {
        CURL *h = curl_easy_init();
        curl_easy_setopt(h, CURLOPT_URL, f->url);
        curl_easy_setopt(h, CURLOPT_SHARE, share_curl(f->sh));
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
        /* a made-up name, resolved by --resolve's mechanism into the
         * shared DNS cache */
        struct curl_slist *res = NULL;
        char entry[96];
        const char *port = strrchr(f->url, ':') + 1;
        snprintf(entry, sizeof entry, "share.test:%.*s:127.0.0.1", (int)strcspn(port, "/"), port);
        res = curl_slist_append(res, entry);
        curl_easy_setopt(h, CURLOPT_RESOLVE, res);
        if (curl_easy_perform(h) != CURLE_COULDNT_CONNECT)
            f->failures++;
        curl_easy_cleanup(h);
        curl_slist_free_all(res);
    }
    return NULL;
}

static void run_fetchers(bool cookies)
{
    int fd;
    int port = refused_port(&fd);
    assert_true(port > 0);
    struct config cfg = {0};
    if (cookies) /* -c: the cookie engine is on */
        cfg.cookie_jar = unit_text_file("jar.txt", "");
    struct share *sh = share_new(&cfg);
    assert_non_null(share_curl(sh));
    struct fetcher f[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        f[i] = (struct fetcher){.sh = sh};
        snprintf(f[i].url, sizeof f[i].url, "http://share.test:%d/", port);
        assert_int_equal(pthread_create(&t[i], NULL, fetch_main, &f[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(f[i].failures, 0);
    }
    assert_true(share_locks_taken(sh) >= 60); /* at least the DNS cache, each time */
    struct buf err = {0};
    assert_true(share_write_jar(sh, &err));
    buf_free(&err);
    share_free(sh);
    close(fd);
}

static void test_threads(void **state)
{
    (void)state;
    run_fetchers(false);
}

static void test_cookies(void **state)
{
    (void)state;
    run_fetchers(true);
}

static int setup(void **state)
{
    (void)state;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int teardown(void **state)
{
    curl_global_cleanup();
    return unit_cleanup(state);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_threads),
    cmocka_unit_test(test_cookies),
};

int main(void)
{
    return cmocka_run_group_tests_name("share", tests, setup, teardown);
}
