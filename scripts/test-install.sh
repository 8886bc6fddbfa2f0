#!/bin/bash
# `make install` into a temporary DESTDIR, checked the way a user and a
# packager would use the result.
#
# usage: test-install.sh WORKDIR     (run from the top of the tree; the
#                                     library, tools and modules are built)
# Checks:
#   - the installed tree is exactly the expected set of files, with the
#     expected modes and symbolic links (PREFIX=/usr/local, the default);
#   - pkg-config, pointed at the DESTDIR tree, gives the version of VERSION
#     and -I/-L into the tree; the header's AK_VERSION_* and
#     AK_VERSION_STRING, the soname and ak_version() match VERSION;
#   - a program compiled against the installed header and library (shared,
#     then static) runs a software SHA-256 session with the right digest;
#   - the installed tools find their library through their RUNPATH (in the
#     DESTDIR tree, no LD_LIBRARY_PATH), answer --help and --version, and
#     akzip/aksum/aksum512 give gzip/sha256sum/sha512sum results;
#   - the OpenSSL provider (accelkit.so in LIBDIR/ossl-modules) loads from
#     the tree and hashes; PREFIX=/usr puts it in OpenSSL's modules directory;
#   - the man pages render without groff warnings;
#   - the module options in modprobe.d/accelkit.conf exist in the built
#     modules, and systemd-sysusers creates group accel from the installed
#     sysusers.d file (in a scratch root);
#   - PREFIX=/usr puts the udev rule in /usr/lib/udev/rules.d;
#   - make uninstall removes every file it installed.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: test-install.sh WORKDIR}
mkdir -p "$work" && work=$(cd "$work" && pwd)
ver=$(cat "$top/VERSION")
fails=0
fail() { echo "test-install: FAIL: $*" >&2; fails=$((fails + 1)); }
log() { echo "test-install: $*"; }
unset LD_LIBRARY_PATH PKG_CONFIG_PATH

rm -rf "$work" && mkdir -p "$work"
dest=$work/root
p=$dest/usr/local
make -s -C "$top" install DESTDIR="$dest" >"$work/install.log" 2>&1 ||
	{ cat "$work/install.log"; echo "test-install: make install failed" >&2; exit 1; }

# --- the tree: every file, its type and mode -------------------------------
cat >"$work/expected" <<EOF
f 644 usr/local/include/libaccelkit-alg.h
f 644 usr/local/include/libaccelkit.h
f 644 usr/local/lib/libaccelkit.a
l usr/local/lib/libaccelkit.so -> libaccelkit.so.1
l usr/local/lib/libaccelkit.so.1 -> libaccelkit.so.$ver
f 755 usr/local/lib/libaccelkit.so.$ver
f 644 usr/local/lib/pkgconfig/libaccelkit.pc
f 755 usr/local/lib/libaccelkit-zlib.so.1
l usr/local/lib/libaccelkit-zlib.so -> libaccelkit-zlib.so.1
f 755 usr/local/lib/ossl-modules/accelkit.so
f 644 usr/local/lib/udev/rules.d/60-accelkit.rules
f 644 usr/local/lib/modprobe.d/accelkit.conf
f 644 usr/local/lib/sysusers.d/accelkit.conf
f 755 usr/local/bin/akbench
f 755 usr/local/bin/akdemo
f 755 usr/local/bin/akenc
f 755 usr/local/bin/aksum
l usr/local/bin/aksum512 -> aksum
f 755 usr/local/bin/akzip
f 644 usr/local/share/man/man1/akbench.1
f 644 usr/local/share/man/man1/akdemo.1
f 644 usr/local/share/man/man1/akenc.1
f 644 usr/local/share/man/man1/aksum.1
f 644 usr/local/share/man/man1/aksum512.1
f 644 usr/local/share/man/man1/akzip.1
f 644 usr/local/share/man/man3/libaccelkit.3
$(cd "$top/man" && for m in ak_*.3; do echo "f 644 usr/local/share/man/man3/$m"; done)
f 644 usr/local/share/man/man7/accelkit.7
EOF
(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort | while read -r f; do
	if [ -L "$f" ]; then
		echo "l $f -> $(readlink "$f")"
	else
		echo "f $(stat -c %a "$f") $f"
	fi
done) >"$work/got"
sort "$work/expected" -o "$work/expected"
sort "$work/got" -o "$work/got"
diff -u "$work/expected" "$work/got" >"$work/tree.diff" ||
	fail "installed tree differs from the expected one:$(printf '\n')$(cat "$work/tree.diff")"
