#!/usr/bin/env python3
"""Random keystroke cases, for exploring beyond the corpus (never written into corpus.json).

usage: random_cases.py SEED COUNT [--vi SHARE] [--long SHARE] [--more-keys] [--debian] [--settings] > cases.json
then:  KEYSTROKE_EXTRA_CASES=cases.json BASTION_CORPUS_ONLY=fz-SEED-0,... swift test --filter InteractiveCorpusEndToEndTests

Each case types a few lines made of harmless commands (echo, printf, touch of files in the
case's own empty directory) with random readline edits between their keys, history recall and
expansion, multi-line commands (finished or dropped with Ctrl-C), pastes, reverse search, Tab,
type-ahead, comments and keyboard macros. As for the corpus, nothing here says what the lines
should be: the test compares the bastion's records with what bash itself kept in its history in
the same session. The same SEED gives the same cases. `--debian` reads Debian's default
~/.bashrc (/etc/skel/.bashrc: HISTCONTROL=ignoreboth, aliases, dircolors) in every case, and some
lines then start with a space. `--long SHARE` makes that share of the commands wider than the
terminal (80 columns), so that readline wraps them and edits cross the wrap. `--more-keys` adds
more of readline's keys (glob and shell expansion in place, vi's replace mode, counts and marks,
history search that is not incremental). `--settings` adds one shell or readline setting that
people put in their startup files to each case's rc (SETTINGS: HISTCONTROL, histverify,
nocasematch, POSIX mode, history-search-backward on Up, vi keys, ...); the cases' keys are the
same as without it.
"""
import json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import BS, C, DELETE, DOWN, END_CSI as END, ENTER, ESC, HOME_CSI as HOME, LEFT, M, RIGHT, TAB, UP, paste  # noqa: E402


WORDS = ["alpha", "beta", "gamma", "'q s'", '"d q"', "$HOME", "é", "日本", "x*y", "{a,b}", "$(echo sub)",
         "a=b", "--flag", "-n", "\\$x", "'it''s'", "\"$PWD\"", "fzfile1", "fz*", "~", "#c", "%s", "a\\ b"]
EMACS_EDITS = [BS, C("h"), C("w"), C("u"), C("k"), C("y"), M("y"), M("b"), M("f"), M("d"), ESC + BS, LEFT, RIGHT,
               HOME, END, DELETE, C("a"), C("e"), C("b"), C("f"), C("d"), C("t"), M("t"), M("u"), M("l"), M("c"),
               C("_"), M("r"), M("."), M("_"), M("\\"), C("x") + C("x"), C("@"), M("3") + "z", M("-") + C("h"),
               C("]") + "a", C("v") + TAB, M("2") + BS, C("x") + "*", M("^"), ESC + C("e"), C("l")]
VI_EDITS = [BS, C("w"), C("u"), LEFT, RIGHT, ESC + "0", ESC + "$", ESC + "b", ESC + "w", ESC + "x", ESC + "dw",
            ESC + "cw", ESC + "A", ESC + "I", ESC + "i", ESC + "a", ESC + "p", ESC + "P", ESC + "~", ESC + "u",
            ESC + "D", ESC + "C", ESC + "rZ", ESC + "fa", ESC + "2x", ESC + "yyP", ESC + ".", ESC + "hi"]
# More of readline's keys (`--more-keys`): globbing and expansion in place, non-incremental and vi
# history search, vi's replace mode, counts, marks and matching.
MORE_EMACS_EDITS = [M("*"), C("x") + "*", ESC + C("y"), M("<") + M(">"),
                    C("x") + C("u"), M("{"), C("x") + C("v"), M("0") + M("5") + C("f"), C("]") + " ", M("=") + C("g"),
                    C("x") + "~", M("?") + C("g"), C("@") + M("w"), C("x") + C("x"), M("!")]
MORE_VI_EDITS = [ESC + "*", ESC + "R" + "rp", ESC + "s", ESC + "S", ESC + "3x", ESC + "Fe", ESC + "%", ESC + "_",
                 ESC + ";", ESC + ",", ESC + "c$", ESC + "d$", ESC + "E", ESC + "B", ESC + "W", ESC + "te",
                 ESC + "2~", ESC + "=", ESC + "\\", ESC + "yw" + "P", ESC + "mahi", ESC + "X", ESC + "2dd" + "i"]
BLOCKS = [["for i in 1 2", "do echo $i", "done"], ["echo 'open", "close'"], ["cat <<EOF", "body $HOME", "EOF"],
          ["echo a \\", "b"], ["{ echo x", "echo y; }"], ["if true", "then echo t", "fi"], ["echo a |", "cat"],
          ["true &&", "echo and"], ["( echo sub", ")"], ["echo $(", "echo in)"], ["case x in", "x) echo c;;", "esac"]]
EXPANSIONS = ["!!", "echo !$", "^a^b", "!-2", "echo !:1 !^", "!echo", "!!:p", "echo !*", "!?alp?", "!#", "echo !!:s/e/E/"]


