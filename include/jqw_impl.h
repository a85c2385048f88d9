/* jqw_impl: what jqw.c (the client and its service thread) and jqw_worker.c
 * (the worker process, the one that runs libjq) share, and nothing else
 * includes: the protocol on the socket between them. */
#ifndef VOLLEY_JQW_IMPL_H
#define VOLLEY_JQW_IMPL_H

#include <stdint.h>

/* Every frame is a header and LEN1 + LEN2 bytes. A request (EVAL, COMPILE)
 * carries the program (LEN1) and the body (LEN2); an answer carries its text
 * (LEN1; LEN2 is 0). Both ends reject a frame over its bounds. */
#define JQW_ARG "--jq-worker"
#define JQW_MAGIC 0x31514a56u /* "VJQ1" */
#define JQW_MAX_TEXT 4096     /* answer text; longer is cut and "..." added */

enum { JQW_OP_EVAL = 1, JQW_OP_COMPILE };
enum {
    JQW_A_READY = 1,   /* the worker's first frame */
    JQW_A_HOLDS,       /* EVAL: holds */
    JQW_A_FAILS,       /* EVAL: fails; the text is the actual */
    JQW_A_NOT_JSON,    /* EVAL: the body did not parse; the text is why */
    JQW_A_COMPILED,    /* COMPILE: compiles */
    JQW_A_BAD_PROGRAM, /* EVAL, COMPILE: does not compile; jq's messages */
    JQW_A_MEMORY,      /* over the memory budget; the worker exits */
};

struct jqw_frame {
    uint32_t magic, code, len1, len2;
};

#endif
