/* volley-fixture: a small HTTP/1.1 test server for volley's end-to-end tests.
 * Built on raw libevent bufferevents so that every byte on the wire is under
 * control: deterministic bodies, streaming with back-pressure, delays, fault
 * endpoints (RST, empty reply, truncation, stalls), per-key retry scenarios,
 * and request accounting (/stats, /log). It binds only to 127.0.0.0/8 and
 * always exits by itself after --max-seconds. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <openssl/evp.h>

#define FIXTURE_MAX_LISTENERS 16
#define FIXTURE_HEAD_MAX (64 * 1024) /* request line + headers */
#define FIXTURE_MAX_HEADERS 256
#define FIXTURE_BODY_MAX (64u * 1024u * 1024u) /* request body */
#define FIXTURE_LOG_CAP 100000
#define FIXTURE_LOG_PATH_MAX 2048
#define FIXTURE_KEYS_CAP 4096
#define FIXTURE_STREAM_HIGH (256 * 1024) /* refill while output is below this */
#define FIXTURE_STREAM_LOW (64 * 1024)   /* ...and wake up when it drains here */
#define FIXTURE_PIECE 65536              /* bytes per reference for raw bodies */
#define FIXTURE_CHUNK 8192               /* bytes per chunk for chunked bodies */
#define FIXTURE_INPUT_PAUSE (4 * 1024 * 1024)
#define FIXTURE_BIG_HEADER_MAX (64u * 1024u * 1024u)
#define FIXTURE_BYTES_MAX (UINT64_C(1) << 50)
#define FIXTURE_MS_MAX UINT64_C(86400000)
#define FIXTURE_RST_POLL_MS 2
#define FIXTURE_RST_POLLS 1000

#define FIXTURE_LEN_CHUNKED (-1)
#define FIXTURE_LEN_NONE (-2)

static const char fixture_alphabet[] = "abcdefghijklmnopqrstuvwxyz";
/* Byte i of every generated body is fixture_alphabet[i % 26]. */
static char fixture_pattern[FIXTURE_PIECE + 26];

struct fixture_counters {
    uint64_t requests;
    uint64_t connections; /* connections that carried a counted request */
    uint64_t accepted;    /* every accepted TCP connection */
    uint64_t inflight;
    uint64_t max_inflight;
};

struct fixture_server;

struct fixture_listener {
    struct fixture_server *srv;
    struct evconnlistener *lev;
    struct in_addr addr;
    uint16_t port;
    bool silent; /* accept connections, never read or answer (--listen-silent) */
    struct fixture_counters cnt;
};

struct fixture_logent {
    double t_ms;
    uint64_t conn;
    uint16_t port;
    char method[16];
    char *path;
};

enum fixture_keykind { FIXTURE_KEY_FLAKY, FIXTURE_KEY_RETRY, FIXTURE_KEY_RETRY_DATE };

struct fixture_key {
    char *name;
    enum fixture_keykind kind;
    uint64_t hits;
    double first_ms;
};

enum fixture_cstate {
    FIXTURE_C_LINE,       /* waiting for a request line */
    FIXTURE_C_HEADERS,    /* reading header lines */
    FIXTURE_C_BODY,       /* reading a Content-Length body */
    FIXTURE_C_CHUNK_SIZE, /* chunked request body: size line */
    FIXTURE_C_CHUNK_DATA, /* chunked request body: data */
    FIXTURE_C_CHUNK_END,  /* chunked request body: CRLF after data */
    FIXTURE_C_TRAILER,    /* chunked request body: trailer lines */
    FIXTURE_C_BUSY,       /* a handler owns the response (delay, drip, hang) */
    FIXTURE_C_STREAM,     /* streaming a body with back-pressure */
    FIXTURE_C_FINAL,      /* response queued; finish once output drains */
    FIXTURE_C_RSTWAIT     /* waiting for the kernel to flush, then RST */
};

enum fixture_after {
    FIXTURE_AFTER_KEEP,    /* keep-alive: read the next request */
    FIXTURE_AFTER_CLOSE,   /* close with FIN */
    FIXTURE_AFTER_RST,     /* close with RST */
    FIXTURE_AFTER_SHUTDOWN /* close, then stop the server */
};

enum fixture_timer { FIXTURE_T_NONE, FIXTURE_T_DELAY, FIXTURE_T_DRIP, FIXTURE_T_RST };

struct fixture_hdr {
    char *name;
    char *value;
};

struct fixture_conn {
    struct fixture_conn *prev, *next;
    struct fixture_server *srv;
    struct fixture_listener *lis;
    struct bufferevent *bev;
    evutil_socket_t fd;
    uint64_t id;
    uint64_t epoch; /* stats epoch in which this connection was last counted */
    enum fixture_cstate state;
    bool paused; /* reading disabled because too much pipelined input */
    /* current request */
    char *method;
    char *target;      /* origin-form request target: path[?query] */
    char *path;        /* target without the query */
    const char *query; /* points into target after '?', or NULL */
    int minor;         /* HTTP/1.minor */
    size_t head_bytes;
    struct fixture_hdr *hdrs;
    size_t nhdrs, caphdrs;
    struct evbuffer *body;
    uint64_t body_left;
    bool keep_alive, is_head, counted, open;
    double t_open;
    /* current response */
    enum fixture_after after;
    bool chunked, truncated;
    uint64_t s_total, s_sent, drip_ms;
    struct event *timer;
    enum fixture_timer tkind;
    unsigned rst_polls;
};

struct fixture_server {
    struct event_base *base;
    struct fixture_listener lis[FIXTURE_MAX_LISTENERS];
    size_t nlis;
    struct fixture_conn *conns;
    uint64_t next_conn_id;
    uint64_t epoch; /* bumped by /stats/reset */
    struct fixture_counters total;
    double start_ms;
    struct fixture_logent *log;
    size_t log_head, log_len;
    char *last_echo; /* the last /echo answer, for /last-echo */
    size_t last_echo_len;
    struct fixture_key keys[FIXTURE_KEYS_CAP];
    size_t nkeys, key_evict;
    struct event *ev_term, *ev_int, *ev_deadline, *ev_relisten;
};

static void fixture_conn_process(struct fixture_conn *c);

/* ---------------------------------------------------------------- utils */

static double fixture_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static bool fixture_parse_u64(const char **sp, uint64_t max, uint64_t *out)
{
    const char *s = *sp;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9') {
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
        s++;
    }
    *sp = s;
    *out = v;
    return true;
}

/* Parse "N1/N2/.../Nn", each Ni <= max[i]; then, if tail is non-NULL, a
 * mandatory "/REST" with REST non-empty, else the end of the string. */
static bool fixture_path_args(const char *s, size_t n, const uint64_t *max, uint64_t *out,
                              const char **tail)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            if (*s != '/')
                return false;
            s++;
        }
        if (!fixture_parse_u64(&s, max[i], &out[i]))
            return false;
    }
    if (tail) {
        if (s[0] != '/' || s[1] == '\0')
            return false;
        *tail = s + 1;
        return true;
    }
    return *s == '\0';
}

static bool fixture_prefix(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return false;
    *rest = s + n;
    return true;
}

static int fixture_hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decode %XX escapes and '+' (form encoding: a space). Malformed escapes are
 * kept literally. The result is NUL-terminated; *outlen excludes the NUL. */
static char *fixture_urldecode(const char *s, size_t n, size_t *outlen)
{
    char *out = malloc(n + 1);
    size_t j = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = fixture_hexval(s[i + 1])) >= 0 &&
            (lo = fixture_hexval(s[i + 2])) >= 0) {
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '+') {
            out[j++] = ' ';
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    if (outlen)
        *outlen = j;
    return out;
}

