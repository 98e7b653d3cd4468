#!/usr/bin/env python3
"""Interactive-shell benchmark: keystroke echo latency and Enter-to-execution time, in one run.

Three paths to the same bash on the same target sshd, each driven by stock `ssh -tt -e none`
clients, every one in its own pty:

    direct ssh             ssh -c aes128-gcm@openssh.com to the target (the bastion's cipher)
    bastion, no intercept  through a bastion whose role says `interactive: {intercept: false}`
    bastion, intercept     through a bastion that decides every line typed (the product)

For each N of --sessions, N sessions of each path run at once. In each session, at a prompt,
one lowercase letter at a time is typed (paced --gap ms apart, Ctrl-U every 20 keys), and the
time from the write to the pty until the letter's echo comes back is taken. Then a short line
(`printf 'E%sE\\n' 7`) is typed, and once its echo is back, the time from writing the Enter
until the command's output (`E7E`) appears. Prints Markdown tables; see README.md.

    swift build -c release --product bastion && python3 bench/interactive/bench.py
    python3 bench/interactive/bench.py --quick
"""
import argparse, fcntl, heapq, json, os, pty, random, re, resource, selectors, shutil, signal, socket, statistics, struct
import subprocess, sys, tempfile, termios, time, urllib.request
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import BenchError, CLK, autogroup, cpu_seconds, free_port, pct, sh, steal_seconds  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT = "@@@ "                        # PS1 in every session: no lowercase letters in it
SETUP = "PS1='@''@@ '; unset HISTFILE"  # typed once; its own echo does not contain the prompt
# The allowed line of the Enter test (a builtin: no fork). It prints the target's clock as bash
# expands its arguments, the moment it runs: `E1796201249.576115E`, which its echo does not contain.
LINE = 'printf \'E%sE\\n\' "$EPOCHREALTIME"'
OUTPUT = re.compile(r"E(\d+\.\d+)E")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
BURST = 20                              # keys between two Ctrl-U (the line never wraps)


# ---------------------------------------------------------------------------------------------
# Fixture: a target sshd and two bastions on free loopback ports, keys in a temporary directory
# (the approach of bench/ssh/bench.py).

