/* cli_help: --help, --help-table and --version, printed from the option
 * table (cli_table.h); the wording of a row's choices. */
#ifndef VOLLEY_CLI_HELP_H
#define VOLLEY_CLI_HELP_H

#include <stdio.h>

#include "buf.h"

/* --help: usage, one line per visible row (its help, choices, default and
 * a --links run's own, "repeatable"), the exit statuses. */
void cli_help(FILE *out);

/* --help-table: one tab-separated line per visible row: name, letter, type,
 * argument, default, choices (space-separated), "repeat" or "", help line,
 * a --links run's own default ("" when it has none).
 * tests/e2e/docs.bats and scripts/completions.sh read it. */
void cli_help_table(FILE *out);

/* --version: volley's and its libraries' versions. */
void cli_help_version(FILE *out);

/* Append the NULL-terminated choices C as "a, b or c". */
void cli_help_choices(struct buf *b, const char *const *c);

#endif
