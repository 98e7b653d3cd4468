"""What the Python benchmarks share: loopback ports, shell steps that must succeed, percentiles,
process CPU time and RSS (from /proc, so it counts on a noisy shared machine), and the fixture of
bench/ssh and bench/soak (CA, certificate, target sshd, bastions)."""
import os, shutil, socket, subprocess, tempfile, time

CLK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def sh(cmd):
    """Runs a shell step that must succeed; its stdout."""
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"failed: {cmd.strip().splitlines()[0]}…\n{r.stderr.strip()}")
    return r.stdout


def pct(xs, q):
    """The q-quantile (0..1) of xs, nearest rank; NaN when empty."""
    xs = sorted(xs)
    if not xs: return float("nan")
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def steal_seconds():
    """CPU time the hypervisor gave to others while this machine wanted it, all CPUs, so far
    (/proc/stat; 0 on bare metal): a run that saw much of it was measured on a busy host."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / CLK if fields[0] == "cpu" and len(fields) > 8 else 0.0
    except OSError:
        return 0.0


def autogroup():
    """Whether the kernel groups processes by session for CPU time (`kernel.sched_autogroup_enabled`):
    "on", "off", or "absent". On, the bastion, one process whatever its number of connections, gets
    one session's share while every co-located sshd session and ssh client gets its own."""
    try:
        with open("/proc/sys/kernel/sched_autogroup_enabled") as f:
            return "on" if f.read().strip() == "1" else "off"
    except OSError:
        return "absent"


def cpu_seconds(pid):
    """utime + stime of one process so far; NaN once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except OSError:
        return float("nan")


def tree_cpu_seconds(pid):
    """utime + stime of a process and of its children it has reaped (a listener whose
    per-connection children have exited: sshd); NaN once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / CLK
    except OSError:
        return float("nan")


def wait_port(port, proc=None, name="server", timeout=30):
    """Waits until something listens on 127.0.0.1:port; BenchError if `proc` exits first or
    nothing listens within `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise BenchError(f"{name} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close(); return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{name} does not listen on 127.0.0.1:{port} after {timeout}s")


def rss_kib(pid):
    """VmRSS of a process in KiB; 0 once it is gone."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"): return int(line.split()[1])
    except OSError:
        pass
    return 0


# Options every benchmark's ssh client takes: keys are made per run, nothing is asked.
SSH_COMMON = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes"

BASIC_POLICY = ("roles:\n  - name: engineer\n    groups: [engineering]\n    targets: [web1]\n"
                "    capabilities: [shell, exec]\n    mode: guard\n")


