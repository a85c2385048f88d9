/* links_html: the links and anchors of HTML, read with libxml2's HTML SAX
 * parser (streaming, recovers from anything). Links: href (also
 * xlink:href), src, srcset (each candidate, up to 64), poster, and the URL of
 * <meta http-equiv=refresh content="N; url=...">; <base href> is the
 * document's base. Anchors: every id, and name on <a>.
 *
 * libxml2 tells where a start tag ends, not where its attributes are: the
 * tag's '<' is found by going back from its end to a "<name" from which
 * the attributes, read by the HTML tokenizer's rules, end exactly there;
 * the value offsets come from that reading. */
#include "links_int.h"
#include "log.h"
#include "text.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Candidate '<' positions tried for one start tag before falling back. */
#define LINKS_HTML_TRIES 16

struct links_html_attr {
    size_t name, name_len;   /* offsets in the parsed buffer */
    size_t value, value_len; /* inside the quotes; value_len 0 without a value */
    bool used;
};

struct links_html {
    struct links_build *b;
    htmlParserCtxtPtr ctxt;
    const char *buf; /* what libxml2 parses */
    size_t len;
    const struct links_piece *pieces;
    size_t npieces;
    bool top;
    size_t lo; /* no start tag still to come begins before this offset */
    struct links_html_attr *attrs;
    size_t nattrs, attrs_cap;
};

static bool links_html_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* Read the attributes of a start tag from P (just past its name) the way
 * the HTML tokenizer does, reading no further than LEN; returns the offset
 * of the tag's '>' (LEN when there is none before). */
static size_t links_html_read_attrs(struct links_html *h, size_t p, size_t len)
{
    const char *s = h->buf;
    h->nattrs = 0;
    for (;;) {
        while (p < len && (links_html_blank(s[p]) || s[p] == '/'))
            p++;
        if (p >= len || s[p] == '>')
            return p;
        struct links_html_attr a = {.name = p};
        p++; /* the first character may even be '=' */
        while (p < len && !links_html_blank(s[p]) && s[p] != '/' && s[p] != '>' && s[p] != '=')
            p++;
        a.name_len = p - a.name;
        size_t q = p;
        while (q < len && links_html_blank(s[q]))
            q++;
        if (q < len && s[q] == '=') {
            q++;
            while (q < len && links_html_blank(s[q]))
                q++;
            if (q < len && (s[q] == '"' || s[q] == '\'')) {
                const char *close = memchr(s + q + 1, s[q], len - q - 1);
                a.value = q + 1;
                if (!close) {
                    a.value_len = len - a.value;
                    p = len;
                } else {
                    a.value_len = (size_t)(close - s) - a.value;
                    p = (size_t)(close - s) + 1;
                }
            } else {
                a.value = q;
                while (q < len && !links_html_blank(s[q]) && s[q] != '>')
                    q++;
                a.value_len = q - a.value;
                p = q;
            }
        }
        if (h->nattrs == h->attrs_cap) {
            h->attrs_cap = h->attrs_cap ? h->attrs_cap * 2 : 16;
            h->attrs = log_realloc(h->attrs, h->attrs_cap * sizeof *h->attrs);
        }
        h->attrs[h->nattrs++] = a;
    }
}

/* Find the start tag NAME that libxml2 has just read up to END (its '>',
 * or the '/' of "/>"), and read its attributes into H->attrs. False when
 * no reading agrees with libxml2: then *START is the nearest "<name" (or
 * END) and H->attrs is empty. */
static bool links_html_find_tag(struct links_html *h, const char *name, size_t end, size_t *start)
{
    size_t nlen = strlen(name), nearest = SIZE_MAX, tries = 0;
    if (end > h->len)
        end = h->len;
    for (size_t p = end; p-- > h->lo && tries < LINKS_HTML_TRIES;) {
        if (h->buf[p] != '<' || p + 1 + nlen > end || strncasecmp(h->buf + p + 1, name, nlen) != 0)
            continue;
        char after = p + 1 + nlen < h->len ? h->buf[p + 1 + nlen] : '>';
        if (!links_html_blank(after) && after != '/' && after != '>')
            continue;
        if (nearest == SIZE_MAX)
            nearest = p;
        tries++;
        /* The tag ends at END: reading past it cannot agree (and would make
         * the work grow with the square of the document). */
        size_t gt = links_html_read_attrs(h, p + 1 + nlen, end + 2 < h->len ? end + 2 : h->len);
        if (gt == end || (end < h->len && h->buf[end] == '/' && gt == end + 1)) {
            *start = p;
            return true;
        }
    }
    h->nattrs = 0;
    *start = nearest != SIZE_MAX ? nearest : end < h->len ? end : h->len ? h->len - 1 : 0;
    return false;
}

