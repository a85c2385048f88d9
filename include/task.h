/* task: one URL's request and result: an input line turned into a task
 * (or into its input record), the per-attempt options set on a pooled easy
 * handle (task_common makes the handles, with the run-wide options), the
 * counting write callback, and libcurl's result turned into a record. The
 * scheduler owns tasks; a task borrows its handle while an attempt runs. */
#ifndef VOLLEY_TASK_H
#define VOLLEY_TASK_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "check.h"
#include "fragment.h"
#include "headers.h"
#include "cli.h"
#include "input.h"
#include "record.h"
#include "retry.h"
#include "spec.h"
#include "task_common.h"

struct task {
    uint64_t seq;
    struct buf url;   /* what is fetched */
    struct buf shown; /* url for output: redacted, or the clipped bad line */
    struct buf label; /* FILE:LINE */
    struct buf effective;
    struct buf redirect;             /* redirect_url when it has a password: redacted */
    struct url_checker *parsed;      /* URL as libcurl parsed it; kept across reuse */
    struct spec spec;                /* a JSON request spec's fields (spec.url NULL: plain line) */
    struct curl_slist *spec_headers; /* run-level -H merged with the spec's */
    const char *method;              /* the method of this task's requests */
    struct check_spec *checks;       /* a spec line's expectations merged with the run's */
    struct check_state cs;           /* body buffer, hash and search of the attempt */
    struct headers hdrs;             /* the response's headers, when collected */
    bool collect_headers;            /* --include-headers or a header check: collect them */
    struct buf headers_json;         /* --include-headers */
    struct buf message;              /* an error message made for this record */
    struct buf filename;             /* --output-dir: the body's file */
    int out_fd;                      /* that file while the attempt runs, else -1 */
    bool write_failed;               /* the body could not be saved */
    struct task_handle *h;           /* borrowed from the pool from attach to detach */
    int64_t t_read;                  /* monotonic µs when the line was read */
    int64_t t_first;                 /* when the first attempt started, 0 before */
    int64_t t_first_wall;            /* the same on the wall clock (ms), for timestamp */
    int64_t t_attempt;               /* when the current (last) attempt started */
    long attempts;
    int64_t body_bytes;   /* counted by the write callback */
    int64_t max_filesize; /* --max-filesize; < 0: no limit */
    bool too_large;
    struct retry_attempt outcome;   /* how the last attempt ended, for retry_decide() */
    const struct record_link *link; /* --links: the link checked, from the input line; NULL: none */
    struct fragment_check *frag;    /* --check-fragments: made on first use, kept across reuse */
    struct record rec; /* filled by task_from_line(), task_finish(), task_cancelled() */
};

/* Make a zeroed T ready for its first use. */
void task_init(struct task *t);
/* Reset T for a new line (keeps its buffers' memory). */
void task_reset(struct task *t);
/* Release T's buffers. */
void task_free(struct task *t);

/* Make T (just reset) the task of input line L, the SEQ-th read, at NOW:
 * its label, a JSON request spec merged over the run's options, the URL as
 * fetched and as shown (redacted). True: T can be fetched. False: the line
 * is not fetchable (too long, a bad spec, a bad URL) and T->rec is its
 * input record. L is borrowed for the call. */
bool task_from_line(struct task *t, const struct task_common *tc, const struct input_line *l,
                    uint64_t seq, int64_t now);

/* The request key line L will have (into KEY; URL is scratch) without
 * making a task, for --resume to skip done lines cheaply: false when the
 * line needs task_from_line() to tell (a spec, userinfo, a bad line). */
bool task_quick_key(const struct task_common *tc, const struct input_line *l, struct buf *url,
                    struct buf *key);
/* T's request key (into KEY, replacing it), as --resume matches it: the
 * spec id, else the method and URL the record shows. */
void task_key(struct task *t, const struct task_common *tc, struct buf *key);
/* Start an attempt of T on H at NOW: the request options (the spec's, or
 * the run's when H carried a spec's before), the URL, the callbacks. T
 * borrows H until task_detach(). */
void task_attach(struct task *t, const struct task_common *tc, struct task_handle *h, int64_t now);
/* T no longer borrows its handle (the pool may lend it again). */
void task_detach(struct task *t);

/* Fill T->rec and T->outcome from the finished attempt with RESULT (the
 * Retry-After header is read when the run retries). The record's strings
 * borrow from T and its handle: hand it over before the handle is reused. */
void task_finish(struct task *t, const struct task_common *tc, CURLcode result, int64_t now);
/* Fill T->rec for a task cancelled before or during an attempt; ABORTED: it
 * was in flight and libcurl's transfer was stopped. WHY is borrowed. */
void task_cancelled(struct task *t, const struct task_common *tc, const char *why, bool aborted,
                    int64_t now);

/* libcurl's write callback of every handle (CURLOPT_WRITEDATA: the task):
 * counts the body, feeds the checks, writes the --output-dir file. */
size_t task_write(char *ptr, size_t size, size_t nmemb, void *arg);
/* libcurl's header callback of every handle (CURLOPT_HEADERDATA: the
 * task): collects the response's header lines when they are wanted. */
size_t task_header_line(char *ptr, size_t size, size_t nitems, void *arg);

/* The error kind of a failed transfer (exposed for the unit tests). */
enum record_kind task_classify(CURLcode code, long http_code, bool too_large);

#endif
