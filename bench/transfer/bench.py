#!/usr/bin/env python3
"""File-transfer benchmark: sftp, scp and legacy scp, direct vs through the bastion vs OpenSSH
ProxyJump, in one run.

Starts, on free loopback ports and with keys made in a temporary directory: a target sshd, a
jump sshd (for ProxyJump) and one bastion (recording on, the default). Then, for each workload,

  - one large file (--mb, default 500 MB of /dev/urandom, made once), upload and download,
  - many small files (--files, default 2,000 files of 4 KiB in one directory), `-r` up and down,

it moves the data with each client over each path and prints one Markdown table per workload
and direction. Rows are client × path:

  clients  `sftp -b BATCH` (put/get, `put -r`/`get -r`), `scp` (SFTP protocol on OpenSSH ≥ 9),
           `scp -O` (the legacy scp/rcp protocol: an exec of `scp -t`/`scp -f` on the target)
  paths    direct              client → target sshd, OpenSSH's default cipher (chacha20-poly1305)
           direct, aes128-gcm  the same with `-c aes128-gcm@openssh.com`: the bastion offers
                               AES-GCM only, so this is the fair baseline for the relay
           bastion             `alice+web1@127.0.0.1 -P BASTIONPORT` (certificate login)
           ProxyJump           `-J` through the jump sshd, default cipher

Columns: MB/s (large file) or files/s (many files); × direct, aes128-gcm and × ProxyJump for the
same client and direction; relay CPU: CPU time of the bastion process (bastion rows) or of the
jump sshd and every per-connection process it forked (ProxyJump rows), in seconds per GB moved
(large file) or µs per file (many files). Each figure is the median of --runs runs; every run
includes connection setup (a third of a second or more: it dominates the small-file rows at
--quick's 200 files) and is checked by sha256 of source and destination. SFTP (sftp, scp) is
terminated by the bastion's transfer gate and its bytes are hashed, not recorded; legacy scp is
an exec whose bytes the gate also decides per file.

    swift build -c release --product bastion && python3 bench/transfer/bench.py
    python3 bench/transfer/bench.py --quick        # 1 run, 50 MB, 200 files
"""
import argparse, hashlib, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import CLK, BenchError, cpu_seconds, free_port, sh  # noqa: E402

# ---------------------------------------------------------------------------------------------
# THE POLICY (one place): what alice's role may do. Every file operation is decided (and its
# path resolved on the target) even though one rule allows them all: that is the cost measured.
POLICY_YAML = """\
roles:
  - name: engineer
    groups: [engineering]
    targets: [web1]
    capabilities: [shell, exec, transfer]
    mode: strict
    transfers:
      - {id: all, action: allow, operations: [upload, download, list, mkdir, setstat], paths: ["**"]}
"""
# ---------------------------------------------------------------------------------------------

