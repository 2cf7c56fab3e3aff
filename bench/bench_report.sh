#!/usr/bin/env bash
# The HTML report with a large series: a year at 5-minute steps (105,120 rows) of 8 greenhouse
# variables, with dates, beside a real greenhouse run's results. Times `dtwin report` (writing
# the file), then opens it in headless Chromium and reads what the page measured itself: the
# time to draw every chart (data-draw-ms, JSON parsing included) and the mean time to move the
# one-week window, every chart redrawn (data-window-ms, 20 moves).
#
#   bench/bench_report.sh build/bin/dtwin
set -euo pipefail
dtwin=$(realpath "${1:-build/bin/dtwin}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
"$dtwin" run scenarios/greenhouse/tomato_season_hps.json --variant baseline --out "$work/run" -q
# the year: 8 variables with daily and seasonal swings, dates from 2023-09-27
awk 'BEGIN {
  OFS = ","; print "time_s,time,gh.air.temp_c,gh.canopy.temp_c,gh.pipe.temp_c,gh.air.vp_pa,gh.air.co2_mg_m3,gh.air.rh_pct,gh.weather.rad_w_m2,gh.kpi.heating_mj_m2";
  pi = 3.141592653589793; t0 = 1695772800;  # 2023-09-27T00:00:00
  for (i = 0; i <= 105120; i++) {
    t = i * 300; d = t / 86400; h = (t % 86400) / 3600;
    day = sin(2 * pi * (h - 6) / 24); season = cos(2 * pi * d / 365);
    s = t0 + t; cmd = "";
    print t, strftime("%Y-%m-%dT%H:%M:%S", s, 1), 19 + 2 * day + 0.3 * sin(i), 18.5 + 2.2 * day,
      45 + 10 * season, 1500 + 200 * day, 1200 + 300 * day * day, 80 + 5 * day,
      (day > 0 ? 600 * day * (1 - 0.5 * season) : 0), d * 1.2
  }
}' > "$work/run/timeseries.csv"
s=$(date +%s.%N)
"$dtwin" report "$work/run" --out "$work/report.html" -q
e=$(date +%s.%N)
size=$(stat -c %s "$work/report.html")
measure() {  # the address's fragment
  chromium --headless --no-sandbox --disable-gpu --user-data-dir="$work/profile" \
    --window-size=1300,3000 --dump-dom "file://$work/report.html#$1" 2>/dev/null |
    grep -o 'data-[a-z-]*ms="[0-9.]*"\|data-status="[a-z]*"' | tr '\n' ' '
}
printf 'dtwin report: %.2f s, %.1f MB\n' "$(echo "$e - $s" | bc)" "$(echo "$size / 1048576" | bc -l)"
echo "opened on one week: $(measure 'from=2024-01-08&span=7d&bench=1')"
echo "opened on the whole year: $(measure 'bench=1')"
