#!/bin/bash
# Build the root file system of the Debian guest: a debootstrap of bookworm
# (minbase + systemd, udev, kmod and the libraries our tools link against),
# configured for a serial-console test VM. No kernel, no accelkit bits: those
# are added per run by scripts/debian-run.sh, on a hard-linked copy.
#
# The tree is cached outside the repository, keyed by this script (which
# holds the package list) and the debootstrap version: a second run with the
# same inputs builds nothing. Prints the path of the tree on stdout; progress
# goes to stderr. debootstrap itself is not installed on the host: its
# bookworm package is unpacked into the cache and run from there.
#
# usage: build-debian-image.sh [--download-only]
#   --download-only   fetch debootstrap and the .debs into the cache, build
#                     nothing (allowed while the machine must stay quiet)
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# minbase has dpkg, apt, coreutils, util-linux (setpriv), login, passwd,
# gzip; on top: init and device management, the test's tools and the
# shared libraries of libaccelkit (libudev1 comes with udev).
PKGS=systemd,systemd-sysv,udev,kmod,dbus,procps,zlib1g,libssl3

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/accelkit
log() { echo "build-debian-image: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "needs root (debootstrap, chroot)"; exit 1; }
mkdir -p "$cache"

# debootstrap from the archive, keyed by its version (never hard-coded).
dbver=$(apt-cache policy debootstrap | awk '/Candidate:/ { print $2 }')
[ -n "$dbver" ] && [ "$dbver" != "(none)" ] ||
	{ log "apt-cache knows no debootstrap (apt-get update?)"; exit 1; }
dbdir=$cache/debootstrap-$dbver
if [ ! -x "$dbdir/usr/sbin/debootstrap" ]; then
	log "fetching debootstrap $dbver"
	rm -rf "$dbdir" "$dbdir.tmp"
	mkdir -p "$dbdir.tmp/dl"
	(cd "$dbdir.tmp/dl" && apt-get download -qq "debootstrap=$dbver" 2>/dev/null) ||
		{ log "apt-get download debootstrap failed"; exit 1; }
	dpkg-deb -x "$dbdir.tmp"/dl/debootstrap_*.deb "$dbdir.tmp"
	rm -rf "$dbdir.tmp/dl"
	mv "$dbdir.tmp" "$dbdir"
fi
debootstrap() {
	DEBOOTSTRAP_DIR=$dbdir/usr/share/debootstrap \
		"$dbdir/usr/sbin/debootstrap" "$@"
}

key=$( { cat "$top/scripts/build-debian-image.sh"; echo "$dbver $MIRROR"; } |
	sha256sum | cut -c1-16)
out=$cache/debian-$key
debs=$cache/debian-debs		# shared .deb cache (debootstrap --cache-dir)
mkdir -p "$debs"

exec 9>"$cache/debian-build.lock"
flock 9

if [ "${1:-}" = --download-only ]; then
	if [ -f "$out/.done" ]; then
		log "already built: $out/root"
		exit 0
	fi
	tmp=$(mktemp -d "$cache/debian-dl.XXXXXX")
	log "downloading the $SUITE packages into $debs"
	debootstrap --download-only --variant=minbase --include="$PKGS" \
		--cache-dir="$debs" "$SUITE" "$tmp/root" "$MIRROR" >"$tmp/log" 2>&1 ||
		{ tail -n 30 "$tmp/log" >&2; rm -rf "$tmp"; exit 1; }
	rm -rf "$tmp"
	log "downloaded"
	exit 0
fi

if [ -f "$out/.done" ]; then
	echo "$out/root"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
root=$out/root
log "debootstrap $SUITE into $root (first time: several minutes; log in $out/debootstrap.log)"
if ! debootstrap --variant=minbase --include="$PKGS" --cache-dir="$debs" \
	"$SUITE" "$root" "$MIRROR" >"$out/debootstrap.log" 2>&1; then
	tail -n 30 "$out/debootstrap.log" >&2
	exit 1
fi

# --- configuration of the guest ----------------------------------------
echo accelkit-debian >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\taccelkit-debian\n' >"$root/etc/hosts"
# The initramfs of debian-run.sh mounts the root read-write; no fsck.
echo 'LABEL=akroot / ext4 rw,noatime 0 0' >"$root/etc/fstab"
# A fixed machine id: no first-boot setup (systemd-firstboot prompts).
od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$root/etc/machine-id"
echo >>"$root/etc/machine-id"
# The journal lives in memory: every boot is a fresh image anyway.
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' \
	>"$root/etc/systemd/journald.conf.d/accelkit.conf"
# Log in on the serial console (the getty comes from console=ttyS0) as root
# without a password: a throw-away test VM with no network.
chroot "$root" passwd -q -d root
cat >"$root/etc/motd" <<'EOF'

accelkit Debian guest (throw-away image: nothing you change is kept).
  users: root, akuser (group accel), akother (not in accel); no passwords
  the test: /usr/libexec/accelkit/debian-test.sh   power off: poweroff

EOF
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"*_Packages
touch "$out/.done"
# Keep the three newest trees (other checkouts may use them).
ls -1dt "$cache"/debian-*/ 2>/dev/null | grep -v '/debian-debs/$' |
	tail -n +4 | xargs -r rm -rf
log "built $root"
echo "$root"