PATHS = ["direct", "direct, aes128-gcm", "bastion", "ProxyJump"]
CLIENTS = ["sftp", "scp", "scp -O"]
GCM = "-c aes128-gcm@openssh.com"


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
    """Target sshd, jump sshd and a bastion in a temporary directory; `target(path)` says how a
    client reaches the target over each path."""

    def __init__(self, binary):
        self.d = d = tempfile.mkdtemp(prefix="bastion-tbench-")
        self.procs = []
        self.user = sh("id -un").strip()
        sh(f"""cd {d}
            ssh-keygen -q -t ed25519 -N '' -f ca
            ssh-keygen -q -t ed25519 -N '' -f alice
            ssh-keygen -q -s ca -I alice@bench -n alice -V -5m:+8h -O extension:groups@bastion=engineering alice.pub
            mkdir plain; cp alice alice.pub plain/
            for k in vault_key target_host jump_host; do ssh-keygen -q -t ed25519 -N '' -f $k; done
            cat vault_key.pub alice.pub > authorized_keys; chmod 600 authorized_keys
            mkdir -p /run/sshd 2>/dev/null || true""")
        self.target_port, self.jump_port = free_port(), free_port()
        for name, port in (("target", self.target_port), ("jump", self.jump_port)):
            self.sshd(name, port)
        with open(f"{d}/policy.yaml", "w") as f:
            f.write(POLICY_YAML)
        self.bastion_port = free_port()
        cfg = f"{d}/bastion.yaml"
        with open(cfg, "w") as f:
            f.write(f"server:\n  listen: 127.0.0.1:{self.bastion_port}\n  state_dir: state\n  recording: true\n"
                    f"  auth_timeout: 120s\n  target_connect_timeout: 120s\n"
                    f"auth:\n  user_ca_files: [ca.pub]\ntargets:\n  - name: web1\n    host: 127.0.0.1\n"
                    f"    port: {self.target_port}\n    user: {self.user}\n    key: vault\n"
                    f"    host_key_file: target_host.pub\npolicy_file: policy.yaml\n")
        sh(f"{binary} vault add vault --key-file {d}/vault_key --config {cfg}")
        self.bastion = self.spawn([binary, "serve", "--config", cfg] + (["--allow-root"] if os.geteuid() == 0 else []), "bastion")
        wait_port(self.bastion_port, self.bastion, "bastion")
        # Client options in a file: `-J` hands `-F` (not `-o`) on to the jump hop's ssh.
        with open(f"{d}/ssh_config", "w") as f:
            f.write(f"Host jumphost\n  HostName 127.0.0.1\n  Port {self.jump_port}\n  User {self.user}\n"
                    f"  IdentityFile {d}/plain/alice\nHost *\n  StrictHostKeyChecking no\n"
                    f"  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n  IdentitiesOnly yes\n"
                    f"  ControlMaster no\n  ControlPath none\n")

    def sshd(self, name, port):
        d = self.d
        with open(f"{d}/{name}_sshd_config", "w") as f:
            f.write(f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {d}/{name}_host\nPidFile {d}/{name}.pid\n"
                    f"AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\nUsePAM no\nStrictModes no\n"
                    f"PermitRootLogin prohibit-password\nAllowTcpForwarding yes\nSubsystem sftp internal-sftp\n")
        p = self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", f"{d}/{name}_sshd_config"], name)
        wait_port(port, p, f"{name} sshd")
        setattr(self, f"{name}_sshd", p)

    def spawn(self, argv, name):
        with open(f"{self.d}/{name}.log", "w") as log:
            p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 cwd=self.d, start_new_session=True)
        self.procs.append(p)
        return p

    def target(self, path):
        """(options common to sftp and scp, user@host) for one path."""
        base, plain = f"-F {self.d}/ssh_config", f"-i {self.d}/plain/alice"
        here = f"{self.user}@127.0.0.1"
        return {"direct": (f"{base} {plain} -P {self.target_port}", here),
                "direct, aes128-gcm": (f"{base} {plain} {GCM} -P {self.target_port}", here),
                "bastion": (f"{base} -i {self.d}/alice -P {self.bastion_port}", "alice+web1@127.0.0.1"),
                "ProxyJump": (f"{base} {plain} -J jumphost -P {self.target_port}", here)}[path]

    def close(self):
        for p in self.procs:
            try: os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError: pass
        for p in self.procs:
            try: p.wait(3)
            except subprocess.TimeoutExpired: os.killpg(p.pid, signal.SIGKILL); p.wait()
        shutil.rmtree(self.d, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Data, and checking what arrived.

def make_data(d, mb, files):
    """src/large (mb MB from /dev/urandom) and src/many/ (files × 4 KiB, cut from one random
    block so that no two are alike), made once; every run reads them from the page cache."""
    os.makedirs(f"{d}/src/many"); os.makedirs(f"{d}/out")
    sh(f"head -c {mb * 1_000_000} /dev/urandom > {d}/src/large")
    block = os.urandom(4096 + files)
    for i in range(files):
        with open(f"{d}/src/many/f{i:05d}", "wb") as f:
            f.write(block[i:i + 4096])
    return {"large": f"{d}/src/large", "many": f"{d}/src/many"}


def digest(path):
    """sha256 of a file, or of a directory tree (names and contents)."""
    h = hashlib.sha256()
    if os.path.isdir(path):
        for root, dirs, names in os.walk(path):
            dirs.sort()
            for n in sorted(names):
                full = os.path.join(root, n)
                h.update(os.path.relpath(full, path).encode() + b"\0" + bytes.fromhex(digest(full)))
        return h.hexdigest()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# Relay CPU: the bastion is one process; the jump host is an sshd listener whose per-connection
# processes exit with the connection. sshd reaps them (and each its own children), so the
# listener's utime+stime+cutime+cstime counts them in full once they are gone.

def children(pid):
    kids = []
    for e in os.listdir("/proc"):
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid: kids.append(int(e))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def reaped_tree_cpu(pid, timeout=10):
    """CPU seconds of pid and every descendant it has reaped, once it has no children left."""
    end = time.monotonic() + timeout
    while children(pid):
        if time.monotonic() > end: raise BenchError(f"the processes of pid {pid} did not exit")
        time.sleep(0.02)
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / CLK


def relay_cpu(fx, path):
    if path == "bastion": return cpu_seconds(fx.bastion.pid)
    if path == "ProxyJump": return reaped_tree_cpu(fx.jump_sshd.pid)
    return 0.0


# ---------------------------------------------------------------------------------------------
# One transfer.

def command(fx, client, path, workload, direction, src, dst):
    opts, host = fx.target(path)
    rec = "-r " if workload == "many" else ""
    if client == "sftp":
        batch = f"{fx.d}/batch"
        with open(batch, "w") as f:
            f.write(f"put {rec}{src} {dst}\n" if direction == "up" else f"get {rec}{src} {dst}\n")
        return f"sftp -q {opts} -b {batch} {host}"
    flags = "-q " + ("-O " if client == "scp -O" else "") + rec
    if direction == "up":
        return f"scp {flags}{opts} {src} {host}:{dst}"
    return f"scp {flags}{opts} {host}:{src} {dst}"


def transfer(fx, client, path, workload, direction, src, want, size):
    """One timed transfer, checked: (seconds, relay CPU seconds)."""
    dst = f"{fx.d}/out/{workload}"          # same machine: "remote" and local paths are alike
    cmd = command(fx, client, path, workload, direction, src, dst)
    before = relay_cpu(fx, path)
    t = time.perf_counter()
    r = subprocess.run("exec " + cmd, shell=True, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        log = "".join(open(f"{fx.d}/bastion.log", errors="replace").readlines()[-10:]) if path == "bastion" else ""
        raise BenchError(f"{client} {direction} {workload} via {path} failed ({r.returncode}):\n$ {cmd}\n{r.stderr.strip()}\n{log}")
    cpu = relay_cpu(fx, path) - before
    if fx.bastion.poll() is not None: raise BenchError(f"the bastion exited with {fx.bastion.returncode}")
    got = digest(dst) if os.path.exists(dst) else "nothing"
    if got != want:
        raise BenchError(f"MISMATCH: {client} {direction} {workload} via {path}: sha256 {got} != source {want}\n$ {cmd}")
    shutil.rmtree(dst) if os.path.isdir(dst) else os.remove(dst)
    if path == "bastion": drop_recordings(fx)
    return elapsed, cpu


def drop_recordings(fx):
    """Recordings of random data are ≈ 2.2× its size: a full run would leave ≈ 20 GB behind."""
    with os.scandir(f"{fx.d}/state/recordings") as entries:
        for e in entries:
            if e.is_file(): os.remove(e.path)


# ---------------------------------------------------------------------------------------------
# Report.

def report(results, a, sizes):
    """results[(workload, direction, client, path)] = [(seconds, cpu), ...]"""
    for workload, direction in (("large", "up"), ("large", "down"), ("many", "up"), ("many", "down")):
        large = workload == "large"
        what = f"one {a.mb} MB file" if large else f"{a.files} files of 4 KiB"
        unit, cpu_unit = ("MB/s", "s/GB") if large else ("files/s", "µs/file")
        print(f"\n#### {'Upload' if direction == 'up' else 'Download'}, {what} (median of {a.runs})\n")
        print(f"| client | path | {unit} | × direct, aes128-gcm | × ProxyJump | relay CPU {cpu_unit} |")
        print("|---|---|---:|---:|---:|---:|")
        for client in CLIENTS:
            rate = {}
            for path in PATHS:
                runs = results[(workload, direction, client, path)]
                rate[path] = statistics.median((sizes[workload] / 1e6 if large else a.files) / s for s, _ in runs)
            for path in PATHS:
                runs = results[(workload, direction, client, path)]
                cpu = "–"
                if path in ("bastion", "ProxyJump"):
                    per = statistics.median(c for _, c in runs)
                    cpu = f"{per / (sizes[workload] / 1e9):.2f}" if large else f"{per / a.files * 1e6:.0f}"
                print(f"| `{client}` | {path} | {rate[path]:.0f} | {rate[path] / rate['direct, aes128-gcm']:.2f} "
                      f"| {rate[path] / rate['ProxyJump']:.2f} | {cpu} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/bastion"))
    ap.add_argument("--mb", type=int, default=500, help="size of the large file, MB")
    ap.add_argument("--files", type=int, default=2000, help="number of 4 KiB files")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 run, 50 MB, 200 files")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.mb, a.files = 1, 50, 200
    if not os.access(a.binary, os.X_OK):
        sys.exit(f"{a.binary} is missing: build it with `swift build -c release --product bastion`")
    for tool in ("ssh", "sftp", "scp", "ssh-keygen", "/usr/sbin/sshd"):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found (the OpenSSH client and server are needed)")

    def interrupted(*_):
        raise KeyboardInterrupt()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupted)
    fx = None
    try:
        fx = Fixture(a.binary)
        print(f"fixture in {fx.d}: target sshd :{fx.target_port}, jump sshd :{fx.jump_port}, "
              f"bastion :{fx.bastion_port}", file=sys.stderr, flush=True)
        src = make_data(fx.d, a.mb, a.files)
        want = {w: digest(p) for w, p in src.items()}
        sizes = {"large": os.path.getsize(src["large"]), "many": 4096 * a.files}
        results = {}
        for run in range(a.runs):   # paths alternate inside each run: drifts hit them alike
            for workload in ("large", "many"):
                for direction in ("up", "down"):
                    for client in CLIENTS:
                        for path in PATHS:
                            r = transfer(fx, client, path, workload, direction, src[workload], want[workload], sizes[workload])
                            results.setdefault((workload, direction, client, path), []).append(r)
            print(f"run {run + 1}/{a.runs} done", file=sys.stderr, flush=True)
        print(f"\n### File transfers ({os.cpu_count()} cores, loopback; {sh('ssh -V 2>&1').strip()})")
        report(results, a, sizes)
    except BenchError as e:
        sys.exit(f"bench: {e}")
    except KeyboardInterrupt:
        sys.exit("bench: interrupted; every process it started is stopped")
    finally:
        if fx: fx.close()


if __name__ == "__main__":
    main()
