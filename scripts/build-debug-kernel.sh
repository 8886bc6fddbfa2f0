#!/bin/bash
# Build the debug guest kernel (KASAN, lockdep, kmemleak, ...) from Debian's
# linux-source-6.1: tinyconfig + vm/debug-kernel.config. Cached outside the
# repository, keyed by the config fragment, this script and the source
# package version. Prints the build directory (bzImage at
# arch/x86/boot/bzImage; out-of-tree modules build against it with
# make -C <dir> M=...).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/accelkit
tarball=/usr/src/linux-source-6.1.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (cat "$top/vm/debug-kernel.config" "$top/scripts/build-debug-kernel.sh"
	echo "$srcver") | sha256sum | cut -c1-16)
dir=$cache/debug-kernel-$key

if [ -f "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi
log() { echo "build-debug-kernel: $*" >&2; }

rm -rf "$dir" && mkdir -p "$dir"
log "unpacking $tarball"
tar -C "$dir" --strip-components=1 -xf "$tarball"
cd "$dir"
log "configuring (tinyconfig + vm/debug-kernel.config)"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$top/vm/debug-kernel.config" >/dev/null
make -s olddefconfig >&2
# Every line of the fragment must have survived: a dependency we missed
# would silently drop a checker.
missing=0
while read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	grep -qx "$line" .config || { log "not applied: $line"; missing=1; }
done <"$top/vm/debug-kernel.config"
[ $missing -eq 0 ] || exit 1
log "building (about 6 minutes on 2 cores)"
make -s -j"$(nproc)" bzImage modules_prepare >&2
make -s -j"$(nproc)" modules >&2 || true
touch .done
echo "$dir"
