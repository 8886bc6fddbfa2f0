#!/bin/bash
# OpenSSL's own evp known-answer files (test/recipes/30-test_evp_data) from
# Debian's openssl source package, for ak-prov-kat. Downloads the source
# once (apt-get source --download-only; deb-src is set up by
# scripts/deps.sh) into $CACHE/openssl-src-<version>/ and extracts only the
# test data; prints the directory holding the .txt files.
# The version is the one apt offers for the installed openssl (candidate
# first, then the other versions apt-cache showsrc lists); only the
# upstream tarball is needed, so a missing Debian diff is not an error.
set -euo pipefail

cache=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/accelkit}
mkdir -p "$cache"
# Already there (any version): use it.
for d in "$cache"/openssl-src-*/test/recipes/30-test_evp_data; do
	if [ -f "$d/evpciph_aes_common.txt" ]; then
		echo "$d"
		exit 0
	fi
done
exec 9>"$cache/openssl-src.lock"
flock 9
versions=$(apt-cache policy openssl 2>/dev/null | sed -n 's/^ *Candidate: //p')
versions="$versions $(apt-cache showsrc openssl 2>/dev/null | sed -n 's/^Version: //p')"
for v in $versions; do
	[ "$v" != "(none)" ] || continue
	up=${v#*:}
	up=${up%%-*}
	dest=$cache/openssl-src-$up
	dl=$cache/openssl-src-dl
	rm -rf "$dl" && mkdir -p "$dl"
	(cd "$dl" && apt-get source --download-only "openssl=$v" >/dev/null 2>&1) || true
	tarball=$(ls "$dl"/openssl_"$up".orig.tar.* 2>/dev/null | head -n1 || true)
	if [ -z "$tarball" ]; then
		echo "fetch-kat: no source tarball for openssl $v" >&2
		continue
	fi
	rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
	tar -xf "$tarball" -C "$dest.tmp" --strip-components=1 \
		"openssl-$up/test/recipes/30-test_evp_data"
	rm -rf "$dest" && mv "$dest.tmp" "$dest"
	echo "$v" >"$dest/DEBIAN-VERSION"
	rm -rf "$dl"
	echo "$dest/test/recipes/30-test_evp_data"
	exit 0
done
echo "fetch-kat: could not download Debian's openssl source (is deb-src configured? run scripts/deps.sh)" >&2
exit 1
