/* spec: JSON request spec lines → struct spec. */
#include "spec.h"
#include "cli.h"
#include "log.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const spec_expect_names[] = {
    "status", "header", "body", "body-contains", "jq", "time", "size", "sha256",
};

static char *spec_dup(const char *s)
{
    return log_strdup(s);
}

size_t spec_header_name_len(const char *h)
{
    return strcspn(h, ":;");
}

bool spec_header_named(const char *h, const char *name, size_t nlen)
{
    return spec_header_name_len(h) == nlen && strncasecmp(h, name, nlen) == 0;
}

/* Append one (name, value) pair to OUT->expect. */
static void spec_push_expect(struct spec *out, const char *name, const char *value)
{
    out->expect = log_realloc(out->expect, 2 * (out->nexpect + 1) * sizeof *out->expect);
    out->expect[2 * out->nexpect] = spec_dup(name);
    out->expect[2 * out->nexpect + 1] = spec_dup(value);
    out->nexpect++;
}

static bool spec_expect(const cJSON *e, struct spec *out, struct buf *err)
{
    if (!cJSON_IsObject(e)) {
        buf_adds(err, "\"expect\" must be an object");
        return false;
    }
    for (const cJSON *it = e->child; it; it = it->next) {
        bool known = false;
        for (size_t i = 0; i < sizeof spec_expect_names / sizeof spec_expect_names[0]; i++)
            known = known || strcmp(it->string, spec_expect_names[i]) == 0;
        if (!known) {
            buf_addf(err, "unknown expectation \"%.60s\"", it->string);
            return false;
        }
        /* "header" may hold a list of strings */
        if (cJSON_IsArray(it) && strcmp(it->string, "header") == 0) {
            for (const cJSON *h = it->child; h; h = h->next) {
                if (!cJSON_IsString(h)) {
                    buf_adds(err, "\"expect\".\"header\" values must be strings");
                    return false;
                }
                spec_push_expect(out, it->string, h->valuestring);
            }
            continue;
        }
        if (!cJSON_IsString(it)) {
            buf_addf(err, "\"expect\".\"%.60s\" must be a string", it->string);
            return false;
        }
        spec_push_expect(out, it->string, it->valuestring);
    }
    return true;
}

/* True when LINE (LEN bytes) holds a NUL, raw or as the escape \u0000:
 * cJSON would end the string there, silently dropping the rest of it. An
 * escape is a backslash after an even number of them. */
static bool spec_has_nul(const char *line, size_t len)
{
    if (memchr(line, '\0', len))
        return true;
    for (size_t i = 0; i + 6 <= len; i++) {
        if (line[i] != '\\' || line[i + 1] != 'u' || memcmp(line + i + 2, "0000", 4) != 0)
            continue;
        size_t run = 0; /* backslashes right before this one */
        while (run < i && line[i - 1 - run] == '\\')
            run++;
        if (run % 2 == 0)
            return true;
    }
    return false;
}

/* The id V (a scalar) as the record writes it: a string through the one
 * JSON string writer (invalid UTF-8 replaced, as everywhere in output),
 * anything else as cJSON prints it. Caller frees with free(). */
static char *spec_id_json(const cJSON *v)
{
    if (!cJSON_IsString(v)) {
        char *p = cJSON_PrintUnformatted(v);
        if (!p)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        char *own = log_strdup(p);
        cJSON_free(p);
        return own;
    }
    struct buf b = {0};
    text_json_string(&b, v->valuestring, strlen(v->valuestring));
    char *own = log_strdup(buf_str(&b));
    buf_free(&b);
    return own;
}

bool spec_parse(const char *line, size_t len, struct spec *out, struct buf *err)
{
    memset(out, 0, sizeof *out);
    if (spec_has_nul(line, len)) {
        buf_adds(err, "NUL (\\u0000) in a request spec string");
        return false;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!j) {
        buf_adds(err, "invalid JSON request spec");
        return false;
    }
    while (end && end < line + len && (*end == ' ' || *end == '\t'))
        end++;
    bool ok = false;
    if (end && end < line + len && *end) {
        buf_adds(err, "text after the JSON request spec");
        goto done;
    }
    if (!cJSON_IsObject(j)) {
        buf_adds(err, "a request spec must be a JSON object");
        goto done;
    }
    for (const cJSON *it = j->child; it; it = it->next) {
        const char *k = it->string;
        if (!strcmp(k, "url") || !strcmp(k, "method") || !strcmp(k, "data")) {
            if (!cJSON_IsString(it)) {
                buf_addf(err, "\"%s\" must be a string", k);
                goto done;
            }
            char **dst = !strcmp(k, "url")      ? &out->url
                         : !strcmp(k, "method") ? &out->method
                                                : &out->data;
            free(*dst);
            *dst = spec_dup(it->valuestring);
            if (dst == &out->data)
                out->data_len = strlen(it->valuestring);
        } else if (!strcmp(k, "headers")) {
            if (!cJSON_IsObject(it)) {
                buf_adds(err, "\"headers\" must be an object of strings");
                goto done;
            }
            for (const cJSON *h = it->child; h; h = h->next) {
                if (!cJSON_IsString(h)) {
                    buf_adds(err, "\"headers\" must be an object of strings");
                    goto done;
                }
                if (!cli_token(h->string, strlen(h->string)) || cli_control(h->valuestring, true)) {
                    buf_adds(err, "bad header: its name must be an HTTP token and its value "
                                  "have no control characters (CR, LF, ...)");
                    goto done;
                }
                struct buf line_buf = {0};
                if (*h->valuestring)
                    buf_addf(&line_buf, "%s: %s", h->string, h->valuestring);
                else
                    buf_addf(&line_buf, "%s;", h->string); /* curl's way to send it empty */
                log_strv_push(&out->headers, &out->nheaders, line_buf.p);
            }
        } else if (!strcmp(k, "id")) {
            if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
                buf_adds(err, "\"id\" must be a string, number, boolean or null");
                goto done;
            }
            free(out->id_json);
            out->id_json = spec_id_json(it);
        } else if (!strcmp(k, "expect")) {
            if (!spec_expect(it, out, err))
                goto done;
        } else {
            buf_addf(err, "unknown key \"%.60s\" in request spec", k);
            goto done;
        }
    }
    if (!out->url) {
        buf_adds(err, "request spec without \"url\"");
        goto done;
    }
    if (out->method && !cli_token(out->method, strlen(out->method))) {
        buf_adds(err, "bad \"method\": it must be an HTTP token (no blanks or control "
                      "characters)");
        goto done;
    }
    ok = true;
done:
    cJSON_Delete(j);
    if (!ok)
        spec_clear(out);
    return ok;
}

void spec_clear(struct spec *s)
{
    free(s->url);
    free(s->method);
    for (size_t i = 0; i < s->nheaders; i++)
        free(s->headers[i]);
    free(s->headers);
    free(s->data);
    free(s->id_json);
    for (size_t i = 0; i < 2 * s->nexpect; i++)
        free(s->expect[i]);
    free(s->expect);
    memset(s, 0, sizeof *s);
}
