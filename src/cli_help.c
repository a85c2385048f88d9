/* cli_help: what volley says about its options, from the option table
 * (cli_table.c): --help, the hidden --help-table that the docs and the
 * completions are checked against, --version, and how a row's choices are
 * listed for people (--help and cli.c's messages). */
#include "cli_help.h"
#include "cli_table.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <event2/event.h>

void cli_help_choices(struct buf *b, const char *const *c)
{
    for (size_t i = 0; c[i]; i++)
        buf_addf(b, "%s%s", i == 0 ? "" : c[i + 1] ? ", " : " or ", c[i]);
}

/* The help text of O: its line, choices, default (and a --links run's own)
 * and "repeatable". */
static void cli_help_describe(const struct cli_opt *o, struct buf *b)
{
    buf_adds(b, o->help);
    if (o->choices) {
        buf_adds(b, ": ");
        cli_help_choices(b, o->choices);
    }
    if (o->def && o->links_def)
        buf_addf(b, " (default %s; %s with --links)", o->def, o->links_def);
    else if (o->def)
        buf_addf(b, " (default %s)", o->def);
    else if (o->links_def)
        buf_addf(b, " (with --links %s)", o->links_def);
    if (o->flags & CLI_F_REPEAT)
        buf_adds(b, " (repeatable)");
}

void cli_help(FILE *out)
{
    fputs("Usage: volley [OPTIONS] [FILE|URL...]\n"
          "Fetch the URLs listed in FILEs (or stdin, or given as arguments or with --url)\n"
          "concurrently and write one record per URL. Lines: URLs; blank lines and #comments\n"
          "are skipped. With --links, FILEs (folders too) are documents whose links are\n"
          "checked: Markdown, HTML, sitemaps, text.\n\n",
          out);
    size_t n;
    const struct cli_opt *rows = cli_table_rows(&n);
    for (size_t i = 0; i < n; i++) {
        const struct cli_opt *o = &rows[i];
        if (o->flags & CLI_F_HIDDEN)
            continue;
        char left[64];
        snprintf(left, sizeof left, "%c%c%c --%s%s%s", o->letter ? '-' : ' ',
                 o->letter ? o->letter : ' ', o->letter ? ',' : ' ', o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        struct buf b = {0};
        cli_help_describe(o, &b);
        if (strlen(left) > 26)
            fprintf(out, "  %s\n  %-28s %s\n", left, "", buf_str(&b));
        else
            fprintf(out, "  %-28s %s\n", left, buf_str(&b));
        buf_free(&b);
    }
    fputs("\nExit status: 0 all passed; 1 a status or check failed (or, --links, a local file\n"
          "is missing); 2 usage error; 3 a URL could not be fetched; 4 internal error;\n"
          "124 --deadline ended the run; 130/143 interrupted; 141 stdout closed early.\n"
          "See volley(1).\n",
          out);
}

void cli_help_table(FILE *out)
{
    static const char *const types[] = {"flag",    "integer", "seconds", "rate", "size",
                                        "percent", "choice",  "string",  "list", "custom"};
    size_t n;
    const struct cli_opt *rows = cli_table_rows(&n);
    for (size_t i = 0; i < n; i++) {
        const struct cli_opt *o = &rows[i];
        if (o->flags & CLI_F_HIDDEN)
            continue;
        char letter[3] = {'-', o->letter, '\0'};
        fprintf(out, "%s\t%s\t%s\t%s\t%s\t", o->name, o->letter ? letter : "", types[o->type],
                o->arg ? o->arg : "", o->def ? o->def : "");
        for (size_t c = 0; o->choices && o->choices[c]; c++)
            fprintf(out, "%s%s", c ? " " : "", o->choices[c]);
        fprintf(out, "\t%s\t%s\t%s\n", o->flags & CLI_F_REPEAT ? "repeat" : "", o->help,
                o->links_def ? o->links_def : "");
    }
}

void cli_help_version(FILE *out)
{
    curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "volley %s\nlibcurl %s (%s)\nlibevent %s\ncJSON %s\n", VOLLEY_VERSION, v->version,
            v->ssl_version ? v->ssl_version : "no TLS", event_get_version(), cJSON_Version());
}
