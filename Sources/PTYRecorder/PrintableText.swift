/// Makes recorded text safe to print on the auditor's terminal in listings: control characters
/// (C0, DEL, C1) become `\xNN`, so a hostile command line cannot carry escape sequences.
public enum PrintableText {
    /// `text` with control characters escaped.
    public static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` with control characters as `\xNN`, characters that reorder or hide text (bidi
    /// controls, zero-width ones) as `\u{XXXX}`, and `\` doubled: what a person reads is what
    /// would run, and an escape cannot be imitated.
    public static func unambiguous(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C:
                out += "\\\\"
            case _ where hidesText(scalar):
                out += codePoint(scalar)
            default:
                out += escaped(String(scalar))
            }
        }
        return out
    }

    /// A command line for one row of a listing or one line of a notice: unambiguous, newlines
    /// shown as `⏎`, cut to `width` characters.
    public static func oneLine(_ text: String, width: Int) -> String {
        let flat = unambiguous(text.replacingOccurrences(of: "\n", with: " ⏎ "))
        return flat.count > width ? String(flat.prefix(width - 1)) + "…" : flat
    }

    /// Whether `scalar` reorders or hides text where it is printed: bidi controls, zero-width
    /// characters, the soft hyphen, line and paragraph separators, tag characters, fillers that
    /// show as nothing. Listings show them as `\u{XXXX}`, so what is read is what is there.
    public static func hidesText(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F,
             0x3164, 0xFEFF, 0xFFA0, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default:
            return false
        }
    }

    /// `\u{XXXX}` for `scalar`.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }

    /// `h:mm:ss.mmm` or `m:ss.mmm`.
    public static func duration(_ seconds: Double) -> String {
        let clamped = seconds.isFinite ? max(0, min(seconds, 1e9)) : 0
        let millis = Int((clamped * 1000).rounded(.down))
        let hours = millis / 3_600_000, minutes = millis / 60_000 % 60, secs = millis / 1000 % 60, rest = millis % 1000
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let tail = "\(pad(secs, 2)).\(pad(rest, 3))"
        return hours > 0 ? "\(hours):\(pad(minutes, 2)):\(tail)" : "\(minutes):\(tail)"
    }
}
