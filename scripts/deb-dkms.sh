#!/bin/bash
# Build accelkit-dkms_<ver>_all.deb: the DKMS source tree of the modules
# (scripts/dkms.sh stage) in /usr/src/accelkit-<ver>, registered, built and
# installed by DKMS when the package is configured, removed from DKMS when
# it is removed. Depends on dkms (which pulls in the kernel headers'
# tooling). Install it with: apt install ./accelkit-dkms_<ver>_all.deb
#
# usage: deb-dkms.sh OUTDIR      prints the path of the .deb
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: deb-dkms.sh OUTDIR}
ver=$(cat "$top/VERSION")
pkg=accelkit-dkms
root=$out/$pkg-root
deb=$out/${pkg}_${ver}_all.deb

rm -rf "$root" && mkdir -p "$root/DEBIAN" "$root/usr/share/doc/$pkg"
bash "$top/scripts/dkms.sh" stage "$root/usr/src/accelkit-$ver"
size=$(du -sk "$root/usr" | cut -f1)

cat >"$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $ver
Architecture: all
Section: kernel
Priority: optional
Depends: dkms (>= 2.1.0.0)
Installed-Size: $size
Maintainer: accelkit developers <accelkit@localhost>
Description: accelkit kernel modules (DKMS source)
 accelkit.ko, a uacce-style framework for user-space accelerator queues
 with Shared Virtual Addressing, and accelkit_sample.ko, the PCI driver of
 the accelkit sample accelerator. DKMS builds them for every installed
 kernel (Debian 6.1 and 6.12 series) and for kernels installed later.
EOF

# Configure: what dh_dkms packages do, through the dkms package's helper.
cat >"$root/DEBIAN/postinst" <<EOF
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	/usr/lib/dkms/common.postinst accelkit $ver "" "" "\$2"
fi
EOF
cat >"$root/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
case "\$1" in
remove|upgrade|deconfigure)
	if [ -n "\$(dkms status -m accelkit -v $ver 2>/dev/null)" ]; then
		dkms remove -m accelkit -v $ver --all
	fi
	;;
esac
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
cat >"$root/usr/share/doc/$pkg/copyright" <<EOF
accelkit kernel modules, version $ver.
License: GPL-2.0 (see /usr/share/common-licenses/GPL-2).
EOF
chmod 0644 "$root/usr/share/doc/$pkg/copyright"
find "$root" -type d -exec chmod 0755 {} +

dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
rm -rf "$root"
echo "$deb"
