#!/usr/bin/env python3
"""The PyOPUS-style anchor of ParaVM's parallel-efficiency benchmark (issue 13).

The same loop as io.paravm.benchmarks.efficiency.EfficiencyJob, written on mpi4py the way
PyOPUS's MPI virtual machine farms work: rank 0 (the spawner) sends one task to every free
worker and the next one to a worker as soon as its reply arrives; the workers wait in a
blocking receive, compute and reply. Same CPU loop (xorshift64, the same values as
CpuWork.spin for the same seed and iteration count), same task sizes, same rounds, same
idle window, same process accounting (every process of the job: timeout, mpirun, ranks).
Writes efficiency-mpi4py-<label>.json with the fields of JobFigures.

benchmarks/run.sh runs it (through BenchRunner) as:
  mpirun.openmpi --oversubscribe --report-bindings -np N /usr/bin/python3 efficiency_anchor.py \
      --out DIR --label npN --runner-pid PID [--quick] --sizes-us 1000 --work-ms 400 --rounds 2 ...
It needs Debian's python3-mpi4py and python3-psutil (benchmarks/anchor/install.sh).
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time

import mpi4py
import psutil
from mpi4py import MPI

WORK, SERIAL, TRIVIAL, CALIBRATE, INFO, STOP = range(1, 7)
REPLY, WAKE = 10, 11
MASK = (1 << 64) - 1
# Idle windows, each followed by one trivial task's answer (as EfficiencyJob.IDLE_WINDOWS)
IDLE_WINDOWS = 4
MIN_TASKS, MAX_TASKS = 50, 20_000  # as EfficiencyPlan's


def spin(seed, iterations):
    """iterations rounds of xorshift64 from seed | 1: CpuWork.spin's values."""
    x = (seed | 1) & MASK
    for _ in range(iterations):
        x ^= (x << 13) & MASK
        x ^= x >> 7
        x ^= (x << 17) & MASK
    return x


def timed(seed, iterations):
    """One task: (value, cpu ns, start, end), start and end on CLOCK_MONOTONIC (one clock for the machine)."""
    start = time.monotonic_ns()
    c0 = time.thread_time_ns()
    value = spin(seed, iterations)
    c1 = time.thread_time_ns()
    return value, c1 - c0, start, time.monotonic_ns()