class Case:
    def __init__(self, rnd, vi, spaces, long_share=0.0, more_keys=False):
        self.r, self.vi, self.spaces, self.long_share = rnd, vi, spaces, long_share
        self.edits = (VI_EDITS + (MORE_VI_EDITS if more_keys else [])) if vi else (EMACS_EDITS + (MORE_EMACS_EDITS if more_keys else []))
        self.more_keys = more_keys
        self.steps, self.waits = [], []

    def step(self, keys, wait="settle"):
        self.steps.append(keys)
        self.waits.append(wait)

    def words(self, low=1, high=4):
        return " ".join(self.r.choice(WORDS) for _ in range(self.r.randint(low, high)))

    def command(self):
        # (A leading space keeps a line out of history under ignorespace.)
        return (" " if self.spaces and self.r.random() < 0.15 else "") + self.simple_command()

    def simple_command(self):
        # (Drawn only when asked for, so that a SEED without --long gives the cases it always gave.)
        if self.long_share and self.r.random() < self.long_share:
            return "echo " + self.words(18, 30)
        k = self.r.random()
        if k < 0.5: return "echo " + self.words()
        if k < 0.6: return "printf '%s\\n' " + self.words()
        if k < 0.7: return "echo " + self.words() + "; echo " + self.words(1, 2)
        if k < 0.8: return "true && echo " + self.words() + " || echo no"
        if k < 0.85: return "echo " + self.words() + " | cat"
        if k < 0.9: return "touch fzfile" + str(self.r.randint(1, 3))
        return ": " + self.words()

    def type_with_edits(self, text):
        """Types text in chunks with random edits between them, in writes of one or more chunks."""
        edits = self.edits
        chunks, i = [], 0
        while i < len(text):
            n = self.r.randint(1, 8)
            chunks.append(text[i:i + n])
            i += n
            if self.r.random() < 0.35:
                edit = self.r.choice(edits)
                chunks.append(edit)
                if self.vi and edit.startswith(ESC) and edit[-1] not in "AIiaCcsS" and not edit.endswith(("cw", "c$", "rp")):
                    chunks.append("a")  # back to insert mode
        write = ""
        for chunk in chunks:
            write += chunk
            if self.r.random() < 0.5:
                self.step(write)
                write = ""
        if write:
            self.step(write)

    def line(self):
        if self.more_keys and self.r.random() < 0.12:
            # History search that is not incremental: vi's `/` and `?`, emacs's M-p.
            if self.vi:
                # (The Enter that ends a search accepts no line: "quiet" owes no prompt for it.)
                self.step(ESC + self.r.choice(["/", "?"]) + self.r.choice(["ech", "alp", "zzz", ""]) + ENTER, "quiet")
                self.step(self.r.choice([ENTER, "n" + ENTER, "N" + ENTER, "A z" + ENTER]))
            else:
                self.step(M("p") + self.r.choice(["ech", "alp", "zzz", ""]) + ENTER, "quiet")
                self.step(self.r.choice([ENTER, C("e") + " z" + ENTER]))
            return
        k = self.r.random()
        if k < 0.35:
            self.type_with_edits(self.command())
            self.step(ENTER)
        elif k < 0.45:
            self.step(self.r.choice([ESC + "k", ESC + "kk", ESC + "kj"] if self.vi else [UP, UP + UP, C("p"), UP + UP + DOWN, M("<")]))
            if self.r.random() < 0.5 and not self.vi:
                self.type_with_edits(self.r.choice([" more", "X", " $HOME", BS + BS + "zz"]))
            self.step(ENTER)
        elif k < 0.55:
            self.step(self.r.choice(EXPANSIONS))
            if self.r.random() < 0.3:
                self.step(" z")
            self.step(ENTER)
        elif k < 0.65:
            block = self.r.choice(BLOCKS)
            cut = len(block) if self.r.random() < 0.8 else self.r.randint(1, len(block) - 1)
            for line in block[:cut]:
                if self.r.random() < 0.3:
                    self.type_with_edits(line)
                    self.step(ENTER)
                else:
                    self.step(line + ENTER)
            if cut < len(block):
                self.step(C("c"))
        elif k < 0.73:
            lines = [self.command() for _ in range(self.r.randint(2, 4))]
            if self.r.random() < 0.3:
                lines.insert(1, self.r.choice(["for i in a b; do", "echo 'q", "cat <<E"]))
                lines.insert(2, self.r.choice(["echo $i; done", "q'", "e1\nE"]))
            sep = self.r.choice(["\n", "\r", "\r\n"])
            text = sep.join(lines) + (sep if self.r.random() < 0.5 else "")
            if self.r.random() < 0.7:
                self.step(paste(text))
                self.step(ENTER)
            else:
                self.step(text + ("" if text.endswith(("\n", "\r")) else ENTER))
        elif k < 0.78:
            self.type_with_edits(self.command())
            self.step(C("c"))
        elif k < 0.84 and not self.vi:
            self.step(C("r") + self.r.choice(["ech", "alp", "e", "zzz", "fz"]))
            self.step(self.r.choice([ENTER, C("e") + " more" + ENTER, C("g") + ENTER, RIGHT + "Q" + ENTER, C("r") + ENTER]))
        elif k < 0.88:
            self.step("sleep 0.4" + ENTER, 0.1)
            self.step(self.command() + self.r.choice(["", C("u") + "echo again", BS * 3]) + ENTER, 0.6)
        elif k < 0.92:
            self.step(self.r.choice(["ls fzf", "echo fzfile", "echo $HOM", "ech", "cat fz"]) + TAB)
            if self.r.random() < 0.5:
                self.step(TAB)
            self.step(ENTER)
        elif k < 0.95 and not self.vi:
            self.type_with_edits(self.command())
            self.step(self.r.choice([M("#"), C("o"), C("j"), C("m")]))
        elif k < 0.97 and not self.vi:
            self.step(C("x") + "(" + "echo mac" + ENTER + C("x") + ")")
            self.step(C("x") + "e")
        else:
            self.type_with_edits(self.command())
            self.step(ENTER)


