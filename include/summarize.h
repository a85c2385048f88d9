/* summarize: --summarize FILE...: record files (the shards' outputs,
 * appended resume files) read back into records, the latest record of each
 * request key kept (later files and later lines win), and handed to a
 * writer as if they had been one run: the records, the summary, the exit
 * status and the --report files. Nothing is fetched. Memory: about 40
 * bytes per distinct request. */
#ifndef VOLLEY_SUMMARIZE_H
#define VOLLEY_SUMMARIZE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "cli.h"
#include "record.h"
#include "writer.h"

struct summarize_tree; /* a parsed line, which a record borrows from */

/* Read CFG's FILEs and hand the latest record of each request to W.
 * *ELAPSED_US gets the run's span (from the earliest first attempt to the
 * latest end). False with a message in ERR when a file cannot be read (a
 * usage error); lines that are not records are skipped with a warning. */
bool summarize_run(const struct config *cfg, struct writer *w, int64_t *elapsed_us,
                   struct buf *err);

/* Parse one JSON Lines record (LEN bytes) into R, whose strings and checks
 * borrow from *TREE (the caller frees it with summarize_tree_free() once R
 * was used). False when the line is not a volley record. Exposed for the
 * unit tests. */
bool summarize_parse(const char *line, size_t len, struct record *r, struct summarize_tree **tree);
void summarize_tree_free(struct summarize_tree *t);

#endif
