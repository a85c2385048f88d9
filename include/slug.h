/* slug: GitHub-style ids for Markdown headings. The heading's text is
 * lower-cased, every character but letters, marks, digits, '_', '-' and ' '
 * is dropped, and each space becomes '-'; an id already made in the same
 * document gets "-1", "-2", ... (the rules of GitHub's renderer and of
 * github-slugger, so "#links" in a README finds "## Links"). */
#ifndef VOLLEY_SLUG_H
#define VOLLEY_SLUG_H

#include <stddef.h>

#include "buf.h"

struct slug; /* the compiled pattern and the ids made in this document */

/* Caller frees with slug_free(). */
struct slug *slug_new(void);
void slug_free(struct slug *s);
/* Start a new document: forget the ids made so far. */
void slug_reset(struct slug *s);
/* The id of the document's next heading, whose text is TEXT (LEN bytes;
 * invalid UTF-8 is dropped), written into OUT (replacing its content).
 * Returns OUT's string. */
const char *slug_next(struct slug *s, const char *text, size_t len, struct buf *out);

#endif
