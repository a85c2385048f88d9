/* test_jqw: jq in a worker process: answers as --expect-jq words them, compile
 * checks and their cache, the time and memory budgets (and the fresh worker
 * after them), a crashing worker, cancellation (queued, running, answered),
 * four loops on four threads at once, jqw_free with requests in flight, a
 * worker that never outlives its client, the worker's frame bounds, and the
 * cost of one evaluation. This binary is its own worker (see main). */
#include "unit.h"

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "clock.h"
#include "jqw.h"

extern char **environ;

/* Under a sanitizer a C stack overflow ends the worker through the
 * sanitizer's own report and exit status. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNIT_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNIT_SANITIZER 1
#endif
#endif
#ifndef UNIT_SANITIZER
#define UNIT_SANITIZER 0
#endif

/* The argument that makes this binary a client killed with its worker up. */
#define UNIT_DIE_ARG "--jqw-client-then-die"

/* ---- helpers ------------------------------------------------------------ */

static struct jqw *mk(long ms, size_t mem)
{
    struct jqw_options o = {.time_ms = ms, .mem_bytes = mem, .max_body = 1 << 20};
    return jqw_new(&o);
}

/* The loop side of some requests: a loop runs until WANT answers came. */
struct waiter {
    struct event_base *base;
    int want, got;
};

struct call {
    struct waiter *wt;
    struct event *ev;
    struct jqw_req req;
    int fired; /* times its event ran */
    int order; /* the how-manieth answer it was */
    int64_t at;
};

static void call_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct call *c = arg;
    c->fired++;
    c->at = clock_now_us();
    c->order = c->wt->got++;
    if (c->wt->got >= c->wt->want)
        event_base_loopbreak(c->wt->base);
}

static void call_init(struct call *c, struct waiter *wt)
{
    memset(c, 0, sizeof *c);
    c->wt = wt;
    c->ev = event_new(wt->base, -1, 0, call_done, c);
}

static void call_free(struct call *c)
{
    event_free(c->ev);
    jqw_req_free(&c->req);
}

static void guard_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

/* Run WT's loop until WANT answers in all or SECS passed; then run what is
 * still active once more, so an activation that should not be is seen. */
static void waiter_run(struct waiter *wt, int want, int secs)
{
    wt->want = want;
    struct event *guard = evtimer_new(wt->base, guard_cb, wt->base);
    struct timeval tv = {secs, 0};
    evtimer_add(guard, &tv);
    if (wt->got < want)
        event_base_dispatch(wt->base);
    event_base_loop(wt->base, EVLOOP_NONBLOCK);
    event_free(guard);
}

/* One evaluation, waited for on a loop of its own: the status; the actual
 * into *ACTUAL (caller frees) and the time it took into *US when not NULL. */
static enum jqw_status eval_len(struct jqw *w, const char *program, const char *body, size_t len,
                                bool cut, char **actual, int64_t *us)
{
    struct waiter wt = {event_base_new(), 0, 0};
    struct call c;
    call_init(&c, &wt);
    int64_t t0 = clock_now_us();
    jqw_submit(w, &c.req, program, body, len, cut, c.ev);
    waiter_run(&wt, 1, 30);
    assert_int_equal(c.fired, 1);
    if (us)
        *us = c.at - t0;
    enum jqw_status st = c.req.status;
    if (actual)
        *actual = strdup(c.req.actual.p ? c.req.actual.p : "");
    call_free(&c);
    event_base_free(wt.base);
    return st;
}

static enum jqw_status eval(struct jqw *w, const char *program, const char *body, char **actual)
{
    return eval_len(w, program, body, strlen(body), false, actual, NULL);
}

/* PROGRAM on BODY must give ST and exactly ACTUAL. */
static void expect(struct jqw *w, const char *program, const char *body, enum jqw_status st,
                   const char *actual)
{
    char *got;
    enum jqw_status s = eval(w, program, body, &got);
    if (s != st || strcmp(got, actual))
        fail_msg("%s on %s: status %d '%s', not %d '%s'", program, body, s, got, st, actual);
    free(got);
}

