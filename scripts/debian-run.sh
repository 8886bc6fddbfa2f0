#!/bin/bash
# Boot the Debian guest (systemd, udev, kmod) with accelkit installed the way
# a user installs it, and judge the run.
# usage: debian-run.sh MODE [options]
#   MODE: test (run vm/debian-test.sh, power off) | shell (login prompt on
#         the serial console: root, akuser, akother; no passwords)
#   --qemu PATH       QEMU with -device accelkit (scripts/build-qemu.sh)
#   --kernel PATH     the guest kernel image (a stock vmlinuz)
#   --moddir DIR      its stock module tree, .../lib/modules/<kver>
#   --kodir DIR       where our accelkit.ko and accelkit_sample.ko are
#                     (searched recursively) built for that kernel
#   --stage DIR       make install DESTDIR=DIR PREFIX=/usr (library, tools,
#                     udev rule, sysusers.d, ...; without udev rule or
#                     sysusers.d file: udev/ and groupadd)
#   --work DIR        scratch: root tree, image, initramfs (rebuilt per run)
#   --cpu MODEL       TCG CPU model (default max)
#   --append ARGS     extra kernel command line
#   --timeout SECS    whole-run bound (default 900)
#   --log FILE        serial log (default: WORK/serial.log)
#
# Per run: a hard-linked copy of the cached bookworm tree
# (scripts/build-debian-image.sh) gets the stock modules of the kernel, our
# modules in /lib/modules/<kver>/updates/ (+ depmod), make install's tree,
# group accel (systemd-sysusers) and two users; mkfs.ext4 -d makes the disk
# image from it (no loop mount). A small busybox initramfs loads what the
# root disk needs (AHCI, sd, ext4) and switches to systemd.
# Exit status: non-zero unless the guest printed PASS lines, no FAIL line and
# AK-RESULT: rc=0, and its log has no Oops/BUG/WARNING/lockdep/... report.
set -euo pipefail

mode=$1
shift
qemu= kernel= moddir= kodir= stage= work= cpu=max append= timeout=900 log=
while [ $# -gt 0 ]; do
	case "$1" in
	--qemu) qemu=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--moddir) moddir=$2; shift ;;
	--kodir) kodir=$2; shift ;;
	--stage) stage=$2; shift ;;
	--work) work=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--append) append=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	*) echo "debian-run: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
for v in qemu kernel moddir kodir stage work; do
	[ -n "${!v}" ] || { echo "debian-run: --$v is required" >&2; exit 2; }
done
case "$mode" in test|shell) ;; *) echo "debian-run: bad mode $mode" >&2; exit 2 ;; esac
top=$(cd "$(dirname "$0")/.." && pwd)
moddir=$(cd "$moddir" && pwd)
kver=$(basename "$moddir")
[ -n "$log" ] || log=$work/serial.log
say() { echo "debian-run: $*" >&2; }
t0=$(date +%s)

kos=()
for m in accelkit accelkit_sample; do
	ko=$(find "$kodir" -name "$m.ko" | head -n1)
	[ -n "$ko" ] || { say "no $m.ko under $kodir"; exit 1; }
	modinfo -F vermagic "$ko" | grep -q "^$kver " ||
		{ say "$ko is not built for $kver ($(modinfo -F vermagic "$ko"))"; exit 1; }
	kos+=("$ko")
done

base=$(bash "$top/scripts/build-debian-image.sh")
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree=$work/root

# --- the root tree -----------------------------------------------------------
# Hard links for the big read-only parts, a real copy of /etc (useradd and
# passwd rewrite files there, and their backups in place).
rm -rf "$tree"
mkdir -p "$tree"
for e in "$base"/* ; do
	case "${e##*/}" in
	etc) cp -a "$e" "$tree/" ;;
	*) cp -al "$e" "$tree/" ;;
	esac