bad_dirs=$(cd "$dest" && find . -type d ! -perm 755 | sed 's|^\./||')
[ -z "$bad_dirs" ] || fail "directories without mode 755: $bad_dirs"
log "tree: $(wc -l <"$work/got") files as expected"

# --- version from one place ------------------------------------------------
hmaj=$(sed -n 's/^#define AK_VERSION_MAJOR \([0-9]*\).*/\1/p' "$p/include/libaccelkit.h")
hmin=$(sed -n 's/^#define AK_VERSION_MINOR \([0-9]*\).*/\1/p' "$p/include/libaccelkit.h")
hpat=$(sed -n 's/^#define AK_VERSION_PATCH \([0-9]*\).*/\1/p' "$p/include/libaccelkit.h")
hstr=$(sed -n 's/^#define AK_VERSION_STRING "\(.*\)"$/\1/p' "$p/include/libaccelkit.h")
[ "$hmaj.$hmin.$hpat" = "$ver" ] && [ "$hstr" = "$ver" ] ||
	fail "header says $hmaj.$hmin.$hpat ('$hstr'), VERSION says $ver"
[ "$(readelf -d "$p/lib/libaccelkit.so.$ver" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')" = "libaccelkit.so.${ver%%.*}" ] ||
	fail "soname of libaccelkit.so.$ver is not libaccelkit.so.${ver%%.*}"
[ "$(bash "$top/scripts/dkms.sh" conf | sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p')" = "$ver" ] ||
	fail "dkms.conf PACKAGE_VERSION is not $ver"

# --- pkg-config against the DESTDIR tree ------------------------------------
# (libudev, zlib and libcrypto from the system, through the default path)
pc() {
	local r
	r=$(PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_PATH=$p/lib/pkgconfig pkg-config "$@") || return
	# one line, single spaces
	# shellcheck disable=SC2086
	echo $r
}
[ "$(pc --modversion libaccelkit)" = "$ver" ] ||
	fail "pkg-config --modversion: '$(pc --modversion libaccelkit)', want $ver"
# (with a sysroot, pkg-config prefixes the system packages' -I/usr/include
# too, so the first flag, ours, is what counts)
[ "$(pc --cflags libaccelkit | cut -d' ' -f1)" = "-I$p/include" ] ||
	fail "pkg-config --cflags: '$(pc --cflags libaccelkit)', want -I$p/include first"
[ "$(pc --libs libaccelkit)" = "-L$p/lib -laccelkit" ] ||
	fail "pkg-config --libs: '$(pc --libs libaccelkit)', want -L$p/lib -laccelkit"
slibs=$(pc --static --libs libaccelkit)
for l in -ludev -lz -lcrypto; do
	case " $slibs " in *" $l "*) ;; *) fail "pkg-config --static --libs lacks $l: $slibs" ;; esac
done
grep -qx "prefix=/usr/local" "$p/lib/pkgconfig/libaccelkit.pc" ||
	fail "libaccelkit.pc does not say prefix=/usr/local"

# --- a program built against the installed header and library --------------
cat >"$work/t.c" <<'EOF'
#include <libaccelkit.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	static const char want[] =
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	struct ak_session *s;
	unsigned char md[AK_DIGEST_MAX];
	size_t len = sizeof(md);
	char hex[2 * AK_DIGEST_MAX + 1];
	int r;

	r = ak_session_open(AK_ALG_SHA256, NULL, AK_SF_SOFTWARE, &s);
	if (r) {
		printf("ak_session_open: %d\n", r);
		return 1;
	}
	r = ak_digest(s, "abc", 3, md, &len);
	ak_session_close(s);
	if (r || len != AK_SHA256_LEN) {
		printf("ak_digest: %d len %zu\n", r, len);
		return 1;
	}
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	printf("%s %s %d.%d %s\n", ak_alg_name(AK_ALG_SHA256), hex,
	       AK_VERSION_MAJOR, AK_VERSION_MINOR, ak_version());
	return strcmp(hex, want) != 0;
}
EOF
want="sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad $hmaj.$hmin $ver"
# shellcheck disable=SC2046
if cc -Wall -Wextra -Werror $(pc --cflags libaccelkit) -o "$work/t-shared" "$work/t.c" \
	$(pc --libs libaccelkit) -Wl,-rpath,"$p/lib" 2>"$work/cc.log"; then
	got=$("$work/t-shared" 2>&1) || true
	[ "$got" = "$want" ] || fail "shared test program printed '$got', want '$want'"
	ldd "$work/t-shared" | grep "libaccelkit.so.1 => $p/lib/libaccelkit.so.1" >/dev/null ||
		fail "test program does not use the installed library: $(ldd "$work/t-shared" | grep accelkit)"
