/* output: one table of record fields drives the JSON record, the -w
 * template and the text line. */
#include "output.h"
#include "clock.h"
#include "log.h"
#include "text.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the field table ---------------------------------------------------- */

enum ftype {
    F_U64,
    F_LONG,
    F_BOOL,
    F_SECS,
    F_I64,
    F_STR,
    F_ERROR,
    F_KIND,
    F_CODE,
    F_MSG,
    F_JSON,
    F_TIMESTAMP, /* wall-clock ms, 0: null; RFC 3339 */
};

struct field {
    const char *name;
    enum ftype type;
    size_t off;
    bool in_record; /* part of the JSON record (else a -w alias only) */
};

#define FIELD(n, t, m)                                                                             \
    {                                                                                              \
        n, t, offsetof(struct record, m), true                                                     \
    }
#define ALIAS(n, t, m)                                                                             \
    {                                                                                              \
        n, t, offsetof(struct record, m), false                                                    \
    }

static const struct field output_fields[] = {
    FIELD("seq", F_U64, seq),
    FIELD("input", F_STR, input),
    FIELD("url", F_STR, url),
    FIELD("url_effective", F_STR, url_effective),
    FIELD("method", F_STR, method),
    FIELD("http_code", F_LONG, http_code),
    FIELD("ok", F_BOOL, ok),
    FIELD("error", F_ERROR, kind),
    FIELD("attempts", F_LONG, attempts),
    FIELD("time_total", F_SECS, time_total),
    FIELD("time_namelookup", F_SECS, time_namelookup),
    FIELD("time_connect", F_SECS, time_connect),
    FIELD("time_appconnect", F_SECS, time_appconnect),
    FIELD("time_starttransfer", F_SECS, time_starttransfer),
    FIELD("time_redirect", F_SECS, time_redirect),
    FIELD("time_queue", F_SECS, time_queue),
    FIELD("size_download", F_I64, size_download),
    FIELD("content_type", F_STR, content_type),
    FIELD("http_version", F_STR, http_version),
    FIELD("remote_ip", F_STR, remote_ip),
    FIELD("num_redirects", F_LONG, num_redirects),
    FIELD("num_connects", F_LONG, num_connects),
    FIELD("timestamp", F_TIMESTAMP, timestamp_ms),
    /* -w only: the error's parts, curl's names, the whole record */
    ALIAS("error_kind", F_KIND, kind),
    ALIAS("error_code", F_CODE, error_code),
    ALIAS("error_message", F_MSG, error_message),
    ALIAS("errormsg", F_MSG, error_message),
    ALIAS("exitcode", F_CODE, error_code),
    ALIAS("response_code", F_LONG, http_code),
    ALIAS("json", F_JSON, seq),
};

#define NFIELDS (sizeof output_fields / sizeof output_fields[0])

/* ---- rendering ---------------------------------------------------------- */

typedef const char *cstr;
#define AT(r, f, T) (*(const T *)(const void *)((const char *)(r) + (f)->off))

static void output_json_nullable(struct buf *dst, const char *s)
{
    if (s)
        text_json_string(dst, s, strlen(s));
    else
        buf_add(dst, "null", 4);
}