/* Wait (at most 10 s) until R is in phase P. */
static void wait_phase(struct jqw *w, const struct jqw_req *r, enum jqw_phase p)
{
    for (int i = 0; i < 10000 && jqw_req_phase(w, r) != p; i++)
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    assert_int_equal(jqw_req_phase(w, r), p);
}

static int64_t ms_since(int64_t t0)
{
    return (clock_now_us() - t0) / 1000;
}

/* No child process is left: every worker was reaped. */
static void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* ---- answers ------------------------------------------------------------ */

static void test_truthiness(void **state)
{
    (void)state;
    struct jqw *w = mk(5000, JQW_MEM_BYTES);
    expect(w, ".ok", "{\"ok\": true}", JQW_HOLDS, "");
    expect(w, ".n", "{\"n\": 0}", JQW_HOLDS, ""); /* 0 is truthy in jq */
    expect(w, ".s", "{\"s\": \"\"}", JQW_HOLDS, "");
    expect(w, ".ok", "{\"ok\": false}", JQW_FAILS, "false");
    expect(w, ".missing", "{\"ok\": true}", JQW_FAILS, "null");
    expect(w, "empty", "{}", JQW_FAILS, "no output");
    expect(w, ".[] | select(. > 5)", "[1, 2, 3]", JQW_FAILS, "no output");
    /* several outputs: the last one decides */
    expect(w, "true, false", "null", JQW_FAILS, "false");
    expect(w, "false, null, true", "null", JQW_HOLDS, "");
    expect(w, ".[]", "[true, 1, null]", JQW_FAILS, "null");
    expect(w, ".items | length > 2", "{\"items\": [1, 2]}", JQW_FAILS, "false");
    /* one program, many bodies, answers never mixed up */
    for (int i = 0; i < 20; i++)
        expect(w, ".up", i % 2 ? "{\"up\": true}" : "{\"up\": false}",
               i % 2 ? JQW_HOLDS : JQW_FAILS, i % 2 ? "" : "false");
    jqw_free(w);
}

static void test_errors(void **state)
{
    (void)state;
    struct jqw *w = mk(5000, JQW_MEM_BYTES);
    expect(w, "error(\"boom\")", "{}", JQW_FAILS, "jq error: boom");
    /* an error after a truthy output still fails, as jq -e exits 5 */
    expect(w, "true, error(\"late\")", "{}", JQW_FAILS, "jq error: late");
    expect(w, "{\"x\": 1} | error", "{}", JQW_FAILS, "jq error: {\"x\":1}");
    char *got;
    assert_int_equal(eval(w, ".a.b", "{\"a\": 5}", &got), JQW_FAILS);
    assert_memory_equal(got, "jq error: Cannot index number with ", 35);
    free(got);
    /* halt ends with status 0 (holds); halt_error's status is a failure */
    expect(w, "false, halt", "{}", JQW_HOLDS, "");
    expect(w, "\"bye\" | halt_error(3)", "{}", JQW_FAILS, "jq halted with exit status 3: bye");
    /* the runtime's stderr output goes nowhere near volley's */
    expect(w, "stderr | false", "{}", JQW_FAILS, "false");
    /* a long message is cut (at a character boundary) and says so */
    assert_int_equal(eval(w, "error([range(2000)] | tostring)", "{}", &got), JQW_FAILS);
    assert_int_equal(strlen(got), 4096 + 3);
    assert_string_equal(got + 4096, "...");
    free(got);
    /* "jq error: x" then two-byte characters: byte 4096 is inside one */
    assert_int_equal(eval(w, "error(\"x\" + ([range(3000) | \"\\u00e9\"] | add))", "{}", &got),
                     JQW_FAILS);
    assert_int_equal(strlen(got), 4095 + 3);
    assert_string_equal(got + 4093, "\xc3\xa9...");
    free(got);
    jqw_free(w);
}

