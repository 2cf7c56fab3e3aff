#!/usr/bin/python3
"""The product-mix line of scenarios/line/product_mix_agv.json, in SimPy 2.3 (python3-simpy).

    src -> q -> cnc1 | cnc2 --(3 AGVs)--> b2 (6) -> wash -> A: b3 (4) -> inspect -> 10 %: q
                                                           B, C: out              90 %: out

Three products (A 50 %, B 30 %, C 20 %) arrive by an exponential interarrival time of mean
75 s into an unbounded FIFO queue. Two CNCs take from it (the first idle in flow order, cnc1
then cnc2); a part takes an exponential time by product (A 72 s, B 96 s, C 60 s) after a
changeover when its product differs from the one the CNC made last (A<->B 30 s, A<->C 18 s,
B<->C 24 s; the first part none). A changeover needs the one setter of an operator pool
(a Resource, first come first served), held for the changeover only.

A finished part waits on its CNC (blocking it) until an AGV comes. Three AGVs at 1 m/s (cnc1-
cnc2 12 m, cnc1-b2 and cnc2-b2 30 m), 15 s to load and 15 s to unload; they start at cnc1. The
part that waited longest goes first with the nearest idle AGV (ties: the lowest index), if b2
has room counting parts on their way there; the AGV drives empty to the CNC, loads (the CNC is
free from then), carries and unloads into b2 and is idle there. The washer (exponential 48 s)
sends A into b3 (capacity 4; it blocks while b3 is full), B and C out; inspection (exponential
90 s) sends 10 % back into the CNC queue (rework), the rest out. Lead time: from arrival to out.

These are the semantics of the dtwin line twin (twins/line/spec.hpp), written out with
passivate/reactivate and plain queues (the fewest SimPy events for the model, as simpy_line.py's
"direct" style), so throughput and lead time must agree with bench_line --scenario
scenarios/line/product_mix_agv.json within sampling error.

Usage: /usr/bin/python3 simpy_mix.py [--parts N] [--repeat K] [--seed S] [--json]
"""
import argparse
import json
import math
import random
import resource
import statistics
import sys
import time
from collections import deque

try:
    import SimPy  # noqa: F401
except ImportError:  # another python3 (pyenv) first on PATH: use Debian's pure-Python package
    sys.path.append("/usr/lib/python3/dist-packages")
from SimPy import __version__ as simpy_version
from SimPy.Simulation import Process, Resource, Simulation, hold, passivate, release, request

INTERARRIVAL = 75.0
MIX = (("A", 0.5), ("B", 0.3), ("C", 0.2))
CNC_MEAN = {"A": 72.0, "B": 96.0, "C": 60.0}
CHANGEOVER = {("A", "B"): 30.0, ("B", "A"): 30.0, ("A", "C"): 18.0, ("C", "A"): 18.0,
              ("B", "C"): 24.0, ("C", "B"): 24.0}
SETTERS = 1
VEHICLES = 3
SPEED = 1.0
LOAD = UNLOAD = 15.0
DIST = {("cnc1", "cnc2"): 12.0, ("cnc1", "b2"): 30.0, ("cnc2", "b2"): 30.0}
B2_CAP, B3_CAP = 6, 4
WASH_MEAN, INSPECT_MEAN = 48.0, 90.0
REWORK = 0.1


def dist(a, b):
    return 0.0 if a == b else DIST.get((a, b), DIST.get((b, a)))


