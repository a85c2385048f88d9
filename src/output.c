/* output: the field table (field.h) drives the JSON record and the -w
 * template; the text line; the summary object. */
#include "output.h"
#include "clock.h"
#include "field.h"
#include "headers.h"
#include "log.h"
#include "text.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rendering ---------------------------------------------------------- */

typedef const char *cstr;
#define AT(r, f, T) (*(const T *)field_in(f, r))

static void output_json_nullable(struct buf *dst, const char *s)
{
    if (s)
        text_json_string(dst, s, strlen(s));
    else
        buf_add(dst, "null", 4);
}

static void output_text_nullable(struct buf *dst, const char *s)
{
    if (s)
        text_string(dst, s, strlen(s));
}

/* True when optional field F has a value in R (its key is written). */
static bool output_present(const struct field *f, const struct record *r)
{
    switch (f->type) {
    case FIELD_CHECKS:
        return r->nchecks > 0;
    case FIELD_BODY:
        return r->has_body;
    case FIELD_SOURCES:
        return r->nsources > 0;
    default:
        return AT(r, f, cstr) != NULL;
    }
}

/* Numbers and booleans, written the same in JSON and in -w templates.
 * False for the other types. */
static bool output_scalar(const struct field *f, const struct record *r, struct buf *dst)
{
    switch (f->type) {
    case FIELD_U64:
        buf_add_u64(dst, AT(r, f, uint64_t));
        return true;
    case FIELD_LONG:
        buf_add_i64(dst, AT(r, f, long));
        return true;
    case FIELD_I64:
        buf_add_i64(dst, AT(r, f, int64_t));
        return true;
    case FIELD_BOOL:
        buf_adds(dst, AT(r, f, bool) ? "true" : "false");
        return true;
    case FIELD_SECS:
        buf_add_secs(dst, AT(r, f, int64_t), 6);
        return true;
    default:
        return false;
    }
}

static void output_json_error(const struct record *r, struct buf *dst)
{
    if (r->kind == KIND_NONE) {
        buf_add(dst, "null", 4);
        return;
    }
    buf_adds(dst, "{\"kind\":\"");
    buf_adds(dst, record_kind_name(r->kind));
    buf_adds(dst, "\",\"code\":");
    if (r->error_code >= 0)
        buf_add_i64(dst, r->error_code);
    else
        buf_add(dst, "null", 4);
    buf_adds(dst, ",\"message\":");
    output_json_nullable(dst, r->error_message ? r->error_message : "");
    buf_addc(dst, '}');
}

static void output_json_checks(const struct record *r, struct buf *dst)
{
    buf_addc(dst, '[');
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct check_failure *c = &r->checks[i];
        buf_adds(dst, i ? ",{\"check\":" : "{\"check\":");
        text_json_string(dst, c->check, strlen(c->check));
        buf_adds(dst, ",\"expected\":");
        text_json_string(dst, c->expected, strlen(c->expected));
        buf_adds(dst, ",\"actual\":");
        text_json_string(dst, c->actual, strlen(c->actual));
        buf_addc(dst, '}');
    }
    buf_addc(dst, ']');
}

/* "FILE:LINE:COLUMN" of S, as text. */
static void output_source(struct buf *dst, const struct record_source *s)
{
    text_string(dst, s->file, strlen(s->file));
    buf_addf(dst, ":%lu:%lu", (unsigned long)s->line, (unsigned long)s->column);
}

static void output_json_sources(const struct record *r, struct buf *dst)
{
    struct buf one = {0};
    buf_addc(dst, '[');
    for (size_t i = 0; i < r->nsources; i++) {
        const struct record_source *s = &r->sources[i];
        buf_clear(&one);
        buf_addf(&one, "%s:%lu:%lu", s->file, (unsigned long)s->line, (unsigned long)s->column);
        if (i)
            buf_addc(dst, ',');
        text_json_string(dst, one.p, one.len);
    }
    buf_addc(dst, ']');
    buf_free(&one);
}

