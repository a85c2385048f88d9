/* fuzz_links.h: what every links fuzz target checks on an extracted
 * document, whatever the input: links in strictly increasing offset order
 * inside the input, non-empty NUL-terminated URLs of the right kind,
 * LINE:COLUMN agreeing with the offset, anchors sorted, unique and found,
 * a base with a position inside the input. A broken invariant aborts. */
#ifndef VOLLEY_FUZZ_LINKS_H
#define VOLLEY_FUZZ_LINKS_H

#include "fuzz.h"
#include "links.h"

/* LINE:COLUMN of OFFSET in DATA, counted the way links.c documents:
 * "\n", "\r\n" and a lone "\r" end a line. */
static inline void fuzz_links_locate(const uint8_t *data, size_t size, size_t offset,
                                     uint32_t *line, uint32_t *column)
{
    uint32_t l = 1;
    size_t start = 0;
    for (size_t i = 0; i < offset && i < size; i++) {
        if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= size || data[i + 1] != '\n'))) {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *column = (uint32_t)(offset - start + 1);
}

static inline void fuzz_links_check(const uint8_t *data, size_t size, enum links_format fmt)
{
    struct links_extractor *lx = links_extractor_new();
    struct links_doc *d = links_extract(lx, (const char *)data, size, fmt);
    for (size_t i = 0; i < d->nlinks; i++) {
        const struct links_link *l = &d->links[i];
        FUZZ_CHECK(l->offset < size);
        FUZZ_CHECK(i == 0 || l->offset > d->links[i - 1].offset);
        FUZZ_CHECK(l->len > 0 && l->url[l->len] == '\0');
        FUZZ_CHECK(l->kind == links_classify(l->url, l->len));
        FUZZ_CHECK(!l->sitemap || fmt == LINKS_FORMAT_SITEMAP);
        uint32_t line, column;
        fuzz_links_locate(data, size, l->offset, &line, &column);
        FUZZ_CHECK(l->line == line && l->column == column);
    }
    for (size_t i = 0; i < d->nanchors; i++) {
        FUZZ_CHECK(d->anchors[i][0] != '\0');
        FUZZ_CHECK(i == 0 || strcmp(d->anchors[i - 1], d->anchors[i]) < 0);
        FUZZ_CHECK(links_doc_has_anchor(d, d->anchors[i], strlen(d->anchors[i])));
    }
    if (d->base) {
        FUZZ_CHECK(fmt == LINKS_FORMAT_HTML && d->base[0] != '\0');
        FUZZ_CHECK(d->base_line >= 1 && d->base_column >= 1);
    }
    links_doc_free(d);
    links_extractor_free(lx);
}

#endif
