#!/bin/bash
# Build qemu-system-x86_64 from Debian's QEMU 7.2 source with the accelkit
# sample accelerator (hw-model/) and a minimal device set (q35 + ours).
#
# The result is cached outside the repository, keyed by a hash of hw-model/
# and this script: a second run with the same inputs builds nothing.
# Prints the path of the binary on stdout; progress goes to stderr.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/accelkit
key=$(cd "$top" && cat scripts/build-qemu.sh $(find hw-model -type f | sort) |
	sha256sum | cut -c1-16)
out=$cache/qemu-$key/qemu-system-x86_64

if [ -x "$out" ]; then
	echo "$out"
	exit 0
fi

log() { echo "build-qemu: $*" >&2; }

mkdir -p "$cache"
# One build at a time: every key shares the source and build tree below.
exec 9>"$cache/qemu-build.lock"
flock 9
if [ -x "$out" ]; then		# built by whoever held the lock before us
	echo "$out"
	exit 0
fi
src=$cache/qemu-src
if [ ! -f "$src/.unpacked" ]; then
	log "fetching Debian's qemu source"
	rm -rf "$src" "$cache/qemu-fetch"
	mkdir -p "$cache/qemu-fetch"
	(cd "$cache/qemu-fetch" && apt-get source -qq qemu >/dev/null 2>&1) ||
		{ log "apt-get source qemu failed (is a deb-src entry configured? make deps adds one)"; exit 1; }
	dir=$(find "$cache/qemu-fetch" -maxdepth 1 -mindepth 1 -type d -name 'qemu-*' | head -n1)
	mv "$dir" "$src"
	rm -rf "$cache/qemu-fetch"
	# Firmware blobs are not built here: Debian's packages provide them.
	sed -i 's/^unpack_edk2_blobs = .*/unpack_edk2_blobs = false/' "$src/meson.build"
	grep -q '^unpack_edk2_blobs = false' "$src/meson.build" ||
		sed -i '1i unpack_edk2_blobs = false' "$src/meson.build"
	touch "$src/.unpacked"
fi

# Hook the device into the tree (idempotent).
install -m 0644 "$top"/hw-model/*.c "$src/hw/misc/"
for h in "$top"/hw-model/*.h; do
	[ -e "$h" ] && install -m 0644 "$h" "$src/hw/misc/"
done
grep -q 'config ACCELKIT' "$src/hw/misc/Kconfig" ||
	cat "$top/hw-model/Kconfig" >>"$src/hw/misc/Kconfig"
# The hook is hw-model/meson.build (one line); replace an older one.
if [ "$(grep 'CONFIG_ACCELKIT' "$src/hw/misc/meson.build")" != \
	"$(cat "$top/hw-model/meson.build")" ]; then
	sed -i '/CONFIG_ACCELKIT/d' "$src/hw/misc/meson.build"
	cat "$top/hw-model/meson.build" >>"$src/hw/misc/meson.build"
fi
# PXB + PCIE_PORT: pxb-pcie expander bridges (a PCI root per NUMA node) and
# pcie-root-port, for the two-node VM (vm-run.sh --topology numa2). PXB
# needs CXL and CXL_MEM_DEVICE to link (pxb-cxl shares its source file).
printf 'CONFIG_Q35=y\nCONFIG_ACCELKIT=y\nCONFIG_PXB=y\nCONFIG_PCIE_PORT=y\nCONFIG_CXL=y\nCONFIG_CXL_MEM_DEVICE=y\n' \
	>"$src/configs/devices/x86_64-softmmu/accelkit.mak"

build=$src/build
if [ ! -f "$build/build.ninja" ]; then
	log "configuring"
	mkdir -p "$build"
	(cd "$build" && ../configure --target-list=x86_64-softmmu \
		--without-default-features --without-default-devices \
		--with-devices-x86_64=accelkit --disable-docs --disable-werror \
		--enable-tcg --enable-fdt=system --disable-install-blobs \
		$(cat "$top/hw-model/configure-extra" 2>/dev/null) \
		>"$build/accelkit-configure.log" 2>&1) ||
		{ tail -n 40 "$build/accelkit-configure.log" >&2; exit 1; }
fi
log "building (first time: a few minutes; log in $build/accelkit-build.log)"
if ! ninja -C "$build" qemu-system-x86_64 >"$build/accelkit-build.log" 2>&1; then
	tail -n 40 "$build/accelkit-build.log" >&2
	exit 1
fi
# Our files must build without warnings.
if grep -A3 'accelkit[-a-z]*\.[ch].*warning' "$build/accelkit-build.log" >&2; then
	log "warnings in the accelkit device"
	exit 1
fi

mkdir -p "$(dirname "$out")"
cp "$build/qemu-system-x86_64" "$out.tmp"
mv "$out.tmp" "$out"
# Keep the binaries of the six newest inputs (other checkouts may use them).
ls -1dt "$cache"/qemu-*/ 2>/dev/null | grep -v '/qemu-src/$' | tail -n +7 |
	xargs -r rm -rf
echo "$out"
