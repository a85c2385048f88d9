/* clock: the one monotonic clock (microseconds) and its conversion to the
 * struct timeval libevent timers take. */
#ifndef VOLLEY_CLOCK_H
#define VOLLEY_CLOCK_H

#include <stdint.h>
#include <sys/time.h>
#include <time.h>

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

#endif
