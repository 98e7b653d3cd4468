#!/usr/bin/env python3
"""The shell side of interception alone: Enter-to-output for bash with and without the
bastion's rc, the verdict already waiting, in a local pty and through a real sshd.

What the bastion adds at Enter splits in two: its own work (deciding, recording, relaying)
and what the integration makes bash do (the `bind -x` check, the markers, the prompt hooks).
This measures the second with no bastion at all, so a change to the rc can be judged on a
figure that does not move with the relay's noise. The rc is the one the bastion ships, read
from Sources/Interception/ShellIntegration.swift (or, with --rev, from a git revision of it).

    python3 bench/interactive/shell_side.py                  # plain bash vs the rc, local and via sshd
    python3 bench/interactive/shell_side.py --rev c734828    # also the rc of an older revision
    python3 bench/interactive/shell_side.py --callgrind      # instead: bash's instructions per line

For each variant, `--lines` times: `printf 'E%sE\\n' 7` is typed, its echo awaited, the answer
the bastion would give early (`ID:TOKEN P<line>`, the id and token bash announced with its
prompt) written into the verdict FIFO, then `\\r` written; a sample is the time until `E7E` is
read. Variants alternate for `--rounds` rounds so that drifts in machine load hit them alike.
"""
import argparse, fcntl, os, pty, re, select, shutil, statistics, struct, subprocess, sys, tempfile, termios, time
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BenchError  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = "Sources/Interception/ShellIntegration.swift"
TOKEN = "TOKEN"
LINE = b"printf 'E%sE\\n' 7"
PROMPT = b"@@@ "


def rc_text(swift_source):
    """The rc as ShellIntegration.rcScript renders it, with the marker prefix for token TOKEN."""
    try:
        body = swift_source.split('return #"""\n', 1)[1].split('\n        """#', 1)[0]
    except IndexError:
        raise BenchError(f"the rc's raw string was not found in {SOURCE} (has its shape changed?)")
    lines = [line[8:] if line.startswith("        ") else line.lstrip() for line in body.split("\n")]
    rc = "\n".join(lines).replace(r"\#(osc)", rf"\e]6973;{TOKEN}")
    # Since the startup files became optional (`startup_files: false`), the rc names them in an
    # interpolation; the benchmark's shells read them, as by default.
    choice = r'\#(readsStartupFiles ? Self.startupFiles : "")'
    if choice in rc:
        try:
            files = swift_source.split('private static let startupFiles = """\n', 1)[1].split('\n        """', 1)[0]
        except IndexError:
            raise BenchError(f"the startup files' text was not found in {SOURCE} (has its shape changed?)")
        rc = rc.replace(choice, "\n".join(line[8:] for line in files.split("\n")))
    return rc


def plain_rc():
    return f"PS1='@@@ '\n[ -r ~/.bashrc ] && . ~/.bashrc\n"