# Debian's default ~/.bashrc, then the corpus's prompt again (the driver paces by its marker).
# Settings from people's startup files (one per case with --settings).
SETTINGS = [
    "shopt -s histverify", "shopt -s histreedit", "shopt -s histverify histreedit",
    "HISTCONTROL=ignoredups", "HISTCONTROL=erasedups", "HISTCONTROL=ignoreboth:erasedups", "HISTIGNORE='true*:sleep*'",
    "HISTTIMEFORMAT='%F %T '", "shopt -s histappend; PROMPT_COMMAND+=('history -a')", "set +o histexpand",
    "bind Space:magic-space",
    "bind '\"\\e[A\": history-search-backward'; bind '\"\\e[B\": history-search-forward'",
    "bind 'set enable-bracketed-paste off'", "bind 'set completion-ignore-case on'; bind 'TAB: menu-complete'",
    "bind 'set blink-matching-paren on'; bind 'set expand-tilde on'",
    "bind 'set echo-control-characters off'; bind 'set keyseq-timeout 50'",
    "bind 'set completion-query-items 1'; bind 'set skip-completed-text on'; bind 'set colored-stats on'",
    "bind 'set horizontal-scroll-mode on'", "bind 'set mark-modified-lines on'; bind 'set revert-all-at-newline on'",
    "bind 'set editing-mode vi'", "set -o vi; bind -m vi-insert '\"jk\": vi-movement-mode'",
    "set -o vi; bind 'set show-mode-in-prompt on'",
    "set -o vi; bind -m vi-command 'k: history-search-backward'; bind -m vi-command 'j: history-search-forward'",
    "set -u", "set -o nounset; shopt -s nocasematch nocaseglob", "shopt -s nocasematch", "shopt -s nocasematch; set -o vi",
    "shopt -s nullglob extglob globstar dotglob", "set -o noclobber", "set -o posix", "set -k", "IFS=:", "BASH_COMPAT=4.2",
    "shopt -u extquote; shopt -s xpg_echo", "export LC_ALL=C", "shopt -s autocd cdspell dirspell direxpand",
    "FUNCNEST=5; shopt -s extdebug", "set -o pipefail; shopt -s inherit_errexit lastpipe", "PROMPT_COMMAND+=(':')",
]
DEBIAN_RC = "HISTCONTROL=ignoreboth; . /etc/skel/.bashrc; PS1=$'\\[\\e]7770;\\a\\]$ '"


def make(seed, count, vi_share, debian=False, long_share=0.0, more_keys=False, settings=False):
    cases = []
    for n in range(count):
        r = random.Random(seed * 100003 + n)
        vi = r.random() < vi_share
        case = Case(r, vi, debian, long_share, more_keys)
        rc = ([DEBIAN_RC] if debian else []) + (["set -o vi"] if vi else [])
        if r.random() < 0.15:
            rc.append("alias hi='echo hi there'; alias ll='ls -l'")
        if r.random() < 0.1:
            rc.append("shopt -s extglob")
        if settings:
            # (A generator of its own: the keys stay those the seed gives without --settings.)
            rc.append(random.Random("settings-%d-%d" % (seed, n)).choice(SETTINGS))
        case.step("touch fzfile1 fzfile2" + ENTER)
        for _ in range(r.randint(2, 5)):
            case.line()
        cases.append({"name": "fz-%d-%d" % (seed, n), "category": "random", "steps": case.steps, "rc_extra": rc,
                      "waits": case.waits})
    return cases


if __name__ == "__main__":
    args = sys.argv[1:]
    share = 0.15
    if "--vi" in args:
        i = args.index("--vi")
        share = float(args[i + 1])
        del args[i:i + 2]
    long_share = 0.0
    if "--long" in args:
        i = args.index("--long")
        long_share = float(args[i + 1])
        del args[i:i + 2]
    more_keys = "--more-keys" in args
    if more_keys:
        args.remove("--more-keys")
    debian = "--debian" in args
    if debian:
        args.remove("--debian")
    settings = "--settings" in args
    if settings:
        args.remove("--settings")
    if len(args) != 2:
        sys.exit(__doc__)
    json.dump(make(int(args[0]), int(args[1]), share, debian, long_share, more_keys, settings), sys.stdout, ensure_ascii=False)
