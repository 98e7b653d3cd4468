"""Keystroke cases for make_corpus.py.

Each case: name, category, steps (strings whose UTF-8 bytes are written to the pty, one
write per step), optional rc_extra (lines appended to the rc file), optional waits
(per step: "settle" = read until the output is quiet and every Enter sent since the last
settle has produced its PS1/PS2 prompt; "quiet" = only until quiet, for an Enter that
ends a search rather than a line; a number = pause that many seconds without settling, used to type
ahead while a command runs). Every case runs in a fresh, empty cwd.

Never write expected lines here: make_corpus.py asks bash what it recorded.
"""

ESC = "\x1b"
UP, DOWN, RIGHT, LEFT = "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D"
UP_SS3, DOWN_SS3, RIGHT_SS3, LEFT_SS3 = "\x1bOA", "\x1bOB", "\x1bOC", "\x1bOD"
HOME_CSI, END_CSI = "\x1b[H", "\x1b[F"
HOME_SS3, END_SS3 = "\x1bOH", "\x1bOF"
HOME_VT, END_VT = "\x1b[1~", "\x1b[4~"
DELETE = "\x1b[3~"
BS = "\x7f"
TAB = "\t"
ENTER = "\r"


def C(ch):
    """Ctrl-<ch>."""
    return chr(ord(ch.upper()) & 0x1F)


def M(ch):
    """Alt-<ch> as a terminal sends it (ESC prefix)."""
    return ESC + ch


def paste(text):
    return "\x1b[200~" + text + "\x1b[201~"


CASES = []


def case(name, category, steps, rc_extra=None, waits=None, note=None):
    CASES.append({"name": name, "category": category, "steps": list(steps),
                  "rc_extra": list(rc_extra or []), "waits": waits, "note": note})


VI = ["set -o vi"]

# --- plain -------------------------------------------------------------------------
case("plain-echo", "plain", ["echo hello\r"])
case("plain-two-lines", "plain", ["echo one\r", "echo two\r"])
case("plain-empty-enters", "plain", ["\r", "echo after-empty\r", "\r", "   \r"],
     note="empty and blank lines add no history entry")
case("plain-list-operators", "plain", ["echo a; echo b && true || false\r"])
case("plain-key-by-key", "plain", list("echo slow typing") + [ENTER],
     note="one write per key")
case("plain-trailing-spaces", "plain", ["echo x   \r"])
case("plain-comment", "plain", ["echo visible # a comment\r", "# only a comment\r"])
case("plain-extglob", "plain", ["touch k1 k2; echo !(k1)\r", "echo @(a|b) +(x)\r"], rc_extra=["shopt -s extglob"],
     note="extended globbing on, as bash-completion turns it on")

# --- backspace ---------------------------------------------------------------------
case("bs-del", "backspace", ["echo helo", BS, BS, "llo\r"])
case("bs-ctrl-h", "backspace", ["echo abcX", C("h"), ENTER])
case("bs-whole-line", "backspace", ["foo", BS * 3, "echo retyped\r"])
case("bs-utf8", "backspace", ["echo héé", BS, ENTER])
case("bs-past-start", "backspace", ["ab", BS * 5, "echo empty-then\r"])

# --- kill / yank (Ctrl-W, Ctrl-U, Ctrl-K, Ctrl-Y) ------------------------------------
case("ctrl-w", "kill-yank", ["echo one two", C("w"), "three\r"])
case("ctrl-w-path", "kill-yank", ["echo /usr/local/bin", C("w"), "x\r"],
     note="Ctrl-W is unix-word-rubout: whitespace-delimited")
case("ctrl-u", "kill-yank", ["touch junk-canary", C("u"), "echo safe\r"])
case("ctrl-u-mid-line", "kill-yank", ["echo abc def", LEFT, LEFT, LEFT, C("u"), "echo \r"])
case("ctrl-k", "kill-yank", ["echo keep drop", C("a"), M("f"), M("f"), C("k"), ENTER])
case("ctrl-w-ctrl-y", "kill-yank", ["echo world", C("w"), "hello ", C("y"), ENTER])
case("ctrl-u-ctrl-y-twice", "kill-yank", ["echo x", C("u"), C("y"), " ", C("y"), ENTER])
case("ctrl-k-ctrl-y-elsewhere", "kill-yank", ["echo tail head ", C("a"), M("f"), M("f"), C("k"), C("e"), C("y"), ENTER])
case("ctrl-w-after-blanks", "kill-yank", ["echo one two   ", C("w"), "three\r"],
     note="Ctrl-W first passes the blanks before point, then kills the word")
case("ctrl-w-at-start", "kill-yank", ["echo ab", C("a"), C("w"), C("e"), "c\r"])
case("ctrl-u-then-ctrl-k", "kill-yank", ["rm -rf /tmp/nowhere", C("a"), C("f"), C("f"), C("f"), C("k"), C("u"), "echo kept\r"])
case("ctrl-k-mid-then-type", "kill-yank", ["echo keep drop", C("b"), C("b"), C("b"), C("b"), C("k"), "more\r"])
case("ctrl-b-ctrl-f-edges", "cursor", ["echo x", C("f"), C("f"), C("a"), C("b"), C("b"), "#", C("e"), "y\r"],
     note="Ctrl-F at the end and Ctrl-B at the start do nothing")
case("ctrl-keys-then-enter-early", "kill-yank", ["touch forbidden-w", C("w"), C("w"), "echo fine", C("a"), C("k"), "echo ", C("e"), "again\r"])
case("yank-pop-alt-y", "kill-yank", ["echo first second", C("w"), "third", C("w"), C("y"), M("y"), ENTER],
     note="Alt-Y replaces the yanked 'third' with the older kill 'second'")

# --- word motion (Alt-B / Alt-F / Alt-D) --------------------------------------------
case("alt-b-insert", "word-motion", ["echo two", M("b"), "one ", ENTER])
case("alt-f-insert", "word-motion", ["echo b c", C("a"), M("f"), M("f"), " b2", ENTER])
case("alt-d", "word-motion", ["echo rm safe", C("a"), M("f"), M("d"), ENTER])
case("alt-backspace", "word-motion", ["echo foo/bar", ESC + BS, "baz\r"],
     note="Alt-Backspace is backward-kill-word: stops at non-alphanumerics")
case("alt-b-alt-d", "word-motion", ["echo one two three", M("b"), M("b"), M("d"), ENTER])