/* The keys only some runs have, after the fixed ones. */
static void output_json_optional(const struct record *r, struct buf *dst)
{
    if (r->id_json) {
        buf_adds(dst, ",\"id\":");
        buf_adds(dst, r->id_json);
    }
    if (r->nchecks) {
        buf_adds(dst, ",\"checks\":[");
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
    if (r->headers_json) {
        buf_adds(dst, ",\"headers\":");
        buf_adds(dst, r->headers_json);
    }
    if (r->has_body) {
        buf_adds(dst, ",\"body\":");
        text_json_string(dst, r->body ? r->body : "", r->body_len);
        buf_adds(dst, r->body_truncated ? ",\"body_truncated\":true" : ",\"body_truncated\":false");
    }
    if (r->body_sha256) {
        buf_adds(dst, ",\"body_sha256\":");
        output_json_nullable(dst, r->body_sha256);
    }
    if (r->filename_effective) {
        buf_adds(dst, ",\"filename_effective\":");
        output_json_nullable(dst, r->filename_effective);
    }
}

/* Numbers and booleans, written the same in JSON and in -w templates.
 * False for the other types. */
static bool output_scalar(const struct field *f, const struct record *r, struct buf *dst)
{
    switch (f->type) {
    case F_U64:
        buf_add_u64(dst, AT(r, f, uint64_t));
        return true;
    case F_LONG:
        buf_add_i64(dst, AT(r, f, long));
        return true;
    case F_I64:
        buf_add_i64(dst, AT(r, f, int64_t));
        return true;
    case F_BOOL:
        buf_adds(dst, AT(r, f, bool) ? "true" : "false");
        return true;
    case F_SECS:
        buf_add_secs(dst, AT(r, f, int64_t), 6);
        return true;
    default:
        return false;
    }
}

static void output_json_record(const struct record *r, struct buf *dst)
{
    buf_reserve(dst, 640);
    buf_addc(dst, '{');
    for (size_t i = 0; i < NFIELDS; i++) {
        const struct field *f = &output_fields[i];
        if (!f->in_record)
            continue;
        if (i)
            buf_addc(dst, ',');
        buf_addc(dst, '"');
        buf_adds(dst, f->name);
        buf_add(dst, "\":", 2);
        if (output_scalar(f, r, dst))
            continue;
        switch (f->type) {
        case F_STR:
            output_json_nullable(dst, AT(r, f, cstr));
            break;
        case F_ERROR:
            if (r->kind == KIND_NONE) {
                buf_add(dst, "null", 4);
                break;
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
            break;
        case F_TIMESTAMP:
            if (!r->timestamp_ms) {
                buf_add(dst, "null", 4);
                break;
            }
            buf_addc(dst, '"');
            clock_rfc3339(dst, r->timestamp_ms);
            buf_addc(dst, '"');
            break;
        default:
            break;
        }
    }
    output_json_optional(r, dst);
    buf_addc(dst, '}');
}

static void output_text_nullable(struct buf *dst, const char *s)
{
    if (s)
        text_string(dst, s, strlen(s));
}

/* One -w variable's value, as text. */
static void output_template_value(const struct field *f, const struct record *r, struct buf *dst)
{
    if (output_scalar(f, r, dst))
        return;
    switch (f->type) {
    case F_STR:
        output_text_nullable(dst, AT(r, f, cstr));
        break;
    case F_ERROR:
    case F_KIND:
        if (r->kind != KIND_NONE)
            buf_adds(dst, record_kind_name(r->kind));
        break;
    case F_CODE:
        buf_add_i64(dst, r->kind != KIND_NONE && r->error_code >= 0 ? r->error_code : 0);
        break;
    case F_MSG:
        if (r->kind != KIND_NONE)
            output_text_nullable(dst, r->error_message);
        break;
    case F_JSON:
        output_json_record(r, dst);
        break;
    case F_TIMESTAMP:
        if (r->timestamp_ms)
            clock_rfc3339(dst, r->timestamp_ms);
        break;
    default: /* the scalars, written above */
        break;
    }
}

struct output_template {
    size_t n;
    struct tpart {
        const struct field *field; /* NULL: literal text */
        char *text;
        size_t len;
    } * parts;
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

static void output_template_literal(struct output_template *t, struct buf *lit)
{
    if (lit->len == 0)
        return;
    t->parts = log_realloc(t->parts, (t->n + 1) * sizeof *t->parts);
    t->parts[t->n++] = (struct tpart){NULL, log_strndup(lit->p, lit->len), lit->len};
    buf_clear(lit);
}

struct output_template *output_template_parse(const char *text, const char **err, char *errname,
                                              size_t errname_len)
{
    struct output_template *t = log_calloc(1, sizeof *t);
    struct buf lit = {0};
    for (const char *p = text; *p;) {
        if (p[0] == '%' && p[1] == '{') {
            const char *end = strchr(p + 2, '}');
            if (!end) {
                *err = "unterminated %{ in --write-out";
                goto fail;
            }
            size_t n = (size_t)(end - p - 2);
            const struct field *f = NULL;
            for (size_t i = 0; i < NFIELDS; i++)
                if (strlen(output_fields[i].name) == n && !memcmp(output_fields[i].name, p + 2, n))
                    f = &output_fields[i];
            if (!f) {
                *err = "unknown --write-out variable";
                snprintf(errname, errname_len, "%.*s", (int)n, p + 2);
                goto fail;
            }
            output_template_literal(t, &lit);
            t->parts = log_realloc(t->parts, (t->n + 1) * sizeof *t->parts);
            t->parts[t->n++] = (struct tpart){f, NULL, 0};
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

static void output_text_record(const struct output_options *opt, const struct record *r,
                               struct buf *dst)
{
    bool color = opt->color && (r->http_code != 0 || r->kind != KIND_NONE);
    if (color)
        buf_adds(dst, r->ok ? output_color(r) : (r->http_code ? output_color(r) : "\033[31m"));
    if (r->http_code > 0)
        buf_add_i64(dst, r->http_code);
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
    for (const char *u = r->url ? r->url : ""; *u;) {
        size_t n = strcspn(u, " ");
        text_string(dst, u, n);
        u += n;
        if (*u == ' ') {
            buf_add(dst, "%20", 3);
            u++;
        }
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