def calibrate(millis):
    """Iterations per ms of this thread's CPU, after a warm-up."""
    batch = 1000
    for _ in range(20):
        c0 = time.thread_time_ns()
        spin(batch, batch)
        if time.thread_time_ns() - c0 >= 2_000_000:
            break
        batch *= 2
    iterations, cpu = 0, 0
    for i in range(10_000):
        if cpu >= millis * 1_000_000:
            break
        c0 = time.thread_time_ns()
        spin(i, batch)
        cpu += time.thread_time_ns() - c0
        iterations += batch
    return max(1, iterations * 1_000_000 // max(1, cpu))


def worker(comm):
    """PyOPUS's worker: wait for a task, run it, reply; until STOP."""
    status = MPI.Status()
    while True:
        msg = comm.recv(source=0, tag=MPI.ANY_TAG, status=status)
        tag = status.Get_tag()
        if tag == STOP:
            return
        if tag == WORK:
            reply = timed(msg[0], msg[1])
        elif tag == TRIVIAL:
            reply = msg + 1
        elif tag == SERIAL:
            seeds, iterations = msg
            t0 = time.monotonic_ns()
            runs = [timed(s, iterations) for s in seeds]
            reply = ([r[0] for r in runs], [r[1] for r in runs], time.monotonic_ns() - t0)
        elif tag == CALIBRATE:
            reply = calibrate(msg)
        elif tag == INFO:
            reply = (os.getpid(), len(os.sched_getaffinity(0)))
        else:
            raise RuntimeError("anchor worker: unknown tag %d" % tag)
        comm.send(reply, dest=0, tag=REPLY)


def farm(comm, workers, make, count, deadline=None):
    """PyOPUS's loop on the spawner: make(i) = (tag, message) to every free worker, the next on a reply.

    Sends no new task after deadline (monotonic ns). Returns (replies, sent, answered), by task."""
    replies, sent, answered = [], [], []
    running = {}
    free = list(workers)
    status = MPI.Status()

    def send(w):
        i = len(sent)
        tag, msg = make(i)
        replies.append(None)
        answered.append(0)
        sent.append(time.monotonic_ns())
        comm.send(msg, dest=w, tag=tag)
        running[w] = i

    while free and len(sent) < count:
        send(free.pop(0))
    while running:
        reply = comm.recv(source=MPI.ANY_SOURCE, tag=REPLY, status=status)
        now = time.monotonic_ns()
        w = status.Get_source()
        i = running.pop(w)
        replies[i] = reply
        answered[i] = now
        if len(sent) < count and (deadline is None or now < deadline):
            send(w)
    return replies, sent, answered


class Processes:
    """Every process of the job (the runner's child and its descendants), and their CPU (utime + stime)."""

    def __init__(self, runner_pid, worker_info):
        me = psutil.Process()
        root = me
        for _ in range(64):
            parent = root.parent()
            if parent is None or parent.pid == 1 or parent.pid == runner_pid:
                break
            if runner_pid <= 0 and parent.name() not in ("timeout", "mpirun", "orterun", "mpirun.openmpi", "python3"):
                break
            root = parent
        self.root = root
        self.roles = {me.pid: "spawner"}
        seen_cpus = {me.pid: len(os.sched_getaffinity(0))}
        for rank, (pid, cpus) in sorted(worker_info.items()):
            self.roles[pid] = "worker %d" % rank
            seen_cpus[pid] = cpus
        names = {}
        for p in [root] + root.children(recursive=True):
            if p.pid in self.roles:
                continue
            name = p.name()
            names[name] = names.get(name, 0) + 1
            self.roles[p.pid] = name if names[name] == 1 else "%s #%d" % (name, names[name])
        self.handles = {pid: psutil.Process(pid) for pid in self.roles}
        self.infos = []
        for pid, role in self.roles.items():
            p = self.handles[pid]
            try:
                command = " ".join(p.cmdline())
                allowed = ranges(p.cpu_affinity())
            except psutil.Error:
                command, allowed = "?", "?"
            self.infos.append({"pid": pid, "role": role, "command": command[:160], "cpusAllowed": allowed,
                               "cpusSeen": seen_cpus.get(pid, -1)})

    def cpu(self):
        out = {}
        for pid, p in self.handles.items():
            try:
                t = p.cpu_times()
                out[pid] = t.user + t.system
            except psutil.Error:
                pass
        return out

    def percent(self, before, after, wall_ns):
        out, total = {}, 0.0
        for pid, role in self.roles.items():
            if pid in before and pid in after:
                pct = 100.0 * (after[pid] - before[pid]) * 1e9 / wall_ns
                out[role] = pct
                total += pct
        out["all processes"] = total
        return out


def ranges(cpus):
    """[0, 1, 2, 5] -> "0-2,5", as Cpus_allowed_list writes it."""
    cpus = sorted(cpus)
    parts, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        parts.append(str(cpus[i]) if i == j else "%d-%d" % (cpus[i], cpus[j]))
        i = j + 1
    return ",".join(parts)


def max_running(replies, sent, answered):
    """Most tasks running at once from their own (start, end); -1 if one lies outside its send..reply."""
    starts, ends = [], []
    for r, s, a in zip(replies, sent, answered):
        if r[2] < s or r[3] > a:
            return -1
        starts.append(r[2])
        ends.append(r[3])
    starts.sort()
    ends.sort()
    running = most = i = j = 0
    while i < len(starts):
        if starts[i] < ends[j]:
            running += 1
            most = max(most, running)
            i += 1
        else:
            running -= 1
            j += 1
    return most


def median(values):
    return statistics.median(values) if values else -1


def say(prefix, text):
    print("bench: efficiency %s: %s" % (prefix, text), flush=True)


def spawner(comm, args):
    workers = list(range(1, comm.Get_size()))
    prefix = "mpi4py-" + args.label
    load_start = [round(x, 2) for x in os.getloadavg()]
    sizes = [int(s) for s in args.sizes_us.split(",")]
    say(prefix, "%d worker(s), %d CPU(s) seen by the spawner; mpi4py %s, thread level %d"
        % (len(workers), len(os.sched_getaffinity(0)), mpi4py.__version__, MPI.Query_thread()))

    def check_trivial(replies):
        for i, r in enumerate(replies):
            if r != i + 1:
                raise RuntimeError("trivial task %d returned %r, expected %d" % (i, r, i + 1))

    # 1. the fresh job's first trivial tasks
    replies, sent, answered = farm(comm, workers, lambda i: (TRIVIAL, i), args.cold_tasks)
    first_result_wall = time.time() - (time.monotonic_ns() - min(answered)) / 1e9
    check_trivial(replies)
    cold_n = len(replies)
    block = max(1, cold_n // 10)
    blocks = [block / ((max(answered[f:f + block]) - sent[f]) / 1e9) for f in range(0, cold_n - block + 1, block)]
    cold_rate = cold_n / ((max(answered) - sent[0]) / 1e9)
    say(prefix, "first %d trivial tasks at %.0f tasks/s" % (cold_n, cold_rate))

    # 2. warm trivial loop (Python has no JIT: constant and capturing are the same task here)
    rates, trips = [], []
    for r in range(args.trivial_rounds + 1):
        end = time.monotonic_ns() + args.trivial_ms * 1_000_000
        replies, sent, answered = farm(comm, workers, lambda i: (TRIVIAL, i), 10 ** 9, end)
        check_trivial(replies)
        if r > 0:
            rates.append(len(replies) / ((max(answered) - sent[0]) / 1e9))
            trips.append(statistics.median([a - s for a, s in zip(answered, sent)]) / 1e3)
    round_trip = median(trips)
    say(prefix, "warm trivial loop: %.0f tasks/s; round trip %.1f us" % (median(rates), round_trip))

    # 3. processes, calibration
    info = {}
    for w in workers:
        comm.send(None, dest=w, tag=INFO)
        info[w] = comm.recv(source=w, tag=REPLY)
    procs = Processes(args.runner_pid, info)
    launch_to_first = (first_result_wall - procs.root.create_time()) * 1e3
    comm.send(300, dest=workers[0], tag=CALIBRATE)
    per_ms = comm.recv(source=workers[0], tag=REPLY)
    say(prefix, "launch to first result %.0f ms; processes %s; CPU loop %d iterations/ms"
        % (launch_to_first, [p["role"] + " [" + p["cpusAllowed"] + "]" for p in procs.infos], per_ms))

    # 4. idle, as EfficiencyJob: IDLE_WINDOWS windows (the spawner blocked in a receive, woken by a message to
    # itself; the workers waiting for work), each followed by one trivial task's answer; CPU over the windows only
    used, zero, wall, answers = {}, {}, 0, []
    for _ in range(IDLE_WINDOWS):
        before = procs.cpu()
        t0 = time.monotonic_ns()
        if MPI.Query_thread() == MPI.THREAD_MULTIPLE:
            waker = threading.Timer(args.idle_ms / 1000, lambda: comm.send(None, dest=0, tag=WAKE))
            waker.start()
            comm.recv(source=0, tag=WAKE)
            waker.join()
        else:
            time.sleep(args.idle_ms / 1000)
        wall += time.monotonic_ns() - t0
        for pid, after in procs.cpu().items():
            if pid in before:
                used[pid] = used.get(pid, 0.0) + after - before[pid]
                zero[pid] = 0.0
        s = time.monotonic_ns()
        comm.send(0, dest=workers[0], tag=TRIVIAL)
        comm.recv(source=workers[0], tag=REPLY)
        answers.append((time.monotonic_ns() - s) / 1e3)
    idle_cpu = procs.percent(zero, used, wall)
    first_answer = median(answers)
    say(prefix, "idle %d x %.1f s: CPU %% of a core %s; first answer after each %s us"
        % (IDLE_WINDOWS, args.idle_ms / 1000, {k: round(v, 1) for k, v in idle_cpu.items()}, [round(a) for a in answers]))

    # 5. CPU-bound tasks: rounds of serial (one task on one worker) and the PyOPUS loop
    runs = []
    for micros in sizes:
        iterations = max(1, per_ms * micros // 1000)
        n = max(MIN_TASKS, min(MAX_TASKS, args.work_ms * 1000 // micros))
        serial_s, parallel_s, speedups, cpu_serial, cpu_par, wall_par, share = [], [], [], [], [], [], []
        cpu_weighted, wall_total, most = {}, 0, 0
        for rnd in range(args.rounds + 1):
            count = max(MIN_TASKS, n // 4) if rnd == 0 else n
            base = micros * 1_000_003 + rnd * 7_919_000_000
            seeds = [base + i for i in range(count)]
            s = time.monotonic_ns()
            comm.send((seeds, iterations), dest=workers[0], tag=SERIAL)
            values, cpus, serial_wall = comm.recv(source=workers[0], tag=REPLY)
            serial = (time.monotonic_ns() - s) / 1e9
            before = procs.cpu()
            t0 = time.monotonic_ns()
            replies, sent, answered = farm(comm, workers, lambda i: (WORK, (seeds[i], iterations)), count)
            t1 = time.monotonic_ns()
            cpu = procs.percent(before, procs.cpu(), t1 - t0)
            for i, r in enumerate(replies):
                if r[0] != values[i]:
                    raise RuntimeError("task %d returned %d, but the serial run %d" % (i, r[0], values[i]))
            if rnd == 0:
                continue
            parallel = (max(answered) - sent[0]) / 1e9
            serial_s.append(serial)
            parallel_s.append(parallel)
            speedups.append(serial / parallel)
            cpu_serial.append(sum(cpus) / len(cpus) / 1e3)
            share.append(sum(cpus) / serial_wall)
            cpu_par.append(sum(r[1] for r in replies) / len(replies) / 1e3)
            wall_par.append(sum(r[3] - r[2] for r in replies) / len(replies) / 1e3)
            for role, pct in cpu.items():
                cpu_weighted[role] = cpu_weighted.get(role, 0.0) + pct * (t1 - t0)
            wall_total += t1 - t0
            m = max_running(replies, sent, answered)
            most = -1 if m < 0 or most < 0 else max(most, m)
        speedup = median(speedups)
        task_wall = median(wall_par)
        cpu = {role: v / wall_total for role, v in cpu_weighted.items()}
        run = {"taskMicros": micros, "mode": "anchor loop", "tasks": n, "serialSeconds": serial_s,
               "parallelSeconds": parallel_s, "speedup": speedup, "speedupMin": min(speedups),
               "speedupMax": max(speedups), "efficiency": speedup / len(workers),
               "tasksPerSecond": n / median(parallel_s), "taskCpuMicrosSerial": median(cpu_serial), "serialCpuShare": median(share),
               "taskCpuMicrosParallel": median(cpu_par), "taskWallMicrosParallel": task_wall, "cpuPercent": cpu,
               "maxRunning": most, "capEfficiency": task_wall / (task_wall + round_trip) if round_trip > 0 else -1}
        runs.append(run)
        say(prefix, "%d us, anchor loop: speed-up %.2f (%.2f-%.2f), efficiency %.2f (cap %.2f), %.0f tasks/s; "
            "task CPU %.0f us serial (%.0f%% of its wall), %.0f parallel; most running %d; CPU %% of a core %s"
            % (micros, speedup, run["speedupMin"], run["speedupMax"], run["efficiency"], run["capEfficiency"],
               run["tasksPerSecond"], run["taskCpuMicrosSerial"], 100 * run["serialCpuShare"], run["taskCpuMicrosParallel"], most,
               {k: round(v, 1) for k, v in cpu.items()}))

    for w in workers:
        comm.send(None, dest=w, tag=STOP)
    figures = {
        "backend": "mpi4py", "label": args.label, "ranks": comm.Get_size(), "workers": len(workers),
        "cpusSeen": len(os.sched_getaffinity(0)),
        "engine": "mpi4py %s on %s, Python %s (PyOPUS-style loop)" % (
            mpi4py.__version__, MPI.Get_library_version().replace('\x00', '').splitlines()[0].strip(), sys.version.split()[0]),
        "quick": args.quick, "binding": None, "launchToFirstResultMillis": launch_to_first, "calibration": per_ms,
        "processes": procs.infos,
        "idle": {"seconds": wall / 1e9, "cpuPercent": idle_cpu, "firstAnswerAfterIdleMicros": first_answer,
                 "warmAnswerMicros": round_trip, "answersAfterIdleMicros": answers},
        "trivial": {"coldTasks": cold_n, "coldTasksPerSecond": cold_rate, "coldBlocksTasksPerSecond": blocks,
                    "warmConstantTasksPerSecond": median(rates), "warmCapturingTasksPerSecond": median(rates),
                    "roundTripMicros": round_trip, "resultMicros": round_trip, "farmMapTasksPerSecond": -1},
        "runs": runs, "loadAverageStart": load_start, "loadAverageEnd": [round(x, 2) for x in os.getloadavg()],
    }
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "efficiency-mpi4py-%s.json" % args.label)
    with open(path, "w") as f:
        json.dump(figures, f, indent=2)
    say(prefix, "wrote " + path)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--runner-pid", type=int, default=-1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--sizes-us", required=True)
    p.add_argument("--work-ms", type=int, required=True)
    p.add_argument("--rounds", type=int, required=True)
    p.add_argument("--cold-tasks", type=int, required=True)
    p.add_argument("--trivial-ms", type=int, required=True)
    p.add_argument("--trivial-rounds", type=int, required=True)
    p.add_argument("--idle-ms", type=int, required=True)
    p.add_argument("--trivial-map", type=int, default=0, help="ignored: the anchor has no task farm")
    p.add_argument("--chunked", action="store_true", help="ignored: the anchor sends one task a message")
    args = p.parse_args()
    comm = MPI.COMM_WORLD
    if comm.Get_size() < 2:
        sys.exit("efficiency_anchor.py: needs at least 2 ranks (a spawner and a worker); start it with mpirun.openmpi -np N")
    if comm.Get_rank() == 0:
        try:
            spawner(comm, args)
        except BaseException:
            import traceback
            traceback.print_exc()
            sys.stdout.flush()
            comm.Abort(1)
    else:
        worker(comm)


if __name__ == "__main__":
    main()
