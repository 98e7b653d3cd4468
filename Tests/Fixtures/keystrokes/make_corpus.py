#!/usr/bin/env python3
"""Build or check the keystroke corpus: the expected lines come from bash itself.

For every case in cases.py this starts `bash --noprofile --rcfile RC -i` in a fresh pty
(80x24, TERM=xterm-256color, LANG=C.UTF-8, fresh HOME/HISTFILE/cwd in a temp dir),
types the case's steps with settle-until-quiet pacing, ends the shell (Ctrl-C, Ctrl-D)
and reads what bash itself wrote: at every primary prompt PROMPT_COMMAND appends one
`NUMBER BASE64(text)` line per history entry added since the previous prompt (text as
printed by `history`, number stripped; nothing when the newest number did not change,
as after an empty Enter or Ctrl-C), and PS0 appends `RAN NUMBER` each time a command is
about to run. See README.md.

  python3 make_corpus.py --write      regenerate corpus.json (each case run twice, must agree)
  python3 make_corpus.py --check      re-run, exit 1 if bash now records anything else
  python3 make_corpus.py --show       print what bash records, write nothing
  --only NAME...                      restrict to these cases
  --jobs N (default 12)  --runs N     parallel shells; runs per case

Standard library only.
"""
import argparse
import base64
import concurrent.futures
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import cases as case_defs  # noqa: E402

CORPUS = os.path.join(HERE, "corpus.json")
BASH = "/bin/bash"
ROWS, COLS = 24, 80
PS1_MARK = b"\x1b]7770;\x07"  # inside PS1
PS2_MARK = b"\x1b]7771;\x07"  # inside PS2
QUIET = 0.06        # seconds without output that count as "settled"
STEP_TIMEOUT = 8.0  # a step that never settles / never shows its prompts is an error
FINISH_QUIET = 0.3  # seconds without output before a case's closing Ctrl-C
PATH = "/usr/local/bin:/usr/bin:/bin"

BASE_RC = r"""
shopt -s cmdhist lithist
HISTCONTROL=
HISTIGNORE=
HISTSIZE=1000
HISTFILESIZE=1000
unset HISTTIMEFORMAT
PS1=$'\[\e]7770;\a\]$ '
PS2=$'\[\e]7771;\a\]> '
__kc_last=0
__kc_rec() {
  # Every history entry added since the last prompt (a paste can add several), each
  # printed by bash's own `history`, each base64 on its own line: "NUMBER BASE64".
  local h n k rest t
  h=$(HISTTIMEFORMAT= builtin history 1)
  [[ $h =~ ^\ *([0-9]+) ]] || return 0
  n=${BASH_REMATCH[1]}
  if (( n > __kc_last )); then
    rest=$(HISTTIMEFORMAT=$'\001KC\001' builtin history $(( n - __kc_last )); builtin printf x)
    rest=${rest%$'\n'x}
    for (( k = __kc_last + 1; k <= n; k++ )); do
      [[ $rest =~ ^\ *$k[\ *]\ $'\001KC\001' ]] || { builtin printf 'BAD %s\n' "$k" >> "$__KC_REC"; break; }
      rest=${rest:${#BASH_REMATCH[0]}}
      if [[ $rest =~ $'\n'\ *$((k + 1))[\ *]\ $'\001KC\001' ]]; then
        t=${rest%%"${BASH_REMATCH[0]}"*}
        rest=${rest:${#t}+1}
      else
        t=$rest
      fi
      builtin printf '%s %s\n' "$k" "$(builtin printf '%s' "$t" | base64 -w0)" >> "$__KC_REC"
      # (Counted entry by entry: a Ctrl-C that stops this function leaves the rest to the next
      # prompt, and writes no entry twice.)
      __kc_last=$k
    done
  fi
  __kc_last=$n
}
PROMPT_COMMAND='__kc_rec'
# PS0 is expanded after a command is read and before it runs: note which entry was newest.
__kc_ps0() {
  local h
  h=$(HISTTIMEFORMAT= builtin history 1)
  [[ $h =~ ^\ *([0-9]+) ]] && builtin printf 'RAN %s\n' "${BASH_REMATCH[1]}" >> "$__KC_REC"
}
PS0='$(__kc_ps0)'
"""


