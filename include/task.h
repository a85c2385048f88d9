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
#include "jqw.h"
#include "record.h"
#include "retry.h"
#include "spec.h"
#include "task_common.h"
#include "trace.h"

struct deny; /* deny.h */

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
    struct curl_slist *hfor_headers; /* the same with the --header-for headers for its host */
    struct curl_slist *hop_headers;  /* for a redirect to another origin (see task_follow) */
    bool query;                      /* --url-query or -G data was added to the URL */
    bool self_follow;                /* volley follows its redirects (task_follow) */
    struct buf origin;               /* self_follow: scheme://host:port of the URL */
    long hops;                       /* redirects task_follow followed in this attempt */
    int64_t t_hop;                   /* when the last hop started (monotonic µs) */
    int64_t hop_times[4];            /* namelookup, connect, appconnect, starttransfer of
                                        the earlier hops, summed as libcurl sums them */
    long hop_connects;
    struct trace trace;        /* -v and -D of the attempt, until flushed */
    bool dump_headers;         /* -D: the header callback buffers into trace */
    const char *method;        /* the method of this task's requests */
    struct check_spec *checks; /* a spec line's expectations merged with the run's */
    struct check_state cs;     /* body buffer, hash and search of the attempt */
    struct headers hdrs;       /* the response's headers, when collected */
    bool collect_headers;      /* --include-headers or a header check: collect them */
    struct buf headers_json;   /* --include-headers */
    struct buf message;        /* an error message made for this record */
    struct buf filename;       /* --output-dir: the body's file */
    int out_fd;                /* that file while the attempt runs, else -1 */
    bool write_failed;         /* the body could not be saved */
    struct task_handle *h;     /* borrowed from the pool from attach to detach */
    int64_t t_read;            /* monotonic µs when the line was read */
    int64_t t_first;           /* when the first attempt started, 0 before */
    int64_t t_first_wall;      /* the same on the wall clock (ms), for timestamp */
    int64_t t_attempt;         /* when the current (last) attempt started */
    long attempts;
    int local_errno;            /* EMFILE or ENFILE met by the attempt (a socket, the
                                   --output-dir file); 0: none */
    const struct deny *deny;    /* --deny-private (borrowed from task_common); NULL: none */
    long sock_hop;              /* the redirect the sockets below were for */
    int sock_made, sock_denied; /* its addresses: sockets made, refused by --deny-private */
    struct buf denied;          /* the first refused address and why, for the record */
    int64_t body_bytes;         /* counted by the write callback */
    int64_t max_filesize;       /* --max-filesize; < 0: no limit */
    bool too_large;
    struct jqw_req jq;              /* the jq expectation's evaluation (jqw) */
    bool jq_waiting;                /* submitted: the record waits for its answer */
    CURLcode result;                /* the last attempt's, while the record waits */
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
/* Start an attempt of T on H at NOW with a receive buffer of RBUF bytes
 * (task_common_recv_buffer()): the request options (the spec's, or the
 * run's when H carried a spec's before), the URL, the callbacks. T borrows
 * H until task_detach(). */
void task_attach(struct task *t, const struct task_common *tc, struct task_handle *h, long rbuf,
                 int64_t now);
/* T no longer borrows its handle (the pool may lend it again). */
void task_detach(struct task *t);

/* Fill T->rec and T->outcome from the finished attempt with RESULT (the
 * Retry-After header is read when the run retries). The record's strings
 * borrow from T and its handle: hand it over before the handle is reused.
 * False when the record is complete. True when its checks wait for the jq
 * program's answer: the caller submits it with task_jq_submit(), keeps the
 * handle, and completes the record with task_jq_done() once DONE fired (or
 * gives up with task_jq_cancel()). */
bool task_finish(struct task *t, const struct task_common *tc, CURLcode result, int64_t now);
/* Send the kept body to the run's jqw (tc->jq) for T's jq program; DONE (an
 * event of the caller's loop, made with event_new(base, -1, 0, ...), never
 * added) is activated once the answer is in. Never blocks. */
void task_jq_submit(struct task *t, const struct task_common *tc, struct event *done);
/* The answer is in (DONE ran): complete the checks in their order and
 * T->rec and T->outcome, as task_finish() would have. */
void task_jq_done(struct task *t, const struct task_common *tc);
/* True between task_jq_submit() and task_jq_done() or task_jq_cancel(). */
bool task_jq_waiting(const struct task *t);
/* Withdraw T's request (queued or running: its answer is dropped, DONE is
 * never activated for it). Call from the loop's thread; nothing to do when
 * T waits for nothing. */
void task_jq_cancel(struct task *t, const struct task_common *tc);
/* Fill T->rec for a task cancelled before or during an attempt; ABORTED: it
 * was in flight and libcurl's transfer was stopped. WHY is borrowed. */
void task_cancelled(struct task *t, const struct task_common *tc, const char *why, bool aborted,
                    int64_t now);

/* libcurl's write callback of every handle (CURLOPT_WRITEDATA: the task):
 * counts the body, feeds the checks, writes the --output-dir file. */
size_t task_write(char *ptr, size_t size, size_t nmemb, void *arg);
/* libcurl's header callback of every handle (CURLOPT_HEADERDATA: the
 * task): collects the response's header lines when they are wanted, and
 * buffers them for -D. */
size_t task_header_line(char *ptr, size_t size, size_t nitems, void *arg);
/* libcurl's socket opener of every handle (CURLOPT_OPENSOCKETDATA: the
 * task), called for each address libcurl is about to connect to, after DNS
 * and on every redirect: refuses an address --deny-private denies (no
 * socket, nothing sent: libcurl goes on with the next address), makes the
 * socket otherwise, and notes what it met for the record (a refused
 * address, a local limit such as running out of file descriptors). */
curl_socket_t task_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr);

/* After an attempt of T finished with *RESULT: when volley follows T's
 * redirects itself (a task that sends --header-for headers, with -L) and
 * the response redirects, set up the next request on T's handle and
 * return true: the caller adds the handle to the multi again (T keeps its
 * slot). Else false: the caller calls task_finish() with *RESULT, which is
 * changed when the redirect cannot be followed (too many, a refused
 * scheme). A redirect to another origin (scheme, host or port) carries
 * neither the --header-for headers nor -u, --oauth2-bearer and -H
 * Authorization or Cookie (as libcurl does with the latter); after 301,
 * 302 and 303 a body becomes a GET as in libcurl. The record counts every
 * hop (num_redirects, time_redirect, times summed as libcurl sums them). */
bool task_follow(struct task *t, const struct task_common *tc, CURLcode *result, int64_t now);

/* The error kind of a failed transfer (exposed for the unit tests). */
enum record_kind task_classify(CURLcode code, long http_code, bool too_large);

#endif