/* Value of query parameter NAME (decoded, malloc'd), or NULL if absent. */
static char *fixture_query_get(const char *query, const char *name, size_t *outlen)
{
    size_t nlen = strlen(name);
    const char *p = query;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t plen = amp ? (size_t)(amp - p) : strlen(p);
        if (plen > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=')
            return fixture_urldecode(p + nlen + 1, plen - nlen - 1, outlen);
        if (plen == nlen && strncmp(p, name, nlen) == 0)
            return fixture_urldecode("", 0, outlen);
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* Does a comma-separated header value contain TOKEN (case-insensitive)? */
static bool fixture_has_token(const char *value, const char *token)
{
    size_t tlen = strlen(token);
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if ((size_t)(end - start) == tlen && strncasecmp(start, token, tlen) == 0)
            return true;
    }
    return false;
}

static bool fixture_has_ctl(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return true;
    return false;
}

/* Length of the valid UTF-8 sequence at p (n bytes available), or 0. */
static size_t fixture_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    size_t len;
    uint32_t cp;
    if (b < 0x80)
        return 1;
    if ((b & 0xE0) == 0xC0) {
        len = 2;
        cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3;
        cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
        len = 4;
        cp = b & 0x07u;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3Fu);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Append S (N bytes) as a JSON string. Valid UTF-8 passes through; invalid
 * bytes are written as \u00XX. */
static void fixture_json_str(struct evbuffer *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0, i = 0;
    evbuffer_add(b, "\"", 1);
    while (i < n) {
        unsigned char ch = p[i];
        size_t ulen = ch >= 0x80 ? fixture_utf8_len(p + i, n - i) : 1;
        bool plain = ulen > 0 && ch >= 0x20 && ch != 0x7f && ch != '"' && ch != '\\';
        if (plain) {
            i += ulen;
            run += ulen;
            continue;
        }
        if (run)
            evbuffer_add(b, p + i - run, run);
        run = 0;
        switch (ch) {
        case '"':
            evbuffer_add(b, "\\\"", 2);
            break;
        case '\\':
            evbuffer_add(b, "\\\\", 2);
            break;
        case '\n':
            evbuffer_add(b, "\\n", 2);
            break;
        case '\r':
            evbuffer_add(b, "\\r", 2);
            break;
        case '\t':
            evbuffer_add(b, "\\t", 2);
            break;
        default:
            evbuffer_add_printf(b, "\\u%04x", (unsigned)ch);
            break;
        }
        i++;
    }
    if (run)
        evbuffer_add(b, p + i - run, run);
    evbuffer_add(b, "\"", 1);
}

static const char *fixture_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 418:
        return "I'm a teapot";
    case 425:
        return "Too Early";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

/* ------------------------------------------------------------ accounting */

static void fixture_counters_open(struct fixture_counters *k)
{
    k->requests++;
    k->inflight++;
    if (k->inflight > k->max_inflight)
        k->max_inflight = k->inflight;
}

static void fixture_log_add(struct fixture_server *s, const struct fixture_conn *c)
{
    struct fixture_logent *e = &s->log[s->log_head];
    free(e->path);
    e->path = strndup(c->target, FIXTURE_LOG_PATH_MAX);
    e->t_ms = c->t_open - s->start_ms;
    e->port = c->lis->port;
    e->conn = c->id;
    snprintf(e->method, sizeof e->method, "%.15s", c->method);
    s->log_head = (s->log_head + 1) % FIXTURE_LOG_CAP;
    if (s->log_len < FIXTURE_LOG_CAP)
        s->log_len++;
}

static void fixture_log_clear(struct fixture_server *s)
{
    for (size_t i = 0; i < FIXTURE_LOG_CAP; i++) {
        free(s->log[i].path);
        s->log[i].path = NULL;
    }
    s->log_head = 0;
    s->log_len = 0;
}

/* The request's headers are parsed: it is now open (in flight). */
static void fixture_req_open(struct fixture_conn *c)
{
    c->t_open = fixture_now_ms();
    if (!c->counted)
        return;
    fixture_counters_open(&c->srv->total);
    fixture_counters_open(&c->lis->cnt);
    if (c->epoch != c->srv->epoch) {
        c->epoch = c->srv->epoch;
        c->srv->total.connections++;
        c->lis->cnt.connections++;
    }
    c->open = true;
    fixture_log_add(c->srv, c);
}

/* The response is fully written or the connection dropped. */
static void fixture_req_close(struct fixture_conn *c)
{
    if (!c->open)
        return;
    c->open = false;
    if (c->srv->total.inflight)
        c->srv->total.inflight--;
    if (c->lis->cnt.inflight)
        c->lis->cnt.inflight--;
}

static struct fixture_key *fixture_key_get(struct fixture_server *s, enum fixture_keykind kind,
                                           const char *name)
{
    struct fixture_key *k;
    for (size_t i = 0; i < s->nkeys; i++)
        if (s->keys[i].kind == kind && strcmp(s->keys[i].name, name) == 0)
            return &s->keys[i];
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    if (s->nkeys < FIXTURE_KEYS_CAP) {
        k = &s->keys[s->nkeys++];
    } else { /* full: evict the oldest slot, round-robin */
        k = &s->keys[s->key_evict];
        s->key_evict = (s->key_evict + 1) % FIXTURE_KEYS_CAP;
        free(k->name);
    }
    k->name = copy;
    k->kind = kind;
    k->hits = 0;
    k->first_ms = 0;
    return k;
}

/* ------------------------------------------------------------ connection */

static void fixture_req_clear(struct fixture_conn *c)
{
    free(c->method);
    free(c->target);
    free(c->path);
    c->method = c->target = c->path = NULL;
    c->query = NULL;
    for (size_t i = 0; i < c->nhdrs; i++) {
        free(c->hdrs[i].name);
        free(c->hdrs[i].value);
    }
    free(c->hdrs);
    c->hdrs = NULL;
    c->nhdrs = c->caphdrs = 0;
    if (c->body)
        evbuffer_free(c->body);
    c->body = NULL;
    c->body_left = 0;
    c->head_bytes = 0;
    c->minor = 1;
    c->keep_alive = c->is_head = c->counted = false;
    c->after = FIXTURE_AFTER_KEEP;
    c->chunked = c->truncated = false;
    c->s_total = c->s_sent = c->drip_ms = 0;
    if (c->timer)
        evtimer_del(c->timer);
    c->tkind = FIXTURE_T_NONE;
    c->rst_polls = 0;
}

static void fixture_conn_free(struct fixture_conn *c)
{
    struct fixture_server *s = c->srv;
    fixture_req_close(c);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    fixture_req_clear(c);
    if (c->timer)
        event_free(c->timer);
    if (c->bev)
        bufferevent_free(c->bev); /* closes the socket */
    free(c);
}

/* Abort the connection with a TCP RST: SO_LINGER {1, 0}, then close. */
static void fixture_conn_rst(struct fixture_conn *c)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        fprintf(stderr, "volley-fixture: SO_LINGER: %s\n", strerror(errno));
    fixture_conn_free(c);
}

static void fixture_timer_start(struct fixture_conn *c, enum fixture_timer kind, uint64_t ms);

/* Send the RST once the kernel has delivered (and seen acked) everything we
 * wrote, so the client reliably receives the partial body first. Bounded. */
static void fixture_conn_rst_poll(struct fixture_conn *c)
{
#ifdef TIOCOUTQ
    int pending = 0;
    if (c->rst_polls < FIXTURE_RST_POLLS && ioctl(c->fd, TIOCOUTQ, &pending) == 0 && pending > 0) {
        c->rst_polls++;
        c->state = FIXTURE_C_RSTWAIT;
        fixture_timer_start(c, FIXTURE_T_RST, FIXTURE_RST_POLL_MS);
        return;
    }
#endif
    fixture_conn_rst(c);
}

/* The response is completely written (output buffer drained). */
static void fixture_conn_done(struct fixture_conn *c)
{
    struct event_base *base = c->srv->base;
    switch (c->after) {
    case FIXTURE_AFTER_KEEP:
        fixture_req_close(c);
        fixture_req_clear(c);
        c->state = FIXTURE_C_LINE;
        if (c->paused) {
            c->paused = false;
            bufferevent_enable(c->bev, EV_READ);
        }
        fixture_conn_process(c); /* pipelined requests already buffered */
        break;
    case FIXTURE_AFTER_CLOSE:
        fixture_conn_free(c);
        break;
    case FIXTURE_AFTER_RST:
        fixture_conn_rst_poll(c);
        break;
    case FIXTURE_AFTER_SHUTDOWN:
        fixture_conn_free(c);
        event_base_loopexit(base, NULL);
        break;
    }
}

/* Everything is queued: finish when the output buffer is empty. */
static void fixture_final(struct fixture_conn *c)
{
    c->state = FIXTURE_C_FINAL;
    bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
}

/* ------------------------------------------------------------- responses */

/* Write a status line and headers. clen >= 0 sends Content-Length,
 * FIXTURE_LEN_CHUNKED sends Transfer-Encoding: chunked, FIXTURE_LEN_NONE
 * neither. EXTRA is preformatted header lines ("Name: v\r\n"...) or NULL. */
static void fixture_head(struct fixture_conn *c, int status, const char *ctype, int64_t clen,
                         const char *extra)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nServer: volley-fixture\r\n", status,
                        fixture_reason(status));
    if (ctype)
        evbuffer_add_printf(out, "Content-Type: %s\r\n", ctype);
    if (clen >= 0)
        evbuffer_add_printf(out, "Content-Length: %" PRId64 "\r\n", clen);
    else if (clen == FIXTURE_LEN_CHUNKED)
        evbuffer_add_printf(out, "Transfer-Encoding: chunked\r\n");
    if (c->after != FIXTURE_AFTER_KEEP)
        evbuffer_add_printf(out, "Connection: close\r\n");
    else if (c->minor == 0)
        evbuffer_add_printf(out, "Connection: keep-alive\r\n");
    if (extra)
        evbuffer_add(out, extra, strlen(extra));
    evbuffer_add(out, "\r\n", 2);
}

static void fixture_reply(struct fixture_conn *c, int status, const char *ctype, const void *body,
                          size_t len, const char *extra)
{
    bool nobody = status == 204 || status == 304;
    fixture_head(c, status, nobody ? NULL : ctype, nobody ? FIXTURE_LEN_NONE : (int64_t)len, extra);
    if (!nobody && !c->is_head && len)
        bufferevent_write(c->bev, body, len);
    fixture_final(c);
}

static void fixture_reply_str(struct fixture_conn *c, int status, const char *body)
{
    fixture_reply(c, status, "text/plain", body, strlen(body), NULL);
}