class Line:
    """The queues, the fleet's dispatcher and the sink; stops the simulation at the target."""

    def __init__(self, sim, target, seed):
        self.sim, self.target = sim, target
        self.out = 0
        self.lead_sum = 0.0
        self.q, self.b2, self.b3 = deque(), deque(), deque()
        self.cncs, self.vehicles, self.jobs = [], [], deque()  # jobs: CNCs waiting for an AGV
        self.inbound = 0  # parts on their way to b2
        self.setters = Resource(capacity=SETTERS, name="setters", sim=sim)
        self.rng_route = random.Random(f"{seed}/inspect/route")

    def to_q(self, part):
        for m in self.cncs:  # the first idle CNC in flow order takes it
            if m.idle:
                m.give(part)
                return
        self.q.append(part)

    def to_b2(self, part):
        if self.wash.idle:
            self.wash.give(part)
            self.dispatch()  # the part went through b2: room made
        else:
            self.b2.append(part)

    def to_b3(self, part):
        if self.inspect.idle:
            self.inspect.give(part)
            return True
        if len(self.b3) < B3_CAP:
            self.b3.append(part)
            return True
        return False

    def to_sink(self, part):
        self.out += 1
        self.lead_sum += self.sim._t - part[0]
        if self.out >= self.target:
            self.sim.stopSimulation()

    def dispatch(self):
        """The longest-waiting part to the nearest idle AGV while b2 has room."""
        while self.jobs and len(self.b2) + self.inbound < B2_CAP:
            cnc = self.jobs[0]
            best = None
            for v in self.vehicles:
                if v.idle and (best is None or dist(v.at, cnc.name) < dist(best.at, cnc.name)):
                    best = v
            if best is None:
                return
            self.jobs.popleft()
            self.inbound += 1
            best.idle = False
            best.job = cnc
            if best.passive():  # (else it is the vehicle that just unloaded: it goes on)
                self.sim.reactivate(best)


class Station(Process):
    """A machine that idles (passivated) until a part is handed to it."""

    def __init__(self, sim, name, line, seed):
        Process.__init__(self, name=name, sim=sim)
        self.line = line
        self.idle = False
        self.part = None
        self.rng = random.Random(f"{seed}/{name}/process")

    def give(self, part):
        self.idle = False
        self.part = part
        self.sim.reactivate(self)


class Source(Process):
    def __init__(self, sim, line, seed):
        Process.__init__(self, name="src", sim=sim)
        self.line = line
        self.rng = random.Random(f"{seed}/src/arrivals")
        self.rng_mix = random.Random(f"{seed}/src/mix")

    def run(self):
        sim, line, draw, u = self.sim, self.line, self.rng.expovariate, self.rng_mix.random
        rate = 1.0 / INTERARRIVAL
        while True:
            yield hold, self, draw(rate)
            x, product = u(), MIX[-1][0]
            for name, p in MIX:
                if x < p:
                    product = name
                    break
                x -= p
            line.to_q((sim._t, product))


class Cnc(Station):
    def run(self):
        line, draw = self.line, self.rng.expovariate
        last = None
        while True:
            if line.q:
                part = line.q.popleft()
            else:
                self.idle = True
                yield passivate, self
                part = self.part
            product = part[1]
            if last is not None and last != product:
                yield request, self, line.setters
                yield hold, self, CHANGEOVER[(last, product)]
                yield release, self, line.setters
            last = product
            yield hold, self, draw(1.0 / CNC_MEAN[product])
            self.part = part  # waits on the CNC for an AGV, which takes it when loading starts
            line.jobs.append(self)
            line.dispatch()
            yield passivate, self


class Vehicle(Process):
    def __init__(self, sim, index, line):
        Process.__init__(self, name=f"agv{index}", sim=sim)
        self.line = line
        self.idle = True
        self.at = "cnc1"  # every vehicle starts at the first pickup
        self.job = None

    def run(self):
        sim, line = self.sim, self.line
        while True:
            if self.job is None:
                yield passivate, self
            cnc, self.job = self.job, None
            yield hold, self, dist(self.at, cnc.name) / SPEED  # empty, to the part
            part = cnc.part
            sim.reactivate(cnc)  # loading starts: the CNC is free
            yield hold, self, LOAD
            yield hold, self, dist(cnc.name, "b2") / SPEED
            self.at = "b2"
            yield hold, self, UNLOAD
            self.idle = True
            line.inbound -= 1
            line.to_b2(part)
            line.dispatch()


class Wash(Station):
    def run(self):
        line, draw = self.line, self.rng.expovariate
        rate = 1.0 / WASH_MEAN
        while True:
            if line.b2:
                part = line.b2.popleft()
                line.dispatch()  # room made in b2
            else:
                self.idle = True
                yield passivate, self
                part = self.part
            yield hold, self, draw(rate)
            if part[1] != "A":
                line.to_sink(part)
            elif not line.to_b3(part):
                self.part = part  # blocked: inspection moves it into b3 when it takes a part
                self.blocked = True
                yield passivate, self


