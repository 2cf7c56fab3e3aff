#!/usr/bin/python3
"""The five-machine line of bench_line.cpp, in SimPy 2.3 (Debian's python3-simpy).

    src (saturated) -> m1 -> b1 -> m2 -> b2 -> m3 -> b3 -> m4 -> b4 -> m5 -> sink

Every machine: exponential processing, mean 1 s; failures with exponential time to failure of
mean 100 s counted in operating (processing) time only, exponential repair of mean 10 s; the
interrupted part resumes after repair. Every buffer: a Store of capacity 5 (parts waiting between
machines; the part on a machine does not count). Blocking after service: a machine whose output
buffer is full keeps its finished part (its `put` waits) and takes no new part until the put is
done. m1 never starves (saturated source); m5 hands parts straight to the sink.

These are the semantics of the dtwin line twin (twins/line/spec.hpp), so the throughput in parts
per simulated second must agree with bench_line's within sampling error.

Two formulations (--style):
  direct     the machine process draws its own failures: while the time to failure left is
             shorter than the processing left, it holds until the failure, then holds the
             repair. The fewest events SimPy needs for this model (the fair, fast baseline).
  interrupt  the textbook SimPy way: a breakdown process per machine is scheduled when
             processing starts and interrupts the machine (Process.interrupt); the machine takes
             interruptLeft as the processing left. Cancelled breakdown notices stay in the heap.

Usage: /usr/bin/python3 simpy_line.py [--parts N] [--repeat K] [--style direct|interrupt] [--seed S] [--json]
"""
import argparse
import json
import random
import resource
import statistics
import sys
import time

try:
    import SimPy  # noqa: F401
except ImportError:  # another python3 (pyenv) first on PATH: use Debian's pure-Python package
    sys.path.append("/usr/lib/python3/dist-packages")
from SimPy import __version__ as simpy_version
from SimPy.Simulation import Process, Simulation, Store, get, hold, passivate, put

N_MACHINES = 5
PROCESS_MEAN = 1.0
MTBF = 100.0
MTTR = 10.0
BUFFER_CAP = 5


class Line:
    """Counts parts out and stops the simulation at the target."""

    def __init__(self, sim, target):
        self.sim = sim
        self.target = target
        self.out = 0
        self.lead_sum = 0.0


class DirectMachine(Process):
    def __init__(self, sim, name, inp, out, line, seed):
        Process.__init__(self, name=name, sim=sim)
        self.inp, self.out, self.line = inp, out, line
        self.rng_process = random.Random(f"{seed}/{name}/process")
        self.rng_ttf = random.Random(f"{seed}/{name}/ttf")
        self.rng_ttr = random.Random(f"{seed}/{name}/ttr")

    def run(self):
        sim, inp, out, line = self.sim, self.inp, self.out, self.line
        proc = self.rng_process.expovariate
        ttf_draw = self.rng_ttf.expovariate
        ttr_draw = self.rng_ttr.expovariate
        lp, lf, lr = 1.0 / PROCESS_MEAN, 1.0 / MTBF, 1.0 / MTTR
        ttf = ttf_draw(lf)
        while True:
            if inp is None:
                birth = sim._t  # saturated source: a part is always there
            else:
                yield get, self, inp, 1
                birth = self.got[0]
            rem = proc(lp)
            while ttf < rem:  # fails before the part is done
                yield hold, self, ttf
                rem -= ttf
                yield hold, self, ttr_draw(lr)  # repair
                ttf = ttf_draw(lf)
            yield hold, self, rem
            ttf -= rem
            if out is None:  # the sink
                line.out += 1
                line.lead_sum += sim._t - birth
                if line.out >= line.target:
                    sim.stopSimulation()
            else:
                yield put, self, out, [birth]  # blocks while the buffer is full


class Breakdown(Process):
    """Interrupts its machine when reactivated (scheduled by the machine at the failure time)."""

    def __init__(self, sim, name, machine):
        Process.__init__(self, name=name, sim=sim)
        self.machine = machine

    def run(self):
        while True:
            yield passivate, self
            self.interrupt(self.machine)


