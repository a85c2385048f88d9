/* jqw: the client of the jq worker (jqw_worker.c, this binary re-executed
 * with --jq-worker) with a time and a memory budget. One service thread owns
 * the worker and its socket: it starts the worker, sends it one request at a
 * time, kills it over the time budget and starts a fresh one after a death.
 * Callers on any event loop queue requests and get their answers as
 * activated events; compile answers are remembered. */
#define _GNU_SOURCE /* sigabbrev_np, environ */

#include "jqw.h"
#include "clock.h"
#include "jqw_impl.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#define JQW_START_MS 10000 /* a fresh worker's start, up to its first frame */
#define JQW_KNOWN 256      /* compile answers the client keeps */

/* Append MS milliseconds as seconds without trailing zeros: "1 s", "0.25 s". */
static void jqw_add_ms(struct buf *b, long ms)
{
    buf_addf(b, "%ld", ms / 1000);
    long frac = ms % 1000;
    if (frac) {
        int digits = 3;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        buf_addf(b, ".%0*ld", digits, frac);
    }
    buf_adds(b, " s");
}

static void jqw_add_bytes(struct buf *b, size_t n)
{
    if (n && n % (1024 * 1024) == 0)
        buf_addf(b, "%zu MiB", n / (1024 * 1024));
    else if (n && n % 1024 == 0)
        buf_addf(b, "%zu KiB", n / 1024);
    else
        buf_addf(b, "%zu bytes", n);
}

/* A compile answer the client remembers. */
struct jqw_known {
    char *program; /* NULL: unused */
    bool ok;
    char *msg; /* why not */
};

struct jqw {
    long time_ms;
    size_t mem_bytes, max_body;
    char *exe, *argv0;

    pthread_mutex_t lock;    /* guards everything down to `known` */
    pthread_cond_t work;     /* the service thread: a request or stopping */
    pthread_cond_t answered; /* jqw_compile: its request was answered */
    bool started, stopping;
    pthread_t thread;
    struct jqw_req *head, *tail; /* queued, oldest first */
    struct jqw_req *running;     /* NULL once cancelled */
    struct jqw_known known[JQW_KNOWN];
    size_t known_next;

    int wake; /* eventfd: readable once jqw_free wants the thread out */
    /* the service thread's own */
    pid_t pid; /* 0: no worker */
    int fd;    /* its socket */
};

/* What the service thread sends: a request's data, moved out of it. */
struct jqw_job {
    bool compile, cut;
    char *data; /* program, NUL, body */
    size_t plen, len;
};

enum jqw_io { JQW_IO_OK, JQW_IO_TIMEOUT, JQW_IO_GONE, JQW_IO_STOP };

bool jqw_is_worker(int argc, char **argv)
{
    return argc >= 2 && !strcmp(argv[1], JQW_ARG);
}

struct jqw *jqw_new(const struct jqw_options *o)
{
    struct jqw *w = log_calloc(1, sizeof *w);
    w->time_ms = o->time_ms > 0 ? o->time_ms : JQW_TIME_MS;
    w->mem_bytes = o->mem_bytes ? o->mem_bytes : JQW_MEM_BYTES;
    w->max_body = o->max_body > INT_MAX ? INT_MAX : o->max_body;
    w->exe = log_strdup(o->exe ? o->exe : "/proc/self/exe");
    w->argv0 = o->argv0 ? log_strdup(o->argv0) : NULL;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->work, NULL);
    pthread_cond_init(&w->answered, NULL);
    w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->wake < 0)
        log_die(LOG_EXIT_INTERNAL, "jq: cannot make an eventfd: %s", strerror(errno));
    w->fd = -1;
    return w;
}

/* Kill the worker (if it is not gone already), reap it and say in WHY (may
 * be NULL) how it ended. */
