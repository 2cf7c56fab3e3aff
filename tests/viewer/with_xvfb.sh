#!/bin/sh
# Runs a command under a private Xvfb server, so the viewer's tests need no running X server and
# no GPU (Mesa's software rasteriser draws). Xvfb picks a free display itself (-displayfd): tests
# run in parallel never race for a display number, as xvfb-run -a can.
# Usage: with_xvfb.sh COMMAND [ARGS...]
set -u
if ! command -v Xvfb >/dev/null 2>&1; then
  echo "with_xvfb.sh: Xvfb not found (Debian: apt-get install xvfb xauth libgl1-mesa-dri)" >&2
  exit 1
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/dtwin-xvfb.XXXXXX") || exit 1
Xvfb -displayfd 3 -screen 0 1600x1200x24 -nolisten tcp -noreset 3>"$dir/display" \
  >"$dir/log" 2>&1 &
xvfb=$!
i=0
while [ ! -s "$dir/display" ] && [ $i -lt 200 ]; do
  if ! kill -0 $xvfb 2>/dev/null; then break; fi
  sleep 0.05
  i=$((i + 1))
done
if [ ! -s "$dir/display" ]; then
  echo "with_xvfb.sh: Xvfb did not start:" >&2
  cat "$dir/log" >&2
  kill $xvfb 2>/dev/null
  rm -rf "$dir"
  exit 1
fi
DISPLAY=":$(head -n 1 "$dir/display")"
export DISPLAY
"$@"
status=$?
kill $xvfb 2>/dev/null
wait $xvfb 2>/dev/null
rm -rf "$dir"
exit $status