/* Reply with the contents of B (consumed and freed). */
static void fixture_reply_buf(struct fixture_conn *c, int status, const char *ctype,
                              struct evbuffer *b, const char *extra)
{
    size_t len = evbuffer_get_length(b);
    fixture_head(c, status, ctype, (int64_t)len, extra);
    if (!c->is_head)
        bufferevent_write_buffer(c->bev, b);
    evbuffer_free(b);
    fixture_final(c);
}

/* Parse error or limit hit: answer STATUS and close the connection. */
static void fixture_fail(struct fixture_conn *c, int status)
{
    char body[64];
    snprintf(body, sizeof body, "%d %s\n", status, fixture_reason(status));
    c->after = FIXTURE_AFTER_CLOSE;
    c->is_head = false;
    fixture_reply_str(c, status, body);
}

/* Queue body bytes until the output holds FIXTURE_STREAM_HIGH; the write
 * callback calls again when it drains below FIXTURE_STREAM_LOW. */
static void fixture_stream_fill(struct fixture_conn *c)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t piece = c->chunked ? FIXTURE_CHUNK : FIXTURE_PIECE;
    while (c->s_sent < c->s_total && evbuffer_get_length(out) < FIXTURE_STREAM_HIGH) {
        uint64_t left = c->s_total - c->s_sent;
        size_t n = left < piece ? (size_t)left : piece;
        if (c->chunked)
            evbuffer_add_printf(out, "%zx\r\n", n);
        evbuffer_add_reference(out, fixture_pattern + c->s_sent % 26, n, NULL, NULL);
        if (c->chunked)
            evbuffer_add(out, "\r\n", 2);
        c->s_sent += n;
    }
    if (c->s_sent == c->s_total) {
        if (c->chunked && !c->truncated)
            evbuffer_add(out, "0\r\n\r\n", 5);
        fixture_final(c);
    }
}

static void fixture_stream_start(struct fixture_conn *c, uint64_t total, bool chunked,
                                 bool truncated)
{
    c->s_total = total;
    c->s_sent = 0;
    c->chunked = chunked;
    c->truncated = truncated;
    c->state = FIXTURE_C_STREAM;
    bufferevent_setwatermark(c->bev, EV_WRITE, FIXTURE_STREAM_LOW, 0);
    fixture_stream_fill(c);
}

/* ---------------------------------------------------------------- timers */

static void fixture_on_timer(evutil_socket_t fd, short what, void *arg)
{
    struct fixture_conn *c = arg;
    (void)fd;
    (void)what;
    switch (c->tkind) {
    case FIXTURE_T_DELAY:
        c->tkind = FIXTURE_T_NONE;
        fixture_reply_str(c, 200, "ok\n");
        break;
    case FIXTURE_T_DRIP:
        bufferevent_write(c->bev, &fixture_alphabet[c->s_sent % 26], 1);
        c->s_sent++;
        if (c->s_sent >= c->s_total) {
            c->tkind = FIXTURE_T_NONE;
            fixture_final(c);
        } else {
            fixture_timer_start(c, FIXTURE_T_DRIP, c->drip_ms);
        }
        break;
    case FIXTURE_T_RST:
        fixture_conn_rst_poll(c);
        break;
    case FIXTURE_T_NONE:
        break;
    }
}

static void fixture_timer_start(struct fixture_conn *c, enum fixture_timer kind, uint64_t ms)
{
    struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};
    if (!c->timer)
        c->timer = evtimer_new(c->srv->base, fixture_on_timer, c);
    if (!c->timer) {
        fixture_conn_free(c);
        return;
    }
    c->tkind = kind;
    evtimer_add(c->timer, &tv);
}

/* -------------------------------------------------------------- handlers */

static void fixture_h_status(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    char body[32];
    if (!fixture_path_args(rest, 1, (const uint64_t[]){999}, &n, NULL) || n < 100 || n > 599) {
        fixture_reply_str(c, 400, "bad status\n");
        return;
    }
    if (n < 200) {
        fixture_reply_str(c, 400, "1xx statuses are not supported\n");
        return;
    }
    snprintf(body, sizeof body, "status %d\n", (int)n);
    fixture_reply_str(c, (int)n, body);
}

static void fixture_h_delay(struct fixture_conn *c, const char *rest)
{
    uint64_t ms;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){FIXTURE_MS_MAX}, &ms, NULL)) {
        fixture_reply_str(c, 400, "bad delay\n");
        return;
    }
    fixture_timer_start(c, FIXTURE_T_DELAY, ms);
}

static void fixture_h_bytes(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    size_t tlen = 0;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){FIXTURE_BYTES_MAX}, &n, NULL)) {
        fixture_reply_str(c, 400, "bad length\n");
        return;
    }
    char *type = fixture_query_get(c->query, "type", &tlen);
    if (type && (tlen == 0 || fixture_has_ctl(type, tlen))) {
        free(type);
        fixture_reply_str(c, 400, "bad type\n");
        return;
    }
    fixture_head(c, 200, type ? type : "application/octet-stream", (int64_t)n, NULL);
    free(type);
    if (c->is_head)
        fixture_final(c);
    else
        fixture_stream_start(c, n, false, false);
}

static void fixture_h_chunked(struct fixture_conn *c, const char *rest, bool truncated)
{
    uint64_t n;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){FIXTURE_BYTES_MAX}, &n, NULL)) {
        fixture_reply_str(c, 400, "bad length\n");
        return;
    }
    if (truncated)
        c->after = FIXTURE_AFTER_CLOSE;
    if (c->minor == 0) { /* HTTP/1.0 has no chunked coding: delimit by close */
        c->after = FIXTURE_AFTER_CLOSE;
        fixture_head(c, 200, "application/octet-stream", FIXTURE_LEN_NONE, NULL);
        if (c->is_head)
            fixture_final(c);
        else
            fixture_stream_start(c, n, false, false);
        return;
    }
    fixture_head(c, 200, "application/octet-stream", FIXTURE_LEN_CHUNKED, NULL);
    if (c->is_head)
        fixture_final(c);
    else
        fixture_stream_start(c, n, true, truncated);
}

static void fixture_h_drip(struct fixture_conn *c, const char *rest)
{
    uint64_t a[2];
    if (!fixture_path_args(rest, 2, (const uint64_t[]){FIXTURE_BYTES_MAX, FIXTURE_MS_MAX}, a,
                           NULL)) {
        fixture_reply_str(c, 400, "bad drip\n");
        return;
    }
    fixture_head(c, 200, "application/octet-stream", (int64_t)a[0], NULL);
    if (c->is_head || a[0] == 0) {
        fixture_final(c);
        return;
    }
    c->s_total = a[0];
    c->s_sent = 0;
    c->drip_ms = a[1];
    fixture_timer_start(c, FIXTURE_T_DRIP, a[1]);
}

static void fixture_h_reset_mid(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){FIXTURE_BYTES_MAX / 2}, &n, NULL)) {
        fixture_reply_str(c, 400, "bad length\n");
        return;
    }
    c->after = FIXTURE_AFTER_RST;
    c->is_head = false;
    fixture_head(c, 200, "application/octet-stream", (int64_t)(2 * n), NULL);
    fixture_stream_start(c, n, false, false);
}

static void fixture_redirect(struct fixture_conn *c, int status, const char *location)
{
    size_t len = strlen(location) + 16;
    char *extra = malloc(len);
    if (!extra) {
        fixture_fail(c, 500);
        return;
    }
    snprintf(extra, len, "Location: %s\r\n", location);
    fixture_reply(c, status, "text/plain", "redirect\n", 9, extra);
    free(extra);
}

static void fixture_h_redirect(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    char loc[48];
    if (!fixture_path_args(rest, 1, (const uint64_t[]){UINT32_MAX}, &n, NULL)) {
        fixture_reply_str(c, 400, "bad count\n");
        return;
    }
    if (n == 0) {
        fixture_reply_str(c, 200, "ok\n");
        return;
    }
    snprintf(loc, sizeof loc, "/redirect/%" PRIu64, n - 1);
    fixture_redirect(c, 302, loc);
}

static void fixture_h_redirect_to(struct fixture_conn *c)
{
    size_t ulen = 0;
    int status = 302;
    char *url = fixture_query_get(c->query, "url", &ulen);
    char *st = fixture_query_get(c->query, "status", NULL);
    if (st) {
        const char *p = st;
        uint64_t v;
        if (!fixture_parse_u64(&p, 999, &v) || *p ||
            (v != 301 && v != 302 && v != 303 && v != 307 && v != 308)) {
            free(st);
            free(url);
            fixture_reply_str(c, 400, "status must be 301, 302, 303, 307 or 308\n");
            return;
        }
        status = (int)v;
        free(st);
    }
    if (!url || ulen == 0 || fixture_has_ctl(url, ulen)) {
        free(url);
        fixture_reply_str(c, 400, "missing or bad url\n");
        return;
    }
    fixture_redirect(c, status, url);
    free(url);
}

