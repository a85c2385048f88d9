/* clock: the one monotonic clock (microseconds), its conversion to the
 * struct timeval libevent timers take, and civil (wall-clock) time: the
 * RFC 3339 timestamps of records and the days-from-civil arithmetic that
 * HTTP dates and timestamps share. */
#ifndef VOLLEY_CLOCK_H
#define VOLLEY_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>

#include "buf.h"

/* Monotonic time in microseconds. */
static inline int64_t clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A duration of US microseconds (negative: 0) as a struct timeval. */
static inline struct timeval clock_timeval_us(int64_t us)
{
    if (us < 0)
        us = 0;
    return (struct timeval){(time_t)(us / 1000000), (suseconds_t)(us % 1000000)};
}

/* A duration of MS milliseconds as a struct timeval. */
static inline struct timeval clock_timeval_ms(long ms)
{
    return clock_timeval_us((int64_t)ms * 1000);
}

/* Wall-clock time: milliseconds since 1970-01-01T00:00:00Z. */
int64_t clock_wall_ms(void);

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian; M 1..12). */
int64_t clock_days_from_civil(int64_t y, int m, int d);

/* Append WALL_MS as RFC 3339 UTC with milliseconds:
 * "2026-12-01T21:30:00.123Z". */
void clock_rfc3339(struct buf *dst, int64_t wall_ms);

/* Parse an RFC 3339 date-time (LEN bytes): "YYYY-MM-DDTHH:MM:SS", an
 * optional fraction, then "Z" or "+HH:MM"/"-HH:MM" ('t', 'z' and a space
 * for 'T' accepted). False when it is not one. */
bool clock_parse_rfc3339(const char *s, size_t len, int64_t *wall_ms);

#endif
