#!/bin/bash
# Debian's zlib source (the version of the installed zlib1g, from deb-src:
# scripts/deps.sh configures it) unpacked once into
# $CACHE/zlib-src-<version>/; prints that directory. The tests of
# libaccelkit-zlib build zlib's own test programs (test/example.c,
# test/minigzip.c) from it.
set -euo pipefail
cache=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/accelkit}
ver=$(dpkg-query -W -f '${source:Version}' zlib1g)
dir=$cache/zlib-src-${ver#*:}
if [ ! -f "$dir/test/example.c" ]; then
	mkdir -p "$cache"
	tmp=$(mktemp -d "$cache/zlib-src.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get source --download-only "zlib=$ver" >/dev/null 2>&1 &&
		dpkg-source --no-check -x ./*.dsc src >/dev/null)
	rm -rf "$dir"
	mv "$tmp/src" "$dir"
fi
echo "$dir"
