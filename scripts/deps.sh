#!/bin/bash
# Install what accelkit needs to build and test, Debian packages only.
# Idempotent: installs only what is missing; adds a deb-src entry when absent
# so that `apt-get source qemu` works.
set -euo pipefail

PKGS=(
	# host toolchain, library and tests
	build-essential pkg-config libudev-dev libcunit1-dev zlib1g-dev libssl-dev
	valgrind
	# host tests of the tools compare with gzip and openssl; time measures RSS
	# (pigz: a zlib user for the libaccelkit-zlib drop-in checks)
	gzip openssl time pigz
	# QEMU 7.2 source build
	dpkg-dev ninja-build meson python3 libglib2.0-dev libpixman-1-dev libfdt-dev
	# guest: Debian's stock kernel, headers for out-of-tree modules, firmware
	linux-image-amd64 linux-headers-amd64 busybox-static cpio seabios
	qemu-system-data
	# kernel source: checkpatch.pl and the debug guest kernel
	linux-source-6.1 bc bison flex libelf-dev xz-utils patch
	# pahole: BTF of modules built against the 6.12 headers (fetch-kernel.sh)
	dwarves
	# the dm-crypt proof in the VM (dmsetup); modinfo for the image's modules
	dmsetup kmod
)

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

have_src() {
	grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list \
		/etc/apt/sources.list.d/ 2>/dev/null
}

updated=0
if ! have_src; then
	src=/etc/apt/sources.list.d/debian.sources
	if [ -f "$src" ]; then
		# Mirror every deb stanza of the main sources file as deb-src.
		sed -e 's/^Types: deb$/Types: deb-src/' "$src" |
			$SUDO tee /etc/apt/sources.list.d/accelkit-src.sources >/dev/null
	else
		grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
			$SUDO tee /etc/apt/sources.list.d/accelkit-src.list >/dev/null
	fi
	$SUDO apt-get update -qq
	updated=1
fi

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	[ $updated -eq 1 ] || $SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deps: ok"
