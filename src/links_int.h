/* links_int.h: what links.c shares with its format extractors
 * (links_md.c, links_html.c, links_sitemap.c, links_text.c): the extractor
 * context and the calls that add links and anchors to the document being
 * built. Private to src/. */
#ifndef VOLLEY_LINKS_INT_H
#define VOLLEY_LINKS_INT_H

#include "buf.h"
#include "links.h"
#include "slug.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdbool.h>
#include <stddef.h>

struct links_extractor {
    pcre2_code *text_url; /* links_text.c's URL pattern */
    pcre2_match_data *text_md;
    struct slug *slug; /* Markdown heading ids */
};

/* The document being built: the public result plus what links.c needs to
 * finish it (sort, positions). */
struct links_build {
    struct links_doc doc;
    size_t cap, anchors_cap;
    size_t base_offset;
    struct buf warning;
};

/* Add the link URL (LEN bytes, decoded; copied) whose URL text starts at
 * byte OFFSET of the document. Leading and trailing ASCII blanks are
 * dropped (OFFSET must already point past the leading ones), and so are
 * tabs and line breaks inside; an empty URL is not added. */
void links_add(struct links_build *b, const char *url, size_t len, size_t offset, bool sitemap);
/* Add the anchor NAME (LEN bytes; copied); an empty one is not added. */
void links_add_anchor(struct links_build *b, const char *name, size_t len);
/* Set the document's base URL (the first call wins). */
void links_set_base(struct links_build *b, const char *url, size_t len, size_t offset);
/* Keep MESSAGE as the document's warning (the first call wins). */
void links_warn(struct links_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Pieces of a document copied into one buffer: piece I holds LEN bytes that
 * are at DOC in the document and at BUF in the buffer. DOC is SIZE_MAX for
 * bytes that are not in the document (a newline md4c inserted). */
struct links_piece {
    size_t buf, doc, len;
};
/* The document offset of buffer offset OFF, through N pieces sorted by
 * BUF (OFF itself when N is 0). */
size_t links_piece_map(const struct links_piece *pieces, size_t n, size_t off);

/* The format extractors. DATA (LEN bytes) is the document, except for
 * links_html_extract() called by links_md.c on raw HTML copied out of a
 * Markdown document through PIECES (then TOP is false: no <base>). */
void links_md_extract(struct links_extractor *lx, struct links_build *b, const char *data,
                      size_t len);
void links_html_extract(struct links_build *b, const char *data, size_t len,
                        const struct links_piece *pieces, size_t npieces, bool top);
void links_sitemap_extract(struct links_build *b, const char *data, size_t len);
void links_text_extract(struct links_extractor *lx, struct links_build *b, const char *data,
                        size_t len);
/* The compiled pattern links_text_extract() matches (for the extractor). */
pcre2_code *links_text_compile(void);

/* Decode the HTML character reference at S (LEN bytes, starting with '&'):
 * named (HTML 4's list, from libxml2), decimal or hexadecimal. Appends its
 * UTF-8 to OUT and returns the bytes it took (through the ';'), or 0 when
 * S does not start with one. */
size_t links_html_entity(const char *s, size_t len, struct buf *out);

#endif
