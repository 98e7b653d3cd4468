#!/usr/bin/env python3
"""Replays the keystroke corpus (Tests/Fixtures/keystrokes) through the bastion.

Each case types its keys into `ssh -tt -e none … web1` under a fresh pty, exactly as the
corpus generator types them into a local bash, with the same pacing (the case's PS1/PS2 carry
OSC markers 7770/7771, which the bastion passes through; only its own 6973 markers are
removed). On the target, the case's rc (read through the target user's ~/.bash_profile, which
the bastion's integration sources) records what bash itself put in its history: that is the
truth the bastion's records are compared with.

Usage: interactive_corpus.py CONFIG_JSON
CONFIG: {"ssh": [argv before the destination], "destination": "alice@127.0.0.1",
         "lanes": [["-i", key, "-o", "CertificateFile=…"], …], "home": target home,
         "uid": n, "gid": n, "only": [names] or null, "out": result path}
Cases are dealt to lanes in corpus order; each lane runs its cases one after another, so the
n-th session of a lane's identity is its n-th case. Writes a JSON list of
{"name", "lane", "index", "ok", "error", "truth", "ran", "transcript"} ("ran": whether each entry of
bash's history started running).

With BASTION_CORPUS_NESTED=1 (for exploring screen reading; the end-to-end test then skips the
integration's checks), the login shell reads no case rc, and each case runs in the bash that
`exec bash --rcfile CASE_RC`, typed at its first prompt, puts in its place: one the bastion reads
from the screen.
"""
import concurrent.futures, fcntl, json, os, pty, shutil, signal, struct, sys, termios

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Fixtures", "keystrokes"))
import make_corpus as mc  # noqa: E402

# Through ssh and the bastion, on a machine that also runs the other end-to-end suites, a step
# may take longer than against a local bash: more patience, the same pacing.
mc.STEP_TIMEOUT = 30.0
NESTED = os.environ.get("BASTION_CORPUS_NESTED") == "1"


class RemoteSession(mc.Session):
    """A corpus session whose bash runs on the target, reached through the bastion."""

    def __init__(self, case, config, lane):
        super().__init__(case)
        self.config, self.lane = config, lane
        home = config["home"]
        self.case_rc = os.path.join(home, "cases", case["name"] + ".rc")
        self.rec = os.path.join(home, "cases", case["name"] + ".rec")
        cwd = os.path.join(home, "cwd-" + case["name"])
        os.makedirs(cwd, exist_ok=True)
        rc = "HISTFILE=" + mc.shquote(os.path.join(home, "cases", case["name"] + ".hist")) + "\n"
        rc += "cd " + mc.shquote(cwd) + "\n" + mc.build_rc(self.rec, case.get("rc_extra"))
        with open(self.case_rc, "w") as f:
            f.write(rc)
        open(self.rec, "w").close()
        for path in (self.case_rc, self.rec, cwd):
            os.chown(path, config["uid"], config["gid"])

    def start(self):
        argv = self.config["ssh"] + self.lane + ["-o", "SendEnv=LC_KCASE", self.config["destination"], "web1"]
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_KCASE="" if NESTED else self.case["name"])
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", mc.ROWS, mc.COLS, 0, 0))
                os.execvpe(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", mc.ROWS, mc.COLS, 0, 0))
        if NESTED:
            self.wait_for(b"$ ")
            os.write(fd, b"exec bash --rcfile " + mc.shquote(self.case_rc).encode() + b"\r")
        self.wait(want_ps1=1)

    def wait_for(self, text):
        """Reads until `text` was output (the login shell's prompt, which has no case marker)."""
        deadline = mc.time.monotonic() + mc.STEP_TIMEOUT
        while text not in self.transcript:
            if self._read(0.2) == b"" or mc.time.monotonic() > deadline:
                raise mc.CaseError("no %r from the login shell" % text)


def run_lane(args):
    config, lane_index, cases = args
    results = []
    for index, case in enumerate(cases):
        s = RemoteSession(case, config, config["lanes"][lane_index])
        result = {"name": case["name"], "lane": lane_index, "index": index}
        try:
            s.start()
            s.run_steps()
            s.finish()
            truth, ran = s.records()
            # (Bash may keep bytes that are not UTF-8, e.g. half a character deleted in the C
            # locale; the bastion's records hold such lines repaired, each ill-formed sequence one
            # U+FFFD, and so is the truth, as JSON cannot carry the bytes.)
            truth = [t.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for t in truth]
            result.update(ok=True, truth=truth, ran=ran)
        except mc.CaseError as e:
            result.update(ok=False, error=str(e))
        finally:
            result["transcript"] = s.transcript[-1500:].decode("utf-8", "replace")
            if s.pid:
                try:
                    os.kill(s.pid, signal.SIGKILL)
                    os.waitpid(s.pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
            if s.fd is not None:
                os.close(s.fd)
                s.fd = None
            s.pid = None
            shutil.rmtree(s.tmp, ignore_errors=True)
        results.append(result)
    return results


def main():
    config = json.load(open(sys.argv[1]))
    os.makedirs(os.path.join(config["home"], "cases"), exist_ok=True)
    os.chown(os.path.join(config["home"], "cases"), config["uid"], config["gid"])
    cases = mc.normalized_cases(set(config["only"]) if config.get("only") else None)
    lanes = len(config["lanes"])
    dealt = [cases[i::lanes] for i in range(lanes)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=lanes) as ex:
        results = [r for lane in ex.map(run_lane, [(config, i, dealt[i]) for i in range(lanes)]) for r in lane]
    with open(config["out"], "w") as f:
        json.dump(results, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
