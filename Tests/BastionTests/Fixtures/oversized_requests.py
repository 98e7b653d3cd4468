#!/usr/bin/env python3
"""Sends the bastion a request OpenSSH's client never would, with paramiko, and reports what happened.

Usage: oversized_requests.py PORT KEY LOGIN PROBE
KEY is a private key file with its certificate next to it (KEY-cert.pub). PROBE is one of:
  exec-1mb     an exec request whose command is 1 MB (over libssh's 256 KB packet limit)
  exec-100kb   an exec request whose command is 100 KB (under it, and under Linux's 128 KiB
               limit on one argument, which the target's `sh -c COMMAND` must pass)
  env-1000     1,000 env requests (LC_PROBE_0 .. LC_PROBE_999, each asking for a reply), then `env`
  pty-modes    a pty-req whose terminal modes string is 200 KB, then an exec
  exec-nul     an exec request with a NUL byte inside the command

Prints one JSON object: the replies to the requests ("success" / "failure" / "none" when nothing
came within the step's timeout), stdout and stderr received, the exit status, the disconnect
message the server sent (if any), whether the connection ended, and how many requests were sent
and answered. Every step has a timeout; the whole run ends within 60 s (SIGALRM).
"""
import json, logging, signal, socket, sys, threading, time

import paramiko
from paramiko.common import MSG_CHANNEL_FAILURE, MSG_CHANNEL_SUCCESS, cMSG_CHANNEL_REQUEST
from paramiko.message import Message

STEP = 15  # seconds any one step may take


class Disconnects(logging.Handler):
    """Collects the text of SSH_MSG_DISCONNECT (paramiko only logs it)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        text = record.getMessage()
        if text.startswith("Disconnect (code"):
            self.messages.append(text.split("): ", 1)[-1])


class Replies:
    """SUCCESS / FAILURE replies of one channel, in order (paramiko's own handler closes the
    channel on a failure; this one only notes it, as a client that goes on would)."""

    def __init__(self, transport):
        self.lock = threading.Condition()
        self.answers = []
        table = dict(transport._channel_handler_table)
        table[MSG_CHANNEL_SUCCESS] = lambda chan, m: self.note("success")
        table[MSG_CHANNEL_FAILURE] = lambda chan, m: self.note("failure")
        transport._channel_handler_table = table

    def note(self, answer):
        with self.lock:
            self.answers.append(answer)
            self.lock.notify_all()

    def wait(self, count, transport):
        """Waits until `count` answers came, the connection ended, or the step timed out."""
        deadline = time.time() + STEP
        with self.lock:
            while len(self.answers) < count and transport.is_active() and time.time() < deadline:
                self.lock.wait(0.1)
            return list(self.answers)


def request(transport, chan, kind, *fields):
    """Sends a channel request asking for a reply; `fields` are ("s", bytes|str) / ("u", int)."""
    m = Message()
    m.add_byte(cMSG_CHANNEL_REQUEST)
    m.add_int(chan.remote_chanid)
    m.add_string(kind)
    m.add_boolean(True)
    for code, value in fields:
        if code == "s":
            m.add_string(value)
        else:
            m.add_int(value)
    transport._send_user_message(m)


def drain(chan, transport, report):
    """Reads stdout and stderr until the channel is done (closed, or EOF and an exit status) or
    the step's timeout. Only ready data is read: paramiko's timed reads can time out with data
    just arrived."""
    out, err = b"", b""
    deadline = time.time() + STEP
    while time.time() < deadline:
        if chan.recv_ready():
            out += chan.recv(65536)
        elif chan.recv_stderr_ready():
            err += chan.recv_stderr(65536)
        elif chan.closed or (chan.eof_received and chan.exit_status_ready()) or not transport.is_active():
            # Data and EOF arrive in order: once done, what came before is all in the buffers.
            if not chan.recv_ready() and not chan.recv_stderr_ready():
                break
        else:
            time.sleep(0.02)
    report["stdout"] = out.decode(errors="replace")
    report["stderr"] = err.decode(errors="replace")
    report["exit_status"] = chan.recv_exit_status() if chan.exit_status_ready() else None


def main():
    port, key_path, login, probe = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    signal.alarm(60)
    disconnects = Disconnects()
    logger = logging.getLogger("paramiko.transport")
    logger.setLevel(logging.INFO)
    logger.addHandler(disconnects)

    report = {"probe": probe, "replies": [], "stdout": "", "stderr": "", "exit_status": None,
              "disconnect": None, "connection_ended": False, "error": None}
    sock = socket.create_connection(("127.0.0.1", port), timeout=STEP)
    transport = paramiko.Transport(sock)
    transport.banner_timeout = STEP
    transport.auth_timeout = STEP
    try:
        transport.start_client(timeout=STEP)
        key = paramiko.Ed25519Key.from_private_key_file(key_path)
        key.load_certificate(key_path + "-cert.pub")
        transport.auth_publickey(login, key)
        replies = Replies(transport)
        chan = transport.open_session(timeout=STEP)
        sent = 0
        if probe == "exec-1mb":
            request(transport, chan, "exec", ("s", "web1 echo " + "x" * 1_000_000))
            sent = 1
        elif probe == "exec-100kb":
            request(transport, chan, "exec", ("s", "web1 echo " + "x" * 100_000))
            sent = 1
        elif probe == "exec-nul":
            request(transport, chan, "exec", ("s", b"web1 echo before\x00; echo after-the-nul"))
            sent = 1
        elif probe == "env-1000":
            for i in range(1000):
                request(transport, chan, "env", ("s", "LC_PROBE_%d" % i), ("s", "value %d" % i))
            request(transport, chan, "exec", ("s", "web1 env"))
            sent = 1001
        elif probe == "pty-modes":
            # Valid encoding (opcode byte, uint32 value), far past any real terminal's list.
            modes = b"".join(bytes([1 + i % 159]) + (i).to_bytes(4, "big") for i in range(40_000)) + b"\x00"
            request(transport, chan, "pty-req", ("s", "xterm"), ("u", 80), ("u", 24), ("u", 0), ("u", 0), ("s", modes))
            request(transport, chan, "exec", ("s", "web1 echo pty-ok"))
            sent = 2
        else:
            raise SystemExit("unknown probe " + probe)
        report["sent"] = sent
        report["replies"] = replies.wait(sent, transport)
        # Whatever the answer, what the channel got (a message on stderr, an exit status).
        drain(chan, transport, report)
    except Exception as error:  # the report says what failed; the test judges it
        report["error"] = "%s: %s" % (type(error).__name__, error)
    # A server that refused by disconnecting has done so by now, or within the step.
    deadline = time.time() + STEP
    while transport.is_active() and not disconnects.messages and report["replies"] == [] and time.time() < deadline:
        time.sleep(0.1)
    report["connection_ended"] = not transport.is_active()
    report["disconnect"] = disconnects.messages[0] if disconnects.messages else None
    transport.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
