/* jqw: jq programs evaluated in a worker process (this binary, re-executed
 * with --jq-worker) with a time and a memory budget. One service thread owns
 * the worker and its socket; callers on any event loop queue requests and get
 * their answers as activated events. The worker answers --expect-jq exactly
 * as jq -e would: the body parsed as one JSON value, the last output decides. */
#define _GNU_SOURCE /* close_range, sigabbrev_np, environ */

#include "jqw.h"
#include "clock.h"
#include "log.h"

#include <ctype.h>
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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>
#include <jq.h>

/* ---- the protocol ------------------------------------------------------- */

/* Every frame is a header and LEN1 + LEN2 bytes. A request (EVAL, COMPILE)
 * carries the program (LEN1) and the body (LEN2); an answer carries its text
 * (LEN1; LEN2 is 0). Both ends reject a frame over its bounds. */
#define JQW_ARG "--jq-worker"
#define JQW_MAGIC 0x31514a56u /* "VJQ1" */
#define JQW_MAX_TEXT 4096     /* answer text; longer is cut and "..." added */
#define JQW_START_MS 10000    /* a fresh worker's start, up to its first frame */
#define JQW_PROGRAMS 32       /* compiled programs the worker keeps */
#define JQW_KNOWN 256         /* compile answers the client keeps */
#define JQW_EXIT_MEMORY 3     /* the worker's status after a memory answer */
#define JQW_EXIT_PROTOCOL 4   /* ... after a frame it rejected */

enum { JQW_OP_EVAL = 1, JQW_OP_COMPILE };
enum {
    JQW_A_READY = 1,   /* the worker's first frame */
    JQW_A_HOLDS,       /* EVAL: holds */
    JQW_A_FAILS,       /* EVAL: fails; the text is the actual */
    JQW_A_NOT_JSON,    /* EVAL: the body did not parse; the text is why */
    JQW_A_COMPILED,    /* COMPILE: compiles */
    JQW_A_BAD_PROGRAM, /* EVAL, COMPILE: does not compile; jq's messages */
    JQW_A_MEMORY,      /* over the memory budget; the worker exits */
};

struct jqw_frame {
    uint32_t magic, code, len1, len2;
};

/* ---- shared helpers ----------------------------------------------------- */

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

/* ---- the worker --------------------------------------------------------- */

struct jqw_prog {
    char *text;
    jq_state *jq;
    uint64_t used;
};

struct jqw_worker {
    size_t max_body;
    struct jqw_prog progs[JQW_PROGRAMS]; /* least recently used goes first */
    uint64_t tick;
    char *in;        /* the request: program, NUL, body, NUL */
    struct buf text; /* the answer's text */
};

/* Read N bytes from FD: 1 read, 0 EOF before the first byte, -1 otherwise. */
static int jqw_read_full(int fd, void *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r == 0 && got == 0 ? 0 : -1;
        got += (size_t)r;
    }
    return 1;
}

