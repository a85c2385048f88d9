/* fragment: --check-fragments. Whether a link's #fragment is in its target
 * document: one of the document's anchors (HTML ids and <a name>s,
 * Markdown headings' GitHub ids, see links.h), or a fragment every page
 * has: an empty one and "top" (any case) are the top of the page, and a
 * text fragment (":~:text=...") names no anchor. An anchor
 * "user-content-NAME" also holds NAME: GitHub's rendered Markdown prefixes
 * its ids so, and maps the short fragment in the browser. The checks of one
 * link give a list of failures (struct check_failure, check "fragment"),
 * for a fetched body (task) and for a local file (linkrun) alike. */
#ifndef VOLLEY_FRAGMENT_H
#define VOLLEY_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "links.h"
#include "record.h"

/* Whether FRAG (decoded, without '#') is there among ANCHORS (N of them,
 * sorted bytewise, as links_extract makes them). */
bool fragment_found(char *const *anchors, size_t n, const char *frag);

/* The format whose anchors a fetched body has: HTML for an HTML content
 * type (text/html, application/xhtml+xml), Markdown for text/markdown and
 * text/x-markdown, and for text/plain when the URL's path ends in .md or
 * .markdown (raw files as code hosts serve them). False for anything else:
 * its fragments are not checked. CONTENT_TYPE may be NULL. */
bool fragment_body_format(const char *content_type, const char *url, enum links_format *fmt);

/* The failures of one link's fragments, and what finding them needs: an
 * extractor made on first use (one per thread). Caller frees with
 * fragment_check_free(). */
struct fragment_check;
struct fragment_check *fragment_check_new(void);
void fragment_check_free(struct fragment_check *fc);

/* Check the N fragments FRAGS (each once, decoded) against ANCHORS (NA,
 * sorted). CUT, when not 0, says the document was read up to CUT bytes only
 * (--max-body): a missing fragment's failure then says so. Returns the
 * number of fragments missing and points *FAILED at their failures, in the
 * order of FRAGS; owned by FC, valid until its next check or free. */
size_t fragment_check_anchors(struct fragment_check *fc, char *const *anchors, size_t na,
                              const char *const *frags, size_t n, size_t cut,
                              const struct check_failure **failed);

/* The same against the anchors of the document DATA (LEN bytes) read as
 * FMT. */
size_t fragment_check_document(struct fragment_check *fc, const char *data, size_t len,
                               enum links_format fmt, const char *const *frags, size_t n,
                               size_t cut, const struct check_failure **failed);

/* "missing fragment #a" or "missing fragments #a, #b" for the N FAILED,
 * into DST (replacing it); returns its string. */
const char *fragment_message(const struct check_failure *failed, size_t n, struct buf *dst);

#endif
