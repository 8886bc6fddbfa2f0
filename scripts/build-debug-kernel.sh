#!/bin/bash
# Build a debug guest kernel (KASAN, lockdep, kmemleak, ...) from Debian's
# kernel source: tinyconfig + vm/debug-kernel.config + the series' own
# fragment vm/debug-kernel-<series>.config, with the fixes
# vm/debug-kernel-*.patch applied (each says why).
# usage: build-debug-kernel.sh [SERIES]     SERIES: 6.1 (default) or 6.12
#   6.1   /usr/src/linux-source-6.1.tar.xz of the installed linux-source-6.1
#         (make deps installs it).
#   6.12  linux-source-6.12 of bookworm (bookworm-backports or
#         bookworm-security; never trixie), newest version apt-cache knows,
#         downloaded with apt-get download and unpacked with dpkg-deb -x
#         into the cache: nothing is installed on the host.
# Cached outside the repository, keyed by the fragments, the patches, this
# script, the series and the source package version. Prints the build directory
# (bzImage at arch/x86/boot/bzImage; out-of-tree modules build against it
# with make -C <dir> M=...).
set -euo pipefail

series=${1:-6.1}
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/accelkit
common=$top/vm/debug-kernel.config
own=$top/vm/debug-kernel-$series.config
patches=("$top"/vm/debug-kernel-*.patch)
log() { echo "build-debug-kernel: $*" >&2; }

[ -f "$own" ] || { log "unknown series '$series' (no $own)"; exit 2; }

# The newest version of $1 that a bookworm suite offers (apt-cache madison
# lines: "pkg | version | url suite/component arch Packages").
bookworm_version() {
	apt-cache madison "$1" 2>/dev/null | awk -F'|' '
		$3 ~ / bookworm(-[a-z]+)?\// && $3 ~ /Packages/ {
			gsub(/ /, "", $2); print $2 }' | sort -V | tail -n1
}

case "$series" in
6.1)
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	tarball=/usr/src/linux-source-6.1.tar.xz
	;;
*)
	pkg=linux-source-$series
	srcver=$(bookworm_version "$pkg")
	[ -n "$srcver" ] || { log "apt-cache knows no $pkg in a bookworm suite (apt-get update?)"; exit 1; }
	srcdir=$cache/linux-src/$pkg-$srcver
	tarball=$srcdir/usr/src/$pkg.tar.xz
	if [ ! -f "$srcdir/.unpacked" ]; then
		log "downloading $pkg $srcver"
		rm -rf "$srcdir" && mkdir -p "$srcdir/deb"
		(cd "$srcdir/deb" && apt-get download -q "$pkg=$srcver" >&2) ||
			{ log "apt-get download $pkg=$srcver failed"; exit 1; }
		dpkg-deb -x "$srcdir"/deb/*.deb "$srcdir"
		rm -rf "$srcdir/deb"
		[ -f "$tarball" ] || { log "no $tarball in the package"; exit 1; }
		touch "$srcdir/.unpacked"
	fi
	;;
esac

key=$( (cat "$common" "$own" "${patches[@]}" "$top/scripts/build-debug-kernel.sh"
	echo "$series $srcver") | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$key

if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir" && mkdir -p "$dir"
log "unpacking $tarball ($srcver)"
tar -C "$dir" --strip-components=1 -xf "$tarball"
cd "$dir"
for p in "${patches[@]}"; do
	log "applying $(basename "$p")"
	patch -p1 -s -N <"$p" >&2 || { log "$(basename "$p") does not apply"; exit 1; }
done
log "configuring (tinyconfig + $(basename "$common") + $(basename "$own"))"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$common" "$own" >/dev/null
make -s olddefconfig >&2
# Every setting of the fragments must have survived: a dependency we
# missed would silently drop a checker.
missing=0
while read -r line; do
	case "$line" in
	CONFIG_*=* | "# CONFIG_"*" is not set") ;;
	*) continue ;;
	esac
	grep -qx "$line" .config || { log "not applied: $line"; missing=1; }
done < <(cat "$common" "$own")
[ $missing -eq 0 ] || exit 1
log "building $series (about 6-8 minutes on 2 cores)"
make -s -j"$(nproc)" bzImage modules_prepare >&2
make -s -j"$(nproc)" modules >&2 || true
touch .done
echo "$dir"
