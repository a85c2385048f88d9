/* log: stderr diagnostics and allocation wrappers that abort on OOM. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("volley: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

_Noreturn void log_die(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("volley: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(status);
}

static void *log_check(void *p)
{
    if (p == NULL)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return p;
}

void *log_malloc(size_t n)
{
    return log_check(malloc(n ? n : 1));
}

void *log_calloc(size_t n, size_t size)
{
    return log_check(calloc(n ? n : 1, size ? size : 1));
}

void *log_realloc(void *p, size_t n)
{
    return log_check(realloc(p, n ? n : 1));
}

char *log_strdup(const char *s)
{
    return log_check(strdup(s));
}

char *log_strndup(const char *s, size_t n)
{
    return log_check(strndup(s, n));
}

void log_strv_push(char ***arr, size_t *n, char *s)
{
    *arr = log_realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = s;
}
