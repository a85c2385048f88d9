/* retry: the pure retry policy. Given how an attempt ended, says whether to
 * try again and after how long (exponential backoff with full jitter, or the
 * server's Retry-After, capped). No I/O, no clocks, no state. */
#ifndef VOLLEY_RETRY_H
#define VOLLEY_RETRY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "output.h"

struct retry_policy {
    long retries;      /* --retry: extra attempts allowed */
    long delay_ms;     /* --retry-delay: the first backoff */
    long max_delay_ms; /* --retry-max-delay: cap for one backoff and Retry-After */
    bool all_errors;   /* --retry-all-errors */
};

/* How one attempt ended. */
struct retry_attempt {
    enum record_kind kind; /* KIND_NONE when it passed */
    long curl_code;        /* libcurl's code, 0 when a response came */
    long http_code;        /* 0 when no response */
    bool idempotent;       /* GET, HEAD, PUT, DELETE, OPTIONS */
    long attempts;         /* attempts made so far, this one included */
    long retry_after_ms;   /* the server's Retry-After, < 0 when none */
    bool local;            /* a local limit or refusal (out of file descriptors,
                              --deny-private): never retried */
};

/* True when the failure is transient: connection refused or reset, empty
 * reply, DNS failure, timeout, HTTP 408, 429, 500, 502, 503, 504. */
bool retry_transient(const struct retry_attempt *a);

/* Milliseconds to wait before the next attempt, or -1 for no retry (never
 * for an input error, a cancellation or a local failure, even with
 * --retry-all-errors). RND is a uniformly random 32-bit number (the
 * jitter). */
long retry_decide(const struct retry_policy *p, const struct retry_attempt *a, uint32_t rnd);

/* A Retry-After value (delay-seconds or an HTTP-date) in milliseconds from
 * NOW; -1 when it is neither. Dates in the past give 0. */
long retry_parse_after(const char *value, time_t now);

/* True for the methods that are safe to repeat. */
bool retry_idempotent(const char *method);

#endif
