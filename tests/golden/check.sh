#!/usr/bin/env bash
# The results contract: every scenario under scenarios/ gives the same bytes out for the same
# seed, release after release, unless a change of semantics is meant (and said).
#
#   tests/golden/check.sh DTWIN            compare with tests/golden/outputs.sha256
#   tests/golden/check.sh DTWIN --record   write tests/golden/outputs.sha256 anew
#   tests/golden/check.sh DTWIN --keep DIR leave the outputs in DIR (to diff two builds)
#
# What is pinned, per scenario (run from the repository root, so the file names inside the
# reports are the same relative paths):
#   dtwin run FILE --out D          report.json, runs.csv, every timeseries*.csv
#   dtwin sweep FILE --out D        sweep.csv (scenarios with a sweep grid)
#   dtwin check FILE --json         the verdict (work-cell scenarios)
# A scenario that is not runnable on its own (a cell program) is checked with the cell it is
# written for. Hashes are SHA-256 of the files' bytes.
set -euo pipefail
dtwin=$(realpath "$1")
shift
mode=check
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --record) mode=record ;;
    --keep) keep="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=${keep:-$(mktemp -d)}
mkdir -p "$out"
[ -n "$keep" ] || trap 'rm -rf "$out"' EXIT
list="$out/outputs.sha256"
: >"$list"

hash_dir() {  # name dir
  (cd "$2" && for f in $(ls report.json runs.csv sweep.csv timeseries*.csv 2>/dev/null | sort); do
    echo "$(sha256sum "$f" | cut -d' ' -f1)  $1/$f"
  done) >>"$list"
}

for f in scenarios/*/*.json; do
  name=$(echo "${f#scenarios/}" | sed 's|\.json$||')
  d="$out/$name"
  mkdir -p "$d"
  if grep -q '"steps"' "$f" && ! grep -q '"twins"' "$f"; then
    # a candidate program: the verdict of dtwin check on the cell it is written for
    set +e
    "$dtwin" check scenarios/cell/flagship.json --program "$f" --json >"$d/check.json" 2>&1
    rc=$?
    set -e
    echo "exit $rc" >>"$d/check.json"
    echo "$(sha256sum "$d/check.json" | cut -d' ' -f1)  $name/check.json" >>"$list"
    continue
  fi
  # exit 4: an expectation of the scenario did not hold; its outputs are pinned all the same
  "$dtwin" run "$f" --out "$d/run" --quiet || [ $? -eq 4 ]
  hash_dir "$name/run" "$d/run"
  if grep -q '"sweep"' "$f"; then
    "$dtwin" sweep "$f" --out "$d/sweep" --quiet || [ $? -eq 4 ]
    hash_dir "$name/sweep" "$d/sweep"
  fi
  if grep -q '"kind": *"\(arm\|scara\|gantry\|cell\)"' "$f" && [ "${f#scenarios/cell/}" != "$f" ]; then
    "$dtwin" check "$f" --json >"$d/check.json" 2>&1 || echo "exit $?" >>"$d/check.json"
    echo "$(sha256sum "$d/check.json" | cut -d' ' -f1)  $name/check.json" >>"$list"
  fi
done

golden="$root/tests/golden/outputs.sha256"
if [ "$mode" = record ]; then
  cp "$list" "$golden"
  echo "recorded $(wc -l <"$golden") hashes in tests/golden/outputs.sha256"
  exit 0
fi
if diff -u "$golden" "$list"; then
  echo "golden outputs: $(wc -l <"$golden") files identical"
  exit 0
fi
echo "golden outputs differ (above: - recorded, + now). Keep both sets with --keep DIR on the" >&2
echo "old and the new build and diff them; if the change is meant, --record and say why." >&2
exit 1
