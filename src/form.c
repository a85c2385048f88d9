/* form: -F NAME=TEXT / NAME=@FILE / NAME=<FILE (curl's syntax) → parts,
 * and the parts → a curl_mime for one easy handle. */
#include "form.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One word at *P: "quoted" (with \" and \\) or up to ';' or the end.
 * Returns a copy, *P after it; NULL for an unterminated quote. */
static char *form_word(const char **p)
{
    const char *s = *p;
    struct buf b = {0};
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++) {
            if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
                s++;
            buf_addc(&b, *s);
        }
        if (*s != '"') {
            buf_free(&b);
            return NULL;
        }
        s++;
    } else {
        size_t n = strcspn(s, ";");
        buf_add(&b, s, n);
        s += n;
    }
    *p = s;
    char *w = log_strdup(buf_str(&b));
    buf_free(&b);
    return w;
}

static bool form_read(const char *path, struct form_part *fp, struct buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        buf_addf(err, "-F: cannot read %s: %s", path, fd < 0 ? strerror(errno) : strerror(EISDIR));
        if (fd >= 0)
            close(fd);
        return false;
    }
    struct buf b = {0};
    char tmp[65536];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            buf_addf(err, "-F: cannot read %s: %s", path, strerror(errno));
            buf_free(&b);
            close(fd);
            return false;
        }
        buf_add(&b, tmp, (size_t)n);
    }
    close(fd);
    fp->len = b.len;
    fp->data = log_malloc(b.len + 1);
    memcpy(fp->data, b.p ? b.p : "", b.len);
    fp->data[b.len] = '\0';
    buf_free(&b);
    return true;
}

static void form_part_free(struct form_part *fp)
{
    free(fp->name);
    free(fp->data);
    free(fp->file);
    free(fp->type);
    free(fp->filename);
}

/* The ;type= and ;filename= parameters after a value. */
static bool form_params(const char *p, struct form_part *fp, bool file, struct buf *err)
{
    while (*p == ';') {
        p++;
        char **dst = NULL;
        if (!strncmp(p, "type=", 5)) {
            dst = &fp->type;
            p += 5;
        } else if (file && !strncmp(p, "filename=", 9)) {
            dst = &fp->filename;
            p += 9;
        } else {
            buf_addf(err,
                     "-F: unknown parameter ';%.*s' (volley knows ;type= and, for @FILE, "
                     ";filename=; put a value holding ';' in double quotes)",
                     (int)strcspn(p, "=;"), p);
            return false;
        }
        free(*dst);
        if (!(*dst = form_word(&p))) {
            buf_adds(err, "-F: a quote is not closed");
            return false;
        }
    }
    if (*p) {
        buf_adds(err, "-F: text after a quoted value");
        return false;
    }
    return true;
}

bool form_add(struct form **f, const char *arg, struct buf *err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        buf_adds(err, "-F needs NAME=TEXT, NAME=@FILE or NAME=<FILE");
        return false;
    }
    struct form_part fp = {.name = log_strndup(arg, (size_t)(eq - arg))};
    const char *p = eq + 1;
    char kind = *p == '@' || *p == '<' ? *p++ : '\0';
    char *word = form_word(&p);
    bool ok = word != NULL;
    if (!ok)
        buf_adds(err, "-F: a quote is not closed");
    ok = ok && form_params(p, &fp, kind == '@', err);
    if (ok && kind && !*word) {
        buf_addf(err, "-F %s: no file name after '%c'", fp.name, kind);
        ok = false;
    }
    if (ok && kind == '<') {
        ok = form_read(word, &fp, err);
    } else if (ok && kind == '@') {
        int fd = open(word, O_RDONLY | O_CLOEXEC);
        struct stat st;
        int e = fd < 0 ? errno : fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : 0;
        if (fd >= 0)
            close(fd);
        if (e)
            buf_addf(err, "-F: cannot read %s: %s", word, strerror(e));
        ok = e == 0;
        fp.file = word;
        word = NULL;
    } else if (ok) {
        fp.len = strlen(word);
        fp.data = word;
        word = NULL;
    }
    free(word);
    if (!ok) {
        form_part_free(&fp);
        return false;
    }
    if (!*f)
        *f = log_calloc(1, sizeof **f);
    (*f)->parts = log_realloc((*f)->parts, ((*f)->n + 1) * sizeof *(*f)->parts);
    (*f)->parts[(*f)->n++] = fp;
    return true;
}

void form_free(struct form *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        form_part_free(&f->parts[i]);
    free(f->parts);
    free(f);
}

curl_mime *form_mime(const struct form *f, CURL *easy)
{
    curl_mime *m = curl_mime_init(easy);
    if (!m)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    for (size_t i = 0; i < f->n; i++) {
        const struct form_part *fp = &f->parts[i];
        curl_mimepart *part = curl_mime_addpart(m);
        bool ok = part && curl_mime_name(part, fp->name) == CURLE_OK;
        if (ok && fp->file)
            ok = curl_mime_filedata(part, fp->file) == CURLE_OK;
        else if (ok)
            ok = curl_mime_data(part, fp->data, fp->len) == CURLE_OK;
        if (ok && fp->type)
            ok = curl_mime_type(part, fp->type) == CURLE_OK;
        if (ok && fp->filename)
            ok = curl_mime_filename(part, fp->filename) == CURLE_OK;
        if (!ok)
            log_die(LOG_EXIT_INTERNAL, "libcurl refused the form field %s", fp->name);
    }
    return m;
}