static void jqw_reap(struct jqw *w, struct buf *why)
{
    if (!w->pid)
        return;
    kill(w->pid, SIGKILL); /* an exiting process keeps its own status */
    close(w->fd);
    int st = 0;
    pid_t r;
    while ((r = waitpid(w->pid, &st, 0)) < 0 && errno == EINTR) {
    }
    if (why) {
        if (r < 0)
            buf_addf(why, "%s", strerror(errno));
        else if (WIFSIGNALED(st))
            buf_addf(why, "SIG%s", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?");
        else
            buf_addf(why, "exit status %d", WEXITSTATUS(st));
    }
    w->pid = 0;
    w->fd = -1;
}

/* Send the IOV (all of it) and read one answer into *H and TEXT, by
 * DEADLINE (µs, monotonic), giving up when jqw_free wakes us. */
static enum jqw_io jqw_io(struct jqw *w, struct iovec *iov, int niov, struct jqw_frame *h,
                          struct buf *text, int64_t deadline)
{
    size_t got = 0; /* answer bytes: header, then text */
    buf_clear(text);
    for (;;) {
        while (niov > 0 && iov->iov_len == 0) {
            iov++;
            niov--;
        }
        int64_t left = deadline - clock_now_us();
        if (left <= 0)
            return JQW_IO_TIMEOUT;
        struct pollfd p[2] = {{w->fd, (short)(POLLIN | (niov ? POLLOUT : 0)), 0},
                              {w->wake, POLLIN, 0}};
        int n = poll(p, 2, (int)((left + 999) / 1000));
        if (n < 0 && errno != EINTR)
            return JQW_IO_GONE;
        if (n <= 0)
            continue;
        if (p[1].revents)
            return JQW_IO_STOP;
        if (niov && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)niov};
            ssize_t s = sendmsg(w->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (s < 0 && errno != EAGAIN && errno != EINTR)
                return JQW_IO_GONE;
            for (size_t k = s > 0 ? (size_t)s : 0; k > 0;) {
                size_t step = k < iov->iov_len ? k : iov->iov_len;
                iov->iov_base = (char *)iov->iov_base + step;
                iov->iov_len -= step;
                k -= step;
                if (iov->iov_len == 0) {
                    iov++;
                    niov--;
                }
            }
        }
        if (!(p[0].revents & (POLLIN | POLLERR | POLLHUP)))
            continue;
        ssize_t r;
        if (got < sizeof *h) {
            r = recv(w->fd, (char *)h + got, sizeof *h - got, MSG_DONTWAIT);
        } else {
            buf_reserve(text, h->len1 - text->len + 1);
            r = recv(w->fd, text->p + text->len, h->len1 - text->len, MSG_DONTWAIT);
        }
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0)
            return JQW_IO_GONE;
        if (got < sizeof *h) {
            got += (size_t)r;
            if (got == sizeof *h &&
                (h->magic != JQW_MAGIC || h->len1 > JQW_MAX_TEXT + 3 || h->len2 != 0))
                return JQW_IO_GONE; /* not our worker, or a broken one */
        } else {
            text->len += (size_t)r;
        }
        if (got == sizeof *h && text->len == h->len1) {
            buf_str(text);
            return JQW_IO_OK;
        }
    }
}

/* Start a worker and wait for its first frame; false with WHY when not. */
static bool jqw_spawn(struct jqw *w, struct buf *why)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        buf_addf(why, "socketpair: %s", strerror(errno));
        return false;
    }
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setpgroup(&at, 0); /* the terminal's ^C and ^Z are volley's */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
    char arg[] = JQW_ARG, mem[24], body[24], ppid[24];
    snprintf(mem, sizeof mem, "%zu", w->mem_bytes);
    snprintf(body, sizeof body, "%zu", w->max_body);
    snprintf(ppid, sizeof ppid, "%ld", (long)getpid());
    char *argv[] = {w->argv0 ? w->argv0 : w->exe, arg, mem, body, ppid, NULL};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, w->exe, &fa, &at, argv, environ);
    if (rc && w->argv0)
        rc = posix_spawnp(&pid, w->argv0, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(sv[1]);
    if (rc) {
        close(sv[0]);
        buf_addf(why, "%s: %s", w->argv0 ? w->argv0 : w->exe, strerror(rc));
        return false;
    }
    w->pid = pid;
    w->fd = sv[0];
    struct jqw_frame h;
    struct buf text = {0};
    enum jqw_io io = jqw_io(w, NULL, 0, &h, &text, clock_now_us() + (int64_t)JQW_START_MS * 1000);
    buf_free(&text);
    if (io == JQW_IO_OK && h.code == JQW_A_READY)
        return true;
    struct buf how = {0};
    jqw_reap(w, &how);
    buf_addf(why, "%s", io == JQW_IO_TIMEOUT ? "no answer" : buf_str(&how));
    buf_free(&how);
    return false;
}