class Shell:
    """One bash in a pty (directly, or as the command of an ssh session), its rc in a directory
    with the verdict FIFOs that the harness keeps open."""

    def __init__(self, rc, ssh_argv=None, home=None, wrapper=()):
        self.dir = tempfile.mkdtemp(prefix="bastion-shellside-")
        os.chmod(self.dir, 0o755)
        for fifo in ("v", "w"):
            os.mkfifo(f"{self.dir}/{fifo}")
        self.vfd = os.open(f"{self.dir}/v", os.O_RDWR)
        with open(f"{self.dir}/rc", "w") as f:
            f.write(rc)
        argv = [*wrapper, "bash", "--rcfile", f"{self.dir}/rc", "-i"]
        if ssh_argv:
            argv = ssh_argv + [f"exec bash --rcfile {self.dir}/rc -i"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ.update(TERM="xterm", LC_ALL="C.UTF-8", **({"HOME": home} if home else {}))
            os.execvp(argv[0], argv)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        self.pending = b""
        self.integrated = "__bastion" in rc

    def read_until(self, token, timeout=20):
        buf, end = self.pending, time.monotonic() + timeout
        while token not in buf:
            ready, _, _ = select.select([self.fd], [], [], max(0, end - time.monotonic()))
            if not ready:
                raise BenchError(f"no {token!r} within {timeout}s; the shell printed: {buf[-300:]!r}")
            buf += os.read(self.fd, 65536)
        i = buf.index(token) + len(token)
        self.pending = buf[i:]
        return buf[:i]

    def start(self):
        """Sets the prompt (answering its check when integrated); returns what came with the prompt."""
        time.sleep(0.5)
        os.write(self.fd, b"PS1='@''@@ '; unset HISTFILE\r")
        if self.integrated:
            got = self.read_until(b"\x07")
            while b";C;" not in got:
                got += self.read_until(b"\x07")
            check = re.findall(rb"\x1b\]6973;" + TOKEN.encode() + rb";C;([0-9]+:[0-9a-f]+);", got)[-1]
            os.write(self.vfd, check + b" A\n")
        return self.read_until(PROMPT)

    def cpu_seconds(self):
        """CPU seconds of this bash and of the children it waited for (its command substitutions),
        user and system: /proc/PID/stat's utime, stime, cutime and cstime (local shells only)."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")

    def enter_samples(self, lines, cpu=None):
        """Enter→output samples; with a list `cpu`, also appends the shell's CPU per line."""
        prompt = self.start()
        samples = []
        c0 = self.cpu_seconds() if cpu is not None else 0
        for i in range(lines):
            os.write(self.fd, LINE)
            self.read_until(b"7")
            time.sleep(0.01 + 0.2 * (i % 3) / 3)
            if self.integrated:
                self.answer_early(prompt)
            t0 = time.perf_counter()
            os.write(self.fd, b"\r")
            self.read_until(b"E7E")
            samples.append(time.perf_counter() - t0)
            prompt = self.read_until(PROMPT)
        if cpu is not None:
            cpu.append((self.cpu_seconds() - c0) / lines)
        return samples

    def answer_early(self, prompt, line=LINE):
        """Writes the answer the bastion gives before Enter for `line`: `ID:TOKEN P<line>`,
        framed, with the id and token that `prompt` announced."""
        announced = re.findall(rb"\x1b\]6973;" + TOKEN.encode() + rb";P;\d*;([0-9]+:[0-9a-f]+);", prompt)
        if not announced:
            raise BenchError(f"the prompt announced no id for an early answer: {prompt[-300:]!r}")
        payload = announced[-1] + b" P" + line.replace(b"\\", b"\\\\")
        os.write(self.vfd, b"P%d\n" % len(payload) + payload + b"\n")   # framed, as the bastion frames it

    def answer_check(self):
        """Waits for the check bash starts at Enter and allows it (the harness stands in for the
        bastion)."""
        got = b""
        while not re.search(rb";C;[^\x07]*\x07$", got):
            got += self.read_until(b"\x07")
        nonce = re.findall(rb"\x1b\]6973;" + TOKEN.encode() + rb";C;([0-9]+:[0-9a-f]+);", got)[-1]
        os.write(self.vfd, nonce + b" A\n")

    def round_trip_lines(self, lines, early=False):
        """`lines` times: the line typed, its echo awaited, Enter, the output and the next prompt
        awaited. The check is answered when bash asks, or (`early`) before Enter with the id and
        token the prompt announced, as the bastion answers a line it followed key by key."""
        prompt = self.start()
        for _ in range(lines):
            os.write(self.fd, LINE)
            self.read_until(b"7")
            if self.integrated and early:
                self.answer_early(prompt)
            os.write(self.fd, b"\r")
            if self.integrated and not early:
                self.answer_check()
            self.read_until(b"E7E")
            prompt = self.read_until(PROMPT)

    def exit(self):
        """Types `exit` (answering its check) and waits for bash to end, so that a wrapper's
        report is written."""
        os.write(self.fd, b"exit\r")
        if self.integrated:
            self.answer_check()
        os.waitpid(self.pid, 0)
        self.pid = None

    def close(self):
        try:
            if self.pid:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.vfd)
        os.close(self.fd)
        shutil.rmtree(self.dir, ignore_errors=True)


def under_valgrind(rc):
    """`rc` as it must read under valgrind for the early path: valgrind leaves SIGRTMAX ignored,
    which `trap -p` lists, and a trap at the start turns early answers off for the session. The
    start's check skips that one line; every other listing (the state each prompt compares with
    the start's) shows it alike."""
    # (The start's listing as it reads since 8667dd8, and before it: `--rev` may name either.)
    for check, skipping in (("__bastion_out=$(trap -p)\n", "__bastion_out=$(trap -p | command grep -v ' SIGRTMAX$')\n"),
                            ("[[ $(trap -p; bind -X", "[[ $(trap -p | command grep -v ' SIGRTMAX$'; bind -X")):
        if check in rc:
            return rc.replace(check, skipping, 1)
    raise BenchError("the rc's start lists traps in neither known way: update under_valgrind")


