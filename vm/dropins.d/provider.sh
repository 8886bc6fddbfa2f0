#!/bin/sh
# OpenSSL provider (accelkit.so) on the device path, in the VM:
#  1. OpenSSL's own known-answer files (Debian's openssl source,
#     /usr/share/accelkit/openssl-kat) through the provider, whole and in
#     random chunks, plus 70 MiB messages of every algorithm in random
#     chunks against the default provider (GCM past the library's 64 MiB
#     one-shot limit);
#  2. openssl dgst / mac / enc through the provider give the default
#     provider's bytes;
#  3. openssl speed runs on the provider.
# AK_PATH=device: a session that cannot get the device fails (no silent
# software fallback); and the device's queue interrupts
# (/proc/interrupts, "<pci>-q<n>") must have grown by at least one per
# check: the device did the work.
rc=0
fail() { echo "provider: FAIL $*"; rc=1; }
irqs() {
	awk '$NF ~ /-q[0-9]+$/ { for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i }
		END { print s + 0 }' /proc/interrupts
}
export AK_PATH=device
AKP="-provider accelkit -provider default -propquery provider=accelkit"
w=/tmp/provider
mkdir -p $w

openssl list -providers -provider accelkit | grep -q 'status: active' ||
	fail "accelkit.so does not load (modules dir: $(openssl version -m))"

before=$(irqs)
ak-prov-kat --big 70 /usr/share/accelkit/openssl-kat >$w/kat.log 2>&1 || fail "ak-prov-kat"
grep '^ak-prov-kat: \(digest\|hmac\|cipher\|FAIL\|PASS\)' $w/kat.log
after=$(irqs)
echo "provider: device queue interrupts during the KAT run: $((after - before))"
[ $((after - before)) -ge 100 ] || fail "the device saw $((after - before)) interrupts for the KAT run"

n=0
before=$(irqs)
for size in 0 1 4097 1000000; do
	head -c $size /dev/urandom >$w/m
	for d in sha256 sha512; do
		a=$(openssl dgst -$d -r $AKP $w/m) || fail "dgst -$d $size"
		b=$(openssl dgst -$d -r $w/m)
		[ "$a" = "$b" ] || fail "dgst -$d $size: '$a' vs '$b'"
		n=$((n + 1))
	done
	a=$(openssl mac -digest SHA256 -macopt key:k3y -in $w/m $AKP HMAC) || fail "mac HMAC $size"
	b=$(openssl mac -digest SHA256 -macopt key:k3y -in $w/m HMAC)
	[ "$a" = "$b" ] || fail "mac HMAC $size: '$a' vs '$b'"
	n=$((n + 1))
	for c in aes-128-cbc aes-256-cbc aes-128-ctr aes-256-ctr; do
		k=000102030405060708090a0b0c0d0e0f
		case $c in aes-256*) k=$k$k ;; esac
		iv=f0e0d0c0b0a090807060504030201000
		openssl enc -$c -K $k -iv $iv -in $w/m -out $w/a $AKP || fail "enc -$c $size"
		openssl enc -$c -K $k -iv $iv -in $w/m -out $w/b
		cmp -s $w/a $w/b || fail "enc -$c $size differs from the default provider"
		openssl enc -d -$c -K $k -iv $iv -in $w/b -out $w/c $AKP || fail "enc -d -$c $size"
		cmp -s $w/c $w/m || fail "enc -d -$c $size does not give the input back"
		n=$((n + 2))
	done
done
after=$(irqs)
echo "provider: $n openssl dgst/mac/enc comparisons, device queue interrupts: $((after - before))"
[ $((after - before)) -ge $n ] || fail "the device saw $((after - before)) interrupts for $n commands"

for a in sha256 aes-256-gcm; do
	openssl speed $AKP -seconds 1 -bytes 65536 -evp $a >$w/speed 2>&1 || fail "openssl speed -evp $a"
	tail -n 1 $w/speed
done
rm -rf $w
exit $rc
