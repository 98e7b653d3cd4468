import Foundation
import TestSupport
import Testing
@testable import ShellParser

/// Hostile input never crashes, never hangs: bounded nesting, linear time on a megabyte.
struct BadInputTests {
    static let megabyte = 1 << 20

    static func timed(_ bytes: [UInt8]) -> (LineAnalysis, Double) {
        let start = Date()
        let analysis = ShellAnalyzer.analyze(bytes: bytes)
        return (analysis, Date().timeIntervalSince(start))
    }

    static let patterns: [(String, String)] = [
        ("(", "incomplete"), ("a|", "incomplete"), ("$(", "error"), ("`", "complete"), ("{ ", "error"),
        ("\"", "complete"), ("'", "complete"), ("$((", "error"), ("((", "incomplete"), ("${", "error"),
        ("<(", "error"), ("if a; then ", "error"), ("x ", "complete"), ("\\", "complete"), ("{a,b}", "complete"),
        ("$'\\", "incomplete"), ("<<E ", "incomplete"), ("; ", "error"), ("a=(", "error"), ("[[ ", "error"),
    ]

    static func repeated(_ unit: [UInt8], to size: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size + unit.count)
        while bytes.count < size { bytes += unit }
        return bytes
    }

    /// A megabyte of each repeated pattern gives a status, in time linear in the size (a quarter
    /// megabyte is timed too: four times the input may not take much more than four times as long; quadratic time would take sixteen).
    @Test(arguments: patterns)
    func megabyteOfPattern(pattern: String, expected: String) {
        let unit = Array(pattern.utf8)
        let bytes = BadInputTests.repeated(unit, to: BadInputTests.megabyte)
        let (_, quarterSeconds) = BadInputTests.timed(BadInputTests.repeated(unit, to: BadInputTests.megabyte / 4))
        let (analysis, seconds) = BadInputTests.timed(bytes)
        let status: String
        switch analysis.status {
        case .complete: status = "complete"
        case .incomplete: status = "incomplete"
        case .error(let error):
            status = "error"
            #expect(error.offset >= 0 && error.offset <= bytes.count)
        }
        #expect(status == expected, "pattern \(pattern)")
        #expect(seconds < quarterSeconds * 12 + 1.0, "pattern \(pattern): 1 MB took \(seconds)s, 256 KB \(quarterSeconds)s")
    }

    /// Deep `$(` nesting stops with a clean nesting error.
    @Test func deepSubstitutionNesting() {
        let line = String(repeating: "echo $(", count: 10_000) + String(repeating: ")", count: 10_000)
        guard case .error(let error) = ShellAnalyzer.analyze(line).status else {
            Issue.record("expected an error"); return
        }
        #expect(error.message.hasPrefix("nesting too deep"))
    }

    /// Invalid UTF-8 and NUL bytes are words like any other.
    @Test func invalidUTF8AndNUL() {
        let analysis = ShellAnalyzer.analyze(bytes: [0x72, 0x6D, 0x20, 0xFF, 0xFE, 0x00, 0x41, 0x3B, 0xC3])
        #expect(analysis.status == .complete)
        #expect(analysis.commands.count == 2)
        #expect(analysis.commands[0].argv[0].text == "rm")
        #expect(analysis.commands[0].range == 0..<7)
    }

    /// Random bytes from a fixed seed never crash and always give a sane status.
    @Test func randomBytes() {
        var generator = SeededGenerator(seed: 7)
        let alphabet = Array("ab $'\"`\\(){}[]<>|&;#=~*?!\n\t-c0123".utf8) + [0x00, 0xFF]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            let analysis = ShellAnalyzer.analyze(bytes: bytes)
            if case .error(let error) = analysis.status { #expect(error.offset >= 0 && error.offset <= bytes.count) }
            for command in analysis.commands { #expect(command.range.lowerBound >= 0 && command.range.upperBound <= bytes.count) }
        }
    }

    /// Inputs the fuzzer found (kept as regressions) parse quickly.
    @Test(arguments: FuzzRegressions.inputs)
    func fuzzRegressions(bytes: [UInt8]) {
        #expect(!bytes.isEmpty)
        let (_, seconds) = BadInputTests.timed(bytes)
        #expect(seconds < 1)
    }
}