class Inspect(Station):
    def run(self):
        line, draw, route = self.line, self.rng.expovariate, self.line.rng_route.random
        rate = 1.0 / INSPECT_MEAN
        wash = line.wash
        while True:
            if line.b3:
                part = line.b3.popleft()
                if wash.blocked:
                    wash.blocked = False
                    line.b3.append(wash.part)
                    self.sim.reactivate(wash)
            else:
                self.idle = True
                yield passivate, self
                part = self.part
            yield hold, self, draw(rate)
            if route() < REWORK:
                line.to_q(part)
            else:
                line.to_sink(part)


def run_mix(parts, seed):
    sim = Simulation()
    sim.initialize()
    line = Line(sim, parts, seed)
    line.cncs = [Cnc(sim, "cnc1", line, seed), Cnc(sim, "cnc2", line, seed)]
    line.wash = Wash(sim, "wash", line, seed)
    line.wash.blocked = False
    line.inspect = Inspect(sim, "inspect", line, seed)
    line.vehicles = [Vehicle(sim, i, line) for i in range(VEHICLES)]
    procs = [Source(sim, line, seed)] + line.cncs + [line.wash, line.inspect] + line.vehicles
    for p in procs:
        sim.activate(p, p.run())
    t0, c0 = time.perf_counter(), time.process_time()
    sim.simulate(until=1e18)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "parts": line.out,
        "sim_time_s": sim.now(),
        "wall_s": wall,
        "cpu_s": cpu,
        "parts_per_s": line.out / wall,
        "parts_per_cpu_s": line.out / cpu,
        "event_notices": -sim._sortpr,
        "throughput_parts_per_h": line.out / sim.now() * 3600,
        "lead_time_s": line.lead_sum / line.out,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def ci95(xs):
    """Mean and the 95 % half-width over runs (normal; 0 for one run)."""
    m = statistics.mean(xs)
    return m, (1.96 * statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", type=float, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    parts = int(a.parts)
    runs = []
    if not a.json:
        print(f"simpy_mix: SimPy {simpy_version}, Python {sys.version.split()[0]}, "
              f"{parts} parts x {a.repeat}")
        print(f"{'run':<7} {'parts':>9} {'sim_s':>11} {'wall_s':>8} {'cpu_s':>8} {'parts/s':>9} "
              f"{'notices':>10} {'parts/h':>8} {'lead_s':>8} {'peak_kB':>8}")
    for r in range(a.repeat):
        res = run_mix(parts, f"{a.seed}/{r}")
        runs.append(res)
        if not a.json:
            print(f"#{r + 1:<6} {res['parts']:>9} {res['sim_time_s']:>11.0f} {res['wall_s']:>8.3f} "
                  f"{res['cpu_s']:>8.3f} "
                  f"{res['parts_per_s']:>9.0f} {res['event_notices']:>10} "
                  f"{res['throughput_parts_per_h']:>8.3f} {res['lead_time_s']:>8.1f} "
                  f"{res['peak_rss_kb']:>8}")
    best = max(r["parts_per_s"] for r in runs)
    best_cpu = max(r["parts_per_cpu_s"] for r in runs)
    median = statistics.median(r["parts_per_s"] for r in runs)
    thr, thr_hw = ci95([r["throughput_parts_per_h"] for r in runs])
    lead, lead_hw = ci95([r["lead_time_s"] for r in runs])
    if a.json:
        print(json.dumps({"benchmark": "simpy_mix", "simpy": simpy_version,
                          "python": sys.version.split()[0], "parts": parts, "repeat": a.repeat,
                          "runs": runs, "best_parts_per_s": best, "median_parts_per_s": median,
                          "best_parts_per_cpu_s": best_cpu,
                          "throughput_parts_per_h": [thr, thr_hw], "lead_time_s": [lead, lead_hw]},
                         indent=2))
    else:
        print(f"best {best:.0f} parts/s ({best_cpu:.0f} per CPU second), median {median:.0f} "
              f"parts/s; throughput "
              f"{thr:.3f} ± {thr_hw:.3f} parts/h, lead time {lead:.1f} ± {lead_hw:.1f} s "
              f"(mean ± 95 % half-width over runs)")


if __name__ == "__main__":
    main()
