#!/bin/bash
# Boot the accelkit VM and judge the run.
# usage: vm-run.sh MODE [options]
#   MODE: demo | test | bench | dropins | shell
#   --qemu PATH --kernel PATH --initrd PATH   (required)
#   --cpu MODEL      TCG CPU model (default max: advertises LA57)
#   --append ARGS    extra kernel command line
#   --timeout SECS   whole-run bound (default 900)
#   --log FILE       serial log (default: mktemp)
#   --topology T     one (default): one accelkit device on the root bus;
#                    numa2: two NUMA nodes (a socket with one vCPU and
#                    1 GiB each), under each a pxb-pcie expander bridge
#                    (numa_node 0/1) with a root port and one accelkit
#                    device (6 queues, 2 of them kept for the kernel); the guest gets ak.topology=numa2 so
#                    its suite knows what to expect; the devices have
#                    the ids ak0 and ak1, their root ports rp0 and rp1
#   --qmp            a QMP socket and scripts/vm-qmp.py on it: the guest may
#                    print "AK-QMP: device_del ID" / "AK-QMP: device_add
#                    DRIVER,PROP=VAL,..." to hot-unplug and plug devices
# Exit status: the guest's result; non-zero also when the guest log has an
# Oops/BUG/WARNING/lockdep/KASAN/kmemleak report, or the guest did not finish.
set -uo pipefail

mode=$1
shift
qemu= kernel= initrd= cpu=max append= timeout=900 log= topology=one qmp=0
while [ $# -gt 0 ]; do
	case "$1" in
	--qemu) qemu=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--cpu) cpu=$2; shift ;;
	--append) append=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--log) log=$2; shift ;;
	--topology) topology=$2; shift ;;
	--qmp) qmp=1 ;;
	*) echo "vm-run: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$log" ] || log=$(mktemp /tmp/accelkit-vm.XXXXXX.log)

case "$topology" in
one)
	machine=(-smp 2 -m 4G ${AK_DEVICE_ARGS--device accelkit,queues=18})
	;;
numa2)
	# one socket per node: two cores of one socket would share a cache
	# across nodes, which the guest kernel warns about
	machine=(-smp 2,sockets=2,cores=1,threads=1 -m 2G)
	for n in 0 1; do
		machine+=(-object "memory-backend-ram,id=mem$n,size=1G"
			-numa "node,nodeid=$n,cpus=$n,memdev=mem$n"
			-device "pxb-pcie,id=pxb$n,bus=pcie.0,bus_nr=$((64 * (n + 1))),numa_node=$n"
			-device "pcie-root-port,id=rp$n,bus=pxb$n,chassis=$((n + 1)),slot=0"
			-device "accelkit,queues=6,bus=rp$n,id=ak$n")
	done
	append="ak.topology=numa2 $append"
	;;
*) echo "vm-run: unknown topology $topology" >&2; exit 2 ;;
esac

[ $qmp -eq 1 ] && append="ak.qmp=1 $append"

args=(-M q35 -accel tcg -cpu "$cpu" -nodefaults -display none
	-L /usr/share/seabios -L /usr/share/qemu -no-reboot
	"${machine[@]}"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 loglevel=4 ak.mode=$mode $append")

if [ "$mode" = shell ]; then
	exec "$qemu" "${args[@]}" -serial mon:stdio
fi

qmp_pid=
if [ $qmp -eq 1 ]; then
	qmp_dir=$(mktemp -d /tmp/accelkit-qmp.XXXXXX)
	args+=(-qmp "unix:$qmp_dir/qmp.sock,server=on,wait=off")
	: >"$log"
	python3 "$(dirname "$0")/vm-qmp.py" "$qmp_dir/qmp.sock" "$log" &
	qmp_pid=$!
fi

echo "vm-run: booting ($mode, cpu $cpu, $topology, $(basename "$kernel")); serial log: $log"
timeout --foreground -k 10 "$timeout" "$qemu" "${args[@]}" -serial stdio \
	</dev/null 2>&1 | tee "$log" | sed -n '/AK-DMESG-BEGIN/,/AK-DMESG-END/!p'
qrc=${PIPESTATUS[0]}
if [ -n "$qmp_pid" ]; then
	# it exits when QEMU closes the socket; bounded anyway
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 "$qmp_pid" 2>/dev/null || break
		sleep 0.5
	done
	kill "$qmp_pid" 2>/dev/null
	wait "$qmp_pid" 2>/dev/null
	rm -rf "$qmp_dir"
fi

fail=0
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "vm-run: FAIL: guest did not finish within ${timeout}s"
	fail=1
fi
res=$(grep -a -o 'AK-RESULT: rc=[0-9]*' "$log" | tail -n1 | sed 's/.*rc=//')
if [ -z "$res" ]; then
	echo "vm-run: FAIL: no result from the guest"
	fail=1
elif [ "$res" != 0 ]; then
	echo "vm-run: FAIL: guest $mode exited with $res"
	fail=1
fi
# Kernel splats anywhere in the log (console or the final dmesg dump).
splat='(Oops|BUG:|WARNING:|Call Trace:|general protection fault|UBSAN:|'
splat+='possible circular locking|possible recursive locking|inconsistent lock state|'
splat+='INFO: lockdep|INFO: task .* blocked|unreferenced object|Kernel panic|'
splat+='stack-protector|list_add corruption|list_del corruption)'
# An OOM kill's report (the storm suite's) is not one (scripts/vm-splats.sh).
if [ -n "$(bash "$(dirname "$0")/vm-splats.sh" "$log" "$splat")" ]; then
	echo "vm-run: FAIL: kernel report in the guest log:"
	bash "$(dirname "$0")/vm-splats.sh" "$log" "$splat" | head -n 40
	fail=1
fi
# test: the abuse summary line (scripts/vm-summary.sh), also kept next to
# the log for make test's closing table.
if [ "$mode" = test ]; then
	bash "$(dirname "$0")/vm-summary.sh" "$log" "$splat" | tee "${log%.log}.summary"
fi
# A guest that left queues open with jobs in flight for the power-off
# (vm/init, ak.poweroff_hold=1) must have powered off after that.
if grep -a -q 'AK-POWEROFF: holding' "$log" &&
   ! sed -n '/AK-POWEROFF: holding/,$p' "$log" | grep -a -q 'reboot: Power down'; then
	echo "vm-run: FAIL: no clean power-down after AK-POWEROFF"
	fail=1
fi
# bench: keep the scorecard table next to the log (ak.bench=zswap, the
# kernel path alone, has none).
if [ "$mode" = bench ] && [ "${append#*ak.bench=zswap}" = "$append" ]; then
	card=${log%.log}.scorecard.txt
	sed -n '/^SCORECARD/,/^goals met/p' "$log" | tr -d '\r' >"$card"
	if [ -s "$card" ]; then
		echo "vm-run: scorecard saved in $card"
	else
		echo "vm-run: FAIL: no scorecard in the guest log"
		fail=1
	fi
fi
[ $fail -eq 0 ] && echo "vm-run: OK ($mode)"
exit $fail
