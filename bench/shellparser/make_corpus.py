#!/usr/bin/env python3
"""Generates a shell-history-style corpus (10-200 characters a line) with a fixed seed.

Usage: make_corpus.py [COUNT] > corpus.txt
"""
import random
import sys

rng = random.Random(20261129)

files = ["app.log", "README.md", "main.go", "src/server.py", "/etc/nginx/nginx.conf", "/var/log/syslog",
         "deploy.yaml", "data.csv", "backup.tar.gz", "~/.bashrc", "Dockerfile", "package.json", "notes.txt",
         "/tmp/out.json", "config/prod.env", "build/output.bin", "\"my file.txt\"", "'report 2024.pdf'"]
dirs = ["/var/log", "/tmp", "~/src", ".", "..", "/etc", "build", "/opt/app", "$HOME/projects", "/srv/www"]
hosts = ["web1", "db-prod-2", "10.0.3.14", "bastion.example.com", "api.internal"]
services = ["nginx", "postgresql", "docker", "sshd", "redis", "app.service"]
branches = ["main", "feature/login", "fix-123", "release/2.4", "HEAD~3"]
words = ["error", "WARN", "timeout", "user_id", "TODO", "failed", "Exception", "404", "connection refused"]
pods = ["api-7d9f", "worker-0", "frontend-5c8b", "redis-master-0"]


def pick(items):
    return rng.choice(items)


def quoted_word():
    w = pick(words)
    return pick(['"%s"', "'%s'", "%s", '"%s"']) % w if " " not in w else pick(['"%s"', "'%s'"]) % w


templates = [
    lambda: "ls %s %s" % (pick(["-la", "-lh", "-ltr", "-1", ""]), pick(dirs)),
    lambda: "cd %s" % pick(dirs),
    lambda: "git %s" % pick(["status", "pull", "push origin %s" % pick(branches), "log --oneline -n %d" % rng.randint(3, 30),
                             "commit -m \"%s\"" % pick(["fix typo", "update deps", "WIP: refactor parser", "bump version to 1.%d" % rng.randint(0, 9)]),
                             "checkout -b %s" % pick(branches), "diff %s -- %s" % (pick(branches), pick(files)), "stash pop",
                             "rebase -i %s" % pick(branches), "add -p"]),
    lambda: "grep -rn %s %s | head -%d" % (quoted_word(), pick(dirs), rng.randint(5, 50)),
    lambda: "cat %s | grep -v %s | sort | uniq -c | sort -rn | head" % (pick(files), quoted_word()),
    lambda: "tail -f %s | grep --line-buffered %s" % (pick(files), quoted_word()),
    lambda: "sudo systemctl %s %s" % (pick(["restart", "status", "stop", "enable --now", "reload"]), pick(services)),
    lambda: "sudo journalctl -u %s --since \"%d min ago\" -f" % (pick(services), rng.randint(1, 90)),
    lambda: "find %s -name '*.%s' -mtime +%d -exec rm -f {} \\;" % (pick(dirs), pick(["log", "tmp", "bak", "pyc"]), rng.randint(1, 30)),
    lambda: "find %s -type f -name \"*.%s\" | xargs grep -l %s" % (pick(dirs), pick(["py", "go", "js", "conf"]), quoted_word()),
    lambda: "docker %s" % pick(["ps -a", "logs -f --tail 100 %s" % pick(pods), "exec -it %s /bin/sh" % pick(pods),
                                "run --rm -v $(pwd):/src -w /src golang:1.22 go build ./...", "images | grep none",
                                "compose up -d --build"]),
    lambda: "kubectl %s" % pick(["get pods -n %s -o wide" % pick(["prod", "staging", "default"]),
                                 "logs %s -n prod --tail=200" % pick(pods), "describe pod %s" % pick(pods),
                                 "rollout restart deployment/%s" % pick(services), "get pods | grep -v Running"]),
    lambda: "ssh %s 'df -h; uptime'" % pick(hosts),
    lambda: "scp %s %s:%s" % (pick(files), pick(hosts), pick(dirs)),
    lambda: "curl -s https://%s/health | jq '.status'" % pick(hosts),
    lambda: "curl -fsSL https://get.example.com/install.sh | sudo bash",
    lambda: "tar -czf backup-$(date +%%F).tar.gz %s" % pick(dirs),
    lambda: "for f in *.%s; do mv \"$f\" \"${f%%.%s}.bak\"; done" % ((pick(["txt", "log", "csv"]),) * 2),
    lambda: "for h in %s; do ssh $h uptime; done" % " ".join(rng.sample(hosts, 3)),
    lambda: "while read -r line; do echo \"$line\" | cut -d, -f%d; done < %s" % (rng.randint(1, 5), pick(files)),
    lambda: "if [ -f %s ]; then source %s; fi" % ((pick(files),) * 2),
    lambda: "[[ -d %s ]] && cd %s || mkdir -p %s" % ((pick(dirs),) * 3),
    lambda: "export PATH=$PATH:%s/bin" % pick(dirs),
    lambda: "echo \"$%s\" >> %s" % (pick(["HOME", "USER", "PATH", "SHELL"]), pick(files)),
    lambda: "awk -F: '{print $1, $%d}' /etc/passwd | sort" % rng.randint(2, 7),
    lambda: "sed -i 's/%s/%s/g' %s" % (pick(["foo", "localhost", "8080", "DEBUG"]), pick(["bar", "0.0.0.0", "9090", "INFO"]), pick(files)),
    lambda: "ps aux | grep %s | grep -v grep | awk '{print $2}' | xargs kill -9" % pick(services),
    lambda: "du -sh %s/* | sort -h | tail -%d" % (pick(dirs), rng.randint(3, 20)),
    lambda: "make -j$(nproc) && sudo make install",
    lambda: "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"%s\"])' < %s" % (pick(["id", "name"]), pick(files)),
    lambda: "vim %s" % pick(files),
    lambda: "chmod %s %s && chown %s:%s %s" % (pick(["644", "755", "+x", "600"]), pick(files), pick(["root", "www-data"]), pick(["root", "www-data"]), pick(files)),
    lambda: "rm -rf %s/{cache,tmp,*.log}" % pick(dirs),
    lambda: "cp -r %s{,.orig}" % pick(files),
    lambda: "diff <(sort %s) <(sort %s)" % (pick(files), pick(files)),
    lambda: "nohup ./server --port %d > server.log 2>&1 &" % rng.randint(1024, 65000),
    lambda: "history | grep %s" % pick(["ssh", "docker", "git push"]),
    lambda: "echo $'line1\\nline2\\t%s' | wc -l" % pick(words).replace(" ", "_"),
    lambda: "sudo -u postgres psql -c \"SELECT count(*) FROM %s;\"" % pick(["users", "orders", "events"]),
    lambda: "watch -n %d 'kubectl get pods | grep -c Running'" % rng.randint(1, 10),
    lambda: "env DEBUG=1 LOG_LEVEL=%s npm run %s" % (pick(["info", "debug"]), pick(["dev", "build", "test"])),
    lambda: "time ./bench --iterations=%d 2>/dev/null" % rng.randint(100, 100000),
    lambda: "top", lambda: "df -h", lambda: "free -m", lambda: "htop", lambda: "clear",
]


def line():
    text = pick(templates)()
    while rng.random() < 0.15 and len(text) < 150:
        text += pick([" && ", "; ", " || "]) + pick(templates)()
    return " ".join(text.split(" ")).strip()


count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
out = []
while len(out) < count:
    text = line()
    if 10 <= len(text) <= 200:
        out.append(text)
sys.stdout.write("\n".join(out) + "\n")