class InterruptMachine(DirectMachine):
    def run(self):
        sim, inp, out, line = self.sim, self.inp, self.out, self.line
        proc = self.rng_process.expovariate
        ttf_draw = self.rng_ttf.expovariate
        ttr_draw = self.rng_ttr.expovariate
        lp, lf, lr = 1.0 / PROCESS_MEAN, 1.0 / MTBF, 1.0 / MTTR
        brk = self.breakdown
        ttf = ttf_draw(lf)
        while True:
            if inp is None:
                birth = sim._t
            else:
                yield get, self, inp, 1
                birth = self.got[0]
            rem = proc(lp)
            while rem > 0:
                start = sim._t
                sim.reactivate(brk, delay=ttf)  # the failure, in operating time
                yield hold, self, rem
                if self.interrupted():
                    self.interruptReset()
                    rem = self.interruptLeft
                    yield hold, self, ttr_draw(lr)  # repair
                    ttf = ttf_draw(lf)
                else:
                    self.cancel(brk)
                    ttf -= sim._t - start
                    rem = 0
            if out is None:
                line.out += 1
                line.lead_sum += sim._t - birth
                if line.out >= line.target:
                    sim.stopSimulation()
            else:
                yield put, self, out, [birth]


def run_line(parts, seed, style):
    sim = Simulation()
    sim.initialize()
    line = Line(sim, parts)
    buffers = [Store(name=f"b{i + 1}", capacity=BUFFER_CAP, sim=sim) for i in range(N_MACHINES - 1)]
    cls = DirectMachine if style == "direct" else InterruptMachine
    machines = []
    for i in range(N_MACHINES):
        inp = buffers[i - 1] if i > 0 else None
        out = buffers[i] if i < N_MACHINES - 1 else None
        m = cls(sim, f"m{i + 1}", inp, out, line, seed)
        if style == "interrupt":
            m.breakdown = Breakdown(sim, f"m{i + 1}.breakdown", m)
            sim.activate(m.breakdown, m.breakdown.run())
        machines.append(m)
    for m in machines:
        sim.activate(m, m.run())
    t0 = time.perf_counter()
    sim.simulate(until=1e18)
    wall = time.perf_counter() - t0
    return {
        "parts": line.out,
        "sim_time_s": sim.now(),
        "wall_s": wall,
        "parts_per_s": line.out / wall,
        # every process resumption is one event notice; _sortpr counts the notices posted
        # (cancelled ones included)
        "event_notices": -sim._sortpr,
        "event_notices_per_s": -sim._sortpr / wall,
        "throughput_parts_per_sim_s": line.out / sim.now(),
        "lead_time_s": line.lead_sum / line.out,
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", type=float, default=100000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--style", choices=["direct", "interrupt"], default="direct")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    parts = int(a.parts)
    runs = []
    if not a.json:
        print(f"simpy_line: SimPy {simpy_version}, Python {sys.version.split()[0]}, "
              f"style {a.style}, {parts} parts x {a.repeat}")
        print(f"{'run':<7} {'parts':>9} {'sim_s':>11} {'wall_s':>8} {'parts/s':>9} "
              f"{'notices/s':>10} {'parts/sim':>9} {'lead_s':>7} {'peak_kB':>8}")
    for r in range(a.repeat):
        res = run_line(parts, f"{a.seed}/{r}", a.style)
        runs.append(res)
        if not a.json:
            print(f"#{r + 1:<6} {res['parts']:>9} {res['sim_time_s']:>11.0f} {res['wall_s']:>8.3f} "
                  f"{res['parts_per_s']:>9.0f} {res['event_notices_per_s']:>10.0f} "
                  f"{res['throughput_parts_per_sim_s']:>9.5f} {res['lead_time_s']:>7.2f} "
                  f"{res['peak_rss_kb']:>8}")
    best = max(r["parts_per_s"] for r in runs)
    median = statistics.median(r["parts_per_s"] for r in runs)
    thr = statistics.mean(r["throughput_parts_per_sim_s"] for r in runs)
    if a.json:
        print(json.dumps({"benchmark": "simpy_line", "simpy": simpy_version,
                          "python": sys.version.split()[0], "style": a.style, "parts": parts,
                          "repeat": a.repeat, "runs": runs, "best_parts_per_s": best,
                          "median_parts_per_s": median,
                          "mean_throughput_parts_per_sim_s": thr}, indent=2))
    else:
        print(f"best {best:.0f} parts/s, median {median:.0f} parts/s; "
              f"throughput {thr:.5f} parts per simulated second (mean of runs)")


if __name__ == "__main__":
    main()
