/* form: curl's -F syntax, parsed once by prepare, and the multipart body
 * (a curl_mime) built from it for an easy handle. A field is NAME=TEXT,
 * NAME=@FILE (a file upload, read by libcurl at each transfer) or
 * NAME=<FILE (a text field with FILE's contents, read by prepare), each
 * optionally followed by ;type=MIME and, for @FILE, ;filename=NAME; a
 * value in double quotes may hold ';' (and \" or \\). */
#ifndef VOLLEY_FORM_H
#define VOLLEY_FORM_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct form_part {
    char *name;
    char *data; /* the text (or the <FILE contents); NULL for @FILE */
    size_t len;
    char *file;     /* @FILE; NULL otherwise */
    char *type;     /* ;type=; NULL: libcurl's choice */
    char *filename; /* ;filename=; NULL: FILE's base name */
};

struct form {
    struct form_part *parts;
    size_t n;
};

/* Parse ARG (one -F value) and add it to *F (made on first use; free it
 * with form_free()). A @FILE must be readable and a <FILE is read now.
 * False with a message in ERR. */
bool form_add(struct form **f, const char *arg, struct buf *err);
void form_free(struct form *f);

/* The multipart body of F for EASY (which must not outlive it... the
 * caller frees it with curl_mime_free() after EASY no longer uses it). */
curl_mime *form_mime(const struct form *f, CURL *easy);

#endif
