#!/usr/bin/env python3
"""Approvals benchmark: how fast a held line starts once approved, and what many waiting
requests cost everyone else.

One target sshd and one bastion on free loopback ports, keys made in a temporary directory.
alice's `date +%s.%N` is escalated (1 approval of sre-approvers); carol approves.

1. Approval → start: for each of --requests requests, alice runs `ssh … web1 date +%s.%N` and
   waits; once the request is stored, it is approved, alternately
     - by `bastion approvals approve ID --as …` (another process: the inotify wake-up path), and
     - by carol's `ssh … approvals approve ID` (in the server process).
   The figure is the target's `date` (the command's first instant) minus the vote's stored time
   (`approval_votes.at`, written inside the answer's transaction): store → wake the held session
   → connect to the target with the vault key → start the command. Same machine, same clock.
2. Many pending: --pending clients are held at once (each an `ssh … web1 date` waiting), and an
   unrelated interactive session (ssh -tt into bash through the same bastion, lines decided)
   has its keystroke echo measured before and during; the bastion's CPU while they wait.

    swift build -c release --product bastion && python3 bench/approvals/bench.py
    python3 bench/approvals/bench.py --quick
"""
import argparse, fcntl, os, pty, re, select, shutil, signal, socket, sqlite3, struct, subprocess, sys, tempfile, termios, time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import BenchError, cpu_seconds, free_port, pct, sh  # noqa: E402


def wait_port(port, proc, name, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise BenchError(f"{name} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close(); return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{name} does not listen on {port}")


class Fixture:
    def __init__(self, binary):
        self.binary = binary
        self.d = d = tempfile.mkdtemp(prefix="bastion-abench-")
        self.procs = []
        self.user = sh("id -un").strip()
        sh(f"""cd {d}
            ssh-keygen -q -t ed25519 -N '' -f ca
            for p in alice carol; do ssh-keygen -q -t ed25519 -N '' -f $p; done
            ssh-keygen -q -s ca -I alice@bench -n alice -V -5m:+8h -O extension:groups@bastion=engineering alice.pub
            ssh-keygen -q -s ca -I carol@bench -n carol -V -5m:+8h -O extension:groups@bastion=sre-approvers carol.pub
            ssh-keygen -q -t ed25519 -N '' -f vault_key
            ssh-keygen -q -t ed25519 -N '' -f target_host
            cp vault_key.pub authorized_keys; chmod 600 authorized_keys
            mkdir -p /run/sshd 2>/dev/null || true
            mkdir home; touch home/.hushlogin
            for f in .profile .bashrc; do [ -f /etc/skel/$f ] && cp /etc/skel/$f home/; done; true""")
        self.target = free_port()
        with open(f"{d}/sshd_config", "w") as f:
            f.write(f"ListenAddress 127.0.0.1\nPort {self.target}\nHostKey {d}/target_host\nPidFile {d}/sshd.pid\n"
                    f"AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\nUsePAM no\nStrictModes no\n"
                    f"PermitRootLogin prohibit-password\nMaxStartups 3000:30:3000\nMaxSessions 3000\nPrintMotd no\n"
                    f"PrintLastLog no\nSetEnv HOME={d}/home\n")
        self.sshd = self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", f"{d}/sshd_config"], "sshd")
        wait_port(self.target, self.sshd, "sshd")
        with open(f"{d}/policy.yaml", "w") as f:
            f.write("approvers:\n  groups: [sre-approvers]\n  timeout: 1h\nroles:\n  - name: engineer\n"
                    "    groups: [engineering]\n    targets: [web1]\n    capabilities: [shell, exec]\n    mode: guard\n"
                    "    rules:\n      - id: date-needs-approval\n        action: escalate\n        command: date\n"
                    "        message: the clock is precious\n")
        self.port = free_port()
        self.config = f"{d}/bastion.yaml"
        with open(self.config, "w") as f:
            f.write(f"server:\n  listen: 127.0.0.1:{self.port}\n  state_dir: state\n  auth_timeout: 120s\n"
                    f"  target_connect_timeout: 120s\nauth:\n  user_ca_files: [ca.pub]\ntargets:\n  - name: web1\n"
                    f"    host: 127.0.0.1\n    port: {self.target}\n    user: {self.user}\n    key: vault\n"
                    f"    host_key_file: target_host.pub\npolicy_file: policy.yaml\n")
        sh(f"{binary} vault add vault --key-file {d}/vault_key --config {self.config}")
        self.bastion = self.spawn([binary, "serve", "--config", self.config] + (["--allow-root"] if os.geteuid() == 0 else []), "bastion")
        wait_port(self.port, self.bastion, "bastion")
        self.db = f"{d}/state/audit.sqlite"

    def spawn(self, argv, name):
        log = open(f"{self.d}/{name}.log", "w")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.d,
                             start_new_session=True)
        log.close()
        self.procs.append(p)
        return p

    def ssh(self, person, *words, tty=False):
        return (["ssh"] + (["-tt", "-e", "none"] if tty else []) +
                ["-p", str(self.port), "-i", f"{self.d}/{person}", "-o", "IdentitiesOnly=yes",
                 "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                 "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none", f"{person}@127.0.0.1", *words])

    def query(self, sql, args=()):
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as c:
            return c.execute(sql, args).fetchall()

    def close(self):
        for p in self.procs:
            try: os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError: pass
        for p in self.procs:
            try: p.wait(3)
            except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL)
        shutil.rmtree(self.d, ignore_errors=True)


def pending_ids(fx):
    return [r[0] for r in fx.query("SELECT id FROM approvals WHERE status = 'pending' ORDER BY requested_at")]


def released_at(fx, rid):
    """When the held session took the release (the bastion's log line, ms precision)."""
    with open(f"{fx.d}/bastion.log", errors="replace") as f:
        for line in f:
            if "approval released" in line and f"request={rid}" in line:
                stamp = line.split(" ", 1)[0]
                return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=__import__("datetime").timezone.utc).timestamp()
    return None


