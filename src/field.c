/* field: the record's fields, one row per name, and a lookup by name. */
#include "field.h"

#include <string.h>

#define ROW(n, t, m, k, i)                                                                         \
    {                                                                                              \
        n, t, offsetof(struct record, m), k, i                                                     \
    }
/* a key of every record: from libcurl (CURLINFO_X), or computed (NONE) */
#define FIXED(n, t, m, i) ROW(n, t, m, FIELD_FIXED, CURLINFO_##i)
/* a key only when set; all computed */
#define OPTIONAL(n, t, m) ROW(n, t, m, FIELD_OPTIONAL, CURLINFO_NONE)
/* a -w name only */
#define WRITE_OUT(n, t, m) ROW(n, t, m, FIELD_WRITE_OUT, CURLINFO_NONE)

static const struct field field_rows[] = {
    FIXED("seq", FIELD_U64, seq, NONE),                     /* the line's position */
    FIXED("input", FIELD_STR, input, NONE),                 /* FILE:LINE */
    FIXED("url", FIELD_STR, url, NONE),                     /* the line, redacted */
    FIXED("url_effective", FIELD_STR, url_effective, NONE), /* EFFECTIVE_URL, redacted */
    FIXED("method", FIELD_STR, method, NONE),               /* the spec's, -X, or implied */
    FIXED("http_code", FIELD_LONG, http_code, RESPONSE_CODE),
    FIXED("ok", FIELD_BOOL, ok, NONE),             /* kind and checks */
    FIXED("error", FIELD_ERROR, kind, NONE),       /* CURLcode, status, checks */
    FIXED("attempts", FIELD_LONG, attempts, NONE), /* counted by task */
    FIXED("time_total", FIELD_SECS, time_total, TOTAL_TIME_T),
    FIXED("time_namelookup", FIELD_SECS, time_namelookup, NAMELOOKUP_TIME_T),
    FIXED("time_connect", FIELD_SECS, time_connect, CONNECT_TIME_T),
    FIXED("time_appconnect", FIELD_SECS, time_appconnect, APPCONNECT_TIME_T),
    FIXED("time_starttransfer", FIELD_SECS, time_starttransfer, STARTTRANSFER_TIME_T),
    FIXED("time_redirect", FIELD_SECS, time_redirect, REDIRECT_TIME_T),
    FIXED("time_queue", FIELD_SECS, time_queue, NONE), /* read to first start */
    /* curl's size_download: body bytes as they came, before --compressed
     * decoding (the checks, hash and saved body see the decoded bytes) */
    FIXED("size_download", FIELD_I64, size_download, SIZE_DOWNLOAD_T),
    FIXED("content_type", FIELD_STR, content_type, CONTENT_TYPE),
    FIXED("http_version", FIELD_STR, http_version, NONE), /* from HTTP_VERSION */
    FIXED("remote_ip", FIELD_STR, remote_ip, PRIMARY_IP),
    FIXED("num_redirects", FIELD_LONG, num_redirects, REDIRECT_COUNT),
    FIXED("num_connects", FIELD_LONG, num_connects, NUM_CONNECTS),
    FIXED("timestamp", FIELD_TIMESTAMP, timestamp_ms, NONE),      /* the first start */
    FIXED("redirect_url", FIELD_STR, redirect_url, REDIRECT_URL), /* task redacts it */
    FIXED("remote_port", FIELD_LONG, remote_port, PRIMARY_PORT),
    FIXED("local_ip", FIELD_STR, local_ip, LOCAL_IP),
    FIXED("local_port", FIELD_LONG, local_port, LOCAL_PORT),
    FIXED("scheme", FIELD_STR, scheme, NONE), /* from SCHEME, in lower case */
    FIXED("speed_download", FIELD_I64, speed_download, SPEED_DOWNLOAD_T),
    FIXED("speed_upload", FIELD_I64, speed_upload, SPEED_UPLOAD_T),
    FIXED("size_header", FIELD_LONG, size_header, HEADER_SIZE),
    FIXED("size_request", FIELD_LONG, size_request, REQUEST_SIZE),
    FIXED("size_upload", FIELD_I64, size_upload, SIZE_UPLOAD_T),
    FIXED("time_pretransfer", FIELD_SECS, time_pretransfer, PRETRANSFER_TIME_T),
    /* only when set */
    OPTIONAL("id", FIELD_ID, id_json),               /* the spec's */
    OPTIONAL("checks", FIELD_CHECKS, checks),        /* failed checks */
    OPTIONAL("headers", FIELD_OBJECT, headers_json), /* --include-headers */
    OPTIONAL("body", FIELD_BODY, body),              /* --include-body; and body_truncated */
    OPTIONAL("body_sha256", FIELD_STR, body_sha256), /* --sha256 */
    OPTIONAL("filename_effective", FIELD_STR, filename_effective), /* --output-dir */
    OPTIONAL("sources", FIELD_SOURCES, sources),                   /* --links */
    /* -w only: the error's parts, curl's other names, the whole record */
    WRITE_OUT("body_truncated", FIELD_BOOL, body_truncated),
    WRITE_OUT("error_kind", FIELD_KIND, kind),
    WRITE_OUT("error_code", FIELD_CODE, error_code),
    WRITE_OUT("error_message", FIELD_MSG, error_message),
    WRITE_OUT("errormsg", FIELD_MSG, error_message),
    WRITE_OUT("exitcode", FIELD_CODE, error_code),
    WRITE_OUT("response_code", FIELD_LONG, http_code),
    WRITE_OUT("header_json", FIELD_HEADERS, response_headers),
    WRITE_OUT("json", FIELD_RECORD, seq),
};

#define FIELD_ROWS (sizeof field_rows / sizeof field_rows[0])

const struct field *field_table(size_t *n)
{
    *n = FIELD_ROWS;
    return field_rows;
}

const struct field *field_find(const char *name, size_t len)
{
    for (size_t i = 0; i < FIELD_ROWS; i++)
        if (strlen(field_rows[i].name) == len && !memcmp(field_rows[i].name, name, len))
            return &field_rows[i];
    return NULL;
}
