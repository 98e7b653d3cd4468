#!/usr/bin/env python3
"""Soak: --minutes of mixed exec and interactive sessions, --concurrency at once, through the
bastion (release build), watching the bastion process for leaks. Not run in CI.

Starts benchlib's fixture (a target sshd with MaxStartups/MaxSessions 2000 whose sessions get a
HOME with /etc/skel's startup files, one bastion with recording on and metrics on loopback) and
keeps --concurrency stock `ssh` clients in flight for the whole run: each of that many workers
runs one session after another, so a finished session is replaced at once. The mix (weights out
of 100):

  25  exec short        `id -un; echo short N`                         output checked
  20  exec output       `seq 1 N`, N 1,000..100,000 (≤ 600 KB)          line count and last line
  15  exec upload       `sha256sum` fed 16 KiB..4 MiB on stdin          digest
  15  exec long         `for i in $(seq 1 K); do echo tick $i; sleep 1; done`, K 5..30
  25  interactive       `ssh -tt … web1` in a pty of 24 × 80 (a person's terminal): waits for the
                        shell, types `echo hi; ls /; echo m-$((N+1))`,
                        pauses 0.5..4 s, types `uptime; echo m-$((N+2))`, pauses, types `exit`;
                        each marker's value (which the typed echo does not contain) must come
                        back within 60 s; with --keep, a failed shell's bytes both ways, timed,
                        are left in failures/ of the temporary directory

A session succeeds when ssh exits 0 and the output is what the command prints. Every minute the
bastion's VmRSS (/proc/PID/status), threads (/proc/PID/task), open descriptors (/proc/PID/fd),
CPU and its own `bastion_sessions_active` (metrics) are sampled, with the sessions started,
succeeded and failed in that minute. A baseline is taken before the first session; after the
last client is gone, threads and descriptors are sampled again at +10 s and +60 s.

Verdict (W = min(5, minutes // 2) minutes, at least 1):
  under load   the average of the first W minutes against the last W: RSS, threads and fds are
               flat when last ≤ first × 1.10 (threads and fds follow how many of the sessions in
               flight are connected, so they are compared the same way as RSS)
  after load   threads and fds 10 s after the last client is gone within ±2 of the baseline
               taken before the first session (else: a leak, unless +60 s comes back)
  slope        least-squares slope per minute of each over the minutes after the first W, and
               over the second half of the run: a steady climb the averages would hide, told
               apart from warm-up (the first minutes include the ramp and the allocator growing
               to its working size, so first-vs-last can say "not flat" for a curve that levelled)

    flock /tmp/swift-build.lock swift build -c release
    python3 bench/soak/soak.py                              # 30 minutes, 200 concurrent
    python3 bench/soak/soak.py --minutes 2 --concurrency 50 # a quick try
"""
import argparse, collections, datetime, fcntl, hashlib, os, platform, pty, random, select, shlex, signal, struct
import subprocess, sys, termios, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import SSH_COMMON, BenchError, Fixture, cpu_seconds, free_port, pct, rss_kib  # noqa: E402

MIX = [("exec short", 25), ("exec output", 20), ("exec upload", 15), ("exec long", 15), ("interactive", 25)]
UPLOAD_SIZES = [16 << 10, 256 << 10, 1 << 20, 4 << 20]


# ---------------------------------------------------------------------------------------------
# The sessions: each returns (ok, why) — why says what went wrong when not ok.

def last_line(data):
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:160] if lines else ""


