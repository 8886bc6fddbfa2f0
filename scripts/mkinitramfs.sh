#!/bin/bash
# Build the guest initramfs: busybox-static, our modules, library, tools and
# test binaries, plus every shared library they need.
# usage: mkinitramfs.sh [--kernel KVER MODDIR] OUTPUT.cpio.gz STAGING_DIR MODULE.ko...
# STAGING_DIR already holds the user-space install (DESTDIR of `make install`).
# --kernel: the guest kernel's release and its modules directory (where
# fuse.ko is taken from); default: the stock guest kernel
# (scripts/guest-kernel.sh) and /lib/modules/<it>.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kver= moddir=
if [ "${1:-}" = --kernel ]; then
	kver=$2
	moddir=$3
	shift 3
fi
out=$1
stage=$2
shift 2
if [ -z "$kver" ]; then
	kver=$(bash "$top/scripts/guest-kernel.sh")
	moddir=/lib/modules/$kver
fi

mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,root,etc,lib/accelkit,usr/share/accelkit}
install -m 0755 /bin/busybox "$stage/bin/busybox"
install -m 0755 "$top/vm/init" "$stage/init"
install -m 0755 "$top/vm/demo.sh" "$top/vm/vm-tests.sh" "$top/vm/bench.sh" \
	"$stage/usr/share/accelkit/"
install -m 0755 "$top/vm/dropins.sh" "$stage/usr/share/accelkit/"
# Drop-in checks (vm/dropins.d/NAME.sh) and the host files they need
# (vm/dropins.d/NAME.bins: one absolute path per line, a file or a
# directory, copied to the same path; '#' starts a comment).
mkdir -p "$stage/usr/share/accelkit/dropins.d"
for f in "$top"/vm/dropins.d/*.sh; do
	[ -f "$f" ] && install -m 0755 "$f" "$stage/usr/share/accelkit/dropins.d/"
done
for list in "$top"/vm/dropins.d/*.bins; do
	[ -f "$list" ] || continue
	sed 's/#.*//' "$list" | while read -r p; do
		[ -n "$p" ] || continue
		if [ ! -e "$p" ]; then
			echo "mkinitramfs: $p (from $(basename "$list")) is missing" >&2
			exit 1
		fi
		mkdir -p "$stage$(dirname "$p")"
		cp -a -L "$p" "$stage$(dirname "$p")/"
	done
done
for ko in "$@"; do
	install -m 0644 "$ko" "$stage/lib/accelkit/"
done
# FUSE is a module in the stock 6.1 guest kernel (the FUSE-stall test
# needs it); vm/init loads it when it matches the running kernel. The
# debug kernel and Debian's 6.12 have it built in. Only one kernel's
# fuse.ko in the image: a staging tree copied from another image loses
# the other's.
rm -rf "$stage/lib/modules"
fuse=$moddir/kernel/fs/fuse/fuse.ko
if [ -f "$fuse" ]; then
	mkdir -p "$stage/lib/modules/$kver"
	install -m 0644 "$fuse" "$stage/lib/modules/$kver/fuse.ko"
elif ! grep -qs '^kernel/fs/fuse/fuse\.ko$' "$moddir/modules.builtin"; then
	echo "mkinitramfs: warning: no $fuse (the FUSE test will fail)" >&2
fi
# The modules of vm/kmods.list (the kernel-consumer proofs: zram, loop,
# dm-crypt, AF_ALG, the generic crypto templates), with their
# dependencies first (modinfo -F depends), built-in ones skipped
# (modules.builtin), decompressed (Debian's 6.12 ships .ko.xz; the
# image's insmod gets plain ELF). vm/init loads kmods.order in order.
kmods_dir=$stage/lib/modules/$kver
kmods_seen=" "
kmod_builtin() {
	local n=${1//-/_} b
	[ -f "$moddir/modules.builtin" ] || return 1
	while read -r b; do
		b=${b##*/}
		b=${b%.ko}
		[ "${b//-/_}" = "$n" ] && return 0
	done <"$moddir/modules.builtin"
	return 1
}
kmod_add() {
	local name=$1 n=${1//-/_} path d out
	case "$kmods_seen" in *" $n "*) return 0 ;; esac
	kmods_seen="$kmods_seen$n "
	kmod_builtin "$name" && return 0
	path=$(find "$moddir/kernel" \( -name "$name.ko*" -o -name "$n.ko*" \
		-o -name "${n//_/-}.ko*" \) -print -quit 2>/dev/null)
	if [ -z "$path" ]; then
		echo "mkinitramfs: warning: module $name of vm/kmods.list is neither in $moddir nor built in" >&2
		return 0
	fi
	for d in $(modinfo -F depends "$path" | tr ',' ' '); do
		kmod_add "$d"
	done
	out=$(basename "$path")
	out=${out%.xz}
	out=${out%.gz}
	mkdir -p "$kmods_dir/kmods"
	case "$path" in
	*.xz) xz -dc "$path" >"$kmods_dir/kmods/$out" ;;
	*.gz) gzip -dc "$path" >"$kmods_dir/kmods/$out" ;;
	*) install -m 0644 "$path" "$kmods_dir/kmods/$out" ;;
	esac
	echo "kmods/$out" >>"$kmods_dir/kmods.order"
}
if [ -d "$moddir/kernel" ]; then
	mkdir -p "$kmods_dir"
	: >"$kmods_dir/kmods.order"
	for m in $(sed 's/#.*//' "$top/vm/kmods.list"); do
		kmod_add "$m"
	done
else
	echo "mkinitramfs: warning: no $moddir/kernel (the kcrypt/kzswap suites will fail)" >&2
fi
# The dm-crypt proof (suite kcrypt) drives device-mapper with the host's
# dmsetup (Debian's dmsetup package); the ldd loop below brings its
# libraries (libdevmapper, libselinux, libudev, libpcre2).
if [ -x /usr/sbin/dmsetup ]; then
	mkdir -p "$stage/usr/sbin"
	install -m 0755 /usr/sbin/dmsetup "$stage/usr/sbin/dmsetup"
else
	echo "mkinitramfs: warning: no /usr/sbin/dmsetup (the dm-crypt test will fail)" >&2
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"

# Copy the shared libraries of every ELF binary in the image, at the paths
# the dynamic loader looks for them.
copy_lib() {
	local f=$1
	[ -e "$stage$f" ] && return 0
	mkdir -p "$stage$(dirname "$f")"
	cp -L "$f" "$stage$f"
}
for bin in $(find "$stage/usr" -type f -perm -u+x); do
	[ "$(head -c4 "$bin" | tr -d '\0')" = "$(printf '\177ELF')" ] || continue
	{ LD_LIBRARY_PATH=$stage/usr/lib ldd "$bin" 2>/dev/null || true; } | awk '
		/=> \// { print $3 } /^[ \t]*\/lib/ { print $1 }' | while read -r lib; do
		case "$lib" in "$stage"*) continue ;; esac
		copy_lib "$lib"
	done
done
# Our own library is found through the default path /usr/lib.
(cd "$stage" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