/* The value of key F of R (present) as JSON. */
static void output_json_value(const struct field *f, const struct record *r, struct buf *dst)
{
    if (output_scalar(f, r, dst))
        return;
    switch (f->type) {
    case FIELD_STR:
        output_json_nullable(dst, AT(r, f, cstr));
        break;
    case FIELD_ERROR:
        output_json_error(r, dst);
        break;
    case FIELD_TIMESTAMP:
        if (!r->timestamp_ms) {
            buf_add(dst, "null", 4);
            break;
        }
        buf_addc(dst, '"');
        clock_rfc3339(dst, r->timestamp_ms);
        buf_addc(dst, '"');
        break;
    case FIELD_ID:
    case FIELD_OBJECT:
        buf_adds(dst, AT(r, f, cstr));
        break;
    case FIELD_CHECKS:
        output_json_checks(r, dst);
        break;
    case FIELD_BODY:
        text_json_string(dst, r->body ? r->body : "", r->body_len);
        buf_adds(dst, r->body_truncated ? ",\"body_truncated\":true" : ",\"body_truncated\":false");
        break;
    case FIELD_SOURCES:
        output_json_sources(r, dst);
        break;
    default: /* not a key */
        break;
    }
}

static void output_json_record(const struct record *r, struct buf *dst)
{
    size_t n;
    const struct field *fields = field_table(&n);
    buf_reserve(dst, 900);
    buf_addc(dst, '{');
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        const struct field *f = &fields[i];
        if (f->key == FIELD_WRITE_OUT || (f->key == FIELD_OPTIONAL && !output_present(f, r)))
            continue;
        buf_adds(dst, first ? "\"" : ",\"");
        first = false;
        buf_adds(dst, f->name);
        buf_add(dst, "\":", 2);
        output_json_value(f, r, dst);
    }
    buf_addc(dst, '}');
}

/* A value in the text line's note: cut to OUTPUT_NOTE_VALUE characters. */
#define OUTPUT_NOTE_VALUE 64

static void output_text_value(struct buf *dst, const char *s)
{
    size_t len = strlen(s), n = text_cut(s, len, OUTPUT_NOTE_VALUE);
    text_string(dst, s, n);
    if (n < len)
        buf_add(dst, "...", 3);
}

/* A check failure's note: "status 200 != 503; header X-A: ^1$ != 2", each
 * check as NAME EXPECTED != ACTUAL, as hurl shows an assert. */
static void output_text_checks(struct buf *dst, const struct record *r)
{
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct check_failure *c = &r->checks[i];
        if (i)
            buf_add(dst, "; ", 2);
        buf_adds(dst, c->check);
        buf_addc(dst, ' ');
        output_text_value(dst, c->expected);
        buf_add(dst, " != ", 4);
        output_text_value(dst, c->actual);
    }
}

/* The text of a spec's id (a JSON scalar: a string without its quotes). */
static void output_text_id(struct buf *dst, const char *id_json)
{
    struct buf raw = {0};
    text_json_scalar(&raw, id_json);
    text_string(dst, raw.p ? raw.p : "", raw.len);
    buf_free(&raw);
}

/* One -w variable's value, as text. */
static void output_template_value(const struct field *f, const struct record *r, struct buf *dst)
{
    if (output_scalar(f, r, dst))
        return;
    if (f->key == FIELD_OPTIONAL && !output_present(f, r))
        return;
    switch (f->type) {
    case FIELD_STR:
        output_text_nullable(dst, AT(r, f, cstr));
        break;
    case FIELD_ERROR:
    case FIELD_KIND:
        if (r->kind != KIND_NONE)
            buf_adds(dst, record_kind_name(r->kind));
        break;
    case FIELD_CODE:
        buf_add_i64(dst, r->kind != KIND_NONE && r->error_code >= 0 ? r->error_code : 0);
        break;
    case FIELD_MSG:
        if (r->kind != KIND_NONE)
            output_text_nullable(dst, r->error_message);
        break;
    case FIELD_TIMESTAMP:
        if (r->timestamp_ms)
            clock_rfc3339(dst, r->timestamp_ms);
        break;
    case FIELD_ID:
        output_text_id(dst, r->id_json);
        break;
    case FIELD_OBJECT:
        buf_adds(dst, AT(r, f, cstr));
        break;
    case FIELD_CHECKS:
        output_text_checks(dst, r);
        break;
    case FIELD_BODY:
        text_string(dst, r->body ? r->body : "", r->body_len);
        break;
    case FIELD_SOURCES:
        for (size_t i = 0; i < r->nsources; i++) {
            if (i)
                buf_addc(dst, ' ');
            output_source(dst, &r->sources[i]);
        }
        break;
    case FIELD_HEADERS: /* the headers key's object, without --include-headers too */
        if (r->headers_json)
            buf_adds(dst, r->headers_json);
        else if (r->response_headers)
            headers_json(r->response_headers, dst);
        break;
    case FIELD_RECORD:
        output_json_record(r, dst);
        break;
    default: /* the scalars, written above */
        break;
    }
}