# --- cursor keys (arrows, Home/End, Delete, Ctrl-A/E) --------------------------------
case("left-insert", "cursor", ["echo one", LEFT, LEFT, LEFT, "two\r"])
case("left-right-insert", "cursor", ["echo ac", LEFT, LEFT, RIGHT, "b\r"])
case("ss3-left-right", "cursor", ["echo ac", LEFT_SS3, LEFT_SS3, RIGHT_SS3, "b\r"])
case("home-csi-H", "cursor", ["cho x", HOME_CSI, "e\r"])
case("end-csi-F", "cursor", ["echo x", HOME_CSI, END_CSI, " y\r"])
case("home-end-ss3", "cursor", ["cho x", HOME_SS3, "e", END_SS3, " z\r"])
case("home-end-vt", "cursor", ["cho x", HOME_VT, "e", END_VT, " w\r"],
     note="ESC[1~ and ESC[4~ are bound by Debian's /etc/inputrc")
case("delete-key", "cursor", ["echo abXc", LEFT, LEFT, DELETE, ENTER])
case("ctrl-a-ctrl-e", "cursor", ["cho hi", C("a"), "e", C("e"), " there\r"])
case("ctrl-b-ctrl-f-ctrl-d", "cursor", ["echo abXc", C("b"), C("b"), C("d"), C("f"), "d\r"])
case("enter-mid-line", "cursor", ["echo whole line", LEFT * 5, ENTER],
     note="Enter with the cursor mid-line accepts the whole line")

# --- history recall (Up/Down, Ctrl-P/N) ---------------------------------------------
case("up-csi", "history-recall", ["echo first\r", UP, ENTER])
case("up-ss3", "history-recall", ["echo first\r", UP_SS3, ENTER])
case("up-up-down", "history-recall", ["echo h1\r", "echo h2\r", "echo h3\r", UP, UP, UP, DOWN, ENTER])
case("down-ss3", "history-recall", ["echo h1\r", "echo h2\r", UP_SS3, UP_SS3, DOWN_SS3, ENTER])
case("up-edit", "history-recall", ["echo base\r", UP, BS * 4, "edited\r"])
case("ctrl-p-ctrl-n", "history-recall", ["echo p1\r", "echo p2\r", C("p"), C("p"), C("n"), ENTER])
case("up-multiline-entry", "history-recall", ["for i in 1 2\r", "do echo $i\r", "done\r", UP, ENTER],
     note="lithist: the recalled entry keeps its newlines")
case("up-edit-down-then-recall", "history-recall",
     ["echo orig\r", UP, BS * 4, "EDIT", DOWN, "echo new\r", UP, UP, ENTER],
     note="an edit left on a history line without accepting it stays in the history list")
case("alt-lt-beginning-of-history", "history-recall", ["echo oldest\r", "echo newer\r", M("<"), ENTER])

# --- reverse search (Ctrl-R, Ctrl-G) --------------------------------------------------
case("rsearch-accept", "reverse-search", ["echo needle1\r", "echo other\r", C("r"), "needle", ENTER])
case("rsearch-edit-after", "reverse-search", ["echo needle1\r", "echo other\r", C("r"), "needle", C("e"), "X\r"])
case("rsearch-right-arrow-edit", "reverse-search", ["echo needle1\r", C("r"), "need", RIGHT, "Z\r"])
case("rsearch-twice", "reverse-search", ["echo match old\r", "echo match new\r", C("r"), "match", C("r"), ENTER])
case("rsearch-backspace", "reverse-search", ["echo abc\r", "echo abd\r", C("r"), "abd", BS, "c", ENTER])
# At a continuation prompt, readline redraws PS2 (its marker too) before the Enter that ends the
# search runs the check (random cases found it taken for a new prompt).
case("rsearch-accept-at-continuation", "reverse-search", ["echo needle1\r", "for i in a; do\r", C("r"), "needle", ENTER, "done\r"])
case("rsearch-failed-at-continuation", "reverse-search", ["for i in a; do\r", "echo x\r", C("r"), "zzz", ENTER, "done\r"])
case("rsearch-ctrl-g", "ctrl-g", ["echo needle1\r", "echo typed", C("r"), "needle", C("g"), " more\r"],
     note="Ctrl-G aborts the search and restores the line typed before Ctrl-R")
case("rsearch-ctrl-g-no-match", "ctrl-g", ["echo typed", C("r"), "zzzz", C("g"), ENTER])
case("ctrl-g-plain-line", "ctrl-g", ["echo keep", C("g"), ENTER])

# --- history expansion ------------------------------------------------------------------
case("bang-bang", "history-expansion", ["echo hi\r", "!!\r"])
case("bang-dollar", "history-expansion", ["echo a b c\r", "echo !$\r"])
case("bang-minus-2", "history-expansion", ["echo one\r", "echo two\r", "!-2\r"])
case("bang-prefix", "history-expansion", ["echo sel\r", "true\r", "!echo\r"])
case("caret-substitute", "history-expansion", ["echo aaa\r", "^a^b\r"])
case("bang-bang-gs", "history-expansion", ["echo aaa\r", "!!:gs/a/b/\r"])
case("bang-star-caret", "history-expansion", ["echo x y z\r", "printf '%s\\n' !* !^\r"])
case("bang-bang-inside", "history-expansion", ["echo one\r", "echo two; !!\r"])
case("bang-not-found", "history-expansion", ["!nosuchcommand\r", "echo after\r"],
     note="a failed history expansion is not recorded")
case("bang-before-double-quote", "history-expansion", ["echo \"hi!\"\r"])
case("bang-single-quoted", "history-expansion", ["echo hi\r", "echo '!!'\r"])
case("bang-followed-by-space", "history-expansion", ["echo hi !\r"])
case("bang-recalled-then-edited", "history-expansion", ["echo one\r", "!!", " two\r"])

case("hist-event-not-found-typed-ahead", "history-expansion", ["echo !nosuch\recho after\r"],
     note="a failed expansion runs nothing and shows the prompt without PROMPT_COMMAND")
case("hist-print-only", "history-expansion", ["echo one\r", "!!:p\r", "echo a b\r", "echo !$:p\r", "!!\r"],
     note=":p prints the expansion and keeps it in history without running it")
case("hist-expands-to-syntax-error", "history-expansion", ["echo ok\r", "!$ )\r", "echo after\r"],
     note="bash keeps the expanded line it cannot parse and runs nothing")
case("hist-comment-not-expanded", "history-expansion", ["echo one\r", "echo two # !!\r", "#x !! ^a\r", "!!\r"],
     note="a word starting with # ends what history expansion reads of the line")
case("hist-failed-first-of-paste", "history-expansion",
     ["echo one\r", paste("echo !nosuch\nfor i in a b; do\necho $i; done\necho after\n") + ENTER],
     note="the first line's expansion fails: bash keeps the paste's later commands, which do not run")
case("hist-failed-first-of-paste-reedit", "history-expansion",
     ["echo one\r", "^x^y\r", paste("echo z\nfor i in a b; do\necho $i; done\necho after\n") + ENTER],
     rc_extra=["shopt -s histreedit"], note="the failed line comes back to be edited, and the paste joins it")
