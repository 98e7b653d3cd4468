#!/usr/bin/env python3
"""SSH path benchmark: direct ssh vs through bastion vs OpenSSH ProxyJump, in one run.

Starts, on free loopback ports: a target sshd, a jump sshd (for ProxyJump), and two bastions
(recording on; recording off), all with keys made in a temporary directory. Prints a
Markdown table with ratios to direct ssh.

    swift build -c release && python3 bench/ssh/bench.py            # full run
    python3 bench/ssh/bench.py --mb 100 --setups 20 --concurrency 50  # quick look
    python3 bench/ssh/bench.py --only-concurrency --concurrency 200,1000,2000
"""
import argparse, os, shlex, shutil, signal, statistics, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib  # noqa: E402
from benchlib import SSH_COMMON, pct, rss_kib, tree_cpu_seconds  # noqa: E402

def sh(cmd, **kw):
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True, **kw)

class Fixture(benchlib.Fixture):
    """benchlib's fixture (target sshd, jump sshd, a bastion recording and one not) and the
    five paths this bench compares."""
    def __init__(self, binary):
        # The target's sessions start the distribution's startup files, not this machine's
        # user's: a ~/.bashrc that rehashes pyenv under a lock stalls hundreds of shells at once.
        super().__init__(binary, skel_home=True)
        d, common = self.d, SSH_COMMON
        self.paths = {
            "direct ssh": f"ssh {common} -i {d}/plain/alice -p {self.target} {self.user}@127.0.0.1",
            # The bastion offers AES-GCM only (server.ciphers); this row shows what the cipher
            # alone is worth, so the bastion's ratio is not mistaken for the relay's.
            "direct ssh, aes128-gcm": f"ssh {common} -c aes128-gcm@openssh.com -i {d}/plain/alice -p {self.target} {self.user}@127.0.0.1",
            "bastion": f"{self.bastion_ssh('bastion')} web1",
            "ProxyJump": (f"ssh {common} -i {d}/plain/alice -o ProxyCommand={shlex.quote(f'ssh {common} -i {d}/plain/alice -p {self.jump} -W %h:%p {self.user}@127.0.0.1')}"
                          f" -p {self.target} {self.user}@127.0.0.1"),
            "bastion, recording off": f"{self.bastion_ssh('bastion-norec')} web1",
        }

    def relay_pid(self, name):
        """The process doing the relaying on a path (its CPU per GB is the comparison), if any."""
        return {"bastion": self.bastions["bastion"][1].pid, "bastion, recording off": self.bastions["bastion-norec"][1].pid,
                "ProxyJump": self.sshd["jump"].pid}.get(name)

def make_data(directory, mb):
    """Text like command output (base64 lines): what exec sessions carry, and what the
    recorder stores as-is in JSON. Made once, read from the page cache by every path."""
    path = os.path.join(directory, "data.txt")
    sh(f"head -c {mb * 750_000} /dev/urandom | base64 -w 99 | head -c {mb * 1_000_000} > {path}")
    return path

def throughput(cmd, mb, direction, data, relay=None):
    """MB/s of one transfer, and the relay process's CPU seconds per GB moved (None without one).
    The jump sshd's per-connection processes exit at the end; their time reaches the listener
    once it reaps them, so the relay's CPU is read a moment after the transfer."""
    n = os.path.getsize(data)
    if direction == "down":
        script = f"{cmd} 'cat {data}' | wc -c"
    else:
        script = f"{cmd} 'wc -c' < {data}"
    before = tree_cpu_seconds(relay) if relay else None
    t = time.perf_counter(); out = sh(script).stdout.strip(); el = time.perf_counter() - t
    if int(out.split()[0]) != n: sys.exit(f"{cmd}: moved {out} bytes, expected {n}")
    cpu = None
    if relay:
        time.sleep(0.3)
        cpu = (tree_cpu_seconds(relay) - before) / (n / 1e9)
    return mb / el, cpu

def setup_times(cmd, count):
    times = []
    for _ in range(count):
        t = time.perf_counter(); sh(f"{cmd} true"); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]

