#!/bin/bash
# The openssl command line through the accelkit provider gives the same
# bytes as OpenSSL's default provider: dgst (-sha256, -sha512, -hmac),
# mac HMAC, enc (AES-128/256 CBC with and without padding, CTR), for
# several message sizes; a configuration file that activates the provider
# works; openssl speed runs on it. Routing is checked too: with
# AK_PATH=device and no device node present, every accelkit command must
# fail (proof that the bytes came through libaccelkit, not the default
# provider). In the VM (a device present), vm/dropins.d/provider.sh checks
# the device's job counters instead.
#
# usage: OPENSSL_MODULES=<dir of accelkit.so> [AK_PATH=...] cli.sh
# Exit status 0 only if every check passed; prints the counts.
set -uo pipefail

: "${OPENSSL_MODULES:?set OPENSSL_MODULES to the directory of accelkit.so}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); [ -z "${V:-}" ] || echo "cli: ok $*"; }
bad() { fail=$((fail + 1)); echo "cli: FAIL $*"; }
AK=(-provider accelkit -provider default -propquery provider=accelkit)
# dgst -hmac goes through the HMAC key type and signature of the default
# provider, which then fetch the MAC: prefer (not require) accelkit there.
AKPREF=(-provider accelkit -provider default -propquery '?provider=accelkit')
have_dev=0
ls /dev/accelkit-* >/dev/null 2>&1 && have_dev=1

if openssl list -providers -provider accelkit | grep -A3 '^  accelkit' | grep -q 'status: active'; then
	ok "provider loads"
else
	bad "openssl list -providers -provider accelkit: not active"
fi
for a in SHA2-256 SHA2-512; do
	openssl list -digest-algorithms -provider accelkit | grep -qi "$a.*@ accelkit" &&
		ok "list $a" || bad "accelkit does not list $a"
done
for a in AES-128-CBC AES-256-CBC AES-128-CTR AES-256-CTR AES-128-XTS AES-256-XTS \
	AES-128-GCM AES-256-GCM; do
	openssl list -cipher-algorithms -provider accelkit | grep -qi "$a.*@ accelkit" &&
		ok "list $a" || bad "accelkit does not list $a"
done

same() {	# same NAME FILE-A FILE-B
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1: accelkit and default differ"; fi
}

for size in 0 1 15 16 4097 100000 3000000; do
	f=$work/m$size
	head -c "$size" /dev/urandom >"$f"
	for d in sha256 sha512; do
		openssl dgst -"$d" -r "${AK[@]}" "$f" >"$work/a" 2>"$work/err" || bad "dgst -$d $size: $(cat "$work/err")"
		openssl dgst -"$d" -r "$f" >"$work/b"
		same "dgst -$d $size" "$work/a" "$work/b"
	done
	openssl dgst -sha256 -hmac "k3y" -r "${AKPREF[@]}" "$f" >"$work/a" 2>"$work/err" ||
		bad "dgst -hmac $size: $(cat "$work/err")"
	openssl dgst -sha256 -hmac "k3y" -r "$f" >"$work/b"
	same "dgst -sha256 -hmac $size" "$work/a" "$work/b"
	openssl mac -digest SHA256 -macopt hexkey:00112233445566778899 -in "$f" \
		"${AK[@]}" HMAC >"$work/a" 2>"$work/err" || bad "mac HMAC $size: $(cat "$work/err")"
	openssl mac -digest SHA256 -macopt hexkey:00112233445566778899 -in "$f" HMAC >"$work/b"
	same "mac HMAC $size" "$work/a" "$work/b"
	for c in aes-128-cbc aes-256-cbc aes-128-ctr aes-256-ctr; do
		k=000102030405060708090a0b0c0d0e0f
		[ "${c#aes-256}" = "$c" ] || k=$k$k
		kiv=(-K "$k" -iv f0e0d0c0b0a090807060504030201000)
		openssl enc -"$c" "${kiv[@]}" -in "$f" -out "$work/a" "${AK[@]}" 2>"$work/err" ||
			bad "enc -$c $size: $(cat "$work/err")"
		openssl enc -"$c" "${kiv[@]}" -in "$f" -out "$work/b"
		same "enc -$c $size" "$work/a" "$work/b"
		openssl enc -d -"$c" "${kiv[@]}" -in "$work/b" -out "$work/c" "${AK[@]}" 2>"$work/err" ||
			bad "enc -d -$c $size: $(cat "$work/err")"
		same "enc -d -$c $size" "$work/c" "$f"
		if [ "${c%cbc}" != "$c" ] && [ $((size % 16)) -eq 0 ]; then
			openssl enc -"$c" -nopad "${kiv[@]}" -in "$f" -out "$work/a" "${AK[@]}" 2>/dev/null ||
				bad "enc -nopad -$c $size"
			openssl enc -"$c" -nopad "${kiv[@]}" -in "$f" -out "$work/b"
			same "enc -nopad -$c $size" "$work/a" "$work/b"
		fi
	done