case("hist-failed-first-of-paste-reedit-vi", "history-expansion",
     ["echo one\r", "^a^b", ENTER, paste("echo z #c\r\nfor i in a b; do\r\necho $i; done\r\necho after\r\n"), ENTER],
     rc_extra=VI + ["shopt -s histreedit"],
     note="a paste with CR LF line ends joins the line re-edited after its failed expansion")
case("hist-bang-paren-fails", "history-expansion", ["echo one\r", "echo a!= b!( c\r", "echo after\r", "!(\r", "echo last\r"])
case("hist-here-document-not-expanded", "history-expansion",
     ["echo one\r", "cat <<Q\r", "$HOME !!\r", "Q\r", "cat <<'R'\r", "^o^x !$\r", "R\r", paste("cat <<S\n!!\nS\n") + ENTER],
     note="here-document bodies are read unexpanded, delimiter quoted or not")

# History expansion in the later lines of a multi-line command: bash expands each line as it reads
# it, against the entries before the command (not the command's own entry, which holds its
# earlier lines already).
case("hist-continuation-bang", "history-expansion", ["echo one\r", "for i in 1; do\r", "echo !!\r", "done\r"])
case("hist-continuation-last-word", "history-expansion", ["echo a b\r", "if true\r", "then echo !$\r", "fi\r"])
case("hist-continuation-caret", "history-expansion", ["echo one\r", "for i in 1; do\r", "^o^x\r", "done\r"])
case("hist-continuation-in-quotes", "history-expansion", ["echo one\r", "echo \"a\r", "!!\"\r"],
     note="double quotes do not stop history expansion")
case("hist-continuation-first-and-later", "history-expansion", ["echo alpha\r", "for i in !$; do\r", "echo !$\r", "done\r"])
case("hist-continuation-vi", "history-expansion", ["echo one\r", "for i in 1; do\r", "echo !!\r", "done\r"], rc_extra=VI)
case("hist-continuation-pasted-end", "history-expansion",
     ["echo one\r", "for i in 1; do\r", paste("echo !!\ndone\necho after\n") + ENTER],
     note="a paste finishes the command typed before it, then runs one of its own")
case("hist-continuation-print-only", "history-expansion", ["echo one\r", "for i in 1; do\r", "!!:p\r", "echo ok\r", "done\r"],
     note=":p at a continuation prompt: history keeps the printed line, which bash does not read")
case("hist-continuation-not-found", "history-expansion", ["echo one\r", "for i in 1; do\r", "echo !nosuch\r", "echo ok\r", "done\r"],
     note="bash drops a continuation line whose expansion failed and reads on")
case("hist-continuation-not-found-last", "history-expansion", ["echo one\r", "for i in 1; do\r", "echo !nosuch; done\r", "echo ok; done\r"],
     note="the line that would have finished the command is dropped: bash reads on")
case("hist-continuation-ctrl-c", "history-expansion", ["echo one\r", "for i in !$; do\r", "echo !!\r", C("c")],
     note="Ctrl-C drops the command: history keeps the lines read so far, expanded")
case("hist-continuation-ignoreboth", "history-expansion",
     ["echo one\r", "for i in 1; do\r", "echo !!\r", "done\r", " for j in 2; do\r", "echo !!\r", "done\r"],
     rc_extra=["HISTCONTROL=ignoreboth"], note="a command that starts with a space leaves no entry")
case("hist-continuation-after-spaced-paste", "history-expansion",
     ["echo one\r", paste(" echo two\nfor i in 1; do\n"), ENTER, "echo !e x\r", C("c"), "echo after\r"],
     rc_extra=["HISTCONTROL=ignorespace"], note="the paste's spaced command leaves no entry before the command Ctrl-C drops")
case("hist-continuation-after-spaced-paste-done", "history-expansion",
     ["echo one\r", paste(" echo two\nfor i in 1; do\n"), ENTER, "echo !e x\r", "done\r"],
     rc_extra=["HISTCONTROL=ignorespace"], note="the later line's expansion is decided on the entry the command's first line made")
case("hist-nocasematch", "history-expansion",
     ["echo alpha beta\r", "!!\r", "echo !$\r", "^alpha^gamma\r", "echo x !!:1*\r"],
     rc_extra=["shopt -s nocasematch"], note="case-insensitive matching leaves history expansion as it is")
case("hist-off-nocasematch", "history-expansion", ["echo alpha\r", "echo !!\r", "echo H!$\r"],
     rc_extra=["shopt -s nocasematch", "set +H"], note="with expansion off, `!!` is two characters")
case("hist-other-characters-from-rc", "history-expansion",
     ["echo one\r", "%%\r", "%-1\r", "%e:s/one/two/\r", "echo !! %$\r"], rc_extra=["histchars='%^#'"],
     note="history characters the startup files set; `%%` expands to nothing (a `%` after the expansion character is a word designator)")

# --- tab completion -------------------------------------------------------------------
case("tab-command-name", "tab-completion", ["whoam", TAB, ENTER])
case("tab-file", "tab-completion", ["touch uniquefile123\r", "ls uniq", TAB, ENTER])
case("tab-double-tab-listing", "tab-completion", ["touch abc1 abc2\r", "ls ab", TAB, TAB, "1\r"],
     note="the listing printed by the second Tab is output, not a command")
case("tab-directory", "tab-completion", ["mkdir -p somedir/inner\r", "ls som", TAB, "in", TAB, ENTER])
case("tab-variable", "tab-completion", ["echo $HOM", TAB, ENTER])
case("tab-mid-line", "tab-completion", ["touch zzfile\r", "ls zz -l", LEFT * 3, TAB, ENTER])
case("alt-star-insert-completions", "tab-completion", ["touch mm1 mm2\r", "echo mm", M("*"), ENTER])

# --- yank-last-arg ---------------------------------------------------------------------
case("alt-dot", "yank-last-arg", ["echo alpha beta\r", "echo ", M("."), ENTER])
case("alt-underscore", "yank-last-arg", ["echo alpha gamma\r", "echo ", M("_"), ENTER])
case("alt-dot-twice", "yank-last-arg", ["echo a1 a2\r", "echo b1 b2\r", "echo ", M("."), M("."), ENTER])
case("alt-1-alt-dot", "yank-last-arg", ["echo x1 x2\r", "echo ", M("1") + M("."), ENTER])
case("alt-ctrl-y-nth-arg", "yank-last-arg", ["echo n1 n2\r", "echo ", ESC + C("y"), ENTER])