static void test_not_json(void **state)
{
    (void)state;
    struct jqw *w = mk(5000, JQW_MEM_BYTES);
    expect(w, ".", "", JQW_FAILS, "body is not JSON: Expected JSON value");
    expect(w, ".", "1 2", JQW_FAILS, "body is not JSON: Unexpected extra JSON values");
    expect(w, ".", "  {\"a\": 1}  \n", JQW_HOLDS, "");
    char *got;
    assert_int_equal(eval(w, ".", "<html>", &got), JQW_FAILS);
    assert_memory_equal(got, "body is not JSON: ", 18);
    assert_null(strstr(got, "html")); /* jq's message does not quote the body */
    free(got);
    /* no body at all */
    assert_int_equal(eval_len(w, ".", NULL, 0, false, &got, NULL), JQW_FAILS);
    assert_string_equal(got, "body is not JSON: Expected JSON value");
    free(got);
    /* a body cut by --max-body says so */
    assert_int_equal(eval_len(w, ".", "{\"a\": [1, 2, 3]}", 8, true, &got, NULL), JQW_FAILS);
    assert_memory_equal(got, "body is not JSON (cut at 8 bytes by --max-body): ", 49);
    free(got);
    /* bytes after a NUL are part of the body */
    assert_int_equal(eval_len(w, ".", "1\0 2", 4, false, &got, NULL), JQW_FAILS);
    assert_memory_equal(got, "body is not JSON: ", 18);
    free(got);
    jqw_free(w);
}

static void test_oversized(void **state)
{
    (void)state;
    struct jqw_options o = {.time_ms = 5000, .mem_bytes = JQW_MEM_BYTES, .max_body = 16};
    struct jqw *w = jqw_new(&o);
    char *got;
    assert_int_equal(eval(w, ".", "[1,2,3,4,5,6,7,8,9]", &got), JQW_FAILS);
    assert_string_equal(got, "body too large for jq (19 bytes, at most 16)");
    free(got);
    expect(w, ".[2] == 3", "[1,2,3,4,5,6,7]", JQW_HOLDS, "");
    size_t n = JQW_MAX_PROGRAM + 1;
    char *prog = malloc(n + 1);
    memset(prog, ' ', n);
    prog[0] = '.';
    prog[n] = '\0';
    assert_int_equal(eval(w, prog, "{}", &got), JQW_FAILS);
    assert_memory_equal(got, "jq program too long", 19);
    free(got);
    struct buf err = {0};
    assert_false(jqw_compile(w, prog, &err));
    assert_memory_equal(buf_str(&err), "jq program too long", 19);
    buf_free(&err);
    free(prog);
    jqw_free(w);
}

/* ---- compiling ---------------------------------------------------------- */

static void test_compile(void **state)
{
    (void)state;
    struct jqw *w = mk(5000, JQW_MEM_BYTES);
    struct buf err = {0};
    assert_true(jqw_compile(w, ".a | length > 1", &err));
    assert_int_equal(err.len, 0);
    assert_false(jqw_compile(w, ".a | (", &err));
    assert_memory_equal(buf_str(&err), "syntax error", 12);
    assert_null(strchr(buf_str(&err), '\n'));            /* one line */
    assert_null(strstr(buf_str(&err), "compile error")); /* jq's trailer dropped */
    assert_null(strstr(buf_str(&err), "jq: error"));
    buf_clear(&err);
    assert_false(jqw_compile(w, "nosuchfunction", &err));
    assert_non_null(strstr(buf_str(&err), "nosuchfunction/0 is not defined"));
    buf_clear(&err);
    /* the same answer again, from the cache */
    assert_false(jqw_compile(w, ".a | (", &err));
    assert_memory_equal(buf_str(&err), "syntax error", 12);
    buf_clear(&err);
    /* an evaluation of a program that does not compile */
    char *got;
    assert_int_equal(eval(w, "nosuchfunction", "{}", &got), JQW_FAILS);
    assert_memory_equal(got, "jq program does not compile: ", 29);
    free(got);

    /* a known program costs no trip to the worker: answered at once while
     * the worker is busy for seconds */
    struct waiter wt = {event_base_new(), 0, 0};
    struct call busy;
    call_init(&busy, &wt);
    jqw_submit(w, &busy.req, "repeat(.)", "1", 1, false, busy.ev);
    wait_phase(w, &busy.req, JQW_RUNNING);
    int64_t t0 = clock_now_us();
    assert_true(jqw_compile(w, ".a | length > 1", &err));
    assert_false(jqw_compile(w, "nosuchfunction", &err));
    assert_true(ms_since(t0) < 1000);
    assert_int_equal(jqw_req_phase(w, &busy.req), JQW_RUNNING);
    jqw_cancel(w, &busy.req);
    call_free(&busy);
    event_base_free(wt.base);
    buf_free(&err);
    jqw_free(w);
}

