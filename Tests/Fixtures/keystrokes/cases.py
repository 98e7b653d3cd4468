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

# --- a second keystroke set: mixed categories, written by a reviewer and checked in bash alone -------
# (each ran three times unloaded and twice under load, with the same history every time)
case('kx-ctrl-t-end-of-line', 'emacs-edit', ['echo abc', '\x14', '\r'], note='at the end of the line Ctrl-T swaps the last two characters')
case('kx-ctrl-t-mid-then-again', 'emacs-edit', ['echo abcd', '\x1b[D\x1b[D', '\x14', '\x14', '\r'], note='Ctrl-T drags the character along')
case('kx-ctrl-t-at-start', 'emacs-edit', ['ceho tt', '\x01', '\x14', '\x06\x14', '\r'])
case('kx-alt-t-middle-word', 'emacs-edit', ['echo one two three', '\x1bb\x1bb\x02', '\x1bt', '\r'])
case('kx-alt-t-at-end-twice', 'emacs-edit', ["printf '%s\\n' aa bb", '\x1bt', '\x1bt', '\r'])
case('kx-alt-u-mid-word', 'emacs-edit', ['echo hello world', '\x1bb', '\x06\x06', '\x1bu', '\r'])
case('kx-alt-c-with-count', 'emacs-edit', ['echo aa bb cc', '\x01\x1bf', '\x1b3\x1bc', '\r'])
case('kx-alt-l-negative-arg', 'emacs-edit', ['echo ABC DEF', '\x1b-\x1bl', ' GHI', '\r'], note='a negative argument lowercases the word before the cursor and leaves the cursor')
case('kx-numeric-arg-backspace', 'numeric-arg', ['echo abcdef', '\x1b3\x7f', '\r'])
case('kx-numeric-arg-self-insert', 'numeric-arg', ['echo ', '\x1b5x', '\r'])
case('kx-numeric-arg-two-digits', 'numeric-arg', ['echo ', '\x1b1\x1b2z', '\r'])
case('kx-numeric-arg-delete-forward', 'numeric-arg', ['echo abcdef', '\x1b4\x1b[D', '\x1b2\x04', '\r'])
case('kx-numeric-arg-kill-words', 'numeric-arg', ['echo a b c d', '\x1b2\x1b\x7f', 'e', '\r'])
case('kx-numeric-arg-ctrl-g-cancels', 'numeric-arg', ['echo ', '\x1b5', '\x07', 'x', '\r'], note='Ctrl-G drops the pending argument')
case('kx-numeric-arg-digits-then-minus', 'numeric-arg', ['echo ', '\x1b4\x1b-q', '\r'], note='Alt-4 Alt-- : the minus after digits')
case('kx-ctrl-x-ctrl-x-mark', 'emacs-edit', ['echo one', '\x00', '\x01', '\x18\x18', ' two', '\r'], note='Ctrl-@ sets the mark at the end; Ctrl-X Ctrl-X goes back there')
case('kx-ctrl-x-ctrl-x-twice', 'emacs-edit', ['echo ab cd', '\x01\x1bf\x00', '\x05', '\x18\x18', '\x18\x18', ' ef', '\r'])
case('kx-alt-d-twice-then-yank', 'kill-yank', ['echo one two three', '\x01\x1bf', '\x1bd\x1bd', '\x05\x19', '\r'], note='two Alt-D kills in a row join into one kill-ring entry')
case('kx-yank-pop-three-kills', 'kill-yank', ['echo one', '\x15', 'echo two', '\x15', 'echo three', '\x15', '\x19\x1by\x1by', '\r'], note='Alt-Y twice walks back to the oldest kill')
case('kx-ctrl-k-then-ctrl-u-join', 'kill-yank', ['echo left right', '\x1bb\x0b', '\x15', '\x19', '\r'], note='Ctrl-U after Ctrl-K prepends to the same kill')
case('kx-undo-kill-then-typed', 'emacs-undo', ['echo aa bb', '\x17', 'cc', '\x1f', '\x1f', '\r'])
case('kx-undo-yanks', 'emacs-undo', ['echo x', '\x15', '\x19\x19', '\x1f', '\r'])
case('kx-alt-r-new-line', 'emacs-undo', ['echo typed', '\x7f\x7f', '\x1br', 'echo reverted\r'], note='revert-line on a line never accepted empties it')
case('kx-alt-r-recalled-many-edits', 'emacs-undo', ['echo abc def\r', '\x1b[A', '\x01\x1bf\x1bd X', '\x17\x19', '\x1br', ' tail\r'])
case('kx-ctrl-v-control-char', 'quoted-insert', ["printf '%q\\n' 'a", '\x16\x01', "b'\r"], note='a literal Ctrl-A in the line')
case('kx-ctrl-v-escape', 'quoted-insert', ["printf '%q\\n' 'x", '\x16\x1b', "y'\r"], note='a literal ESC in the line')
case('kx-ctrl-v-ctrl-u', 'quoted-insert', ["printf '%q\\n' 'p", '\x16\x15', "q'\r"])
case('kx-ctrl-q-quoted-insert-no-ixon', 'quoted-insert', ["printf '%q\\n' 'c", '\x11\x02', "d'\r"], rc_extra=['stty -ixon'], note='with ixon off, Ctrl-Q is quoted-insert')
case('kx-home-end-delete-mixed', 'cursor', ['xcho ab cd', '\x1b[1~', '\x1b[3~e', '\x1b[4~', '\x1b[D\x1b[D\x1b[D', '\x1b[3~', '\r'])
case('kx-alt-f-alt-b-punct', 'word-motion', ['echo foo-bar.baz', '\x1bb\x1bb', '\x1bd', '\r'], note='Alt-B and Alt-D stop at punctuation')
case('kx-ctrl-left-right-words', 'word-motion', ['echo one two', '\x1b[1;5D', 'X', '\x1b[1;5C', 'Y\r'], note="Ctrl-Left/Ctrl-Right from Debian's /etc/inputrc")
case('kx-alt-gt-returns-to-typed', 'history-recall', ['echo old\r', 'echo new\r', 'echo typed', '\x1b<', '\x1b>', ' more\r'], note='Alt-> returns to the line being typed')
case('kx-alt-p-nonincremental', 'history-search', ['echo needle one\r', 'echo other\r', '\x1bp', 'needle', '\r', '\r'], waits=['settle', 'settle', 'settle', 'settle', 'quiet', 'settle'], note='the first Enter ends the non-incremental search, the second runs the line')
case('kx-alt-p-alt-n', 'history-search', ['echo a1\r', 'echo b1\r', 'echo a2\r', '\x1bpecho a\r', '\x1bp\r', '\x1bn\r', ' x\r'], waits=['settle', 'settle', 'settle', 'quiet', 'quiet', 'quiet', 'settle'], note='an empty search string searches again for the last one')
case('kx-alt-p-ctrl-g', 'history-search', ['echo a\r', 'echo typed', '\x1bpec', '\x07', ' z\r'])
case('kx-alt-p-edit-found', 'history-search', ['echo found it\r', 'true\r', '\x1bpfound\r', '\x01\x1bf X', '\r'], waits=['settle', 'settle', 'quiet', 'settle', 'settle'])
case('kx-ctrl-s-forward-search', 'reverse-search', ['echo f1\r', 'echo f2\r', 'echo f3\r', '\x12echo\x12\x12', '\x13', '\r'], rc_extra=['stty -ixon'], note='Ctrl-S turns the search forward')
case('kx-rsearch-ctrl-a-edit', 'reverse-search', ['echo needle here\r', 'true\r', '\x12here', '\x01\x1bf', ' pre', '\r'])
case('kx-rsearch-ctrl-j-terminates', 'reverse-search', ['echo jneedle\r', '\x12jnee', '\n', ' x\r'], note='Ctrl-J ends the search without running the line')
case('kx-rsearch-ctrl-g-after-recall', 'reverse-search', ['echo aa\r', 'echo bb\r', '\x1b[A', '\x12zzz', '\x07', '\r'])
case('kx-rsearch-multiline-entry', 'reverse-search', ['for i in 1 2\r', 'do echo loop$i\r', 'done\r', 'echo x\r', '\x12loop', '\r'])
case('kx-rsearch-utf8', 'reverse-search', ['echo café crème\r', 'echo x\r', '\x12é c', '\x05 ✓', '\r'])
case('kx-rsearch-at-ps2-ctrl-g', 'reverse-search', ['echo a\r', 'for i in a; do\r', '\x12echo', '\x07', 'echo $i\r', 'done\r'])
case('kx-rsearch-then-kill', 'reverse-search', ['echo keep drop\r', 'true\r', '\x12drop', '\x1bb\x0b', 'kept\r'])
case('kx-up-at-ps2-fills-line', 'history-recall', ['echo prev\r', 'for i in 1; do\r', '\x1b[A', '\r', 'done\r'], note='Up at a continuation prompt recalls an older entry into the continuation line')
case('kx-up-up-at-ps2-older-entry', 'history-recall', ['echo prev\r', 'for i in 1; do\r', '\x1b[A\x1b[A', '\r', 'done\r'], note='the first Up at PS2 shows the command being typed (already an entry), the second the one before')
case('kx-down-past-end', 'history-recall', ['echo d1\r', 'echo typing', '\x1b[B', '\x1b[B', ' still\r'])
case('kx-up-edit-multiline-recalled', 'history-recall', ['for i in 1 2\r', 'do echo v$i\r', 'done\r', '\x1b[A', '\x01\x1bf\x1bf\x1bf', ' 0', '\r'])
case('kx-up-heredoc-prefix', 'history-recall', ['cat <<E\r', 'body1\r', 'E\r', '\x1b[A', '\x01echo pre; ', '\r'])
case('kx-bang-qmark', 'history-expansion', ['echo find-me here\r', 'echo other\r', '!?find?\r'])
case('kx-bang-qmark-open', 'history-expansion', ['echo find-me here\r', 'echo other\r', '!?here\r'])
case('kx-bang-qmark-word', 'history-expansion', ['echo alpha beta gamma\r', 'true\r', 'echo !?bet?%\r'], note='!% is the word the last ?string? search matched')
case('kx-bang-hash', 'history-expansion', ['echo a !#\r'])
case('kx-bang-hash-word', 'history-expansion', ['echo one !#:1\r'])
case('kx-mod-h-t', 'history-expansion', ['echo /a/b/c.txt\r', 'echo !$:h\r', 'echo !-2:$:t\r'])
case('kx-mod-r-e', 'history-expansion', ['echo file.tar.gz\r', 'echo !$:r !$:e\r'])
case('kx-mod-q-x', 'history-expansion', ['echo a b c\r', 'echo !!:q\r', 'echo !-2:x\r'])
case('kx-mod-s-amp', 'history-expansion', ['echo aa bb aa\r', '!!:s/aa/cc/\r', '!!:&\r', '!!:g&\r'])
case('kx-mod-gs-p-then-run', 'history-expansion', ['echo aaa\r', '!!:gs/a/b/:p\r', '!!\r'])
case('kx-bang-absolute-number', 'history-expansion', ['echo first\r', 'echo second\r', '!1\r'])
case('kx-bang-word-range', 'history-expansion', ['echo a b c d\r', 'echo !!:2-3\r', 'echo !-2:2-$\r', 'echo !-3:2*\r'])
case('kx-bang-star-empty', 'history-expansion', ['true\r', 'echo x !*\r'])
case('kx-caret-trailing-text', 'history-expansion', ['echo hello world\r', '^world^there^ extra\r'])
case('kx-caret-fails', 'history-expansion', ['echo abc\r', '^zz^yy\r', 'echo after\r'])
case('kx-histverify-bang', 'history-expansion', ['echo one\r', '!!\r', ' two\r'], rc_extra=['shopt -s histverify'], note='histverify: the expanded line comes back to be edited')
case('kx-histverify-caret', 'history-expansion', ['echo aaa\r', '^a^b\r', '\x01\x1bf X', '\r'], rc_extra=['shopt -s histverify'])
case('kx-histverify-nothing-to-expand', 'history-expansion', ['echo plain\r', 'echo !!\r', '\x17again\r'], rc_extra=['shopt -s histverify'])
case('kx-histreedit-failed', 'history-expansion', ['echo one\r', 'echo !nosuch x\r', '\x15echo fixed\r'], rc_extra=['shopt -s histreedit'])
case('kx-bang-after-heredoc', 'history-expansion', ['cat <<EOF\r', 'x\r', 'EOF\r', 'echo !$\r'], note='the last word of a here-document entry')
case('kx-bang-bang-heredoc', 'history-expansion', ['cat <<EOF\r', 'hx\r', 'EOF\r', '!!\r'])
case('kx-bang-dollar-after-for', 'history-expansion', ['for i in 1 2\r', 'do echo $i\r', 'done\r', 'echo !$ !^\r'])
case('kx-bang-colon-zero', 'history-expansion', ['echo a b\r', '!!:0 x\r'])
case('kx-bang-minus-word', 'history-expansion', ['echo one two\r', 'true\r', 'echo !-2:2\r'])
case('kx-bang-string-mods', 'history-expansion', ["printf '%s\\n' /x/y.z\r", 'true\r', 'echo !printf:$:t:r\r'])
case('kx-bang-in-paste', 'history-expansion', ['echo p0\r', '\x1b[200~echo p1\necho !!\n\x1b[201~', '\r'])
case('kx-print-then-up', 'history-expansion', ['echo a\r', '!!:s/a/b/:p\r', '\x1b[A', '\r'])
case('kx-bang-brace-var-not-expanded', 'history-expansion', ['echo one\r', 'echo ${!BASH_VERS*}\r'], note='${! is indirection, not history')
case('kx-bang-in-double-quotes-expanded', 'history-expansion', ['echo one\r', 'echo "got !!"\r'])
case('kx-bang-escaped', 'history-expansion', ['echo one\r', 'echo \\!! x\r'])
case('kx-magic-space', 'history-expansion', ['echo hi\r', '!! x\r'], rc_extra=['bind Space:magic-space'], note='Space expands history in place')
case('kx-history-expand-line-key', 'history-expansion', ['echo one\r', '!!', '\x1b^', ' two\r'], note='Alt-^ expands history in the line')
case('kx-histchars-changed', 'history-expansion', ['echo one\r', '%%\r', 'echo a b\r', 'echo %$\r'], rc_extra=["histchars='%^#'"])
case('kx-tab-space-in-name', 'tab-completion', ["touch 'my file'\r", 'ls my', '\t', '\r'])
case('kx-tab-in-single-quotes', 'tab-completion', ["touch 'my file'\r", "ls 'my f", '\t', '\r'])
case('kx-tab-in-double-quotes', 'tab-completion', ["touch 'two words'\r", 'ls "two', '\t', '\r'])
case('kx-tab-special-chars', 'tab-completion', ["touch 'a&b(c)'\r", 'ls a', '\t', '\r'])
case('kx-tab-tilde-home', 'tab-completion', ['touch ~/hfile-uniq\r', 'ls ~/hf', '\t', '\r'])
case('kx-tab-common-prefix', 'tab-completion', ['touch pre-alpha pre-beta\r', 'ls pr', '\t', 'b', '\t', '\r'])
case('kx-tab-dir-then-file', 'tab-completion', ['mkdir d1 && touch d1/inside\r', 'ls d', '\t', '\t', '\r'])
case('kx-tab-utf8-name', 'tab-completion', ['touch café.txt\r', 'ls ca', '\t', '\r'])
case('kx-tab-variable-brace', 'tab-completion', ['echo ${HOM', '\t', '\r'])
case('kx-tab-alias-name', 'tab-completion', ['zzmy', '\t', '\r'], rc_extra=["alias zzmyalias='echo aliased'"])
case('kx-tab-function-name', 'tab-completion', ['zzfunc_o', '\t', '\r'], rc_extra=['zzfunc_one() { echo f1; }'])
case('kx-tab-no-match', 'tab-completion', ['ls qqnothing', '\t', '\r'])
case('kx-tab-in-continuation', 'tab-completion', ['touch loopfile\r', 'for f in loop', '\t', '; do\r', 'echo $f\r', 'done\r'])
case('kx-tab-alt-question-list', 'tab-completion', ['touch ab1 ab2\r', 'ls ab', '\x1b?', '2\r'])
case('kx-tab-after-equals', 'tab-completion', ['touch uniqvalue\r', 'v=uniq', '\t', '; echo $v\r'])
case('kx-tab-after-pipe-command', 'tab-completion', ['echo x | whoam', '\t', '\r'])
case('kx-tab-double-tab-then-kill', 'tab-completion', ['touch kk1 kk2\r', 'ls kk', '\t\t', '\x15echo none\r'])
case('kx-glob-expand-word', 'tab-completion', ['touch g1 g2\r', 'echo g*', '\x18*', '\r'], note='Ctrl-X * replaces the pattern with the files it matches')
case('kx-dynamic-complete-history', 'tab-completion', ['echo uniqueword123\r', 'echo uniq', '\x1b\t', '\r'], note='Alt-Tab completes from words in the history')
case('kx-alt-dot-three', 'yank-last-arg', ['echo a1\r', 'echo b1\r', 'echo c1\r', 'echo ', '\x1b.\x1b.\x1b.', '\r'])
case('kx-alt-dot-count-2', 'yank-last-arg', ['echo x y z\r', 'echo ', '\x1b2\x1b.', '\r'])
case('kx-alt-dot-negative', 'yank-last-arg', ['echo x y z\r', 'echo ', '\x1b-\x1b.', '\r'])
case('kx-alt-dot-after-multiline', 'yank-last-arg', ['for i in 1\r', 'do echo $i\r', 'done\r', 'echo ', '\x1b.', '\r'])
case('kx-alt-underscore-quoted', 'yank-last-arg', ["echo 'a b'\r", 'echo ', '\x1b_', '\r'])
case('kx-alt-dot-then-edit', 'yank-last-arg', ['echo /tmp/x.txt\r', 'echo ', '\x1b.', '\x1bb\x0by.log', '\r'])
case('kx-alt-dot-repeat-with-count', 'yank-last-arg', ['echo a b\r', 'echo c d\r', 'echo ', '\x1b.', '\x1b1\x1b.', '\r'])
case('kx-alt-dot-in-ps2', 'yank-last-arg', ['echo last\r', 'for i in 1; do\r', 'echo ', '\x1b.', '\r', 'done\r'])
case('kx-alias-space-then-alias', 'alias', ['pre tgt\r'], rc_extra=["alias pre='echo '", "alias tgt='expanded'"])
case('kx-alias-same-line-not-used', 'alias', ["alias sl='echo same'; sl\r", 'sl\r'], note='an alias defined on a line is not used on that same line')
case('kx-alias-recalled-edited', 'alias', ["alias q1='echo q1'\r", 'q1 a\r', '\x1b[A', ' b\r'])
case('kx-alias-unalias', 'alias', ["alias zz='echo zz'\r", 'zz\r', 'unalias zz\r', 'zz\r'])
case('kx-alias-opens-loop', 'alias', ['lp echo $i; done\r', 'lp\r', 'echo $i\r', 'done\r'], rc_extra=["alias lp='for i in 1 2; do'"])
case('kx-alias-then-bang', 'alias', ["alias hh='echo hh'\r", 'hh one\r', '!!\r', '!h two\r'])
case('kx-alias-space-then-multiword', 'alias', ["alias nn='command '\r", "alias ee='echo e1 e2'\r", 'nn ee tail\r'])
case('kx-alias-in-function-body', 'alias', ["alias sa='echo sa'\r", 'fa() {\r', 'sa inner\r', '}\r', 'fa\r'])
case('kx-vi-h-x-p', 'vi-mode', ['echo ba', '\x1b', 'h', 'x', 'p', '\r'], rc_extra=['set -o vi'])
case('kx-vi-f-x-dot', 'vi-mode', ['echo aXXXb', '\x1b', '0', 'fX', 'x', '..', '\r'], rc_extra=['set -o vi'])
case('kx-vi-dw-dot', 'vi-mode', ['echo one two three four', '\x1b', '0w', 'dw', '.', '\r'], rc_extra=['set -o vi'])
case('kx-vi-cw-dot', 'vi-mode', ['echo aa bb cc', '\x1b', '0w', 'cw', 'XX', '\x1b', 'w.', '\r'], rc_extra=['set -o vi'])
case('kx-vi-count-dw', 'vi-mode', ['echo a b c d', '\x1b', '0w', '2dw', '\r'], rc_extra=['set -o vi'])
case('kx-vi-count-x', 'vi-mode', ['echo abcdef', '\x1b', '0w', '3x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-I', 'vi-mode', ['cho x', '\x1b', 'I', 'e', '\r'], rc_extra=['set -o vi'])
case('kx-vi-f-semicolon-r', 'vi-mode', ['echo a-b-c-d', '\x1b', '0', 'f-', ';', 'r+', '\r'], rc_extra=['set -o vi'])
case('kx-vi-t-x', 'vi-mode', ['echo a.b', '\x1b', '0', 't.', 'x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-F-comma', 'vi-mode', ['echo a-b-c', '\x1b', 'F-', ',', 'x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-tilde', 'vi-mode', ['echo hello', '\x1b', '0w', '~~~', '\r'], rc_extra=['set -o vi'])
case('kx-vi-count-r', 'vi-mode', ['echo aaaa', '\x1b', '0w', '3rb', '\r'], rc_extra=['set -o vi'])
case('kx-vi-k-k-j', 'vi-mode', ['echo h1\r', 'echo h2\r', '\x1b', 'k', 'k', 'j', '\r'], rc_extra=['set -o vi'])
case('kx-vi-count-k', 'vi-mode', ['echo h1\r', 'echo h2\r', 'echo h3\r', '\x1b', '3k', '\r'], rc_extra=['set -o vi'])
case('kx-vi-slash-n', 'vi-mode', ['echo s1 x\r', 'echo s2 x\r', 'echo other\r', '\x1b', '/x', '\r', 'n', '\r'], rc_extra=['set -o vi'], waits=['settle', 'settle', 'settle', 'settle', 'settle', 'quiet', 'settle', 'settle'])
case('kx-vi-slash-then-A', 'vi-mode', ['echo needle\r', 'true\r', '\x1b/need', '\r', 'A', ' more\r'], rc_extra=['set -o vi'], waits=['settle', 'settle', 'settle', 'quiet', 'settle', 'settle'])
case('kx-vi-dollar-a', 'vi-mode', ['echo mid', '\x1b', '0$', 'a', 'dle\r'], rc_extra=['set -o vi'])
case('kx-vi-cc', 'vi-mode', ['echo wrong', '\x1b', 'cc', 'echo right\r'], rc_extra=['set -o vi'])
case('kx-vi-C', 'vi-mode', ['echo keep drop', '\x1b', 'b', 'C', 'new\r'], rc_extra=['set -o vi'])
case('kx-vi-D', 'vi-mode', ['echo keep drop', '\x1b', 'b', 'D', '\r'], rc_extra=['set -o vi'])
case('kx-vi-yw-P', 'vi-mode', ['echo word', '\x1b', 'b', 'yw', 'P', '\r'], rc_extra=['set -o vi'])
case('kx-vi-u-twice', 'vi-mode', ['echo abc', '\x1b', 'x', 'x', 'u', 'u', '\r'], rc_extra=['set -o vi'])
case('kx-vi-utf8-recall-x', 'vi-mode', ['echo héllo 日本\r', '\x1b', 'k', '$x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-utf8-f-char', 'vi-mode', ['echo aéb', '\x1b', '0', 'fé', 'x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-multiline-recall-edit', 'vi-mode', ['for i in 1\r', 'do echo $i\r', 'done\r', '\x1b', 'k', '0wwwr2', '\r'], rc_extra=['set -o vi'])
case('kx-vi-underscore-last-arg', 'vi-mode', ['echo a b\r', 'echo ', '\x1b', '_', '\r'], rc_extra=['set -o vi'], note='vi command mode _ inserts the last argument and enters insert mode')
case('kx-vi-count-insert', 'vi-mode', ['echo ', '\x1b', '3ia', '\x1b', '\r'], rc_extra=['set -o vi'])
case('kx-vi-dot-after-A', 'vi-mode', ['echo a', '\x1b', 'A', 'b', '\x1b', '.', '\r'], rc_extra=['set -o vi'])
case('kx-vi-bar-column', 'vi-mode', ['echo abcdef', '\x1b', '7|', 'x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-percent', 'vi-mode', ['echo [ab]', '\x1b', '%', 'x', '\r'], rc_extra=['set -o vi'])
case('kx-vi-ctrl-v-insert', 'vi-mode', ["printf '%q\\n' 'a", '\x16\x01', "b'\r"], rc_extra=['set -o vi'])
case('kx-vi-k-j-back-to-typed', 'vi-mode', ['echo h1\r', 'echo typed', '\x1b', 'k', 'j', '\r'], rc_extra=['set -o vi'])
case('kx-vi-hash-comment', 'vi-mode', ['echo c', '\x1b', '#'], rc_extra=['set -o vi'])
case('kx-vi-X', 'vi-mode', ['echo abc', '\x1b', 'X', '\r'], rc_extra=['set -o vi'])
case('kx-vi-s', 'vi-mode', ['echo abc', '\x1b', '0w', 's', 'X', '\x1b', '\r'], rc_extra=['set -o vi'])
case('kx-vi-dE', 'vi-mode', ['echo foo.bar baz', '\x1b', '0w', 'dE', '\r'], rc_extra=['set -o vi'])
case('kx-vi-wide-cw', 'vi-mode', ['echo wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww tail', '\x1b', 'b', 'cw', 'end\r'], rc_extra=['set -o vi'])
case('kx-vi-paste-in-insert', 'vi-mode', ['echo ', '\x1b[200~pp1\x1b[201~', '\x1b', '0w', 'i', '[', '\r'], rc_extra=['set -o vi'])
case('kx-vi-insert-ctrl-r', 'vi-mode', ['echo vneedle\r', 'true\r', '\x12vnee', '\r'], rc_extra=['set -o vi'])
case('kx-vi-esc-ctrl-c-ps2', 'vi-mode', ['for i in 1; do\r', 'echo x', '\x1b', '0', '\x03', 'echo after\r'], rc_extra=['set -o vi'])
case('kx-wide-alt-b-across-wrap', 'wide-line', ['echo word00 word01 word02 word03 word04 word05 word06 word07 word08 word09 word10 word11 word12 word13', '\x1bb\x1bb\x1bb\x1bb\x1bb', 'X ', '\r'])
case('kx-wide-ctrl-w-across-wrap', 'wide-line', ['echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbb', '\x17', 'c\r'])
case('kx-wide-ctrl-u-then-short', 'wide-line', ['echo uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu', '\x15', 'echo short\r'])
case('kx-wide-cjk', 'wide-line', ['echo 字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字字', '\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D', 'x', '\r'])
case('kx-wide-hist-subst', 'wide-line', ['echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy\r', '!!:s/y/Z/\r'])
case('kx-wide-rsearch', 'wide-line', ['echo rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr rsneedle\r', 'true\r', '\x12rsneed', '\x05 z', '\r'])
case('kx-wide-exact-width', 'wide-line', ['echo eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', '\x1b[D', 'F', '\r'], note='prompt plus line fill 80 columns exactly')
case('kx-wide-continuation', 'wide-line', ['echo ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc \\\r', 'ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\r'])
case('kx-wide-kill-yank-across', 'wide-line', ['echo kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk mid end', '\x1bb\x1bb', '\x0b', '\x01\x1bf ', '\x19', '\r'])
case('kx-utf8-combining-backspace', 'utf8', ['echo aé', '\x7f', 'b\r'])
case('kx-utf8-combining-left-insert', 'utf8', ['echo éz', '\x1b[D', '\x1b[D', 'x', '\r'])
case('kx-utf8-emoji-left-insert', 'utf8', ['echo 🙂🙃', '\x1b[D', 'x', '\r'])
case('kx-utf8-cjk-ctrl-t', 'utf8', ['echo 日本', '\x14', '\r'])
case('kx-utf8-alt-u-accented', 'utf8', ['echo éte', '\x1bb\x1bu', '\r'])
case('kx-utf8-alt-d-mixed', 'utf8', ['echo ünï 日本 end', '\x1bb\x1bb', '\x1bd', '\r'])
case('kx-utf8-emoji-modifier-backspace', 'utf8', ['echo 👍🏽x', '\x7f', '\x7f', '\r'])
case('kx-utf8-hist-subst', 'utf8', ['echo naïve\r', '^ï^i\r'])
case('kx-utf8-alt-dot', 'utf8', ['echo 日本語 ✓\r', 'echo ', '\x1b.\x1b[D', 'é', '\r'])
case('kx-utf8-delete-key', 'utf8', ['echo ñññ', '\x01\x1bf\x1b[C\x1b[C', '\x1b[3~', '\r'])
case('kx-utf8-kill-yank-twice', 'utf8', ['echo ', 'ööö', '\x02\x02', '\x0b\x19\x19', '\r'])
case('kx-ctrl-c-ps2-case', 'ctrl-c', ['case x in\r', 'x) echo y;;\r', '\x03', 'echo after\r'])
case('kx-ctrl-c-ps2-function', 'ctrl-c', ['f() {\r', 'echo in\r', '\x03', 'echo after\r'])
case('kx-ctrl-c-ps2-backslash', 'ctrl-c', ['echo a \\\r', '\x03', 'echo b\r'])
case('kx-ctrl-c-ps2-pipe', 'ctrl-c', ['echo a |\r', '\x03', 'echo b\r'])
case('kx-ctrl-c-ps2-heredoc-dash', 'ctrl-c', ['cat <<-EOF\r', '\x16\tx\r', '\x03', 'echo after\r'])
case('kx-ctrl-c-after-bracketed-paste', 'ctrl-c', ['\x1b[200~echo p1\necho half\x1b[201~', '\x03', 'echo after\r'], note='a bracketed paste not yet accepted is dropped whole')
case('kx-ctrl-c-in-alt-p', 'ctrl-c', ['echo one\r', 'echo typed', '\x1bpon', '\x03', 'echo after\r'])
case('kx-ctrl-c-vi-slash', 'ctrl-c', ['echo one\r', '\x1b/on', '\x03', 'echo after\r'], rc_extra=['set -o vi'])
case('kx-ctrl-c-ps2-after-recall-edit', 'ctrl-c', ['echo zz\r', 'if true; then\r', '\x1b[A', '\x03', 'echo after\r'])
case('kx-ctrl-g-in-rsearch-at-ps2', 'ctrl-g', ['echo a1\r', 'for i in 1; do\r', '\x12a1', '\x07', 'echo $i; done\r'])
case('kx-ml-heredoc-dash-tabs', 'multi-line', ['cat <<-EOF\r', '\x16\t\x16\tindented\r', '\x16\tEOF\r'])
case('kx-ml-heredoc-double-quoted-delim', 'multi-line', ['cat <<"EOF"\r', '$HOME stays\r', 'EOF\r'])
case('kx-ml-heredoc-two', 'multi-line', ['cat <<A; cat <<B\r', 'a\r', 'A\r', 'b\r', 'B\r'])
case('kx-ml-heredoc-recalled-run', 'multi-line', ['cat <<E\r', 'r1\r', 'E\r', '\x1b[A', '\r'])
case('kx-ml-while-read-heredoc', 'multi-line', ['while read l; do echo "<$l>"; done <<E\r', 'x y\r', 'E\r'])
case('kx-ml-heredoc-herestring-mix', 'multi-line', ['cat <<E - <<<hs\r', 'hd\r', 'E\r'])
case('kx-ml-trailing-or', 'multi-line', ['false ||\r', 'echo or\r'])
case('kx-ml-function-then-recall-def', 'multi-line', ['greet() {\r', '  echo hi $1\r', '}\r', 'greet bob\r', '\x1b[A', '\x1b[A', '\r'])
case('kx-ml-case-multi-patterns', 'multi-line', ['case b in\r', 'a) echo A;;\r', 'b|c)\r', 'echo BC\r', ';;\r', 'esac\r'])
case('kx-ml-until', 'multi-line', ['n=0; until [ $n -ge 2 ]\r', 'do n=$((n+1))\r', 'done; echo $n\r'])
case('kx-ml-nested-quotes', 'multi-line', ['echo "a \'b\r', 'c\' d"\r'])
case('kx-ml-backtick-open', 'multi-line', ['echo `echo a\r', 'echo b`\r'])
case('kx-ml-arith-for', 'multi-line', ['for ((i=0;i<2;i++))\r', 'do echo $i\r', 'done\r'])
case('kx-ml-edit-at-ps2', 'multi-line', ['for i in 1 2; do\r', 'echo wrong', '\x17$i', '\x01  ', '\r', 'done\r'])
case('kx-ml-dbracket-open', 'multi-line', ['[[ a == a &&\r', 'b == b ]] && echo ok\r'])
case('kx-ml-comment-in-loop', 'multi-line', ['for i in 1; do\r', '# comment\r', 'echo $i\r', 'done\r'])
case('kx-ml-subshell-nested', 'multi-line', ['( echo a\r', '( echo b\r', ') )\r'])
case('kx-ml-brace-trailing-amp-amp', 'multi-line', ['{ true &&\r', 'echo x; }\r'])
case('kx-ml-dollar-single-open', 'multi-line', ["echo $'a\\tb\r", "c'\r"])
case('kx-ml-heredoc-tab-completion', 'multi-line', ['touch hdfile\r', 'cat <<E\r', 'hdf', '\t', '\r', 'E\r'], note='Tab completes a file name in a here-document body line')
case('kx-paste-heredoc-dash-tabs', 'paste', ['\x1b[200~cat <<-E\n\tx\n\tE\necho after\n\x1b[201~', '\r'])
case('kx-paste-ends-midline-typed', 'paste', ['\x1b[200~echo p1\necho par\x1b[201~', 'tial\r'])
case('kx-paste-incomplete-for', 'paste', ['\x1b[200~for i in 1 2\ndo echo $i\n\x1b[201~', '\r', 'done\r'])
case('kx-paste-unbracketed-heredoc', 'paste', ['cat <<E\nu1\nE\necho u2\n'])
case('kx-paste-unbracketed-midline', 'paste', ['echo a\necho b', 'c\r'])
case('kx-paste-at-ps2', 'paste', ['for i in 1 2; do\r', '\x1b[200~echo $i\ndone\n\x1b[201~', '\r'])
case('kx-paste-then-undo', 'paste', ['echo ', '\x1b[200~abc\x1b[201~', '\x1f', 'x\r'])
case('kx-paste-then-ctrl-w', 'paste', ['\x1b[200~echo one two\x1b[201~', '\x17', '\r'])
case('kx-paste-ten-lines', 'paste', ['\x1b[200~echo l0\necho l1\necho l2\necho l3\necho l4\necho l5\necho l6\necho l7\necho l8\necho l9\n\x1b[201~', '\r'])
case('kx-paste-utf8-lines', 'paste', ['\x1b[200~echo 日本\necho é✓\n\x1b[201~', '\r'])
case('kx-paste-function-then-call', 'paste', ['\x1b[200~pf() {\n  echo pf $1\n}\npf arg\n\x1b[201~', '\r'])
case('kx-paste-open-quote-typed', 'paste', ["\x1b[200~echo 'a\nb\x1b[201~", "c'\r"])
case('kx-paste-quoted-heredoc', 'paste', ["\x1b[200~cat <<'Q'\n$x !!\nQ\n\x1b[201~", '\r'])
case('kx-paste-unbracketed-open-if', 'paste', ['if true\nthen echo t\n', 'fi\r'])
case('kx-paste-then-up', 'paste', ['\x1b[200~echo a1\necho a2\n\x1b[201~', '\r', '\x1b[A', '\x1b[A', '\r'])
case('kx-typeahead-multiline', 'type-ahead', ['sleep 0.5\r', 'for i in 1 2\rdo echo $i\rdone\r'], waits=[0.05, 'settle'])
case('kx-typeahead-heredoc', 'type-ahead', ['sleep 0.5\r', 'cat <<E\rta\rE\r'], waits=[0.05, 'settle'])
case('kx-typeahead-bang', 'type-ahead', ['echo one\r', 'sleep 0.5\r', 'echo !-2\r'], waits=['settle', 0.05, 'settle'])
case('kx-typeahead-ctrl-w-tty', 'type-ahead', ['sleep 0.5\r', 'echo abc def\x17ghi\r'], waits=[0.05, 'settle'])
case('kx-typeahead-tab', 'type-ahead', ['touch tafile\r', 'sleep 0.5\r', 'ls taf\t\r'], waits=['settle', 0.05, 'settle'])
case('kx-typeahead-readline-keys', 'type-ahead', ['sleep 0.5\r', 'cho x\x01e\r'], waits=[0.05, 'settle'])
case('kx-typeahead-then-typed', 'type-ahead', ['sleep 0.5\r', 'echo ty', 'ped\r'], waits=[0.05, 'settle', 'settle'])
case('kx-ignoreeof-ctrl-d', 'ctrl-d', ['echo one\r', '\x04', 'echo two\r', 'set +o ignoreeof\r'], rc_extra=['set -o ignoreeof'], note="the last line turns ignoreeof off so that the harness's closing Ctrl-D ends the shell")
case('kx-ignoreeof-count', 'ctrl-d', ['echo one\r', '\x04', '\x04', 'echo two\r', 'unset IGNOREEOF\r'], rc_extra=['IGNOREEOF=5'], note="the last line lets the harness's closing Ctrl-D end the shell")
case('kx-ctrl-d-deletes-char', 'ctrl-d', ['echo abXc', '\x1b[D\x1b[D', '\x04', '\r', '\x04', 'set +o ignoreeof\r'], rc_extra=['set -o ignoreeof'])
case('kx-ignoreeof-ctrl-d-vi', 'ctrl-d', ['echo v\r', '\x04', 'echo w\r', '\x1bk', '\x04', '\x03', 'set +o ignoreeof\r'], rc_extra=['set -o vi', 'set -o ignoreeof'], note='vi command mode: Ctrl-D on a recalled line; then Ctrl-C and a line that turns ignoreeof off')
case('kx-ctrl-z-sleep-fg', 'job-control', ['sleep 1\r', '\x1a', 'fg\r', 'echo after\r'], waits=[0.3, 'settle', 'settle', 'settle'])
case('kx-ctrl-z-jobs-kill', 'job-control', ['sleep 5\r', '\x1a', 'jobs\r', 'kill %1\r', 'echo after\r'], waits=[0.3, 'settle', 'settle', 'settle', 'settle'])
case('kx-ctrl-z-bg-wait', 'job-control', ['sleep 1\r', '\x1a', 'bg\r', 'wait\r', 'echo done\r'], waits=[0.3, 'settle', 'settle', 'settle', 'settle'])
case('kx-vi-recall-heredoc-insert', 'vi-mode', ['cat <<E\r', 'vb\r', 'E\r', '\x1b', 'k', '0iecho pre; ', '\r'], rc_extra=['set -o vi'])
case('kx-caret-on-multiline-entry', 'history-expansion', ['for i in a b\r', 'do echo $i\r', 'done\r', '^a^x\r'], note='^old^new on a lithist entry with newlines')
case('kx-caret-delete', 'history-expansion', ['echo abc\r', '^b\r'], note='^old with no replacement deletes')
case('kx-mod-s-empty-replacement', 'history-expansion', ['echo a-b-c\r', '!!:gs/-//\r'])
case('kx-tab-ambiguous-escaped-space', 'tab-completion', ["touch 'sp a1' 'sp a2'\r", 'ls sp', '\t', '2', '\t', '\r'])
case('kx-tab-then-undo', 'tab-completion', ['touch undofile\r', 'ls und', '\t', '\x1f', 'x\r'])
case('kx-rsearch-empty-repeats-last', 'reverse-search', ['echo ab1\r', 'echo ab2\r', '\x12ab', '\r', 'true\r', '\x12\x12', '\r'], note='Ctrl-R Ctrl-R with an empty string searches for the last string again')
case('kx-ctrl-c-ps2-after-paste', 'ctrl-c', ['for i in 1 2; do\r', '\x1b[200~echo $i\necho hal\x1b[201~', '\x03', 'echo after\r'])
case('kx-vi-ctrl-c-in-heredoc', 'vi-mode', ['cat <<E\r', 'line', '\x1b', '0', '\x03', 'echo after\r'], rc_extra=['set -o vi'])
case('kx-alias-trailing-space-recall', 'alias', ['pre tgt\r', '\x1b[A', ' more', '\r', '!!:0 x\r'], rc_extra=["alias pre='echo '", "alias tgt='T'"])
case('kx-wide-utf8-ctrl-w', 'wide-line', ['echo éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé 日本日本日本日本日本日本日本日本', '\x17', 'ok\r'])
case('kx-paste-bang-hash-mix', 'paste', ['echo seed\r', '\x1b[200~echo a !#\necho !$\n\x1b[201~', '\r'])
case('kx-ctrl-g-at-ps2-keeps-line', 'ctrl-g', ['if true\r', 'then echo g', '\x07', '; fi\r'], note='Ctrl-G on a line being typed at PS2 does not discard it')
case('kx-tab-tilde-slash-dir', 'tab-completion', ['mkdir ~/hdir && touch ~/hdir/f1\r', 'ls ~/hd', '\t', '\t', '\r'])
