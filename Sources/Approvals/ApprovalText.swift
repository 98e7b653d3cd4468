import Foundation
import PTYRecorder

/// How requests are written for people: control characters escaped (a line or comment cannot
/// carry escape sequences to an approver's terminal), times in UTC.
public enum ApprovalText {
    /// `text` with control characters as `\xNN`, characters that reorder or hide text (bidi
    /// controls, zero-width ones) as `\u{XXXX}`, and `\` doubled, so what an approver reads is
    /// what would run, and an escape cannot be imitated.
    public static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C:
                out += "\\\\"
            case _ where PrintableText.hidesText(scalar):
                out += PrintableText.codePoint(scalar)
            default:
                out += PrintableText.escaped(String(scalar))
            }
        }
        return out
    }

    /// A command line for one row of a listing: escaped, newlines shown as `⏎`, cut to `width`.
    public static func oneLine(_ text: String, width: Int) -> String {
        let flat = escaped(text.replacingOccurrences(of: "\n", with: " ⏎ "))
        return flat.count > width ? String(flat.prefix(width - 1)) + "…" : flat
    }

    /// `2026-11-30 12:04:05 UTC`.
    public static func utc(_ epoch: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: epoch))
    }
}
