/* links: the links and anchors of one document — Markdown, HTML, an XML
 * sitemap or plain text — each link with its URL as written and the
 * LINE:COLUMN where its URL text starts (LINE and COLUMN from 1, COLUMN in
 * bytes). The parsing is done by real parsers (md4c for Markdown, libxml2
 * for HTML and sitemaps, PCRE2 for URLs in text; src/links_*.c); this
 * module holds the result and the rules every format shares.
 *
 * Positions: for Markdown, a reference link "[text][ref]" is found where
 * its URL is written, at the definition "[ref]: URL" (every use of one
 * definition is that one link); an autolink ("<http://...>", a bare URL or
 * "www.example.com", whose URL is "http://www.example.com" as GitHub makes
 * it) at its first character. For HTML, the first
 * non-blank character of the attribute value (inside the quotes); each
 * srcset candidate and a meta refresh URL at their own character. For a
 * sitemap, the first non-blank character of the <loc> text.
 *
 * URLs: blanks around them and tabs and line breaks inside are dropped
 * (as URL parsers do); an empty URL is no link. Not links: Markdown code
 * blocks and code spans, HTML comments, scripts and styles. Documents are
 * read as UTF-8 (an HTML charset declaration is ignored). */
#ifndef VOLLEY_LINKS_H
#define VOLLEY_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Documents longer than this are read up to it (with a warning). */
#define LINKS_MAX_DOC ((size_t)256 * 1024 * 1024)

enum links_format { LINKS_FORMAT_MD, LINKS_FORMAT_HTML, LINKS_FORMAT_SITEMAP, LINKS_FORMAT_TEXT };

/* "md", "html", "sitemap" or "text" (--links-format); false for any
 * other name. */
bool links_format_parse(const char *name, enum links_format *fmt);
const char *links_format_name(enum links_format fmt);
/* The format of a file by its name (the last path component, ASCII case
 * ignored): .md and .markdown are Markdown, .html and .htm HTML,
 * sitemap*.xml a sitemap, anything else (stdin too) text. */
enum links_format links_format_guess(const char *path);

enum links_kind {
    LINKS_HTTP,     /* absolute http: or https: URL: fetched */
    LINKS_RELATIVE, /* a relative reference ("a/b.md", "/docs/", "?q=1"):
                       resolved against a base, else a local file */
    LINKS_NETWORK,  /* scheme-relative "//host/path": needs a base's scheme */
    LINKS_FRAGMENT, /* "#name" alone: a place in this document */
    LINKS_SKIPPED,  /* mailto:, tel:, javascript:, data: — never fetched */
    LINKS_OTHER,    /* any other scheme (ftp:, file:, irc:, ...): not fetched */
};

/* "http", "relative", "network", "fragment", "skipped", "other". */
const char *links_kind_name(enum links_kind kind);
/* The kind of URL (LEN bytes, leading and trailing blanks already
 * removed); schemes are matched ignoring ASCII case. */
enum links_kind links_classify(const char *url, size_t len);

struct links_link {
    char *url; /* as written, entities and escapes decoded; NUL-terminated */
    size_t len;
    enum links_kind kind;
    bool sitemap;    /* a <loc> of a sitemap index: itself a sitemap */
    uint32_t line;   /* of the first byte of the URL text, from 1 */
    uint32_t column; /* in bytes, from 1 */
    size_t offset;   /* of the first byte of the URL text, from 0 */
};

struct links_doc {
    struct links_link *links; /* in document order; one per position */
    size_t nlinks;
    char **anchors; /* sorted (bytewise), each once */
    size_t nanchors;
    /* HTML: the first <base href> (decoded), for resolving the document's
     * relative links; NULL when there is none. */
    char *base;
    uint32_t base_line, base_column;
    /* NULL, or why the links may be incomplete ("line 3: ..." for a
     * sitemap that is not well-formed XML, a document over LINKS_MAX_DOC). */
    const char *warning;
};

struct links_extractor; /* compiled patterns and scratch buffers */

/* Calls xmlInitParser() (which a threaded program must have called once
 * from its main thread before any thread parses). One extractor per
 * thread; caller frees with links_extractor_free(). */
struct links_extractor *links_extractor_new(void);
void links_extractor_free(struct links_extractor *lx);

/* The links and anchors of the document DATA (LEN bytes, borrowed for the
 * call) read as FMT. Never fails: a malformed document yields what its
 * parser recovered (and maybe a warning). Caller frees with
 * links_doc_free(); the strings live as long as the doc. Memory and time
 * grow with LEN; memory of the result with the number of links. */
struct links_doc *links_extract(struct links_extractor *lx, const char *data, size_t len,
                                enum links_format fmt);
void links_doc_free(struct links_doc *doc);

/* True when the document has the anchor NAME (LEN bytes, as written after
 * the '#', already percent-decoded): an HTML id, an <a name>, a Markdown
 * heading's generated id or an id/name in its raw HTML. */
bool links_doc_has_anchor(const struct links_doc *doc, const char *name, size_t len);

#endif
