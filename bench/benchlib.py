"""What the Python benchmarks share: loopback ports, shell steps that must succeed, percentiles
and process CPU time (from /proc, so it counts on a noisy shared machine)."""
import os, socket, subprocess

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