/* Run job J on the worker (starting one when none runs): the status, and
 * the actual in TEXT. */
static enum jqw_status jqw_exchange(struct jqw *w, const struct jqw_job *j, struct buf *text)
{
    struct buf why = {0};
    if (!w->pid && !jqw_spawn(w, &why)) {
        buf_clear(text);
        buf_addf(text, "jq worker did not start (%s)", buf_str(&why));
        buf_free(&why);
        return JQW_DIED;
    }
    struct jqw_frame q = {JQW_MAGIC, j->compile ? JQW_OP_COMPILE : JQW_OP_EVAL, (uint32_t)j->plen,
                          (uint32_t)j->len};
    struct iovec iov[3] = {{&q, sizeof q}, {j->data, j->plen}, {j->data + j->plen + 1, j->len}};
    struct jqw_frame a;
    struct buf raw = {0};
    enum jqw_io io = jqw_io(w, iov, 3, &a, &raw, clock_now_us() + (int64_t)w->time_ms * 1000);
    enum jqw_status st = JQW_FAILS;
    buf_clear(text);
    if (io == JQW_IO_OK) {
        switch (a.code) {
        case JQW_A_HOLDS:
        case JQW_A_COMPILED:
            st = JQW_HOLDS;
            break;
        case JQW_A_FAILS:
            buf_adds(text, buf_str(&raw));
            break;
        case JQW_A_NOT_JSON:
            buf_adds(text, "body is not JSON");
            if (j->cut)
                buf_addf(text, " (cut at %zu bytes by --max-body)", j->len);
            buf_addf(text, ": %s", buf_str(&raw));
            break;
        case JQW_A_BAD_PROGRAM:
            buf_addf(text, "%s%s",
                     j->compile ? "" : "jq program does not compile: ", buf_str(&raw));
            break;
        case JQW_A_MEMORY:
            jqw_reap(w, NULL);
            buf_adds(text, "jq program over its ");
            jqw_add_bytes(text, w->mem_bytes);
            buf_adds(text, " memory budget");
            st = JQW_MEMORY;
            break;
        default:
            io = JQW_IO_GONE;
        }
    }
    if (io == JQW_IO_TIMEOUT) {
        jqw_reap(w, NULL);
        buf_adds(text, "jq program over its ");
        jqw_add_ms(text, w->time_ms);
        buf_adds(text, " budget");
        st = JQW_TIMEOUT;
    } else if (io == JQW_IO_STOP) {
        jqw_reap(w, NULL);
        buf_adds(text, "jq worker stopped");
        st = JQW_DIED;
    } else if (io == JQW_IO_GONE) {
        jqw_reap(w, &why);
        buf_addf(text, "jq worker died (%s; memory budget ", buf_str(&why));
        jqw_add_bytes(text, w->mem_bytes);
        buf_adds(text, "?)");
        st = JQW_DIED;
    }
    buf_free(&raw);
    buf_free(&why);
    return st;
}

/* Deliver ST and TEXT to R, which is running and still wanted (under the
 * lock). */
static void jqw_deliver(struct jqw *w, struct jqw_req *r, enum jqw_status st,
                        const struct buf *text)
{
    r->status = st;
    buf_clear(&r->actual);
    buf_add(&r->actual, text->p ? text->p : "", text->len);
    buf_str(&r->actual);
    r->phase = JQW_ANSWERED;
    if (r->done)
        event_active(r->done, EV_READ, 0);
    else
        pthread_cond_broadcast(&w->answered);
}