/* ---- budgets ------------------------------------------------------------ */

static void test_timeout(void **state)
{
    (void)state;
    struct jqw *w = mk(500, JQW_MEM_BYTES);
    const char *forever[] = {"repeat(.)", "def f: f; f", "last(range(infinite))"};
    for (size_t i = 0; i < sizeof forever / sizeof forever[0]; i++) {
        char *got;
        int64_t us;
        assert_int_equal(eval_len(w, forever[i], "{}", 2, false, &got, &us), JQW_TIMEOUT);
        assert_string_equal(got, "jq program over its 0.5 s budget");
        free(got);
        if (us < 500000 || us > 500000 + 3000000)
            fail_msg("%s: answered after %lld µs, budget 500 ms", forever[i], (long long)us);
        /* the next request, on a fresh worker */
        expect(w, ".ok", "{\"ok\": true}", JQW_HOLDS, "");
    }
    jqw_free(w);
    assert_no_children();
}

static void test_memory(void **state)
{
    (void)state;
    struct jqw *w = mk(20000, (size_t)32 << 20);
    const char *hogs[] = {"[range(1e9)]", "\"x\" * 1e9 | length"};
    for (size_t i = 0; i < sizeof hogs / sizeof hogs[0]; i++) {
        expect(w, hogs[i], "{}", JQW_MEMORY, "jq program over its 32 MiB memory budget");
        expect(w, ".ok", "{\"ok\": true}", JQW_HOLDS, "");
    }
    jqw_free(w);
    assert_no_children();
}

static void test_crash(void **state)
{
    (void)state;
    /* jv_dump recurses once per level: a million levels overflow the stack */
    struct jqw *w = mk(20000, JQW_MEM_BYTES);
    char *got;
    assert_int_equal(eval(w, "reduce range(1e6) as $i (null; [.]) | tojson", "{}", &got), JQW_DIED);
    if (UNIT_SANITIZER)
        assert_memory_equal(got, "jq worker died (", 16);
    else
        assert_string_equal(got, "jq worker died (SIGSEGV; memory budget 512 MiB?)");
    free(got);
    expect(w, ".ok", "{\"ok\": true}", JQW_HOLDS, "");
    jqw_free(w);
}

/* ---- cancellation ------------------------------------------------------- */

static void test_cancel_queued(void **state)
{
    (void)state;
    struct jqw *w = mk(1000, JQW_MEM_BYTES);
    struct waiter wt = {event_base_new(), 0, 0};
    struct call a, b, c, b2;
    call_init(&a, &wt);
    call_init(&b, &wt);
    call_init(&c, &wt);
    call_init(&b2, &wt);
    jqw_submit(w, &a.req, "repeat(.)", "1", 1, false, a.ev);
    wait_phase(w, &a.req, JQW_RUNNING);
    jqw_submit(w, &b.req, ".ok", "{\"ok\": true}", 12, false, b.ev);
    jqw_submit(w, &c.req, ".ok", "{\"ok\": false}", 13, false, c.ev);
    assert_int_equal(jqw_req_phase(w, &b.req), JQW_QUEUED);
    jqw_cancel(w, &b.req);
    assert_int_equal(jqw_req_phase(w, &b.req), JQW_IDLE);
    /* B's memory at once reused for another request, answered on B2's event */
    jqw_submit(w, &b.req, ".n", "{\"n\": null}", 11, false, b2.ev);
    waiter_run(&wt, 3, 30);
    assert_int_equal(a.fired, 1);
    assert_int_equal(a.req.status, JQW_TIMEOUT);
    assert_int_equal(b.fired, 0); /* never, after jqw_cancel */
    assert_int_equal(c.fired, 1);
    assert_int_equal(c.req.status, JQW_FAILS);
    assert_int_equal(b2.fired, 1);
    assert_int_equal(b.req.status, JQW_FAILS);
    assert_string_equal(b.req.actual.p, "null");
    /* first in, first out */
    assert_true(a.order < c.order && c.order < b2.order);
    call_free(&a);
    call_free(&b);
    call_free(&c);
    call_free(&b2);
    event_base_free(wt.base);
    jqw_free(w);
}

