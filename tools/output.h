/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text and JSON output helpers.
 */
#ifndef TCPCLOSE_OUTPUT_H
#define TCPCLOSE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct out_field {
	const char *key;
	const char *value;
	/* JSON: emit value unquoted (a number, true, false or null) */
	bool literal;
};

/* Print @s as a JSON string: quoted, escaped, always valid UTF-8. */
void json_print_string(FILE *f, const char *s);

/* Is @s an integer in JSON number syntax (-?(0|[1-9][0-9]*))? */
bool json_is_integer(const char *s);

/*
 * Print fields as aligned "key value" lines (literal values right-aligned)
 * or, with @json, as one JSON object on one line. Keeps the order given.
 */
void out_print(FILE *f, bool json, const struct out_field *fields, size_t n);

#endif
