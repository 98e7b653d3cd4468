import Foundation
import PTYRecorder

/// How requests are written for people: times in UTC (lines and comments go through
/// ``PrintableText/unambiguous(_:)``: they cannot carry escape sequences to an approver's terminal).
public enum ApprovalText {
    /// `2026-11-30 12:04:05 UTC`.
    public static func utc(_ epoch: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date(timeIntervalSince1970: epoch))
    }
}