class CaseError(Exception):
    pass


def build_rc(rec_path, rc_extra):
    rc = "__KC_REC=" + shquote(rec_path) + "\n" + BASE_RC
    for line in rc_extra or []:
        rc += line + "\n"
    return rc


def shquote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def count_enters(data, in_paste):
    """Enters readline will accept (CR/LF outside a bracketed paste, not quoted with Ctrl-V)."""
    n = 0
    i = 0
    while i < len(data):
        if not in_paste and data[i] == 0x16:
            i += 2
            continue
        if data.startswith(b"\x1b[200~", i):
            in_paste = True
            i += 6
            continue
        if data.startswith(b"\x1b[201~", i):
            in_paste = False
            i += 6
            continue
        if not in_paste and data[i] in (0x0D, 0x0A):
            n += 1
        i += 1
    return n, in_paste


class Session:
    def __init__(self, case):
        self.case = case
        self.tmp = tempfile.mkdtemp(prefix="kc-")
        self.home = os.path.join(self.tmp, "home")
        self.cwd = os.path.join(self.tmp, "cwd")
        os.mkdir(self.home)
        os.mkdir(self.cwd)
        self.rec = os.path.join(self.tmp, "records")
        self.rcfile = os.path.join(self.tmp, "rc")
        with open(self.rcfile, "w") as f:
            f.write(build_rc(self.rec, case.get("rc_extra")))
        open(self.rec, "w").close()
        self.buf = b""       # unconsumed output (for marker scanning)
        self.transcript = b""
        self.prompts = 0     # PS1 + PS2 markers seen
        self.ps1 = 0
        self.pid = None
        self.fd = None

    def start(self):
        env = {
            "HOME": self.home, "PATH": PATH, "TERM": "xterm-256color",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HISTFILE": os.path.join(self.home, ".bash_history"),
            "USER": os.environ.get("USER", "user"), "SHELL": BASH,
        }
        pid, fd = pty.fork()
        if pid == 0:
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.chdir(self.cwd)
                os.execve(BASH, [BASH, "--noprofile", "--rcfile", self.rcfile, "-i"], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.wait(want_ps1=1)

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return None
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            return b""
        self.transcript += data
        self.buf += data
        while True:
            i1 = self.buf.find(PS1_MARK)
            i2 = self.buf.find(PS2_MARK)
            cands = [i for i in (i1, i2) if i >= 0]
            if not cands:
                break
            i = min(cands)
            if i == i1:
                self.ps1 += 1
            self.prompts += 1
            self.buf = self.buf[i + len(PS1_MARK):]
        self.buf = self.buf[-16:]
        return data

    def wait(self, want_prompts=None, want_ps1=None, timeout=None):
        """Read until the wanted prompt counts are reached and output is quiet."""
        deadline = time.monotonic() + (timeout or STEP_TIMEOUT)
        while True:
            data = self._read(QUIET)
            if data == b"":
                raise CaseError("bash exited early")
            if data is None:
                ok = (want_prompts is None or self.prompts >= want_prompts) and \
                     (want_ps1 is None or self.ps1 >= want_ps1)
                if ok:
                    return
            if time.monotonic() > deadline:
                raise CaseError("step did not settle (prompts %d/%s, ps1 %d/%s)"
                                % (self.prompts, want_prompts, self.ps1, want_ps1))

    def run_steps(self):
        in_paste = False
        owed = self.prompts   # prompts we expect once every Enter sent since the last settle is handled
        for i, step in enumerate(self.case["steps"]):
            data = step.encode("utf-8")
            n, in_paste = count_enters(data, in_paste)
            w = self.case["waits"][i]
            if w != "quiet":
                owed += n
            os.write(self.fd, data)
            if w in ("settle", "quiet"):
                self.wait(want_prompts=owed)
                owed = self.prompts
            else:
                # fixed pause, no settling: used to type ahead while a command runs
                end = time.monotonic() + float(w)
                while time.monotonic() < end:
                    self._read(max(0.0, end - time.monotonic()))

    def finish(self):
        # Back to an empty primary prompt, then EOF. First a longer quiet than a step's: a
        # prompt that bash redraws before a command runs (a `bind -x` key's, as the bastion's
        # check) counts as one, and a Ctrl-C that lands while PROMPT_COMMAND records the
        # history entries would cut the record short (seen once on a loaded machine).
        # And until every command that started has come back to a prompt that recorded it: under
        # load, the wait between a checked line's redrawn prompt and its output can outlast any
        # quiet (a Ctrl-C there would stop the command).
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            data = self._read(FINISH_QUIET)
            if data == b"" or (data is None and self.ran_commands_recorded()):
                break
        before = self.ps1
        os.write(self.fd, b"\x03")
        try:
            self.wait(want_ps1=before + 1, timeout=min(3.0, STEP_TIMEOUT))
        except CaseError:
            # Bash itself can miss a Ctrl-C that lands as readline starts: it prints `^C` and
            # waits for the next key before the new prompt (1 in 300 right after a command, no
            # bastion involved). A person presses it again.
            os.write(self.fd, b"\x03")
            self.wait(want_ps1=before + 1)
        os.write(self.fd, b"\x04")
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            if self._read(0.2) == b"":
                break
        else:
            raise CaseError("bash did not exit")

    def close(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
        if self.fd is not None:
            os.close(self.fd)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def ran_commands_recorded(self):
        """Whether every history entry that started running was written by a prompt after it."""
        with open(self.rec) as f:
            lines = [line.partition(" ")[::2] for line in f.read().splitlines()]
        ran = [int(rest) for num, rest in lines if num == "RAN"]
        written = [int(num) for num, _ in lines if num.isdigit()]
        return not ran or max(ran) <= max(written, default=0)

    def records(self):
        """(texts of the new history entries in order, whether each one started running)"""
        entries, ran, written = [], set(), set()
        with open(self.rec) as f:
            for line in f:
                num, _, rest = line.rstrip("\n").partition(" ")
                if num == "BAD":
                    raise CaseError("could not parse bash's history output at entry " + rest)
                if num == "RAN":
                    # (An entry is written at the prompt after it ran; a RAN naming one written
                    # already is a later command that history kept out, HISTCONTROL or
                    # HISTIGNORE, and PS0 saw the newest entry before it.)
                    if int(rest) not in written:
                        ran.add(int(rest))
                    continue
                written.add(int(num))
                entries.append((int(num), base64.b64decode(rest).decode("utf-8", "surrogateescape")))
        return [t for _, t in entries], [n in ran for n, _ in entries]


def run_case(case):
    s = Session(case)
    try:
        s.start()
        s.run_steps()
        s.finish()
        texts, ran = s.records()
        return {"ok": True, "expected": texts, "ran": ran}
    except CaseError as e:
        return {"ok": False, "error": str(e), "transcript": s.transcript[-2000:].decode("utf-8", "replace")}
    finally:
        s.close()


EXTRA = "KEYSTROKE_EXTRA_CASES"


def normalized_cases(names=None):
    """The corpus's cases, and those of the JSON file $KEYSTROKE_EXTRA_CASES names (for
    exploring, e.g. random_cases.py's: never written into the corpus)."""
    out = []
    seen = set()
    extra = []
    if os.environ.get(EXTRA):
        with open(os.environ[EXTRA]) as f:
            extra = json.load(f)
    for c in case_defs.CASES + extra:
        c = dict(c)
        if c["name"] in seen:
            raise SystemExit("duplicate case name " + c["name"])
        seen.add(c["name"])
        steps = c["steps"]
        waits = c.get("waits") or ["settle"] * len(steps)
        if len(waits) != len(steps):
            raise SystemExit("case %s: waits and steps differ in length" % c["name"])
        for w in waits:
            if w not in ("settle", "quiet") and not isinstance(w, (int, float)):
                raise SystemExit("case %s: bad wait %r" % (c["name"], w))
        c["waits"] = waits
        c["rc_extra"] = c.get("rc_extra") or []
        if names and c["name"] not in names:
            continue
        out.append(c)
    return out


def run_all(cases, jobs):
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as ex:
        return list(ex.map(run_case, cases))


def entry(case, expected, ran):
    e = {"name": case["name"], "category": case["category"]}
    if case.get("note"):
        e["note"] = case["note"]
    e["rc_extra"] = case["rc_extra"]
    e["steps"] = case["steps"]
    e["waits"] = case["waits"]
    e["expected"] = expected
    e["ran"] = ran
    return e


def main():
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true")
    g.add_argument("--check", action="store_true")
    g.add_argument("--show", action="store_true")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--jobs", type=int, default=12)
    ap.add_argument("--runs", type=int, default=None,
                    help="runs per case; a case must give the same records every run "
                         "(default 2 for --write, 1 otherwise)")
    args = ap.parse_args()
    if (args.write or args.check) and os.environ.get(EXTRA):
        raise SystemExit("%s is for exploring (--show, the end-to-end test): unset it to write or check the corpus" % EXTRA)
    runs = args.runs or (2 if args.write else 1)

    t0 = time.monotonic()
    cases = normalized_cases(set(args.only) if args.only else None)
    results = [run_all(cases, args.jobs) for _ in range(runs)]
    elapsed = time.monotonic() - t0

    bad = 0
    fresh = []
    for i, c in enumerate(cases):
        rs = [r[i] for r in results]
        errs = [r for r in rs if not r["ok"]]
        if errs:
            bad += 1
            print("ERROR %s: %s\n--- transcript tail ---\n%s\n---" % (c["name"], errs[0]["error"], errs[0]["transcript"]))
            continue
        exps = [(r["expected"], r["ran"]) for r in rs]
        if any(e != exps[0] for e in exps):
            bad += 1
            print("UNSTABLE %s: %s" % (c["name"], json.dumps(exps)))
            continue
        fresh.append(entry(c, *exps[0]))
        if args.show:
            flags = "" if all(exps[0][1]) else "  ran=" + json.dumps(exps[0][1])
            print("%-40s %s%s" % (c["name"], json.dumps(exps[0][0], ensure_ascii=False), flags))

    if args.check:
        with open(CORPUS) as f:
            stored = {e["name"]: e for e in json.load(f)}
        for e in fresh:
            s = stored.get(e["name"])
            if s is None:
                bad += 1
                print("NOT IN CORPUS %s" % e["name"])
            elif s != e:
                bad += 1
                for k in e:
                    if s.get(k) != e[k]:
                        print("DIFFERS %s.%s: stored %s, now %s" % (
                            e["name"], k, json.dumps(s.get(k), ensure_ascii=False), json.dumps(e[k], ensure_ascii=False)))
        if not args.only:
            for name in stored:
                if name not in {e["name"] for e in fresh}:
                    bad += 1
                    print("ONLY IN CORPUS %s" % name)
    if args.write:
        if bad:
            print("not writing: %d bad case(s)" % bad)
        else:
            if args.only:
                with open(CORPUS) as f:
                    old = {e["name"]: e for e in json.load(f)}
                old.update({e["name"]: e for e in fresh})
                fresh = [old[c["name"]] for c in normalized_cases() if c["name"] in old]
            with open(CORPUS + ".tmp", "w") as f:
                json.dump(fresh, f, indent=1, ensure_ascii=False)
                f.write("\n")
            os.replace(CORPUS + ".tmp", CORPUS)
    print("%d case(s), %d run(s) each, %d bad, %.1f s (bash %s)" % (
        len(cases), runs, bad, elapsed, bash_version()))
    return 1 if bad else 0


def bash_version():
    import subprocess
    return subprocess.run([BASH, "-c", "echo $BASH_VERSION"], capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
