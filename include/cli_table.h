/* cli_table: the option table, one row per option (names, type, where the
 * value goes in struct config, range, choices, default, argument name,
 * help), and the table of curl's options that volley does not have. Data and
 * lookups only: cli.c parses, converts and prints --help by these rows.
 *
 * Adding an option: one row in cli_table.c (kept sorted by long name), a
 * field in struct config if it stores one, the .It item in man/volley.1, the
 * README's options row, then scripts/completions.sh to regenerate the
 * completion lists; tests/e2e/docs.bats fails until all of them agree. */
#ifndef VOLLEY_CLI_TABLE_H
#define VOLLEY_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* How a row's value is converted, and what it is stored as at .off. */
enum cli_type {
    CLI_FLAG,    /* no value: true into a bool, or .set into an int/enum field */
    CLI_INT,     /* a decimal whole number from .min to .max → long */
    CLI_SECS,    /* decimal seconds → long ms (rounded up); .min in ms */
    CLI_RATE,    /* R[/s|/m|/h] → int64_t µs between starts */
    CLI_SIZE,    /* N[k|M|G] → int64_t bytes */
    CLI_PERCENT, /* P[%] with P from .min to .max → double P / 100 */
    CLI_CHOICE,  /* one of .choices → its index (bool or enum field), or the
                    choice itself (a const char * field) */
    CLI_STRING,  /* → const char *, borrowed from argv */
    CLI_LIST,    /* → char ** of copies, the size_t count at .count */
    CLI_CUSTOM,  /* cli.c's own code for .custom */
};

enum {
    CLI_F_REPEAT = 1 << 0,    /* repeatable: each one adds ("repeatable" in help) */
    CLI_F_HIDDEN = 1 << 1,    /* not in --help, --help-table, docs or completions */
    CLI_F_NONEMPTY = 1 << 2,  /* CLI_STRING: must not be empty */
    CLI_F_TOKEN = 1 << 3,     /* CLI_STRING: no white space */
    CLI_F_ICASE = 1 << 4,     /* CLI_CHOICE: any case */
    CLI_F_PRINTABLE = 1 << 5, /* CLI_STRING: no control characters (they would go on the
                                 wire as raw bytes) */
    CLI_F_SECRET = 1 << 6,    /* the value is never shown in a message */
};

/* The options with code of their own in cli.c. */
enum cli_custom {
    CLI_C_NONE,
    CLI_C_HELP,
    CLI_C_HELP_TABLE,
    CLI_C_VERSION,
    CLI_C_DATA,           /* -d: one struct cli_data */
    CLI_C_DATA_BINARY,    /* --data-binary: the same, binary */
    CLI_C_DATA_RAW,       /* --data-raw: the same, '@' not special */
    CLI_C_DATA_URLENCODE, /* --data-urlencode: the same, URL-encoded by prepare */
    CLI_C_URL_QUERY,      /* --url-query: one struct cli_data for the query */
    CLI_C_HEADER_FOR,     /* --header-for: PATTERN=HEADER checked, copied */
    CLI_C_LOCAL_PORT,     /* --local-port N[-M] */
    CLI_C_HEADER,         /* -H: checked, copied */
    CLI_C_EXPECT,         /* --expect-NAME: check_spec_set(NAME) */
    CLI_C_URL,            /* --url: trimmed, copied */
    CLI_C_SHARD,          /* --shard K/N */
};

/* The C type of a row's field, as far as the conversion needs to know. */
enum cli_store {
    CLI_S_NONE, /* no field (CLI_CUSTOM) */
    CLI_S_NUM,  /* the number CLI_INT, _SECS, _RATE, _SIZE, _PERCENT store; for
                   CLI_FLAG and CLI_CHOICE an int or an enum */
    CLI_S_BOOL,
    CLI_S_STR,  /* const char * */
    CLI_S_LIST, /* char ** */
};

struct cli_opt {
    const char *name; /* long name, without "--" */
    char letter;      /* short letter, or 0 */
    enum cli_type type;
    unsigned flags;   /* CLI_F_* */
    size_t off, size; /* the field in struct config (offsetof, sizeof) */
    enum cli_store store;
    size_t count;  /* CLI_LIST: offsetof the size_t count */
    long long min; /* CLI_INT, CLI_PERCENT: range; CLI_SECS: least ms */
    long long max;
    const char *const *choices; /* CLI_CHOICE: NULL-terminated */
    int set;                    /* CLI_FLAG on an int/enum field: the value stored */
    int custom;                 /* CLI_CUSTOM: enum cli_custom */
    const char *def;            /* the default, as typed on the command line, applied
                                   through the same conversion; NULL: none */
    double unset;               /* with no .def: a number field's "none" (e.g. -1) */
    const char *arg;            /* argument name in --help; NULL: takes no value */
    const char *help;           /* one line for --help, without default or choices */
};

/* A curl option volley does not have, and what to use instead. */
struct cli_curl {
    char letter;      /* curl's short letter, or 0 */
    const char *name; /* curl's long name, or NULL */
    const char *hint;
};

/* Every row, sorted by long name (hidden ones included). */
const struct cli_opt *cli_table_rows(size_t *n);
/* The row whose long name is exactly NAME (LEN bytes), or NULL. */
const struct cli_opt *cli_table_long(const char *name, size_t len);
/* The row with short letter C, or NULL. */
const struct cli_opt *cli_table_short(char c);
/* curl's option of that long name (exactly) or short letter, or NULL. */
const struct cli_curl *cli_table_curl_long(const char *name, size_t len);
const struct cli_curl *cli_table_curl_short(char c);
/* Append "; did you mean --a, --b or --c?" naming the options closest to
 * NAME (LEN bytes): long names it starts, then those within a small edit
 * distance. Appends nothing when none is close. */
void cli_table_suggest(const char *name, size_t len, struct buf *dst);

#endif