static void test_cancel_running(void **state)
{
    (void)state;
    struct jqw *w = mk(1000, JQW_MEM_BYTES);
    struct waiter wt = {event_base_new(), 0, 0};
    struct call a, a2;
    call_init(&a, &wt);
    call_init(&a2, &wt);
    jqw_submit(w, &a.req, "repeat(.)", "1", 1, false, a.ev);
    wait_phase(w, &a.req, JQW_RUNNING);
    jqw_cancel(w, &a.req);
    assert_int_equal(jqw_req_phase(w, &a.req), JQW_IDLE);
    /* the same request at once again: the running program's late answer
     * (its timeout) must not land in it */
    jqw_submit(w, &a.req, ".ok", "{\"ok\": true}", 12, false, a2.ev);
    waiter_run(&wt, 1, 30);
    assert_int_equal(a.fired, 0);
    assert_int_equal(a2.fired, 1);
    assert_int_equal(a.req.status, JQW_HOLDS);
    assert_string_equal(a.req.actual.p, "");

    /* answered, its event not yet run: cancel removes the activation */
    struct call d;
    call_init(&d, &wt);
    jqw_submit(w, &d.req, ".ok", "{\"ok\": true}", 12, false, d.ev);
    wait_phase(w, &d.req, JQW_ANSWERED);
    jqw_cancel(w, &d.req);
    event_base_loop(wt.base, EVLOOP_NONBLOCK);
    assert_int_equal(d.fired, 0);
    /* cancelling an idle request is harmless */
    jqw_cancel(w, &d.req);
    call_free(&a);
    call_free(&a2);
    call_free(&d);
    event_base_free(wt.base);
    jqw_free(w);
}

static void test_free_in_flight(void **state)
{
    (void)state;
    struct jqw *w = mk(10000, JQW_MEM_BYTES);
    struct waiter wt = {event_base_new(), 0, 0};
    struct call c[4];
    for (int i = 0; i < 4; i++)
        call_init(&c[i], &wt);
    jqw_submit(w, &c[0].req, "repeat(.)", "1", 1, false, c[0].ev);
    wait_phase(w, &c[0].req, JQW_RUNNING);
    for (int i = 1; i < 4; i++)
        jqw_submit(w, &c[i].req, ".", "1", 1, false, c[i].ev);
    int64_t t0 = clock_now_us();
    jqw_free(w);
    assert_true(ms_since(t0) < 2000); /* not the 10 s budget */
    assert_no_children();
    waiter_run(&wt, 1, 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c[i].fired, 0);
        call_free(&c[i]);
    }
    event_base_free(wt.base);
    jqw_free(NULL);
}

/* ---- threads ------------------------------------------------------------ */

#define UNIT_THREADS 4
#define UNIT_PER_THREAD 64

struct case_ {
    const char *program, *body;
    enum jqw_status st;
    const char *actual;
};

static const struct case_ cases[] = {
    {".ok", "{\"ok\": true}", JQW_HOLDS, ""},
    {".ok", "{\"ok\": false}", JQW_FAILS, "false"},
    {".items | length > 1", "{\"items\": [1, 2]}", JQW_HOLDS, ""},
    {".items | length > 1", "{\"items\": [1]}", JQW_FAILS, "false"},
    {"error(\"boom\")", "{}", JQW_FAILS, "jq error: boom"},
    {".", "not json", JQW_FAILS, "body is not JSON: Invalid numeric literal at line 1, column 4"},
    {".missing", "{}", JQW_FAILS, "null"},
};
#define UNIT_CASES (sizeof cases / sizeof cases[0])

