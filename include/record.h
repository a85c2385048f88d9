/* record: the shared vocabulary of one URL's result: the error kinds and
 * struct record, which task fills, and output, report and the thresholds
 * read. No functions beyond naming a kind. */
#ifndef VOLLEY_RECORD_H
#define VOLLEY_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct headers;

enum record_kind {
    KIND_NONE = 0,
    KIND_INPUT,
    KIND_DNS,
    KIND_CONNECT,
    KIND_TLS,
    KIND_TIMEOUT,
    KIND_TOO_LARGE,
    KIND_PROTOCOL,
    KIND_HTTP,
    KIND_CHECK,
    KIND_CANCELLED,
    KIND_OTHER,
    KIND_DENIED, /* --deny-private refused every address of the URL */
    KIND__COUNT
};

/* One failed check (--expect-*, a spec's "expect"): the expectation's name
 * ("status", "header", "body", "body-contains", "jq", "time", "size",
 * "sha256"), what it expected and what came, as text (see check.h). */
struct check_failure {
    const char *check, *expected, *actual;
};

/* One URL's result. Strings and the checks array are borrowed for the
 * duration of the call that is given the record (task keeps them in the
 * task and its check_state until the record is written); NULL strings are
 * written as null. Times are in microseconds. */
struct record {
    uint64_t seq;
    const char *input;
    const char *url;
    const char *url_effective;
    const char *method;
    long http_code;
    bool ok;
    enum record_kind kind; /* KIND_NONE: error is null */
    long error_code;       /* < 0: null */
    const char *error_message;
    long attempts;
    int64_t time_total, time_namelookup, time_connect, time_appconnect;
    int64_t time_starttransfer, time_redirect, time_queue;
    int64_t size_download;
    const char *content_type;
    const char *http_version;
    const char *remote_ip;
    long num_redirects, num_connects;
    int64_t timestamp_ms; /* wall clock when the first attempt started; 0: never started */

    /* curl's -w names, keys since the second round */
    const char *redirect_url; /* where a redirect not followed would have gone */
    long remote_port;         /* of the last connection; 0: none */
    const char *local_ip;
    long local_port;
    const char *scheme;                   /* "http" or "https"; NULL when nothing was fetched */
    int64_t speed_download, speed_upload; /* bytes per second */
    long size_header, size_request;       /* header bytes received, request bytes sent */
    int64_t size_upload;                  /* body bytes sent */
    int64_t time_pretransfer;

    /* For -w only (no key): the last response's headers when they were
     * collected (%header{NAME}, %{header_json}), else NULL. Borrowed, as the
     * strings are; not const because a lookup builds its index. */
    struct headers *response_headers;

    /* Optional keys, written only when set (NULL / false: no key). */
    const char *id_json;                /* a request spec's "id", already JSON */
    const struct check_failure *checks; /* failed checks (nchecks > 0), in check order */
    size_t nchecks;
    const char *headers_json; /* response headers, a JSON object */
    const char *body;         /* --include-body: the (capped) body */
    size_t body_len;
    bool has_body;
    bool body_truncated;
    const char *body_sha256;        /* --sha256: hex */
    const char *filename_effective; /* --output-dir: where the body went */
};

/* The kind's name as records write it ("dns", "too_large", ...). */
const char *record_kind_name(enum record_kind k);

#endif
