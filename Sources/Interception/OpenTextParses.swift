import ShellParser

/// The parses of texts the shell was left reading a here-document's body or a quoted string
/// in, kept so that the next line read on from one is parsed by itself
/// (``ShellAnalyzer/analyze(bytes:knownValues:readingOnFrom:)``): a long here-document pasted into
/// a shell read from the screen, decided at each of its line ends, then costs in proportion to
/// its size rather than to its size times its lines.
///
/// A cache: a parse found here is the one the whole text would give, with the same values.
/// (Copies of an interceptor share it, unlike the rest of their state: one session's thread uses
/// them.)
final class OpenTextParses {
    private struct Entry {
        var text: String
        var knownValues: [String: [String]]
        var analysis: LineAnalysis
    }

    /// The most parses kept, and the most text they may hold together (the latest are kept: a
    /// line end decides a few readings of the lines at once, none longer than
    /// ``Interceptor/openCommandLimit``).
    static let capacity = (entries: 8, bytes: 256 << 10)
    private var entries: [Entry] = []
    private var bytesKept = 0

    /// `text` parsed with `knownValues`, from the parse of its lines before the last where one
    /// is kept.
    func analyze(_ text: String, knownValues: [String: [String]]) -> LineAnalysis {
        let bytes = Array(text.utf8)
        let analysis: LineAnalysis
        if let previous = parse(ofTextBeforeLastLineOf: bytes, knownValues: knownValues) {
            analysis = ShellAnalyzer.analyze(bytes: bytes, knownValues: knownValues, readingOnFrom: previous)
        } else {
            analysis = ShellAnalyzer.analyze(bytes: bytes, knownValues: knownValues)
        }
        if analysis.openText != nil, bytes.count <= Self.capacity.bytes {
            entries.append(Entry(text: text, knownValues: knownValues, analysis: analysis))
            bytesKept += bytes.count
            while entries.count > Self.capacity.entries || bytesKept > Self.capacity.bytes {
                bytesKept -= entries.removeFirst().text.utf8.count
            }
        }
        return analysis
    }

    private func parse(ofTextBeforeLastLineOf bytes: [UInt8], knownValues: [String: [String]]) -> LineAnalysis? {
        guard let lineEnd = bytes.lastIndex(of: 0x0A), entries.contains(where: { $0.text.utf8.count == lineEnd }) else { return nil }
        let before = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        return entries.last { $0.text == before && $0.knownValues == knownValues }?.analysis
    }
}