static void *jqw_thread(void *arg)
{
    struct jqw *w = arg;
    struct buf text = {0};
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->stopping && !w->head)
            pthread_cond_wait(&w->work, &w->lock);
        if (w->stopping)
            break;
        struct jqw_req *r = w->head;
        w->head = r->next;
        if (w->head)
            w->head->prev = NULL;
        else
            w->tail = NULL;
        r->next = r->prev = NULL;
        r->phase = JQW_RUNNING;
        w->running = r;
        struct jqw_job j = {r->compile, r->cut, r->data, r->plen, r->len};
        r->data = NULL; /* ours now: R may be cancelled and reused meanwhile */
        pthread_mutex_unlock(&w->lock);

        enum jqw_status st = jqw_exchange(w, &j, &text);
        free(j.data);

        pthread_mutex_lock(&w->lock);
        if (w->running == r) /* not cancelled */
            jqw_deliver(w, r, st, &text);
        w->running = NULL;
    }
    pthread_mutex_unlock(&w->lock);
    jqw_reap(w, NULL);
    buf_free(&text);
    return NULL;
}

/* Start the service thread, with every signal blocked (they are the main
 * thread's), unless it runs. Under the lock. */
static void jqw_start(struct jqw *w)
{
    if (w->started)
        return;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->thread, NULL, jqw_thread, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc)
        log_die(LOG_EXIT_INTERNAL, "jq: cannot start a thread (error %d)", rc);
    w->started = true;
}

/* Queue R (under the lock): at the back, or at the front for a compile. */
static void jqw_enqueue(struct jqw *w, struct jqw_req *r)
{
    r->phase = JQW_QUEUED;
    if (r->compile) {
        r->prev = NULL;
        r->next = w->head;
        if (w->head)
            w->head->prev = r;
        else
            w->tail = r;
        w->head = r;
    } else {
        r->next = NULL;
        r->prev = w->tail;
        if (w->tail)
            w->tail->next = r;
        else
            w->head = r;
        w->tail = r;
    }
    jqw_start(w);
    pthread_cond_signal(&w->work);
}

/* Take queued R out of the queue (under the lock). */
static void jqw_unlink(struct jqw *w, struct jqw_req *r)
{
    if (r->prev)
        r->prev->next = r->next;
    else
        w->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        w->tail = r->prev;
    r->prev = r->next = NULL;
    free(r->data);
    r->data = NULL;
}

/* R's copy of PROGRAM and the body. */
static void jqw_copy(struct jqw_req *r, const char *program, size_t plen, const void *body,
                     size_t len)
{
    r->data = log_malloc(plen + 1 + len + 1);
    memcpy(r->data, program, plen);
    r->data[plen] = '\0';
    if (len)
        memcpy(r->data + plen + 1, body, len);
    r->data[plen + 1 + len] = '\0';
    r->plen = plen;
    r->len = len;
}

void jqw_submit(struct jqw *w, struct jqw_req *r, const char *program, const void *body, size_t len,
                bool cut, struct event *done)
{
    size_t plen = strlen(program);
    r->done = done;
    r->cut = cut;
    r->compile = false;
    buf_clear(&r->actual);
    if (plen > JQW_MAX_PROGRAM || len > w->max_body) { /* answered here, still by the event */
        r->status = JQW_FAILS;
        if (plen > JQW_MAX_PROGRAM)
            buf_addf(&r->actual, "jq program too long (%zu bytes, at most %zu)", plen,
                     JQW_MAX_PROGRAM);
        else
            buf_addf(&r->actual, "body too large for jq (%zu bytes, at most %zu)", len,
                     w->max_body);
        pthread_mutex_lock(&w->lock);
        r->phase = JQW_ANSWERED;
        pthread_mutex_unlock(&w->lock);
        event_active(done, EV_READ, 0);
        return;
    }
    jqw_copy(r, program, plen, body, len);
    pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        free(r->data);
        r->data = NULL;
        r->phase = JQW_IDLE;
    } else {
        jqw_enqueue(w, r);
    }
    pthread_mutex_unlock(&w->lock);
}