def concurrent(cmd, n, pid=None):
    """n sessions of `sleep 2; echo ok` at once: how many succeeded, the p99 of their setup
    (wall time minus the 2 s they sleep), and the peak RSS of `pid` (the bastion)."""
    peak = [rss_kib(pid) if pid else 0]; stop = threading.Event()
    def sample():
        while not stop.is_set() and pid:
            peak[0] = max(peak[0], rss_kib(pid)); time.sleep(0.02)
    threading.Thread(target=sample, daemon=True).start()
    cpu_before = tree_cpu_seconds(pid) if pid else None
    # Context switches of all the bastion's threads (perf's software counter; no hardware needed).
    switches = subprocess.Popen(["perf", "stat", "-x,", "-e", "context-switches", "-p", str(pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) if pid and shutil.which("perf") else None
    results = [None] * n
    def one(i):
        # Each session is timed by its own thread: collecting them in order would charge the
        # wait for earlier ones to later ones.
        t = time.perf_counter()
        p = subprocess.run(f"{cmd} 'sleep 2; echo ok'", shell=True, capture_output=True, text=True, timeout=600)
        results[i] = (p.returncode, p.stdout, p.stderr, (time.perf_counter() - t - 2) * 1000)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    ok = 0
    failures = {}
    setups = []
    for code, out, err, ms in results:
        if code == 0 and out.strip() == "ok":
            ok += 1
            setups.append(ms)
        else:
            key = (err.strip().splitlines() or [f"exit {code}"])[-1][:160]
            failures[key] = failures.get(key, 0) + 1
    stop.set()
    cpu_ms = (tree_cpu_seconds(pid) - cpu_before) * 1000 / n if pid else None
    switches_per_session = None
    if switches:
        switches.send_signal(signal.SIGINT)
        report = switches.communicate(timeout=30)[1]
        counted = [line.split(",")[0] for line in report.splitlines() if "context-switches" in line]
        if counted and counted[0].isdigit():
            switches_per_session = int(counted[0]) / n
    for why, count in sorted(failures.items(), key=lambda x: -x[1]):
        print(f"  {n} concurrent: {count} failed: {why}", file=sys.stderr)
    return ok, pct(setups, 0.99), peak[0], cpu_ms, switches_per_session

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/bastion"))
    ap.add_argument("--mb", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--setups", type=int, default=50)
    ap.add_argument("--concurrency", default="100,500")
    ap.add_argument("--only-concurrency", action="store_true", help="skip throughput and setup")
    ap.add_argument("--concurrency-paths", default="bastion,direct ssh,ProxyJump",
                    help="which paths the concurrency rows measure (comma-separated)")
    a = ap.parse_args()
    if not os.access(a.binary, os.X_OK): sys.exit(f"{a.binary} missing: swift build -c release")
    fx = Fixture(a.binary)
    try:
        rows = {}
        data = make_data(fx.d, a.mb) if not a.only_concurrency else None
        def median_run(cmd, direction, relay):
            runs = [throughput(cmd, a.mb, direction, data, relay) for _ in range(a.runs)]
            cpus = [c for _, c in runs if c is not None]
            return statistics.median(r for r, _ in runs), (statistics.median(cpus) if cpus else None)
        for name, cmd in ({} if a.only_concurrency else fx.paths).items():
            relay = fx.relay_pid(name)
            down, down_cpu = median_run(cmd, "down", relay)
            up, up_cpu = median_run(cmd, "up", relay)
            med, p99 = setup_times(cmd, a.setups) if name != "bastion, recording off" else (None, None)
            rows[name] = (down, up, med, p99, down_cpu, up_cpu)
            print(f"measured {name}", file=sys.stderr)
        base = rows.get("direct ssh")
        if base:
            gcm = rows["direct ssh, aes128-gcm"]
            cpu = lambda x: f"{x:.2f}" if x is not None else "–"
            print(f"\n### SSH paths ({a.mb} MB of text per transfer, median of {a.runs}; setup over {a.setups} runs of `ssh … true`)\n")
            print("Relay CPU: utime+stime of the bastion process, or of the ProxyJump jump host's sshd and the per-connection "
                  "processes it reaped, per GB moved.\n")
            print("| path | down MB/s | × direct | × direct gcm | relay CPU s/GB down | up MB/s | × direct | × direct gcm | relay CPU s/GB up | setup median ms | setup p99 ms | × direct (median) |")
            print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for name, (down, up, med, p99, down_cpu, up_cpu) in rows.items():
                setup = f"{med:.1f} | {p99:.1f} | {med / base[2]:.2f}" if med is not None else "– | – | –"
                print(f"| {name} | {down:.0f} | {down / base[0]:.2f} | {down / gcm[0]:.2f} | {cpu(down_cpu)} | {up:.0f} | {up / base[1]:.2f} | "
                      f"{up / gcm[1]:.2f} | {cpu(up_cpu)} | {setup} |")
            rec, norec = rows["bastion"], rows["bastion, recording off"]
            print(f"\nRecording overhead (bastion on vs off): down {100 * (1 - rec[0] / norec[0]):+.1f} %, up {100 * (1 - rec[1] / norec[1]):+.1f} %")
        print("\n| concurrent exec sessions | path | succeeded | setup p99 ms | bastion peak RSS MiB | bastion CPU ms / session | bastion context switches / session |")
        print("|---:|---|---:|---:|---:|---:|---:|")
        port, proc = fx.bastions["bastion"]
        for n in [int(x) for x in a.concurrency.split(",")]:
            for name in a.concurrency_paths.split(","):
                ok, p99, peak, cpu_ms, switches = concurrent(fx.paths[name], n, proc.pid if name == "bastion" else None)
                rss = f"{peak / 1024:.0f}" if name == "bastion" else "–"
                print(f"| {n} | {name} | {ok} | {p99:.0f} | {rss} | {f'{cpu_ms:.1f}' if cpu_ms is not None else '–'} |"
                      f" {f'{switches:.0f}' if switches is not None else '–'} |")
    finally:
        fx.close()

if __name__ == "__main__":
    main()