struct worker_arg {
    struct jqw *w;
    int id;
    int answered, wrong;
};

static void *loop_thread(void *arg)
{
    struct worker_arg *wa = arg;
    struct waiter wt = {event_base_new(), 0, 0};
    struct call *calls = calloc(UNIT_PER_THREAD, sizeof *calls);
    for (int i = 0; i < UNIT_PER_THREAD; i++) {
        const struct case_ *k = &cases[(size_t)(i + wa->id) % UNIT_CASES];
        call_init(&calls[i], &wt);
        jqw_submit(wa->w, &calls[i].req, k->program, k->body, strlen(k->body), false, calls[i].ev);
    }
    waiter_run(&wt, UNIT_PER_THREAD, 60);
    for (int i = 0; i < UNIT_PER_THREAD; i++) {
        const struct case_ *k = &cases[(size_t)(i + wa->id) % UNIT_CASES];
        struct call *c = &calls[i];
        wa->answered += c->fired;
        if (c->fired != 1 || c->req.status != k->st || strcmp(c->req.actual.p, k->actual))
            wa->wrong++;
        jqw_cancel(wa->w, &c->req);
        call_free(c);
    }
    free(calls);
    event_base_free(wt.base);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct jqw *w = mk(10000, JQW_MEM_BYTES);
    /* and a compile check from this thread meanwhile */
    pthread_t t[UNIT_THREADS];
    struct worker_arg wa[UNIT_THREADS];
    for (int i = 0; i < UNIT_THREADS; i++) {
        wa[i] = (struct worker_arg){w, i, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, loop_thread, &wa[i]), 0);
    }
    struct buf err = {0};
    assert_false(jqw_compile(w, ". as", &err));
    assert_true(jqw_compile(w, ".ok", &err));
    buf_free(&err);
    for (int i = 0; i < UNIT_THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(wa[i].answered, UNIT_PER_THREAD);
        assert_int_equal(wa[i].wrong, 0);
    }
    jqw_free(w);
    assert_no_children();
}

/* ---- the worker process ------------------------------------------------- */

static void test_volley_binary(void **state)
{
    (void)state;
    /* volley itself as the worker: main's hook */
    const char *volley = getenv("VOLLEY");
    assert_non_null(volley);
    struct jqw_options o = {
        .time_ms = 5000, .mem_bytes = JQW_MEM_BYTES, .max_body = 1024, .exe = volley};
    struct jqw *w = jqw_new(&o);
    expect(w, ".ok", "{\"ok\": true}", JQW_HOLDS, "");
    jqw_free(w);
    /* EXE cannot run: ARGV0 instead */
    o.exe = "/nonexistent/volley";
    o.argv0 = volley;
    w = jqw_new(&o);
    expect(w, ".ok", "{\"ok\": false}", JQW_FAILS, "false");
    jqw_free(w);
    /* neither: each request says so, and compile answers are not cached */
    o.argv0 = "/nonexistent/volley2";
    w = jqw_new(&o);
    expect(w, ".ok", "{}", JQW_DIED,
           "jq worker did not start (/nonexistent/volley2: No such file or directory)");
    struct buf err = {0};
    assert_false(jqw_compile(w, ".ok", &err));
    assert_string_equal(
        buf_str(&err), "jq worker did not start (/nonexistent/volley2: No such file or directory)");
    buf_free(&err);
    jqw_free(w);
    /* a program that is no jq worker (it never says it is ready) */
    o.exe = "/bin/true";
    o.argv0 = NULL;
    w = jqw_new(&o);
    expect(w, ".ok", "{}", JQW_DIED, "jq worker did not start (exit status 0)");
    jqw_free(w);
    assert_no_children();
}

/* This binary as a client (argv[1] UNIT_DIE_ARG) that starts a worker and
 * is then killed outright. */