/* The raw value of attribute NAME of the tag just found (the first one not
 * yet used), or NULL. */
static struct links_html_attr *links_html_raw(struct links_html *h, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < h->nattrs; i++) {
        struct links_html_attr *a = &h->attrs[i];
        if (!a->used && a->name_len == n && strncasecmp(h->buf + a->name, name, n) == 0) {
            a->used = true;
            return a;
        }
    }
    return NULL;
}

/* Offset of the first non-blank byte of raw value A (FALLBACK without A). */
static size_t links_html_value_start(const struct links_html *h, const struct links_html_attr *a,
                                     size_t fallback)
{
    if (!a)
        return fallback;
    size_t p = a->value;
    while (p < a->value + a->value_len && links_html_blank(h->buf[p]))
        p++;
    return p;
}

static void links_html_add(struct links_html *h, const char *url, size_t len, size_t off)
{
    links_add(h->b, url, len, links_piece_map(h->pieces, h->npieces, off), false);
}

/* srcset: "url [descriptors], url [descriptors], ..." (the HTML spec's
 * reading, short of validating descriptors). Stores at most MAX
 * (start, length) pairs of the URLs in S and returns how many there are. */
static size_t links_html_srcset(const char *s, size_t len, size_t (*out)[2], size_t max)
{
    size_t n = 0, i = 0;
    for (;;) {
        while (i < len && (links_html_blank(s[i]) || s[i] == ','))
            i++;
        if (i >= len)
            return n;
        size_t start = i;
        while (i < len && !links_html_blank(s[i]))
            i++;
        size_t end = i;
        bool descriptors = true;
        if (s[end - 1] == ',') {
            while (end > start && s[end - 1] == ',')
                end--;
            descriptors = false;
        }
        if (n < max) {
            out[n][0] = start;
            out[n][1] = end - start;
        }
        n++;
        if (descriptors) { /* up to a ',' outside parentheses */
            bool paren = false;
            for (; i < len; i++) {
                if (s[i] == '(')
                    paren = true;
                else if (s[i] == ')')
                    paren = false;
                else if (s[i] == ',' && !paren)
                    break;
            }
        }
    }
}

static void links_html_add_srcset(struct links_html *h, const char *value,
                                  const struct links_html_attr *a, size_t fallback)
{
    enum { MAX = 64 };
    size_t dec[MAX][2], raw[MAX][2];
    size_t vlen = strlen(value);
    size_t n = links_html_srcset(value, vlen, dec, MAX);
    size_t nraw = a ? links_html_srcset(h->buf + a->value, a->value_len, raw, MAX) : 0;
    for (size_t i = 0; i < n && i < MAX; i++) {
        /* Entities can make the decoded value read differently from the
         * raw one; then every candidate is placed at the value's start. */
        size_t off = nraw == n ? a->value + raw[i][0] : links_html_value_start(h, a, fallback);
        links_html_add(h, value + dec[i][0], dec[i][1], off);
    }
}

/* The URL in a refresh "content" value ("5; url='...'"): its start and
 * length in S, false when there is none. */