def callgrind_per_line(rc, home, lines, early):
    """The user-space instructions bash executes per line (typing, Enter, the check, the command,
    the prompt), counted by callgrind: the difference between a run of `lines` lines and one of
    3 × `lines`, so that startup cancels out. Stable run to run, unlike times on a shared machine."""
    totals = []
    for n in (lines, 3 * lines):
        out = tempfile.mkdtemp(prefix="bastion-shellside-cg-")
        shell = Shell(under_valgrind(rc) if early and TOKEN in rc else rc, home=home,
                      wrapper=("valgrind", "--tool=callgrind", "--quiet", f"--callgrind-out-file={out}/cg.%p"))
        try:
            pid = shell.pid
            shell.round_trip_lines(n, early)
            shell.exit()
            with open(f"{out}/cg.{pid}") as f:
                total = [line.split()[1] for line in f if line.startswith(("totals:", "summary:"))]
            if not total:
                raise BenchError(f"no totals in {out}/cg.{pid}")
            totals.append(int(total[-1]))
        finally:
            shell.close()
            shutil.rmtree(out, ignore_errors=True)
    return (totals[1] - totals[0]) / (2 * lines)


def callgrind_enter(rc, home, lines):
    """The user-space instructions bash executes from the Enter to the command's output alone,
    the answer already waiting: callgrind counts only while the harness turns it on
    (`callgrind_control -i on` before the Enter, `off` once the output is read). The command
    then waits on `read` until the harness lets it go, so the prompt's work stays out."""
    out = tempfile.mkdtemp(prefix="bastion-shellside-cg-")
    line = LINE + b"; read -r x"
    shell = Shell(under_valgrind(rc) if TOKEN in rc else rc, home=home,
                  wrapper=("valgrind", "--tool=callgrind", "--quiet", "--instr-atstart=no", f"--callgrind-out-file={out}/cg.%p"))

    def control(*args):
        subprocess.run(["callgrind_control", *args, str(shell.pid)], capture_output=True, check=True)
    try:
        prompt = shell.start()
        for _ in range(lines):
            os.write(shell.fd, line)
            shell.read_until(b"x")
            if shell.integrated:
                shell.answer_early(prompt, line)
            control("-i", "on")
            os.write(shell.fd, b"\r")
            shell.read_until(b"E7E")
            control("-i", "off")
            os.write(shell.fd, b"\r")
            prompt = shell.read_until(PROMPT)
        control("-d")
        time.sleep(0.5)
        totals = []
        for name in os.listdir(out):
            with open(os.path.join(out, name)) as f:
                totals += [int(row.split()[1]) for row in f if row.startswith("totals:")]
        if not totals:
            raise BenchError(f"no totals in {out}")
        return sum(totals) / lines
    finally:
        shell.close()
        shutil.rmtree(out, ignore_errors=True)