# --- aliases ---------------------------------------------------------------------------
case("alias-rc", "alias", ["hi\r"], rc_extra=["alias hi='echo hi there'"])
case("alias-with-args", "alias", ["e one two\r"], rc_extra=["alias e='echo'"])
case("alias-in-pipeline", "alias", ["hi | cat\r"], rc_extra=["alias hi='echo hi there'"])
case("alias-defined-interactively", "alias", ["alias gg='echo gg'\r", "gg\r"])
case("alias-opens-a-block", "alias", ["ob echo in; }\r", "ob\r", "echo x\r", "}\r"], rc_extra=["alias ob='{ '"])
case("alias-leaves-a-list-open", "alias", ["ta\r", "echo after\r"], rc_extra=["alias ta='true &&'"])
case("alias-chained-trailing-space", "alias", ["sudoish hi\r"],
     rc_extra=["alias sudoish='command '", "alias hi='echo chained'"])

# --- vi mode ---------------------------------------------------------------------------
case("vi-insert-plain", "vi-mode", ["echo vi plain\r"], rc_extra=VI)
case("vi-esc-0-x", "vi-mode", ["xecho x0", ESC, "0", "x", ENTER], rc_extra=VI)
case("vi-esc-0-x-one-write", "vi-mode", ["xecho fast" + ESC + "0x\r"], rc_extra=VI,
     note="same keys as vi-esc-0-x but in one write: ESC followed at once by 0")
case("vi-esc-slow", "vi-mode", ["xecho slow", ESC, "0", "x", ENTER], rc_extra=VI,
     waits=["settle", 0.7, "settle", "settle", "settle"],
     note="ESC then a pause longer than keyseq-timeout (500 ms)")
case("vi-dw", "vi-mode", ["junk echo dw", ESC, "0", "dw", ENTER], rc_extra=VI)
case("vi-A", "vi-mode", ["echo app", ESC, "0", "A", "ended\r"], rc_extra=VI)
case("vi-i", "vi-mode", ["echo world", ESC, "b", "i", "hello \r"], rc_extra=VI)
case("vi-k", "vi-mode", ["echo first\r", ESC, "k", ENTER], rc_extra=VI)
case("vi-k-A-edit", "vi-mode", ["echo first\r", ESC, "k", "A", " more\r"], rc_extra=VI)
case("vi-cw", "vi-mode", ["echo wrong", ESC, "b", "cw", "right\r"], rc_extra=VI)
case("vi-dd-i", "vi-mode", ["echo gone", ESC, "dd", "i", "echo kept\r"], rc_extra=VI)
case("vi-dollar-x-r", "vi-mode", ["echo abcX", ESC, "$", "x", "0", "w", "r", "A", ENTER], rc_extra=VI)
case("vi-u-undo", "vi-mode", ["echo undo", ESC, "b", "dw", "u", ENTER], rc_extra=VI)
case("vi-slash-search", "vi-mode", ["echo needle\r", "echo other\r", ESC, "/need", "\r", ENTER], rc_extra=VI,
     waits=["settle", "settle", "settle", "settle", "quiet", "settle"],
     note="the first Enter ends the / search, the second accepts the line")
case("vi-insert-ctrl-w", "vi-mode", ["echo one two", C("w"), "three\r"], rc_extra=VI)
case("vi-heredoc-ctrl-w", "vi-mode", ["cat <<EOF\r", "body $H", C("w"), "OME\r", "EOF\r"], rc_extra=VI,
     note="in vi insert mode Ctrl-W rubs out a vi word, at a continuation prompt too: '$' stays")
case("vi-insert-up-arrow", "vi-mode", ["echo arrowed\r", UP, ENTER], rc_extra=VI)
case("vi-R-replace-enter", "vi-mode", ["echo abc def", ESC, "b", "R", "xyz", ENTER, "echo xx yy", ESC, "R", BS + BS + "q", ENTER],
     rc_extra=VI, note="Enter in replace mode: readline's own keymap for the mode accepts the line directly")
case("vi-R-replace-redo", "vi-mode", ["echo 1111 2222", ESC, "0w", "R", "ab", ESC, "w.", ENTER, "echo mm nn", ESC, "b", "R",
                                      "pqrs" + BS + BS, ESC, "0.", ENTER], rc_extra=VI,
     note="`.` repeats the replacement; backspace in replace mode brings the old text back")
case("vi-R-replace-paste", "vi-mode", ["echo aaaaaaaa", ESC, "0w", "R", paste("b\nc"), ENTER], rc_extra=VI,
     note="a bracketed paste in replace mode overwrites, its line break too, and stays in the mode")
case("vi-ctrl-c-command-mode", "vi-mode", ["echo half", ESC, "0", C("c"), "echo fresh\r"], rc_extra=VI,
     note="after Ctrl-C the new line starts in insert mode")

# --- lines wider than the terminal (80 columns) ----------------------------------------
case("wide-200", "wide-line", ["echo " + "x" * 195 + ENTER])
case("wide-ctrl-a-edit", "wide-line", ["cho " + "y" * 190, C("a"), "e\r"])
case("wide-left-across-wrap", "wide-line", ["echo " + "a" * 100 + "b" * 100, LEFT * 120, "Z\r"])
case("wide-backspace-across-wrap", "wide-line", ["echo " + "c" * 80 + "d" * 10, BS * 12, ENTER])
case("wide-utf8", "wide-line", ["echo " + "é" * 120 + "✓" * 10 + ENTER])
case("wide-recall", "wide-line", ["echo " + "r" * 170 + ENTER, UP, C("a"), M("f"), " X", ENTER])

# --- UTF-8 -----------------------------------------------------------------------------
case("utf8-echo", "utf8", ["echo héllo wörld ✓\r"])
case("utf8-left-insert", "utf8", ["echo ✓✓", LEFT, "é\r"])
case("utf8-ctrl-w", "utf8", ["echo ünï cødé", C("w"), ENTER])
case("utf8-cjk-edit", "utf8", ["echo 日本語", LEFT, LEFT, "x", ENTER])
case("utf8-emoji", "utf8", ["echo 🙂 ok", C("a"), M("f"), M("f"), DELETE, ENTER])

# --- Ctrl-C ----------------------------------------------------------------------------
case("ctrl-c-half-line", "ctrl-c", ["echo half", C("c"), "echo new\r"])
case("ctrl-c-after-recall", "ctrl-c", ["echo before\r", UP, C("c"), "echo fresh\r"])
case("ctrl-c-in-search", "ctrl-c", ["echo searched\r", C("r"), "sea", C("c"), "echo other\r"])
case("ctrl-c-ps2-for", "ctrl-c", ["for i in 1 2; do\r", "echo $i\r", C("c"), "echo after\r"],
     note="Ctrl-C at PS2 drops the pending command but bash has already recorded its lines")