/* %header{NAME}: the first value of the last response's header NAME
 * (curl's), a secret one as "***"; nothing when there is none. */
static void output_template_header(const char *name, const struct record *r, struct buf *dst)
{
    const char *v = r->response_headers ? headers_get(r->response_headers, name, 0) : NULL;
    if (!v)
        return;
    if (headers_secret(name, strlen(name)))
        buf_add(dst, "***", 3);
    else
        text_string(dst, v, strlen(v));
}

struct output_template {
    size_t n;
    struct tpart {
        const struct field *field; /* NULL: literal text, or a header's name */
        char *text;                /* the literal, or the header's name (NUL-terminated) */
        size_t len;
        bool header; /* %header{TEXT} */
    } * parts;
    bool headers; /* a part needs the response's headers */
};

void output_template_free(struct output_template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->parts[i].text);
    free(t->parts);
    free(t);
}

bool output_template_headers(const struct output_template *t)
{
    return t && t->headers;
}

static void output_template_add(struct output_template *t, struct tpart part)
{
    t->parts = log_realloc(t->parts, (t->n + 1) * sizeof *t->parts);
    t->parts[t->n++] = part;
}

static void output_template_literal(struct output_template *t, struct buf *lit)
{
    if (lit->len == 0)
        return;
    output_template_add(t, (struct tpart){NULL, log_strndup(lit->p, lit->len), lit->len, false});
    buf_clear(lit);
}

struct output_template *output_template_parse(const char *text, struct buf *err)
{
    struct output_template *t = log_calloc(1, sizeof *t);
    struct buf lit = {0};
    for (const char *p = text; *p;) {
        bool header = !strncmp(p, "%header{", 8);
        if (header || (p[0] == '%' && p[1] == '{')) {
            const char *name = p + (header ? 8 : 2);
            const char *end = strchr(name, '}');
            if (!end) {
                buf_adds(err, header ? "unterminated %header{ in --write-out"
                                     : "unterminated %{ in --write-out");
                goto fail;
            }
            size_t n = (size_t)(end - name);
            const struct field *f = header ? NULL : field_find(name, n);
            if (header ? n == 0 || memchr(name, ':', n) != NULL : !f) {
                buf_addf(err, "%s%s%.*s",
                         header ? "a header name in --write-out's %header{NAME} is empty or has a :"
                                : "unknown --write-out variable",
                         n ? ": " : "", (int)(n < 64 ? n : 64), name);
                goto fail;
            }
            output_template_literal(t, &lit);
            if (header)
                output_template_add(t, (struct tpart){NULL, log_strndup(name, n), n, true});
            else
                output_template_add(t, (struct tpart){f, NULL, 0, false});
            t->headers = t->headers || header || (f && f->type == FIELD_HEADERS);
            p = end + 1;
        } else if (p[0] == '%' && p[1] == '%') {
            buf_addc(&lit, '%');
            p += 2;
        } else if (p[0] == '\\' && (p[1] == 'n' || p[1] == 't' || p[1] == 'r' || p[1] == '\\')) {
            buf_addc(&lit, p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : p[1] == 'r' ? '\r' : '\\');
            p += 2;
        } else {
            buf_addc(&lit, *p++);
        }
    }
    output_template_literal(t, &lit);
    buf_free(&lit);
    return t;
fail:
    buf_free(&lit);
    output_template_free(t);
    return NULL;
}

static const char *output_color(const struct record *r)
{
    if (r->http_code == 0)
        return "\033[31m";
    if (r->http_code >= 500)
        return "\033[31m";
    if (r->http_code >= 400)
        return "\033[33m";
    if (r->http_code >= 300)
        return "\033[36m";
    return "\033[32m";
}

/* S as one column of the text line: its blanks as BLANK. */
static void output_text_column(struct buf *dst, const char *s, const char *blank)
{
    while (*s) {
        size_t n = strcspn(s, " ");
        text_string(dst, s, n);
        s += n;
        if (*s == ' ') {
            buf_adds(dst, blank);
            s++;
        }
    }
}

/* The text line's note names this many places of a broken link at most. */
#define OUTPUT_NOTE_SOURCES 5