static bool links_html_refresh(const char *s, size_t len, size_t *start, size_t *ulen)
{
    size_t i = 0;
    while (i < len && links_html_blank(s[i]))
        i++;
    size_t digits = i;
    while (i < len && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
        i++;
    if (i == digits)
        return false;
    while (i < len && links_html_blank(s[i]))
        i++;
    if (i < len && (s[i] == ';' || s[i] == ','))
        i++;
    while (i < len && links_html_blank(s[i]))
        i++;
    if (len - i >= 3 && strncasecmp(s + i, "url", 3) == 0) {
        size_t j = i + 3;
        while (j < len && links_html_blank(s[j]))
            j++;
        if (j < len && s[j] == '=') {
            j++;
            while (j < len && links_html_blank(s[j]))
                j++;
            i = j;
        }
    }
    size_t end = len;
    if (i < len && (s[i] == '"' || s[i] == '\'')) {
        const char *close = memchr(s + i + 1, s[i], len - i - 1);
        i++;
        if (close)
            end = (size_t)(close - s);
    }
    while (end > i && links_html_blank(s[end - 1]))
        end--;
    if (end == i)
        return false;
    *start = i;
    *ulen = end - i;
    return true;
}

static const char *links_html_att(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2) {
        if (strcmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    }
    return NULL;
}

static bool links_html_wanted(const char *tag, const xmlChar **atts)
{
    static const char *const names[] = {"href", "xlink:href", "src", "srcset", "poster", "id"};
    for (size_t i = 0; atts[i]; i += 2) {
        const char *n = (const char *)atts[i];
        for (size_t j = 0; j < sizeof names / sizeof names[0]; j++) {
            if (strcmp(n, names[j]) == 0)
                return true;
        }
        if ((strcmp(n, "name") == 0 && strcmp(tag, "a") == 0) ||
            (strcmp(n, "content") == 0 && strcmp(tag, "meta") == 0))
            return true;
    }
    return false;
}

static void links_html_start(void *ctx, const xmlChar *xname, const xmlChar **atts)
{
    struct links_html *h = ctx;
    const char *tag = (const char *)xname;
    if (!atts || !links_html_wanted(tag, atts))
        return;
    const xmlParserInput *in = h->ctxt->input;
    size_t end = (size_t)in->consumed + (size_t)(in->cur - in->base);
    size_t start;
    links_html_find_tag(h, tag, end, &start);
    h->lo = end < h->len ? end + 1 : h->len;
    size_t fallback = start;

    bool is_a = strcmp(tag, "a") == 0, is_base = strcmp(tag, "base") == 0;
    for (size_t i = 0; atts[i]; i += 2) {
        const char *name = (const char *)atts[i];
        const char *value = atts[i + 1] ? (const char *)atts[i + 1] : "";
        if (strcmp(name, "id") == 0 || (is_a && strcmp(name, "name") == 0)) {
            links_html_raw(h, name);
            links_add_anchor(h->b, value, strlen(value));
        } else if (strcmp(name, "href") == 0 || strcmp(name, "xlink:href") == 0 ||
                   strcmp(name, "src") == 0 || strcmp(name, "poster") == 0) {
            size_t off = links_html_value_start(h, links_html_raw(h, name), fallback);
            if (is_base && strcmp(name, "href") == 0) {
                if (h->top)
                    links_set_base(h->b, value, strlen(value),
                                   links_piece_map(h->pieces, h->npieces, off));
            } else {
                links_html_add(h, value, strlen(value), off);
            }
        } else if (strcmp(name, "srcset") == 0) {
            links_html_add_srcset(h, value, links_html_raw(h, name), fallback);
        } else if (strcmp(name, "content") == 0 && strcmp(tag, "meta") == 0) {
            const char *equiv = links_html_att(atts, "http-equiv");
            size_t s, n;
            if (!equiv || strcasecmp(equiv, "refresh") != 0 ||
                !links_html_refresh(value, strlen(value), &s, &n))
                continue;
            struct links_html_attr *a = links_html_raw(h, name);
            size_t rs, rn, off = links_html_value_start(h, a, fallback);
            if (a && links_html_refresh(h->buf + a->value, a->value_len, &rs, &rn))
                off = a->value + rs;
            links_html_add(h, value + s, n, off);
        }
    }
}

/* A copy of DATA that libxml2 reads as UTF-8 without switching encodings
 * (which would move every later byte offset): each byte of an invalid
 * UTF-8 sequence and each NUL becomes '?'. NULL when DATA is fine. */
static char *links_html_sanitize(const char *data, size_t len)
{
    char *copy = NULL;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = text_utf8_decode((const unsigned char *)data + i, len - i, &cp);
        if (n > 0 && cp != 0) {
            i += n;
            continue;
        }
        if (!copy) {
            copy = log_malloc(len ? len : 1);
            memcpy(copy, data, len);
        }
        copy[i++] = '?';
    }
    return copy;
}

void links_html_extract(struct links_build *b, const char *data, size_t len,
                        const struct links_piece *pieces, size_t npieces, bool top)
{
    char *clean = links_html_sanitize(data, len);
    struct links_html h = {
        .b = b,
        .buf = clean ? clean : data,
        .len = len,
        .pieces = pieces,
        .npieces = npieces,
        .top = top,
    };
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.startElement = links_html_start;
    h.ctxt = htmlCreateMemoryParserCtxt(len ? h.buf : " ", len ? (int)len : 1);
    if (!h.ctxt)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    htmlSAXHandlerPtr saved = h.ctxt->sax;
    h.ctxt->sax = &sax;
    h.ctxt->userData = &h;
    /* No network; recover; the charset in <meta> is ignored: the positions
     * are the document's UTF-8 bytes. Without charset set to UTF-8,
     * libxml2 2.9 guesses an encoding from <meta> at the first non-ASCII
     * byte (IGNORE_ENC notwithstanding) and converts the rest. */
    htmlCtxtUseOptions(h.ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                   HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
    h.ctxt->charset = XML_CHAR_ENCODING_UTF8;
    htmlParseDocument(h.ctxt);
    h.ctxt->sax = saved;
    if (h.ctxt->myDoc) { /* none without a SAX handler that makes one */
        xmlFreeDoc(h.ctxt->myDoc);
        h.ctxt->myDoc = NULL;
    }
    htmlFreeParserCtxt(h.ctxt);
    free(h.attrs);
    free(clean);
}