/* Request headers as a JSON object; repeated names are joined with ", ". */
static void fixture_json_headers(struct evbuffer *b, const struct fixture_conn *c)
{
    bool first = true;
    evbuffer_add(b, "{", 1);
    for (size_t i = 0; i < c->nhdrs; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcasecmp(c->hdrs[j].name, c->hdrs[i].name) == 0;
        if (seen)
            continue;
        if (!first)
            evbuffer_add(b, ",", 1);
        first = false;
        fixture_json_str(b, c->hdrs[i].name, strlen(c->hdrs[i].name));
        evbuffer_add(b, ":", 1);
        struct evbuffer *v = evbuffer_new();
        if (!v)
            continue;
        for (size_t j = i; j < c->nhdrs; j++) {
            if (strcasecmp(c->hdrs[j].name, c->hdrs[i].name) != 0)
                continue;
            if (evbuffer_get_length(v))
                evbuffer_add(v, ", ", 2);
            evbuffer_add(v, c->hdrs[j].value, strlen(c->hdrs[j].value));
        }
        size_t vlen = evbuffer_get_length(v);
        const char *vs = vlen ? (const char *)evbuffer_pullup(v, -1) : "";
        fixture_json_str(b, vs, vlen);
        evbuffer_free(v);
    }
    evbuffer_add(b, "}", 1);
}

static void fixture_h_headers(struct fixture_conn *c)
{
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        fixture_fail(c, 500);
        return;
    }
    fixture_json_headers(b, c);
    evbuffer_add(b, "\n", 1);
    fixture_reply_buf(c, 200, "application/json", b, NULL);
}

static void fixture_h_echo(struct fixture_conn *c)
{
    struct evbuffer *b = evbuffer_new();
    size_t blen = c->body ? evbuffer_get_length(c->body) : 0;
    if (!b) {
        fixture_fail(c, 500);
        return;
    }
    evbuffer_add(b, "{\"method\":", 10);
    fixture_json_str(b, c->method, strlen(c->method));
    evbuffer_add(b, ",\"path\":", 8);
    fixture_json_str(b, c->target, strlen(c->target));
    evbuffer_add(b, ",\"body\":", 8);
    fixture_json_str(b, blen ? (const char *)evbuffer_pullup(c->body, -1) : "", blen);
    evbuffer_add(b, ",\"headers\":", 11);
    fixture_json_headers(b, c);
    evbuffer_add(b, "}\n", 2);
    /* keep a copy: tests ask /last-echo what a client that discards bodies sent */
    struct fixture_server *s = c->srv;
    free(s->last_echo);
    s->last_echo_len = evbuffer_get_length(b);
    s->last_echo = malloc(s->last_echo_len);
    if (s->last_echo)
        evbuffer_copyout(b, s->last_echo, s->last_echo_len);
    else
        s->last_echo_len = 0;
    fixture_reply_buf(c, 200, "application/json", b, NULL);
}

static void fixture_h_last_echo(struct fixture_conn *c)
{
    struct fixture_server *s = c->srv;
    if (s->last_echo)
        fixture_reply(c, 200, "application/json", s->last_echo, s->last_echo_len, NULL);
    else
        fixture_reply(c, 200, "application/json", "null\n", 5, NULL);
}

static void fixture_h_big_header(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){FIXTURE_BIG_HEADER_MAX}, &n, NULL)) {
        fixture_reply_str(c, 400, "bad length\n");
        return;
    }
    char *extra = malloc((size_t)n + 16);
    if (!extra) {
        fixture_fail(c, 500);
        return;
    }
    memcpy(extra, "X-Big: ", 7);
    memset(extra + 7, 'x', (size_t)n);
    memcpy(extra + 7 + n, "\r\n", 3);
    fixture_reply(c, 200, "text/plain", "ok\n", 3, extra);
    free(extra);
}

/* /repeat/N/UNIT[?then=TAIL]: UNIT N times, then TAIL (a regex's worst
 * case: many a's and a b). */
static void fixture_h_repeat(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    const char *unit;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){FIXTURE_BIG_HEADER_MAX}, &n, &unit) ||
        n * strlen(unit) > FIXTURE_BIG_HEADER_MAX) {
        fixture_reply_str(c, 400, "bad repeat\n");
        return;
    }
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        fixture_fail(c, 500);
        return;
    }
    size_t ulen = strlen(unit), tlen = 0;
    for (uint64_t i = 0; i < n; i++)
        evbuffer_add(b, unit, ulen);
    char *then = fixture_query_get(c->query, "then", &tlen);
    if (then)
        evbuffer_add(b, then, tlen);
    free(then);
    fixture_reply_buf(c, 200, "text/plain", b, NULL);
}

/* /many-headers/N: N header lines: "X-M: i % 10" every other one (one
 * name repeated) and a distinct "X-i: i % 10" in between. */
static void fixture_h_many_headers(struct fixture_conn *c, const char *rest)
{
    uint64_t n;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){1000000}, &n, NULL)) {
        fixture_reply_str(c, 400, "bad count\n");
        return;
    }
    struct evbuffer *h = evbuffer_new();
    if (!h) {
        fixture_fail(c, 500);
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (i % 2)
            evbuffer_add_printf(h, "X-%" PRIu64 ": %" PRIu64 "\r\n", i, i % 10);
        else
            evbuffer_add_printf(h, "X-M: %" PRIu64 "\r\n", i % 10);
    }
    evbuffer_add(h, "", 1);
    fixture_reply(c, 200, "text/plain", "ok\n", 3, (const char *)evbuffer_pullup(h, -1));
    evbuffer_free(h);
}

/* /secret-headers: the headers whose values volley never shows. */
static void fixture_h_secret_headers(struct fixture_conn *c)
{
    fixture_reply(c, 200, "text/plain", "ok\n", 3,
                  "Set-Cookie: session=s3cret; HttpOnly\r\nSet-Cookie: other=s3cret2\r\n"
                  "Authorization: Bearer s3cret3\r\nproxy-authorization: Basic s3cret4\r\n"
                  "Cookie: c=s3cret5\r\nX-Visible: shown\r\n");
}

static void fixture_h_json(struct fixture_conn *c)
{
    static const char def[] = "{\"ok\":true,\"version\":\"1.2\"}";
    size_t len = 0;
    char *body = fixture_query_get(c->query, "body", &len);
    if (body)
        fixture_reply(c, 200, "application/json", body, len, NULL);
    else
        fixture_reply(c, 200, "application/json", def, sizeof def - 1, NULL);
    free(body);
}

static void fixture_h_retry_after(struct fixture_conn *c, const char *rest, bool date)
{
    uint64_t a[2];
    const char *key;
    if (!fixture_path_args(rest, 2, (const uint64_t[]){599, FIXTURE_MS_MAX / 1000}, a, &key) ||
        a[0] < 200) {
        fixture_reply_str(c, 400, "bad retry-after arguments\n");
        return;
    }
    struct fixture_key *k =
        fixture_key_get(c->srv, date ? FIXTURE_KEY_RETRY_DATE : FIXTURE_KEY_RETRY, key);
    if (!k) {
        fixture_fail(c, 500);
        return;
    }
    k->hits++;
    if (k->hits == 1) {
        char extra[96], body[32];
        k->first_ms = c->t_open;
        if (date) {
            struct timespec ts;
            struct tm tm;
            char when[64];
            clock_gettime(CLOCK_REALTIME, &ts);
            time_t t = ts.tv_sec + (ts.tv_nsec > 0 ? 1 : 0) + (time_t)a[1];
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S GMT", &tm);
            snprintf(extra, sizeof extra, "Retry-After: %s\r\n", when);
        } else {
            snprintf(extra, sizeof extra, "Retry-After: %" PRIu64 "\r\n", a[1]);
        }
        snprintf(body, sizeof body, "status %d\n", (int)a[0]);
        fixture_reply(c, (int)a[0], "text/plain", body, strlen(body), extra);
        return;
    }
    char body[64];
    double waited = c->t_open - k->first_ms;
    snprintf(body, sizeof body, "{\"waited_ms\":%" PRIu64 "}\n",
             (uint64_t)(waited < 0 ? 0 : waited));
    fixture_reply(c, 200, "application/json", body, strlen(body), NULL);
}

static void fixture_h_flaky(struct fixture_conn *c, const char *rest)
{
    uint64_t kfail, status = 503;
    const char *key;
    if (!fixture_path_args(rest, 1, (const uint64_t[]){UINT32_MAX}, &kfail, &key)) {
        fixture_reply_str(c, 400, "bad flaky arguments\n");
        return;
    }
    char *st = fixture_query_get(c->query, "status", NULL);
    if (st) {
        const char *p = st;
        bool ok = fixture_parse_u64(&p, 999, &status) && !*p && status >= 200 && status <= 599;
        free(st);
        if (!ok) {
            fixture_reply_str(c, 400, "bad status\n");
            return;
        }
    }
    struct fixture_key *k = fixture_key_get(c->srv, FIXTURE_KEY_FLAKY, key);
    if (!k) {
        fixture_fail(c, 500);
        return;
    }
    k->hits++;
    if (k->hits <= kfail)
        fixture_reply_str(c, (int)status, "flaky\n");
    else
        fixture_reply_str(c, 200, "ok\n");
}

