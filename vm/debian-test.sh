#!/bin/bash
# The Debian-guest test (scripts/debian-run.sh), run as root by
# accelkit-debian-test.service once the boot has settled. Nothing here loads
# a module: the driver must have been autoloaded by udev/kmod from its PCI
# modalias, and /dev/accel/* must come from udev/60-accelkit.rules.
# Prints PASS:/FAIL: lines, the kernel log between AK-DMESG-BEGIN/END and
# AK-RESULT: rc=N for the host runner. --poweroff (the unit): power the VM
# off at the end; by hand (make run-debian, as root) it just reports.
set -u
poweroff=0
[ "${1:-}" = --poweroff ] && poweroff=1
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
rc=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; rc=1; }
check() {	# check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

ACCEL_USER=akuser	# in group accel
OTHER_USER=akother	# not in group accel
# Journal lines of priority err or worse that this VM produces and that are
# not ours (one extended regex per line, matched against the message).
EXPECTED_ERRORS=(
)

echo	# the getty's prompt may still be on the line
echo "AK-DEBIAN: kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"

# --- the boot settles: no job left but ours ------------------------------
for _ in $(seq 600); do
	[ -z "$(systemctl list-jobs --no-legend 2>/dev/null |
		grep -v accelkit-debian-test)" ] && break
	sleep 1
done
udevadm settle --timeout=120

# --- 1. the driver was autoloaded by its modalias -------------------------
check "accelkit_sample is loaded (by udev/kmod: nothing here loads it)" \
	grep -q '^accelkit_sample ' /proc/modules
check "accelkit (the framework) is loaded as its dependency" \
	grep -q '^accelkit ' /proc/modules
modpath=$(modinfo -n accelkit_sample 2>/dev/null)
check "modinfo finds accelkit_sample in updates/ ($modpath)" \
	test "${modpath#/lib/modules/$(uname -r)/updates/}" != "$modpath"
pcidev=
for d in /sys/bus/pci/drivers/accelkit_sample/0000:*; do
	[ -e "$d" ] && pcidev=$d && break
done
check "a PCI device is bound to accelkit_sample (${pcidev##*/})" test -n "$pcidev"
if [ -n "$pcidev" ]; then
	alias=$(cat "$pcidev/modalias")
	check "its modalias $alias resolves to accelkit_sample" \
		bash -c "modprobe -R '$alias' | grep -qx accelkit_sample"
fi

# --- 2. udev made the nodes: /dev/accel/<name>, group accel, 0660 --------
nodes=()
for c in /sys/class/uacce/*; do
	[ -e "$c" ] || continue
	n=/dev/accel/${c##*/}
	nodes+=("$n")
	check "$n exists (udev symlink)" test -L "$n"
	check "$n is a character device" test -c "$n"
	check "$n is group accel, mode 0660 ($(stat -L -c '%G %a' "$n" 2>&1))" \
		test "$(stat -L -c '%G %a' "$n" 2>&1)" = "accel 660"
