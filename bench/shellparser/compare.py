#!/usr/bin/env python3
"""Side-by-side: bashlex (PyPI) vs bastion's ShellParser on the same corpus.

Speed: bashlex parses every corpus line (Python, one core); the Swift figures come from
shellparser-bench. Agreement with bash: on a sample, bash itself runs each line in an empty temp
dir with PATH=/nonexistent and every command name shadowed by a function that records its argv;
a parser agrees on a line when every argv bash ran is among the commands it extracted (a word it
marks dynamic matches anything). Also the share of lines each parser accepts.

Usage: compare.py CORPUS BENCH_BINARY [SAMPLE]
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import bashlex

corpus_path, bench_binary = sys.argv[1], sys.argv[2]
sample_size = int(sys.argv[3]) if len(sys.argv) > 3 else 500
lines = open(corpus_path, encoding="utf-8").read().split("\n")
lines = [l for l in lines if l]


def bashlex_commands(line):
    """Every command bashlex finds: a list of argvs, None for a word with expansions."""
    found = []

    class Visitor(bashlex.ast.nodevisitor):
        def visitcommand(self, node, parts):
            argv = []
            for part in parts:
                if part.kind == "word":
                    dynamic = any(p.kind in ("parameter", "commandsubstitution", "processsubstitution", "tilde")
                                  for p in getattr(part, "parts", []))
                    argv.append(None if dynamic or any(c in part.word for c in "*?") else part.word)
            if argv:
                found.append(argv)
            return True

    for tree in bashlex.parse(line):
        Visitor().visit(tree)
    return found


# bashlex speed over (at most) the first 20,000 lines: it is slow.
timed = lines[:20000]
start = time.perf_counter()
bashlex_failures = 0
for line in timed:
    try:
        bashlex.parse(line)
    except Exception:
        bashlex_failures += 1
bashlex_seconds = time.perf_counter() - start
print(f"bashlex: {len(timed) / bashlex_seconds:,.0f} lines/s (one core), {bashlex_failures} of {len(timed)} lines rejected")

swift_output = subprocess.run([bench_binary, corpus_path], capture_output=True, text=True).stdout
print(swift_output.strip())

# Agreement with bash on a sample.
sample = lines[:: max(1, len(lines) // sample_size)][:sample_size]
with tempfile.NamedTemporaryFile("w", delete=False, suffix=".txt") as handle:
    handle.write("\n".join(sample) + "\n")
    sample_path = handle.name
analyses = [json.loads(l) for l in subprocess.run([bench_binary, "--json", sample_path], capture_output=True,
                                                  text=True).stdout.splitlines()]
os.unlink(sample_path)

names = set()
for analysis in analyses:
    for command in analysis["commands"]:
        if command["argv"] and not command["dynamic"][0]:
            names.add(command["argv"][0])
names |= {"read", "echo", "cd", "export", "source", "printf", "test", "["}
names -= {"builtin", "local", "return"}


def bash_ran(line):
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        log = os.path.join(directory, ".argv")
        os.mkdir(log)
        # One file per record: pipeline members run at once, and bash may split a write.
        script = ["rec() { builtin local s; builtin printf -v s '%s\\037' \"$@\"; "
                  f"builtin printf '%s' \"$s\" > '{log}'/$BASHPID-$SRANDOM$SRANDOM; }}"]
        for name in sorted(names):
            if all(c.isalnum() or c in "-_./[" for c in name):
                result = "1" if name == "read" else "0"
                script.append(f"function {name} {{ rec {name} \"$@\"; return {result}; }}")
        script.append(line)
        path = os.path.join(directory, ".script.sh")
        open(path, "w").write("\n".join(script) + "\n")
        try:
            subprocess.run(["/bin/bash", path], cwd=directory, env={"PATH": "/nonexistent", "HOME": directory},
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=5)
        except subprocess.TimeoutExpired:
            return None
        records = []
        for name in os.listdir(log):
            data = open(os.path.join(log, name), "rb").read().decode("utf-8", "replace")
            records.append(data.split("\x1f")[:-1])
        return records


def matches(candidate, argv):
    """A dynamic word (None) stands for any number of arguments (globs, unquoted expansions)."""
    if not candidate:
        return not argv
    if candidate[0] is None:
        return any(matches(candidate[1:], argv[k:]) for k in range(len(argv) + 1))
    return bool(argv) and candidate[0] == argv[0] and matches(candidate[1:], argv[1:])


def covers(extracted, argv):
    return any(matches(candidate, argv) for candidate in extracted)


agree_swift = agree_bashlex = compared = 0
disagreements = []
for line, analysis in zip(sample, analyses):
    ran = bash_ran(line)
    if ran is None:
        continue
    compared += 1
    swift_extracted = [[None if d else w for w, d in zip(c["argv"], c["dynamic"])]
                       for c in analysis["commands"] if not c["derived"] and c["argv"]]
    try:
        lex_extracted = bashlex_commands(line)
    except Exception:
        lex_extracted = []
    if all(covers(swift_extracted, argv) for argv in ran):
        agree_swift += 1
    else:
        disagreements.append(("swift", line, ran))
    if all(covers(lex_extracted, argv) for argv in ran):
        agree_bashlex += 1
    else:
        disagreements.append(("bashlex", line, ran))

print(f"agreement with bash on {compared} sampled lines (every argv bash ran was extracted):")
print(f"  swift ShellParser: {agree_swift}/{compared} ({100.0 * agree_swift / max(compared, 1):.1f}%)")
print(f"  bashlex:           {agree_bashlex}/{compared} ({100.0 * agree_bashlex / max(compared, 1):.1f}%)")
for who, line, ran in [d for d in disagreements if d[0] == "swift"][:5]:
    print(f"  swift missed: {line!r} bash ran {str(ran)[:300]}")
for who, line, ran in [d for d in disagreements if d[0] == "bashlex"][:3]:
    print(f"  bashlex missed e.g.: {line!r} bash ran {str(ran)[:200]}")