static void fixture_json_counters(struct evbuffer *b, const struct fixture_counters *k)
{
    evbuffer_add_printf(b,
                        "\"requests\":%" PRIu64 ",\"connections\":%" PRIu64 ",\"inflight\":%" PRIu64
                        ",\"max_inflight\":%" PRIu64 ",\"accepted\":%" PRIu64,
                        k->requests, k->connections, k->inflight, k->max_inflight, k->accepted);
}

static void fixture_h_stats(struct fixture_conn *c)
{
    struct fixture_server *s = c->srv;
    struct evbuffer *b = evbuffer_new();
    bool first = true;
    if (!b) {
        fixture_fail(c, 500);
        return;
    }
    evbuffer_add(b, "{", 1);
    fixture_json_counters(b, &s->total);
    evbuffer_add_printf(b, ",\"by_port\":{");
    for (size_t i = 0; i < s->nlis; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = s->lis[j].port == s->lis[i].port;
        if (dup)
            continue;
        /* Listeners on different addresses may share a port: merge them. */
        struct fixture_counters sum = {0, 0, 0, 0, 0};
        for (size_t j = i; j < s->nlis; j++) {
            if (s->lis[j].port != s->lis[i].port)
                continue;
            sum.requests += s->lis[j].cnt.requests;
            sum.connections += s->lis[j].cnt.connections;
            sum.accepted += s->lis[j].cnt.accepted;
            sum.inflight += s->lis[j].cnt.inflight;
            sum.max_inflight += s->lis[j].cnt.max_inflight;
        }
        evbuffer_add_printf(b, "%s\"%u\":{", first ? "" : ",", (unsigned)s->lis[i].port);
        fixture_json_counters(b, &sum);
        evbuffer_add(b, "}", 1);
        first = false;
    }
    evbuffer_add_printf(b, "}}\n");
    fixture_reply_buf(c, 200, "application/json", b, NULL);
}

static void fixture_h_stats_reset(struct fixture_conn *c)
{
    struct fixture_server *s = c->srv;
    s->epoch++;
    s->total.requests = s->total.connections = s->total.accepted = 0;
    s->total.max_inflight = s->total.inflight;
    for (size_t i = 0; i < s->nlis; i++) {
        struct fixture_counters *k = &s->lis[i].cnt;
        k->requests = k->connections = k->accepted = 0;
        k->max_inflight = k->inflight;
    }
    fixture_reply_str(c, 200, "ok\n");
}

static void fixture_h_log(struct fixture_conn *c)
{
    struct fixture_server *s = c->srv;
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        fixture_fail(c, 500);
        return;
    }
    size_t idx = (s->log_head + FIXTURE_LOG_CAP - s->log_len) % FIXTURE_LOG_CAP;
    evbuffer_add(b, "[", 1);
    for (size_t i = 0; i < s->log_len; i++) {
        const struct fixture_logent *e = &s->log[idx];
        const char *path = e->path ? e->path : "";
        evbuffer_add_printf(b, "%s{\"t_ms\":%.3f,\"port\":%u,\"conn\":%" PRIu64 ",\"method\":",
                            i ? ",\n" : "", e->t_ms, (unsigned)e->port, e->conn);
        fixture_json_str(b, e->method, strlen(e->method));
        evbuffer_add(b, ",\"path\":", 8);
        fixture_json_str(b, path, strlen(path));
        evbuffer_add(b, "}", 1);
        idx = (idx + 1) % FIXTURE_LOG_CAP;
    }
    evbuffer_add(b, "]\n", 2);
    fixture_reply_buf(c, 200, "application/json", b, NULL);
}

/* ------------------------------------------------------- auth, cookies, peer */

static const char *fixture_header(const struct fixture_conn *c, const char *name)
{
    for (size_t i = 0; i < c->nhdrs; i++)
        if (strcasecmp(c->hdrs[i].name, name) == 0)
            return c->hdrs[i].value;
    return NULL;
}

/* The value of parameter NAME in a Digest Authorization header (quoted or
 * not), malloc'd; NULL when absent. */
static char *fixture_auth_param(const char *h, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = h; (p = strstr(p, name));) {
        bool start = p == h || p[-1] == ' ' || p[-1] == ',';
        p += n;
        if (!start || *p != '=')
            continue;
        p++;
        if (*p == '"') {
            const char *e = strchr(p + 1, '"');
            return e ? strndup(p + 1, (size_t)(e - p - 1)) : NULL;
        }
        return strndup(p, strcspn(p, ", "));
    }
    return NULL;
}

/* "USER/PASS" of /basic-auth/ and /digest-auth/: both non-empty, no more
 * slashes. */
static bool fixture_user_pass(const char *rest, char **user, char **pass)
{
    const char *slash = strchr(rest, '/');
    if (!slash || slash == rest || !slash[1] || strchr(slash + 1, '/'))
        return false;
    *user = strndup(rest, (size_t)(slash - rest));
    *pass = strdup(slash + 1);
    return *user && *pass;
}

static void fixture_unauthorized(struct fixture_conn *c, const char *challenge)
{
    char extra[256];
    snprintf(extra, sizeof extra, "WWW-Authenticate: %s\r\n", challenge);
    fixture_reply(c, 401, "text/plain", "unauthorized\n", 13, extra);
}

/* /basic-auth/USER/PASS: 200 for "Authorization: Basic base64(USER:PASS)",
 * else 401 with a Basic challenge. */
static void fixture_h_basic_auth(struct fixture_conn *c, const char *rest)
{
    char *user = NULL, *pass = NULL;
    if (!fixture_user_pass(rest, &user, &pass)) {
        free(user);
        free(pass);
        fixture_reply_str(c, 400, "want /basic-auth/USER/PASS\n");
        return;
    }
    size_t n = strlen(user) + strlen(pass) + 1;
    char *plain = malloc(n + 1), *want = malloc(4 * ((n + 2) / 3) + 16);
    bool ok = false;
    if (plain && want) {
        snprintf(plain, n + 1, "%s:%s", user, pass);
        memcpy(want, "Basic ", 6);
        EVP_EncodeBlock((unsigned char *)want + 6, (const unsigned char *)plain, (int)n);
        const char *got = fixture_header(c, "Authorization");
        ok = got && strcmp(got, want) == 0;
    }
    free(plain);
    free(want);
    free(user);
    free(pass);
    if (ok)
        fixture_reply_str(c, 200, "authenticated\n");
    else
        fixture_unauthorized(c, "Basic realm=\"fixture\"");
}

/* The lower-case hex MD5 of S, into OUT (33 bytes). */
static void fixture_md5_hex(const char *s, char *out)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), md, &n, EVP_md5(), NULL);
    for (unsigned i = 0; i < n && i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[32] = '\0';
}

/* /digest-auth/USER/PASS: RFC 7616 Digest with MD5 and qop=auth, one fixed
 * nonce; 200 for a right response, else 401 with the challenge. */
static void fixture_h_digest_auth(struct fixture_conn *c, const char *rest)
{
    static const char realm[] = "fixture", nonce[] = "f1xtur3n0nc3";
    char *user = NULL, *pass = NULL;
    if (!fixture_user_pass(rest, &user, &pass)) {
        free(user);
        free(pass);
        fixture_reply_str(c, 400, "want /digest-auth/USER/PASS\n");
        return;
    }
    const char *h = fixture_header(c, "Authorization");
    bool ok = false;
    if (h && strncmp(h, "Digest ", 7) == 0) {
        static const char *const names[] = {"username", "realm", "nonce", "uri",
                                            "response", "qop",   "nc",    "cnonce"};
        char *v[8];
        bool all = true;
        for (size_t i = 0; i < 8; i++)
            all = (v[i] = fixture_auth_param(h + 7, names[i])) != NULL && all;
        if (all && !strcmp(v[0], user) && !strcmp(v[1], realm) && !strcmp(v[2], nonce) &&
            !strcmp(v[5], "auth") && !strcmp(v[3], c->target)) {
            char a1[1024], a2[1024], all3[1024], ha1[33], ha2[33], want[33];
            snprintf(a1, sizeof a1, "%s:%s:%s", user, realm, pass);
            snprintf(a2, sizeof a2, "%s:%s", c->method, v[3]);
            fixture_md5_hex(a1, ha1);
            fixture_md5_hex(a2, ha2);
            snprintf(all3, sizeof all3, "%s:%s:%s:%s:auth:%s", ha1, nonce, v[6], v[7], ha2);
            fixture_md5_hex(all3, want);
            ok = !strcmp(want, v[4]);
        }
        for (size_t i = 0; i < 8; i++)
            free(v[i]);
    }
    free(user);
    free(pass);
    if (ok)
        fixture_reply_str(c, 200, "authenticated\n");
    else
        fixture_unauthorized(c, "Digest realm=\"fixture\", qop=\"auth\", nonce=\"f1xtur3n0nc3\", "
                                "algorithm=MD5, opaque=\"0pa9ue\"");
}

/* /set-cookie?NAME=VALUE[&...]: one "Set-Cookie: NAME=VALUE; Path=/" per
 * pair, %XX decoded (so that a test can set a value its URL does not
 * hold). */