case("ctrl-c-ps2-quote", "ctrl-c", ["echo 'open\r", C("c"), "echo after\r"])
case("ctrl-c-ps2-heredoc", "ctrl-c", ["cat <<EOF\r", "body\r", C("c"), "echo after\r"])
case("ctrl-c-ps2-heredoc-backslash", "ctrl-c", ["cat <<EOF\r", "body\r", "echo a \\\r", C("c"), "echo after\r"],
     note="a body line ending in a backslash waits for the line it joins: history does not hold it")
case("ctrl-c-ps2-heredoc-backslashes", "ctrl-c", ["cat <<EOF\r", "a \\\r", "b \\\r", C("c"), "cat <<'Q'\r", "c \\\r", C("c")],
     note="two such lines go together; in a quoted delimiter's body a backslash is text")
case("ctrl-c-ps2-heredoc-empty-line", "ctrl-c", ["cat <<EOF\r", "\r", C("c"), "echo after\r"],
     note="an empty first body line is a line of the here-document in the entry bash keeps")
case("ctrl-c-ps2-heredoc-undone-line", "ctrl-c", ["cat <<EOF\r", "body $HOME" + C("_"), "\r", C("c")],
     note="Ctrl-_ undoes the typed body line, which is then read empty")
case("ctrl-c-running-command", "ctrl-c", ["sleep 5\r", C("c"), "echo after\r"], waits=[0.1, "settle", "settle"],
     note="Ctrl-C interrupts the running sleep; the sleep line was recorded and ran")
case("ctrl-c-ps2-half-typed", "ctrl-c", ["if true\r", "then echo x", C("c"), "echo after\r"])
case("ctrl-c-running-then-line", "ctrl-c", ["sleep 0.5\r", C("c") + "echo after\r"], waits=[0.1, "settle"],
     note="the interrupt and the next line in one write while the command runs")
case("ctrl-c-then-line-one-write", "ctrl-c", ["echo half" + C("c") + "echo new\r"],
     note="bash drops the key that follows an interrupt in the same write")
case("ctrl-c-then-enter-one-write", "ctrl-c", ["echo half" + C("c") + "\r", "echo z\r"], waits=["quiet", "settle"],
     note="the Enter after the interrupt is dropped: no line, no check")

# --- multi-line input ------------------------------------------------------------------
case("ml-backslash", "multi-line", ["echo a \\\r", "b\r"])
case("ml-backslash-twice", "multi-line", ["echo one \\\r", "two \\\r", "three\r"])
case("ml-single-quote", "multi-line", ["echo 'one\r", "two'\r"])
case("ml-double-quote", "multi-line", ["echo \"x\r", "y\"\r"])
# A backslash that ends a line inside a quote or a substitution stays in history with its newline;
# inside ${…}, (…), {…}, ((…)) or a comment bash removes it and joins the lines (random cases found
# the substitution's).
case("ml-backslash-in-substitutions", "multi-line",
     ["echo $(echo a \\\r", "b)\r", "echo `echo c \\\r", "d`\r", "echo $((1 + \\\r", "2))\r",
      "cat <(echo e \\\r", "f)\r", "echo \"g \\\r", "h\"\r", "echo $'i \\\r", "j'\r", "echo $(echo \"k\" \\\r", "l) \\\r", "m\r"])
case("ml-backslash-outside-substitutions", "multi-line",
     ["echo ${x:-a \\\r", "b}\r", "echo ${x:-$(echo c \\\r", "d)}\r", "echo ${x:-\"e \\\r", "f\"}\r", "(echo g \\\r", "h)\r",
      "(( 1 + \\\r", "2 ))\r", "for i in 1; do echo j # k \\\r", "done\r", "echo $(echo ${x:-m \\\r", "n})\r"])
case("ml-backslashes-three", "multi-line", ["for i in 1; do echo a\\\\\\\r", "b; done\r", "echo c\\\\\r", "\r"])
case("ml-heredoc", "multi-line", ["cat <<EOF\r", "line1\r", "line2\r", "EOF\r"])
case("ml-heredoc-quoted", "multi-line", ["cat <<'END' | cat\r", "$HOME stays\r", "END\r"])
case("ml-heredoc-in-substitution", "multi-line", ["echo $(cat <<E\r", "in\r", "E\r", ")\r"])
case("ml-heredoc-then-pipe", "multi-line", ["cat <<E |\r", "a\r", "E\r", "cat\r"])
case("ml-heredoc-in-process-substitution", "multi-line", ["cat <(cat <<E\r", "in\r", "E\r", ")\r"])
case("ml-heredoc-in-if", "multi-line", ["if true; then cat <<E\r", "q\r", "E\r", "fi\r"])
case("ml-for", "multi-line", ["for i in 1 2 3\r", "do\r", "echo $i\r", "done\r"])
case("ml-if", "multi-line", ["if true\r", "then\r", "echo yes\r", "fi\r"])
case("ml-brace-group", "multi-line", ["{ echo a\r", "echo b; }\r"])
case("ml-subshell", "multi-line", ["( echo a\r", "echo b )\r"])
case("ml-trailing-pipe", "multi-line", ["echo abc |\r", "cat\r"])
case("ml-trailing-and", "multi-line", ["true &&\r", "echo and\r"])
case("ml-function", "multi-line", ["f() {\r", "echo in-f\r", "}\r", "f\r"])
case("ml-case", "multi-line", ["case x in\r", "x) echo matched ;;\r", "esac\r"])
case("ml-command-substitution", "multi-line", ["echo $(echo a\r", "echo b)\r"])
case("ml-nested-while-if", "multi-line", ["n=0; while [ $n -lt 2 ]; do\r", "if true; then\r",
                                          "n=$((n+1)); echo $n\r", "fi\r", "done\r"])
case("ml-then-next-line", "multi-line", ["for i in 1\r", "do echo $i; done; echo next\r", "echo separate\r"])
case("ml-empty-after-pipe", "multi-line", ["echo e1 |\r", "\r", "cat\r"],
     note="an empty continuation line after | is not in the history entry")
case("ml-empty-after-then-and-command", "multi-line", ["if true; then\r", "\r", "echo e2\r", "\r", "\r", "fi\r"],
     note="dropped after then, kept once after a command")
case("ml-empty-in-quote", "multi-line", ["echo 'e3\r", "\r", "end'\r"])
case("ml-empty-function-header", "multi-line", ["f2()\r", "\r", "{ echo e4; }\r", "f2\r"])
case("ml-empty-after-backslash", "multi-line", ["echo e5\\\r", "\r"],
     note="the empty line ends the command; the entry keeps its backslash")
case("ml-syntax-error-kept", "multi-line", ["echo one\r", "echo )\r", "echo $(echo a\r", "b ))\r", UP, ENTER, "echo z\r"],
     note="a line bash cannot parse runs nothing and stays in history, continued or not")
