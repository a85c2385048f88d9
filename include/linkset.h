/* linkset: the URL side of checking a document's links. Resolving a
 * relative link against a base URL, the normal form that tells distinct
 * URLs apart, the local file a relative link names, and the set of
 * distinct links, each with every place (FILE:LINE:COLUMN) it was found.
 *
 * Memory: the set grows with the number of distinct links and with the
 * number of places each is found (about 24 bytes a place, plus its
 * fragment); nothing is dropped before linkset_free(). */
#ifndef VOLLEY_LINKSET_H
#define VOLLEY_LINKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct linkset_source {
    uint32_t file; /* linkset_file() id */
    uint32_t line, column;
    char *fragment; /* percent-decoded, without '#'; NULL when the link had none */
};

struct linkset_entry {
    const char *key;                /* the normal form (or local path) the link is known by */
    struct linkset_source *sources; /* in the order found */
    size_t nsources;
    size_t cap;
};

struct linkset; /* the distinct links, file names, and reusable CURLU handles */

/* Caller frees with linkset_free(). */
struct linkset *linkset_new(void);
void linkset_free(struct linkset *s);

/* REF resolved against the absolute http(s) URL BASE (RFC 3986, by
 * libcurl's CURLU; blanks and non-ASCII bytes percent-encoded, a blank in
 * a query becomes '+'), into OUT (replacing its content); REF's fragment
 * is kept as written. NULL on success, else why not (a static message). */
const char *linkset_resolve(struct linkset *s, const char *base, const char *ref, struct buf *out);

/* The normal form of the absolute http(s) URL: scheme and host in lower
 * case, the default port dropped, "." and ".." segments removed, an empty
 * path written "/", and no fragment. OUT gets it (replaced); FRAGMENT, if
 * not NULL, gets URL's fragment percent-decoded (cleared when there is
 * none) and *HAS_FRAGMENT (if not NULL) whether there was a '#'. NULL on
 * success, else why not (a static message). */
const char *linkset_normalize(struct linkset *s, const char *url, struct buf *out,
                              struct buf *fragment, bool *has_fragment);

/* The local file named by the relative link REF found in the document at
 * path DOC: DOC's directory joined with REF's path (its query and fragment
 * dropped, percent-escapes decoded, "." and ".." segments resolved by
 * name). A path starting with '/' is taken from ROOT, and is an error when
 * ROOT is NULL; a REF that is only "#frag" (or empty) names DOC itself.
 * PATH gets the result, FRAGMENT (if not NULL) the fragment
 * percent-decoded, *HAS_FRAGMENT (if not NULL) whether there was one.
 * NULL on success, else why not (a static message). */
const char *linkset_local(const char *doc, const char *ref, const char *root, struct buf *path,
                          struct buf *fragment, bool *has_fragment);

/* Percent-decode S (LEN bytes) into OUT (appends); "%00" and malformed
 * escapes stay as written. */
void linkset_unescape(const char *s, size_t len, struct buf *out);

/* The id of file name NAME (copied once; asking for the last name again is
 * cheap). */
uint32_t linkset_file(struct linkset *s, const char *name);
const char *linkset_file_name(const struct linkset *s, uint32_t file);

/* Record that the link known by KEY (KEYLEN bytes) was found at
 * FILE:LINE:COLUMN, with FRAGMENT (FRAGLEN bytes, decoded; NULL for none).
 * Returns the index of its entry (entries are numbered in the order first
 * found); *ADDED (if not NULL) says whether KEY is new. A place equal to
 * the entry's last one is not recorded twice. */
size_t linkset_add(struct linkset *s, const char *key, size_t keylen, uint32_t file, uint32_t line,
                   uint32_t column, const char *fragment, size_t fraglen, bool *added);

/* Number of distinct links, and entry I (borrowed; valid until the next
 * linkset_add() or linkset_free()). */
size_t linkset_count(const struct linkset *s);
const struct linkset_entry *linkset_entry(const struct linkset *s, size_t i);
/* Append "FILE:LINE:COLUMN" of SRC to OUT. */
void linkset_source_format(const struct linkset *s, const struct linkset_source *src,
                           struct buf *out);

#endif
