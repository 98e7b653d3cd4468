import PTYRecorder
import TerminalModel

/// The requester's screen as the recording shows it so far: what approvers read before they
/// answer (`approvals show`).
public enum RecordingScreenExcerpt {
    /// The last `count` non-blank-ended rows of the screen after replaying `path`'s output;
    /// empty when the file cannot be read.
    public static func lastLines(path: String, count: Int) -> [String] {
        guard let reader = try? AsciicastReader(path: path) else { return [] }
        let screen = TerminalScreen(columns: max(1, reader.header.width), rows: max(1, reader.header.height))
        // (A size counts once output follows it: a storm of resizes is one.)
        var pending: (columns: Int, rows: Int)?
        func applyPending() {
            if let size = pending { screen.resize(columns: size.columns, rows: size.rows) }
            pending = nil
        }
        while let event = try? reader.next(codes: ["o", "r"]) {
            if event.code == "o" {
                applyPending()
                screen.feed(event.data)
            } else if let size = Self.size(event.text) {
                pending = size
            }
        }
        applyPending()
        return screen.snapshot(lastRows: count)
    }

    /// `120x40` → (120, 40).
    private static func size(_ text: String) -> (columns: Int, rows: Int)? {
        let parts = text.split(separator: "x")
        guard parts.count == 2, let columns = Int(parts[0]), let rows = Int(parts[1]), columns > 0, rows > 0,
              columns <= 1000, rows <= 1000 else { return nil }
        return (columns, rows)
    }
}
