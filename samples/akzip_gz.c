// SPDX-License-Identifier: LGPL-2.1-or-later
/* akzip_gz - gzip framing helpers of akzip (see akzip_gz.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "akzip_gz.h"

bool gz_header_info(const uint8_t *p, size_t n, char **name, uint32_t *mtime)
{
	size_t pos = 10;

	*name = NULL;
	*mtime = 0;
	if (n < 10 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 8)
		return false;
	*mtime = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
		 (uint32_t)p[7] << 24;
	if (p[3] & GZ_FEXTRA) {
		if (n < 12)
			return true;
		pos = 12 + ((size_t)p[10] | (size_t)p[11] << 8);
	}
	if ((p[3] & GZ_FNAME) && pos < n) {
		const uint8_t *e = memchr(p + pos, 0, n - pos);

		if (e)
			*name = strndup((const char *)p + pos,
					(size_t)(e - (p + pos)));
	}
	return true;
}

static const char *const suffixes[] = {
	".gz", "-gz", ".z", "-z", "_z", ".tgz", ".taz",
};

const char *gz_suffix(const char *base)
{
	size_t lb = strlen(base);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t ls = strlen(suffixes[i]);

		if (lb > ls && strcasecmp(base + lb - ls, suffixes[i]) == 0)
			return base + lb - ls;
	}
	return NULL;
}

char *gz_strip_suffix(const char *name, const char *suf)
{
	size_t keep = strlen(name) - strlen(suf);
	bool tar = strcasecmp(suf, ".tgz") == 0 || strcasecmp(suf, ".taz") == 0;
	char *out = malloc(keep + 5);

	if (!out)
		return NULL;
	memcpy(out, name, keep);
	strcpy(out + keep, tar ? ".tar" : "");
	return out;
}

int gz_window_byte(const struct gz_window *w, uint64_t pos)
{
	for (int i = 0; i < 2; i++)
		if (w->p[i] && pos >= w->off[i] && pos - w->off[i] < w->len[i])
			return w->p[i][pos - w->off[i]];
	return -1;
}

bool gz_trailing_after(const struct gz_window *w, uint64_t end,
		       uint64_t total_in)
{
	int c0, c1 = -1;

	if (end >= total_in)
		return false;
	c0 = gz_window_byte(w, end);
	if (end + 1 < total_in)
		c1 = gz_window_byte(w, end + 1);
	if (c0 < 0 || (end + 1 < total_in && c1 < 0))
		return false;
	return !(c0 == 0x1f && c1 == 0x8b);
}
