#!/bin/bash
# Build the modules with DKMS, as `make dkms-install` does, for each kernel
# build tree given, without installing dkms and without touching a system
# directory: Debian's dkms package is downloaded (apt-get download, bookworm
# only) and unpacked into ~/.cache/accelkit/dkms-<ver>/, and its script runs
# with private trees (--sourcetree, --dkmstree, --installtree, --no-depmod,
# no module signing).
#
# usage: test-dkms.sh OUTDIR KDIR...
# For each KDIR (a kernel build tree, e.g. /lib/modules/<ver>/build, or the
# unpacked 6.12 headers of scripts/fetch-kernel.sh) it checks:
#   - dkms add, build and install succeed, and install puts accelkit.ko,
#     accelkit_sample.ko, accelkit_selftest.ko and accelkit_kctest.ko under
#     <ver>/updates/dkms;
#   - every .ko's vermagic is the kernel's: the first word is the tree's
#     UTS_RELEASE, and the whole string equals a stock module's of that
#     kernel when one can be found next to the tree;
#   - accelkit_sample carries the PCI alias of the sample device (udev
#     autoloads it) and depends on accelkit; depmod on the private tree
#     maps the alias to it;
#   - dkms remove removes them;
#   - scripts/dkms.sh install/uninstall (make dkms-install, -uninstall)
#     work, through a dkms wrapper that adds private trees;
#   - the accelkit-dkms .deb (make deb-dkms) carries the same source tree
#     (without the selftest module), depends on dkms and registers /
#     removes the modules in its maintainer scripts;
#   - no system directory (/var/lib/dkms, /usr/src/accelkit-*) appeared.
# The DKMS-built modules are left in OUTDIR/<ver>/ for the VM
# (make test-vm-la57 AK_MODDIR=OUTDIR/<ver>).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: test-dkms.sh OUTDIR KDIR...}
shift
[ $# -gt 0 ] || { echo "usage: test-dkms.sh OUTDIR KDIR..." >&2; exit 2; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/accelkit
ver=$(bash "$top/scripts/dkms.sh" version)
fails=0
fail() { echo "test-dkms: FAIL: $*" >&2; fails=$((fails + 1)); }
log() { echo "test-dkms: $*"; }

# The dkms script of Debian bookworm, unpacked into the cache.
dkms_ver=$(apt-cache policy dkms 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$dkms_ver" ] || [ "$dkms_ver" = "(none)" ]; then
	dkms_ver=$( (ls -d "$cache"/dkms-* 2>/dev/null || true) | sort -rV |
		while read -r d; do [ -f "$d/.done" ] && echo "${d##*/dkms-}" && break; done)
	[ -n "$dkms_ver" ] || { echo "test-dkms: apt knows no dkms package" >&2; exit 1; }
fi
droot=$cache/dkms-$dkms_ver
if [ ! -f "$droot/.done" ]; then
	apt-cache madison dkms | grep -F "| $dkms_ver |" | grep bookworm >/dev/null ||
		{ echo "test-dkms: dkms $dkms_ver is not a bookworm package" >&2; exit 1; }
	rm -rf "$droot" "$droot.tmp" && mkdir -p "$droot.tmp"
	(cd "$droot.tmp" && apt-get download -q "dkms=$dkms_ver" >/dev/null 2>&1)
	dpkg-deb -x "$droot.tmp"/dkms_*.deb "$droot.tmp/root"
	mv "$droot.tmp/root" "$droot" && rm -rf "$droot.tmp"
	echo "$dkms_ver" >"$droot/.done"
fi
DKMS=$droot/usr/sbin/dkms
[ -x "$DKMS" ] || { echo "test-dkms: no $DKMS" >&2; exit 1; }
log "dkms $dkms_ver ($DKMS), accelkit $ver"

# The system directories a real dkms would use must stay as they were.
sys_before=$(ls -d /var/lib/dkms /usr/src/accelkit-* 2>/dev/null || true)

rm -rf "$out" && mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/accelkit-dkms.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/src
dtree=$work/dkms
itree=$work/modules
mkdir -p "$src" "$dtree" "$itree"
bash "$top/scripts/dkms.sh" stage "$src/accelkit-$ver" --selftest
# No signing: an unreachable sign-file (a real install signs with DKMS's
# MOK key in /var/lib/dkms, which this test must not create).
export sign_file=$work/no-sign-file
dk() { "$DKMS" "$@" --sourcetree "$src" --dkmstree "$dtree" --installtree "$itree"; }

dk add -m accelkit -v "$ver" >"$work/add.log" 2>&1 ||
	{ cat "$work/add.log"; fail "dkms add"; }

# A stock module of the kernel of KDIR, for its vermagic.
stock_module() {
	local kdir=$1 kver=$2 d
	for d in "/lib/modules/$kver/kernel" "$kdir/../../../lib/modules/$kver/kernel"; do
		[ -d "$d" ] || continue
		find "$d" -name '*.ko*' -print -quit
		return
	done
}

for kdir in "$@"; do
	kdir=$(readlink -f "$kdir")
	# The release modules are built for (Debian's kernel.release file
	# holds the upstream version; UTS_RELEASE is what uname -r says).
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
	if [ -z "$kver" ]; then
		fail "$kdir: not a kernel build tree (no include/generated/utsrelease.h)"
		continue
	fi
	# dkms installs only for a kernel whose modules directory exists.
	mkdir -p "$itree/$kver"
	log "$kver: dkms build + install against $kdir"
	if ! dk build -m accelkit -v "$ver" -k "$kver" --kernelsourcedir "$kdir" \
		>"$work/build-$kver.log" 2>&1; then
		cat "$work/build-$kver.log"
		find "$dtree" -name make.log -exec tail -n 40 {} \;
		fail "$kver: dkms build"
		continue
	fi
	if ! dk install -m accelkit -v "$ver" -k "$kver" --kernelsourcedir "$kdir" \
		--no-depmod >"$work/install-$kver.log" 2>&1; then
		cat "$work/install-$kver.log"
		fail "$kver: dkms install"
		continue
	fi
	dk status -m accelkit -v "$ver" -k "$kver" | grep ": installed" >/dev/null ||
		fail "$kver: dkms status does not say installed: $(dk status -m accelkit)"

	ref=$(stock_module "$kdir" "$kver")
	refmagic=
	[ -n "$ref" ] && refmagic=$(modinfo -F vermagic "$ref")
	mkdir -p "$out/$kver"
	for m in accelkit accelkit_sample accelkit_selftest accelkit_kctest; do
		ko=$itree/$kver/updates/dkms/$m.ko
		if [ ! -f "$ko" ]; then
			fail "$kver: dkms did not install $m.ko ($(cd "$itree" && find . -type f | tr '\n' ' '))"
			continue
		fi
		cp "$ko" "$out/$kver/"
		magic=$(modinfo -F vermagic "$ko")
		[ "${magic%% *}" = "$kver" ] ||
			fail "$kver: $m.ko vermagic '$magic' is not for $kver"
		if [ -n "$refmagic" ] && [ "$magic" != "$refmagic" ]; then
			fail "$kver: $m.ko vermagic '$magic' != stock '$refmagic' ($ref)"
		fi
		log "$kver: $m.ko vermagic '$magic' ok"
	done
	[ -n "$refmagic" ] ||
		log "$kver: no stock module next to $kdir: compared the release only"
	sample=$itree/$kver/updates/dkms/accelkit_sample.ko
	[ -f "$sample" ] || continue
	modinfo -F alias "$sample" | grep -i '^pci:v00001AF4d000010F7' >/dev/null ||
		fail "$kver: accelkit_sample has no PCI alias for 1af4:10f7 ($(modinfo -F alias "$sample"))"
	[ "$(modinfo -F depends "$sample")" = accelkit ] ||
		fail "$kver: accelkit_sample depends on '$(modinfo -F depends "$sample")', not accelkit"
	# What udev + modprobe would do with the device's modalias: depmod on
	# a private copy of the install tree.
	mkdir -p "$work/depmod/lib/modules"
	cp -r "$itree/$kver" "$work/depmod/lib/modules/"
	if depmod -b "$work/depmod" "$kver" 2>"$work/depmod-$kver.log"; then
		modalias="pci:v00001AF4d000010F7sv00001AF4sd00001100bc12sc00i00"
		got=$(modprobe -d "$work/depmod" -S "$kver" -R "$modalias" 2>&1 || true)
		[ "$got" = accelkit_sample ] ||
			fail "$kver: modprobe -R $modalias gives '$got', not accelkit_sample"
		deps=$(modprobe -d "$work/depmod" -S "$kver" --show-depends accelkit_sample 2>&1 || true)
		echo "$deps" | grep "updates/dkms/accelkit.ko" >/dev/null ||
			fail "$kver: modprobe would not load accelkit before accelkit_sample: $deps"
		log "$kver: modalias resolves to accelkit_sample, which pulls in accelkit"
	else
		cat "$work/depmod-$kver.log"
		fail "$kver: depmod on the DKMS install tree"
	fi
done

dk remove -m accelkit -v "$ver" --all >"$work/remove.log" 2>&1 ||
	{ cat "$work/remove.log"; fail "dkms remove"; }
[ -z "$(find "$itree" -name '*.ko*')" ] ||
	fail "dkms remove left modules: $(find "$itree" -name '*.ko*')"

# make dkms-install / dkms-uninstall themselves (scripts/dkms.sh), with a
# dkms wrapper in PATH that adds private trees, for the first kernel whose
# headers are /lib/modules/<release>/build (where dkms-install looks):
# install (accelkit + accelkit_sample, not the selftest), uninstall
# (nothing left). (Each install is one more module build: once is enough.)
real=
for kdir in "$@"; do
	k=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
		"$kdir/include/generated/utsrelease.h" 2>/dev/null || true)
	if [ -n "$k" ] && [ "$(readlink -f "/lib/modules/$k/build")" = "$(readlink -f "$kdir")" ]; then
		real=$k
		break
	fi
done
if [ -z "$real" ]; then
	fail "no KDIR is a /lib/modules/<release>/build: make dkms-install not tested"
else
	r=$work/real
	mkdir -p "$r/bin" "$r/src" "$r/dkms" "$r/modules/$real"
	printf '#!/bin/bash\nexec "%s" "$@" --sourcetree "%s" --dkmstree "%s" --installtree "%s" --no-depmod\n' \
		"$DKMS" "$r/src" "$r/dkms" "$r/modules" >"$r/bin/dkms"
	chmod +x "$r/bin/dkms"
	rdkms() { PATH=$r/bin:$PATH AK_DKMS_SRCROOT=$r/src KERNELS=$real \
		bash "$top/scripts/dkms.sh" "$@" >>"$r/log" 2>&1; }
	if rdkms install; then
		got=$(cd "$r/modules/$real" && find . -name '*.ko' | sort | tr '\n' ' ')
		[ "$got" = "./updates/dkms/accelkit.ko ./updates/dkms/accelkit_sample.ko " ] ||
			fail "dkms-install installed '$got'"
		[ -f "$r/src/accelkit-$ver/dkms.conf" ] || fail "dkms-install left no source tree"
	else
		cat "$r/log"
		fail "make dkms-install (scripts/dkms.sh install) failed"
	fi
	if rdkms uninstall; then
		[ -z "$(find "$r/modules" "$r/src" -type f)" ] ||
			fail "dkms-uninstall left $(find "$r/modules" "$r/src" -type f)"
		[ ! -e "$r/dkms/accelkit" ] || fail "dkms-uninstall left $r/dkms/accelkit"
	else
		cat "$r/log"
		fail "make dkms-uninstall (scripts/dkms.sh uninstall) failed"
	fi
	log "$real: make dkms-install and dkms-uninstall: ok"
fi

# The Debian package (make deb-dkms): metadata, maintainer scripts, and the
# same source tree as make dkms-install, without the selftest module.
deb=$(bash "$top/scripts/deb-dkms.sh" "$work/deb")
[ "$(dpkg-deb -f "$deb" Package)" = accelkit-dkms ] || fail "deb: Package is not accelkit-dkms"
[ "$(dpkg-deb -f "$deb" Version)" = "$ver" ] || fail "deb: Version is not $ver"
dpkg-deb -f "$deb" Depends | grep '^dkms' >/dev/null || fail "deb: does not depend on dkms"
dpkg-deb -e "$deb" "$work/deb/DEBIAN"
grep -q "common.postinst accelkit $ver" "$work/deb/DEBIAN/postinst" ||
	fail "deb: postinst does not register accelkit $ver with DKMS"
grep -q "dkms remove -m accelkit -v $ver --all" "$work/deb/DEBIAN/prerm" ||
	fail "deb: prerm does not remove accelkit $ver from DKMS"
dpkg-deb -x "$deb" "$work/deb/root"
bash "$top/scripts/dkms.sh" stage "$work/deb/staged"
diff -r "$work/deb/staged" "$work/deb/root/usr/src/accelkit-$ver" >"$work/deb.diff" ||
	fail "deb: /usr/src/accelkit-$ver differs from make dkms-install's tree: $(cat "$work/deb.diff")"
! grep -q "^BUILT_MODULE_NAME.*accelkit_\(selftest\|kctest\)" "$work/deb/root/usr/src/accelkit-$ver/dkms.conf" ||
	fail "deb: dkms.conf installs a test module"
[ -z "$(dpkg-deb -c "$deb" | awk '$2 != "root/root"')" ] || fail "deb: files not owned by root"
log "deb: $(basename "$deb") ok"

sys_after=$(ls -d /var/lib/dkms /usr/src/accelkit-* 2>/dev/null || true)
[ "$sys_before" = "$sys_after" ] ||
	fail "system directories changed: before '$sys_before', after '$sys_after'"

if [ $fails -ne 0 ]; then
	echo "test-dkms: $fails failure(s)" >&2
	exit 1
fi
log "PASS ($# kernel(s)); modules in $out/<kernel release>/"