static void fixture_h_set_cookie(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    struct evbuffer *h = evbuffer_new();
    if (!h || !c->query || !*c->query || fixture_has_ctl(c->query, strlen(c->query))) {
        if (h)
            evbuffer_free(h);
        fixture_reply_str(c, 400, "want /set-cookie?NAME=VALUE\n");
        return;
    }
    for (const char *p = c->query; *p;) {
        size_t n = strcspn(p, "&"), len = 0;
        char *pair = fixture_urldecode(p, n, &len);
        if (pair && !fixture_has_ctl(pair, len))
            evbuffer_add_printf(h, "Set-Cookie: %s; Path=/\r\n", pair);
        free(pair);
        p += n + (p[n] == '&');
    }
    evbuffer_add(h, "", 1);
    fixture_reply(c, 200, "text/plain", "cookie set\n", 11, (const char *)evbuffer_pullup(h, -1));
    evbuffer_free(h);
}

/* /peer: the client's address and port as the server sees them. */
static void fixture_h_peer(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    char addr[INET_ADDRSTRLEN] = "?", body[96];
    if (getpeername(c->fd, (struct sockaddr *)&sin, &len) != 0 || sin.sin_family != AF_INET) {
        fixture_fail(c, 500);
        return;
    }
    inet_ntop(AF_INET, &sin.sin_addr, addr, sizeof addr);
    snprintf(body, sizeof body, "{\"addr\":\"%s\",\"port\":%u}\n", addr,
             (unsigned)ntohs(sin.sin_port));
    fixture_reply(c, 200, "application/json", body, strlen(body), NULL);
}

/* ---------------------------------------------------------------- routes */

static void fixture_h_ok(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    fixture_reply_str(c, 200, "ok\n");
}

static void fixture_h_chunked_full(struct fixture_conn *c, const char *rest)
{
    fixture_h_chunked(c, rest, false);
}

static void fixture_h_chunked_cut(struct fixture_conn *c, const char *rest)
{
    fixture_h_chunked(c, rest, true);
}

static void fixture_h_reset(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    fixture_conn_rst(c);
}

static void fixture_h_empty(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    fixture_conn_free(c); /* FIN, no bytes */
}

static void fixture_h_hang(struct fixture_conn *c, const char *rest)
{
    (void)c; /* never answer; the connection is freed when the client leaves */
    (void)rest;
}

static void fixture_h_redirect_loop(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    fixture_redirect(c, 302, "/redirect-loop");
}

static void fixture_h_retry_after_secs(struct fixture_conn *c, const char *rest)
{
    fixture_h_retry_after(c, rest, false);
}

static void fixture_h_retry_after_http_date(struct fixture_conn *c, const char *rest)
{
    fixture_h_retry_after(c, rest, true);
}

static void fixture_h_log_reset(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    fixture_log_clear(c->srv);
    fixture_reply_str(c, 200, "ok\n");
}

static void fixture_h_shutdown(struct fixture_conn *c, const char *rest)
{
    (void)rest;
    c->after = FIXTURE_AFTER_SHUTDOWN;
    fixture_reply_str(c, 200, "bye\n");
}

/* Handlers that take no part of the path. */
#define FIXTURE_PLAIN(name)                                                                        \
    static void name##_route(struct fixture_conn *c, const char *rest)                             \
    {                                                                                              \
        (void)rest;                                                                                \
        name(c);                                                                                   \
    }
FIXTURE_PLAIN(fixture_h_redirect_to)
FIXTURE_PLAIN(fixture_h_headers)
FIXTURE_PLAIN(fixture_h_echo)
FIXTURE_PLAIN(fixture_h_json)
FIXTURE_PLAIN(fixture_h_secret_headers)
FIXTURE_PLAIN(fixture_h_stats)
FIXTURE_PLAIN(fixture_h_stats_reset)
FIXTURE_PLAIN(fixture_h_log)
FIXTURE_PLAIN(fixture_h_last_echo)

/* Every endpoint: its path (or, with PREFIX, the start of it; the handler
 * gets the rest), its handler, and whether it is a control endpoint (not
 * counted in /stats or /log). */
static const struct fixture_route {
    const char *path;
    bool prefix, control;
    void (*fn)(struct fixture_conn *c, const char *rest);
} fixture_routes[] = {
    {"/", false, false, fixture_h_ok},
    {"/ok", false, false, fixture_h_ok},
    {"/status/", true, false, fixture_h_status},
    {"/delay/", true, false, fixture_h_delay},
    {"/bytes/", true, false, fixture_h_bytes},
    {"/chunked/", true, false, fixture_h_chunked_full},
    {"/truncated-chunked/", true, false, fixture_h_chunked_cut},
    {"/drip/", true, false, fixture_h_drip},
    {"/reset", false, false, fixture_h_reset},
    {"/reset-mid/", true, false, fixture_h_reset_mid},
    {"/empty", false, false, fixture_h_empty},
    {"/hang", false, false, fixture_h_hang},
    {"/redirect/", true, false, fixture_h_redirect},
    {"/redirect-loop", false, false, fixture_h_redirect_loop},
    {"/redirect-to", false, false, fixture_h_redirect_to_route},
    {"/headers", false, false, fixture_h_headers_route},
    {"/echo", false, false, fixture_h_echo_route},
    {"/big-header/", true, false, fixture_h_big_header},
    {"/json", false, false, fixture_h_json_route},
    {"/repeat/", true, false, fixture_h_repeat},
    {"/many-headers/", true, false, fixture_h_many_headers},
    {"/secret-headers", false, false, fixture_h_secret_headers_route},
    {"/retry-after/", true, false, fixture_h_retry_after_secs},
    {"/retry-after-date/", true, false, fixture_h_retry_after_http_date},
    {"/flaky/", true, false, fixture_h_flaky},
    {"/basic-auth/", true, false, fixture_h_basic_auth},
    {"/digest-auth/", true, false, fixture_h_digest_auth},
    {"/set-cookie", false, false, fixture_h_set_cookie},
    {"/peer", false, false, fixture_h_peer},
    {"/stats", false, true, fixture_h_stats_route},
    {"/stats/reset", false, true, fixture_h_stats_reset_route},
    {"/log", false, true, fixture_h_log_route},
    {"/log/reset", false, true, fixture_h_log_reset},
    {"/last-echo", false, true, fixture_h_last_echo_route},
    {"/shutdown", false, true, fixture_h_shutdown},
};

/* The route of PATH and, in *REST, what follows a prefix; NULL: none. */
static const struct fixture_route *fixture_route(const char *path, const char **rest)
{
    for (size_t i = 0; i < sizeof fixture_routes / sizeof fixture_routes[0]; i++) {
        const struct fixture_route *r = &fixture_routes[i];
        if (r->prefix ? fixture_prefix(path, r->path, rest) : strcmp(path, r->path) == 0) {
            if (!r->prefix)
                *rest = "";
            return r;
        }
    }
    return NULL;
}

static bool fixture_is_control(const char *path)
{
    const char *rest;
    const struct fixture_route *r = fixture_route(path, &rest);
    return r && r->control;
}

static void fixture_dispatch(struct fixture_conn *c)
{
    const char *rest;
    const struct fixture_route *r = fixture_route(c->path, &rest);
    c->state = FIXTURE_C_BUSY;
    if (r)
        r->fn(c, rest);
    else
        fixture_reply_str(c, 404, "not found\n");
}

/* --------------------------------------------------------------- parsing */

/* Results of fixture_conn_line: keep parsing, or stop (a response is under
 * way and the connection may already be gone). */
enum fixture_step { FIXTURE_MORE, FIXTURE_STOP };

static enum fixture_step fixture_parse_request_line(struct fixture_conn *c, char *line)
{
    char *sp1 = strchr(line, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || !sp2 || sp1 == line || sp2 == sp1 + 1 || strchr(sp2 + 1, ' ')) {
        fixture_fail(c, 400);
        return FIXTURE_STOP;
    }
    *sp1 = *sp2 = '\0';
    const char *version = sp2 + 1;
    if (strcmp(version, "HTTP/1.1") == 0) {
        c->minor = 1;
    } else if (strcmp(version, "HTTP/1.0") == 0) {
        c->minor = 0;
    } else {
        fixture_fail(c, strncmp(version, "HTTP/", 5) == 0 ? 505 : 400);
        return FIXTURE_STOP;
    }
    const char *target = sp1 + 1;
    /* absolute-form (as sent to proxies): keep only the path and query */
    if (strncasecmp(target, "http://", 7) == 0 || strncasecmp(target, "https://", 8) == 0) {
        const char *slash = strchr(strstr(target, "//") + 2, '/');
        target = slash ? slash : "/";
    }
    if (target[0] != '/') {
        fixture_fail(c, 400);
        return FIXTURE_STOP;
    }
    c->method = strdup(line);
    c->target = strdup(target);
    const char *q = strchr(c->target ? c->target : "", '?');
    c->path =
        c->target ? strndup(c->target, q ? (size_t)(q - c->target) : strlen(c->target)) : NULL;
    c->query = q ? q + 1 : NULL;
    if (!c->method || !c->target || !c->path) {
        fixture_fail(c, 500);
        return FIXTURE_STOP;
    }
    c->state = FIXTURE_C_HEADERS;
    return FIXTURE_MORE;
}

