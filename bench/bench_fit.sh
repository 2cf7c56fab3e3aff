#!/usr/bin/env bash
# dtwin fit on 30 days of a 10-machine line's history (the issue's size): a serial line of 10
# machines with exponential, lognormal, normal and Weibull times, failures on most, setups on
# some; its event log written by `dtwin run --events` (every change of every machine's state,
# parts and speed: about 1.7 million rows); then `dtwin fit` timed without and with its
# validation (20 runs of the calibrated line over the 30 days, on every core).
#
#   bench/bench_fit.sh build/bin/dtwin
set -euo pipefail
dtwin=$(realpath "${1:-build/bin/dtwin}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/line.json" <<'PY'
import json, sys
twins = {"src": {"kind": "source", "saturated": True}, "sink": {"kind": "sink"}}
flow, prev = [], "src"
procs = [{"dist": "exponential", "mean": 40}, {"dist": "lognormal", "mean": 42, "sd": 12},
         {"dist": "normal", "mean": 38, "sd": 5}, {"dist": "weibull", "shape": 3, "scale": 45}]
for i in range(1, 11):
    m = {"kind": "machine", "process": procs[i % 4]}
    if i % 3 != 0:
        m["mtbf"], m["mttr"] = "%dh" % (6 + i), "%dmin" % (10 + i)
    if i % 4 == 0:
        m["setup"] = {"duration": 240, "every": 40}
    twins["m%d" % i] = m
    flow.append([prev, "m%d" % i])
    if i < 10:
        twins["b%d" % i] = {"kind": "buffer", "capacity": 6}
        flow.append(["m%d" % i, "b%d" % i])
        prev = "b%d" % i
    else:
        flow.append(["m10", "sink"])
json.dump({"name": "ten machines", "seed": 11, "duration": "30d", "replications": 20,
           "twins": twins, "flow": flow}, open(sys.argv[1], "w"), indent=1)
PY
"$dtwin" run "$work/line.json" -q --no-timeseries --replications 1 --out "$work/run" \
  --events "$work/log.csv"
echo "event log: $(($(wc -l < "$work/log.csv") - 1)) rows, $(du -h "$work/log.csv" | cut -f1)"
s=$(date +%s.%N)
"$dtwin" fit "$work/line.json" --events "$work/log.csv" --no-validate -q --out "$work/p.json"
e=$(date +%s.%N)
echo "dtwin fit --no-validate: $(echo "$e - $s" | bc) s"
s=$(date +%s.%N)
"$dtwin" fit "$work/line.json" --events "$work/log.csv" --out "$work/p.json" | tail -2 | head -1
e=$(date +%s.%N)
echo "dtwin fit with its validation (20 runs of 30 days): $(echo "$e - $s" | bc) s"