static bool jqw_write_full(int fd, const void *p, size_t n)
{
    while (n > 0) {
        ssize_t r = write(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false;
        p = (const char *)p + r;
        n -= (size_t)r;
    }
    return true;
}

static bool jqw_answer(struct jqw_worker *wk, uint32_t code)
{
    struct buf *t = &wk->text;
    if (t->len > JQW_MAX_TEXT) { /* cut at a UTF-8 character boundary */
        size_t n = JQW_MAX_TEXT;
        while (n > 0 && ((unsigned char)t->p[n] & 0xC0) == 0x80)
            n--;
        t->len = n;
        buf_adds(t, "...");
    }
    struct jqw_frame h = {JQW_MAGIC, code, (uint32_t)t->len, 0};
    return jqw_write_full(STDOUT_FILENO, &h, sizeof h) &&
           jqw_write_full(STDOUT_FILENO, t->p ? t->p : "", t->len);
}

/* libjq's allocation failed (RLIMIT_AS): say so and end, as the state of the
 * allocator is no longer to be trusted. */
static void jqw_worker_nomem(void *arg)
{
    (void)arg;
    struct jqw_frame h = {JQW_MAGIC, JQW_A_MEMORY, 0, 0};
    if (write(STDOUT_FILENO, &h, sizeof h) < 0) {
        /* the client sees the worker die instead */
    }
    _exit(JQW_EXIT_MEMORY);
}

/* jq's compile messages, gathered into one line: "jq: error: " dropped, the
 * "jq: N compile errors" trailer skipped, white space collapsed. ARG is the
 * buffer, or NULL to drop the message (runtime messages). */
static void jqw_jq_message(void *arg, jv msg)
{
    struct buf *b = arg;
    jv text = jq_format_error(msg); /* takes MSG */
    const char *s = jv_get_kind(text) == JV_KIND_STRING ? jv_string_value(text) : "";
    if (!strncmp(s, "jq: error: ", 11))
        s += 11;
    else if (!strncmp(s, "jq: ", 4) && strstr(s, " compile error"))
        s = "";
    while (isspace((unsigned char)*s))
        s++;
    if (*s && b) {
        if (b->len)
            buf_adds(b, "; ");
        bool space = false;
        for (; *s; s++) {
            if (isspace((unsigned char)*s)) {
                space = true;
                continue;
            }
            if (space)
                buf_addc(b, ' ');
            space = false;
            buf_addc(b, *s);
        }
    }
    jv_free(text);
}

/* PROGRAM compiled: from the cache, or compiled now and cached (dropping the
 * least recently used). NULL when it does not compile; then MSGS has jq's
 * messages (or "invalid program"). */
static jq_state *jqw_worker_program(struct jqw_worker *wk, const char *program, struct buf *msgs)
{
    struct jqw_prog *slot = &wk->progs[0];
    for (size_t i = 0; i < JQW_PROGRAMS; i++) {
        struct jqw_prog *p = &wk->progs[i];
        if (p->text && !strcmp(p->text, program)) {
            p->used = ++wk->tick;
            return p->jq;
        }
        if (!p->text || (slot->text && p->used < slot->used))
            slot = p;
    }
    jq_state *jq = jq_init();
    if (!jq)
        jqw_worker_nomem(NULL);
    jq_set_nomem_handler(jq, jqw_worker_nomem, NULL);
    jq_set_error_cb(jq, jqw_jq_message, msgs);
    int ok = jq_compile(jq, program);
    jq_set_error_cb(jq, jqw_jq_message, NULL); /* runtime messages are dropped */
    if (!ok) {
        jq_teardown(&jq);
        if (!msgs->len)
            buf_adds(msgs, "invalid program");
        return NULL;
    }
    if (slot->text) {
        free(slot->text);
        jq_teardown(&slot->jq);
    }
    slot->text = log_strdup(program);
    slot->jq = jq;
    slot->used = ++wk->tick;
    return jq;
}

/* Parse BODY as exactly one JSON value, as jv_parse() does but without
 * copying the whole body into the error message. */
static jv jqw_parse_json(const char *body, size_t len)
{
    if (len > INT_MAX)
        return jv_invalid_with_msg(jv_string("body too large to parse"));
    jv_parser *p = jv_parser_new(0);
    jv_parser_set_buf(p, body ? body : "", (int)len, 0);
    jv v = jv_parser_next(p);
    if (jv_is_valid(v)) {
        jv next = jv_parser_next(p);
        if (jv_is_valid(next)) {
            jv_free(v);
            jv_free(next);
            v = jv_invalid_with_msg(jv_string("Unexpected extra JSON values"));
        } else if (jv_invalid_has_msg(jv_copy(next))) {
            jv_free(v);
            v = next;
        } else {
            jv_free(next);
        }
    } else if (!jv_invalid_has_msg(jv_copy(v))) {
        jv_free(v);
        v = jv_invalid_with_msg(jv_string("Expected JSON value"));
    }
    jv_parser_free(p);
    return v;
}

/* Append the message of the invalid jv V (consumed) to B. */
static void jqw_add_jv_msg(struct buf *b, jv v)
{
    jv msg = jv_invalid_get_msg(v);
    if (jv_get_kind(msg) == JV_KIND_STRING) {
        buf_adds(b, jv_string_value(msg));
        jv_free(msg);
    } else {
        jv text = jv_dump_string(msg, 0);
        buf_adds(b, jv_string_value(text));
        jv_free(text);
    }
}

/* Run JQ on INPUT (consumed); the answer code, the actual in A. */
static uint32_t jqw_worker_run(jq_state *jq, jv input, struct buf *a)
{
    jq_start(jq, input, 0); /* takes INPUT */
    jv last = jv_invalid();
    bool error = false;
    for (;;) {
        jv out = jq_next(jq);
        if (jv_is_valid(out)) {
            jv_free(last);
            last = out;
            continue;
        }
        if (jv_invalid_has_msg(jv_copy(out))) {
            buf_adds(a, "jq error: ");
            jqw_add_jv_msg(a, out);
            error = true;
        } else {
            jv_free(out);
        }
        break;
    }
    if (!error && jq_halted(jq)) {
        /* halt and halt_error: jq's exit status decides, as in jq -e */
        jv code = jq_get_exit_code(jq);
        int status = jv_get_kind(code) == JV_KIND_NUMBER ? (int)jv_number_value(code) : 0;
        jv_free(code);
        if (status != 0) {
            buf_addf(a, "jq halted with exit status %d", status);
            jv msg = jq_get_error_message(jq);
            if (jv_get_kind(msg) == JV_KIND_STRING) {
                buf_adds(a, ": ");
                buf_adds(a, jv_string_value(msg));
            }
            jv_free(msg);
            error = true;
        } else {
            jv_free(last);
            last = jv_true();
        }
    }
    if (error) {
        jv_free(last);
        return JQW_A_FAILS;
    }
    jv_kind k = jv_get_kind(last);
    if (k != JV_KIND_INVALID && k != JV_KIND_FALSE && k != JV_KIND_NULL) {
        jv_free(last);
        return JQW_A_HOLDS;
    }
    if (k == JV_KIND_INVALID) {
        buf_adds(a, "no output");
    } else {
        jv text = jv_dump_string(jv_copy(last), 0);
        buf_adds(a, jv_string_value(text));
        jv_free(text);
    }
    jv_free(last);
    return JQW_A_FAILS;
}

/* One request: the answer code, its text in wk->text. */
static uint32_t jqw_worker_request(struct jqw_worker *wk, uint32_t op, const char *program,
                                   const char *body, size_t len)
{
    struct buf *a = &wk->text;
    buf_clear(a);
    jq_state *jq = jqw_worker_program(wk, program, a);
    if (!jq)
        return JQW_A_BAD_PROGRAM;
    if (op == JQW_OP_COMPILE)
        return JQW_A_COMPILED;
    jv input = jqw_parse_json(body, len);
    if (!jv_is_valid(input)) {
        jqw_add_jv_msg(a, input);
        return JQW_A_NOT_JSON;
    }
    return jqw_worker_run(jq, input, a);
}

/* A decimal argument of the worker's command line. */
static bool jqw_arg(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    *out = strtoull(s, &end, 10);
    return isdigit((unsigned char)*s) && !*end && !errno;
}

/* The size of our address space now (bytes), 0 when unknown. */
static unsigned long long jqw_vm_size(void)
{
    FILE *f = fopen("/proc/self/statm", "re");
    unsigned long long pages = 0;
    if (f) {
        if (fscanf(f, "%llu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* RLIMIT_AS: what is mapped now, room for the stack to grow, the largest
 * request's buffer and MEM for jq itself; no core files. */
static bool jqw_worker_limits(unsigned long long mem, unsigned long long max_body)
{
    struct rlimit core = {0, 0}, stack;
    unsigned long long grow = 8ULL << 20;
    if (getrlimit(RLIMIT_STACK, &stack) == 0 && stack.rlim_cur != RLIM_INFINITY &&
        stack.rlim_cur < (64ULL << 20))
        grow = stack.rlim_cur;
    unsigned long long vm = jqw_vm_size();
    unsigned long long lim = vm + grow + JQW_MAX_PROGRAM + max_body + mem;
    if (!vm || lim < vm || lim > (unsigned long long)RLIM_INFINITY)
        return false;
    struct rlimit as = {(rlim_t)lim, (rlim_t)lim};
    return setrlimit(RLIMIT_CORE, &core) == 0 && setrlimit(RLIMIT_AS, &as) == 0;
}

bool jqw_is_worker(int argc, char **argv)
{
    return argc >= 2 && !strcmp(argv[1], JQW_ARG);
}

int jqw_worker_main(int argc, char **argv)
{
    /* argv: EXE --jq-worker MEM_BYTES MAX_BODY PARENT_PID */
    unsigned long long mem, max_body, ppid;
    if (argc != 5 || !jqw_arg(argv[2], &mem) || !jqw_arg(argv[3], &max_body) ||
        !jqw_arg(argv[4], &ppid) || max_body > INT_MAX) {
        log_warn("%s is volley's own (its jq worker)", JQW_ARG);
        return 2;
    }
    /* the second guard after EOF: die with the thread that started us */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || (unsigned long long)getppid() != ppid)
        return 2;
    (void)close_range(3, ~0U, 0); /* nothing of the parent's but our socket */
    if (!jqw_worker_limits(mem, max_body))
        return 2;
    jv_nomem_handler(jqw_worker_nomem, NULL);

    struct jqw_worker wk = {.max_body = (size_t)max_body};
    int status = 0;
    if (!jqw_answer(&wk, JQW_A_READY))
        status = 1;
    for (; !status;) {
        struct jqw_frame h;
        int r = jqw_read_full(STDIN_FILENO, &h, sizeof h);
        if (r <= 0) { /* EOF: volley is done (or gone) */
            status = r == 0 ? 0 : 1;
            break;
        }
        if (h.magic != JQW_MAGIC || (h.code != JQW_OP_EVAL && h.code != JQW_OP_COMPILE) ||
            h.len1 > JQW_MAX_PROGRAM || h.len2 > wk.max_body ||
            (h.code == JQW_OP_COMPILE && h.len2)) {
            status = JQW_EXIT_PROTOCOL;
            break;
        }
        free(wk.in); /* exactly the request's size: the budget reserves that much */
        wk.in = log_malloc((size_t)h.len1 + 1 + h.len2 + 1);
        char *body = wk.in + h.len1 + 1;
        if (jqw_read_full(STDIN_FILENO, wk.in, h.len1) != 1 ||
            jqw_read_full(STDIN_FILENO, body, h.len2) != 1) {
            status = 1;
            break;
        }
        wk.in[h.len1] = '\0';
        body[h.len2] = '\0';
        if (strlen(wk.in) != h.len1) { /* a NUL inside the program */
            status = JQW_EXIT_PROTOCOL;
            break;
        }
        uint32_t code = jqw_worker_request(&wk, h.code, wk.in, body, h.len2);
        if (!jqw_answer(&wk, code))
            status = 1;
    }
    for (size_t i = 0; i < JQW_PROGRAMS; i++)
        if (wk.progs[i].text) {
            free(wk.progs[i].text);
            jq_teardown(&wk.progs[i].jq);
        }
    free(wk.in);
    buf_free(&wk.text);
    return status;
}

/* ---- the client --------------------------------------------------------- */

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
