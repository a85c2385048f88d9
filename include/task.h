/* task: one URL's request and result. Builds easy handles from the config
 * (run-wide options once per handle, per-URL options per attempt), counts
 * the body in the write callback, and turns libcurl's result into a record.
 * The scheduler owns tasks; a task borrows its easy handle while it runs. */
#ifndef VOLLEY_TASK_H
#define VOLLEY_TASK_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "check.h"
#include "headers.h"
#include "cli.h"
#include "output.h"
#include "spec.h"

struct task {
    struct task *next; /* the scheduler's queue link */
    uint64_t seq;
    struct buf url;   /* what is fetched */
    struct buf shown; /* url for output: redacted, or the clipped bad line */
    struct buf label; /* FILE:LINE */
    struct buf effective;
    struct url_checker *parsed;      /* URL as libcurl parsed it; kept across reuse */
    struct spec spec;                /* a JSON request spec's fields (spec.url NULL: plain line) */
    struct curl_slist *spec_headers; /* run-level -H merged with the spec's */
    const char *method;              /* the method records show for this task */
    void *owner;                     /* the scheduler that owns the task */
    void *origin;                    /* the scheduler's origin (per-host state) */
    struct event *retry_ev;          /* the scheduler's backoff timer, kept across reuse */
    struct task *wprev, *wnext;      /* the scheduler's list of tasks waiting to retry */
    struct check_spec *checks;       /* a spec line's expectations merged with the run's */
    struct check_state cs;           /* body buffer, hash and search of the attempt */
    struct headers hdrs;             /* the response's headers, when collected */
    bool collect_headers;            /* --include-headers or a header check: collect them */
    struct buf headers_json;         /* --include-headers */
    struct buf message;              /* an error message made for this record */
    struct buf filename;             /* --output-dir: the body's file */
    int out_fd;                      /* that file while the attempt runs, else -1 */
    bool write_failed;               /* the body could not be saved */
    const char *input_error;         /* static message: the line is not fetchable */
    CURL *easy;                      /* borrowed from the pool while an attempt runs */
    int slot;                        /* the pool slot of EASY, -1 when none */
    int64_t t_read;                  /* monotonic µs when the line was read */
    int64_t t_first;                 /* when the first attempt started, 0 before */
    int64_t t_attempt;               /* when the current (last) attempt started */
    long attempts;
    int64_t body_bytes; /* counted by the write callback */
    int64_t max_body;   /* < 0: no limit */
    bool too_large;
    char *errbuf;      /* the pool slot's CURLOPT_ERRORBUFFER */
    struct record rec; /* filled by task_finish() / task_cancelled() */
};

struct task_common; /* run-wide options built once from the config */

/* Build once per run; CFG must outlive it. Free with task_common_free(). */
struct task_common *task_common_new(const struct config *cfg);
void task_common_free(struct task_common *tc);
/* The method records show for this run. */
const char *task_common_method(const struct task_common *tc);

/* A new easy handle with every run-wide option set, writing its error
 * messages to ERRBUF (CURL_ERROR_SIZE bytes, living as long as the handle).
 * Caller cleans it up with curl_easy_cleanup(). */
CURL *task_easy_new(const struct task_common *tc, char *errbuf);

/* Make a zeroed T ready for its first use. */
void task_init(struct task *t);
/* Reset T for a new line (keeps its buffers' memory). */
void task_reset(struct task *t);
/* Release T's buffers. */
void task_free(struct task *t);

/* Take the request spec S (moved: S is cleared) for T: its method, data
 * and headers replace the run's for this task; returns false with a message
 * in ERR when they cannot be used. */
bool task_set_spec(struct task *t, const struct task_common *tc, struct spec *s, struct buf *err);

/* Point EASY at T for one attempt (URL, private pointer, callbacks).
 * ERRBUF (CURL_ERROR_SIZE bytes) is the handle's error buffer, set once when
 * the handle was made; it lives as long as the handle. */
void task_attach(struct task *t, const struct task_common *tc, CURL *easy, int slot, char *errbuf,
                 int64_t now);
/* Set the request options (method, data, headers) of T on EASY: the spec's
 * when T has one, else the run's. *CUSTOM tracks whether EASY carries a
 * spec's options, so a plain task restores the run's only when needed. */
void task_apply_request(struct task *t, const struct task_common *tc, CURL *easy, bool *custom);

/* Fill T->rec from the finished attempt on T->easy with RESULT. The record's
 * strings borrow from T and its easy handle: write it before the handle is
 * reused. */
void task_finish(struct task *t, const struct task_common *tc, CURLcode result, int64_t now);
/* Fill T->rec for a line that is not fetchable (T->input_error set). */
void task_input_error(struct task *t, const struct task_common *tc);
/* Fill T->rec for a task cancelled before or during an attempt; ABORTED: it
 * was in flight and libcurl's transfer was stopped. */
void task_cancelled(struct task *t, const struct task_common *tc, const char *why, bool aborted,
                    int64_t now);

/* The error kind of a failed transfer (exposed for the unit tests). */
enum record_kind task_classify(CURLcode code, long http_code, bool too_large);

#endif
