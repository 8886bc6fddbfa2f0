#!/bin/sh
# libaccelkit-zlib on the device path, with unmodified zlib users: zlib's
# own example and minigzip (built against the system zlib and run with
# LD_PRELOAD, and linked against the shim instead of -lz), zshim_check
# (byte identity with the real zlib, flush points, inflateBack, member
# ends, refusals after offload) and pigz (compression with its block
# flushes, decompression with inflateBack). Every check that claims the device runs with AK_PATH=device
# (no silent software) and the device's step counter must move.
# A throughput line (TCG guest) compares minigzip with and without the
# shim on the same file.
T=/usr/lib/accelkit/zlib-tests
Z=/usr/lib/libaccelkit-zlib.so.1
W=/tmp/zlib-dropin
fails=0
rm -rf $W && mkdir -p $W
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
steps() {
	s=0
	for d in /sys/class/uacce/*/device; do
		[ -r "$d/steps" ] && s=$((s + $(cat "$d/steps")))
	done
	echo $s
}
# run NAME COMMAND: must succeed and the device must have done steps
ondev() {
	name=$1
	shift
	s0=$(steps)
	if sh -c "$*" >$W/log 2>&1; then
		s1=$(steps)
		if [ "$s1" -gt "$s0" ]; then
			ok "$name (device steps $s0 -> $s1)"
		else
			bad "$name: the device did nothing (steps $s0 -> $s1)"
		fi
	else
		bad "$name"
		tail -20 $W/log | sed 's/^/     | /'
	fi
}
check() {
	name=$1
	shift
	if sh -c "$*" >$W/log 2>&1; then ok "$name"; else
		bad "$name"
		tail -20 $W/log | sed 's/^/     | /'
	fi
}

[ -f $Z ] || { echo "FAIL no $Z"; exit 1; }
# 3 MiB: text and random bytes (more than one 1 MiB device job)
i=0
while [ $i -lt 3 ]; do
	seq 1 50000
	head -c 349525 /dev/urandom
	i=$((i + 1))
done >$W/data
export AK_PATH=device

ondev "zshim_check on the device (identical to zlib at levels 1/5/9, raw/zlib/gzip, members, refusals)" \
	"AKZ_EXPECT_DEVICE=1 AK_ZLIB_MIN=0 $T/zshim_check"
grep -c '^ok' $W/log | sed 's/^/     | checks passed: /'
grep -E '^ok   (Z_|inflateBack)' $W/log | sed 's/^/     | /'
ondev "akflush_check on the device (libaccelkit ak_stream_flush: FLUSH jobs, zlib's bytes, at the sink on return)" \
	"AKF_EXPECT_DEVICE=1 $T/akflush_check"
grep -E '^(ok|FAIL) +raw' $W/log | sed 's/^/     | /'
# example.c's streams are all tiny: AK_ZLIB_MIN=3 lets every one the
# rules allow run on the device (with 0, test_sync's first 2-byte inflate
# would go to the device and its inflateSync is then refused, as
# documented). The decisions are printed.
for v in sys ak; do
	ondev "zlib example.c ($v: $([ $v = sys ] && echo 'system-zlib build, LD_PRELOAD' || echo 'linked against the shim'), AK_ZLIB_MIN=3)" \
		"AK_ZLIB_MIN=3 AK_ZLIB_DEBUG=1 LD_PRELOAD=$([ $v = sys ] && echo $Z) $T/example_$v $W/foo.gz 2>$W/ex.err && grep -q ': device' $W/ex.err"
	echo "     | stream decisions: $(grep -c ': device' $W/ex.err) device," \
		"$(grep -c ': zlib' $W/ex.err) zlib ($(sed -n 's/.*: zlib (\(.*\))/\1/p' $W/ex.err | sort | uniq -c | tr -s ' \n' ' '))"
done
for l in 1 6 9; do
	$T/minigzip_sys -$l <$W/data >$W/ref$l.gz
	ondev "minigzip -$l, LD_PRELOAD: byte-identical to zlib" \
		"LD_PRELOAD=$Z $T/minigzip_sys -$l <$W/data >$W/pre$l.gz && cmp $W/ref$l.gz $W/pre$l.gz"
	ondev "minigzip -$l, linked: byte-identical to zlib" \
		"$T/minigzip_ak -$l <$W/data >$W/ak$l.gz && cmp $W/ref$l.gz $W/ak$l.gz"
	check "minigzip -$l output: gzip -t, gzip -dc = input" \
		"gzip -t $W/ak$l.gz && gzip -dc $W/ak$l.gz | cmp - $W/data"
done
gzip -c $W/data >$W/g.gz
cat $W/g.gz $W/g.gz >$W/gg.gz
cat $W/data $W/data >$W/data2
ondev "minigzip -d (LD_PRELOAD) of gzip's two-member output" \
	"LD_PRELOAD=$Z $T/minigzip_sys -d <$W/gg.gz | cmp - $W/data2"
ondev "minigzip -d (linked) of gzip's output" \
	"$T/minigzip_ak -d <$W/g.gz | cmp - $W/data"

# pigz -p 1 with its default 128 KiB blocks: each block ends with
# deflate(Z_BLOCK) (on the device: a FLUSH job, byte-aligned) and
# deflatePending() (0 bits, so no deflatePrime()); the whole file is one
# device stream (no ": zlib" decision). pigz -d pulls raw deflate with
# inflateBack(), which runs on the device too. pigz -p 2 primes blocks
# with deflateSetDictionary(): those streams fall back to zlib.
pigz -p 1 -c $W/data >$W/pz.gz
ondev "pigz -p 1 (default blocks, LD_PRELOAD): all on the device, gzip -t, gzip -dc = input" \
	"LD_PRELOAD=$Z AK_ZLIB_DEBUG=1 pigz -p 1 -c $W/data >$W/p.gz 2>$W/pigz.err; grep -q 'deflate .*: device' $W/pigz.err && ! grep ': zlib' $W/pigz.err && gzip -t $W/p.gz && gzip -dc $W/p.gz | cmp - $W/data"
echo "     | $(grep -c 'deflate .*: device' $W/pigz.err) device stream(s); $(cmp -s $W/p.gz $W/pz.gz && echo 'identical to' || echo 'differs from (Z_BLOCK is a sync flush on the device)') pigz with zlib: $(wc -c <$W/p.gz) vs $(wc -c <$W/pz.gz) bytes"
for f in g.gz ak6.gz p.gz pz.gz; do
	ondev "pigz -dc (inflateBack on the device) of $f: = input" \
		"LD_PRELOAD=$Z AK_ZLIB_DEBUG=1 pigz -dc $W/$f 2>$W/pd.err | cmp - $W/data && grep -q 'inflateBack .*: device' $W/pd.err && ! grep ': zlib' $W/pd.err"
done
ondev "pigz -d FILE (inflateBack on the device) of the shim's pigz output" \
	"rm -f $W/pd && cp $W/p.gz $W/pd.gz && LD_PRELOAD=$Z pigz -d $W/pd.gz && cmp $W/pd $W/data"
check "pigz -p 2 (threads, dictionaries: zlib where primed), LD_PRELOAD: gzip -dc = input, pigz -d = input" \
	"LD_PRELOAD=$Z pigz -p 2 -c $W/data >$W/p2.gz && gzip -dc $W/p2.gz | cmp - $W/data && LD_PRELOAD=$Z pigz -dc $W/p2.gz | cmp - $W/data"
check "pigz (default blocks, LD_PRELOAD, auto): output correct" \
	"AK_PATH=auto LD_PRELOAD=$Z pigz -c $W/data >$W/p3.gz && gzip -dc $W/p3.gz | cmp - $W/data"

# Python's zlib module (compress/decompress, compressobj/decompressobj with
# gzip framing and trailing bytes): the bytes of the real zlib, on the device.
PY="env PYTHONHOME=/usr python3.11 -S $T/pyzlib.py $W/data"
$PY >$W/py.ref 2>$W/py.err || { cat $W/py.err; bad "python3 without the shim"; }
ondev "Python zlib (LD_PRELOAD): identical to zlib, round trips, unused_data" \
	"LD_PRELOAD=$Z $PY | cmp - $W/py.ref"

# Throughput of an unmodified program, with and without the shim
# (the same minigzip binary; wall time from /proc/uptime, 10 ms steps).
i=0
while [ $i -lt 4 ]; do cat $W/data2 >>$W/big; i=$((i + 1)); done
sz=$(wc -c <$W/big)
cs() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}"; }
mbs() { [ "$1" -gt 0 ] && echo "$((sz * 100 / $1 / 1048576)) MiB/s" || echo "n/a"; }
for l in 1 6; do
	t0=$(cs); $T/minigzip_sys -$l <$W/big >$W/b0.gz; t1=$(cs)
	LD_PRELOAD=$Z $T/minigzip_sys -$l <$W/big >$W/b1.gz; t2=$(cs)
	$T/minigzip_sys -d <$W/b0.gz >$W/d0; t3=$(cs)
	LD_PRELOAD=$Z $T/minigzip_sys -d <$W/b0.gz >$W/d1; t4=$(cs)
	cmp -s $W/b0.gz $W/b1.gz && same=identical || same=DIFFERENT
	cmp -s $W/d1 $W/big || same="$same, DECOMPRESSION WRONG"
	echo "AK-ZLIB-BENCH: TCG guest, minigzip -$l of $((sz >> 20)) MiB:" \
		"compress zlib $(mbs $((t1 - t0))), shim $(mbs $((t2 - t1)));" \
		"decompress zlib $(mbs $((t3 - t2))), shim $(mbs $((t4 - t3)))" \
		"(outputs $same)"
	[ "$same" = identical ] || bad "minigzip -$l of $sz bytes: $same"
	rm -f $W/d0 $W/d1
done
echo "zlib drop-in: $fails failure(s)"
[ $fails -eq 0 ]
