#!/bin/bash
# usage: check-doc.sh DOC FILE...
# Each FILE must appear in DOC verbatim as the code block that follows a
# line "<!-- example: lib/examples/FILE -->" (a ```c fence on the next
# line, ``` after the last line).
set -euo pipefail
doc=$1
shift
fails=0
for f in "$@"; do
	got=$(awk -v want="<!-- example: lib/examples/$f -->" '
		$0 == want { found = 1; next }
		found == 1 && /^```c$/ { found = 2; next }
		found == 2 && /^```$/ { exit }
		found == 2 { print }' "$doc")
	if [ "$got" != "$(cat "$f")" ]; then
		echo "check-doc: $doc does not show $f as it is (missing or stale)" >&2
		diff <(echo "$got") "$f" | head -20 >&2 || true
		fails=$((fails + 1))
	fi
done
exit $((fails != 0))