done
mdst=$tree/usr/lib/modules/$kver	# /lib is /usr/lib (merged /usr)
mkdir -p "$(dirname "$mdst")"
cp -al "$moddir" "$mdst"
rm -f "$mdst/build" "$mdst/source"
# depmod's outputs are regenerated below: unlink (never rewrite) the links.
for f in modules.dep modules.dep.bin modules.alias modules.alias.bin \
	modules.softdep modules.symbols modules.symbols.bin modules.builtin.bin \
	modules.builtin.alias.bin modules.devname modules.weakdep; do
	rm -f "$mdst/$f"
done

# Our modules, where out-of-tree modules go, and the module index.
install -d "$mdst/updates/accelkit"
install -m 0644 "${kos[@]}" "$mdst/updates/accelkit/"
depmod -b "$tree" "$kver"
grep -q 'alias pci:v.*accelkit_sample$' "$mdst/modules.alias" ||
	{ say "depmod: no PCI alias for accelkit_sample (MODULE_DEVICE_TABLE?)"; exit 1; }
# make install's tree (new files only: never write through a hard link).
cp -a --remove-destination "$stage/." "$tree/"
# The udev rule and group accel as make install ships them (udev rules.d,
# sysusers.d: the group is made as a package's postinst would make it);
# from udev/ and groupadd when the stage has no such file.
rules=$(find "$tree/usr/lib/udev/rules.d" -name '*accelkit*.rules' 2>/dev/null | head -n1)
[ -n "$rules" ] || install -m 0644 "$top/udev/60-accelkit.rules" "$tree/etc/udev/rules.d/"
sysusers=$(find "$tree/usr/lib/sysusers.d" -name '*accelkit*.conf' 2>/dev/null | head -n1)
if [ -n "$sysusers" ]; then
	systemd-sysusers --root="$tree" "$sysusers"
else
	groupadd -R "$tree" --system accel
fi
grep -q '^accel:' "$tree/etc/group" || { say "no group accel in the image"; exit 1; }
useradd -R "$tree" -m -U -G accel -s /bin/bash akuser
useradd -R "$tree" -m -U -s /bin/bash akother
passwd -R "$tree" -q -d akuser
passwd -R "$tree" -q -d akother
install -D -m 0755 "$top/vm/debian-test.sh" "$tree/usr/libexec/accelkit/debian-test.sh"
install -m 0644 "$top/vm/accelkit-debian-test.service" "$tree/etc/systemd/system/"
ln -sf ../accelkit-debian-test.service \
	"$tree/etc/systemd/system/multi-user.target.wants/accelkit-debian-test.service"

# --- the disk image ------------------------------------------------------------
img=$work/root.img
mb=$(du -sm "$tree" | cut -f1)
rm -f "$img"
truncate -s $((mb * 5 / 4 + 256))M "$img"
mkfs.ext4 -q -F -L akroot -d "$tree" "$img"

