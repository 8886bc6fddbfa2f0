#!/bin/sh
# The `make run` demo, run inside the VM.
set -e
echo "== accelkit devices =="
for d in /sys/class/uacce/*; do
	echo "$(basename "$d"): api=$(cat "$d/api") flags=$(cat "$d/flags")" \
		"available_instances=$(cat "$d/available_instances")" \
		"algorithms=$(tr '\n' ' ' <"$d/algorithms")"
done
echo "== COPY and FILL jobs from an ordinary process's heap =="
akdemo
echo "== command-line tools: akzip, aksum, akenc (AK_PATH=device: no software fallback) =="
export AK_PATH=device
# Each step is checked against busybox's own gzip/sha256sum/cmp; any
# mismatch ends the demo with a non-zero status.
tools_fail() {
	echo "demo: tools: FAIL: $*"
	exit 1
}
t=/tmp/akdemo-tools
rm -rf "$t" && mkdir -p "$t"
# 2.5 MiB: text (compressible) and random bytes.
seq 1 150000 >"$t/data"
head -c 1048576 /dev/urandom >>"$t/data"
seq 150000 1 >>"$t/data"
cp "$t/data" "$t/data.orig"
akzip -v "$t/data" || tools_fail "akzip"
[ ! -e "$t/data" ] || tools_fail "akzip left the input"
gzip -t "$t/data.gz" || tools_fail "busybox gzip -t of akzip output"
gunzip -c "$t/data.gz" | cmp - "$t/data.orig" || tools_fail "busybox gunzip -c | cmp"
gzip -c "$t/data.orig" >"$t/bb.gz" && cat "$t/bb.gz" "$t/data.gz" >"$t/multi.gz"
akzip -t "$t/multi.gz" || tools_fail "akzip -t of a two-member file"
akzip -dc "$t/multi.gz" >"$t/multi" || tools_fail "akzip -dc"
cat "$t/data.orig" "$t/data.orig" | cmp - "$t/multi" || tools_fail "akzip -dc | cmp"
# Data after the last member, as gzip 1.12: zero padding (tarballs) is
# ignored with status 0, other bytes give a warning and status 2.
cp "$t/data.gz" "$t/pad.gz" && head -c 10240 /dev/zero >>"$t/pad.gz"
akzip -dc "$t/pad.gz" >"$t/pad" || tools_fail "akzip -dc of a zero-padded file"
cmp "$t/pad" "$t/data.orig" || tools_fail "akzip -dc of a zero-padded file | cmp"
cp "$t/data.gz" "$t/junk.gz" && printf 'junk' >>"$t/junk.gz"
rc=0
akzip -dc "$t/junk.gz" >"$t/junk" 2>/dev/null || rc=$?
[ "$rc" = 2 ] && cmp -s "$t/junk" "$t/data.orig" ||
	tools_fail "akzip -dc with trailing garbage: status $rc, not 2"
akzip -d -v "$t/data.gz" && cmp "$t/data" "$t/data.orig" || tools_fail "akzip -d"
echo "akzip: gzip -t, gunzip -c | cmp, multi-member, trailing data: OK"
a=$(aksum -v "$t/data") || tools_fail "aksum"
b=$(sha256sum "$t/data")
echo "$a"
[ "$a" = "$b" ] || tools_fail "aksum != sha256sum: '$a' vs '$b'"
sha256sum "$t/data" >"$t/sums" && aksum -c "$t/sums" || tools_fail "aksum -c"
a=$(aksum512 "$t/data") && [ "$a" = "$(sha512sum "$t/data")" ] ||
	tools_fail "aksum512 != sha512sum"
echo "aksum: equals busybox sha256sum/sha512sum: OK"
head -c 32 /dev/urandom >"$t/key"
akenc -v -k "$t/key" -o "$t/data.enc" "$t/data" || tools_fail "akenc encrypt"
akenc -d -k "$t/key" -o "$t/data.dec" "$t/data.enc" || tools_fail "akenc decrypt"
cmp "$t/data.dec" "$t/data" || tools_fail "akenc round trip differs"
# One flipped byte must fail authentication and leave no output.
cp "$t/data.enc" "$t/bad.enc"
c=$(dd if="$t/bad.enc" bs=1 skip=1000 count=1 2>/dev/null)
if [ "$c" = X ]; then c=Y; else c=X; fi
printf '%s' "$c" | dd of="$t/bad.enc" bs=1 seek=1000 conv=notrunc 2>/dev/null
if akenc -d -k "$t/key" -o "$t/bad.dec" "$t/bad.enc" 2>/dev/null; then
	tools_fail "akenc accepted a modified file"
fi
[ ! -e "$t/bad.dec" ] || tools_fail "akenc left output after an auth failure"
echo "akenc: AES-256-GCM round trip, tamper detected: OK"
rm -rf "$t"
echo "== engines: device path vs software path (akbench -s) =="
# Numbers only: timing never fails the demo. A failed request or an output
# that does not verify does (status 1); akbench unable to run (status 3: no
# session, out of memory) is reported but not counted as a job failure.
rc=0
akbench -s || rc=$?
case $rc in
0) ;;
1) echo "demo: akbench: a request failed"; exit 1 ;;
*) echo "demo: akbench -s could not run (status $rc)" ;;
esac
