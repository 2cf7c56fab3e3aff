#!/usr/bin/env bash
# dtwin whatif --from live on the greenhouse (the issue's size): a local Mosquitto, dtwin serve
# and dtwin emulate of scenarios/live/greenhouse.json with two more variants (warm_days,
# long_lamps: with the shipped cool_nights and less_co2, four variants beside the baseline),
# then `dtwin whatif --from live --horizon 7d --members 20` timed end to end (the CLI's request,
# the fork, 100 seven-day runs on the engine's worker threads, the answer) REPEAT times; wall
# time of each, best and median. A second set asks for three variants (cool_nights, less_co2,
# warm_days: four with the baseline, 80 runs).
#
#   bench/bench_whatif_greenhouse.sh build/bin/dtwin [REPEAT] [PORT]
#   NO_WHATIF_PATCH=1 bench/...   without the scenario's live.whatif_patch: the what-if's runs
#                                  step as the mirror does (Rosenbrock, 15 min restarts)
set -euo pipefail
dtwin=$(realpath "${1:-build/bin/dtwin}")
repeat=${2:-5}
port=${3:-18950}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cp "$root/assets/weather/pvgis_tmy_45.000N_8.000E_2005_2023.epw" "$work/tmy.epw"
python3 - "$root/scenarios/live/greenhouse.json" "$work/gh.json" <<'PY'
import json, os, sys
s = json.load(open(sys.argv[1]))
s["twins"]["gh"]["weather"]["epw"] = "tmy.epw"
s["live"]["plant"] = "benchgh"
s["variants"]["warm_days"] = {"twins": {"gh": {"control": {"tSpDay": 21}}}}
s["variants"]["long_lamps"] = {"twins": {"gh": {"control": {"lampsOff": 20}}}}
if os.environ.get("NO_WHATIF_PATCH") == "1":
    s["live"].pop("whatif_patch", None)
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
mosquitto -p "$port" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
sleep 0.5
mq=(--mqtt "mqtt://127.0.0.1:$port" --plant benchgh)
"$dtwin" serve "$work/gh.json" --mqtt "mqtt://127.0.0.1:$port" --store "$work/m.db" \
  > "$work/serve.log" 2>&1 &
pids+=($!)
serve_pid=$!
cpu() {  # the engine's CPU seconds so far (user + system, every thread)
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14 + $15) / hz}' "/proc/$serve_pid/stat"
}
"$dtwin" emulate "$work/gh.json" --mqtt "mqtt://127.0.0.1:$port" > "$work/emulate.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  "$dtwin" get gh.dry_weight "${mq[@]}" --timeout 2s > /dev/null 2>&1 && break
  sleep 0.2
done
run() {  # variants... ; prints the wall times and the engine's CPU time per what-if
  local args=() times=() cpus=()
  for v in "$@"; do args+=(--variant "$v"); done
  for _ in $(seq "$repeat"); do
    local s e c0 c1
    c0=$(cpu)
    s=$(date +%s.%N)
    "$dtwin" whatif --from live --horizon 7d --members 20 "${args[@]}" "${mq[@]}" \
      --timeout 60s > "$work/out.txt"
    e=$(date +%s.%N)
    c1=$(cpu)
    times+=("$(echo "$e - $s" | bc)")
    cpus+=("$(echo "$c1 - $c0" | bc)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "wall best %.3f s, median %.3f s over %d", a[1], a[int((NR+1)/2)], NR}'
  printf '%s\n' "${cpus[@]}" | sort -n | awk '{a[NR]=$1} END {printf "; engine CPU best %.2f s, median %.2f s\n", a[1], a[int((NR+1)/2)]}'
}
echo "4 variants + baseline (100 runs of 7 days): $(run cool_nights less_co2 warm_days long_lamps)"
echo "3 variants + baseline (80 runs of 7 days):  $(run cool_nights less_co2 warm_days)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "${SHOW:-0}" = 1 ]; then cat "$work/out.txt"; fi
