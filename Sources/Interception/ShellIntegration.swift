/// The bash integration the bastion installs in an interactive session, agentlessly, over the
/// SSH connection it already holds to the target.
///
/// Two channels on the target session: a *helper* channel runs ``prepareCommand``, which makes a
/// private directory with two FIFOs (`v` for the verdicts; `w`, which nothing writes, for the
/// shell's short sleep after a command) and the rc file (read from the channel), opens `v` (so
/// the shell may remove the directory at once), prints `BASTION-READY <dir>`, and then feeds `v`
/// with whatever the bastion writes to the channel (the verdicts), removing the directory (if
/// the shell has not) when the channel closes. The *shell* channel
/// runs ``launchCommand(directory:)``: `bash --rcfile <dir>/rc -i`. The rc first reads what a
/// login shell reads (`/etc/profile`, then the first of `~/.bash_profile`, `~/.bash_login`,
/// `~/.profile`), then binds every key that accepts a line to a macro that first hands
/// `READLINE_LINE` to the bastion in a private OSC marker and blocks on the FIFO for the
/// verdict. Verdicts come through the FIFO, not the terminal, so type-ahead waiting in the
/// terminal is never mistaken for a verdict.
///
/// Markers (`ESC ] 6973 ; TOKEN ; KIND ; … BEL`) are stripped from the output before the client
/// and the recording see it; see ``IntegrationMarker``.
public struct ShellIntegration: Sendable, Equatable {
    /// The OSC number of every marker.
    public static let oscCode = "6973"
    /// The line the helper channel prints once the directory is ready.
    public static let readyPrefix = "BASTION-READY "

    /// Random per session: names the markers.
    public let token: String
    /// Whether the rc reads the login startup files (`/etc/profile`, then the first of
    /// `~/.bash_profile`, `~/.bash_login`, `~/.profile`) before it starts the integration. Without
    /// them the rc runs no file of the person's. (Bash itself reads its system-wide rc,
    /// `/etc/bash.bashrc` on Debian, before any `--rcfile`; and what sshd runs before the
    /// command, `~/.ssh/rc` and, with Debian's bash as the login shell, `~/.bashrc`, is out of
    /// the rc's reach.)
    public let readsStartupFiles: Bool

    /// An integration with a fresh random token.
    public init(readsStartupFiles: Bool = true) {
        var generator = SystemRandomNumberGenerator()
        token = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
        self.readsStartupFiles = readsStartupFiles
    }

    /// An integration with a given token (tests).
    public init(token: String, readsStartupFiles: Bool = true) {
        self.token = token
        self.readsStartupFiles = readsStartupFiles
    }

    /// The helper channel's command (run by the target user's login shell). It reads the rc
    /// (``rcInput``) from its standard input first: on the command line, which every user of
    /// the target can read in the process list, it would show the session's marker token.
    public var prepareCommand: String {
        let script = """
            umask 077
            d=$(mktemp -d "${TMPDIR:-/tmp}/bastion.XXXXXXXX") || exit 1
            mkfifo "$d/v" "$d/w" || { rm -rf "$d"; exit 1; }
            head -c \(rcInput.count) > "$d/rc" && [ "$(wc -c < "$d/rc")" -eq \(rcInput.count) ] || { rm -rf "$d"; exit 1; }
            exec 3<>"$d/v"
            printf '\(Self.readyPrefix)%s\\n' "$d"
            cat >&3
            rm -rf -- "$d"
            """
        return "exec sh -c " + Self.singleQuoted(script)
    }

    /// The shell channel's command, once the helper printed `directory`. Falls back to the
    /// login shell (which the bastion then reads as unverified) where bash is missing.
    public func launchCommand(directory: String) -> String {
        let rc = Self.singleQuoted(directory + "/rc")
        let script = "command -v bash >/dev/null 2>&1 && exec bash --rcfile \(rc) -i; exec \"${SHELL:-/bin/sh}\" -l"
        return "exec sh -c " + Self.singleQuoted(script)
    }

    /// What the helper channel is sent first: the rc file's bytes.
    public var rcInput: [UInt8] { Array((rcScript + "\n").utf8) }

