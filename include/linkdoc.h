/* linkdoc: the documents of a --links run, one at a time, read whole: the
 * --url values and URL arguments first (each fetched with one blocking
 * libcurl transfer made with the run's connection options, following
 * redirects, before anything else is fetched), then the FILEs in order: a
 * folder is walked recursively in bytewise order of names for the files
 * with a known extension (.md, .markdown, .html, .htm, sitemap*.xml),
 * skipping entries whose name starts with '.' and symbolic links to
 * folders; "-" is stdin, which is also read when there is nothing else. */
#ifndef VOLLEY_LINKDOC_H
#define VOLLEY_LINKDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "links.h"

struct linkdoc {
    const char *name; /* as the sources show it: the path, "-" for stdin, or the URL */
    const char *rel;  /* the path under the folder given (a named file: its path as
                         given, "./" dropped), for --base; NULL for stdin and URLs */
    const char *root; /* where a root-relative link ("/x") starts: the folder given,
                         else the file's own folder; NULL for stdin and URLs */
    const char *url;  /* a URL document: where it came from after redirects (its
                         base); NULL for files */
    bool local;       /* a file (or stdin): its relative links name local files */
    enum links_format fmt;
    const char *data; /* the whole document (at most LINKS_MAX_DOC + 1 bytes) */
    size_t len;
};

/* Called once per document, in order; D and its strings are borrowed for
 * the call. */
typedef void (*linkdoc_fn)(void *arg, const struct linkdoc *d);

/* Read every document CFG names (cfg->urls, then cfg->files, else stdin)
 * and hand each to FN. The format is --links-format, else guessed from the
 * name (links_format_guess), for a URL from its Content-Type first (HTML,
 * XML as a sitemap, Markdown). A document that cannot be read or fetched
 * (or answers outside 2xx) is skipped with a warning on stderr; then the
 * result is false. */
bool linkdoc_each(const struct config *cfg, linkdoc_fn fn, void *arg);

/* The format of a fetched document by its Content-Type (parameters and
 * case ignored): HTML, XML (a sitemap) or Markdown; else by the path of
 * URL as links_format_guess() reads a name. Exposed for the unit tests. */
enum links_format linkdoc_url_format(const char *content_type, const char *url);

#endif