class Sessions:
    def __init__(self, argv, timeout, failure_dir=None):
        self.argv = argv            # ssh … alice@127.0.0.1 web1
        self.timeout = timeout
        self.failure_dir = failure_dir
        self.lock = threading.Lock(); self.failures = 0; self.unverified = 0
        self.blobs = []
        for size in UPLOAD_SIZES:
            data = os.urandom(size)
            self.blobs.append((data, hashlib.sha256(data).hexdigest()))

    def keep_transcript(self, why, transcript):
        """Writes a failed interactive session's bytes, both ways and timed, under failures/."""
        with self.lock:
            self.failures += 1; n = self.failures
        if n > 50 or not self.failure_dir: return
        os.makedirs(self.failure_dir, exist_ok=True)
        with open(os.path.join(self.failure_dir, f"interactive-{n}.txt"), "w") as f:
            f.write(f"{why}\n")
            for t, way, data in transcript:
                f.write(f"{t:9.3f} {way} {data!r}\n")

    def exec(self, command, expect, stdin=b""):
        try:
            r = subprocess.run(self.argv + [command], input=stdin, capture_output=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return False, f"timeout after {self.timeout}s"
        if r.returncode != 0:
            return False, f"exit {r.returncode}: {last_line(r.stderr) or last_line(r.stdout)}"
        if not expect(r.stdout):
            return False, f"unexpected output ({len(r.stdout)} bytes, last line {last_line(r.stdout)!r})"
        return True, ""

    def exec_short(self, rng):
        n = rng.randrange(10 ** 6)
        return self.exec(f"id -un; echo short {n}", lambda out: out.endswith(f"\nshort {n}\n".encode()))

    def exec_output(self, rng):
        n = rng.randint(1_000, 100_000)
        want = "".join(f"{i}\n" for i in range(1, n + 1)).encode()
        return self.exec(f"seq 1 {n}", lambda out: out == want)

    def exec_upload(self, rng):
        data, digest = rng.choice(self.blobs)
        return self.exec("sha256sum", lambda out: out.split()[:1] == [digest.encode()], stdin=data)

    def exec_long(self, rng):
        k = rng.randint(5, 30)
        want = "".join(f"tick {i}\n" for i in range(1, k + 1)).encode()
        return self.exec(f"for i in $(seq 1 {k}); do echo tick $i; sleep 1; done", lambda out: out == want)

    def interactive(self, rng):
        """`ssh -tt … web1` in a pty of 24 × 80, as a person's terminal (with stdin a pipe, ssh
        asks for a 0 × 0 terminal: see RESULTS.md), typing two lines and `exit`."""
        n = rng.randrange(10 ** 6)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        try:
            p = subprocess.Popen(self.argv[:1] + ["-tt"] + self.argv[1:], stdin=slave, stdout=slave, stderr=slave,
                                 env=dict(os.environ, TERM="xterm", LC_ALL="C.UTF-8"), start_new_session=True)
        except OSError:
            os.close(master); raise
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        end = time.monotonic() + self.timeout
        seen = bytearray()
        transcript = []   # (seconds since the start, "<" read or ">" written, bytes)
        t_start = time.monotonic()

        def read(until):
            """Reads what is there until `until` (monotonic); False at EOF."""
            while True:
                left = until - time.monotonic()
                if left <= 0: return True
                r, _, _ = select.select([master], [], [], min(left, 1.0))
                if r:
                    try: data = os.read(master, 65536)
                    except BlockingIOError: continue
                    except OSError: data = b""   # EIO: the pty's other side is closed
                    if not data: return False
                    seen.extend(data)
                    transcript.append((time.monotonic() - t_start, "<", data))
                    del seen[:-65536]

        def write(data):
            transcript.append((time.monotonic() - t_start, ">", data))
            os.write(master, data)

        def expect(needle, within=60):
            """Whether `needle` comes within `within` seconds (the shell is up: its answer is due)."""
            until = min(end, time.monotonic() + within)
            while needle not in seen:
                if time.monotonic() > until: return False
                if not read(min(until, time.monotonic() + 0.2)): return needle in seen
            return True

        def fail(why):
            if p.poll() is None: p.kill()
            p.wait()
            self.keep_transcript(why, transcript)
            return False, f"{why}; last output {last_line(bytes(seen))!r}"

        try:
            # The shell: any output, then 0.5 s of quiet (the prompt is whatever the target's is).
            while not seen:
                if time.monotonic() > end: return fail("no output from the shell")
                if not read(time.monotonic() + 0.2): return fail(f"ended before the shell (exit {p.wait()})")
            n_seen = -1
            while n_seen != len(seen):
                n_seen = len(seen)
                if not read(time.monotonic() + 0.5): return fail(f"ended at the prompt (exit {p.wait()})")
            if b"can no longer be verified" in seen:
                with self.lock: self.unverified += 1
            for k, line in ((1, "echo hi; ls /"), (2, "uptime")):
                seen.clear()
                write(f"{line}; echo m-$(( {n} + {k} ))\r".encode())
                if not expect(f"m-{n + k}".encode()): return fail(f"no m-{n + k} within 60 s of typing {line!r}")
                read(time.monotonic() + rng.uniform(0.5, 4.0))
            write(b"exit\r")
            if read(end): return fail("did not end after exit")
            code = p.wait(max(1, end - time.monotonic()))
            return (True, "") if code == 0 else (False, f"exit {code} after exit: {last_line(bytes(seen))!r}")
        except (OSError, subprocess.TimeoutExpired) as e:
            return fail(f"{type(e).__name__}: {e}")
        finally:
            if p.poll() is None: p.kill()
            p.wait()
            os.close(master)

    def run(self, kind, rng):
        return {"exec short": self.exec_short, "exec output": self.exec_output, "exec upload": self.exec_upload,
                "exec long": self.exec_long, "interactive": self.interactive}[kind](rng)


# ---------------------------------------------------------------------------------------------
# Counting and sampling.

class Tally:
    """Sessions started, succeeded and failed per minute of the run, and why they failed."""
    def __init__(self, t0):
        self.t0 = t0
        self.lock = threading.Lock()
        self.started = collections.Counter(); self.ok = collections.Counter(); self.failed = collections.Counter()
        self.durations = collections.defaultdict(list)
        self.by_kind = collections.defaultdict(lambda: [0, 0])
        self.why = collections.Counter()
        self.in_flight = 0

    def minute(self, t):
        return int((t - self.t0) // 60)

    def start(self):
        with self.lock:
            self.started[self.minute(time.monotonic())] += 1; self.in_flight += 1

    def end(self, kind, ok, why, began):
        now = time.monotonic(); m = self.minute(now)
        with self.lock:
            self.in_flight -= 1
            (self.ok if ok else self.failed)[m] += 1
            self.by_kind[kind][0 if ok else 1] += 1
            if ok: self.durations[m].append(now - began)
            else: self.why[f"{kind}: {why}"] += 1


def proc_count(path):
    try: return len(os.listdir(path))
    except OSError: return -1


def sessions_active(port):
    """The bastion's own count (sum of bastion_sessions_active over its labels); None if unread."""
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=20).read().decode()
    except OSError as e:
        print(f"metrics not read: {e}", file=sys.stderr)
        return None
    return int(sum(float(l.rsplit(None, 1)[1]) for l in text.splitlines() if l.startswith("bastion_sessions_active")))


def sample(pid, metrics_port):
    return {"rss": rss_kib(pid), "threads": proc_count(f"/proc/{pid}/task"), "fds": proc_count(f"/proc/{pid}/fd"),
            "cpu": cpu_seconds(pid), "active": sessions_active(metrics_port), "load": os.getloadavg()[0],
            "t": time.monotonic()}


def slope(ys):
    """Least-squares slope per step; 0 for fewer than 2 points."""
    n = len(ys)
    if n < 2: return 0.0
    mx = (n - 1) / 2; my = sum(ys) / n
    return sum((i - mx) * (y - my) for i, y in enumerate(ys)) / sum((i - mx) ** 2 for i in range(n))


def header(a, binary):
    def out(cmd):
        try: return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError: return "?"
    mem = next((l.split(None, 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    commit = out("git rev-parse --short HEAD") or "?"
    dirty = out("git status --porcelain -- Sources Package.swift")
    built = datetime.datetime.fromtimestamp(os.path.getmtime(binary), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print("# bastion soak\n")
    print(f"- command: `{' '.join(shlex.quote(x) for x in [os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])}`")
    print(f"- started: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M:%S UTC')}")
    print(f"- machine: nproc {os.cpu_count()}, {mem} RAM, {platform.system()} {platform.release()}, "
          f"niceness {os.nice(0)}, load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    tree = f"git {commit}" + (f", Sources modified: {' '.join(l.split()[-1] for l in dirty.splitlines())}" if dirty else ", Sources clean")
    print(f"- bastion: {binary} (built {built}) from {a.built_from or tree}")
    print(f"- clients: {out('ssh -V 2>&1')}; target: /usr/sbin/sshd, sessions with HOME of /etc/skel startup files; bastion: recording on, metrics on")
    print(f"- load: {a.concurrency} sessions in flight for {a.minutes} min (each finished one replaced at once); "
          f"mix " + ", ".join(f"{k} {w}%" for k, w in MIX) + f"; session timeout {a.session_timeout}s; seed {a.seed}\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=int, default=30)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--session-timeout", type=int, default=300, help="a session not done by then fails (seconds)")
    ap.add_argument("--ramp", type=float, default=20, help="seconds over which the first sessions start")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/bastion"))
    ap.add_argument("--built-from", help="what the binary was built from, when not this tree (for the header)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, recordings, audit store)")
    a = ap.parse_args()
    if not os.access(a.binary, os.X_OK): sys.exit(f"{a.binary} missing: flock /tmp/swift-build.lock swift build -c release")
    header(a, a.binary)

    metrics_port = free_port()
    fx = Fixture(a.binary, bastions=(("bastion", True),), jump=False, prefix="bastion-soak-", skel_home=True,
                 config_extra=f"metrics:\n  listen: 127.0.0.1:{metrics_port}\n")
    port, bastion = fx.bastions["bastion"]
    pid = bastion.pid
    sessions = Sessions(["ssh", *SSH_COMMON.split(), "-i", f"{fx.d}/alice", "-p", str(port), "alice@127.0.0.1", "web1"],
                        a.session_timeout, os.path.join(fx.d, "failures"))
    kinds, weights = zip(*MIX)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        time.sleep(3)
        base = sample(pid, metrics_port)
        print(f"baseline before any session: RSS {base['rss'] / 1024:.1f} MiB, {base['threads']} threads, {base['fds']} fds\n",
              flush=True)
        t0 = time.monotonic(); tally = Tally(t0); deadline = t0 + 60 * a.minutes

        def worker(i):
            rng = random.Random(a.seed * 100_003 + i)
            if stop.wait(a.ramp * i / a.concurrency): return
            while time.monotonic() < deadline and not stop.is_set():
                kind = rng.choices(kinds, weights)[0]
                tally.start(); began = time.monotonic()
                try:
                    ok, why = sessions.run(kind, rng)
                except Exception as e:  # noqa: BLE001 — a harness error counts as a failure, the run goes on
                    ok, why = False, f"harness: {type(e).__name__}: {e}"
                tally.end(kind, ok, why, began)

        workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(a.concurrency)]
        for w in workers: w.start()
        rows = []
        prev = base
        for m in range(1, a.minutes + 1):
            if stop.wait(max(0.0, t0 + 60 * m - time.monotonic())): break
            s = sample(pid, metrics_port)
            with tally.lock:
                s.update(minute=m, started=tally.started[m - 1], ok=tally.ok[m - 1], failed=tally.failed[m - 1],
                         in_flight=tally.in_flight, durations=list(tally.durations[m - 1]))
            s["cpu_pct"] = 100 * (s["cpu"] - prev["cpu"]) / (s["t"] - prev["t"])
            rows.append(s); prev = s
            print(f"minute {m}: started {s['started']} ok {s['ok']} failed {s['failed']}, in flight {s['in_flight']} "
                  f"(bastion: {s['active']}), RSS {s['rss'] / 1024:.1f} MiB, {s['threads']} threads, {s['fds']} fds, "
                  f"CPU {s['cpu_pct']:.0f} %, load {s['load']:.1f}", file=sys.stderr, flush=True)
            if bastion.poll() is not None:
                print(f"the bastion exited with {bastion.returncode}", file=sys.stderr); stop.set(); break
        if bastion.poll() is not None:
            print(f"**The bastion exited during the run** (status {bastion.returncode}, minute {len(rows)}); "
                  f"the last rows are after its end.\n")
        # Drain: the workers start nothing new; the sessions in flight finish (or time out).
        drain_start = time.monotonic()
        for w in workers: w.join(a.session_timeout + 30)
        drain = time.monotonic() - drain_start
        left = sum(w.is_alive() for w in workers)
        with tally.lock:
            late_ok = sum(v for k, v in tally.ok.items() if k >= a.minutes)
            late_failed = sum(v for k, v in tally.failed.items() if k >= a.minutes)
        time.sleep(10)
        after10 = sample(pid, metrics_port)
        time.sleep(50)
        after60 = sample(pid, metrics_port)
        report(a, base, rows, tally, sessions, f"{fx.d}/bastion.log", after10, after60, drain, left, late_ok, late_failed)
    finally:
        stop.set()
        fx.close(grace=40, keep=a.keep)
        if a.keep:
            print(f"\nkept {fx.d}")


def report(a, base, rows, tally, sessions, log, after10, after60, drain, left, late_ok, late_failed):
    print("| minute | started | succeeded | failed | in flight | bastion sessions active | RSS MiB | threads | fds | "
          "bastion CPU % | load 1m | session s p50 / p99 |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in rows:
        d = s["durations"]
        dur = f"{pct(d, 0.5):.1f} / {pct(d, 0.99):.1f}" if d else "–"
        print(f"| {s['minute']} | {s['started']} | {s['ok']} | {s['failed']} | {s['in_flight']} | "
              f"{s['active'] if s['active'] is not None else '?'} | {s['rss'] / 1024:.1f} | {s['threads']} | {s['fds']} | "
              f"{s['cpu_pct']:.0f} | {s['load']:.1f} | {dur} |")
    total_ok = sum(tally.ok.values()); total_failed = sum(tally.failed.values())
    print(f"\nSessions: {sum(tally.started.values())} started, {total_ok} succeeded, {total_failed} failed "
          f"(of which after the last minute, while draining: {late_ok} succeeded, {late_failed} failed; "
          f"drain took {drain:.0f} s{f', {left} workers still running' if left else ''}).")
    print("By kind (succeeded / failed): " + ", ".join(f"{k} {v[0]} / {v[1]}" for k, v in sorted(tally.by_kind.items())) + ".")
    shells = sum(tally.by_kind["interactive"])
    print(f"Interactive sessions whose shell did not confirm the bastion's integration in time (their lines "
          f"then read from the screen, marked uncertain): {sessions.unverified} of {shells}.")
    if tally.why:
        print("\nFailures:\n")
        for why, n in tally.why.most_common(15):
            print(f"- {n} × {why}")
    levels = collections.Counter(); odd = []
    try:
        with open(log, errors="replace") as f:
            for line in f:
                parts = line.split(None, 2)
                level = parts[1] if len(parts) > 1 else "?"
                levels[level] += 1
                if level != "info" and len(odd) < 5: odd.append(line.strip()[:200])
    except OSError:
        pass
    print(f"The bastion's log: {sum(levels.values())} lines (" + ", ".join(f"{k} {v}" for k, v in levels.most_common()) + ")"
          + ("; the first that are not info:\n\n" + "\n".join(f"    {x}" for x in odd) if odd else "."))
    if not rows:
        print("\nNo minute completed: no verdict."); return
    w = max(1, min(5, len(rows) // 2))
    first, last = rows[:w], rows[-w:]
    avg = lambda xs, k: sum(x[k] for x in xs) / len(xs)
    print(f"\n### Verdict\n\nFlat: the average of the last {w} minute(s) ≤ the first {w} × 1.10 (RSS, threads and fds "
          f"alike, under load); after load, threads and fds 10 s after the last client is gone within ±2 of the "
          f"baseline before any session. Slopes: least squares over minutes {w + 1}–{len(rows)} and over the "
          f"second half, minutes {len(rows) // 2 + 1}–{len(rows)}.\n")
    print(f"| | first avg | last avg | last / first | flat | slope / minute, minutes {w + 1}–{len(rows)} | "
          f"slope / minute, second half |")
    print("|---|---:|---:|---:|---|---:|---:|")
    verdicts = []
    for key, label, scale, unit in (("rss", "RSS MiB", 1 / 1024, "MiB"), ("threads", "threads", 1, ""), ("fds", "fds", 1, "")):
        f, l = avg(first, key) * scale, avg(last, key) * scale
        flat = l <= f * 1.10
        verdicts.append(flat)
        def sl(ys):
            return f"{slope(ys):+.2f}{(' ' + unit) if unit else ''}" if len(ys) >= 3 else "–"
        ys = [r[key] * scale for r in rows]
        print(f"| {label} | {f:.1f} | {l:.1f} | {l / f:.3f} | {'yes' if flat else '**no**'} | {sl(ys[w:])} | "
              f"{sl(ys[len(ys) // 2:])} |")
    print("\n| after load | baseline | +10 s | +60 s | +10 s − baseline | back (±2) |")
    print("|---|---:|---:|---:|---:|---|")
    for key, label in (("threads", "threads"), ("fds", "fds")):
        diff = after10[key] - base[key]
        back = abs(diff) <= 2
        verdicts.append(back)
        print(f"| {label} | {base[key]} | {after10[key]} | {after60[key]} | {diff:+d} | {'yes' if back else '**no**'} |")
    print(f"| RSS MiB | {base['rss'] / 1024:.1f} | {after10['rss'] / 1024:.1f} | {after60['rss'] / 1024:.1f} | "
          f"{(after10['rss'] - base['rss']) / 1024:+.1f} | (not compared: the allocator keeps what it grew) |")
    print(f"| bastion sessions active | {base['active']} | {after10['active']} | {after60['active']} | | |")
    print(f"\n**{'Flat, nothing leaked' if all(verdicts) else 'Not flat: see the rows marked no'}** "
          f"({total_ok} sessions succeeded, {total_failed} failed).")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit(f"soak: {e}")
