/* jqw: jq programs evaluated in a worker process with a time and a memory
 * budget, serving every event loop. libjq 1.6 can neither be interrupted nor
 * used from two threads (jq#2545), so volley re-executes itself as a worker
 * (`volley --jq-worker ...`, recognised at the very top of main) and one
 * service thread hands it one request at a time. Answers come back on the
 * caller's own event_base, as the activation of the caller's event. A
 * request over the time budget gets the worker killed; a worker that dies
 * (over the memory budget, a crash) fails its request; either way a fresh
 * worker serves the next request.
 *
 * Threads: every function but jqw_new/jqw_free may be called from any thread
 * at once. Events are activated from the service thread, so libevent must run
 * with locking: evthread_use_pthreads() once, before any event_base exists. */
#ifndef VOLLEY_JQW_H
#define VOLLEY_JQW_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct event;

/* Defaults for the budgets. */
#define JQW_TIME_MS 1000
#define JQW_MEM_BYTES ((size_t)512 * 1024 * 1024)
/* The longest program text accepted (bytes). */
#define JQW_MAX_PROGRAM ((size_t)1024 * 1024)

struct jqw_options {
    long time_ms;      /* per request, from sending it to its answer (> 0) */
    size_t mem_bytes;  /* what jq may allocate in the worker (> 0); the
                          body's own copy is reserved on top of it */
    size_t max_body;   /* the largest body a request carries (--max-body;
                          at most INT_MAX is used) */
    const char *exe;   /* the program run as the worker; NULL: this one
                          (/proc/self/exe) */
    const char *argv0; /* run instead when EXE cannot be (main's argv[0],
                          looked up in PATH without a slash); NULL: none */
};

/* The client. Starts nothing: the service thread and the worker start with
 * the first request. O's strings are copied. Caller frees with jqw_free(). */
struct jqw *jqw_new(const struct jqw_options *o);

/* Withdraw every request still queued or running (their events are never
 * activated, as after jqw_cancel), stop the service thread, kill and reap
 * the worker. Call it when no other thread uses W any more. NULL is fine. */
void jqw_free(struct jqw *w);

/* ---- compiling ----------------------------------------------------------- */

/* Whether PROGRAM compiles, answered by the worker (within the time budget)
 * and remembered (a bounded cache), so asking again about a program costs a
 * lookup. The first answer for a program blocks the calling thread for one
 * compile (libjq 1.6: about 20 ms) plus, when none runs, a worker's start.
 * Compile requests go ahead of queued evaluations. When not, appends the
 * reason to ERR: jq's messages on one line ("syntax error, unexpected ...")
 * or why the worker could not answer. */
bool jqw_compile(struct jqw *w, const char *program, struct buf *err);

/* ---- evaluating ---------------------------------------------------------- */

enum jqw_status {
    JQW_HOLDS,   /* the program's last output is neither false nor null (jq -e) */
    JQW_FAILS,   /* false, null, no output, a jq error, halt_error, a body that
                    is not JSON, a program that does not compile */
    JQW_TIMEOUT, /* over the time budget: the worker was killed */
    JQW_MEMORY,  /* over the memory budget: the worker ended */
    JQW_DIED,    /* the worker died otherwise, or could not start */
};

enum jqw_phase { JQW_IDLE, JQW_QUEUED, JQW_RUNNING, JQW_ANSWERED };

/* One evaluation. Owned by the caller (embed it, e.g. in struct task), zeroed
 * ("= {0}") before first use, reusable for any number of requests, freed
 * with jqw_req_free(). After its event fired, read STATUS and ACTUAL; the
 * other fields are private to jqw.c. */
struct jqw_req {
    enum jqw_status status;
    /* For every status but JQW_HOLDS: the "actual" of the failed check, as
     * check_eval_jq words it ("false", "null", "no output", "jq error: ...",
     * "jq halted with exit status 3: bye", "body is not JSON: ...", "jq
     * program over its 1 s budget", ...); at most about 4 KiB (the check
     * clips it). Empty when the program holds. */
    struct buf actual;

    /* private */
    enum jqw_phase phase;
    struct jqw_req *prev, *next; /* the queue */
    struct event *done;
    char *data; /* program, NUL, body: jqw's copy while queued */
    size_t plen, len;
    bool cut, compile;
};

/* Evaluate PROGRAM on the body [BODY, BODY+LEN) (BODY may be NULL when LEN
 * is 0), parsed as exactly one JSON value; CUT says the body was cut at LEN
 * bytes by --max-body (the not-JSON message says so). Both are copied: the
 * caller's buffers are free again on return. Never blocks: the answer comes
 * later as the activation of DONE, from the service thread (or at once, from
 * this thread, for a program or body over its bound). DONE is an event of
 * the caller's event_base made with event_new(base, -1, 0, cb, arg), never
 * added: the base must have other events to keep its loop running. It is
 * borrowed until R is submitted again, cancelled or freed (jqw_cancel
 * touches it). R must not be queued or running. */
void jqw_submit(struct jqw *w, struct jqw_req *r, const char *program, const void *body, size_t len,
                bool cut, struct event *done);

/* Withdraw R whatever its phase (queued, running, answered but its event not
 * yet run, or idle). After it returns R's event is never activated for it and
 * R may be reused or freed. Call it from the thread of R's event_base. A
 * running program is not interrupted: it finishes (within its budget) and
 * its answer is dropped. */
void jqw_cancel(struct jqw *w, struct jqw_req *r);

/* R's phase now (for diagnostics and tests: other threads move it on). */
enum jqw_phase jqw_req_phase(struct jqw *w, const struct jqw_req *r);

/* Release R's memory (not its event); R must be idle or answered: cancel it
 * first when unsure. */
void jqw_req_free(struct jqw_req *r);

/* ---- the worker (jqw_worker.c) ------------------------------------------- */

/* Whether this process was started as a jq worker: check it first in main(),
 * before option parsing, and then return jqw_worker_main(argc, argv). */
bool jqw_is_worker(int argc, char **argv);

/* The worker: sets its limits, answers requests on fd 0/1 until EOF, and
 * returns the exit status. */
int jqw_worker_main(int argc, char **argv);

#endif
