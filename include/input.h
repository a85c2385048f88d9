/* input: the URL sources (--url values, then FILEs, "-" = stdin) read lazily
 * as trimmed lines with their FILE:LINE position. Never blocks on a pipe:
 * when no whole line is ready it says INPUT_AGAIN and names the fd to wait on.
 * A --links run reads a list made in memory instead (input_new_items). */
#ifndef VOLLEY_INPUT_H
#define VOLLEY_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct record_link;

struct input_line {
    const char *text; /* trimmed; lent until the next input_next() */
    size_t len;
    const char *source;             /* "arg", "-" or the file name; lives as long as input */
    uint64_t lineno;                /* 1-based line (or --url index) */
    bool too_long;                  /* longer than 64 KiB: TEXT holds its start only */
    const struct record_link *link; /* --links: the link this line checks; NULL: none */
};

/* One line of a list made in memory (--links: a distinct URL). */
struct input_item {
    const char *text; /* trimmed, at most 64 KiB */
    const char *source;
    uint64_t lineno;
    const struct record_link *link;
};

enum input_status { INPUT_LINE, INPUT_AGAIN, INPUT_EOF, INPUT_ERROR };

struct input;

/* URLS and FILES are borrowed and must outlive the input. With neither,
 * stdin is read. Caller frees with input_free(). */
struct input *input_new(char *const *urls, size_t nurls, char *const *files, size_t nfiles);
/* An input that hands out the N ITEMS (borrowed; they must outlive the
 * input) in order, as lines of their own SOURCE:LINENO. */
struct input *input_new_items(const struct input_item *items, size_t n);
void input_free(struct input *in);

/* The next line that is not blank or a comment. INPUT_AGAIN: wait until
 * input_fd() is readable and call again. INPUT_ERROR: input_error() says
 * what failed; the source is skipped and the next call goes on. */
enum input_status input_next(struct input *in, struct input_line *line);
int input_fd(const struct input *in);

/* How many lines (not blank, not comments) the sources hold, read in one
 * streaming pass; -1 when a source is not a regular file (stdin, a pipe). */
int64_t input_count(char *const *urls, size_t nurls, char *const *files, size_t nfiles);
const char *input_error(const struct input *in);
/* How many lines (not blank, not comments) IN has not handed out: the rest
 * of the --url values and of every source, read to their end now (call it
 * only when the run is over). -1 when one of them is not a regular file
 * (stdin, a pipe); *SOURCE then names it ("stdin" or the file name). */
int64_t input_unread(struct input *in, const char **source);

#endif
