/* task_impl.h: what the three files of the task module share, and nothing
 * outside it includes: task.c (a task's life, the callbacks, the request
 * options on a handle, the redirects volley follows), task_line.c (an input
 * line → a task or its input record) and task_result.c (libcurl's result →
 * a record, checks, the retry policy's outcome, cancellation). */
#ifndef VOLLEY_TASK_IMPL_H
#define VOLLEY_TASK_IMPL_H

#include "task.h"

/* The URL and method a record shows for T. */
const char *task_shown_url(struct task *t);
const char *task_shown_method(const struct task *t, const struct task_common *tc);
/* Fields every record has, whatever happened. */
void task_record_base(struct task *t, const struct task_common *tc);
/* T's URL as libcurl parsed it. */
CURLU *task_curlu(const struct task *t);
/* --url-query, then -G's data (the spec's, else the run's), appended to the
 * query of T's parsed URL; false when the result does not parse. */
bool task_add_query(struct task *t, const struct task_common *tc);
/* "scheme://host:port" of U (lower case, the port always), into DST. */
void task_origin_of(CURLU *u, struct buf *dst);
/* --check-fragments: T's link has fragments to look for. */
bool task_fragments_wanted(const struct task *t, const struct task_common *tc);
/* Write what the attempt traced (-v, -D). */
void task_trace_flush(struct task *t, const struct task_common *tc);

#endif
