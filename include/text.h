/* text: UTF-8 and escaping, the one place that knows how a string is made
 * safe for each output: JSON string literals, the text format (and -w
 * templates), XML, Markdown table cells, TAP descriptions and YAML scalars;
 * cutting a string at a character boundary; trimming blanks. Pure functions
 * of their arguments. Every writer appends to DST and leaves its output
 * valid UTF-8 whatever the input bytes: an invalid byte becomes U+FFFD. */
#ifndef VOLLEY_TEXT_H
#define VOLLEY_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define TEXT_FFFD "\xEF\xBF\xBD"

/* ---- UTF-8 -------------------------------------------------------------- */

/* Decode the UTF-8 sequence at S (at most N > 0 bytes) into *CP; returns its
 * length, or 0 when it is not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated, a stray continuation byte). */
size_t text_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* The length in bytes of the longest prefix of S (LEN bytes) that holds at
 * most MAX characters as the writers show them: a valid UTF-8 sequence is
 * one character, every other byte one (it becomes a U+FFFD). LEN when S
 * has no more than MAX characters. Never cuts inside a character. */
size_t text_cut(const char *s, size_t len, size_t max);

/* Cut the text of B after its first FROM bytes to MAX characters (as
 * text_cut counts them) and append MORE (e.g. "...") when anything was cut
 * off. Returns whether it cut. */
bool text_clip(struct buf *b, size_t from, size_t max, const char *more);

/* ---- blanks ------------------------------------------------------------- */

/* True for the blanks every parser trims: space, \t, \r, \n, \f, \v. */
bool text_blank(char c);
/* Move *S past leading blanks and shorten *LEN past trailing ones. */
void text_trim(const char **s, size_t *len);

/* ---- writers ------------------------------------------------------------ */

/* A JSON string literal, quotes included: '"' and '\' escaped, \n \r \t
 * short, other C0 controls as \u00XX. */
void text_json_string(struct buf *dst, const char *s, size_t len);

/* Append the text of the compact JSON scalar JSON (NUL-terminated, as
 * spec.c keeps a spec's "id"): a string's contents with its escapes undone
 * (\uXXXX and surrogate pairs included; a \u0000 or an escape that does
 * not decode is kept as written), any other scalar (a number, true, false,
 * null) as it is written. The result is raw text for an escaper. */
void text_json_scalar(struct buf *dst, const char *json);

/* The text format (and -w templates): printable characters as they are; a
 * backslash as \\, tab, CR and LF as \t \r \n, other C0 controls and DEL as
 * \xNN, the C1 controls, U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF as
 * \uNNNN (lower-case hex), so that every control character is visible and
 * the text can be read back without ambiguity. */
void text_string(struct buf *dst, const char *s, size_t len);

/* XML 1.0 character data, or an attribute value when ATTR (tab, CR and LF
 * then become character references; CR always does). Characters XML 1.0
 * forbids (C0 controls but tab, CR and LF; U+FFFE, U+FFFF) are dropped. */
void text_xml(struct buf *dst, const char *s, size_t len, bool attr);
/* The text of a Markdown table cell: Markdown and HTML syntax
 * (\ ` * _ [ ] < > | ~ & $) escaped with a backslash, control characters
 * (newlines too) as spaces. */
void text_md(struct buf *dst, const char *s, size_t len);
/* A TAP test description or directive reason: '#' and '\' escaped with a
 * backslash, control characters as spaces. */
void text_tap(struct buf *dst, const char *s, size_t len);
/* A double-quoted YAML scalar, quotes included, using only the escapes
 * TAP::Parser's YAMLish reader also understands (\" \\ \t \n \r \xNN)
 * where it can, \uNNNN for the other non-printable characters. */
void text_yaml(struct buf *dst, const char *s, size_t len);

#endif
