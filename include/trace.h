/* trace: one task's -v trace and -D header dump. libcurl's debug callback
 * (-v) and the header callback (-D) only append to the task's buffers;
 * after the transfer step returns, trace_flush() turns them into whole
 * lines, each -v line after the record's "[seq] ", every secret redacted
 * (redact.h), and writes them with one write() per file. Bodies are never
 * traced: a run of data is one line "{ [N bytes data]" (received) or
 * "} [N bytes data]" (sent). Each buffer holds at most TRACE_CAP bytes per
 * flush; the rest is counted and said. */
#ifndef VOLLEY_TRACE_H
#define VOLLEY_TRACE_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "redact.h"

#define TRACE_CAP (4u << 20)

struct trace {
    struct buf v;       /* -v: entries (type, length, bytes) */
    size_t v_last;      /* offset of the last entry + 1; 0: none */
    struct buf d;       /* -D: header lines; a response starts with a mark and its URL */
    uint64_t v_dropped; /* bytes over the cap */
    uint64_t d_dropped;
};

/* A zeroed struct trace is ready; trace_free() releases its memory. */
void trace_free(struct trace *t);
/* Forget what is buffered (keeping the memory). */
void trace_clear(struct trace *t);

/* libcurl's CURLOPT_DEBUGFUNCTION. ARG (CURLOPT_DEBUGDATA) is the address
 * of the handle's pointer to the trace of the task using it, NULL while no
 * task does (then the event is dropped). Only buffers. */
int trace_debug(CURL *easy, curl_infotype type, char *data, size_t size, void *arg);

/* One line of a response's headers as the header callback receives it
 * (LEN bytes, with its CRLF), for -D; URL is the URL it answers (borrowed
 * for the call). A status line starts a new block. Only buffers. */
void trace_header(struct trace *t, const char *url, const char *line, size_t len);

/* Write the -v lines to VFD and the -D blocks to DFD (either -1: none),
 * redacted by R, for the record SEQ; then clear T. False when a write
 * failed. */
bool trace_flush(struct trace *t, uint64_t seq, const struct redact *r, int vfd, int dfd);

#endif