case("ml-conditional-error-reads-one-more", "multi-line",
     ["[[ -f /etc/passwd\r", "echo second\r", "[[ a ==\r", "\r", "[[ a &&\r", "b ==\r", "echo x\r", "echo y\r"],
     note="a [[ ]] that errs at its newline takes the next line into the entry and runs neither")
case("ml-empty-after-spaced-backslash", "multi-line", ["echo e6 \\\r", "\r"])
case("ml-empty-in-parameter-expansion", "multi-line",
     ["echo ${x:-\r", "\r", "q}\r", "y=${z:-\r", "\r", "w}; echo $y\r", "echo \"${x:-\r", "\r", "q}\"\r"],
     note="an empty line inside ${ is kept only in quotes or an assignment")
case("ml-ctrl-v-newline-after-backslash", "multi-line", ["echo cv \\" + C("v") + C("j") + ENTER, "echo next\r"],
     note="a buffer ending in a newline ends in an empty line: it completes the continuation at once")
case("ml-array-subscript-lines", "multi-line", ["a[1\r", "+1]=x; echo ${a[2]}\r"],
     note="NAME[ where an assignment stands reads to its ], lines included")


# --- pastes ----------------------------------------------------------------------------
case("paste-bracketed-two", "paste", [paste("echo p1\necho p2\n"), ENTER])
case("paste-bracketed-three-no-final-newline", "paste", [paste("echo q1\necho q2\necho q3"), ENTER])
case("paste-bracketed-multiline-command", "paste", [paste("for i in 1 2\ndo\necho $i\ndone\necho after\n"), ENTER])
case("paste-bracketed-then-edit", "paste", [paste("cho e1\necho e2"), C("a"), "e", ENTER],
     note="Ctrl-A goes to the start of the whole pasted buffer")
case("paste-bracketed-single", "paste", ["echo ", paste("pasted-word"), ENTER])
case("paste-bracketed-crlf", "paste", [paste("echo c1\r\necho c2\r\n"), ENTER])
case("paste-bracketed-heredoc", "paste", [paste("cat <<EOF\nh1\nEOF\necho after-doc\n"), ENTER])
case("paste-unbracketed-lf", "paste", ["echo u1\necho u2\necho u3\n"])
case("paste-unbracketed-cr", "paste", ["echo v1\recho v2\recho v3\r"])
case("paste-unbracketed-multiline", "paste", ["for i in 1 2\ndo echo $i\ndone\necho w\n"])
case("paste-bracketed-script-with-empty-lines", "paste",
     [paste("f3() {\n\n  echo f3a\n\n\n  echo f3b\n}\n\nif true; then\n\n  f3\nfi\n"), ENTER])
case("paste-unbracketed-empty-lines", "paste", ["for i in 1; do\n\n echo $i\n\ndone\n"])
case("paste-ends-in-backslash-newline", "paste", [paste("echo pb \\\n") + ENTER, "echo next\r"],
     note="the pasted block's last newline ends the continuation: the command runs at once")
case("paste-open-constructs-then-newline", "paste",
     [paste("echo 'a\n") + ENTER, "b'\r", paste("cat <<A\n1\n") + ENTER, "A\r", paste("if true\n") + ENTER, "then echo t; fi\r"])

# --- HISTCONTROL / HISTIGNORE ----------------------------------------------------------
case("ignoreboth-leading-space", "histcontrol", ["echo one\r", " echo two\r", "echo three\r"],
     rc_extra=["HISTCONTROL=ignoreboth"])
case("ignoreboth-dups", "histcontrol", ["echo dup\r", "echo dup\r", "echo other\r", "echo dup\r"],
     rc_extra=["HISTCONTROL=ignoreboth"])
case("ignorespace-recall", "histcontrol", ["echo kept\r", " echo hidden\r", UP, ENTER],
     rc_extra=["HISTCONTROL=ignorespace"])
case("histignore-pattern", "histcontrol", ["ls\r", "true\r", "echo recorded\r"],
     rc_extra=["HISTIGNORE='ls:true'"])
case("default-histcontrol-space", "histcontrol", [" echo spaced\r"],
     note="with HISTCONTROL empty a leading-space line is recorded with its space")
case("ignoreboth-multiline-space", "histcontrol", [" for i in 1\r", "do echo $i\r", "done\r", "echo seen\r"],
     rc_extra=["HISTCONTROL=ignoreboth"])

# --- type-ahead while a command runs ---------------------------------------------------
case("typeahead-one", "type-ahead", ["sleep 0.4\r", "echo ahead\r"], waits=[0.05, "settle"])
case("typeahead-two", "type-ahead", ["sleep 0.4\r", "echo ta1\r", "echo ta2\r"], waits=[0.05, 0.02, "settle"])
case("typeahead-ctrl-u", "type-ahead", ["sleep 0.4\r", "echo bad" + C("u") + "echo good\r"], waits=[0.05, "settle"],
     note="typed while the tty is in canonical mode: ^U is the tty's kill character")
case("typeahead-backspace", "type-ahead", ["sleep 0.4\r", "echo abX" + BS + "c\r"], waits=[0.05, "settle"])
case("typeahead-up-arrow", "type-ahead", ["echo prev\r", "sleep 0.4\r", UP + ENTER], waits=["settle", 0.05, "settle"],
     note="Up typed during the sleep recalls the sleep line itself")
case("typeahead-partial-line", "type-ahead", ["sleep 0.4\r", "echo par", "tial\r"], waits=[0.05, "settle", "settle"])

# --- programs that read the keyboard, and job control ------------------------------------
# (From hand-made cases beyond the corpus, 2026-12-07: each found the bastion acting otherwise.)
case("job-ctrl-z-then-kill", "programs", ["cat\r", "not a command\r", C("z"), "kill %1\r", "echo after\r"],
     waits=["quiet", "quiet", "settle", "settle", "settle"],
     note="Ctrl-Z reaches cat at once (it waited for the hold's end, and the kill typed after it was lost)")
case("job-ctrl-z-fg-cat", "programs", ["cat\r", "x\r", C("z"), "fg\r", "y\r", C("d"), "echo after\r"],
     waits=["quiet", "quiet", 0.5, "quiet", "quiet", 0.5, "settle"])
case("job-fg-ctrl-c", "programs", ["sleep 5 &\r", "fg\r", C("c"), "echo after\r"], waits=["settle", 0.5, "settle", "settle"])
case("read-silent", "programs", ["read -s -p 'pw: ' p\r", "hunter2\r", "echo ${#p}\r"], waits=["quiet", "settle", "settle"])
case("python-repl", "programs", ["python3 -q\r", "", "x = 6 * 7\r", "print(x)\r", C("d"), "echo after-py\r"],
     waits=["quiet", 1.0, "quiet", "quiet", 0.6, "settle"])
