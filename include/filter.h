/* filter: decides, before a line becomes work, whether it is this run's.
 * --shard K/N keeps the lines of one shard (a hash of the line's key, no
 * memory per line); --resume skips a request that already has a final
 * record in an earlier run's output. Skipped lines still take their seq. */
#ifndef VOLLEY_FILTER_H
#define VOLLEY_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cli.h"
#include "task.h"

struct filter;

/* The filters CFG asks for (none: every line is kept). Reads the --resume
 * files now: NULL with a message in ERR when one cannot be read. CFG is
 * borrowed and must outlive the filter. Caller frees with filter_free(). */
struct filter *filter_new(const struct config *cfg, struct buf *err);
void filter_free(struct filter *f);

/* True when the trimmed input line TEXT (LEN bytes) belongs to this shard;
 * costs one hash of its key. */
bool filter_line(struct filter *f, const char *text, size_t len);
/* True when line L surely has a final record in the --resume files, told
 * without making a task (the common case of a done plain URL); false
 * leaves it to filter_task(). */
bool filter_done_quick(struct filter *f, const struct task_common *tc, const struct input_line *l);
/* True when T (made by task_from_line, fetchable or not) has no final
 * record in the --resume files, so this run must handle it. */
bool filter_task(struct filter *f, struct task *t, const struct task_common *tc);

/* Whether FD (stdout) is a --resume file that ends in a torn line, so a
 * newline must go out before the first record. */
bool filter_stdout_torn(const struct filter *f, int fd);

#endif
