#!/bin/bash
# DKMS packaging of the accelkit kernel modules.
#
# usage: dkms.sh version
#        dkms.sh conf [--selftest]            print dkms.conf
#        dkms.sh stage DIR [--selftest]       copy the module source + dkms.conf to DIR
#        dkms.sh install                      (root) make dkms-install
#        dkms.sh uninstall                    (root) make dkms-uninstall
#
# The DKMS source tree is kernel/ (Kbuild, core/, sample/, selftest/,
# include/) plus dkms.conf generated from dist/dkms.conf.in; the version is
# the top-level VERSION file. DKMS installs accelkit.ko and
# accelkit_sample.ko; accelkit_selftest.ko (a fake accelerator for the VM
# test suite) and accelkit_kctest.ko (the VM suite's crypto API consumer)
# are built with them but installed only with --selftest, which
# the DKMS test uses so that the VM suite can run on DKMS-built modules.
#
# install: copies the tree to /usr/src/accelkit-<ver>, then dkms add, and
# dkms build + install for every kernel in $KERNELS (default: every
# /lib/modules/<ver> that has a build/ tree: the kernels whose headers are
# installed). Later kernels get the modules from DKMS's own kernel hooks
# (AUTOINSTALL=yes). AK_DKMS_SRCROOT replaces /usr/src (for tests, with a
# dkms wrapper in PATH that passes the same --sourcetree).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(cat "$top/VERSION")
name=accelkit
die() { echo "dkms.sh: $*" >&2; exit 1; }

conf() {
	local st="# accelkit_selftest.ko (test-only fake accelerator) and accelkit_kctest.ko
# (test-only crypto API consumer) are built, not installed."
	if [ "${1:-}" = --selftest ]; then
		st='BUILT_MODULE_NAME[2]="accelkit_selftest"
BUILT_MODULE_LOCATION[2]="selftest/"
DEST_MODULE_LOCATION[2]="/updates/dkms"
BUILT_MODULE_NAME[3]="accelkit_kctest"
BUILT_MODULE_LOCATION[3]="selftest/"
DEST_MODULE_LOCATION[3]="/updates/dkms"'
	fi
	awk -v v="$ver" -v st="$st" '
		{ gsub(/@VERSION@/, v) }
		/^@SELFTEST@$/ { print st; next }
		{ print }' "$top/dist/dkms.conf.in"
}

stage() {
	local dir=$1
	shift
	[ -n "$dir" ] || die "stage: no directory"
	mkdir -p "$dir"
	# Sources only (no build products of an in-tree build).
	(cd "$top/kernel" && find . -type f \( -name '*.c' -o -name '*.h' -o \
		-name Kbuild -o -name Makefile \) ! -name '*.mod.c' -print0 |
		cpio --null -pdm --quiet "$dir")
	conf "$@" >"$dir/dkms.conf"
	chmod -R u=rwX,go=rX "$dir"
}

kernels() {
	if [ -n "${KERNELS:-}" ]; then
		echo "$KERNELS"
		return
	fi
	for d in /lib/modules/*/build; do
		[ -e "$d/Makefile" ] && basename "$(dirname "$d")"
	done
}

case "${1:-}" in
version) echo "$ver" ;;
conf) shift; conf "$@" ;;
stage) shift; stage "$@" ;;
install)
	[ "$(id -u)" -eq 0 ] || die "install: run as root (sudo make dkms-install)"
	command -v dkms >/dev/null || die "install: no dkms (apt-get install dkms)"
	src=${AK_DKMS_SRCROOT:-/usr/src}/$name-$ver
	if dkms status -m "$name" -v "$ver" 2>/dev/null | grep . >/dev/null; then
		echo "dkms.sh: replacing the registered $name/$ver"
		dkms remove -m "$name" -v "$ver" --all
	fi
	rm -rf "$src"
	stage "$src"
	dkms add -m "$name" -v "$ver"
	ks=$(kernels)
	[ -n "$ks" ] || die "install: no kernel headers in /lib/modules/*/build (apt-get install linux-headers-amd64)"
	for k in $ks; do
		dkms build -m "$name" -v "$ver" -k "$k"
		dkms install -m "$name" -v "$ver" -k "$k"
	done
	dkms status -m "$name"
	;;
uninstall)
	[ "$(id -u)" -eq 0 ] || die "uninstall: run as root"
	if command -v dkms >/dev/null &&
		dkms status -m "$name" -v "$ver" 2>/dev/null | grep . >/dev/null; then
		dkms remove -m "$name" -v "$ver" --all
	fi
	rm -rf "${AK_DKMS_SRCROOT:-/usr/src}/$name-$ver"
	;;
*) die "usage: dkms.sh version|conf|stage DIR|install|uninstall" ;;
esac