static enum fixture_step fixture_parse_header(struct fixture_conn *c, char *line)
{
    char *colon = strchr(line, ':');
    if (line[0] == ' ' || line[0] == '\t' || !colon || colon == line) {
        fixture_fail(c, 400);
        return FIXTURE_STOP;
    }
    for (const char *p = line; p < colon; p++) {
        if (*p == ' ' || *p == '\t') {
            fixture_fail(c, 400);
            return FIXTURE_STOP;
        }
    }
    if (c->nhdrs == FIXTURE_MAX_HEADERS) {
        fixture_fail(c, 431);
        return FIXTURE_STOP;
    }
    *colon = '\0';
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t vlen = strlen(v);
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        v[--vlen] = '\0';
    if (c->nhdrs == c->caphdrs) {
        size_t cap = c->caphdrs ? c->caphdrs * 2 : 16;
        struct fixture_hdr *h = realloc(c->hdrs, cap * sizeof *h);
        if (!h) {
            fixture_fail(c, 500);
            return FIXTURE_STOP;
        }
        c->hdrs = h;
        c->caphdrs = cap;
    }
    struct fixture_hdr *h = &c->hdrs[c->nhdrs];
    h->name = strdup(line);
    h->value = strdup(v);
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        fixture_fail(c, 500);
        return FIXTURE_STOP;
    }
    c->nhdrs++;
    return FIXTURE_MORE;
}

/* The blank line after the headers: the request is open from here on. */
static enum fixture_step fixture_headers_done(struct fixture_conn *c)
{
    const char *conn = fixture_header(c, "Connection");
    const char *te = fixture_header(c, "Transfer-Encoding");
    const char *cl = fixture_header(c, "Content-Length");
    const char *expect = fixture_header(c, "Expect");
    uint64_t len = 0;

    if (c->minor == 1)
        c->keep_alive = !(conn && fixture_has_token(conn, "close"));
    else
        c->keep_alive = conn && fixture_has_token(conn, "keep-alive");
    c->after = c->keep_alive ? FIXTURE_AFTER_KEEP : FIXTURE_AFTER_CLOSE;
    c->is_head = strcmp(c->method, "HEAD") == 0;
    c->counted = !fixture_is_control(c->path);
    fixture_req_open(c);

    if (te && cl) {
        fixture_fail(c, 400);
        return FIXTURE_STOP;
    }
    if (te && !fixture_has_token(te, "chunked")) {
        fixture_fail(c, 501);
        return FIXTURE_STOP;
    }
    if (cl) {
        const char *p = cl;
        if (!fixture_parse_u64(&p, UINT64_MAX, &len) || *p) {
            fixture_fail(c, 400);
            return FIXTURE_STOP;
        }
        if (len > FIXTURE_BODY_MAX) {
            fixture_fail(c, 413);
            return FIXTURE_STOP;
        }
    }
    if (te || len > 0) {
        c->body = evbuffer_new();
        if (!c->body) {
            fixture_fail(c, 500);
            return FIXTURE_STOP;
        }
        if (c->minor == 1 && expect && strcasecmp(expect, "100-continue") == 0)
            bufferevent_write(c->bev, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    }
    if (te) {
        c->state = FIXTURE_C_CHUNK_SIZE;
        return FIXTURE_MORE;
    }
    if (len > 0) {
        c->body_left = len;
        c->state = FIXTURE_C_BODY;
        return FIXTURE_MORE;
    }
    fixture_dispatch(c);
    return FIXTURE_STOP;
}

static enum fixture_step fixture_parse_chunk_size(struct fixture_conn *c, const char *line)
{
    uint64_t v = 0;
    const char *p = line;
    int d;
    if (fixture_hexval(*p) < 0) {
        fixture_fail(c, 400);
        return FIXTURE_STOP;
    }
    while ((d = fixture_hexval(*p)) >= 0) {
        if (v > (UINT64_MAX >> 4)) {
            fixture_fail(c, 413);
            return FIXTURE_STOP;
        }
        v = v * 16 + (uint64_t)d;
        p++;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p && *p != ';') {
        fixture_fail(c, 400);
        return FIXTURE_STOP;
    }
    if (v == 0) {
        c->state = FIXTURE_C_TRAILER;
        return FIXTURE_MORE;
    }
    if (v > FIXTURE_BODY_MAX - evbuffer_get_length(c->body)) {
        fixture_fail(c, 413);
        return FIXTURE_STOP;
    }
    c->body_left = v;
    c->state = FIXTURE_C_CHUNK_DATA;
    return FIXTURE_MORE;
}

static enum fixture_step fixture_conn_line(struct fixture_conn *c, char *line, size_t len)
{
    switch (c->state) {
    case FIXTURE_C_LINE:
        if (len == 0)
            return FIXTURE_MORE; /* tolerate blank lines between requests */
        return fixture_parse_request_line(c, line);
    case FIXTURE_C_HEADERS:
        if (len == 0)
            return fixture_headers_done(c);
        return fixture_parse_header(c, line);
    case FIXTURE_C_CHUNK_SIZE:
        return fixture_parse_chunk_size(c, line);
    case FIXTURE_C_CHUNK_END:
        if (len != 0) {
            fixture_fail(c, 400);
            return FIXTURE_STOP;
        }
        c->state = FIXTURE_C_CHUNK_SIZE;
        return FIXTURE_MORE;
    case FIXTURE_C_TRAILER:
        if (len == 0) {
            fixture_dispatch(c);
            return FIXTURE_STOP;
        }
        return FIXTURE_MORE;
    default:
        return FIXTURE_STOP;
    }
}

static bool fixture_state_is_line(enum fixture_cstate st)
{
    return st == FIXTURE_C_LINE || st == FIXTURE_C_HEADERS || st == FIXTURE_C_CHUNK_SIZE ||
           st == FIXTURE_C_CHUNK_END || st == FIXTURE_C_TRAILER;
}

/* Consume buffered input according to the connection state. Never touches
 * C after a handler ran: handlers may free the connection. */
static void fixture_conn_process(struct fixture_conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    for (;;) {
        if (fixture_state_is_line(c->state)) {
            bool head = c->state == FIXTURE_C_LINE || c->state == FIXTURE_C_HEADERS ||
                        c->state == FIXTURE_C_TRAILER;
            size_t len;
            char *line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF);
            if (!line) {
                size_t pending = evbuffer_get_length(in);
                if ((head && c->head_bytes + pending > FIXTURE_HEAD_MAX) ||
                    (!head && pending > 4096))
                    fixture_fail(c, head ? 431 : 400);
                return;
            }
            if (head) {
                c->head_bytes += len + 2;
                if (c->head_bytes > FIXTURE_HEAD_MAX) {
                    free(line);
                    fixture_fail(c, 431);
                    return;
                }
            }
            enum fixture_step step = fixture_conn_line(c, line, len);
            free(line);
            if (step == FIXTURE_STOP)
                return;
        } else if (c->state == FIXTURE_C_BODY || c->state == FIXTURE_C_CHUNK_DATA) {
            size_t avail = evbuffer_get_length(in);
            if (avail == 0)
                return;
            size_t n = avail < c->body_left ? avail : (size_t)c->body_left;
            evbuffer_remove_buffer(in, c->body, n);
            c->body_left -= n;
            if (c->body_left == 0) {
                if (c->state == FIXTURE_C_BODY) {
                    fixture_dispatch(c);
                    return;
                }
                c->state = FIXTURE_C_CHUNK_END;
            }
        } else {
            /* A response is in progress; leave pipelined input buffered, but do
             * not let a client make us buffer without bound. */
            if (!c->paused && evbuffer_get_length(in) > FIXTURE_INPUT_PAUSE) {
                c->paused = true;
                bufferevent_disable(c->bev, EV_READ);
            }
            return;
        }
    }
}

/* ------------------------------------------------------------- callbacks */

static void fixture_on_read(struct bufferevent *bev, void *arg)
{
    (void)bev;
    fixture_conn_process(arg);
}