case("typeahead-into-read", "type-ahead", ["sleep 0.8; read x\r", "", "for read\recho \"[$x]\"\r"], waits=["quiet", 0.25, "settle"])
case("typeahead-paste", "type-ahead", ["sleep 0.8\r", paste("echo p1\necho p2\n"), ENTER], waits=[0.25, 0.05, "settle"])
case("inputrc-macro-accepts", "bindings", ["echo a; ", C("t"), "echo b", C("t")], rc_extra=["bind '\"\\C-t\": \"echo macro\\n\"'"],
     note="a macro that ends in a line end: the keys no longer tell the line, and its line is checked as any")

# --- other readline editing ------------------------------------------------------------
case("ctrl-t-transpose", "emacs-misc", ["echo ab", C("t"), ENTER])
case("alt-t-transpose-words", "emacs-misc", ["echo one two", M("t"), ENTER])
case("alt-u-l-c-case", "emacs-misc", ["echo one two three", M("b"), M("b"), M("b"), M("u"), M("l"), M("c"), ENTER])
case("ctrl-underscore-undo-all", "emacs-misc", ["echo keep", " junk", C("_"), ENTER],
     note="consecutive typed text is one undo unit: the undo empties the line")
case("ctrl-underscore-undo-after-move", "emacs-misc", ["echo keep", C("a"), C("e"), " junk", C("_"), ENTER],
     note="cursor movement does not split the undo unit either")
case("ctrl-underscore-undo-after-delete", "emacs-misc", ["echo keepx", BS, " junk", C("_"), ENTER])
case("alt-r-revert-recalled", "emacs-misc", ["echo original\r", UP, BS * 8, "changed", M("r"), ENTER])
case("ctrl-v-literal-tab", "emacs-misc", ["echo a", C("v") + TAB, "b\r"])
case("alt-hash-comment", "emacs-misc", ["echo commented", M("#")],
     note="Alt-# (insert-comment) accepts the line with a leading #")
case("ctrl-o-operate-and-get-next", "emacs-misc", ["echo o1\r", "echo o2\r", UP, UP, C("o"), ENTER])
case("ctrl-o-edit-the-next-line", "emacs-misc", ["echo p1\r", "echo p2\r", "echo p3\r", UP + UP + UP + C("o"), " more" + ENTER,
                                                  C("o"), C("w") + "last" + ENTER],
     note="each Ctrl-O starts the next buffer with the history line after the one it ran")
case("ctrl-l-clear-screen", "emacs-misc", ["echo kept", C("l"), " after\r"])
case("ctrl-x-ctrl-u-undo", "emacs-misc", ["echo abc", BS, C("x") + C("u"), ENTER])

# --- the person's own startup-file settings (appended to ~/.bashrc through the bastion) ---------
case("kr-pc-array-history-a", "rc-variants",
     ["echo one\r", UP, C("a"), M("f"), " two", ENTER, "!!\r", "for i in 1 2\r", "do echo $i\r", "done\r"],
     ["shopt -s histappend", "PROMPT_COMMAND+=('history -a')"],
     note="array PROMPT_COMMAND (bash 5.1+): history -a after the harness's recorder at every prompt")
case("kr-pc-string-append", "rc-variants",
     ["echo a\r", paste("echo p1\necho p2\n") + ENTER, "echo half", C("c"), "echo b\r"],
     ['PROMPT_COMMAND="${PROMPT_COMMAND:+$PROMPT_COMMAND;}echo -n"'],
     note="the classic string append")
case("kr-pc-bash-preexec-style", "rc-variants",
     ["echo pre1\r", "echo a | cat\r", UP, BS * 3, "tr a b\r", "echo half", C("c"), "true\r"],
     [r"__bp_last=; __bp_armed=",
      r"__bp_preexec() { [[ -z $__bp_armed ]] && return; __bp_armed=; __bp_last=$(HISTTIMEFORMAT= builtin history 1); }",
      r"__bp_precmd() { __bp_armed=1; }",
      r'''trap '__bp_preexec "$_"' DEBUG''',
      r"PROMPT_COMMAND+=('__bp_precmd')"],
     note="like bash-preexec: the DEBUG trap reads `history 1` before the command runs")
case("kr-trap-debug-true", "rc-variants",
     ["echo d1\r", "!!\r", "for i in a; do\r", "echo $i\r", C("c"), "echo d2\r"],
     ["trap 'true' DEBUG"])
case("kr-pc-share-history-timestamps", "rc-variants",
     ["echo t1\r", "for i in 1\r", "do echo $i; done\r", UP, ENTER, "echo t2\r"],
     ["shopt -s histappend", "HISTTIMEFORMAT='%F %T '", "PROMPT_COMMAND+=('history -a; history -c; history -r')"],
     note="with HISTTIMEFORMAT the file keeps timestamps, so a multi-line entry is read back whole")
case("kr-set-u", "rc-variants",
     ["echo $KR_UNSET_X\r", "echo ${KR_UNSET_X:-dflt}\r", "echo $HOM", TAB, ENTER, "for i in 1; do\r", "echo $i $KR_NOPE\r", "done\r"],
     ["set -u"], note="set -u: an unbound variable fails the command, the interactive shell stays")
case("kr-pipefail-noclobber", "rc-variants",
     ["echo a > f\r", "echo b > f\r", "echo c >| f\r", "false | true; echo $?\r", UP, ENTER],
     ["set -o pipefail", "set -o noclobber"])
case("kr-posix-mode", "rc-variants",
     ["echo px\r", "f() { echo in-f; }\r", "f\r", "!!\r", "echo a b\r", "echo !$\r"],
     ["set -o posix"])
case("kr-ifs-colon", "rc-variants",
     ["echo a b\r", "for i in a:b; do echo $i; done\r", "touch cc1\r", "ls cc", TAB, ENTER],
     ["IFS=:"])
case("kr-xtrace", "rc-variants",
     ["echo x1\r", paste("echo x2\necho x3\n") + ENTER, "for i in 1\r", "do echo $i; done\r", "echo half", C("c")],
     ["set -x"], note="xtrace: PROMPT_COMMAND's and PS0's commands are traced too, noise between prompts")
case("kr-set-e", "rc-variants",
     ["echo e1\r", "false || echo rescued\r", "if false; then :; fi\r", UP, ENTER, "echo half", C("c"), "echo e2\r"],
     ["set -e"],
     note="errexit: only lines that do not fail (a failing command would end the shell)")
case("kr-lc-all-c", "rc-variants",
     ["echo héllo\r", "cho wörld", C("a"), "e", ENTER, "echo x" + "é" * 3, C("e"), " end\r"],
     ["LC_ALL=C"], note="C locale set in the rc: readline counts bytes, but these edits never split a character")
