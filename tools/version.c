// SPDX-License-Identifier: GPL-2.0
/*
 * "tcpclose version": versions of the tool and of the loaded module.
 */
#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "source.h"
#include "tcpclose.h"

static void print_json(bool loaded, const char *module_version)
{
	const struct out_field fields[] = {
		{ "version", TCPCLOSE_VERSION, false },
		{ "module_loaded", loaded ? "true" : "false", true },
		{ "module_version", module_version ?: "null", !module_version },
	};

	out_print(stdout, true, fields, sizeof(fields) / sizeof(fields[0]));
}

static void print_text(bool loaded, const char *module_version)
{
	printf("%s %s ", PROG_NAME, TCPCLOSE_VERSION);
	if (module_version)
		printf("(module %s)\n", module_version);
	else if (loaded)
		puts("(module loaded, version unknown)");
	else
		puts("(module not loaded)");
}

int cmd_version(const struct ctx *ctx, int argc, char *argv[])
{
	char *module_version = NULL;
	bool loaded;

	if (argc)
		return usage_error("unexpected argument '%s'", argv[0]);
	loaded = tcpclose_module_loaded();
	if (loaded && tcpclose_module_version(&module_version))
		module_version = NULL;
	if (module_version && !*module_version) {
		free(module_version);
		module_version = NULL;
	}

	if (ctx->json)
		print_json(loaded, module_version);
	else
		print_text(loaded, module_version);
	free(module_version);
	return EXIT_OK;
}
