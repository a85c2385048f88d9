/* evcurl: libcurl multi_socket driven by libevent. Socket and timer events
 * only call curl_multi_socket_action; finished transfers are collected in one
 * drain per loop pass, so ready events are handled in batches. */
#include "evcurl.h"
#include "clock.h"
#include "log.h"

#include <stdlib.h>
#include <sys/queue.h>

/* Our context for one socket libcurl told us about. */
struct evcurl_sock {
    struct evcurl *ec;
    curl_socket_t fd;
    struct event *ev;
    int what; /* CURL_POLL_* currently registered */
    LIST_ENTRY(evcurl_sock) link;
};

struct evcurl {
    struct event_base *base;
    CURLM *multi;
    struct event *timer;
    evcurl_done_fn done;
    void *arg;
    LIST_HEAD(, evcurl_sock) socks; /* every live socket context */
};

static void evcurl_sock_free(struct evcurl_sock *sk)
{
    LIST_REMOVE(sk, link);
    if (sk->ev)
        event_free(sk->ev);
    free(sk);
}

static void evcurl_on_socket(evutil_socket_t fd, short events, void *arg)
{
    struct evcurl_sock *sk = arg;
    struct evcurl *ec = sk->ec; /* sk may be freed inside the call below */
    int flags = 0;
    if (events & EV_READ)
        flags |= CURL_CSELECT_IN;
    if (events & EV_WRITE)
        flags |= CURL_CSELECT_OUT;
    int running;
    curl_multi_socket_action(ec->multi, fd, flags, &running);
}

static void evcurl_on_timer(evutil_socket_t fd, short events, void *arg)
{
    (void)fd;
    (void)events;
    struct evcurl *ec = arg;
    int running;
    curl_multi_socket_action(ec->multi, CURL_SOCKET_TIMEOUT, 0, &running);
}

static int evcurl_socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    struct evcurl *ec = userp;
    struct evcurl_sock *sk = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (sk)
            evcurl_sock_free(sk);
        return 0;
    }
    if (!sk) {
        sk = log_calloc(1, sizeof *sk);
        sk->ec = ec;
        sk->fd = fd;
        LIST_INSERT_HEAD(&ec->socks, sk, link);
        curl_multi_assign(ec->multi, fd, sk);
    } else if (sk->what == what) {
        return 0;
    }
    short events = EV_PERSIST;
    if (what & CURL_POLL_IN)
        events |= EV_READ;
    if (what & CURL_POLL_OUT)
        events |= EV_WRITE;
    if (sk->ev) {
        event_del(sk->ev);
        event_assign(sk->ev, ec->base, fd, events, evcurl_on_socket, sk);
    } else {
        sk->ev = event_new(ec->base, fd, events, evcurl_on_socket, sk);
        if (!sk->ev)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
    }
    sk->what = what;
    event_add(sk->ev, NULL);
    return 0;
}

static int evcurl_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    struct evcurl *ec = userp;
    if (timeout_ms < 0) {
        evtimer_del(ec->timer);
    } else {
        struct timeval tv = clock_timeval_ms(timeout_ms);
        evtimer_add(ec->timer, &tv);
    }
    return 0;
}

struct evcurl *evcurl_new(struct event_base *base, evcurl_done_fn done, void *arg)
{
    struct evcurl *ec = log_calloc(1, sizeof *ec);
    ec->base = base;
    ec->done = done;
    ec->arg = arg;
    LIST_INIT(&ec->socks);
    ec->multi = curl_multi_init();
    ec->timer = evtimer_new(base, evcurl_on_timer, ec);
    if (!ec->multi || !ec->timer)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    curl_multi_setopt(ec->multi, CURLMOPT_SOCKETFUNCTION, evcurl_socket_cb);
    curl_multi_setopt(ec->multi, CURLMOPT_SOCKETDATA, ec);
    curl_multi_setopt(ec->multi, CURLMOPT_TIMERFUNCTION, evcurl_timer_cb);
    curl_multi_setopt(ec->multi, CURLMOPT_TIMERDATA, ec);
    return ec;
}

void evcurl_max_connections(struct evcurl *ec, long n)
{
    curl_multi_setopt(ec->multi, CURLMOPT_MAXCONNECTS, n);
}

void evcurl_free(struct evcurl *ec)
{
    if (!ec)
        return;
    curl_multi_cleanup(ec->multi);
    while (!LIST_EMPTY(&ec->socks)) /* contexts libcurl did not remove while cleaning up */
        evcurl_sock_free(LIST_FIRST(&ec->socks));
    event_free(ec->timer);
    free(ec);
}

void evcurl_add(struct evcurl *ec, CURL *easy, void *data)
{
    if (curl_easy_setopt(easy, CURLOPT_PRIVATE, data) != CURLE_OK)
        log_die(LOG_EXIT_INTERNAL, "libcurl refused option CURLOPT_PRIVATE");
    CURLMcode rc = curl_multi_add_handle(ec->multi, easy);
    if (rc != CURLM_OK)
        log_die(LOG_EXIT_INTERNAL, "curl_multi_add_handle: %s", curl_multi_strerror(rc));
}

void evcurl_remove(struct evcurl *ec, CURL *easy)
{
    curl_multi_remove_handle(ec->multi, easy);
}

void evcurl_drain(struct evcurl *ec)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(ec->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        CURLcode result = m->data.result;
        char *data = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &data);
        curl_multi_remove_handle(ec->multi, easy);
        ec->done(ec->arg, data, result);
    }
}
