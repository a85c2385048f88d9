/* spec: a JSON request spec line {"url", "method", "headers", "data", "id",
 * "expect"} parsed with cJSON into plain strings. Unknown keys, wrong types
 * and a NUL in a string (raw or \u0000, which would cut it short) are
 * errors (the line becomes an input record). */
#ifndef VOLLEY_SPEC_H
#define VOLLEY_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct spec {
    char *url;      /* required */
    char *method;   /* NULL: not given */
    char **headers; /* "Name: value" lines */
    size_t nheaders;
    char *data; /* NULL: not given */
    size_t data_len;
    char *id_json;  /* the id as compact JSON (a scalar), as the record writes it
                       (a string's invalid UTF-8 replaced); NULL: none */
    char **expect;  /* name, value pairs (names without "--expect-") */
    size_t nexpect; /* pairs */
};

/* Parse LINE (LEN bytes). Returns true and fills OUT (free with
 * spec_clear()), or false with a message in ERR. */
bool spec_parse(const char *line, size_t len, struct spec *out, struct buf *err);
void spec_clear(struct spec *s);

/* True when header line H ("Name: value" or "Name;") has the name NAME
 * (NLEN bytes), compared without case. */
bool spec_header_named(const char *h, const char *name, size_t nlen);
/* The length of the name part of header line H. */
size_t spec_header_name_len(const char *h);

#endif