case("kr-failglob", "rc-variants",
     ["echo nomatch*\r", "touch m1\r", "echo m*\r", "echo nomatch* && echo no\r"],
     ["shopt -s failglob"], note="failglob: a pattern with no match fails the command before it runs")
case("kr-autocd-cdspell", "rc-variants",
     ["mkdir -p dirx/ee\r", "dirx\r", "cd ..\r", "cd dirz\r", "cd ..\r", "ls dirx/e", TAB, ENTER],
     ["shopt -s autocd cdspell dirspell direxpand checkwinsize"],
     note="autocd runs `cd -- dirx` for a line that is a directory name; cdspell corrects `cd dirz` to dirx. (dirspell+direxpand correct a misspelled dirz/e while completing, "
          "but into an absolute path that differs per run: left out)")
case("kr-bind-up-history-search", "rc-variants",
     ["echo a1\r", "printf 'x\\n'\r", "echo a2\r", "echo a", UP, UP, DOWN, ENTER, UP, ENTER],
     [r"""bind '"\e[A": history-search-backward'""", r"""bind '"\e[B": history-search-forward'"""],
     note="Up/Down search history for the text before the cursor")
case("kr-bind-menu-complete", "rc-variants",
     ["touch ab1 ab2\r", "ls ab", TAB, TAB, ENTER, "ls ab", TAB, TAB, TAB, ENTER],
     ["bind 'TAB:menu-complete'", "bind 'set menu-complete-display-prefix on'"])
case("kr-bind-bracketed-paste-off", "rc-variants",
     [paste("echo bp1\necho bp2\n") + ENTER, "for i in 1 2\ndo echo $i\ndone\necho un\n"],
     ["bind 'set enable-bracketed-paste off'"],
     note="the variable only stops readline asking the terminal; keys that carry paste brackets are still a paste")
case("kr-bind-horizontal-scroll", "rc-variants",
     ["echo " + "h" * 120 + "k" * 30 + ENTER, UP, C("a"), M("f"), " Y", ENTER, "cho " + "q" * 100, C("a"), "e\r"],
     ["bind 'set horizontal-scroll-mode on'"], note="long lines scroll sideways on one row instead of wrapping")
case("kr-vi-show-mode", "rc-variants",
     ["echo one", ESC, "0", "w", "cw", "two\r", ESC, "k", "A", " three\r"],
     VI + ["bind 'set show-mode-in-prompt on'", r"""bind 'set vi-ins-mode-string "\1\e[6 q\2(ins)"'""",
           r"""bind 'set vi-cmd-mode-string "\1\e[2 q\2(cmd)"'"""],
     note="mode string and cursor shape in front of PS1")
case("kr-vi-jk-escape", "rc-variants",
     ["echo just", "jk", "0", "x", "i", "E", ENTER, "echo jjkk", "jk", "hx", ENTER],
     VI + [r"""bind -m vi-insert '"jk": vi-movement-mode'"""],
     note="jk leaves insert mode; a j not followed by k is inserted. `echo jjkk` holds jk: command mode mid-word, then k j k walk history, h x edit the recalled line")
case("kr-bind-convert-meta", "rc-variants",
     ["echo héllo\r", "echo ab", ESC + "b", "x\r"],
     ["bind 'set input-meta off'", "bind 'set convert-meta on'", "bind 'set output-meta off'"],
     note="bash 5.2 still inserts the UTF-8 bytes of é as typed, but with output-meta off readline draws them as \\303 on the screen")
case("kr-ignoreboth-recall", "rc-variants",
     ["echo seen\r", " echo secret\r", UP, ENTER, "echo dup\r", "echo dup\r", UP, ENTER, "!!\r"],
     ["HISTCONTROL=ignoreboth"])
case("kr-histignore-patterns", "rc-variants",
     ["ls\r", "ls -a\r", "echo same\r", "echo same\r", " echo sp\r", "echo kept\r", UP, ENTER],
     ["HISTIGNORE='ls:ls *:&:[ ]*'"],
     note="& drops an immediate repeat, [ ]* a line with a leading blank")
case("kr-alias-trailing-space", "rc-variants",
     ["nice ll -d .\r", "nice la\r"],
     ["alias nice='nice '", "alias ll='ls -l'", "alias la='ls -A'"],
     note="an alias ending in a blank: the next word is checked for an alias too (like alias sudo='sudo ')")
case("kr-function-mkcd", "rc-variants",
     ["mkcd a/b\r", "touch inb\r", "cd ../..\r", "mkc", TAB, "c2 && ls\r"],
     [r'''mkcd() { mkdir -p "$1" && cd "$1"; }'''])

# --- edit-and-execute (the person's editor, here a sed or a failing command) ------------
case("edit-exec-sed", "edit-and-execute", ["echo aa typed", C("x") + C("e"), "echo after\r"],
     rc_extra=["export VISUAL='sed -i s/aa/bb/' EDITOR=true"],
     note="Ctrl-X Ctrl-E: history keeps the line handed to the editor (unrun) and the line the editor left")
case("edit-exec-unchanged", "edit-and-execute", ["echo edited as is", C("x") + C("e")],
     rc_extra=["export VISUAL=true EDITOR=true"])
case("edit-exec-vi-v", "edit-and-execute", ["echo vv one", ESC, "v", "echo after\r"],
     rc_extra=VI + ["export VISUAL='sed -i s/one/ONE/' EDITOR=true"], note="vi command mode's v")
case("edit-exec-bound-key", "edit-and-execute", ["echo ALPHA one\r", "echo ALPHA two", M("e"), "echo after\r"],
     rc_extra=["export VISUAL='sed -i s/ALPHA/BETA/'", r"""bind '"\ee": edit-and-execute-command'"""],
     note="a key an rc binds to edit-and-execute-command")
case("edit-exec-editor-variable", "edit-and-execute", ["echo ALPHA e1", C("x") + C("e"), "set -o vi\r", "echo ALPHA e2", ESC, "v", "echo after\r"],
     rc_extra=["export EDITOR='sed -i s/ALPHA/GAMMA/'"], note="EDITOR where VISUAL is not set, in both modes")
case("edit-exec-editor-fails", "edit-and-execute", ["echo never", C("x") + C("e"), "echo after\r"],
     rc_extra=["export VISUAL=false"], note="an editor that fails: nothing of the line runs")
case("edit-exec-quoted-command", "edit-and-execute", ["echo a b", C("x") + C("e")],
     rc_extra=["""export VISUAL="sed -i 's/a b/c  d/'" """], note="the editor's command is read as the shell reads it, quotes and all")
case("edit-exec-adds-lines", "edit-and-execute", ["echo first", C("x") + C("e"), UP, ENTER],
     rc_extra=["""export VISUAL="sed -i '\\$a echo added'" """], note="the editor leaves two lines: both run, each its own entry; Up recalls the last")