void jqw_cancel(struct jqw *w, struct jqw_req *r)
{
    pthread_mutex_lock(&w->lock);
    if (r->phase == JQW_QUEUED)
        jqw_unlink(w, r);
    else if (r->phase == JQW_RUNNING && w->running == r)
        w->running = NULL; /* the thread drops its answer */
    r->phase = JQW_IDLE;
    pthread_mutex_unlock(&w->lock);
    if (r->done)
        event_del(r->done); /* an activation not yet run */
}

enum jqw_phase jqw_req_phase(struct jqw *w, const struct jqw_req *r)
{
    pthread_mutex_lock(&w->lock);
    enum jqw_phase p = r->phase;
    pthread_mutex_unlock(&w->lock);
    return p;
}

void jqw_req_free(struct jqw_req *r)
{
    buf_free(&r->actual);
    free(r->data);
    r->data = NULL;
}

/* The remembered answer for PROGRAM, or NULL (under the lock). */
static struct jqw_known *jqw_known(struct jqw *w, const char *program)
{
    for (size_t i = 0; i < JQW_KNOWN; i++)
        if (w->known[i].program && !strcmp(w->known[i].program, program))
            return &w->known[i];
    return NULL;
}

bool jqw_compile(struct jqw *w, const char *program, struct buf *err)
{
    size_t plen = strlen(program);
    if (plen > JQW_MAX_PROGRAM) {
        buf_addf(err, "jq program too long (%zu bytes, at most %zu)", plen, JQW_MAX_PROGRAM);
        return false;
    }
    pthread_mutex_lock(&w->lock);
    struct jqw_known *k = jqw_known(w, program);
    if (k) {
        bool ok = k->ok;
        if (!ok)
            buf_adds(err, k->msg);
        pthread_mutex_unlock(&w->lock);
        return ok;
    }
    pthread_mutex_unlock(&w->lock);

    struct jqw_req r = {.compile = true};
    jqw_copy(&r, program, plen, NULL, 0);
    pthread_mutex_lock(&w->lock);
    if (!w->stopping)
        jqw_enqueue(w, &r);
    while (r.phase != JQW_ANSWERED && !w->stopping)
        pthread_cond_wait(&w->answered, &w->lock);
    bool ok = false;
    if (r.phase != JQW_ANSWERED) {
        if (r.phase == JQW_QUEUED)
            jqw_unlink(w, &r);
        else if (w->running == &r)
            w->running = NULL;
        buf_adds(err, "jq worker stopped");
    } else {
        ok = r.status == JQW_HOLDS;
        if (!ok)
            buf_adds(err, buf_str(&r.actual));
        if (r.status == JQW_HOLDS || r.status == JQW_FAILS) { /* not a budget's verdict */
            struct jqw_known *slot = &w->known[w->known_next];
            w->known_next = (w->known_next + 1) % JQW_KNOWN;
            free(slot->program);
            free(slot->msg);
            slot->program = log_strdup(program);
            slot->ok = ok;
            slot->msg = ok ? NULL : log_strdup(buf_str(&r.actual));
        }
    }
    pthread_mutex_unlock(&w->lock);
    jqw_req_free(&r);
    return ok;
}

void jqw_free(struct jqw *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    while (w->head) {
        struct jqw_req *r = w->head;
        jqw_unlink(w, r);
        r->phase = JQW_IDLE;
    }
    w->running = NULL;
    pthread_cond_broadcast(&w->work);
    pthread_cond_broadcast(&w->answered);
    bool started = w->started;
    pthread_mutex_unlock(&w->lock);
    if (started) {
        uint64_t one = 1;
        if (write(w->wake, &one, sizeof one) < 0) {
            /* an eventfd write fails only when the count overflows */
        }
        pthread_join(w->thread, NULL);
    }
    for (size_t i = 0; i < JQW_KNOWN; i++) {
        free(w->known[i].program);
        free(w->known[i].msg);
    }
    close(w->wake);
    pthread_cond_destroy(&w->answered);
    pthread_cond_destroy(&w->work);
    pthread_mutex_destroy(&w->lock);
    free(w->exe);
    free(w->argv0);
    free(w);
}