done
check "at least one uacce node (${#nodes[@]})" test ${#nodes[@]} -gt 0

# --- 3. a member of group accel uses the device ----------------------------
w=$(mktemp -d /tmp/aktest.XXXXXX)
chmod 0755 "$w"
# Compressible text and incompressible bytes, 0.5 MiB or so.
{ seq 1 40000; head -c 262144 /dev/urandom; seq 40000 -1 1; } >"$w/data"
chmod 0644 "$w/data"
install -d -o "$ACCEL_USER" "$w/$ACCEL_USER"
install -d -o "$OTHER_USER" "$w/$OTHER_USER"
as() {	# as USER COMMAND...: with the user's uid, gid and groups only
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups --reset-env -- "$@"
}
counter() { cat "$pcidev/steps" 2>/dev/null || echo 0; }

check "$ACCEL_USER is in group accel, $OTHER_USER is not" \
	bash -c "id -nG $ACCEL_USER | grep -qw accel && ! id -nG $OTHER_USER | grep -qw accel"

u=$w/$ACCEL_USER
s0=$(counter)
as "$ACCEL_USER" env AK_PATH=device akzip -c -v "$w/data" >"$u/data.gz" 2>"$u/akzip.err"
r=$?
cat "$u/akzip.err"
check "$ACCEL_USER: AK_PATH=device akzip -c exits 0" test $r -eq 0
check "$ACCEL_USER: akzip used the device" grep -q 'path: device' "$u/akzip.err"
check "$ACCEL_USER: gzip -d of akzip's output gives the input back" \
	bash -c "gzip -dc '$u/data.gz' | cmp - '$w/data'"
gzip -c "$w/data" >"$u/ref.gz"
check "$ACCEL_USER: AK_PATH=device akzip -dc of gzip's output gives the input back" \
	bash -c "setpriv --reuid=$ACCEL_USER --regid=$ACCEL_USER --init-groups \
		--reset-env -- env AK_PATH=device akzip -dc '$u/ref.gz' | cmp - '$w/data'"
want=$(cd "$w" && sha256sum data)
got=$(cd "$w" && as "$ACCEL_USER" env AK_PATH=device aksum -v data 2>"$u/aksum.err")
r=$?
cat "$u/aksum.err"
check "$ACCEL_USER: AK_PATH=device aksum exits 0" test $r -eq 0
check "$ACCEL_USER: aksum prints what sha256sum prints ($got)" test "$got" = "$want"
want=$(cd "$w" && sha512sum data)
got=$(cd "$w" && as "$ACCEL_USER" env AK_PATH=device aksum -a 512 data)
check "$ACCEL_USER: aksum -a 512 prints what sha512sum prints" test "$got" = "$want"
s1=$(counter)
check "the device's step counter moved ($s0 -> $s1)" test "$s1" -gt "$s0"

# --- 4. a user outside group accel gets EACCES, explained ------------------
o=$w/$OTHER_USER
if [ ${#nodes[@]} -gt 0 ]; then
	as "$OTHER_USER" bash -c "exec 3<>${nodes[0]}" 2>"$o/open.err"
	r=$?
	cat "$o/open.err"
	check "$OTHER_USER: opening ${nodes[0]} fails with Permission denied" \
		bash -c "[ $r -ne 0 ] && grep -q 'Permission denied' '$o/open.err'"
fi
s0=$(counter)
for tool in "akzip -c" "aksum"; do
	as "$OTHER_USER" env AK_PATH=device $tool "$w/data" >/dev/null 2>"$o/err"
	r=$?
	cat "$o/err"
	check "$OTHER_USER: AK_PATH=device $tool fails (exit $r)" test $r -ne 0
	check "$OTHER_USER: $tool says Permission denied and names group accel" \
		bash -c "grep -q 'Permission denied' '$o/err' && grep -q 'group \"accel\"' '$o/err'"
done
# Default path (auto): the tools still work, in software.
as "$OTHER_USER" akzip -c -v "$w/data" >"$o/data.gz" 2>"$o/err"
r=$?
cat "$o/err"
check "$OTHER_USER: akzip (AK_PATH unset) falls back to software" \
	bash -c "[ $r -eq 0 ] && grep -q 'path: software' '$o/err' && gzip -dc '$o/data.gz' | cmp - '$w/data'"
s1=$(counter)
check "$OTHER_USER never reached the device (steps $s0 -> $s1)" test "$s1" -eq "$s0"
rm -rf "$w"

# --- 5. systemd and the journal are clean -----------------------------------
failed=$(systemctl --failed --no-legend --plain 2>&1)
[ -z "$failed" ] || echo "$failed"
check "systemctl --failed is empty" test -z "$failed"
errs=$(journalctl -b -p err --no-pager -q -o short-monotonic 2>&1)
unexpected=$errs
for re in "${EXPECTED_ERRORS[@]}"; do
	unexpected=$(printf '%s\n' "$unexpected" | grep -v -E -- "$re")
done
unexpected=$(printf '%s\n' "$unexpected" | sed '/^$/d')
[ -z "$errs" ] || { echo "journalctl -p err -b:"; echo "$errs"; }
check "journalctl -p err -b has no unexpected line" test -z "$unexpected"

echo "AK-DMESG-BEGIN"
dmesg
echo "AK-DMESG-END"
echo "AK-RESULT: rc=$rc"
[ $poweroff -eq 0 ] || systemctl --no-block poweroff
exit $rc