# --- the initramfs: stock modules for the root disk, in load order ----------
# (resolved with the module index depmod just wrote into the tree)
ird=$work/initrd
rm -rf "$ird"
mkdir -p "$ird"/{bin,dev,proc,sys,newroot,lib/modules}
install -m 0755 /bin/busybox "$ird/bin/busybox"
install -m 0755 "$top/vm/debian-initrd-init" "$ird/init"
declare -A seen=()
add_mod() {	# add_mod PATH (relative to moddir): its deps first
	local rel=$1 line d deps=() i name
	[ -z "${seen[$rel]:-}" ] || return 0
	seen[$rel]=1
	line=$(grep -m1 "^$rel:" "$mdst/modules.dep")
	read -r -a deps <<<"${line#*:}"
	for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
		add_mod "${deps[$i]}"
	done
	name=$(basename "$rel")
	name=${name%%.ko*}.ko
	case "$rel" in
	*.ko.xz) xz -dc "$mdst/$rel" >"$ird/lib/modules/$name" ;;
	*.ko.zst) zstd -q -dc "$mdst/$rel" >"$ird/lib/modules/$name" ;;
	*.ko.gz) gzip -dc "$mdst/$rel" >"$ird/lib/modules/$name" ;;
	*) cp "$mdst/$rel" "$ird/lib/modules/$name" ;;
	esac
	echo "$name" >>"$ird/lib/modules/load.list"
}
: >"$ird/lib/modules/load.list"
for m in crc32c_generic ahci sd_mod ext4; do
	pat=${m//_/[_-]}
	rel=$(grep -m1 -o -E "^([^:]*/)?$pat\.ko(\.[a-z]+)?:" "$mdst/modules.dep" | tr -d :) || true
	if [ -n "$rel" ]; then
		add_mod "$rel"
	elif ! grep -q -E "/$pat\.ko" "$mdst/modules.builtin"; then
		say "$m: neither a module nor built into $kver"
		exit 1
	fi
done
(cd "$ird" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$work/initrd.gz"
say "image ready in $(($(date +%s) - t0)) s ($(du -sm "$img" | cut -f1) MiB used of $((mb * 5 / 4 + 256)))"

# --- boot ----------------------------------------------------------------------
# The test's console shows systemd's failures only (the full status lines in
# shell mode).
status=
[ "$mode" = test ] && status=systemd.show_status=error
args=(-M q35 -accel tcg -cpu "$cpu" -smp 2 -m 2G -nodefaults -display none
	-L /usr/share/seabios -L /usr/share/qemu -no-reboot
	${AK_DEVICE_ARGS--device accelkit,queues=18}
	-drive "file=$img,format=raw,if=none,id=root"
	-device ide-hd,drive=root,bus=ide.0
	-kernel "$kernel" -initrd "$work/initrd.gz"
	-append "console=ttyS0 root=/dev/sda panic=-1 loglevel=4 ak.mode=$mode $status $append")

if [ "$mode" = shell ]; then
	say "booting $kver; log in as root (no password); 'poweroff' to quit (Ctrl-a x kills)"
	exec "$qemu" "${args[@]}" -serial mon:stdio
fi

say "booting (test, cpu $cpu, $kver); serial log: $log"
set +e
timeout --foreground -k 10 "$timeout" "$qemu" "${args[@]}" -serial stdio \
	</dev/null 2>&1 | tee "$log" | sed -n '/AK-DMESG-BEGIN/,/AK-DMESG-END/!p'
qrc=${PIPESTATUS[0]}
set -e

fail=0
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "debian-run: FAIL: guest did not finish within ${timeout}s"
	fail=1
fi
res=$(grep -a -o 'AK-RESULT: rc=[0-9]*' "$log" | tail -n1 | sed 's/.*rc=//')
# Not anchored: the serial getty's prompt may precede a line.
npass=$(grep -a -o 'PASS: ' "$log" | wc -l || true)
nfail=$(grep -a -o 'FAIL: ' "$log" | wc -l || true)
if [ -z "$res" ]; then
	echo "debian-run: FAIL: no result from the guest"
	fail=1
elif [ "$res" != 0 ] || [ "$nfail" -ne 0 ] || [ "$npass" -eq 0 ]; then
	echo "debian-run: FAIL: guest rc=$res, $npass PASS, $nfail FAIL"
	fail=1
fi
# Kernel splats anywhere in the log (console or the final dmesg dump); the
# same list as vm-run.sh.
splat='(Oops|BUG:|WARNING:|Call Trace:|general protection fault|UBSAN:|'
splat+='possible circular locking|possible recursive locking|inconsistent lock state|'
splat+='INFO: lockdep|INFO: task .* blocked|unreferenced object|Kernel panic|'
splat+='stack-protector|list_add corruption|list_del corruption)'
if grep -a -E "$splat" "$log" >/dev/null; then
	echo "debian-run: FAIL: kernel report in the guest log:"
	grep -a -E -A3 "$splat" "$log" | head -n 40
	fail=1
fi
t=$(($(date +%s) - t0))
[ $fail -eq 0 ] && echo "debian-run: OK ($kver: $npass checks passed, ${t} s)"
exit $fail
