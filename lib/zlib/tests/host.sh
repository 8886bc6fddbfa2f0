#!/bin/bash
# Host checks of libaccelkit-zlib (make -C lib/zlib check; part of
# `make test-host`): no device here, so AK_PATH=software (every stream is
# the real zlib's) and AK_PATH=auto (streams the device could take are
# buffered, find no device and are replayed into zlib). The device path is
# vm/dropins.d/zlib.sh.
# usage: host.sh BUILD_DIR LIBACCELKIT_DIR   (BUILD_DIR holds the shim and
# tests/ with the programs of `make tests`)
set -u
b=$1
export LD_LIBRARY_PATH=$b:$2${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
shim=$b/libaccelkit-zlib.so.1
t=$b/tests
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fails=0
check() {	# check NAME COMMAND...
	local name=$1
	shift
	if "$@" >"$w/out" 2>&1; then
		echo "ok   $name"
	else
		echo "FAIL $name"
		sed 's/^/     | /' "$w/out" | tail -20
		fails=$((fails + 1))
	fi
}
real=$(/sbin/ldconfig -p | awk '/libz\.so\.1 .*x86-64/ { print $NF; exit }')

# The ABI: the same symbols with the same versions as the system zlib.
syms() { objdump -T "$1" | awk '$2 == "g" && $4 == ".text" || /ZLIB_/ {
	print $(NF-1), $NF }' | grep -v GLIBC | sort; }
check "exports = the system zlib's symbols and versions" \
	diff <(syms "$real") <(syms "$shim")

# Test data: text and binary, 3 MiB (over one 1 MiB device stage).
{ seq 1 150000; head -c 1048576 /dev/urandom; seq 150000 -1 1; } >"$w/data"

for path in software auto; do
	export AK_PATH=$path
	check "[$path] zshim_check" "$t/zshim_check"
	check "[$path] akflush_check (libaccelkit ak_stream_flush = zlib's flushes)" \
		"$t/akflush_check"
	check "[$path] zlib example, system-zlib build under LD_PRELOAD" \
		env LD_PRELOAD="$shim" "$t/example_sys" "$w/foo.gz"
	check "[$path] zlib example, linked against the shim" \
		"$t/example_ak" "$w/foo.gz"
	# The preloaded shim is what the program called.
	check "[$path] LD_PRELOAD binds deflate/inflate to the shim" \
		bash -c "AK_ZLIB_DEBUG=1 LD_PRELOAD=$shim $t/example_sys $w/f2.gz 2>&1 | grep -q '^akzlib: deflate'"
	for lvl in 1 6 9; do
		"$t/minigzip_sys" -$lvl <"$w/data" >"$w/ref.gz"
		LD_PRELOAD="$shim" "$t/minigzip_sys" -$lvl <"$w/data" >"$w/pre.gz"
		"$t/minigzip_ak" -$lvl <"$w/data" >"$w/ak.gz"
		check "[$path] minigzip -$lvl: identical to zlib (LD_PRELOAD, linked)" \
			bash -c "cmp $w/ref.gz $w/pre.gz && cmp $w/ref.gz $w/ak.gz"
		check "[$path] minigzip -$lvl output: gzip -t, gzip -dc = input" \
			bash -c "gzip -t $w/ak.gz && gzip -dc $w/ak.gz | cmp - $w/data"
	done
	gzip -c "$w/data" >"$w/g.gz"
	cat "$w/g.gz" "$w/g.gz" >"$w/gg.gz"
	check "[$path] minigzip -d of gzip's output (two members), LD_PRELOAD and linked" \
		bash -c "LD_PRELOAD=$shim $t/minigzip_sys -d <$w/gg.gz | cmp - <(cat $w/data $w/data) &&
			 $t/minigzip_ak -d <$w/gg.gz | cmp - <(cat $w/data $w/data)"
	if command -v pigz >/dev/null; then
		# pigz -p 1: Z_BLOCK/deflatePending per 128 KiB block;
		# pigz -d: inflateBack; -p 2: dictionaries (zlib fallback).
		pigz -p 1 -c "$w/data" >"$w/pref.gz"
		check "[$path] pigz -p 1 under LD_PRELOAD: gzip -t, round trip, = pigz without the shim" \
			bash -c "LD_PRELOAD=$shim pigz -p 1 -c $w/data >$w/p.gz && gzip -t $w/p.gz &&
				 gzip -dc $w/p.gz | cmp - $w/data && cmp $w/p.gz $w/pref.gz"
		check "[$path] pigz -p 2 under LD_PRELOAD: round trip" \
			bash -c "LD_PRELOAD=$shim pigz -p 2 -c $w/data >$w/p2.gz &&
				 gzip -dc $w/p2.gz | cmp - $w/data"
		check "[$path] pigz -dc / pigz -d under LD_PRELOAD (inflateBack): gzip's and the shim's output" \
			bash -c "LD_PRELOAD=$shim pigz -dc $w/g.gz | cmp - $w/data &&
				 LD_PRELOAD=$shim pigz -dc $w/ak.gz | cmp - $w/data &&
				 rm -f $w/pd && cp $w/p.gz $w/pd.gz && LD_PRELOAD=$shim pigz -d $w/pd.gz && cmp $w/pd $w/data"
	fi
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 "$(dirname "$0")/pyzlib.py" "$w/data" >"$w/py.ref"
		check "[$path] Python's zlib under LD_PRELOAD: same bytes, round trips, unused_data" \
			bash -c "LD_PRELOAD=$shim /usr/bin/python3 $(dirname "$0")/pyzlib.py $w/data | cmp - $w/py.ref"
	fi
done
unset AK_PATH
check "AK_PATH=device without a device: an eligible stream fails (no silent software)" \
	bash -c "! AK_PATH=device $t/minigzip_ak -6 <$w/data >$w/x.gz"
check "AK_PATH=device: a small stream still goes to zlib" \
	bash -c "echo hello | AK_PATH=device $t/minigzip_ak | gzip -dc | grep -qx hello"

if [ "${AKZ_VALGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
	for path in software auto; do
		check "[$path] valgrind zshim_check (memcheck, leaks)" \
			env AK_PATH=$path valgrind -q --error-exitcode=9 \
			--leak-check=full --errors-for-leak-kinds=definite \
			"$t/zshim_check"
		check "[$path] valgrind: zlib example under LD_PRELOAD" \
			env AK_PATH=$path LD_PRELOAD="$shim" valgrind -q \
			--error-exitcode=9 "$t/example_sys" "$w/v.gz"
	done
fi
echo "libaccelkit-zlib host checks: $fails failure(s)"
[ $fails -eq 0 ]
