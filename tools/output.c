// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output helpers.
 */
#include <string.h>

#include "output.h"

/*
 * Length of the well-formed UTF-8 sequence at @s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if it is ill-formed.
 * The terminating NUL is never a continuation byte, so this never reads
 * past the end of the string.
 */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;

	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;

	for (i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

static void json_print_char(FILE *f, unsigned char c)
{
	switch (c) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\b':
		fputs("\\b", f);
		break;
	case '\f':
		fputs("\\f", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	default:
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void json_print_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;

	fputc('"', f);
	while (*s) {
		len = utf8_len(s);
		if (len == 1) {
			json_print_char(f, *s);
		} else if (len) {
			fwrite(s, 1, len, f);
		} else {
			/* Not UTF-8: emit U+FFFD REPLACEMENT CHARACTER. */
			fputs("\\ufffd", f);
			len = 1;
		}
		s += len;
	}
	fputc('"', f);
}

bool json_is_integer(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		return s[1] == '\0';
	if (*s < '1' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

static void print_json(FILE *f, const struct out_field *fields, size_t n)
{
	size_t i;

	fputc('{', f);
	for (i = 0; i < n && !ferror(f); i++) {
		if (i)
			fputc(',', f);
		json_print_string(f, fields[i].key);
		fputc(':', f);
		if (fields[i].literal)
			fputs(fields[i].value, f);
		else
			json_print_string(f, fields[i].value);
	}
	fputs("}\n", f);
}

static void print_text(FILE *f, const struct out_field *fields, size_t n)
{
	int key_width = 0, value_width = 0, len;
	size_t i;

	for (i = 0; i < n; i++) {
		len = (int)strlen(fields[i].key);
		if (len > key_width)
			key_width = len;
		len = (int)strlen(fields[i].value);
		if (fields[i].literal && len > value_width)
			value_width = len;
	}

	for (i = 0; i < n && !ferror(f); i++)
		fprintf(f, "%-*s  %*s\n", key_width, fields[i].key,
			fields[i].literal ? value_width : 0, fields[i].value);
}

void out_print(FILE *f, bool json, const struct out_field *fields, size_t n)
{
	if (json)
		print_json(f, fields, n);
	else
		print_text(f, fields, n);
}
