#!/usr/bin/env python3
"""Writes koala.jsonl: the AGC 2022 Koala compartment as a `dtwin serve --record` recording.

One twin, `agc` of plant `agc2022` (scenarios/live/koala.json), reports what the compartment
measured, at the time it measured it, from 3 February 2022 00:00 to 15 March 2022 00:00 local
time (CET, UTC+1; no daylight-saving change falls in the period):
  - the climate and actuators (GreenhouseClimate.csv, a row about every 5 minutes): air_temp,
    rh, co2, par, pipe_temp, vent_lee, vent_wind, lamps, energy_screen, blackout_screen,
    co2_dosing;
  - the outdoor weather (weather.csv of the dataset, its own rows): outdoor_temp, outdoor_rh,
    radiation, wind;
  - the plant density (PlantDensity.csv), when it changes;
  - the weekly destructive samples (PlantWeight.csv) at 00:00 of their date: the mean dry and
    fresh weight per head, the dry weight's standard error and the number of heads.
Payloads are written as JSON objects (the recording format takes an object or its text), QoS 1
and not retained (the format's defaults). A message carries the values that changed since the twin's previous message (a birth, first,
carries them all); an empty cell is a value not reported. Run from anywhere:
  python3 make_recording.py DATASET_DIR OUT.jsonl
where DATASET_DIR holds Koala/GreenhouseClimate.csv, Koala/PlantDensity.csv,
Koala/PlantWeight.csv and weather.csv (../shared/data/agc2022-lettuce).
"""
import csv
import datetime as dt
import json
import math
import statistics
import sys

START = dt.datetime(2022, 2, 3, 0, 0)
END = dt.datetime(2022, 3, 15, 0, 0)
CET = dt.timezone(dt.timedelta(hours=1))
TOPIC = "dtwin/agc2022/agc/"

CLIMATE = {"Tair": "air_temp", "Rhair": "rh", "CO2air": "co2", "PARin": "par",
           "Tpipe": "pipe_temp", "VentLee": "vent_lee", "VentWind": "vent_wind",
           "AssimLight": "lamps", "EnScr": "energy_screen", "BlckScr": "blackout_screen",
           "CO2reg": "co2_dosing"}
WEATHER = {"Tout": "outdoor_temp", "Rhout": "outdoor_rh", "Iglob": "radiation",
           "Windsp": "wind"}


def epoch(local):
    return local.replace(tzinfo=CET).timestamp()


def rows(path, fmt, columns):
    """(local time, {property: value}) per row inside [START, END]."""
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            r = {k.strip(): v for k, v in r.items()}
            t = dt.datetime.strptime(r["Date"], fmt)
            if START <= t <= END:
                vals = {}
                for col, prop in columns.items():
                    cell = r.get(col, "").strip()
                    if cell:
                        v = float(cell)
                        # light sensors read a little below zero in the dark
                        vals[prop] = max(v, 0.0) if prop in ("par", "radiation") else v
                yield t, vals


def samples(path):
    with open(path) as f:
        next(f)
        for line in f:
            date, dry, fresh = (x.strip() for x in line.split(";"))
            dry = json.loads(dry)
            fresh = json.loads(fresh)
            t = dt.datetime.strptime(date, "%m/%d/%Y")
            se = statistics.stdev(dry) / math.sqrt(len(dry))
            yield t, {"sample_dry_weight": round(statistics.mean(dry), 4),
                      "sample_dry_weight_se": round(se, 4),
                      "sample_fresh_weight": round(statistics.mean(fresh), 3),
                      "sample_heads": len(dry)}


def main(data, out):
    events = []  # (local time, order, values, is_sample)
    events += [(t, 0, v) for t, v in rows(f"{data}/Koala/GreenhouseClimate.csv",
                                           "%m/%d/%Y %H:%M", CLIMATE)]
    events += [(t, 1, v) for t, v in rows(f"{data}/weather.csv", "%m/%d/%Y %H:%M", WEATHER)]
    events += [(t, 2, {"density": v["density"]})
               for t, v in rows(f"{data}/Koala/PlantDensity.csv", "%m/%d/%Y",
                                {"Plant Density": "density"})]
    events += [(t, 3, v) for t, v in samples(f"{data}/Koala/PlantWeight.csv")
               if START <= t <= END]
    events.sort(key=lambda e: (e[0], e[1]))
    session = int(epoch(START) * 1000)
    held, seq, lines = {}, 0, []
    # the birth: the first value of every reported property that has one by the first sample
    # time of the climate
    first = {}
    for t, _, v in events:
        if t > START:
            break
        first.update(v)
    for t, order, v in events:
        changed = {k: x for k, x in v.items() if held.get(k) != x or order == 3}
        held.update(v)
        if not changed:
            continue
        ts = int(epoch(t))
        if not lines:
            body = {"session": session, "ts": ts, "values": dict(first), "seq": 0}
            lines.append({"t": ts, "topic": TOPIC + "birth", "payload": body})
            held.update(first)
            continue
        seq += 1
        body = {"session": session, "ts": ts, "values": changed, "seq": seq}
        lines.append({"t": ts, "topic": TOPIC + "reported", "payload": body})
    with open(out, "w") as f:
        f.write("# AGC 2022 Koala compartment (Koidra Tech Inc., MIT: LICENSE beside this file),\n")
        f.write("# as dtwin serve --record writes it; made by make_recording.py\n")
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
