/* links_sitemap: the <loc> URLs of an XML sitemap or sitemap index, read
 * with libxml2's SAX2 parser (streaming: memory does not grow with the
 * document, only with its links). Any element named loc counts, in any
 * namespace (so image:loc too); a loc inside <sitemap> (a sitemap index)
 * is marked as a sitemap. Positions come from the parser's input offset at
 * the end of each <loc> start tag. */
#include "links_int.h"
#include "log.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <string.h>

struct links_sitemap {
    struct links_build *b;
    xmlParserCtxtPtr ctxt;
    const char *data;
    size_t len;
    struct buf parents; /* one byte per open element: 1 for <sitemap> */
    bool in_loc, loc_sitemap;
    size_t loc_offset;
    struct buf text;
};

static bool links_sitemap_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The offset where the text of the element whose start tag the parser
 * has just read begins: past the tag's '>', blanks and a "<![CDATA[". */
static size_t links_sitemap_text_start(const struct links_sitemap *s)
{
    const xmlParserInput *in = s->ctxt->input;
    size_t off = (size_t)in->consumed + (size_t)(in->cur - in->base);
    if (off >= s->len)
        return s->len;
    if (s->data[off] == '>')
        off++;
    for (;;) {
        while (off < s->len && links_sitemap_blank(s->data[off]))
            off++;
        if (s->len - off >= 9 && memcmp(s->data + off, "<![CDATA[", 9) == 0)
            off += 9;
        else
            return off;
    }
}

static void links_sitemap_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                                const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                                int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    (void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces;
    (void)nb_attributes, (void)nb_defaulted, (void)attributes;
    struct links_sitemap *s = ctx;
    const char *name = (const char *)localname;
    if (strcmp(name, "loc") == 0 && !s->in_loc) {
        s->in_loc = true;
        s->loc_sitemap = s->parents.len > 0 && s->parents.p[s->parents.len - 1] == 1;
        s->loc_offset = links_sitemap_text_start(s);
        buf_clear(&s->text);
    }
    buf_addc(&s->parents, strcmp(name, "sitemap") == 0 ? 1 : 0);
}

static void links_sitemap_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                              const xmlChar *uri)
{
    (void)prefix, (void)uri;
    struct links_sitemap *s = ctx;
    if (s->parents.len > 0)
        s->parents.len--;
    if (s->in_loc && strcmp((const char *)localname, "loc") == 0) {
        s->in_loc = false;
        links_add(s->b, s->text.p ? s->text.p : "", s->text.len, s->loc_offset, s->loc_sitemap);
    }
}

static void links_sitemap_chars(void *ctx, const xmlChar *ch, int len)
{
    struct links_sitemap *s = ctx;
    if (s->in_loc && len > 0)
        buf_add(&s->text, ch, (size_t)len);
}

static void links_sitemap_error(void *ctx, xmlErrorPtr err)
{
    struct links_sitemap *s = ctx;
    if (!err || err->level < XML_ERR_ERROR)
        return;
    const char *msg = err->message ? err->message : "error";
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    links_warn(s->b, "line %d: %.*s", err->line, (int)n, msg);
}

void links_sitemap_extract(struct links_build *b, const char *data, size_t len)
{
    /* The protocol says UTF-8; libxml2 would convert UTF-16 and the byte
     * positions would no longer be the file's. */
    const unsigned char *u = (const unsigned char *)data;
    if ((len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) ||
        (len >= 2 && (u[0] == 0 || u[1] == 0))) {
        links_warn(b, "sitemap is not UTF-8: not read");
        return;
    }
    if (len == 0)
        return;
    struct links_sitemap s = {.b = b, .data = data, .len = len};
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = links_sitemap_start;
    sax.endElementNs = links_sitemap_end;
    sax.characters = links_sitemap_chars;
    sax.cdataBlock = links_sitemap_chars;
    sax.serror = links_sitemap_error;

    s.ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
    if (!s.ctxt)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    xmlSAXHandlerPtr saved = s.ctxt->sax;
    s.ctxt->sax = &sax;
    s.ctxt->userData = &s;
    /* No network, no DTD, no entity expansion; recover from errors. The
     * encoding declaration is ignored: the positions are UTF-8 bytes. */
    xmlCtxtUseOptions(s.ctxt, XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC | XML_PARSE_NOCDATA);
    xmlParseDocument(s.ctxt);
    if (s.in_loc) /* an unclosed <loc> at the end of a broken document */
        links_add(b, s.text.p ? s.text.p : "", s.text.len, s.loc_offset, s.loc_sitemap);
    s.ctxt->sax = saved;
    /* Entity declarations make libxml2 keep a document of its own, even
     * for SAX ("SAX compatibility mode"): ours to free. */
    if (s.ctxt->myDoc) {
        xmlFreeDoc(s.ctxt->myDoc);
        s.ctxt->myDoc = NULL;
    }
    xmlFreeParserCtxt(s.ctxt);
    buf_free(&s.parents);
    buf_free(&s.text);
}
