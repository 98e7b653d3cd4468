#!/usr/bin/env python3
"""Runs a command under a fresh pseudo-terminal, like a person at a terminal would.

Usage: pty_session.py ROWS COLS SCRIPT -- COMMAND...
SCRIPT (or @FILE holding it) is a JSON list of steps: {"send": "text"}, {"expect": "text"}, {"resize": [rows, cols]},
{"sleep": seconds} (e.g. to let SIGWINCH reach ssh before typing on); an expect step may carry "timeout" (seconds).
Prints everything the terminal showed, then "\n__EXIT__ N" with the command's exit status.
Exits 3 if an expected text does not appear within its timeout (15 s unless the step says).
"""
import fcntl, json, os, pty, select, struct, sys, termios, time

def main():
    # The script, or @FILE holding it (one argument may not exceed 128 KB).
    spec = sys.argv[3]
    script = json.loads(open(spec[1:]).read() if spec.startswith("@") else spec)
    rows, cols = int(sys.argv[1]), int(sys.argv[2])
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    seen = b""

    def read_some(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        seen += data
        return True

    cursor = 0
    for step in script:
        if "send" in step:
            os.write(fd, step["send"].encode())
        elif "sleep" in step:
            time.sleep(step["sleep"])
        elif "resize" in step:
            r, c = step["resize"]
            fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", r, c, 0, 0))
        elif "expect" in step:
            want = step["expect"].encode()
            deadline = time.time() + step.get("timeout", 15)
            while seen.find(want, cursor) < 0:
                if time.time() > deadline or not read_some(0.2):
                    if seen.find(want, cursor) >= 0:
                        break
                    sys.stdout.write(seen.decode(errors="replace"))
                    sys.stdout.write("\n__TIMEOUT__ waiting for %r\n" % step["expect"])
                    os.kill(pid, 9)
                    sys.exit(3)
            cursor = seen.find(want, cursor) + len(want)
    deadline = time.time() + 15
    while time.time() < deadline and read_some(0.2):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            while read_some(0.05):
                pass
            break
    else:
        done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        # Still running 15 s after the script ended: stop it, and show what it printed.
        sys.stdout.write(seen.decode(errors="replace"))
        sys.stdout.write("\n__HUNG__\n")
        os.kill(pid, 9)
        _, status = os.waitpid(pid, 0)
        sys.stdout.write("\n__EXIT__ %d\n" % (os.waitstatus_to_exitcode(status)))
        sys.exit(4)
    sys.stdout.write(seen.decode(errors="replace"))
    sys.stdout.write("\n__EXIT__ %d\n" % (os.waitstatus_to_exitcode(status)))

main()