def counted(variants, home, measure):
    """`(label, *measure(rc))` for each variant; exits with the harness's message should one
    fail, and removes `home` either way."""
    try:
        return [(label, *measure(rc)) for label, rc in variants]
    except BenchError as e:
        sys.exit(f"shell_side: {e}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


def invocation():
    """The closing line of a report: the command line and bash's version."""
    version = subprocess.run(["bash", "-c", "echo $BASH_VERSION"], capture_output=True, text=True).stdout.strip()
    return f"\n`{' '.join(sys.argv)}`; bash {version}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=150, help="Enter samples per variant and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rev", action="append", default=[], help="also the rc of this git revision (repeatable)")
    ap.add_argument("--no-sshd", action="store_true", help="local pty only")
    ap.add_argument("--callgrind", action="store_true",
                    help="instead: bash's instructions per line under callgrind, for each variant (local pty; early answer and round trip)")
    ap.add_argument("--callgrind-enter", action="store_true",
                    help="instead: bash's instructions from the Enter to the command's output alone, early answer (local pty)")
    a = ap.parse_args()
    for tool in ("bash", "git") + (() if a.no_sshd or a.callgrind else ("ssh", "ssh-keygen", "/usr/sbin/sshd")):
        if not shutil.which(tool):
            sys.exit(f"{tool} not found")
    with open(os.path.join(ROOT, SOURCE)) as f:
        variants = [("bash, no integration", plain_rc()), ("bash with the rc (working tree)", rc_text(f.read()))]
    for rev in a.rev:
        source = subprocess.run(["git", "-C", ROOT, "show", f"{rev}:{SOURCE}"], capture_output=True, text=True)
        if source.returncode != 0:
            sys.exit(f"git show {rev}:{SOURCE}: {source.stderr.strip()}")
        variants.append((f"bash with the rc of {rev}", rc_text(source.stdout)))

    home = tempfile.mkdtemp(prefix="bastion-shellside-home-")
    for name in (".profile", ".bashrc"):
        if os.path.exists(f"/etc/skel/{name}"):
            shutil.copy(f"/etc/skel/{name}", f"{home}/{name}")
    if a.callgrind_enter:
        if not shutil.which("callgrind_control"):
            sys.exit("callgrind_control (valgrind) not found")
        counts = counted(variants, home, lambda rc: (callgrind_enter(rc, home, a.lines),))
        print(f"\n### bash's user-space instructions from the Enter to the command's output (callgrind; {a.lines} lines, the answer waiting)\n")
        print("| shell | per Enter | vs no integration |")
        print("|---|---:|---:|")
        for label, n in counts:
            print(f"| {label} | {n:,.0f} | {n / counts[0][1]:.1f}× |")
        print(invocation())
        return
    if a.callgrind:
        if not shutil.which("valgrind"):
            sys.exit("valgrind not found")
        counts = counted(variants, home, lambda rc: (callgrind_per_line(rc, home, a.lines, True),
                                                     callgrind_per_line(rc, home, a.lines, False)))
        print(f"\n### bash's user-space instructions per line (callgrind; {a.lines} and {3 * a.lines} lines, the difference)\n")
        print("Early: the answer waits when Enter comes, as the bastion gives it for a line it followed key by key;")
        print("round trip: bash asks at Enter and the answer follows.\n")
        print("| shell | early answer | vs no integration | round trip | vs no integration |")
        print("|---|---:|---:|---:|---:|")
        for label, early, trip in counts:
            print(f"| {label} | {early:,.0f} | {early / counts[0][1]:.1f}× | {trip:,.0f} | {trip / counts[0][2]:.1f}× |")
        print(invocation())
        return
    paths = [("local pty", None)]
    fx = None
    try:
        if not a.no_sshd:
            from bench import Fixture   # the interactive bench's sshd fixture (it also starts two bastions: unused here)
            fx = Fixture()
            fx.start(os.path.join(ROOT, ".build/release/bastion"))
            paths.append(("via sshd", ["ssh", "-tt", "-e", "none", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                                       "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-c", "aes128-gcm@openssh.com",
                                       "-i", f"{fx.d}/plain/alice", "-p", str(fx.target), f"{fx.user}@127.0.0.1"]))
        results, cpus = {}, {}
        for _ in range(a.rounds):
            for path, ssh_argv in paths:
                for label, rc in variants:
                    shell = Shell(rc, ssh_argv, home=home if ssh_argv is None else None)
                    try:
                        # (CPU only where bash is a child of this script: not through sshd.)
                        cpu = cpus.setdefault((path, label), []) if ssh_argv is None else None
                        results.setdefault((path, label), []).extend(shell.enter_samples(a.lines, cpu))
                    finally:
                        shell.close()
        print(f"\n### Enter→output with the answer waiting ({a.rounds} × {a.lines} lines per row; bash CPU: the shell and the\n"
              f"command substitutions it waited for, per line: typing, Enter, the command, the prompt)\n")
        print("| path | shell | p50 µs | p99 µs | added p50 µs | bash CPU µs / line |")
        print("|---|---|---:|---:|---:|---:|")
        for path, _ in paths:
            base = statistics.median(results[(path, variants[0][0])])
            for label, _ in variants:
                xs = sorted(results[(path, label)])
                p50, p99 = statistics.median(xs), xs[int(len(xs) * 0.99)]
                c = cpus.get((path, label))
                cpu = f"{1e6 * statistics.mean(c):.0f}" if c else "–"
                print(f"| {path} | {label} | {1e6 * p50:.0f} | {1e6 * p99:.0f} | {1e6 * (p50 - base):+.0f} | {cpu} |")
        print(invocation())
    except BenchError as e:
        sys.exit(f"shell_side: {e}")
    finally:
        if fx:
            fx.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
