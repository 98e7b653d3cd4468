#!/usr/bin/env python3
"""Runs the shell integration's rc in a real bash in a local pty, standing in for the bastion:
every check is answered as the test says (default A), with the id and token as the bastion
would. Prints JSON: the raw output, and bash's history (one entry per item).

usage: rc_in_bash.py DIR STEPS_JSON ANSWERS_JSON [HOME_FILES_JSON]
DIR holds the rc (as `rc`); the shell runs in DIR/cwd, with its history file in DIR and its
HOME in DIR/home, where HOME_FILES_JSON (name → text) are written first.
"""
import json, os, pty, re, select, sys, time

d, steps, answers = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
# The rc removes its own directory once it has opened the FIFOs, as on a target.
integration = os.path.join(d, "integration")
os.makedirs(integration)
os.mkfifo(os.path.join(integration, "v"))
os.mkfifo(os.path.join(integration, "w"))
cwd = os.path.join(d, "cwd")
os.makedirs(cwd, exist_ok=True)
home = os.path.join(d, "home")
os.makedirs(home, exist_ok=True)
for name, text in (json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}).items():
    with open(os.path.join(home, name), "w") as f:
        f.write(text)
hist = os.path.join(d, "history")
verdicts = os.open(os.path.join(integration, "v"), os.O_RDWR)
os.rename(os.path.join(d, "rc"), os.path.join(integration, "rc"))
pid, fd = pty.fork()
if pid == 0:
    os.chdir(cwd)
    os.environ.update(HOME=home, HISTFILE=hist, HISTTIMEFORMAT="%s ", TERM="dumb")
    os.execvp("bash", ["bash", "--rcfile", os.path.join(integration, "rc"), "-i"])

out = b""
check = re.compile(rb"\x1b\]6973;[^;]*;C;([^;]*);[^;]*;([^\x07]*)\x07")
# A command of a buffer answered X shows its expanded text as it starts: answered as the test
# says for "X " + that text (a refusal, K), A otherwise.
expansion = re.compile(rb"\x1b\]6973;[^;]*;X;([^;]*);[^;]*;[^;]*;[^;]*;[^;]*;([^\x07]*)\x07")
# A request to hand the line to the editor: answered as the test says for "E " + the line (A
# otherwise).
editor = re.compile(rb"\x1b\]6973;[^;]*;E;([^;]*);([^\x07]*)\x07")


def unescape(text):
    """A marker's text as the bastion reads it (IntegrationMarker.unescape)."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "r": "\r", "e": "\x1b", "a": "\x07", "\\": "\\"}.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def pump(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.01)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        start = len(out)
        out += chunk
        for m in check.finditer(out, max(0, start - 4096)):
            if m.end() <= start:
                continue
            nonce, line = m.group(1).decode(), unescape(m.group(2).decode())
            answer = answers.get(line, "A")
            if isinstance(answer, list):
                # One answer per time the line is checked, in order (A once they run out).
                answer = answer.pop(0) if answer else "A"
            if answer.startswith("early"):
                # An early answer, framed as the bastion frames it (Interceptor.earlyAnswer):
                # "early" for this very buffer; "early-mismatch" for another, then a refusal;
                # "early-unframed" without its frame line.
                escaped = m.group(2).decode()
                payload = "%s P%s" % (nonce, escaped + ("x" if answer == "early-mismatch" else ""))
                frame = "" if answer == "early-unframed" else "P%d\n" % len(payload)
                refusal = "%s D\n" % nonce.split(":")[0] if answer == "early-mismatch" else ""
                os.write(verdicts, (frame + payload + "\n" + refusal).encode())
                continue
            who = nonce if answer[0] in "AIJXRP" else nonce.split(":")[0]
            os.write(verdicts, ("%s %s\n" % (who, answer)).encode())
        for m in expansion.finditer(out, max(0, start - 4096)):
            if m.end() <= start:
                continue
            nonce, line = m.group(1).decode(), unescape(m.group(2).decode())
            answer = answers.get("X " + line, "A")
            who = nonce if answer == "A" else nonce.split(":")[0]
            os.write(verdicts, ("%s %s\n" % (who, answer)).encode())
        for m in editor.finditer(out, max(0, start - 4096)):
            if m.end() <= start:
                continue
            nonce, line = m.group(1).decode(), unescape(m.group(2).decode()).split("\n", 1)[-1]
            answer = answers.get("E " + line, "A")
            who = nonce if answer == "A" else nonce.split(":")[0]
            os.write(verdicts, ("%s %s\n" % (who, answer)).encode())


pump(1.0)
for step in steps:
    os.write(fd, step.encode())
    pump(0.5)
os.write(fd, b"builtin history -w\r")
pump(0.8)
os.kill(pid, 9)
entries, current = [], None
written = open(hist, encoding="utf-8", errors="replace").read() if os.path.exists(hist) else ""
for line in written.split("\n"):
    if re.fullmatch(r"#\d+", line):
        if current is not None:
            entries.append("\n".join(current))
        current = []
    elif current is not None:
        current.append(line)
if current is not None:
    entries.append("\n".join(current))
print(json.dumps({"output": out.decode(errors="replace"), "history": [e for e in entries if "builtin history -w" not in e],
                  "files": sorted(os.listdir(cwd))}))