static int client_then_die(void)
{
    struct jqw *w = mk(5000, JQW_MEM_BYTES);
    struct buf err = {0};
    if (!jqw_compile(w, ".ok", &err)) /* a worker runs now */
        return 1;
    raise(SIGKILL);
    return 1;
}

static void test_never_outlives(void **state)
{
    (void)state;
    /* volley killed outright: its worker must go too (EOF on its socket,
     * and PR_SET_PDEATHSIG). As a subreaper we get the orphan to reap. */
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    char *argv[] = {(char[]){"test_jqw"}, (char[]){UNIT_DIE_ARG}, NULL};
    pid_t child;
    assert_int_equal(posix_spawn(&child, "/proc/self/exe", NULL, NULL, argv, environ), 0);
    int st;
    assert_int_equal(waitpid(child, &st, 0), child);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    /* reap orphans until none is left (under ASan the worker's exit may
     * leave LeakSanitizer's helper process too); a worker that lives on
     * keeps this from ever seeing ECHILD */
    int reaped = 0;
    for (int i = 0; i < 5000; i++) {
        pid_t orphan = waitpid(-1, &st, WNOHANG);
        if (orphan < 0 && errno == ECHILD)
            break;
        if (orphan > 0)
            reaped++;
        else
            nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    assert_true(reaped >= 1);
    assert_no_children();
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
}

/* The worker by hand, on a socket: its first frame, then FRAME; returns its
 * exit status. The frame layout is jqw.c's: magic "VJQ1", code, len1, len2. */
static int raw_worker(const uint32_t frame[4], const char *payload, size_t n, uint32_t *answer)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
    char ppid[24];
    snprintf(ppid, sizeof ppid, "%ld", (long)getpid());
    char *argv[] = {(char[]){"test_jqw"},
                    (char[]){"--jq-worker"},
                    (char[]){"67108864"},
                    (char[]){"1024"},
                    ppid,
                    NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    struct timeval tv = {10, 0}; /* a worker waiting for more fails the test */
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    uint32_t h[4];
    assert_int_equal(read(sv[0], h, sizeof h), sizeof h);
    assert_int_equal(h[0], 0x31514a56u);
    assert_int_equal(h[1], 1); /* ready */
    /* the worker may be gone before the payload: no SIGPIPE for us */
    assert_int_equal(send(sv[0], frame, 16, MSG_NOSIGNAL), 16);
    if (n)
        (void)send(sv[0], payload, n, MSG_NOSIGNAL);
    ssize_t r = read(sv[0], h, sizeof h);
    *answer = r == sizeof h ? h[1] : 0;
    shutdown(sv[0], SHUT_WR);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    close(sv[0]);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_worker_frames(void **state)
{
    (void)state;
    uint32_t answer;
    /* a valid request: answered (2: holds), then EOF ends it with 0 */
    const uint32_t ok[4] = {0x31514a56u, 1, 3, 12};
    assert_int_equal(raw_worker(ok, ".ok{\"ok\": true}", 15, &answer), 0);
    assert_int_equal(answer, 2);
    /* a body over the worker's bound (1024), a program over JQW_MAX_PROGRAM,
     * a bad magic, an unknown operation, a NUL inside the program: no
     * answer, and the worker ends without reading on */
    const uint32_t big_body[4] = {0x31514a56u, 1, 1, 1025};
    assert_int_equal(raw_worker(big_body, NULL, 0, &answer), 4);
    assert_int_equal(answer, 0);
    const uint32_t big_prog[4] = {0x31514a56u, 1, (uint32_t)JQW_MAX_PROGRAM + 1, 0};
    assert_int_equal(raw_worker(big_prog, NULL, 0, &answer), 4);
    assert_int_equal(answer, 0);
    const uint32_t magic[4] = {0x31514a57u, 1, 1, 0};
    assert_int_equal(raw_worker(magic, ".", 1, &answer), 4);
    const uint32_t op[4] = {0x31514a56u, 9, 1, 0};
    assert_int_equal(raw_worker(op, ".", 1, &answer), 4);
    const uint32_t nul[4] = {0x31514a56u, 1, 3, 2};
    assert_int_equal(raw_worker(nul, ".\0.{}", 5, &answer), 4);
    assert_int_equal(answer, 0);
}

/* ---- cost --------------------------------------------------------------- */

static void test_cost(void **state)
{
    (void)state;
    struct jqw *w = mk(10000, JQW_MEM_BYTES);
    int64_t t0 = clock_now_us();
    struct buf err = {0};
    assert_true(jqw_compile(w, ".ok", &err));
    int64_t first = clock_now_us() - t0;
    t0 = clock_now_us();
    assert_true(jqw_compile(w, ".ok and .n > 1", &err));
    int64_t compile = clock_now_us() - t0;
    buf_free(&err);
    /* one request at a time: the round trip */
    const int n = 2000;
    struct waiter wt = {event_base_new(), 0, 0};
    struct call c;
    call_init(&c, &wt);
    t0 = clock_now_us();
    for (int i = 0; i < n; i++) {
        jqw_submit(w, &c.req, ".ok and .n > 1", "{\"ok\": true, \"n\": 2}", 20, false, c.ev);
        waiter_run(&wt, i + 1, 30);
        assert_int_equal(c.req.status, JQW_HOLDS);
    }
    int64_t serial = clock_now_us() - t0;
    assert_int_equal(c.fired, n);
    call_free(&c);
    /* many in flight at once: the throughput */
    struct call *many = calloc((size_t)n, sizeof *many);
    wt.got = 0;
    t0 = clock_now_us();
    for (int i = 0; i < n; i++) {
        call_init(&many[i], &wt);
        jqw_submit(w, &many[i].req, ".ok and .n > 1", "{\"ok\": true, \"n\": 2}", 20, false,
                   many[i].ev);
    }
    waiter_run(&wt, n, 60);
    int64_t batch = clock_now_us() - t0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(many[i].fired, 1);
        assert_int_equal(many[i].req.status, JQW_HOLDS);
        call_free(&many[i]);
    }
    free(many);
    event_base_free(wt.base);
    jqw_free(w);
    printf("jqw cost: first compile with the worker's start %lld us, a compile %lld us, "
           "round trip %.1f us, queued %.1f us per evaluation\n",
           (long long)first, (long long)compile, (double)serial / n, (double)batch / n);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_truthiness),     cmocka_unit_test(test_errors),
    cmocka_unit_test(test_not_json),       cmocka_unit_test(test_oversized),
    cmocka_unit_test(test_compile),        cmocka_unit_test(test_timeout),
    cmocka_unit_test(test_memory),         cmocka_unit_test(test_crash),
    cmocka_unit_test(test_cancel_queued),  cmocka_unit_test(test_cancel_running),
    cmocka_unit_test(test_free_in_flight), cmocka_unit_test(test_threads),
    cmocka_unit_test(test_volley_binary),  cmocka_unit_test(test_never_outlives),
    cmocka_unit_test(test_worker_frames),  cmocka_unit_test(test_cost),
};

int main(int argc, char **argv)
{
    if (jqw_is_worker(argc, argv)) /* this binary is its own jq worker */
        return jqw_worker_main(argc, argv);
    if (evthread_use_pthreads() != 0)
        return 1;
    if (argc == 2 && !strcmp(argv[1], UNIT_DIE_ARG))
        return client_then_die();
    /* a sanitizer's allocator returns NULL when over RLIMIT_AS, as glibc's
     * does, instead of ending the worker itself */
    static const char *const san[] = {"ASAN_OPTIONS", "TSAN_OPTIONS"};
    for (size_t i = 0; i < 2; i++) {
        const char *old = getenv(san[i]);
        char opts[512];
        snprintf(opts, sizeof opts, "%s%sallocator_may_return_null=1", old ? old : "",
                 old && *old ? ":" : "");
        setenv(san[i], opts, 1);
    }
    /* cmocka_set_test_filter via argv[1], for running one test by hand */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("jqw", tests, NULL, unit_cleanup);
}