def approval_to_start(fx, requests):
    """Per approver path: seconds from the stored vote to the command's first instant, and to
    the moment the held session woke."""
    results = {"host CLI (another process)": [], "ssh approver (in the server)": []}
    woke = {label: [] for label in results}
    for i in range(requests):
        requester = subprocess.Popen(fx.ssh("alice", "web1", "date +%s.%N"), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        end = time.monotonic() + 20
        ids = []
        while not ids:
            if time.monotonic() > end: raise BenchError("no request was stored")
            ids = pending_ids(fx)
            if not ids: time.sleep(0.01)
        rid = ids[0]
        if i % 2 == 0:
            label = "host CLI (another process)"
            sh(f"{fx.binary} approvals approve {rid} --as bench@host --config {fx.config}")
        else:
            label = "ssh approver (in the server)"
            r = subprocess.run(fx.ssh("carol", "approvals", "approve", rid), capture_output=True, text=True)
            if r.returncode != 0: raise BenchError(f"approve failed: {r.stderr}")
        out, err = requester.communicate(timeout=30)
        if requester.returncode != 0: raise BenchError(f"the approved command failed: {err}")
        started = float(out.strip())
        stored = fx.query("SELECT at FROM approval_votes WHERE approval_id = ?", (rid,))[0][0]
        results[label].append(started - stored)
        time.sleep(0.05)
        released = released_at(fx, rid)
        if released is not None: woke[label].append(released - stored)
    return results, woke


def echo_latency(fx, keys, gap):
    """Keystroke echo through the bastion into bash with lines decided: seconds per key."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("ssh", fx.ssh("alice", "web1", tty=True))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    buf = b""

    def read_until(want, timeout):
        nonlocal buf
        end = time.perf_counter() + timeout
        while want not in buf:
            left = end - time.perf_counter()
            if left <= 0: return None
            r, _, _ = select.select([fd], [], [], left)
            if r:
                try: buf += os.read(fd, 65536)
                except OSError: return None
        return time.perf_counter()

    time.sleep(1.0)
    os.write(fd, b"PS1='@''@@ '\r")
    if read_until(b"@@@ ", 20) is None: raise BenchError("the interactive session gave no prompt")
    time.sleep(0.3)
    samples = []
    for k in range(keys):
        if k and k % 20 == 0:
            os.write(fd, b"\x15"); time.sleep(gap)
        buf = b""
        ch = b"abcdefghijklmnopqrstuvwxyz"[k % 26:k % 26 + 1]
        t0 = time.perf_counter()
        os.write(fd, ch)
        t1 = read_until(ch, 5)
        if t1 is not None: samples.append(t1 - t0)
        time.sleep(gap)
    os.write(fd, b"\x15exit\r")
    time.sleep(0.3)
    try: os.kill(pid, signal.SIGTERM)
    except ProcessLookupError: pass
    os.waitpid(pid, 0)
    return samples


def many_pending(fx, n, keys, gap):
    before = echo_latency(fx, keys, gap)
    clients = []
    t0 = time.monotonic()
    for i in range(n):
        clients.append(subprocess.Popen(fx.ssh("alice", "web1", f"date +%s.%N # {i}"), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL))
        if i % 50 == 49: time.sleep(0.5)
    end = time.monotonic() + 120
    while len(pending_ids(fx)) < n:
        if time.monotonic() > end: raise BenchError(f"only {len(pending_ids(fx))} of {n} requests are pending")
        time.sleep(0.2)
    held_after = time.monotonic() - t0
    time.sleep(2)
    cpu0, w0 = cpu_seconds(fx.bastion.pid), time.monotonic()
    time.sleep(5)
    idle_cpu = (cpu_seconds(fx.bastion.pid) - cpu0) / (time.monotonic() - w0)
    during = echo_latency(fx, keys, gap)
    listed = time.perf_counter()
    r = subprocess.run(fx.ssh("carol", "approvals", "list", "--json"), capture_output=True, text=True)
    list_seconds = time.perf_counter() - listed
    for c in clients: c.terminate()
    for c in clients: c.wait()
    return before, during, held_after, idle_cpu, list_seconds, r.returncode


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/bastion"))
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--pending", type=int, default=500)
    ap.add_argument("--keys", type=int, default=200)
    ap.add_argument("--gap", type=float, default=0.02, help="seconds between keys")
    ap.add_argument("--quick", action="store_true", help="20 requests, 100 pending, 60 keys")
    a = ap.parse_args()
    if a.quick: a.requests, a.pending, a.keys = 20, 100, 60
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"{a.binary} is missing: swift build -c release --product bastion (or give --binary)")
    fx = Fixture(a.binary)
    try:
        starts, woke = approval_to_start(fx, a.requests)
        print(f"## Approval stored → held command starts ({a.requests} requests, {os.cpu_count()} cores)\n")
        print("| approved by | n | stored → session woke p50 / p99 ms | stored → command started p50 / p99 / max ms |")
        print("| --- | --- | --- | --- |")
        def row(label, xs, ws):
            w = f"{1e3 * pct(ws, 0.5):.1f} / {1e3 * pct(ws, 0.99):.1f}" if ws else "–"
            print(f"| {label} | {len(xs)} | {w} | {1e3 * pct(xs, 0.5):.1f} / {1e3 * pct(xs, 0.99):.1f} / {1e3 * max(xs):.1f} |")
        for label, xs in starts.items(): row(label, xs, woke[label])
        row("all", [x for xs in starts.values() for x in xs], [x for xs in woke.values() for x in xs])
        print("\n(woke: the bastion's log line when the held session took the release, ms precision; started: the "
              "target's `date` — between the two, the bastion connects to the target with the vault key and starts the "
              "command.)\n")
        before, during, held_after, idle_cpu, list_seconds, list_rc = many_pending(fx, a.pending, a.keys, a.gap)
        print(f"## {a.pending} requests pending at once: an unrelated interactive session's keystroke echo\n")
        print("| | keys | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |")
        for label, xs in (("before", before), (f"during ({a.pending} pending)", during)):
            print(f"| {label} | {len(xs)} | {1e3 * pct(xs, 0.5):.2f} | {1e3 * pct(xs, 0.99):.2f} | {1e3 * max(xs):.2f} |")
        print(f"\nAll {a.pending} held {held_after:.1f} s after the first client started; the bastion's CPU while they "
              f"wait: {100 * idle_cpu:.1f} % of one core; carol's `approvals list --json` with {a.pending} pending: "
              f"{1e3 * list_seconds:.0f} ms (exit {list_rc}).")
    finally:
        fx.close()


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit(f"bench failed: {e}")