class Fixture:
    def __init__(self):
        self.procs = []
        self.d = tempfile.mkdtemp(prefix="bastion-ibench-")

    def start(self, binary, bastion_env=(), own_home=False, completion=False):
        d = self.d
        self.user = sh("id -un").strip()
        sh(f"""cd {d}
            ssh-keygen -q -t ed25519 -N '' -f ca
            ssh-keygen -q -t ed25519 -N '' -f alice
            ssh-keygen -q -s ca -I alice@bench -n alice -V -5m:+8h -O extension:groups@bastion=engineering alice.pub
            mkdir plain; cp alice alice.pub plain/
            ssh-keygen -q -t ed25519 -N '' -f vault_key
            ssh-keygen -q -t ed25519 -N '' -f target_host
            cat vault_key.pub alice.pub > authorized_keys; chmod 600 authorized_keys
            mkdir -p /run/sshd 2>/dev/null || true
            mkdir home; touch home/.hushlogin
            for f in .profile .bashrc .bash_logout; do [ -f /etc/skel/$f ] && cp /etc/skel/$f home/; done; true""")
        if completion:
            # A completion function, as bash-completion sets many: the integration then announces
            # no token, and every line takes the round trip (Debian's and Ubuntu's default).
            with open(f"{d}/home/.bashrc", "a") as f:
                f.write("_bench_complete() { :; }\ncomplete -F _bench_complete ssh\n")
        # The sessions' HOME: the distribution's default startup files (/etc/skel), unless
        # --own-startup-files; then the target user's own (which may be slow to start, and
        # whose history file the sessions leave alone: they unset HISTFILE).
        home = "" if own_home else f"SetEnv HOME={d}/home\n"
        self.target = free_port()
        with open(f"{d}/sshd_config", "w") as f:
            f.write(f"ListenAddress 127.0.0.1\nPort {self.target}\nHostKey {d}/target_host\nPidFile {d}/sshd.pid\n"
                    f"AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\nUsePAM no\nStrictModes no\n"
                    f"PermitRootLogin prohibit-password\nMaxStartups 2000:30:2000\nMaxSessions 2000\nPrintMotd no\n"
                    f"PrintLastLog no\n{home}")
        self.sshd = self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", f"{d}/sshd_config"], "sshd")
        self.wait_port(self.target, self.sshd, "sshd")
        # Same role both times (the example's guard with one rule), interception on or off.
        role = ("roles:\n  - name: engineer\n    groups: [engineering]\n    targets: [web1]\n"
                "    capabilities: [shell, exec]\n    mode: guard\n    guards: [destructive]\n"
                "    rules:\n      - id: no-secrets\n        action: deny\n        command: [cat, less, head, tail]\n"
                "        args: [/etc/shadow]\n        message: no reading of password hashes\n")
        self.bastions = {}
        self.metrics_ports = {}
        for label, intercept in (("noint", "false"), ("int", "true")):
            with open(f"{d}/policy-{label}.yaml", "w") as f:
                f.write(role + f"    interactive: {{intercept: {intercept}}}\n")
            port, metrics_port = free_port(), free_port()
            cfg = f"{d}/bastion-{label}.yaml"
            with open(cfg, "w") as f:
                # (Metrics on both alike: the Enter table reads the intercepting one's count of
                # lines answered early.)
                f.write(f"metrics:\n  listen: 127.0.0.1:{metrics_port}\n"
                        f"server:\n  listen: 127.0.0.1:{port}\n  state_dir: state-{label}\n"
                        f"  auth_timeout: 120s\n  target_connect_timeout: 120s\n"
                        f"auth:\n  user_ca_files: [ca.pub]\ntargets:\n  - name: web1\n    host: 127.0.0.1\n"
                        f"    port: {self.target}\n    user: {self.user}\n    key: vault\n    host_key_file: target_host.pub\n"
                        f"policy_file: policy-{label}.yaml\n")
            sh(f"{binary} policy check --config {cfg} && {binary} vault add vault --key-file {d}/vault_key --config {cfg}")
            p = self.spawn([binary, "serve", "--config", cfg] + (["--allow-root"] if os.geteuid() == 0 else []), f"bastion-{label}", dict(bastion_env))
            self.wait_port(port, p, f"bastion-{label}")
            self.bastions[label] = (port, p)
            self.metrics_ports[label] = metrics_port
        common = ["-tt", "-e", "none", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                  "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none"]
        # (label, argv, bastion process or None)
        self.paths = [
            ("direct ssh", ["ssh", *common, "-c", "aes128-gcm@openssh.com", "-i", f"{d}/plain/alice",
                            "-p", str(self.target), f"{self.user}@127.0.0.1"], None),
            ("bastion, no intercept", ["ssh", *common, "-i", f"{d}/alice", "-p", str(self.bastions["noint"][0]),
                                       "alice@127.0.0.1", "web1"], self.bastions["noint"][1]),
            ("bastion, intercept", ["ssh", *common, "-i", f"{d}/alice", "-p", str(self.bastions["int"][0]),
                                    "alice@127.0.0.1", "web1"], self.bastions["int"][1]),
        ]

    def pin(self):
        """The bastions on CPU 0, the target's sshd (and the sessions and shells it starts, which
        inherit it) on CPU 1, every thread of each: as when the target is another machine. On
        loopback the kernel wakes sshd on the CPU of the bastion that wrote to it (a sync wakeup),
        where it waits until the bastion has finished deciding the line."""
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            raise BenchError("--pin needs two CPUs")
        for proc, cpu in [(p, cpus[0]) for _, p in self.bastions.values()] + [(self.sshd, cpus[1])]:
            for tid in os.listdir(f"/proc/{proc.pid}/task"):
                os.sched_setaffinity(int(tid), {cpu})

    def spawn(self, argv, name, env=None):
        log = open(f"{self.d}/{name}.log", "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.d,
                             start_new_session=True, env=dict(os.environ, **env) if env else None)
        log.close()
        p.name = name
        self.procs.append(p)
        return p

    def wait_port(self, port, proc, name, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if proc.poll() is not None:
                raise BenchError(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close(); return
            except OSError:
                time.sleep(0.05)
        raise BenchError(f"{name} does not listen on 127.0.0.1:{port} after {timeout}s:\n{self.log_tail(name)}")

    def log_tail(self, name, lines=15):
        try:
            with open(f"{self.d}/{name}.log", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def close(self, keep=False):
        stop(self.procs)
        if not keep:
            shutil.rmtree(self.d, ignore_errors=True)


def stop(procs, grace=3.0):
    """SIGTERM, then SIGKILL what is still there after `grace` seconds; only our own processes."""
    for p in procs:
        if p.poll() is None:
            try: p.terminate()
            except OSError: pass
    end = time.monotonic() + grace
    for p in procs:
        try: p.wait(max(0.0, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            try: p.kill(); p.wait(2)
            except (OSError, subprocess.TimeoutExpired): pass


# ---------------------------------------------------------------------------------------------
# Sessions: one ssh client in one pty, a terminal-output filter, and a script (a generator) that
# the event loop drives.

class Session:
    def __init__(self, argv, index):
        self.index = index
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        env = dict(os.environ, TERM="xterm", LC_ALL="C.UTF-8")
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        os.set_blocking(master, False)
        self.fd = master
        self.text = []          # printable output (escape sequences and controls removed)
        self.raw_tail = b""     # the last raw bytes, for error messages
        self.state = 0          # escape-sequence filter state
        self.mark = 0           # where the current expectation starts looking
        self.dead = False
        self.match = None       # the last pattern found (find)
        self.wrote_at = 0.0     # time.time() of the last write

    def feed(self, data):
        """Keeps the printable text of the output: drops CSI, OSC (until BEL or ST) and other
        ESC sequences, and C0 controls but newline."""
        self.raw_tail = (self.raw_tail + data)[-400:]
        out = self.text
        st = self.state
        if st == 0 and b"\x1b" not in data:   # the usual case: an echo
            out.extend(ch for ch in data.decode("latin-1") if ch >= " " or ch == "\n")
            return
        for ch in data.decode("latin-1"):
            o = ord(ch)
            if st == 0:
                if o == 0x1B: st = 1
                elif o >= 0x20 or o == 0x0A: out.append(ch)
            elif st == 1:   # after ESC
                st = 2 if ch == "[" else 3 if ch == "]" else 5 if ch in "()*+#%" else 0
            elif st == 2:   # CSI: parameters until a final byte
                if 0x40 <= o <= 0x7E: st = 0
            elif st == 3:   # OSC: until BEL or ESC \
                if o == 0x07: st = 0
                elif o == 0x1B: st = 4
            elif st == 4:
                st = 0 if ch == "\\" else 3
            elif st == 5:   # one more byte (charset designation)
                st = 0
        self.state = st

    def find(self, needle):
        """Whether `needle` (text, or a compiled pattern) appeared since the mark; moves the mark
        past it. A pattern's match is kept in `self.match`."""
        if isinstance(needle, re.Pattern):
            m = needle.search("".join(self.text[self.mark:]))
            if not m:
                return False
            self.match = m
            self.mark += m.end()
            return True
        if len(self.text) - self.mark < len(needle):
            return False
        hay = "".join(self.text[self.mark:])
        i = hay.find(needle)
        if i < 0:
            return False
        self.mark += i + len(needle)
        return True

    def forget(self):
        self.text = []; self.mark = 0


def run_phase(sessions, script, deadline, label, start_limit=None):
    """Drives script(session) for every session until all are done or the deadline passes.

    A script yields ("sleep", seconds), ("write", bytes) — resumed with the time of the write —
    or ("expect", text, timeout) — resumed with the time the read that completed it returned,
    or None on timeout. `start_limit` bounds how many scripts run at once (staggered starts).
    Timers are in a heap, so one turn of the loop costs what is ready, not the session count."""
    sel = selectors.DefaultSelector()
    by_fd = {}
    waiting = list(sessions)
    running = {}   # session -> [generator, text expected or None, timer token]
    timers = []    # (when, sequence, session, token)
    seq = 0

    def wait_until(s, when):
        nonlocal seq
        r = running[s]; r[2] += 1; seq += 1
        heapq.heappush(timers, (when, seq, s, r[2]))

    def advance(s, value):
        r = running[s]
        r[1] = None; r[2] += 1
        try:
            while True:
                op = r[0].send(value)
                if op[0] == "write":
                    s.mark = len(s.text)
                    t = time.perf_counter()
                    s.wrote_at = time.time()   # the clock bash's EPOCHREALTIME reads
                    try:
                        os.write(s.fd, op[1])
                    except OSError as e:
                        raise BenchError(f"{label}: session {s.index}: write failed: {e}")
                    value = t
                elif op[0] == "sleep":
                    return wait_until(s, time.perf_counter() + op[1])
                elif op[0] == "expect":
                    if s.find(op[1]):
                        value = time.perf_counter(); continue
                    r[1] = op[1]
                    return wait_until(s, time.perf_counter() + op[2])
                else:
                    raise ValueError(op)
        except StopIteration:
            del running[s]
            sel.unregister(s.fd); del by_fd[s.fd]

    def start_more():
        while waiting and (start_limit is None or len(running) < start_limit):
            s = waiting.pop(0)
            if s.dead:
                raise BenchError(f"{label}: session {s.index} is closed:\n{s.raw_tail.decode('utf-8', 'replace')}")
            sel.register(s.fd, selectors.EVENT_READ); by_fd[s.fd] = s
            running[s] = [script(s), None, 0]
            advance(s, None)

    start_more()
    while running or waiting:
        if time.monotonic() > deadline:
            raise BenchError(f"{label}: out of time with {len(running) + len(waiting)} of {len(sessions)} sessions not done")
        now = time.perf_counter()
        wake = min(timers[0][0], now + 0.2) if timers else now + 0.2
        events = sel.select(max(0.0, wake - now))
        reads = []
        for key, _ in events:   # read everything ready first, each read stamped as it returns
            s = by_fd[key.fd]
            try:
                data = os.read(s.fd, 65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            reads.append((s, data, time.perf_counter()))
        for s, data, t in reads:
            if not data:
                s.dead = True
                raise BenchError(f"{label}: session {s.index} ended (ssh exit {s.proc.poll()}):\n"
                                 f"{s.raw_tail.decode('utf-8', 'replace')}")
            s.feed(data)
            r = running.get(s)
            if r and r[1] is not None and s.find(r[1]):
                advance(s, t)
        now = time.perf_counter()
        while timers and timers[0][0] <= now:
            _, _, s, token = heapq.heappop(timers)
            r = running.get(s)
            if r and r[2] == token:   # still current: a sleep ended, or an expectation timed out
                advance(s, None)
        start_more()
    sel.close()


# ---------------------------------------------------------------------------------------------
# The scripts.

def start_script(s, timeout):
    """Waits for the shell, sets the prompt, waits for it."""
    end = time.perf_counter() + timeout
    while not s.text:   # the login prompt is unknown: wait for output, then for 0.4 s of quiet
        if time.perf_counter() > end:
            raise BenchError(f"session {s.index}: no output within {timeout}s:\n{s.raw_tail.decode('utf-8', 'replace')}")
        yield ("sleep", 0.05)
    n = -1
    while n != len(s.text):
        n = len(s.text)
        yield ("sleep", 0.4)
    yield ("write", (SETUP + "\r").encode())
    if (yield ("expect", PROMPT, max(1.0, end - time.perf_counter()))) is None:
        raise BenchError(f"session {s.index}: the prompt {PROMPT!r} did not come:\n{s.raw_tail.decode('utf-8', 'replace')}")
    yield ("sleep", 0.2)
    s.forget()


def echo_script(s, keys, gap, samples, timeouts):
    yield ("sleep", random.uniform(0, gap[1]))      # spread the sessions out
    for k in range(keys):
        if k and k % BURST == 0:
            yield ("write", b"\x15")                 # Ctrl-U: the line starts over
            yield ("sleep", random.uniform(*gap))
        ch = LETTERS[k % len(LETTERS)]
        t0 = yield ("write", ch.encode())
        t1 = yield ("expect", ch, 5.0)
        if t1 is None: timeouts.append(1)
        else: samples.append(t1 - t0)
        yield ("sleep", random.uniform(*gap))
    yield ("write", b"\x15")
    yield ("sleep", 0.3)
    s.forget()


def enter_script(s, lines, gap, line_gap, samples, executed, timeouts):
    """`samples`: Enter written → output read (at the client); `executed`: Enter written → the
    line running on the target (its EPOCHREALTIME, the same machine's clock)."""
    yield ("sleep", random.uniform(0, line_gap[1]))   # spread the sessions out
    for _ in range(lines):
        yield ("write", LINE.encode())
        if (yield ("expect", LINE, 5.0)) is None:
            timeouts.append(1); yield ("write", b"\x15"); yield ("sleep", 0.5); continue
        yield ("sleep", random.uniform(*gap))
        t0 = yield ("write", b"\r")
        wrote_at = s.wrote_at
        t1 = yield ("expect", OUTPUT, 5.0)
        if t1 is None: timeouts.append(1)
        else:
            samples.append(t1 - t0)
            executed.append(float(s.match.group(1)) - wrote_at)
        yield ("expect", PROMPT, 5.0)
        yield ("sleep", random.uniform(*line_gap))       # the next line comes later
        s.forget()


# ---------------------------------------------------------------------------------------------
# Measurement.

def tree_cpu_seconds(roots):
    """CPU seconds used so far by the processes `roots` and all their descendants (the target
    sshd with its session processes and bash, the bastion, the ssh clients): the benchmark's
    own work, without whatever else the machine runs."""
    parent = {}
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as f:
                    parent[int(e)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    children = {}
    for pid, pp in parent.items():
        children.setdefault(pp, []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen: continue
        seen.add(pid)
        c = cpu_seconds(pid)
        if c == c: total += c   # not NaN (gone)
        todo.extend(children.get(pid, []))
    return total


def early_answers(fx, bastion):
    """How many lines `bastion` has answered at their Enter from the keys alone (its metrics),
    or None for direct ssh."""
    ports = [fx.metrics_ports[name] for name, (_, p) in fx.bastions.items() if p is bastion]
    if not ports:
        return None
    with urllib.request.urlopen(f"http://127.0.0.1:{ports[0]}/metrics", timeout=10) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("bastion_interactive_early_answers_total"):
                return float(line.split()[-1])
    raise BenchError("the bastion's metrics have no bastion_interactive_early_answers_total")


def measure(fx, label, argv, bastion, n, a, deadline):
    sessions = []
    result = {}
    try:
        for i in range(n):
            sessions.append(Session(argv, i))
        run_phase(sessions, lambda s: start_script(s, 120), deadline, f"{label}, N={n}, start", start_limit=16)
        time.sleep(1.0)   # let the last session starts settle
        lat, to = [], []
        roots = [fx.sshd.pid] + [s.proc.pid for s in sessions] + ([bastion.pid] if bastion else [])
        h0 = sum(os.times()[:2])
        c0, m0, w0, s0 = cpu_seconds(bastion.pid) if bastion else None, tree_cpu_seconds(roots), time.perf_counter(), steal_seconds()
        run_phase(sessions, lambda s: echo_script(s, a.keys, a.gap_s, lat, to), deadline, f"{label}, N={n}, echo")
        c1, m1, w1 = cpu_seconds(bastion.pid) if bastion else None, tree_cpu_seconds(roots), time.perf_counter()
        result["echo"] = (lat, len(to))
        result["cpu"] = ((c1 - c0) if bastion else None, m1 - m0, w1 - w0, sum(os.times()[:2]) - h0)
        result["steal"] = steal_seconds() - s0
        if n in a.enter_sessions:
            ent, exe, to = [], [], []
            lines = max(a.lines, -(-100 // n))   # at least 100 samples at every N
            c0, w0, e0, s0 = cpu_seconds(bastion.pid) if bastion else None, time.perf_counter(), early_answers(fx, bastion), steal_seconds()
            run_phase(sessions, lambda s: enter_script(s, lines, a.gap_s, a.line_gap_s, ent, exe, to), deadline,
                      f"{label}, N={n}, enter")
            result["enter"] = (ent, len(to))
            result["executed"] = exe
            result["enter_early"] = early_answers(fx, bastion) - e0 if bastion else None
            result["enter_wall"] = time.perf_counter() - w0
            result["enter_steal"] = steal_seconds() - s0
            result["enter_cpu"] = (cpu_seconds(bastion.pid) - c0) if bastion else None
    finally:
        for s in sessions:
            try: os.close(s.fd)
            except OSError: pass
        stop([s.proc for s in sessions])
    print(f"  {label:22} N={n:<4} echo p50 {1e3 * pct(result['echo'][0], .5):.3f} ms, p99 {1e3 * pct(result['echo'][0], .99):.3f} ms"
          + (f"; Enter→execution p50 {1e3 * pct(result['executed'], .5):.3f} ms, p99 {1e3 * pct(result['executed'], .99):.3f} ms"
             f"; Enter→output p50 {1e3 * pct(result['enter'][0], .5):.3f} ms, p99 {1e3 * pct(result['enter'][0], .99):.3f} ms"
             if "enter" in result else ""), file=sys.stderr, flush=True)
    time.sleep(1.0)   # let the bastion and sshd close the sessions
    return result


def fmt_ms(x): return f"{1e3 * x:.3f}"
def fmt_add(x): return f"{1e3 * x:+.3f}"
def fmt_ratio(x, y): return f"{x / y:.2f}" if y > 0 else "–"


def report(results, paths, a, wall, loads):
    direct, noint, inter = (p[0] for p in paths)
    print(f"\n### Keystroke echo latency ({a.keys} keys per session, one at a time, {a.gap[0]:g}–{a.gap[1]:g} ms apart; "
          f"time from the write to the pty until the echo is read)\n")
    print("| N | path | samples | timeouts | p50 ms | p99 ms | added p50 ms | added p99 ms | × direct p50 | × direct p99 |"
          " added p99 vs no intercept ms |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in a.sessions:
        base = results[(direct, n)]["echo"][0]
        nob = results[(noint, n)]["echo"][0]
        for label, _, _ in paths:
            xs, to = results[(label, n)]["echo"]
            p50, p99 = pct(xs, .5), pct(xs, .99)
            vs = fmt_add(p99 - pct(nob, .99)) if label == inter else "–"
            print(f"| {n} | {label} | {len(xs)} | {to} | {fmt_ms(p50)} | {fmt_ms(p99)} | {fmt_add(p50 - pct(base, .5))} | "
                  f"{fmt_add(p99 - pct(base, .99))} | {fmt_ratio(p50, pct(base, .5))} | {fmt_ratio(p99, pct(base, .99))} | {vs} |")
    print(f"\n### Enter-to-execution (`{LINE}` typed, echoed, then Enter. *Execution*: from writing the Enter until the "
          f"line runs on the target (the `$EPOCHREALTIME` it prints, the same machine's clock); *output*: until what it "
          f"prints is read back at the client (the way back included). "
          f"{a.lines} lines per session, at least 100 samples per N, "
          f"{a.line_gap[0]:g}–{a.line_gap[1]:g} ms from a prompt to the next line; bastion CPU over the whole phase, per line; "
          f"answered early: the lines the intercepting bastion allowed at their Enter from the keys alone, so bash did not wait "
          f"for a round trip — its metric `bastion_interactive_early_answers_total`; steal: CPU time the hypervisor gave other "
          f"guests while this machine wanted it, over the phase — the tail follows it)\n")
    print("| N | path | samples | timeouts | execution p50 ms | execution p99 ms | added p50 vs direct ms | added p99 vs direct ms |"
          " added p50 vs no intercept ms | added p99 vs no intercept ms | output p50 ms | output p99 ms | output added p99 vs direct ms |"
          " lines/s | bastion CPU µs / line | answered early | steal s |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in a.sessions:
        if n not in a.enter_sessions: continue
        base, nob = results[(direct, n)]["executed"], results[(noint, n)]["executed"]
        obase = results[(direct, n)]["enter"][0]
        for label, _, _ in paths:
            out, to = results[(label, n)]["enter"]
            xs = results[(label, n)]["executed"]
            p50, p99 = pct(xs, .5), pct(xs, .99)
            vs = (f"{fmt_add(p50 - pct(nob, .5))} | {fmt_add(p99 - pct(nob, .99))}" if label == inter else "– | –")
            c = results[(label, n)]["enter_cpu"]
            cpu = f"{1e6 * c / max(1, len(xs) + to):.0f}" if c is not None else "–"
            early = f"{results[(label, n)]['enter_early']:.0f} of {len(xs) + to}" if label == inter else "–"
            print(f"| {n} | {label} | {len(xs)} | {to} | {fmt_ms(p50)} | {fmt_ms(p99)} | {fmt_add(p50 - pct(base, .5))} | "
                  f"{fmt_add(p99 - pct(base, .99))} | {vs} | {fmt_ms(pct(out, .5))} | {fmt_ms(pct(out, .99))} | "
                  f"{fmt_add(pct(out, .99) - pct(obase, .99))} | "
                  f"{(len(xs) + to) / results[(label, n)]['enter_wall']:.0f} | {cpu} | {early} | "
                  f"{results[(label, n)]['enter_steal']:.2f} |")
    print("\n### CPU during the echo test (the figure a noisy 2-core machine does not blur)\n")
    print("| N | path | keystrokes | keys/s | bastion CPU s | bastion µs / key | CPU s of the path's processes | µs / key | harness CPU s | wall s | steal s |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in a.sessions:
        for label, _, _ in paths:
            r = results[(label, n)]
            keys = len(r["echo"][0]) + r["echo"][1]
            bcpu, mcpu, w, hcpu = r["cpu"]
            b = f"{bcpu:.2f} | {1e6 * bcpu / keys:.0f}" if bcpu is not None else "– | –"
            print(f"| {n} | {label} | {keys} | {keys / w:.0f} | {b} | {mcpu:.2f} | {1e6 * mcpu / keys:.0f} | {hcpu:.2f} | {w:.1f} | "
                  f"{r['steal']:.2f} |")
    aim_n = max(a.sessions)
    echo_add = pct(results[(inter, aim_n)]["echo"][0], .99) - pct(results[(direct, aim_n)]["echo"][0], .99)
    line = f"\nAims: added echo latency p99 at N={aim_n}: {fmt_add(echo_add)} ms (aim ≤ 1 ms at 200)"
    measured = [n for n in a.sessions if n in a.enter_sessions]
    if measured:
        worst = max((pct(results[(inter, n)]["executed"], .99), n) for n in measured)
        out = max((pct(results[(inter, n)]["enter"][0], .99), n) for n in measured)
        line += (f"; Enter-to-execution p99 through the intercepting bastion: {fmt_ms(worst[0])} ms at N={worst[1]} (aim ≤ 2 ms)"
                 f", and to its output back at the client {fmt_ms(out[0])} ms at N={out[1]}")
    print(line + ".")
    print(f"\nMachine: {os.cpu_count()} CPUs; autogroup {autogroup()}; load average before {loads[0][0]:.2f} {loads[0][1]:.2f} {loads[0][2]:.2f}, "
          f"after {loads[1][0]:.2f} {loads[1][1]:.2f} {loads[1][2]:.2f}; wall time {wall:.0f} s; "
          f"`{' '.join(sys.argv)}`")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/bastion"))
    ap.add_argument("--sessions", default="1,50,200", help="concurrent sessions per run, comma-separated")
    ap.add_argument("--enter-sessions", default=None, help="the N at which Enter-to-execution is measured (default: all)")
    ap.add_argument("--keys", type=int, default=200, help="keystrokes per session")
    ap.add_argument("--lines", type=int, default=20, help="Enter-to-execution samples per session")
    ap.add_argument("--gap", default="20,50", help="pause between keys, ms (uniform in the range)")
    ap.add_argument("--line-gap", default="250,750",
                    help="pause from a prompt to typing the next line in the Enter test, ms (uniform in the range)")
    ap.add_argument("--quick", action="store_true", help="N = 1 and 50, 60 keys and 10 lines per session")
    ap.add_argument("--time-limit", type=float, default=1800, help="seconds before the run gives up")
    ap.add_argument("--keep", action="store_true", help="keep the fixture directory (logs) after the run")
    ap.add_argument("--own-startup-files", action="store_true",
                    help="the target user's own HOME and startup files instead of a HOME with /etc/skel's")
    ap.add_argument("--completion", action="store_true",
                    help="a completion function in the sessions' ~/.bashrc (as bash-completion sets): no early answers")
    ap.add_argument("--pin", action="store_true",
                    help="the bastions on one CPU, the target's sshd and shells on another (as with a remote target)")
    ap.add_argument("--dump", metavar="FILE", help="also write every sample (seconds) as JSON, for a closer look")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bastion-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for both bastions (experiments, e.g. LD_PRELOAD=…)")
    a = ap.parse_args()
    if a.quick:
        a.sessions, a.keys, a.lines = "1,50", 60, 10
    a.sessions = [int(x) for x in a.sessions.split(",")]
    a.enter_sessions = set(a.sessions if a.enter_sessions is None else [int(x) for x in a.enter_sessions.split(",")])
    a.gap = tuple(float(x) for x in a.gap.split(","))
    a.gap_s = (a.gap[0] / 1000, a.gap[1] / 1000)
    a.line_gap = tuple(float(x) for x in a.line_gap.split(","))
    a.line_gap_s = (a.line_gap[0] / 1000, a.line_gap[1] / 1000)
    random.seed(a.seed)
    a.binary = os.path.abspath(a.binary)   # the bastions run in the fixture's directory
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"{a.binary} missing: swift build -c release --product bastion")
    for tool in ("ssh", "ssh-keygen", "/usr/sbin/sshd"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (OpenSSH client and server are needed)")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 20 * max(a.sessions) + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))
    # SIGTERM/SIGHUP clean up like Ctrl-C does.
    def interrupted(*_):
        raise KeyboardInterrupt()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)

    loads = [os.getloadavg()]
    started = time.monotonic()
    deadline = started + a.time_limit
    fx = None
    try:
        fx = Fixture()
        fx.start(a.binary, [e.split("=", 1) for e in a.bastion_env], a.own_startup_files, a.completion)
        if a.pin:
            fx.pin()
        print(f"fixture in {fx.d}: sshd :{fx.target}, bastion (no intercept) :{fx.bastions['noint'][0]}, "
              f"bastion (intercept) :{fx.bastions['int'][0]}", file=sys.stderr, flush=True)
        results = {}
        for n in a.sessions:
            for label, argv, bastion in fx.paths:   # the paths alternate at each N: drifts hit them alike
                for _, p in fx.bastions.values():
                    if p.poll() is not None:
                        raise BenchError(f"{p.name} exited with {p.returncode}:\n{fx.log_tail(p.name)}")
                results[(label, n)] = measure(fx, label, argv, bastion, n, a, deadline)
        loads.append(os.getloadavg())
        report(results, fx.paths, a, time.monotonic() - started, loads)
        if a.dump:
            with open(a.dump, "w") as f:
                json.dump([{"path": label, "sessions": n, "echo": r["echo"][0], "enter": r.get("enter", ([],))[0],
                            "executed": r.get("executed", [])}
                           for (label, n), r in results.items()], f)
    except BenchError as e:
        sys.exit(f"bench: {e}" + (f"\n(logs in {fx.d})" if fx and a.keep else ""))
    except KeyboardInterrupt:
        sys.exit("bench: interrupted; every process it started is stopped")
    finally:
        if fx: fx.close(keep=a.keep)


if __name__ == "__main__":
    main()
