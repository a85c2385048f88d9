/* dryrun: --dry-run: every line this run would handle (after --shard and
 * --resume), as read and trimmed, one per line on stdout; nothing is
 * fetched. The tests and the scale simulation use it to see a split. */
#ifndef VOLLEY_DRYRUN_H
#define VOLLEY_DRYRUN_H

#include "cli.h"
#include "filter.h"
#include "input.h"

/* Read IN to its end, print the lines F keeps to FD. Returns the exit
 * status: 0; 2 when a source could not be read; 141 when FD's reader went
 * away; 4 when FD could not be written. Everything is borrowed. */
int dryrun_run(const struct config *cfg, struct input *in, struct filter *f, int fd);

#endif
