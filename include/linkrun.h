/* linkrun: the document side of a --links run, before anything is fetched.
 * Every document (linkdoc.h) is read and its links extracted (links.h);
 * each link is resolved (--base, the document's <base href>, a URL
 * document's own URL) and sorted into one of two sets (linkset.h): the
 * distinct absolute http(s) URLs to fetch, filtered by --include-url and
 * --exclude-url, and the local files that relative links name when there is
 * no base. Links to mailto:, tel:, javascript: and data: and other schemes
 * are counted, never fetched; a fragment-only link ("#name") is a link to
 * its own document, checked only with --check-fragments.
 *
 * Once every document is read, the URLs become input lines (input.h) for
 * the engine, each carrying its struct record_link (where it was found and
 * the fragments asked for), and the local files are checked right away,
 * without the engine: each gets its record (kind "missing" when the file
 * does not exist, a "fragment" check failure when --check-fragments finds a
 * fragment missing), written first.
 *
 * Memory grows with the number of distinct links and of the places they
 * are found (about 50 bytes a place, plus the URL once), and, with
 * --check-fragments, with the anchors of the documents read; a document's
 * text is freed once its links are taken. The sets are read-only once
 * linkrun_read() returns, so every loop may read them. */
#ifndef VOLLEY_LINKRUN_H
#define VOLLEY_LINKRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cli.h"
#include "filter.h"
#include "input.h"
#include "writer.h"

struct linkrun;

/* A run for CFG (borrowed; it must outlive the run): --base must be an
 * absolute http(s) URL and each --include-url / --exclude-url a valid
 * PCRE2 pattern; else NULL with the message in ERR (a usage error). Caller
 * frees with linkrun_free(). */
struct linkrun *linkrun_new(const struct config *cfg, struct buf *err);
void linkrun_free(struct linkrun *lr);

/* Read every document and build the sets. False when a document could not
 * be read (said on stderr; the others are read all the same). */
bool linkrun_read(struct linkrun *lr);

/* One line for stderr, with newline, into DST: how many documents and
 * links, how many distinct URLs and local files, and what is not checked,
 * e.g. "volley: 6 documents, 52 links: 11 URLs to fetch, 7 local files;
 * not checked: 3 mailto:/tel:/javascript:/data:, 2 excluded". */
void linkrun_summary(const struct linkrun *lr, struct buf *dst);

/* The distinct URLs to fetch, in the order first found, as input lines:
 * the URL in its normal form (linkset_normalize), the first place as
 * SOURCE:LINENO, and its record_link. Owned by LR. */
const struct input_item *linkrun_items(const struct linkrun *lr, size_t *n);
/* How many local files there are to check (each takes a seq). */
size_t linkrun_nlocal(const struct linkrun *lr);

/* Check every local file and hand its record to W with seqs 1, 2, ... in
 * the order first found; a file that is not in --shard's share (keyed by
 * its path, as a line would be; F may be NULL) is skipped and keeps its
 * seq. --resume does not skip local files: a check costs little, and a
 * cached result would hide a link broken since. Returns the seqs taken
 * (linkrun_nlocal()). */
uint64_t linkrun_check_local(struct linkrun *lr, struct filter *f, struct writer *w);

#endif