else
	cat "$work/cc.log"
	fail "cannot compile against the installed header and shared library"
fi
# shellcheck disable=SC2046
if cc -Wall -Wextra -Werror $(pc --cflags libaccelkit) -o "$work/t-static" "$work/t.c" \
	-L"$p/lib" -Wl,-Bstatic -laccelkit -Wl,-Bdynamic \
	$(pc --static --libs-only-l libaccelkit | sed 's/-laccelkit//') 2>"$work/cc.log"; then
	got=$("$work/t-static" 2>&1) || true
	[ "$got" = "$want" ] || fail "static test program printed '$got', want '$want'"
	! ldd "$work/t-static" | grep libaccelkit >/dev/null ||
		fail "static test program links libaccelkit.so"
else
	cat "$work/cc.log"
	fail "cannot link the installed libaccelkit.a"
fi
log "header, pkg-config, shared and static library: ok"

# --- the OpenSSL provider ------------------------------------------------------
# PREFIX=/usr/local: $LIBDIR/ossl-modules, found through OPENSSL_MODULES.
if ! command -v openssl >/dev/null; then
	fail "no openssl command to check the installed provider"
else
	got=$(printf abc | AK_PATH=software LD_LIBRARY_PATH=$p/lib OPENSSL_MODULES=$p/lib/ossl-modules \
		openssl dgst -sha256 -r -provider accelkit -propquery provider=accelkit 2>&1) || true
	[ "$got" = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad *stdin" ] ||
		fail "installed accelkit.so: openssl dgst printed '$got'"
	! nm -D --defined-only "$p/lib/ossl-modules/accelkit.so" | awk '{ print $3 }' |
		grep -vx OSSL_provider_init | grep -q . ||
		fail "accelkit.so exports more than OSSL_provider_init"
	log "OpenSSL provider: loads from the installed tree, exports only OSSL_provider_init"
fi

# --- the installed tools ------------------------------------------------------
for t in akzip aksum aksum512 akenc akdemo akbench; do
	bin=$p/bin/$t
	lib=$(ldd "$bin" | awk '$1 == "libaccelkit.so.1" { print $3 }')
	[ "$lib" = "$p/bin/../lib/libaccelkit.so.1" ] ||
		fail "$t resolves libaccelkit.so.1 to '$lib', not the one beside it (RUNPATH)"
	"$bin" --help >"$work/help.out" 2>&1 || fail "$t --help exits $?"
	grep -qi usage "$work/help.out" || fail "$t --help prints no usage"
	v=$("$bin" --version 2>&1) || fail "$t --version exits non-zero"
	[ "$v" = "${t%512} (accelkit) $hmaj.$hmin" ] ||
		fail "$t --version: '$v'"
done
head -c 300000 /dev/urandom | od -An -tx1 >"$work/data"
AK_PATH=software "$p/bin/akzip" -c "$work/data" | gzip -dc | cmp -s - "$work/data" ||
	fail "installed akzip output does not gunzip to its input"
gzip -c "$work/data" | AK_PATH=software "$p/bin/akzip" -dc | cmp -s - "$work/data" ||
	fail "installed akzip -d does not decompress gzip output"
(cd "$work" && AK_PATH=software "$p/bin/aksum" data) | cmp -s - <(cd "$work" && sha256sum data) ||
	fail "installed aksum differs from sha256sum"
(cd "$work" && AK_PATH=software "$p/bin/aksum512" data) | cmp -s - <(cd "$work" && sha512sum data) ||
	fail "installed aksum512 differs from sha512sum"
log "tools: RUNPATH, --help, --version, akzip/aksum/aksum512 results: ok"

# --- the zlib drop-in: a program linked with -laccelkit-zlib ---------------
# (AK_PATH=software: no device needed; the ABI is checked by the host tests)
zsh=$p/lib/libaccelkit-zlib.so.1
if [ "$(readelf -d "$zsh" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" != libaccelkit-zlib.so.1 ]; then
	fail "libaccelkit-zlib.so.1 has the wrong soname"
elif ! objdump -T "$zsh" | grep ' deflateInit2_$' >/dev/null; then
	fail "libaccelkit-zlib.so.1 does not export deflateInit2_"
fi
for i in $(seq 1 2000); do echo "zlib drop-in line $i"; done >"$work/zin"
cat >"$work/z.c" <<'EOF'
#include <zlib.h>
#include <stdio.h>
int main(void)
{
	static unsigned char in[1 << 16], out[1 << 17], back[1 << 16];
	uLongf n = sizeof(out), m = sizeof(back);
	size_t len = fread(in, 1, sizeof(in), stdin);

	if (compress2(out, &n, in, len, 6) || uncompress(back, &m, out, n) ||
	    m != len)
		return 1;
	fwrite(out, 1, n, stdout);
	return 0;
}
EOF
cc -o "$work/zref" "$work/z.c" -lz
if cc -o "$work/z" "$work/z.c" -L"$p/lib" -laccelkit-zlib -Wl,-rpath,"$p/lib" \
	2>"$work/z.err"; then
	{ AK_PATH=software LD_LIBRARY_PATH=$p/lib "$work/z" <"$work/zin" >"$work/z.out" &&
		"$work/zref" <"$work/zin" | cmp -s - "$work/z.out"; } ||
		fail "compress2 through the installed libaccelkit-zlib differs from zlib's"
else
	fail "a program linked with -laccelkit-zlib does not build: $(cat "$work/z.err")"
fi
log "zlib drop-in: soname, exports, a linked program's output = zlib's: ok"

# --- man pages ------------------------------------------------------------------
for m in "$p"/share/man/man*/*; do
	w=$(cd "$p/share/man" && LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$m" 2>&1)
	[ -z "$w" ] || fail "man page $m: $w"
	[ "$(cd "$p/share/man" && groff -man -Tutf8 "$m" 2>/dev/null | wc -l)" -gt 10 ] ||
		fail "man page $m renders to almost nothing"
done
log "man pages: $(find "$p/share/man" -type f | wc -l) render cleanly"

# --- modprobe.d options exist, sysusers.d creates the group ---------------------
sed -n 's/^#options //p' "$p/lib/modprobe.d/accelkit.conf" >"$work/options"
[ -s "$work/options" ] || fail "modprobe.d/accelkit.conf documents no option"
! grep -qv '^\(#\|$\)' "$p/lib/modprobe.d/accelkit.conf" ||
	fail "modprobe.d/accelkit.conf sets options (it should only document them)"
while read -r mod opts; do
	ko=$(find "$top/kernel" -name "$mod.ko" | head -n1)
	[ -n "$ko" ] || { fail "no built $mod.ko for the modprobe.d check"; continue; }
	for o in $opts; do
		modinfo -F parm "$ko" | grep "^${o%%=*}:" >/dev/null ||
			fail "modprobe.d option $mod ${o%%=*} is not a parameter of $mod.ko"
	done
done <"$work/options"
if command -v systemd-sysusers >/dev/null; then
	sroot=$work/sysroot
	mkdir -p "$sroot/etc"
	systemd-sysusers --root="$sroot" "$p/lib/sysusers.d/accelkit.conf" 2>"$work/sysusers.log" ||
		fail "systemd-sysusers rejects sysusers.d/accelkit.conf: $(cat "$work/sysusers.log")"
	grep -q '^accel:x:[0-9]*:' "$sroot/etc/group" ||
		fail "systemd-sysusers did not create group accel: $(cat "$sroot/etc/group" 2>&1)"
else
	fail "no systemd-sysusers to check sysusers.d/accelkit.conf"
fi
grep -q 'GROUP="accel", MODE="0660"' "$p/lib/udev/rules.d/60-accelkit.rules" ||
	fail "udev rule does not give group accel mode 0660"
log "modprobe.d options, sysusers.d group, udev rule: ok"

# --- PREFIX=/usr ----------------------------------------------------------------
make -s -C "$top" install DESTDIR="$work/usr-root" PREFIX=/usr >"$work/install-usr.log" 2>&1 ||
	{ cat "$work/install-usr.log"; fail "make install PREFIX=/usr"; }
for f in usr/lib/udev/rules.d/60-accelkit.rules usr/lib/libaccelkit.so.1 usr/bin/akzip \
	usr/share/man/man1/akzip.1 usr/include/libaccelkit.h \
	"$(pkg-config --variable=modulesdir libcrypto | sed 's|^/||')/accelkit.so"; do
	[ -e "$work/usr-root/$f" ] || fail "PREFIX=/usr: no $f"
done
grep -qx "prefix=/usr" "$work/usr-root/usr/lib/pkgconfig/libaccelkit.pc" ||
	fail "PREFIX=/usr: libaccelkit.pc does not say prefix=/usr"

# --- uninstall ------------------------------------------------------------------
make -s -C "$top" uninstall DESTDIR="$dest" >"$work/uninstall.log" 2>&1 ||
	{ cat "$work/uninstall.log"; fail "make uninstall"; }
left=$(cd "$dest" && find . ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
log "PREFIX=/usr layout and uninstall: ok"

if [ $fails -ne 0 ]; then
	echo "test-install: $fails failure(s)" >&2
	exit 1
fi
log "PASS"