static void fixture_on_write(struct bufferevent *bev, void *arg)
{
    struct fixture_conn *c = arg;
    if (c->state == FIXTURE_C_STREAM)
        fixture_stream_fill(c);
    else if (c->state == FIXTURE_C_FINAL && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        fixture_conn_done(c);
}

static void fixture_on_event(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        fixture_conn_free(arg); /* client went away (or half-closed) */
}

static void fixture_on_accept(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa,
                              int salen, void *arg)
{
    struct fixture_listener *l = arg;
    struct fixture_server *s = l->srv;
    int one = 1;
    (void)lev;
    (void)sa;
    (void)salen;
    struct fixture_conn *c = calloc(1, sizeof *c);
    if (!c) {
        evutil_closesocket(fd);
        return;
    }
    c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        free(c);
        evutil_closesocket(fd);
        return;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->srv = s;
    c->lis = l;
    c->fd = fd;
    c->id = ++s->next_conn_id;
    c->minor = 1;
    c->state = FIXTURE_C_LINE;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    c->epoch = 0; /* server epochs start at 1: not yet counted */
    s->total.accepted++;
    l->cnt.accepted++;
    bufferevent_setcb(c->bev, fixture_on_read, fixture_on_write, fixture_on_event, c);
    if (l->silent) /* a peer that never answers: TLS handshakes and requests hang */
        bufferevent_disable(c->bev, EV_READ | EV_WRITE);
    else
        bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void fixture_on_relisten(evutil_socket_t fd, short what, void *arg)
{
    struct fixture_server *s = arg;
    (void)fd;
    (void)what;
    for (size_t i = 0; i < s->nlis; i++)
        evconnlistener_enable(s->lis[i].lev);
}

/* accept() failed (typically EMFILE): back off briefly instead of spinning. */
static void fixture_on_accept_error(struct evconnlistener *lev, void *arg)
{
    struct fixture_listener *l = arg;
    struct timeval tv = {0, 50000};
    int err = EVUTIL_SOCKET_ERROR();
    if (!evtimer_pending(l->srv->ev_relisten, NULL))
        fprintf(stderr, "volley-fixture: accept: %s\n", evutil_socket_error_to_string(err));
    evconnlistener_disable(lev);
    evtimer_add(l->srv->ev_relisten, &tv);
}

static void fixture_on_stop(evutil_socket_t fd, short what, void *arg)
{
    struct fixture_server *s = arg;
    (void)fd;
    (void)what;
    event_base_loopexit(s->base, NULL);
}

/* ------------------------------------------------------------------ main */

static void fixture_usage(FILE *f)
{
    fprintf(f, "usage: volley-fixture [--listen ADDR[:PORT]]... [--listen-silent ADDR[:PORT]]...\n"
               "                      [--max-seconds N]\n"
               "  ADDR must be in 127.0.0.0/8; PORT defaults to 0 (any free port).\n"
               "  A silent listener accepts connections and never reads or answers.\n"
               "  Prints each bound port on its own line, in --listen order.\n");
}

static bool fixture_parse_listen(const char *spec, struct in_addr *addr, uint16_t *port)
{
    char host[INET_ADDRSTRLEN];
    const char *colon = strchr(spec, ':');
    size_t hlen = colon ? (size_t)(colon - spec) : strlen(spec);
    uint64_t p = 0;
    if (hlen == 0 || hlen >= sizeof host)
        return false;
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    if (inet_pton(AF_INET, host, addr) != 1)
        return false;
    if ((ntohl(addr->s_addr) >> 24) != 127)
        return false;
    if (colon) {
        const char *ps = colon + 1;
        if (!fixture_parse_u64(&ps, 65535, &p) || *ps)
            return false;
    }
    *port = (uint16_t)p;
    return true;
}

static struct evconnlistener *fixture_bind(struct fixture_server *s, struct fixture_listener *l,
                                           uint16_t port, uint16_t *bound)
{
    struct sockaddr_in sin;
    socklen_t slen = sizeof sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr = l->addr;
    sin.sin_port = htons(port);
    struct evconnlistener *lev =
        evconnlistener_new_bind(s->base, fixture_on_accept, l,
                                LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
                                4096, (struct sockaddr *)&sin, sizeof sin);
    if (!lev)
        return NULL;
    if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &slen) != 0) {
        evconnlistener_free(lev);
        return NULL;
    }
    *bound = ntohs(sin.sin_port);
    return lev;
}

/* Bind listener I. With port 0, retry until the port differs from the other
 * listeners' so that /stats by_port stays unambiguous. */
static bool fixture_listen(struct fixture_server *s, size_t i, uint16_t port)
{
    struct fixture_listener *l = &s->lis[i];
    struct evconnlistener *spare[32];
    size_t nspare = 0;
    bool ok = false;
    for (;;) {
        uint16_t got = 0;
        struct evconnlistener *lev = fixture_bind(s, l, port, &got);
        if (!lev)
            break;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = s->lis[j].port == got;
        if (dup && port == 0 && nspare < 32) {
            spare[nspare++] = lev; /* hold it so the kernel picks another port */
            continue;
        }
        l->lev = lev;
        l->port = got;
        ok = true;
        break;
    }
    while (nspare)
        evconnlistener_free(spare[--nspare]);
    if (ok)
        evconnlistener_set_error_cb(l->lev, fixture_on_accept_error);
    return ok;
}

static void fixture_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            fprintf(stderr, "volley-fixture: setrlimit: %s\n", strerror(errno));
    }
}

static void fixture_cleanup(struct fixture_server *s)
{
    while (s->conns)
        fixture_conn_free(s->conns);
    for (size_t i = 0; i < s->nlis; i++)
        if (s->lis[i].lev)
            evconnlistener_free(s->lis[i].lev);
    if (s->ev_term)
        event_free(s->ev_term);
    if (s->ev_int)
        event_free(s->ev_int);
    if (s->ev_deadline)
        event_free(s->ev_deadline);
    if (s->ev_relisten)
        event_free(s->ev_relisten);
    for (size_t i = 0; i < s->nkeys; i++)
        free(s->keys[i].name);
    free(s->last_echo);
    if (s->log) {
        fixture_log_clear(s);
        free(s->log);
    }
    if (s->base)
        event_base_free(s->base);
    libevent_global_shutdown();
}

int main(int argc, char **argv)
{
    static struct fixture_server srv; /* large (key table): keep it off the stack */
    struct fixture_server *s = &srv;
    struct in_addr addrs[FIXTURE_MAX_LISTENERS];
    uint16_t ports[FIXTURE_MAX_LISTENERS];
    bool silent[FIXTURE_MAX_LISTENERS] = {false};
    size_t n = 0;
    uint64_t max_seconds = 300;
    struct sigaction sa;
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fixture_usage(stdout);
            return 0;
        }
        if ((strcmp(a, "--listen") == 0 || strcmp(a, "--listen-silent") == 0 ||
             strcmp(a, "--max-seconds") == 0) &&
            i + 1 >= argc) {
            fprintf(stderr, "volley-fixture: %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "--listen") == 0 || strcmp(a, "--listen-silent") == 0) {
            if (n == FIXTURE_MAX_LISTENERS) {
                fprintf(stderr, "volley-fixture: at most %d listeners\n", FIXTURE_MAX_LISTENERS);
                return 2;
            }
            silent[n] = strcmp(a, "--listen-silent") == 0;
            if (!fixture_parse_listen(argv[++i], &addrs[n], &ports[n])) {
                fprintf(stderr, "volley-fixture: bad --listen '%s' (want 127.x.y.z[:port])\n",
                        argv[i]);
                return 2;
            }
            n++;
        } else if (strcmp(a, "--max-seconds") == 0) {
            const char *p = argv[++i];
            if (!fixture_parse_u64(&p, 7 * 86400, &max_seconds) || *p || max_seconds == 0) {
                fprintf(stderr, "volley-fixture: bad --max-seconds '%s'\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "volley-fixture: unknown argument '%s'\n", a);
            fixture_usage(stderr);
            return 2;
        }
    }
    if (n == 0) {
        addrs[0].s_addr = htonl(INADDR_LOOPBACK);
        ports[0] = 0;
        n = 1;
    }

    for (size_t i = 0; i < sizeof fixture_pattern; i++)
        fixture_pattern[i] = fixture_alphabet[i % 26];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    fixture_raise_nofile();

    s->start_ms = fixture_now_ms();
    s->epoch = 1;
    s->log = calloc(FIXTURE_LOG_CAP, sizeof *s->log);
    s->base = event_base_new();
    if (!s->log || !s->base) {
        fprintf(stderr, "volley-fixture: out of memory\n");
        goto out;
    }
    s->ev_relisten = evtimer_new(s->base, fixture_on_relisten, s);
    s->ev_deadline = evtimer_new(s->base, fixture_on_stop, s);
    s->ev_term = evsignal_new(s->base, SIGTERM, fixture_on_stop, s);
    s->ev_int = evsignal_new(s->base, SIGINT, fixture_on_stop, s);
    if (!s->ev_relisten || !s->ev_deadline || !s->ev_term || !s->ev_int) {
        fprintf(stderr, "volley-fixture: cannot create events\n");
        goto out;
    }
    struct timeval deadline = {.tv_sec = (time_t)max_seconds, .tv_usec = 0};
    evtimer_add(s->ev_deadline, &deadline);
    evsignal_add(s->ev_term, NULL);
    evsignal_add(s->ev_int, NULL);

    for (size_t i = 0; i < n; i++) {
        s->lis[i].srv = s;
        s->lis[i].addr = addrs[i];
        s->lis[i].silent = silent[i];
        if (!fixture_listen(s, i, ports[i])) {
            char host[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &addrs[i], host, sizeof host);
            fprintf(stderr, "volley-fixture: cannot listen on %s:%u: %s\n", host,
                    (unsigned)ports[i], strerror(errno));
            goto out;
        }
        s->nlis = i + 1;
    }
    for (size_t i = 0; i < s->nlis; i++)
        printf("%u\n", (unsigned)s->lis[i].port);
    fflush(stdout);

    if (event_base_dispatch(s->base) < 0) {
        fprintf(stderr, "volley-fixture: event loop failed\n");
        goto out;
    }
    rc = 0;
out:
    fixture_cleanup(s);
    return rc;
}
