/* log: diagnostics on stderr, fatal errors, and allocation wrappers that
 * abort on out-of-memory (exit status 4). No state beyond the program name. */
#ifndef VOLLEY_LOG_H
#define VOLLEY_LOG_H

#include <stddef.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Exit status for internal errors (out of memory, stdout write failure). */
#define LOG_EXIT_INTERNAL 4

/* Print "volley: MESSAGE" on stderr. */
void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
/* Print "volley: MESSAGE" and exit with STATUS (no cleanup). */
_Noreturn void log_die(int status, const char *fmt, ...) LOG_PRINTF(2, 3);

/* Allocation wrappers: never return NULL; exit 4 on out-of-memory.
 * Caller frees the result with free(). */
void *log_malloc(size_t n);
void *log_calloc(size_t n, size_t size);
void *log_realloc(void *p, size_t n);
char *log_strdup(const char *s);
char *log_strndup(const char *s, size_t n);
/* Append S (owned by the array from here on) to the string array *ARR of
 * *N entries, growing it. */
void log_strv_push(char ***arr, size_t *n, char *s);

#endif