done
# A wrong padding is refused as by the default provider.
head -c 64 /dev/urandom >"$work/junk"
if openssl enc -d -aes-128-cbc -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 \
	-in "$work/junk" -out /dev/null "${AK[@]}" 2>/dev/null; then
	# 1 in 256 random blocks ends in a valid pad: check with default too
	openssl enc -d -aes-128-cbc -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 -in "$work/junk" -out /dev/null 2>/dev/null &&
		ok "bad padding (random data had a valid pad)" || bad "enc -d accepted bad padding"
else
	ok "enc -d refuses bad padding"
fi

# openssl.cnf activating the provider (module path given), default
# properties preferring it.
cat >"$work/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
alg_section = algorithm_sect
[provider_sect]
default = default_sect
accelkit = accelkit_sect
[default_sect]
activate = 1
[accelkit_sect]
module = $OPENSSL_MODULES/accelkit.so
activate = 1
[algorithm_sect]
default_properties = ?provider=accelkit
CNF
f=$work/m100000
OPENSSL_CONF=$work/openssl.cnf openssl list -providers | grep -q '^  accelkit' &&
	ok "openssl.cnf loads accelkit" || bad "openssl.cnf does not load accelkit"
OPENSSL_CONF=$work/openssl.cnf openssl dgst -sha256 -r "$f" >"$work/a" 2>"$work/err" ||
	bad "dgst via openssl.cnf: $(cat "$work/err")"
openssl dgst -sha256 -r "$f" >"$work/b"
same "dgst -sha256 via openssl.cnf" "$work/a" "$work/b"
OPENSSL_CONF=$work/openssl.cnf openssl enc -aes-256-ctr -K "$k" -iv 00000000000000000000000000000001 \
	-in "$f" -out "$work/a" 2>"$work/err" || bad "enc via openssl.cnf: $(cat "$work/err")"
openssl enc -aes-256-ctr -K "$k" -iv 00000000000000000000000000000001 -in "$f" -out "$work/b"
same "enc -aes-256-ctr via openssl.cnf" "$work/a" "$work/b"

# openssl speed runs on the provider and prints a figure.
for a in sha256 aes-256-gcm aes-128-cbc; do
	if openssl speed "${AK[@]}" -seconds 1 -bytes 16384 -evp "$a" >"$work/s" 2>&1 &&
		grep -Eiq "^${a}[^0-9]* [0-9.]+k" "$work/s"; then
		ok "speed -evp $a"
	else
		bad "openssl speed -evp $a: $(tail -n 3 "$work/s")"
	fi
done

# Routing: without a device, AK_PATH=device makes every accelkit operation
# fail (the default provider alone would have succeeded).
if [ $have_dev -eq 0 ]; then
	AK_PATH=device openssl dgst -sha256 "${AK[@]}" "$f" >/dev/null 2>&1 &&
		bad "dgst with AK_PATH=device and no device succeeded" || ok "dgst routed through libaccelkit"
	AK_PATH=device openssl enc -aes-128-cbc -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 -in "$f" -out /dev/null "${AK[@]}" 2>/dev/null &&
		bad "enc with AK_PATH=device and no device succeeded" || ok "enc routed through libaccelkit"
	AK_PATH=device openssl dgst -sha256 -hmac k "${AKPREF[@]}" "$f" >/dev/null 2>&1 &&
		bad "dgst -hmac with AK_PATH=device and no device succeeded" || ok "dgst -hmac routed through libaccelkit"
	for a in sha256 aes-128-cbc aes-256-gcm; do
		AK_PATH=device openssl speed "${AK[@]}" -seconds 1 -bytes 16384 -evp $a >/dev/null 2>&1 &&
			bad "speed -evp $a with AK_PATH=device and no device succeeded" ||
			ok "speed -evp $a routed through libaccelkit"
	done
	AK_PATH=device OPENSSL_CONF=$work/openssl.cnf openssl dgst -sha256 "$f" >/dev/null 2>&1 &&
		bad "openssl.cnf dgst with AK_PATH=device and no device succeeded" ||
		ok "openssl.cnf dgst routed through libaccelkit"
fi

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -ge 110 ]
