#!/bin/sh
# `make bench`, inside the VM: the NOP/COPY table (details), then the
# scorecard. The host-engine figures come in the image
# (/etc/accelkit/host-engine.txt, written by the host's akbench --emit).
# Exit status: non-zero only if a job failed, an output was wrong or a
# benchmark could not run; never because of a time.
reps=${AK_REPS:-5}
# ak.busypoll=1 (make bench BENCH_BUSY_POLL=1): engines busy-polled
mode=
[ "${AK_BUSYPOLL:-0}" = 1 ] && mode=-b
rc=0
echo "== akbench: NOP and COPY, queue depth 1 and 32 (details) =="
akbench -n 1000 || rc=$?
echo "== akbench --scorecard ($reps repetitions a figure) =="
akbench --scorecard $mode -r "$reps" --host-file /etc/accelkit/host-engine.txt || rc=$?
exit $rc
