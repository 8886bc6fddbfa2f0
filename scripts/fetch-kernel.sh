#!/bin/bash
# Fetch a Debian bookworm build of another stock kernel series (e.g. 6.12,
# from bookworm-backports / bookworm-security: the "+deb12" builds made with
# bookworm's gcc-12) WITHOUT installing it on the host: the newest amd64
# image (-unsigned: plain vmlinuz), its headers (+ -common) and the matching
# linux-kbuild are `apt-get download`ed and unpacked with dpkg-deb -x into
#   ~/.cache/accelkit/kernel-<ver>/        (<ver> = e.g. 6.12.57+deb12-amd64)
# Cached: a finished tree has a .done marker and is reused as is.
#
# usage: fetch-kernel.sh SERIES [FIELD]
#   SERIES  kernel series, e.g. 6.12 (never the host's stock one: that one
#           comes from /boot and /lib/modules, scripts/guest-kernel.sh)
#   FIELD   print only one of: ver vmlinuz kdir moddir root
# Without FIELD it prints "name=value" lines for all of them:
#   ver      kernel release (uname -r of the guest)
#   vmlinuz  the bootable image
#   kdir     the headers build tree (make -C $kdir M=...)
#   moddir   the image's /lib/modules/<ver> (fuse.ko etc.)
#   root     the unpacked tree
# Never takes anything from trixie (gcc-14 / glibc 2.38 builds do not run
# here); the version is detected with apt-cache, never hard-coded.
set -euo pipefail

series=${1:?usage: fetch-kernel.sh SERIES [ver|vmlinuz|kdir|moddir|root]}
field=${2:-}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/accelkit
log() { echo "fetch-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

case "$series" in
[0-9]*.[0-9]*) ;;
*) die "bad series '$series' (want e.g. 6.12)" ;;
esac
sre=${series//./\\.}

# Newest "<series>.N+deb12-amd64" flavour whose image, headers, common
# headers and kbuild all come from a bookworm suite of the Debian archive
# (bookworm, -security, -backports) at one package version.
find_version() {
	local kver base
	for kver in $(apt-cache pkgnames "linux-headers-$series." 2>/dev/null |
		sed -nE "s/^linux-headers-(${sre}\.[0-9]+\+deb12-amd64)$/\1/p" |
		sort -rV); do
		base=${kver%-amd64}
		apt-cache madison "linux-headers-$kver" "linux-image-$kver-unsigned" \
			"linux-headers-$base-common" "linux-kbuild-$base" 2>/dev/null |
			awk -F'|' -v k="$kver" '
			{ for (i = 1; i <= 3; i++) gsub(/^ +| +$/, "", $i) }
			$3 ~ /trixie/ || $3 !~ /^[^ ]+ bookworm(-backports|-security|-updates)?\/main (amd64|all) Packages$/ { next }
			{ if (!seen[$1, $2]++ && ++n[$2] == 4) { print k, $2; exit 0 } }
			' | sort -rV | head -n1 | grep . && return 0
	done
	return 1
}

# Reuse the newest finished tree of this series when apt knows nothing
# newer (or apt's lists are unavailable).
read -r kver pkgver < <(find_version || true) || true
if [ -z "${kver:-}" ]; then
	dir=$( (ls -d "$cache/kernel-$series".*-amd64 2>/dev/null || true) | sort -rV |
		while read -r d; do [ -f "$d/.done" ] && echo "$d" && break; done)
	[ -n "$dir" ] || die "no bookworm linux $series amd64 packages known to apt (apt-get update?)"
	kver=${dir##*/kernel-}
	log "apt knows no $series build; using the cached $kver"
fi
base=${kver%-amd64}
dir=$cache/kernel-$kver

if [ ! -f "$dir/.done" ] || [ "$(cat "$dir/.done")" != "${pkgver:-$(cat "$dir/.done")}" ]; then
	pkgs=("linux-image-$kver-unsigned" "linux-headers-$kver"
		"linux-headers-$base-common" "linux-kbuild-$base")
	log "downloading ${pkgs[*]} ($pkgver)"
	rm -rf "$dir" "$dir.tmp" && mkdir -p "$dir.tmp/debs"
	(cd "$dir.tmp/debs" && apt-get download -q "${pkgs[@]/%/=$pkgver}" >&2)
	for deb in "$dir.tmp"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir.tmp/root"
	done
	rm -rf "$dir.tmp/debs"
	mv "$dir.tmp/root" "$dir" && rmdir "$dir.tmp"
	# The flavour's Makefile includes the -common one by its absolute
	# host path: point it at the unpacked copy.
	hdr=$dir/usr/src/linux-headers-$kver
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$hdr/Makefile"
	grep -q "^include $dir/" "$hdr/Makefile" ||
		die "unexpected $hdr/Makefile: $(head -n1 "$hdr/Makefile")"
	# The headers' links (/lib/modules/<ver>/build is absolute and points
	# at the host's /usr/src) are not used: KDIR is the headers directory
	# itself, whose relative links (scripts, tools -> linux-kbuild) must
	# resolve inside the unpacked tree.
	bad=0
	while read -r l; do
		t=$(readlink -f "$l" || true)
		case "$t" in
		"$dir"/*) [ -e "$t" ] || { log "dangling link $l"; bad=1; } ;;
		*) log "link $l leaves the tree ($t)"; bad=1 ;;
		esac
	done < <(find "$hdr" "$dir/usr/src/linux-headers-$base-common" -maxdepth 2 -type l)
	[ $bad -eq 0 ] || die "unpacked headers of $kver are not self-contained"
	echo "$pkgver" >"$dir/.done"
fi

hdr=$dir/usr/src/linux-headers-$kver
vmlinuz=$dir/boot/vmlinuz-$kver
moddir=$dir/lib/modules/$kver
[ -f "$vmlinuz" ] || die "no $vmlinuz"
[ -f "$hdr/Makefile" ] || die "no $hdr/Makefile"
case "$field" in
ver) echo "$kver" ;;
vmlinuz) echo "$vmlinuz" ;;
kdir) echo "$hdr" ;;
moddir) echo "$moddir" ;;
root) echo "$dir" ;;
"") printf 'ver=%s\nvmlinuz=%s\nkdir=%s\nmoddir=%s\nroot=%s\n' \
	"$kver" "$vmlinuz" "$hdr" "$moddir" "$dir" ;;
*) die "unknown field '$field'" ;;
esac