class Fixture:
    """A target sshd, optionally a jump sshd (for ProxyJump), and bastions in front of the target,
    on free loopback ports, with keys made in a temporary directory `d`:

      ca, alice + alice-cert.pub   a user CA and alice's certificate (principals alice and the
                                   local user, group engineering); plain/alice, the same key
                                   without its certificate, logs in to the sshds directly
      vault_key                    what each bastion logs in to the target with (vault entry `vault`)
      target_host, jump_host       host keys; the bastions pin target_host.pub

    `bastions`: (label, recording) pairs, each a bastion with its own state directory in front
    of target `web1`; `self.bastions[label]` is (port, process). `policy` is the policy file
    they share; `server_extra` lines are added to their `server:` section and `config_extra`
    to the end of their configuration (indented YAML, each line ending in a newline);
    `sshd_extra` lines to the sshds' configuration. `skel_home`: the sessions' HOME on the target
    is `d/home` with the distribution's startup files (/etc/skel), not the local user's own
    (which may be slow to start, or fight over a lock when many shells start at once: pyenv's
    rehash)."""

    def __init__(self, binary, bastions=(("bastion", True), ("bastion-norec", False)), jump=True,
                 policy=BASIC_POLICY, server_extra="", config_extra="", sshd_extra="", skel_home=False,
                 prefix="bastion-bench-"):
        self.d = d = tempfile.mkdtemp(prefix=prefix)
        self.procs = []
        self.user = sh("id -un").strip()
        sh(f"""cd {d}
            ssh-keygen -q -t ed25519 -N '' -f ca
            ssh-keygen -q -t ed25519 -N '' -f alice
            ssh-keygen -q -s ca -I alice@bench -n alice,{self.user} -V -5m:+4h -O extension:groups@bastion=engineering alice.pub
            mkdir plain; cp alice alice.pub plain/
            ssh-keygen -q -t ed25519 -N '' -f vault_key
            ssh-keygen -q -t ed25519 -N '' -f target_host
            ssh-keygen -q -t ed25519 -N '' -f jump_host
            cat vault_key.pub alice.pub > authorized_keys; chmod 600 authorized_keys
            mkdir -p /run/sshd 2>/dev/null || true
            mkdir home; touch home/.hushlogin
            for f in .profile .bashrc .bash_logout; do [ -f /etc/skel/$f ] && cp /etc/skel/$f home/; done; true""")
        if skel_home:
            sshd_extra = f"SetEnv HOME={d}/home\n" + sshd_extra
        self.target = free_port()
        self.jump = free_port() if jump else None
        self.sshd = {}
        # MaxStartups/MaxSessions: the default (10:30:100) drops connections beyond the tenth
        # unauthenticated one, which the concurrency runs are far above.
        for name, port, host in (("target", self.target, "target_host"), ("jump", self.jump, "jump_host")):
            if port is None: continue
            with open(f"{d}/{name}_sshd_config", "w") as f:
                f.write(f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {d}/{host}\nPidFile {d}/{name}.pid\n"
                        f"AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\nUsePAM no\nStrictModes no\n"
                        f"MaxStartups 2000:30:2000\nMaxSessions 2000\nAllowTcpForwarding yes\nSubsystem sftp internal-sftp\n{sshd_extra}")
            self.sshd[name] = self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", f"{d}/{name}_sshd_config"], f"{d}/{name}.log")
            wait_port(port, self.sshd[name], f"{name} sshd")
        with open(f"{d}/policy.yaml", "w") as f:
            f.write(policy)
        self.bastions = {}
        for label, recording in bastions:
            port = free_port()
            cfg = f"{d}/{label}.yaml"
            with open(cfg, "w") as f:
                f.write(f"server:\n  listen: 127.0.0.1:{port}\n  state_dir: {label}-state\n"
                        f"  recording: {'true' if recording else 'false'}\n"
                        f"  auth_timeout: 120s\n  target_connect_timeout: 120s\n{server_extra}"
                        f"auth:\n  user_ca_files: [ca.pub]\ntargets:\n  - name: web1\n    host: 127.0.0.1\n"
                        f"    port: {self.target}\n    user: {self.user}\n    key: vault\n    host_key_file: target_host.pub\n"
                        f"policy_file: policy.yaml\n{config_extra}")
            sh(f"{binary} vault add vault --key-file {d}/vault_key --config {cfg}")
            p = self.spawn([binary, "serve", "--config", cfg] + (["--allow-root"] if os.geteuid() == 0 else []), f"{d}/{label}.log")
            wait_port(port, p, label)
            self.bastions[label] = (port, p)

    def bastion_ssh(self, label="bastion"):
        """`ssh … -p PORT alice@127.0.0.1` through bastion `label` (add `web1` and a command)."""
        return f"ssh {SSH_COMMON} -i {self.d}/alice -p {self.bastions[label][0]} alice@127.0.0.1"

    def spawn(self, argv, log):
        with open(log, "w") as out:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append(p); return p

    def close(self, grace=5.0, keep=False):
        """SIGTERM to what the fixture started, SIGKILL to what is left after `grace` seconds;
        then the directory goes (its recordings of the transfers are gigabytes), unless `keep`."""
        for p in self.procs:
            if p.poll() is None: p.terminate()
        end = time.monotonic() + grace
        for p in self.procs:
            try: p.wait(max(0.0, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill(); p.wait()
        if not keep:
            shutil.rmtree(self.d, ignore_errors=True)