    /// Whether a directory printed by the helper is safe to put in a command.
    public static func isPlausibleDirectory(_ path: String) -> Bool {
        path.hasPrefix("/") && path.count < 1024
            && path.utf8.allSatisfy { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
                || $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// `text` as one single-quoted shell word.
    static func singleQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The rc file. It removes its directory once the FIFOs are open; should the shell never
    /// get that far (the client gone at once), the helper removes it as its channel closes.
    var rcScript: String {
        let osc = "\\e]\(Self.oscCode);\(token)"
        return #"""
        # bastion: the shell integration of one session (it removes itself). Every accepted line
        # is shown to the bastion before bash runs it.
        __bastion_dir=${BASH_SOURCE[0]%/*}
        # (s: a file, unlinked with the directory, where the shell reads its own state at each
        # prompt without a fork; see __bastion_state.)
        exec {__bastion_vfd}<>"$__bastion_dir/v" {__bastion_wfd}<>"$__bastion_dir/w" {__bastion_sfd}<>"$__bastion_dir/s"
        rm -rf -- "$__bastion_dir"
        unset __bastion_dir
        __bastion_sfile=/proc/self/fd/$__bastion_sfd
        readonly __bastion_vfd __bastion_wfd __bastion_sfd __bastion_sfile
        # Everything the integration runs is defined here, before the startup files, and made
        # read-only: their aliases do not reach into its functions (bash expands aliases as it
        # reads a definition) and they cannot redefine one. Call sites outside a function
        # (PROMPT_COMMAND, PS0, PS2, the key bindings) quote the name, which an alias cannot take.
        # Every variable is named __bastion_…, locals too: a line typed at the prompt that names
        # one is tampering, so no read-only or other attribute of the person's can make a
        # statement of the check fail.
        # (Locals are declared apart from their values throughout: with `set -k` a `NAME=value`
        # word on a `local` line would go to the environment of `local` instead.)
        # Doubles the backslashes of __bastion_out. With BASH_COMPAT 4.2 or lower and 5.2's
        # patsub_replacement, a replacement's backslashes are quoting: the result is checked by
        # its length and made again with patsub_replacement off; should that fail too, the
        # bastion is told the shell cannot be followed.
        __bastion_dbl() {
          local __bastion_bs __bastion_doubled
          __bastion_bs=${__bastion_out//[!\\]/} __bastion_doubled=${__bastion_out//\\/\\\\}
          if (( ${#__bastion_doubled} != ${#__bastion_out} + ${#__bastion_bs} )); then
            shopt -u patsub_replacement 2>/dev/null
            __bastion_doubled=${__bastion_out//\\/\\\\}
            shopt -s patsub_replacement 2>/dev/null
            (( ${#__bastion_doubled} == ${#__bastion_out} + ${#__bastion_bs} )) || printf '\#(osc);U;backslashes cannot be escaped in this shell\a' >&"$__bastion_tty"
          fi
          __bastion_out=$__bastion_doubled
        }
        # (Each character is looked for before it is replaced: a test costs less than a replacement
        # that finds nothing.)
        __bastion_esc() {
          local __bastion_text
          __bastion_text=$1
          if [[ $__bastion_text == *[$'\\\e\a\n\r']* ]]; then
            [[ $__bastion_text == *\\* ]] && { __bastion_out=$__bastion_text; __bastion_dbl; __bastion_text=$__bastion_out; }
            [[ $__bastion_text == *$'\e'* ]] && __bastion_text=${__bastion_text//$'\e'/\\e}
            [[ $__bastion_text == *$'\a'* ]] && __bastion_text=${__bastion_text//$'\a'/\\a}
            [[ $__bastion_text == *$'\n'* ]] && __bastion_text=${__bastion_text//$'\n'/\\n}
            [[ $__bastion_text == *$'\r'* ]] && __bastion_text=${__bastion_text//$'\r'/\\r}
          fi
          __bastion_out=$__bastion_text
        }
        # Reports the aliases when they changed (before each prompt, so the bastion knows them
        # when the next line is typed, and at each check); succeeds only when they had changed.
        # Every reference to BASH_ALIASES rebuilds it from the alias table, so the names and the
        # quoted values (two references) tell first whether anything changed: names hold no
        # blanks, quoted values delimit themselves, and both come in the table's one order.
        __bastion_report_aliases() {
          local IFS __bastion_table __bastion_name __bastion_seen
          IFS=" " __bastion_table= __bastion_seen="${!BASH_ALIASES[*]} ${BASH_ALIASES[*]@Q}"
          [ "$__bastion_seen" != "$__bastion_aliases_seen" ] || return 1
          __bastion_aliases_seen=$__bastion_seen
          for __bastion_name in "${!BASH_ALIASES[@]}"; do __bastion_table+="$__bastion_name=${BASH_ALIASES[$__bastion_name]}"$'\x1f'; done
          __bastion_esc "$__bastion_table"
          printf '\#(osc);A;%s\a' "$__bastion_out" >&"$__bastion_tty"
        }
        # Tokens: 96 random bits. From SRANDOM while it is bash's own: unset, it is a plain
        # variable whose value does not change from one expansion to the next, which a person
        # could set (`unset SRANDOM; SRANDOM=5`) to know the next token, or a name reference to
        # one that changes predictably (`declare -n SRANDOM=RANDOM`, then `RANDOM=7`). Then, and
        # in bash < 5.1 (no SRANDOM; $RANDOM is predictable), from /dev/urandom, through the
        # system's own od (`command -p`: not one a PATH of the person's finds).
        __bastion_token() {
          __bastion_out=${SRANDOM-}
          if [[ ! -R SRANDOM && $__bastion_out && $__bastion_out != "${SRANDOM-}" ]]; then __bastion_out+=$SRANDOM$SRANDOM; return; fi
          __bastion_out=$(command -p od -An -tx1 -N12 /dev/urandom); __bastion_out=${__bastion_out//[$' \n']/}
        }
        # After a buffer that expanded history, at the next prompt (or the next check, when bash
        # went back to reading without one): the newest entry, which may be one that never
        # started (`!!:p` prints its expansion; an expansion bash cannot parse runs nothing).
        # (`history 1` is read with a mark after it: an entry's own last newline, as a
        # here-document's, would go with the ones a command substitution strips.)
        __bastion_kept() {
          local __bastion_entry
          __bastion_entry=$(HISTTIMEFORMAT= history 1; printf x); __bastion_entry=${__bastion_entry%$'\n'x}
          if [[ $__bastion_entry =~ ^\ *([0-9]+)\*?\ \ (.*)$ ]]; then
            __bastion_esc "${BASH_REMATCH[2]}"
            printf '\#(osc);Y;%s;%s;%s\a' "$__bastion_hnum" "${BASH_REMATCH[1]}" "$__bastion_out" >&"$__bastion_tty"
          fi
        }
        # Stops the command bash is about to run, as a typed Ctrl-C would (called from PS0 and
        # PS2, in a command substitution, whose `trap -p` still shows the shell's own traps). An
        # interrupt the person traps or ignores would not stop it: then the shell itself is
        # ended, and the bastion told first.
        __bastion_halt() {
          __bastion_out=$(trap -p INT)
          if __bastion_any_trap; then printf '\#(osc);K\a' >&"$__bastion_tty"; kill -KILL "$$"; fi
          kill -INT "$$"
        }
        # Whether the listing of traps in __bastion_out (`trap -p`) sets any. In POSIX mode it also
        # lists each signal left as it was, as `trap -- - NAME`, which sets nothing: those lines are
        # left out (a trap's own listing starts `trap -- '`, so no trap is taken for one).
        __bastion_any_trap() {
          local __bastion_line __bastion_set
          [[ $__bastion_out == *"trap -- - "* ]] || { [[ $__bastion_out ]]; return; }
          __bastion_set=
          while IFS= read -r __bastion_line; do
            [[ ! $__bastion_line || $__bastion_line == "trap -- - "* ]] || __bastion_set+=$__bastion_line$'\n'
          done <<<"$__bastion_out"
          __bastion_out=$__bastion_set
          [[ $__bastion_out ]]
        }
        # The check runs at every Enter between the key and the command. It fails closed: the
        # buffer is taken out of readline first (into the positional parameters, which nothing
        # can make read-only) and the PS0 gate armed; only an answer that lets the line run puts
        # the buffer back and disarms the gate. A statement that fails on the way leaves readline
        # nothing to run.
        # Each statement here costs the Enter microseconds (bash runs it cold, and copies a
        # function's whole body at each call), so the usual case is short: where the prompt
        # announced an id and token it also found (__bastion_fast, the marker's flags after a `;`)
        # that no trap or trace acts, that the aliases are those it reported, that PS0's
        # substitutions are on and history's characters bash's own, and that backslashes double
        # as they should; no code of the person's can run between that prompt
        # and this key to change any of it. Then only the line is escaped (one with an escape, a
        # bell or a line break goes the long way) and asked about, and an early answer, the
        # usual one, taken here. Every other line goes the long way, which works all of that out
        # here: the traps (listed in the check itself: a function it calls would show its own),
        # then __bastion_ask. Every other answer is __bastion_await's.
        __bastion_check() {
          set -- "$READLINE_LINE"
          READLINE_LINE= __bastion_rv=1
          [[ $__bastion_unseen ]] || __bastion_u=0
          # Keys that reach readline from elsewhere than the session's terminal (`exec <FILE`, a
          # pipe, another terminal) never passed the bastion: their line is dropped unrun, and
          # the bastion told that it can no longer follow the shell. (The gate stays armed: a
          # line accepted next without a check is stopped.)
          [[ /dev/stdin -ef /dev/fd/$__bastion_in || /dev/stdin -ef /dev/fd/$__bastion_tty ]] || { __bastion_foreign; return; }
          local __bastion_id __bastion_answer __bastion_early
          if [[ $__bastion_fast && $1 != *[$'\e\a\n\r']* ]]; then
            __bastion_id=$__bastion_next __bastion_early=1 __bastion_out=$1
            [[ $1 != *\\* ]] || __bastion_out=${1//\\/\\\\}
            printf '\#(osc);C;%s%s;%s\a' "$__bastion_id" "$__bastion_fast" "$__bastion_out" >&"$__bastion_tty"
            __bastion_fast= __bastion_next= __bastion_x= __bastion_y= __bastion_i=1000000 __bastion_n=$__bastion_fn
            # (The early answer's frame, if it comes first, tells the length this line's has.)
            IFS= read -r -u "$__bastion_vfd" __bastion_answer || __bastion_answer=
            if [[ $__bastion_answer == "P$((${#__bastion_id} + ${#__bastion_out} + 2))" ]]; then
              IFS= read -r -N "$((${#__bastion_id} + ${#__bastion_out} + 3))" -u "$__bastion_vfd" __bastion_answer || __bastion_answer=
              if [ "$__bastion_answer" = "$__bastion_id P$__bastion_out"$'\n' ]; then READLINE_LINE=$1 __bastion_u=1; return; fi
              __bastion_answer=
            fi
            # (Any other answer is read as the long way's are, with no function limit of the
            # person's and bash's own word splitting.)
            local IFS FUNCNEST
          else
            # (FUNCNEST local and unset: a limit of the person's would stop the functions it
            # calls. The shell's options local, and xtrace off: a trace would show the tokens, to
            # PS4's code or a reader of BASH_XTRACEFD, before the bastion's answer; errtrace and
            # functrace off: the functions it calls would take on an ERR, DEBUG or RETURN trap,
            # whose action could read them. One that acts in the check itself is found below.)
            local IFS FUNCNEST
            # (Only where one of them is on: `local -` and `set` are among the costlier statements.)
            [[ $- != *[xET]* ]] || { local -; set +xET; }
            # Turning functrace and errtrace off does not stop a DEBUG, RETURN or ERR trap that
            # acts in here (one was on when bash called the check, or the check was given the
            # trace attribute): its action would see the token and could answer for the bastion,
            # or change the line after the answer. Where the prompt found the shell's state calm
            # (it announced a token) there is no trap; otherwise the traps that act in here are
            # listed. With any, the line is dropped unrun and the bastion told that it can no
            # longer follow the shell (it reads lines from the screen, or ends the session); from
            # then on the check steps aside, as in a shell with no integration, and asks nothing.
            # (Once traps were found no token is announced again: the prompt's state lists them.)
            # A subshell's readline (`(read -e x)`, `$(read -e …)`, while a command runs): what
            # is typed there is a program's input, as in any program that reads the terminal
            # (recorded, not decided), and the subshell's count of checks is not the shell's:
            # it asks nothing. (Changing BASHPID is tampering, and a shell whose BASHPID is not
            # its own process is not integrated.)
            if [[ $BASHPID != "$$" ]]; then READLINE_LINE=$1 __bastion_u=1; return; fi
            if [[ ! $__bastion_next ]]; then
              if [[ $__bastion_traps ]]; then READLINE_LINE=$1 __bastion_u=1; return; fi
              if [[ $__bastion_filed ]]; then trap -p DEBUG RETURN ERR 2>/dev/null >|"$__bastion_sfile" || :; else __bastion_out=$(trap -p DEBUG RETURN ERR 2>/dev/null); fi
              if __bastion_trapped "$1"; then READLINE_POINT=0; return; fi
            fi
            __bastion_ask "$1"
            __bastion_answer=
          fi
          __bastion_await "$1"
        }
        # Tells the bastion that the check found readline reading another input than the
        # terminal the shell started on.
        __bastion_foreign() {
          printf '\#(osc);U;%s\a' "its input was redirected away from the session's terminal; a line read there was not run" >&"$__bastion_tty"
        }
        # Whether the shell's character set (LC_ALL, LC_CTYPE, LANG) is one whose characters
        # the bastion reads as bash does: C, UTF-8, or one byte a character (ISO 8859, KOI8,
        # Windows' 125x) or EUC, whose bytes after the first are never ASCII. Another, or a
        # locale named without its character set, may not be.
        __bastion_readable_charset() {
          [[ ${LC_ALL:-${LC_CTYPE:-${LANG-}}} == @(|C|POSIX|C.*|*.[Uu][Tt][Ff]?(-)8*|*.[Ii][Ss][Oo]?(-)8859*|*.[Kk][Oo][Ii]8*|*.[Cc][Pp]125?|*.[Ee][Uu][Cc]*) ]]
        }
        # The long way's question about the buffer $1, for __bastion_check (whose locals
        # __bastion_id and __bastion_early it sets): its id and token, the flags and the aliases
        # as they now are, and the line escaped, in a marker.
        __bastion_ask() {
          local __bastion_flags
          # PS0 and PS2 stop refused commands only when bash expands their substitutions.
          shopt -s promptvars
          __bastion_id=$__bastion_next __bastion_flags= __bastion_early=1 IFS=" "
          # The first line at a prompt uses the id and token announced with the prompt: the
          # bastion may have answered already, from the keys it saw (`P`: valid for this very
          # line only). Continuation lines get fresh ones.
          if [[ ! $__bastion_id ]]; then __bastion_token; __bastion_id=${SRANDOM:-$RANDOM$RANDOM}:$__bastion_out; fi
          if [[ $__bastion_x ]]; then __bastion_kept; fi
          __bastion_fast= __bastion_next= __bastion_x= __bastion_y= __bastion_i=1000000
          if [[ -o histexpand ]]; then
            __bastion_flags=H
            # Other history characters (histchars) are told, by their codes, and void an early
            # answer (decided with the characters the bastion knew before this line).
            [[ ${histchars-!^#} == '!^#' ]] || { printf -v __bastion_flags 'H%d,%d,%d' "'${histchars:0:1}" "'${histchars:1:1}" "'${histchars:2:1}"; __bastion_early=; }
          fi
          # A character set in which a byte of an ASCII character can end another character
          # (Big5, GBK, Shift JIS: `\` and `"` inside them) splits the line otherwise than the
          # bastion reads it: told (`m`, after any `c`), and no early answer counts.
          __bastion_readable_charset || { __bastion_flags=m$__bastion_flags; __bastion_early=; }
          # With interactive_comments off a `#` starts no comment: told (`c`), and no early
          # answer counts (one would have been decided with comments).
          [[ :$BASHOPTS: == *:interactive_comments:* ]] || { __bastion_flags=c$__bastion_flags; __bastion_early=; }
          # The check's number in the session (`n`, counted here, close to the marker): a check a
          # program printed (the token stands in PS1) makes the bastion's count run ahead of bash's.
          __bastion_flags=n$((__bastion_n += 1))$__bastion_flags
          # Bash reads this line into a command begun at an earlier prompt (PS2 was shown since
          # the last primary prompt): told (`2`, first). The bastion holds its own reading to
          # this, so a marker printed by a program that began or ended a command is found.
          [[ ! $__bastion_cont ]] || __bastion_flags=2$__bastion_flags
          # Aliases that changed since the prompt void an early answer (it used the old ones).
          [ "${!BASH_ALIASES[*]} ${BASH_ALIASES[*]@Q}" = "$__bastion_aliases_seen" ] || { __bastion_report_aliases; __bastion_early=; }
          # (Backslashes alone, the usual case of a line that needs escaping, are doubled here.)
          __bastion_out=$1
          if [[ $1 == *[$'\e\a\n\r']* ]]; then __bastion_esc "$1"; elif [[ $1 == *\\* ]]; then __bastion_dbl; fi
          printf '\#(osc);C;%s;%s;%s\a' "$__bastion_id" "$__bastion_flags" "$__bastion_out" >&"$__bastion_tty"
        }
        # Reads the bastion's answer to the check's question (its first line may be waiting in
        # __bastion_answer) and acts on it, for __bastion_check (whose buffer is $1). An answer
        # that lets the line run carries the token, which only the bastion learnt (through the
        # terminal): a program reading this descriptor cannot forge one. Refusals carry the id
        # alone.
        __bastion_await() {
          while :; do
            [[ $__bastion_answer ]] || IFS= read -r -u "$__bastion_vfd" __bastion_answer || { __bastion_answer=; break; }
            case $__bastion_answer in
              # An early answer is framed: `P<length>`, then `ID:TOKEN P<line>` and a newline, read
              # whole (a line is read a byte at a time; the digits make the arithmetic safe). It
              # counts only for this check, this very buffer, and unchanged aliases.
              # (Compared by `[`: `case` and `[[` follow nocasematch.)
              P[0-9]|P[0-9][0-9]|P[0-9][0-9][0-9]|P[0-9][0-9][0-9][0-9]|P[0-9][0-9][0-9][0-9][0-9])
                IFS= read -r -N "$((10#${__bastion_answer#?} + 1))" -u "$__bastion_vfd" __bastion_answer || { __bastion_answer=; break; }
                [[ $__bastion_early ]] && [ "$__bastion_answer" = "$__bastion_id P$__bastion_out"$'\n' ] && { __bastion_answer=A; break; } ;;
              "$__bastion_id "*) __bastion_answer=${__bastion_answer#"$__bastion_id "}; break ;;
              "${__bastion_id%%:*} "*) __bastion_answer=${__bastion_answer#* }
                [[ $__bastion_answer == [EF]* || $__bastion_answer == [CZ] || $__bastion_answer =~ ^H#+$ ]] || __bastion_answer=D; break ;;
            esac
            __bastion_answer=
          done
          if [[ $__bastion_answer == A ]]; then READLINE_LINE=$1 __bastion_u=1; return; fi
          __bastion_verdict "$1"
        }
        # Whether the check listed traps that act in it (in the state file, or __bastion_out where
        # there is none); if so, tells the bastion the buffer $1 it drops unrun (for the record)
        # and that it can no longer follow the shell, and turns the check's questions off.
        __bastion_trapped() {
          if [[ $__bastion_filed ]]; then __bastion_out=; IFS= read -r -d '' __bastion_out 2>/dev/null <"$__bastion_sfile" || :; fi
          __bastion_any_trap || return 1
          __bastion_traps=1 __bastion_unseen=1 __bastion_u=1
          __bastion_esc "$1"
          printf '\#(osc);T;%s\a' "$__bastion_out" >&"$__bastion_tty"
          printf '\#(osc);U;a DEBUG, RETURN or ERR trap acts in the check, where functrace, errtrace or the trace attribute lets it; the line was not run\a' >&"$__bastion_tty"
        }
        # The answers other than a plain allow (A), for the check whose buffer is $1 (its locals
        # are this function's too).
        __bastion_verdict() {
          case $__bastion_answer in
            # Allowed, with a command the bastion reads as unfinished at its end: the buffer's
            # first N commands may start; should bash start another before the next check, PS0
            # stops it.
            # (A `y` after the count: the unfinished command may expand history; should a prompt
            # follow without another check, Ctrl-C having dropped it, that prompt shows the
            # bastion the entry bash kept of it, expanded.)
            I*) [[ $__bastion_answer == *y ]] && __bastion_y=1
                READLINE_LINE=$1 __bastion_u=1 __bastion_i=${__bastion_answer//[!0-9]/}; return ;;
            # The same, where the unfinished command starts in this buffer: first the newest history
            # number (before bash adds the buffer's lines), told only while the shell's state lets
            # no code of the person's run as bash reads the rest (a trap, bind -x key or completion
            # function could add entries). Should a later line of the command expand history, the
            # bastion knows from it whether the entry that starts is this command's.
            J*) local __bastion_first
                __bastion_first=
                if [[ $__bastion_early_ok ]]; then
                  trap -p 2>/dev/null >|"$__bastion_sfile" || :; __bastion_state
                  if [ "$__bastion_out" = "$__bastion_calm_state" ]; then
                    HISTTIMEFORMAT= history 1 2>/dev/null >|"$__bastion_sfile" || :
                    IFS= read -r -d '' __bastion_out 2>/dev/null <"$__bastion_sfile" || :
                    [[ $__bastion_out =~ ^\ *([0-9]+) ]] && __bastion_first=${BASH_REMATCH[1]}
                  fi
                fi
                # (s: HISTCONTROL leaves out lines that start with a space.)
                __bastion_ignores_space && __bastion_first+=';s'
                printf '\#(osc);H;%s\a' "$__bastion_first" >&"$__bastion_tty"
                [[ $__bastion_answer == *y ]] && __bastion_y=1
                READLINE_LINE=$1 __bastion_u=1 __bastion_i=${__bastion_answer//[!0-9]/}; return ;;
            X) __bastion_x=${__bastion_id%%:*} __bastion_hnum=$(HISTTIMEFORMAT= history 1)
               [[ $__bastion_hnum =~ ^\ *([0-9]+) ]] && __bastion_hnum=${BASH_REMATCH[1]} || __bastion_hnum=
               READLINE_LINE=$1 __bastion_u=1
               return ;;
            C) READLINE_LINE='\'; __bastion_cancel='\' ;;
            # The command bash reads on is one the bastion does not know (where its lines stand, a
            # here-document's body or after a backslash, is unknown): interrupted at once, as a
            # typed Ctrl-C would.
            Z) READLINE_LINE=; __bastion_halt ;;
            # (In a here-document's body, where a backslash would join the next line unprompted.)
            H*) READLINE_LINE=${__bastion_answer#H}; __bastion_cancel=$'\n'$READLINE_LINE ;;
            # A line bash could not parse either: history keeps it, as bash's own would.
            E*) printf -v __bastion_keep '%b' "${__bastion_answer#E}"; READLINE_LINE= ;;
            F*) printf -v __bastion_keep '%b' "${__bastion_answer#F}"; READLINE_LINE='\'; __bastion_cancel='\' ;;
            # The buffer's first lines run; after a bell, a later command bash could not parse
            # either, which history keeps after theirs.
            R*) __bastion_answer=${__bastion_answer#R}
                [[ $__bastion_answer != *$'\a'* ]] || printf -v __bastion_keep '%b' "${__bastion_answer#*$'\a'}"
                printf -v READLINE_LINE '%b' "${__bastion_answer%%$'\a'*}"; __bastion_u=1 ;;
            *) READLINE_LINE= ;;
          esac
          READLINE_POINT=${#READLINE_LINE}
        }
        # Each command of a buffer answered X shows its expanded text as it starts: the newest
        # history entry, with its number (the bastion tells from the numbers whether the entry
        # is this command's), and the newest number when the buffer was checked.
        __bastion_expanded() {
          local - __bastion_entry __bastion_number __bastion_answer __bastion_nonce __bastion_secret __bastion_why
          set +xET
          __bastion_nonce=$__bastion_x
          __bastion_token; __bastion_secret=$__bastion_out
          __bastion_entry=$(HISTTIMEFORMAT= history 1; printf x); __bastion_entry=${__bastion_entry%$'\n'x}
          [[ $__bastion_entry =~ ^\ *([0-9]+)\*?\ \ (.*)$ ]] && __bastion_number=${BASH_REMATCH[1]} __bastion_entry=${BASH_REMATCH[2]}
          # Why history may not have added the command: o history off, i HISTIGNORE set, s leading
          # blanks ignored (otherwise only a duplicate is left out).
          __bastion_why=
          [[ -o history ]] || __bastion_why+=o
          [[ ${HISTIGNORE-} ]] && __bastion_why+=i
          __bastion_ignores_space && __bastion_why+=s
          # c: cmdhist off (each line of a multi-line command an entry of its own); l: lithist off.
          shopt -q cmdhist || __bastion_why+=c
          shopt -q lithist || __bastion_why+=l
          __bastion_esc "$__bastion_entry"
          printf '\#(osc);X;%s:%s;%s;%s;%s;%s;%s\a' "$__bastion_nonce" "$__bastion_secret" "$__bastion_hnum" "$__bastion_number" "$1" "$__bastion_why" "$__bastion_out" >&"$__bastion_tty"
          while IFS= read -r -u "$__bastion_vfd" __bastion_answer; do
            [[ $__bastion_answer == "$__bastion_nonce:$__bastion_secret "* || $__bastion_answer == "$__bastion_nonce "* ]] && break
            __bastion_answer=
          done
          [[ $__bastion_answer == "$__bastion_nonce:$__bastion_secret A" ]] || __bastion_halt
        }
        # A command that starts while the bastion reads its buffer as unfinished (answer I) is
        # stopped unrun, and the bastion told.
        __bastion_stop() { printf '\#(osc);%s\a' "$1" >&"$__bastion_tty"; __bastion_halt; }
        __bastion_prompt() {
          __bastion_status=$?
          local __bastion_saved __bastion_entry FUNCNEST
          __bastion_saved=$__bastion_status
          # First let what the command printed go: Linux hands terminal output to its reader
          # (sshd) from a kernel worker that waits for this CPU, so while bash works on the prompt
          # the output would wait too. A read that times out on a FIFO nothing writes is how bash
          # sleeps for a moment (a tenth of a millisecond).
          read -r -t 0.0001 -u "$__bastion_wfd" __bastion_entry || :
          if [[ $__bastion_x || $__bastion_y ]]; then __bastion_kept; fi
          __bastion_x= __bastion_y= __bastion_i=1000000 __bastion_rv=1
          [[ $__bastion_unseen ]] || __bastion_u=0
          # The cancelled command's entry ends in the line that replaced its refused one.
          if [[ $__bastion_cancel ]]; then
            __bastion_entry=$(HISTTIMEFORMAT= history 1)
            [[ $__bastion_entry == *"$__bastion_cancel" ]] && history -d -1
            __bastion_cancel=
          fi
          if [[ $__bastion_keep ]]; then
            if [[ -o history ]]; then history -s -- "$__bastion_keep"; fi
            __bastion_keep=
          fi
          __bastion_status=$__bastion_saved
          # The status goes on to the person's own hooks, unless `set -e` is on: a function that
          # fails there ends the shell (after `! cmd`, which errexit itself lets pass).
          [[ -o errexit ]] || return $__bastion_saved
        }
        # Last in PROMPT_COMMAND, after the person's own entries: the aliases as they now are,
        # then the prompt marker. It announces the next check's id and token (for an early
        # answer) only when no code of the person's can run between now and the check and
        # read them: nothing in PS1 that runs code as the prompt is shown (__bastion_code:
        # a command or arithmetic substitution, an expansion that evaluates a subscript or a
        # value, or a `$` or backquote that bash makes of an octal escape), no xtrace (PS4's
        # code, and a trace of the check), nothing after this in PROMPT_COMMAND, no MAILPATH
        # (its messages are expanded before the prompt), and no trap, bind -x, completion
        # function or name reference since the start (__bastion_state, after the traps that
        # PROMPT_COMMAND's entry listed). Once the state differs, early answers end for the
        # session (__bastion_probe). Nor while interactive_comments is off, or the character set
        # is one the bastion may not read as bash does: the bastion decides such lines only at the
        # check, told so (see __bastion_ask).
        __bastion_announce() {
          local __bastion_saved __bastion_announced __bastion_traced IFS FUNCNEST
          __bastion_traced=${-//[!x]/}
          [[ $- != *[xET]* ]] || { local -; set +xET; }
          __bastion_saved=$__bastion_status IFS=" "
          # Bash assigns the buffer to READLINE_LINE before the check: an attribute given to it
          # (`declare -i` evaluates the line as arithmetic, subscripts' substitutions included)
          # would act on the line first. Each prompt starts them afresh.
          unset -v READLINE_LINE READLINE_POINT READLINE_MARK 2>/dev/null
          [ "${!BASH_ALIASES[*]} ${BASH_ALIASES[*]@Q}" = "$__bastion_aliases_seen" ] || __bastion_report_aliases
          # (A primary prompt: PS2 sets __bastion_cont again as bash reads on; see __bastion_ask.)
          __bastion_next= __bastion_fast= __bastion_cont=
          # (Other history characters make the check take the long way: no token to announce.)
          if [[ $__bastion_probe && $__bastion_plain && ! -o vi && ! $__bastion_traced && ! ${PS1-} =~ $__bastion_code && ! ${MAILPATH-} \
                && :$BASHOPTS: == *:interactive_comments:* && ${histchars-!^#} == '!^#' ]] \
             && __bastion_readable_charset && [ "${PROMPT_COMMAND[-1]}" = "$__bastion_last" ]; then
            __bastion_state
            if [ "$__bastion_out" = "$__bastion_calm_state" ]; then
              __bastion_token
              __bastion_next=$RANDOM$RANDOM:$__bastion_out
              # The check's short way (see __bastion_check), with the marker's flags: PS0's
              # substitutions on, history's own characters, backslashes that double.
              __bastion_out='\'
              __bastion_out=${__bastion_out//\\/\\\\}
              if [[ :$BASHOPTS: == *:promptvars:* && $__bastion_out == '\\' ]]; then
                # (With the check's number, which the short way counts by this assignment alone.)
                __bastion_fn=$((__bastion_n + 1))
                [[ -o histexpand ]] && __bastion_fast=";n${__bastion_fn}H" || __bastion_fast=";n$__bastion_fn"
              fi
            else
              __bastion_probe=
            fi
          fi
          # Readline shows the prompt once it has put the terminal in its own mode: the marker
          # kept in PS1 tells the bastion that the input it held can go now. (Before, the
          # terminal's line discipline would echo it and act on its keys: Ctrl-V, Ctrl-U, Enter.)
          [[ ${PS1-} == *"$__bastion_shown"* ]] || PS1+=$__bastion_shown
          # Or `k`: the keys do not tell the line (vi mode, keys bound otherwise than by default).
          __bastion_announced=$__bastion_next
          [[ $__bastion_plain && ! -o vi ]] || __bastion_announced=k
          # The working directory, for paths the next line names relative to it.
          __bastion_out=$PWD
          if [[ $PWD == *[$'\e\a\n\r']* ]]; then __bastion_esc "$PWD"; elif [[ $PWD == *\\* ]]; then __bastion_dbl; fi
          printf '\#(osc);P;%s;%s;%s;%s\a' "$__bastion_saved" "$__bastion_announced" "$1" "$__bastion_out" >&"$__bastion_tty"
          [[ -o errexit ]] || return $__bastion_saved
        }
        # The shell's state where code of the person's could run while readline waits, or run
        # when PS1 is expanded: traps (a signal's, ERR's after PROMPT_COMMAND, DEBUG's before
        # the check), bind -x keys, completion functions and commands, name references (`$r`
        # evaluates a subscript when r names an array element), into __bastion_out. The caller
        # first lists the traps into the state file (`trap -p >|`, which empties it): at a prompt
        # that is PROMPT_COMMAND's entry, at the top level, where DEBUG's, ERR's and RETURN's
        # traps show (a function does not see them). Any code of the person's that could run
        # between that and this is a trap, so listed. This appends the rest and reads the file
        # whole: no fork (a command substitution cost bash more CPU than the rest of a line).
        # (A function of the person's named like one of these would run instead: typed, such a
        # definition is tampering; the startup files' are checked once.)
        __bastion_state() {
          { bind -m emacs -X; bind -m vi-insert -X; bind -m vi-command -X; complete -p; declare -n; } 2>/dev/null >>"$__bastion_sfile" || :
          IFS= read -r -d '' __bastion_out 2>/dev/null <"$__bastion_sfile" || :
        }
        # Tells the bastion that vi's replace mode begins (the key bound to vi-replace). Readline
        # builds that mode's keymap itself, with Enter bound to accept the line directly, and no
        # binding reaches it: the bastion then sends Esc ahead of the Enter that ends the mode, so
        # that the Enter is read in command mode, where the check is bound. (Esc only ends the
        # mode there; the line stays as it is.) Keys that never pass the bastion can still reach
        # that Enter (a keyboard macro that types R, text and Enter): at a continuation prompt
        # nothing would stop the line readline takes so, and the command would hold it unseen.
        # __bastion_rv is 0 from here to the next check or primary prompt, and PS2's V gate
        # stops a command read on while it is (see PS2).
        __bastion_replacing() { __bastion_rv=0; printf '\#(osc);O\a' >&"$__bastion_tty"; }
        # Readline's edit-and-execute-command (Ctrl-X Ctrl-E, vi's `v`), with the check: as bash's
        # own, the buffer goes into history unrun and the person's editor edits it in a file, with
        # the terminal set as a program gets it; what the editor leaves is the buffer the check
        # after this sees (an editor that fails leaves none: nothing runs). The editor's command
        # (read by a new bash, as bash's own reads it; privileged, so that it reads no BASH_ENV
        # and takes no exported function) and the buffer are first decided by the bastion: an
        # "editor" may run what it is given. Where the integration stepped aside, a
        # trap acts in here, or the command holds a line end, nothing is edited, and the check
        # that follows acts on the buffer as typed.
        __bastion_edit() {
          local __bastion_f __bastion_ed __bastion_mode __bastion_id __bastion_answer
          [[ $- != *[xET]* ]] || { local -; set +xET; }
          [[ ! $__bastion_traps ]] || return 0
          if [[ ! $__bastion_next ]]; then
            __bastion_out=$(trap -p DEBUG RETURN ERR 2>/dev/null)
            ! __bastion_any_trap || return 0
          fi
          # Programs run from here to the check (the editor; a hook of the person's for a command
          # not found): the token announced with the prompt goes, and the check takes the long
          # way, with a token made after the editor exits.
          __bastion_next= __bastion_fast=
          if [[ -o vi ]]; then __bastion_ed=vi; else __bastion_ed=emacs; fi
          __bastion_ed=${VISUAL:-${EDITOR:-$__bastion_ed}}
          [[ $__bastion_ed != *$'\n'* ]] || return 0
          __bastion_f=$(command -p mktemp "${TMPDIR:-/tmp}/bash-fc.XXXXXX") || { READLINE_LINE=; return 0; }
          __bastion_ed+=" ${__bastion_f@Q}"
          __bastion_token
          __bastion_id=${SRANDOM:-$RANDOM$RANDOM}:$__bastion_out
          __bastion_esc "$__bastion_ed"$'\n'"$READLINE_LINE"
          printf '\#(osc);E;%s;%s\a' "$__bastion_id" "$__bastion_out" >&"$__bastion_tty"
          __bastion_answer=
          while IFS= read -r -u "$__bastion_vfd" __bastion_answer; do
            case $__bastion_answer in
              "$__bastion_id A") break ;;
              "${__bastion_id%%:*} "*) __bastion_answer=; break ;;
            esac
            __bastion_answer=
          done
          __bastion_id=
          if [[ ! $__bastion_answer ]]; then
            command -p rm -f -- "$__bastion_f" || :
            READLINE_LINE= READLINE_POINT=0
            return 0
          fi
          __bastion_answer=
          history -s -- "$READLINE_LINE" || :
          printf '%s\n' "$READLINE_LINE" >|"$__bastion_f" || :
          __bastion_mode=$(command -p stty -g <&"$__bastion_in" 2>/dev/null) || :
          command -p stty icanon echo icrnl <&"$__bastion_in" 2>/dev/null || :
          if command -p bash -p -c -- "$__bastion_ed" <&"$__bastion_in" >&"$__bastion_tty" 2>&"$__bastion_tty"; then
            IFS= read -r -d '' READLINE_LINE <"$__bastion_f" || :
            READLINE_LINE=${READLINE_LINE%$'\n'}
          else
            READLINE_LINE=
          fi
          [[ ! $__bastion_mode ]] || command -p stty "$__bastion_mode" <&"$__bastion_in" 2>/dev/null || :
          command -p rm -f -- "$__bastion_f" || :
          READLINE_POINT=${#READLINE_LINE}
        }
        # Whether history leaves out lines that start with a blank (HISTCONTROL ignorespace or
        # ignoreboth, which bash reads exactly: removal by `#` ignores nocasematch).
        __bastion_ignores_space() {
          local __bastion_hc
          __bastion_hc=:${HISTCONTROL-}:
          [ "${__bastion_hc#*:ignorespace:}" != "$__bastion_hc" ] || [ "${__bastion_hc#*:ignoreboth:}" != "$__bastion_hc" ]
        }
        # Binds every key that accepts a line, in every keymap, to the check first; and the key
        # that re-reads the init file (Ctrl-X Ctrl-R) to a re-read that binds them again, so an
        # ~/.inputrc written in the session cannot take Enter back.
        __bastion_bind_keys() {
          local __bastion_km __bastion_binding __bastion_key __bastion_c __bastion_keys __bastion_nexts __bastion_comments __bastion_rereads __bastion_expands \
            __bastion_eofs __bastion_replaces __bastion_edits __bastion_private
          for __bastion_km in emacs vi-insert vi-command; do
            __bastion_keys=() __bastion_nexts=() __bastion_comments=() __bastion_rereads=() __bastion_expands=() __bastion_eofs=() __bastion_replaces=() __bastion_edits=()
            # Every key under the private prefix goes, the integration's own too (bound again
            # below): a longer one (`"\C-x\C-\\bZ"`, from an inputrc or `bind -x`) would leave
            # readline waiting after a private key for one more, typed, which picks a function
            # other than the integration's.
            __bastion_private=()
            while IFS= read -r __bastion_binding; do
              case $__bastion_binding in
                '"\C-x\C-\\'*) __bastion_key=${__bastion_binding%%'": '*}; __bastion_private+=("${__bastion_key#\"}") ;;
              esac
            done < <(bind -m "$__bastion_km" -p 2>/dev/null; bind -m "$__bastion_km" -s 2>/dev/null; bind -m "$__bastion_km" -X 2>/dev/null)
            for __bastion_key in "${__bastion_private[@]}"; do bind -m "$__bastion_km" -r "$__bastion_key" 2>/dev/null; done
            while IFS= read -r __bastion_binding; do
              case $__bastion_binding in
                '"\C-x\C-\\'*) ;;  # (none left)
                *': accept-line') __bastion_keys+=("${__bastion_binding%: *}") ;;
                # (Bash's own runs the edited buffer through fc, where no check would see it.)
                *': edit-and-execute-command'|*': vi-edit-and-execute-command') __bastion_edits+=("${__bastion_binding%: *}") ;;
                # readline 8.3's M-x runs any function by name, accept-line included.
                *': execute-named-command') __bastion_key=${__bastion_binding%: *}; __bastion_key=${__bastion_key#\"}; bind -m "$__bastion_km" -r "${__bastion_key%\"}" ;;
                *': operate-and-get-next') __bastion_nexts+=("${__bastion_binding%: *}") ;;
                # (vi's Ctrl-D accepts a line that is not empty.)
                *': vi-eof-maybe') __bastion_eofs+=("${__bastion_binding%: *}") ;;
                *': insert-comment'|*': vi-insert-comment') __bastion_comments+=("${__bastion_binding%: *}") ;;
                *': re-read-init-file') __bastion_rereads+=("${__bastion_binding%: *}") ;;
                *': shell-expand-line') __bastion_expands+=("${__bastion_binding%: *}") ;;
                *': vi-replace') __bastion_replaces+=("${__bastion_binding%: *}") ;;
              esac
            done < <(bind -m "$__bastion_km" -p 2>/dev/null)
            # A macro that types Ctrl-X or Ctrl-\ could reach the private keys below (readline
            # takes a macro's keys as typed ones; the bastion removes Ctrl-\ from what is typed):
            # such a macro, from an inputrc, is unbound; the integration's own stay.
            while IFS= read -r __bastion_binding; do
              case $__bastion_binding in
                *': "\C-x\C-\\a\C-x\C-\\'[bcd]'"'|*': "\C-a#\C-x\C-\\a\C-x\C-\\b"'|*': "0i#\C-x\C-\\a\C-x\C-\\b"'|*': "\C-x\C-\\e\C-x\C-\\R"'|*': "\C-x\C-\\f\C-x\C-\\a\C-x\C-\\b"') ;;
                *': "'*'\C-x'*|*': "'*'\C-\\'*|*': "'*'\030'*|*': "'*'\034'*|*': "'*$'\030'*|*': "'*$'\034'*)
                  __bastion_key=${__bastion_binding%%\": *}; bind -m "$__bastion_km" -r "${__bastion_key#\"}" 2>/dev/null ;;
              esac
            done < <(bind -m "$__bastion_km" -s 2>/dev/null)
            bind -m "$__bastion_km" -x '"\C-x\C-\\a": \__bastion_check'
            bind -m "$__bastion_km" '"\C-x\C-\\b": accept-line'
            bind -m "$__bastion_km" '"\C-x\C-\\c": operate-and-get-next'
            bind -m "$__bastion_km" '"\C-x\C-\\d": vi-eof-maybe'
            bind -m "$__bastion_km" -x '"\C-x\C-\\e": \__bastion_replacing'
            bind -m "$__bastion_km" '"\C-x\C-\\R": vi-replace'
            bind -m "$__bastion_km" -x '"\C-x\C-\\f": \__bastion_edit'
            for __bastion_key in '"\C-m"' '"\C-j"' "${__bastion_keys[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': "\C-x\C-\\a\C-x\C-\\b"'
            done
            # Edit, then check what the editor left, then accept it.
            for __bastion_key in "${__bastion_edits[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': "\C-x\C-\\f\C-x\C-\\a\C-x\C-\\b"'
            done
            # Operate-and-get-next still loads the history line after the one it accepts (the
            # next buffer starts with it).
            for __bastion_key in "${__bastion_nexts[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': "\C-x\C-\\a\C-x\C-\\c"'
            done
            for __bastion_key in "${__bastion_eofs[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': "\C-x\C-\\a\C-x\C-\\d"'
            done
            # (The mode's own key last: readline remembers the key that began it, for `.`.)
            for __bastion_key in "${__bastion_replaces[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': "\C-x\C-\\e\C-x\C-\\R"'
            done
            # Commenting a line out accepts it too: comment it, then the usual check.
            [[ $__bastion_km == vi-command ]] && __bastion_c='0i#' || __bastion_c='\C-a#'
            for __bastion_key in "${__bastion_comments[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': "'"$__bastion_c"'\C-x\C-\\a\C-x\C-\\b"'
            done
            for __bastion_key in "${__bastion_rereads[@]}"; do
              bind -m "$__bastion_km" -x "$__bastion_key"': \__bastion_reread'
            done
            # shell-expand-line (Esc Ctrl-E) runs the line's command substitutions at the key,
            # with no Enter: it expands history and aliases only.
            for __bastion_key in "${__bastion_expands[@]}"; do
              bind -m "$__bastion_km" "$__bastion_key"': history-and-alias-expand-line'
            done
          done
        }
        __bastion_reread() {
          local __bastion_inputrc
          __bastion_inputrc=${INPUTRC:-~/.inputrc}
          [[ -r $__bastion_inputrc ]] || __bastion_inputrc=/etc/inputrc
          bind -f "$__bastion_inputrc" 2>/dev/null || :
          __bastion_read_keys
        }
        # Binds the keys again and finds whether they are plain, with patterns matched exactly
        # (nocasematch off meanwhile: `"\C-x\C-\\A…"` is not the integration's own macro).
        __bastion_read_keys() {
          local __bastion_nocase
          __bastion_nocase=
          if shopt -q nocasematch; then __bastion_nocase=1; shopt -u nocasematch; fi
          __bastion_bind_keys
          __bastion_plain=
          __bastion_plain_keys && __bastion_plain=1
          if [[ $__bastion_nocase ]]; then shopt -s nocasematch; fi
        }
        # Whether the keys the bastion follows to know a line before the shell reports it do, in
        # emacs mode, what readline's defaults do: every printable key inserts itself (no
        # inputrc's `Space: magic-space` or `"jk": …`); Backspace, Delete, Left, Right, Home,
        # End, Ctrl-A, -B, -E and -F move and edit; Ctrl-K, -U and -W kill (the terminal's own
        # erase, kill and werase characters are bound to these by readline: other ones show here
        # as other bindings). Otherwise each prompt tells the bastion that the keys do not tell
        # the line.
        # (With convert-meta on, as in the C locale, readline shows the keys after Escape as
        # `\M-`: `"\M-[D"` is the `"\e[D"` of a UTF-8 locale.)
        __bastion_plain_keys() {
          local __bastion_binding __bastion_l
          __bastion_l=0
          while IFS= read -r __bastion_binding; do
            [[ $__bastion_binding == '"\M-'* ]] && __bastion_binding='"\e'${__bastion_binding#'"\M-'}
            case $__bastion_binding in
              '"\C-h": backward-delete-char'|'"\C-?": backward-delete-char'|'"\e[D": backward-char'|'"\e[C": forward-char'| \
              '"\e[H": beginning-of-line'|'"\e[F": end-of-line'|'"\e[3~": delete-char'| \
              '"\C-a": beginning-of-line'|'"\C-b": backward-char'|'"\C-e": end-of-line'|'"\C-f": forward-char'| \
              '"\C-k": kill-line'|'"\C-u": unix-line-discard'|'"\C-w": unix-word-rubout') __bastion_l=$((__bastion_l + 1)) ;;
              '"\C-h": '*|'"\C-?": '*|'"\e[D": '*|'"\e[C": '*|'"\e[H": '*|'"\e[F": '*|'"\e[3~": '*| \
              '"\C-a": '*|'"\C-b": '*|'"\C-e": '*|'"\C-f": '*|'"\C-k": '*|'"\C-u": '*|'"\C-w": '*) return 1 ;;
              '"'[!\\]*': self-insert') ;;
              '"'[!\\]*) return 1 ;;
              # The integration's own keys, and its macros on the keys the bastion takes for a
              # line's end (another key bound to accept a line gets the macro too, and does not
              # tell the line: the bastion sees no Enter in it).
              '"\C-x\C-\\'*|'"\C-m": "\C-x\C-\\a\C-x\C-\\b"'|'"\C-j": "\C-x\C-\\a\C-x\C-\\b"'|'"\C-o": "\C-x\C-\\a\C-x\C-\\c"'| \
              '"\C-x\C-e": "\C-x\C-\\f\C-x\C-\\a\C-x\C-\\b"'|'"\e#": "\C-a#\C-x\C-\\a\C-x\C-\\b"'|'"\C-x\C-r": "\\__bastion_reread"') ;;
              # Any other macro or bind -x key (`"\C-t": "echo hi\n"` in an inputrc): what it
              # types or does to the line is not what the key would.
              *': "'*) return 1 ;;
            esac
          done < <(bind -m emacs -p 2>/dev/null; bind -m emacs -s 2>/dev/null; bind -m emacs -X 2>/dev/null)
          (( __bastion_l == 14 ))
        }
        # Tells the bastion the shell is not integrated (and why): lines are then read from the
        # screen. (Where a startup file's function stands for printf, nothing is told: the
        # bastion, never told the integration is ready, reads the screen all the same.)
        __bastion_refuse() { printf '\#(osc);U;%s\a' "$1" >/dev/tty; }
        # Runs once the startup files are read: checks what they left, then sets the hooks up.
        __bastion_start() {
          if (( BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4) )); then
            __bastion_refuse "bash $BASH_VERSION is too old"
            return 0
          fi
          # A function of the startup files named like a command the integration runs would run
          # in its place (bash looks functions up before builtins): such a shell is not
          # integrated. They are found in POSIX mode, where bash looks its special builtins up
          # before functions, so no function can answer for `readonly -f`, which succeeds only on
          # a function, or for `exit`. (A subshell: the mode and the loop stay in it. Where
          # POSIXLY_CORRECT is read-only the mode cannot be entered: not integrated either.)
          __bastion_names=(: '[' bind break builtin command complete declare exec exit history kill local od printf read return set shopt trap unset)
          ( [[ -o posix ]] || POSIXLY_CORRECT=y
            [[ -o posix ]] || exit 2
            n=10
            for f in "${__bastion_names[@]}"; do readonly -f -- "$f" 2>/dev/null && exit $n; n=$((n + 1)); done
            exit 0 )
          __bastion_status=$?
          case $__bastion_status in
            0) ;;
            2) __bastion_refuse "the shell cannot enter POSIX mode to check its startup files"; return 0 ;;
            1[0-9]|2[0-9]|3[0-9]) __bastion_refuse "the startup files define a function named ${__bastion_names[__bastion_status - 10]}, which the integration would run"; return 0 ;;
            *) __bastion_refuse "the startup files could not be checked"; return 0 ;;
          esac
          # Nor may they have left one of the integration's variables (its locals too, to which
          # `localvar_inherit` would pass a global's attributes) with a value or an attribute
          # (read-only, integer, upper case, a name reference) that its statements would meet:
          # each is unset (no function can stand for `unset` now). One that cannot be
          # (read-only) leaves the shell unintegrated.
          unset -v __bastion_aliases_seen __bastion_announced __bastion_answer __bastion_binding \
              __bastion_bs __bastion_c __bastion_calm_state __bastion_cancel __bastion_code __bastion_cont __bastion_none __bastion_comments __bastion_dir \
              __bastion_doubled __bastion_early __bastion_early_ok __bastion_ed __bastion_edits __bastion_entry __bastion_eofs __bastion_f \
              __bastion_expands __bastion_fast __bastion_filed __bastion_fn __bastion_first __bastion_flags __bastion_hc __bastion_gate_n __bastion_gate_v __bastion_gate_x __bastion_hnum __bastion_i \
              __bastion_id __bastion_in __bastion_inputrc __bastion_keep __bastion_key __bastion_keys \
              __bastion_km __bastion_l __bastion_last __bastion_line __bastion_mode __bastion_name __bastion_names \
              __bastion_n __bastion_next __bastion_nexts __bastion_nocase __bastion_nonce __bastion_number __bastion_out __bastion_plain __bastion_probe \
              __bastion_private __bastion_replaces __bastion_rereads __bastion_saved __bastion_secret __bastion_seen __bastion_set __bastion_shown \
              __bastion_status __bastion_table __bastion_text __bastion_traced __bastion_traps __bastion_tty __bastion_u __bastion_rv \
              __bastion_unseen __bastion_why __bastion_x __bastion_y __bastion_z \
            || { __bastion_refuse "the startup files made a variable of the integration's read-only"; return 0; }
          # Startup files that leave functrace or errtrace on with a DEBUG, RETURN or ERR trap:
          # the trap would act in the check (which would drop the first line and step aside),
          # so the shell is read from the screen from the start.
          if { [[ -o functrace ]] && __bastion_out=$(trap -p DEBUG RETURN) && __bastion_any_trap; } \
             || { [[ -o errtrace ]] && __bastion_out=$(trap -p ERR) && __bastion_any_trap; }; then
            __bastion_refuse "the startup files leave a DEBUG, RETURN or ERR trap that would run in the check, with functrace or errtrace on"
            return 0
          fi
          # The check tells a subshell's readline from the shell's own by BASHPID.
          [[ $BASHPID == "$$" ]] || { __bastion_refuse "the startup files changed BASHPID, by which the check tells a subshell"; return 0; }
          __bastion_code='\$\(|`|\$\[|\$\{[^}]*([[!@=]|:[^-+?])|\\(0?44|444|140|540)|\$\\'
          # The checks made so far (see __bastion_ask), set: `set -u` would stop the count.
          __bastion_n=0
          # Markers reach the terminal through a descriptor of their own (opening /dev/tty for
          # each one took longer than writing it).
          exec {__bastion_tty}>/dev/tty || return 0
          # The terminal readline reads the person's keys from, as the check finds it again.
          exec {__bastion_in}<&0 || return 0
          __bastion_out= __bastion_next= __bastion_fast= __bastion_keep= __bastion_cancel= __bastion_x= __bastion_y= __bastion_hnum= __bastion_l= __bastion_status=0 __bastion_traps=
          __bastion_aliases_seen=
          # The counts PS0's gates read (below): __bastion_i, the commands a buffer answered I may
          # still start before the next check (disarmed: a count no session reaches); __bastion_u,
          # the commands started since each prompt and each check set it to 0 (an answer that lets
          # the line run sets it to 1). Once the V gate acted (__bastion_unseen) the bastion reads
          # lines from the screen, and __bastion_u stays where it is.
          __bastion_i=1000000 __bastion_u=1 __bastion_unseen= __bastion_rv=1
          # PS0 must not change while readline runs (bash keeps a pointer to it). Its gates:
          # V, the command starts with no answer that let it run since the prompt (__bastion_u
          # counts the commands since then; the bastion then reads lines from the screen,
          # __bastion_unseen); N, a buffer answered I starts more commands than it may
          # (__bastion_i counts down to the first it may not; a count no session reaches
          # otherwise); X, a command of a buffer answered X starts (its expansion is checked, with
          # the number of lines bash has read: LINENO, taken outside the substitution, where it
          # would count from 1). Each gate is a one-element array looked up at the count (the V and
          # N gates) whose element, a command substitution, is expanded as a prompt (`@P`) only
          # where it acts: a substitution written in PS0 itself would be parsed at every command,
          # run or not.
          # (It first lifts a FUNCNEST limit a sourced file may have set, which would stop its
          # functions part way, and the traps that could act in it. Quoted names, which a person's
          # alias cannot take: by an empty quote where a prompt's `\u` or `\t` would be read.)
          __bastion_gate_v=('${__bastion_z[__bastion_unseen=1,0]-}$(""unset FUNCNEST; ""trap - DEBUG RETURN ERR; \__bastion_stop V)')
          __bastion_gate_n=('$(""unset FUNCNEST; ""trap - DEBUG RETURN ERR; \__bastion_stop N)')
          __bastion_gate_x='${__bastion_z[__bastion_l=LINENO,0]-}$(""unset FUNCNEST; ""trap - DEBUG RETURN ERR; \__bastion_expanded "$__bastion_l")'
          PS0='${__bastion_gate_v[__bastion_u++]:+${__bastion_gate_v@P}}${__bastion_gate_n[__bastion_i--]:+${__bastion_gate_n@P}}${__bastion_x:+${__bastion_gate_x@P}}\#(osc);S\a'"${PS0-}"
          # A refused last line of a multi-line command is replaced by a lone backslash (the
          # command stays incomplete whatever it was; in a here-document's body, where a
          # backslash-newline joins the next line unprompted, by a `#` line the body does not end
          # at), and the next PS2 interrupts bash as a typed Ctrl-C would: the whole pending
          # command is dropped, nothing of it runs. So does PS2's V gate, where a line was read
          # into the command in vi's replace mode with no check since the mode began (see
          # __bastion_replacing).
          PS2='${__bastion_gate_v[__bastion_rv]:+${__bastion_gate_v@P}}${__bastion_none[__bastion_cont=1]:+}${__bastion_cancel:+$(""unset FUNCNEST; \__bastion_halt)}\[\#(osc);2\a\]'"${PS2-}"
          __bastion_shown='\[\#(osc);1\a\]'
          # Early answers (a token announced with the prompt) only where no code of the person's
          # can run between the prompt and the check to read it: no trap (its action runs while
          # readline waits), no bind -x, no completion function or command (they run on Tab;
          # bash-completion sets many), and no function of the startup files that names `trap` or
          # `complete` (it could set one up later). And only where the state file works as a file
          # does, emptied by each `>|` (where /proc is Linux's): each prompt reads the shell's
          # state there (__bastion_state).
          # (__bastion_filed: the state file works so; the check lists traps there too.)
          { printf x >|"$__bastion_sfile" && printf y >|"$__bastion_sfile"; } 2>/dev/null
          __bastion_out=
          IFS= read -r -d '' __bastion_out 2>/dev/null <"$__bastion_sfile" || :
          [[ $__bastion_out == y ]] && __bastion_filed=1 || __bastion_filed=
          __bastion_early_ok=$__bastion_filed
          __bastion_out=$(trap -p)
          __bastion_any_trap && __bastion_early_ok=
          [[ $(bind -X 2>/dev/null; complete -p 2>/dev/null; declare -n) ]] && __bastion_early_ok=
          if [[ $__bastion_early_ok ]]; then
            __bastion_out=$(set -f; shopt -u nocasematch; for __bastion_name in $(compgen -A function); do [[ $__bastion_name == __bastion_* ]] || declare -f "$__bastion_name"; done)
            [[ $__bastion_out == *trap* || $__bastion_out == *complete* ]] && __bastion_early_ok=
          fi
          # With the number of lines bash has read (the first line of the next buffer is the one
          # after), which ties each PS0 to the command of a buffer that starts. Where early
          # answers may be, its first command lists the traps for __bastion_state, at the top
          # level.
          __bastion_last='\__bastion_announce $LINENO'
          [[ $__bastion_early_ok ]] && __bastion_last='\trap -p 2>/dev/null >|"$__bastion_sfile" || \:; '$__bastion_last
          PROMPT_COMMAND=('\__bastion_prompt' ${PROMPT_COMMAND[@]+"${PROMPT_COMMAND[@]}"} "$__bastion_last")
          __bastion_read_keys
          # What an announce compares the shell's state with (the integration's own bindings).
          __bastion_out=
          if [[ $__bastion_early_ok ]]; then trap -p 2>/dev/null >|"$__bastion_sfile"; __bastion_state; fi
          __bastion_calm_state=$__bastion_out __bastion_probe=$__bastion_early_ok
          # Nothing the person runs later (a sourced file, eval of built text) may redirect the
          # markers, or name another input as the terminal: bash refuses to change read-only
          # variables.
          readonly __bastion_gate_v __bastion_gate_n __bastion_gate_x __bastion_tty __bastion_in __bastion_filed __bastion_early_ok __bastion_shown __bastion_code __bastion_calm_state __bastion_last
          # The terminal's own line editing (a program that reads lines, keys typed ahead while a
          # command runs) erases a whole character of a UTF-8 locale at a Delete, as the person's
          # own terminal has it, with `iutf8`: the bastion's libssh asks for this terminal with no
          # modes, and it starts without. Told with the ready marker (`u`).
          __bastion_out=
          [[ ${LC_ALL:-${LC_CTYPE:-${LANG-}}} == *.[Uu][Tt][Ff]?(-)8* ]] && command -p stty iutf8 2>/dev/null && __bastion_out=';u'
          printf '\#(osc);R;%s%s\a' "$$" "$__bastion_out" >&"$__bastion_tty"
        }
        readonly -f __bastion_dbl __bastion_esc __bastion_report_aliases __bastion_token __bastion_kept __bastion_halt __bastion_any_trap __bastion_replacing __bastion_ignores_space __bastion_check __bastion_ask __bastion_await __bastion_trapped __bastion_verdict \
          __bastion_expanded __bastion_stop __bastion_prompt __bastion_state __bastion_announce __bastion_bind_keys \
          __bastion_reread __bastion_read_keys __bastion_plain_keys __bastion_refuse \
          __bastion_start
        \#(readsStartupFiles ? Self.startupFiles : "")\__bastion_start
        """#
    }

    /// What a login shell reads, as the rc reads it (before the integration starts).
    private static let startupFiles = """
        if [ -r /etc/profile ]; then . /etc/profile; fi
        if [ -r ~/.bash_profile ]; then . ~/.bash_profile
        elif [ -r ~/.bash_login ]; then . ~/.bash_login
        elif [ -r ~/.profile ]; then . ~/.profile
        fi

        """
}
