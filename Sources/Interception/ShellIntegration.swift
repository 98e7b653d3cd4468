/// The bash integration the bastion installs in an interactive session, agentlessly, over the
/// SSH connection it already holds to the target.
///
/// Two channels on the target session: a *helper* channel runs ``prepareCommand``, which makes a
/// private directory with two FIFOs (`v` for the verdicts; `w`, which nothing writes, for the
/// shell's short sleep after a command) and the rc file, opens `v` (so the shell may remove the
/// directory at once), prints `BASTION-READY <dir>`, and then feeds `v` with whatever the
/// bastion writes to the channel (the verdicts). The *shell* channel
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

    /// Random per session: names the markers, and the heredoc delimiter of the rc.
    public let token: String

    /// An integration with a fresh random token.
    public init() {
        var generator = SystemRandomNumberGenerator()
        token = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }

    /// An integration with a given token (tests).
    public init(token: String) {
        self.token = token
    }

    /// The helper channel's command (run by the target user's login shell).
    public var prepareCommand: String {
        let script = """
            umask 077
            d=$(mktemp -d "${TMPDIR:-/tmp}/bastion.XXXXXXXX") || exit 1
            mkfifo "$d/v" "$d/w" || { rm -rf "$d"; exit 1; }
            cat > "$d/rc" <<'BASTION_RC_\(token)'
            \(rcScript)
            BASTION_RC_\(token)
            exec 3<>"$d/v"
            printf '\(Self.readyPrefix)%s\\n' "$d"
            exec cat >&3
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

    /// The rc file. It removes its directory once the FIFOs are open, so nothing is left behind.
    var rcScript: String {
        let osc = "\\e]\(Self.oscCode);\(token)"
        return #"""
        # bastion: the shell integration of one session (it removes itself). Every accepted line
        # is shown to the bastion before bash runs it.
        __bastion_dir=${BASH_SOURCE[0]%/*}
        exec {__bastion_vfd}<>"$__bastion_dir/v" {__bastion_wfd}<>"$__bastion_dir/w"
        rm -rf -- "$__bastion_dir"
        unset __bastion_dir
        if [ -r /etc/profile ]; then . /etc/profile; fi
        if [ -r ~/.bash_profile ]; then . ~/.bash_profile
        elif [ -r ~/.bash_login ]; then . ~/.bash_login
        elif [ -r ~/.profile ]; then . ~/.profile
        fi
        if (( BASH_VERSINFO[0] < 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] < 4) )); then
          printf '\#(osc);U;bash %s is too old\a' "$BASH_VERSION" >/dev/tty
          return 0
        fi
        # Markers reach the terminal through a descriptor of their own (opening /dev/tty for each
        # one took longer than writing it).
        exec {__bastion_tty}>/dev/tty || return 0
        # A function the startup files define with the name of a command the check runs would
        # run in its place (bash looks functions up before builtins): such a shell is not
        # integrated.
        for __bastion_f in : [ bind break history kill local od printf read return shopt trap; do
          if declare -F -- "$__bastion_f" >/dev/null 2>&1; then
            printf '\#(osc);U;the startup files define a function named %s, which the integration would run\a' "$__bastion_f" >&$__bastion_tty
            unset __bastion_f
            return 0
          fi
        done
        unset __bastion_f
        # (Locals are declared apart from their values throughout: with `set -k` a `NAME=value`
        # word on a `local` line would go to the environment of `local` instead.)
        # Doubles the backslashes of __bastion_out. With BASH_COMPAT 4.2 or lower and 5.2's
        # patsub_replacement, a replacement's backslashes are quoting: the result is checked by
        # its length and made again with patsub_replacement off; should that fail too, the
        # bastion is told the shell cannot be followed.
        __bastion_dbl() {
          local n d
          n=${__bastion_out//[!\\]/} d=${__bastion_out//\\/\\\\}
          if (( ${#d} != ${#__bastion_out} + ${#n} )); then
            shopt -u patsub_replacement 2>/dev/null
            d=${__bastion_out//\\/\\\\}
            shopt -s patsub_replacement 2>/dev/null
            (( ${#d} == ${#__bastion_out} + ${#n} )) || printf '\#(osc);U;backslashes cannot be escaped in this shell\a' >&$__bastion_tty
          fi
          __bastion_out=$d
        }
        # (Each character is looked for before it is replaced: a test costs less than a replacement
        # that finds nothing.)
        __bastion_esc() {
          local s
          s=$1
          if [[ $s == *[$'\\\e\a\n\r']* ]]; then
            [[ $s == *\\* ]] && { __bastion_out=$s; __bastion_dbl; s=$__bastion_out; }
            [[ $s == *$'\e'* ]] && s=${s//$'\e'/\\e}
            [[ $s == *$'\a'* ]] && s=${s//$'\a'/\\a}
            [[ $s == *$'\n'* ]] && s=${s//$'\n'/\\n}
            [[ $s == *$'\r'* ]] && s=${s//$'\r'/\\r}
          fi
          __bastion_out=$s
        }
        __bastion_aliases_seen=
        # Reports the aliases when they changed (before each prompt, so the bastion knows them
        # when the next line is typed, and at each check); succeeds only when they had changed.
        # Every reference to BASH_ALIASES rebuilds it from the alias table, so the names and the
        # quoted values (two references) tell first whether anything changed: names hold no
        # blanks, quoted values delimit themselves, and both come in the table's one order.
        __bastion_report_aliases() {
          local IFS a k seen
          IFS=" " a= seen="${!BASH_ALIASES[*]} ${BASH_ALIASES[*]@Q}"
          [[ $seen != "$__bastion_aliases_seen" ]] || return 1
          __bastion_aliases_seen=$seen
          for k in "${!BASH_ALIASES[@]}"; do a+="$k=${BASH_ALIASES[$k]}"$'\x1f'; done
          __bastion_esc "$a"
          printf '\#(osc);A;%s\a' "$__bastion_out" >&$__bastion_tty
        }
        # Tokens: 96 random bits (bash < 5.1 has no SRANDOM; $RANDOM is predictable: urandom then).
        if [[ ${SRANDOM-} ]]; then
          __bastion_token() { __bastion_out=$SRANDOM$SRANDOM$SRANDOM; }
        else
          __bastion_token() { __bastion_out=$(od -An -tx1 -N12 /dev/urandom); __bastion_out=${__bastion_out//[$' \n']/}; }
        fi
        # __bastion_i counts the commands a buffer answered I may start before the next check
        # (disarmed: a count no session reaches); PS0 stops any more: it reads the gate at the
        # count and counts down, and only the gate's first place is set.
        __bastion_next= __bastion_keep= __bastion_i=1000000 __bastion_gate=(1)
        # __bastion_u indexes the gate too: each prompt sets it to 0 and each check to 1, so the
        # first command that starts with no check since the prompt is stopped (its line never
        # reached the bastion: the accept keys were rebound by code it could not read). Once
        # only (__bastion_unseen): the bastion then reads lines from the screen.
        __bastion_u=1 __bastion_unseen=
        # After a buffer that expanded history, at the next prompt (or the next check, when bash
        # went back to reading without one): the newest entry, which may be one that never
        # started (`!!:p` prints its expansion; an expansion bash cannot parse runs nothing).
        # (`history 1` is read with a mark after it: an entry's own last newline, as a
        # here-document's, would go with the ones a command substitution strips.)
        __bastion_kept() {
          local h
          h=$(HISTTIMEFORMAT= history 1; printf x); h=${h%$'\n'x}
          if [[ $h =~ ^\ *([0-9]+)\*?\ \ (.*)$ ]]; then
            __bastion_esc "${BASH_REMATCH[2]}"
            printf '\#(osc);Y;%s;%s;%s\a' "$__bastion_hnum" "${BASH_REMATCH[1]}" "$__bastion_out" >&$__bastion_tty
          fi
        }
        # Stops the command bash is about to run, as a typed Ctrl-C would (called from PS0 and
        # PS2, in a command substitution, whose `trap -p` still shows the shell's own traps). An
        # interrupt the person traps or ignores would not stop it: then the shell itself is
        # ended, and the bastion told first.
        __bastion_halt() {
          if [[ $(trap -p INT) ]]; then printf '\#(osc);K\a' >&$__bastion_tty; kill -KILL $$; fi
          kill -INT $$
        }
        # The check runs at every Enter between the key and the command, so each statement in it
        # counts: the id and token travel as one `ID:TOKEN` word, the aliases' fingerprint is
        # compared inline, and an allowed line's buffer is left as it is.
        __bastion_check() {
          local line id v f early IFS
          line=$READLINE_LINE id=$__bastion_next f= early=1 IFS=" "
          # The first line at a prompt uses the id and token announced with the prompt: the
          # bastion may have answered already, from the keys it saw (`P`: valid for this very
          # line only). Continuation lines get fresh ones.
          if [[ ! $id ]]; then __bastion_token; id=${SRANDOM:-$RANDOM$RANDOM}:$__bastion_out; fi
          if [[ $__bastion_x ]]; then __bastion_kept; fi
          __bastion_next= __bastion_x= __bastion_i=1000000 __bastion_u=1
          if [[ $- == *H* ]]; then
            f=H
            # Other history characters (histchars) are told, by their codes, and void an early
            # answer (decided with the characters the bastion knew before this line).
            [[ ${histchars-!^#} == '!^#' ]] || { printf -v f 'H%d,%d,%d' "'${histchars:0:1}" "'${histchars:1:1}" "'${histchars:2:1}"; early=; }
          fi
          # Aliases that changed since the prompt void an early answer (it used the old ones).
          [[ "${!BASH_ALIASES[*]} ${BASH_ALIASES[*]@Q}" == "$__bastion_aliases_seen" ]] || { __bastion_report_aliases; early=; }
          # (Backslashes alone, the usual case of a line that needs escaping, are doubled here.)
          __bastion_out=$line
          if [[ $line == *[$'\e\a\n\r']* ]]; then __bastion_esc "$line"; elif [[ $line == *\\* ]]; then __bastion_dbl; fi
          printf '\#(osc);C;%s;%s;%s\a' "$id" "$f" "$__bastion_out" >&$__bastion_tty
          # An answer that lets the line run carries the token, which only the bastion learnt
          # (through the terminal): a program reading this descriptor cannot forge one.
          # Refusals carry the id alone.
          while :; do
            IFS= read -r -u "$__bastion_vfd" v || { v=; break; }
            case $v in
              # (Compared by `[`: `case` and `[[` follow nocasematch.)
              "$id P"*) [[ $early ]] && [ "$v" = "$id P$__bastion_out" ] && { v=A; break; } ;;
              "$id "*) v=${v#"$id "}; break ;;
              "${id%%:*} "*) v=${v#* }; [[ $v == [EF]* || $v == C || $v =~ ^H#+$ ]] || v=D; break ;;
            esac
          done
          case $v in
            A) return ;;
            # Allowed, with a command the bastion reads as unfinished at its end: the buffer's
            # first N commands may start; should bash start another before the next check, PS0
            # stops it.
            I*) __bastion_i=${v#I}; return ;;
            X) __bastion_x=${id%%:*} __bastion_hnum=$(HISTTIMEFORMAT= history 1)
               [[ $__bastion_hnum =~ ^\ *([0-9]+) ]] && __bastion_hnum=${BASH_REMATCH[1]} || __bastion_hnum=
               return ;;
            C) READLINE_LINE='\'; __bastion_cancel='\' ;;
            # (In a here-document's body, where a backslash would join the next line unprompted.)
            H*) READLINE_LINE=${v#H}; __bastion_cancel=$'\n'$READLINE_LINE ;;
            # A line bash could not parse either: history keeps it, as bash's own would.
            E*) printf -v __bastion_keep '%b' "${v#E}"; READLINE_LINE= ;;
            F*) printf -v __bastion_keep '%b' "${v#F}"; READLINE_LINE='\'; __bastion_cancel='\' ;;
            R*) printf -v READLINE_LINE '%b' "${v#R}" ;;
            *) READLINE_LINE= ;;
          esac
          READLINE_POINT=${#READLINE_LINE}
        }
        # Each command of a buffer answered X shows its expanded text as it starts: the newest
        # history entry, with its number (the bastion tells from the numbers whether the entry
        # is this command's), and the newest number when the buffer was checked.
        __bastion_expanded() {
          local h n v nonce token why
          nonce=$__bastion_x
          __bastion_token; token=$__bastion_out
          h=$(HISTTIMEFORMAT= history 1; printf x); h=${h%$'\n'x}
          [[ $h =~ ^\ *([0-9]+)\*?\ \ (.*)$ ]] && n=${BASH_REMATCH[1]} h=${BASH_REMATCH[2]}
          # Why history may not have added the command: o history off, i HISTIGNORE set, s leading
          # blanks ignored (otherwise only a duplicate is left out).
          why=
          [[ -o history ]] || why+=o
          [[ ${HISTIGNORE-} ]] && why+=i
          [[ :${HISTCONTROL-}: == *:ignorespace:* || :${HISTCONTROL-}: == *:ignoreboth:* ]] && why+=s
          __bastion_esc "$h"
          printf '\#(osc);X;%s:%s;%s;%s;%s;%s;%s\a' "$nonce" "$token" "$__bastion_hnum" "$n" "$1" "$why" "$__bastion_out" >&$__bastion_tty
          while IFS= read -r -u "$__bastion_vfd" v; do [[ $v == "$nonce:$token "* || $v == "$nonce "* ]] && break; v=; done
          [[ $v == "$nonce:$token A" ]] || __bastion_halt
        }
        # PS0 must not change while readline runs (bash keeps a pointer to it): the expansion
        # check runs only when __bastion_x is set, with no fork otherwise.
        # (LINENO is taken before the command substitution, where it would count from 1: an
        # array subscript assigns it, and expands to nothing.)
        # A command that starts while the bastion reads its buffer as unfinished (answer I) is
        # stopped unrun, and the bastion told.
        __bastion_stop() { printf '\#(osc);%s\a' "$1" >&$__bastion_tty; __bastion_halt; }
        PS0='${__bastion_gate[__bastion_u++]:+${__bastion_z[__bastion_unseen=1,0]-}$(__bastion_stop V)}${__bastion_gate[__bastion_i--]:+$(__bastion_stop N)}${__bastion_x:+${__bastion_z[__bastion_l=LINENO,0]-}$(__bastion_expanded "$__bastion_l")}\#(osc);S\a'"$PS0"
        # A refused last line of a multi-line command is replaced by a lone backslash (the command
        # stays incomplete whatever it was; in a here-document's body, where a backslash-newline
        # joins the next line unprompted, by a `#` line the body does not end at), and the next
        # PS2 interrupts bash as a typed Ctrl-C would: the whole pending command is dropped,
        # nothing of it runs. (Through a function: a prompt's substitutions are parsed as it is
        # shown, where the person's aliases apply.)
        PS2='${__bastion_cancel:+$(__bastion_halt)}\[\#(osc);2\a\]'"$PS2"
        __bastion_shown='\[\#(osc);1\a\]'
        __bastion_prompt() {
          __bastion_status=$?
          local s h
          s=$__bastion_status
          # First let what the command printed go: Linux hands terminal output to its reader
          # (sshd) from a kernel worker that waits for this CPU, so while bash works on the prompt
          # the output would wait too. A read that times out on a FIFO nothing writes is how bash
          # sleeps for a moment (a tenth of a millisecond).
          read -r -t 0.0001 -u "$__bastion_wfd" h || :
          if [[ $__bastion_x ]]; then __bastion_kept; fi
          __bastion_x= __bastion_i=1000000
          [[ $__bastion_unseen ]] || __bastion_u=0
          # The cancelled command's entry ends in the line that replaced its refused one.
          if [[ $__bastion_cancel ]]; then
            h=$(HISTTIMEFORMAT= history 1)
            [[ $h == *"$__bastion_cancel" ]] && history -d -1
            __bastion_cancel=
          fi
          if [[ $__bastion_keep ]]; then
            if [[ -o history ]]; then history -s -- "$__bastion_keep"; fi
            __bastion_keep=
          fi
          __bastion_status=$s
          # The status goes on to the person's own hooks, unless `set -e` is on: a function that
          # fails there ends the shell (after `! cmd`, which errexit itself lets pass).
          [[ $- == *e* ]] || return $s
        }
        # Last in PROMPT_COMMAND, after the person's own entries: the aliases as they now are,
        # then the prompt marker. It announces the next check's id and token (for an early
        # answer) only when no code of the person's can run between now and the check and
        # read them: no command substitution in PS1, nothing after this in PROMPT_COMMAND, no
        # DEBUG trap or bind -x of theirs (checked once, below).
        __bastion_announce() {
          local s IFS
          s=$__bastion_status IFS=" "
          [[ "${!BASH_ALIASES[*]} ${BASH_ALIASES[*]@Q}" == "$__bastion_aliases_seen" ]] || __bastion_report_aliases
          __bastion_next=
          if [[ $__bastion_early_ok && ${PROMPT_COMMAND[-1]} == '__bastion_announce $LINENO' && $PS1 != *'$('* && $PS1 != *'`'* ]]; then
            __bastion_token
            __bastion_next=$RANDOM$RANDOM:$__bastion_out
          fi
          # Readline shows the prompt once it has put the terminal in its own mode: the marker
          # kept in PS1 tells the bastion that the input it held can go now. (Before, the
          # terminal's line discipline would echo it and act on its keys: Ctrl-V, Ctrl-U, Enter.)
          [[ $PS1 == *"$__bastion_shown"* ]] || PS1+=$__bastion_shown
          # The working directory, for paths the next line names relative to it.
          local next=$__bastion_next
          __bastion_out=$PWD
          if [[ $PWD == *[$'\e\a\n\r']* ]]; then __bastion_esc "$PWD"; elif [[ $PWD == *\\* ]]; then __bastion_dbl; fi
          printf '\#(osc);P;%s;%s;%s;%s\a' "$s" "$next" "$1" "$__bastion_out" >&$__bastion_tty
          [[ $- == *e* ]] || return $s
        }
        # With the number of lines bash has read (the first line of the next buffer is the one
        # after), which ties each PS0 to the command of a buffer that starts.
        PROMPT_COMMAND=(__bastion_prompt "${PROMPT_COMMAND[@]}" '__bastion_announce $LINENO')
        __bastion_early_ok=1
        [[ $(trap -p DEBUG) || $(bind -X 2>/dev/null) ]] && __bastion_early_ok=
        # Binds every key that accepts a line, in every keymap, to the check first; and the key
        # that re-reads the init file (Ctrl-X Ctrl-R) to a re-read that binds them again, so an
        # ~/.inputrc written in the session cannot take Enter back.
        __bastion_bind_keys() {
          local km l k c keys next comment reread expand
          for km in emacs vi-insert vi-command; do
            keys=() next=() comment=() reread=() expand=()
            while IFS= read -r l; do
              case $l in
                '"\C-x\C-\\'*) ;;  # the integration's own keys (bound again below)
                # (edit-and-execute runs the buffer through fc, where no check would see it.)
                *': accept-line'|*': edit-and-execute-command'|*': vi-edit-and-execute-command') keys+=("${l%: *}") ;;
                # readline 8.3's M-x runs any function by name, accept-line included.
                *': execute-named-command') k=${l%: *}; k=${k#\"}; bind -m "$km" -r "${k%\"}" ;;
                *': operate-and-get-next') next+=("${l%: *}") ;;
                *': insert-comment'|*': vi-insert-comment') comment+=("${l%: *}") ;;
                *': re-read-init-file') reread+=("${l%: *}") ;;
                *': shell-expand-line') expand+=("${l%: *}") ;;
              esac
            done < <(bind -m "$km" -p 2>/dev/null)
            # A macro that types Ctrl-X or Ctrl-\ could reach the private keys below (readline
            # takes a macro's keys as typed ones; the bastion removes Ctrl-\ from what is typed):
            # such a macro, from an inputrc, is unbound; the integration's own stay.
            while IFS= read -r l; do
              case $l in
                *': "\C-x\C-\\a\C-x\C-\\'[bc]'"'|*': "\C-a#\C-x\C-\\a\C-x\C-\\b"'|*': "0i#\C-x\C-\\a\C-x\C-\\b"') ;;
                *': "'*'\C-x'*|*': "'*'\C-\\'*|*': "'*'\030'*|*': "'*'\034'*|*': "'*$'\030'*|*': "'*$'\034'*) k=${l%%\": *}; bind -m "$km" -r "${k#\"}" 2>/dev/null ;;
              esac
            done < <(bind -m "$km" -s 2>/dev/null)
            bind -m "$km" -x '"\C-x\C-\\a": __bastion_check'
            bind -m "$km" '"\C-x\C-\\b": accept-line'
            bind -m "$km" '"\C-x\C-\\c": operate-and-get-next'
            for k in '"\C-m"' '"\C-j"' "${keys[@]}"; do
              bind -m "$km" "$k"': "\C-x\C-\\a\C-x\C-\\b"'
            done
            # Operate-and-get-next still loads the history line after the one it accepts (the
            # next buffer starts with it).
            for k in "${next[@]}"; do
              bind -m "$km" "$k"': "\C-x\C-\\a\C-x\C-\\c"'
            done
            # Commenting a line out accepts it too: comment it, then the usual check.
            [[ $km == vi-command ]] && c='0i#' || c='\C-a#'
            for k in "${comment[@]}"; do
              bind -m "$km" "$k"': "'"$c"'\C-x\C-\\a\C-x\C-\\b"'
            done
            for k in "${reread[@]}"; do
              bind -m "$km" -x "$k"': __bastion_reread'
            done
            # shell-expand-line (Esc Ctrl-E) runs the line's command substitutions at the key,
            # with no Enter: it expands history and aliases only.
            for k in "${expand[@]}"; do
              bind -m "$km" "$k"': history-and-alias-expand-line'
            done
          done
        }
        __bastion_reread() {
          local f
          f=${INPUTRC:-~/.inputrc}
          [[ -r $f ]] || f=/etc/inputrc
          bind -f "$f" 2>/dev/null || :
          __bastion_bind_keys
        }
        __bastion_bind_keys
        # Nothing the person runs later (a sourced file, eval of built text) may redefine what
        # the check runs or the descriptors it uses: bash refuses to change readonly ones.
        readonly __bastion_vfd __bastion_wfd __bastion_tty __bastion_early_ok __bastion_shown
        readonly -f __bastion_dbl __bastion_esc __bastion_report_aliases __bastion_token __bastion_kept __bastion_check __bastion_expanded \
          __bastion_stop __bastion_halt __bastion_prompt __bastion_announce __bastion_bind_keys __bastion_reread
        printf '\#(osc);R\a' >&$__bastion_tty
        """#
    }
}
