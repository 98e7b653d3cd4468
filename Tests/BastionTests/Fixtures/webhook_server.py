#!/usr/bin/env python3
"""A webhook receiver for WebhookTests, scripted per request.

usage: webhook_server.py DIR ACTIONS

ACTIONS is a comma-separated list, one per request received, the last one repeating:
  200, 500, ...  answer with that status
  302            redirect to /followed
  hang           read the request, then say nothing for 10 s (then touch DIR/answered and answer 200)

The server listens on a free loopback port and writes it to DIR/port. Each request is appended
to DIR/requests.jsonl (path, lower-cased headers, base64 body, and whether X-Bastion-Signature
is the HMAC-SHA256 of the body under the key in DIR/secret, checked here independently of the
bastion's code) before it is answered. It exits by itself after 60 s.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

directory, actions = sys.argv[1], sys.argv[2].split(",")
with open(os.path.join(directory, "secret"), "rb") as f:
    secret = f.read()
lock = threading.Lock()
count = 0


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        signature = self.headers.get("X-Bastion-Signature", "")
        with lock:
            action = actions[min(count, len(actions) - 1)]
            count += 1
            record = {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": base64.b64encode(body).decode(),
                "signature_ok": hmac.compare_digest(signature, expected),
            }
            with open(os.path.join(directory, "requests.jsonl"), "a") as log:
                log.write(json.dumps(record) + "\n")
        if action == "hang":
            time.sleep(10)
            open(os.path.join(directory, "answered"), "w").close()
            action = "200"
        self.send_response(int(action))
        if action == "302":
            self.send_header("Location", "/followed")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(os.path.join(directory, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(directory, "port.tmp"), os.path.join(directory, "port"))
threading.Timer(60, lambda: os._exit(0)).start()
server.serve_forever()