/* --links: "; in FILE:LINE:COLUMN, ... and N more", the places that make
 * the failed record R fail. */
static void output_text_sources(struct buf *dst, const struct record *r)
{
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < r->nsources; i++) {
        if (!record_source_failed(r, &r->sources[i]))
            continue;
        if (shown == OUTPUT_NOTE_SOURCES) {
            more++;
            continue;
        }
        buf_adds(dst, shown++ ? ", " : "; in ");
        output_source(dst, &r->sources[i]);
    }
    if (more)
        buf_addf(dst, " and %zu more", more);
}

static void output_text_record(const struct output_options *opt, const struct record *r,
                               struct buf *dst)
{
    bool color = opt->color && (r->http_code != 0 || r->kind != KIND_NONE);
    if (color)
        buf_adds(dst, r->ok ? output_color(r) : (r->http_code ? output_color(r) : "\033[31m"));
    if (r->http_code > 0)
        buf_add_i64(dst, r->http_code);
    else if (r->ok) /* --links: a local file that is there */
        buf_add(dst, "OK", 2);
    else
        buf_add(dst, "ERR", 3);
    if (color)
        buf_adds(dst, "\033[0m");
    buf_addc(dst, ' ');
    buf_add_secs(dst, r->time_total, 3);
    buf_addc(dst, ' ');
    buf_add_i64(dst, r->size_download);
    buf_addc(dst, ' ');
    /* the URL stays one column: a bad line's blanks are written as %20 */
    output_text_column(dst, r->url ? r->url : "", "%20");
    if (r->id_json) {
        struct buf id = {0};
        text_json_scalar(&id, r->id_json);
        buf_add(dst, " id=", 4);
        output_text_column(dst, buf_str(&id), "\\x20");
        buf_free(&id);
    }
    if (r->kind != KIND_NONE) {
        buf_addc(dst, ' ');
        if (opt->color)
            buf_adds(dst, "\033[31m");
        buf_adds(dst, record_kind_name(r->kind));
        buf_add(dst, ": ", 2);
        if (r->kind == KIND_CHECK && r->nchecks)
            output_text_checks(dst, r);
        else
            output_text_nullable(dst, r->error_message);
        output_text_sources(dst, r);
        if (opt->color)
            buf_adds(dst, "\033[0m");
    }
    buf_addc(dst, '\n');
}

void output_render(const struct output_options *opt, const struct record *r, struct buf *dst)
{
    switch (opt->format) {
    case FORMAT_TEXT:
        output_text_record(opt, r, dst);
        break;
    case FORMAT_JSONL:
    case FORMAT_JSON:
        output_json_record(r, dst);
        if (opt->format == FORMAT_JSONL)
            buf_addc(dst, '\n');
        break;
    case FORMAT_TEMPLATE:
        for (size_t i = 0; i < opt->tmpl->n; i++) {
            const struct tpart *p = &opt->tmpl->parts[i];
            if (p->field)
                output_template_value(p->field, r, dst);
            else if (p->header)
                output_template_header(p->text, r, dst);
            else
                buf_add(dst, p->text, p->len);
        }
        break;
    }
}

/* ---- the summary -------------------------------------------------------- */

void output_summary_json(struct buf *dst, const struct output_summary *s)
{
    buf_adds(dst, "{\"urls\":");
    buf_add_u64(dst, s->urls);
    buf_adds(dst, ",\"ok\":");
    buf_add_u64(dst, s->ok);
    buf_adds(dst, ",\"failed\":");
    buf_add_u64(dst, s->failed);
    buf_adds(dst, ",\"errors\":{");
    bool first = true;
    for (int k = KIND_NONE + 1; k < KIND__COUNT; k++) {
        if (!s->by_kind[k])
            continue;
        buf_adds(dst, first ? "\"" : ",\"");
        first = false;
        buf_adds(dst, record_kind_name((enum record_kind)k));
        buf_add(dst, "\":", 2);
        buf_add_u64(dst, s->by_kind[k]);
    }
    buf_adds(dst, "},\"elapsed\":");
    buf_add_secs(dst, s->elapsed_us, 6);
    buf_adds(dst, ",\"urls_per_second\":");
    double secs = (double)s->elapsed_us / 1e6;
    buf_addf(dst, "%.1f", secs > 0 ? (double)s->urls / secs : 0.0);
    buf_addc(dst, '}');
}
