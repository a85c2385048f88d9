/* unit.h: helpers shared by the unit tests: the cmocka includes, scratch
 * files in a private temporary directory, and draining a file descriptor. */
#ifndef VOLLEY_UNIT_H
#define VOLLEY_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A scratch directory, made on first use and removed (with the files
 * written through unit_file) by unit_cleanup(). */
static char unit_dir[64];
static char *unit_files[64];
static size_t unit_nfiles;

static inline const char *unit_tmpdir(void)
{
    if (!unit_dir[0]) {
        snprintf(unit_dir, sizeof unit_dir, "/tmp/volley-unit-XXXXXX");
        if (!mkdtemp(unit_dir)) {
            perror("mkdtemp");
            abort();
        }
    }
    return unit_dir;
}

/* Write LEN bytes of DATA to a new file NAME in the scratch directory and
 * return its path (owned by the helper, valid until unit_cleanup()). */
static inline const char *unit_file(const char *name, const void *data, size_t len)
{
    if (unit_nfiles == sizeof unit_files / sizeof unit_files[0])
        abort();
    size_t n = strlen(unit_tmpdir()) + strlen(name) + 2;
    char *path = malloc(n);
    if (!path)
        abort();
    snprintf(path, n, "%s/%s", unit_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) != 0) {
        perror(path);
        abort();
    }
    unit_files[unit_nfiles++] = path;
    return path;
}

static inline const char *unit_text_file(const char *name, const char *text)
{
    return unit_file(name, text, strlen(text));
}

/* Remove every file written by unit_file() and the scratch directory. */
static inline int unit_cleanup(void **state)
{
    (void)state;
    for (size_t i = 0; i < unit_nfiles; i++) {
        if (unit_files[i]) /* never NULL; the check keeps gcc -O2 -Wnonnull quiet */
            unlink(unit_files[i]);
        free(unit_files[i]);
    }
    unit_nfiles = 0;
    if (unit_dir[0])
        rmdir(unit_dir);
    unit_dir[0] = '\0';
    return 0;
}

/* Read what is available on FD (non-blocking) into a malloc'd,
 * NUL-terminated string; *LEN gets its length. */
static inline char *unit_drain(int fd, size_t *len)
{
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    if (!p)
        abort();
    for (;;) {
        if (cap - n < 2048) {
            cap *= 2;
            p = realloc(p, cap);
            if (!p)
                abort();
        }
        ssize_t r = read(fd, p + n, cap - n - 1);
        if (r > 0) {
            n += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        break; /* EOF or EAGAIN: nothing more right now */
    }
    fcntl(fd, F_SETFL, flags);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

/* Run the GROUP of tests. */
#define UNIT_MAIN(name, group)                                                                     \
    int main(void)                                                                                 \
    {                                                                                              \
        return cmocka_run_group_tests_name(name, group, NULL, unit_cleanup);                       \
    }

#endif
