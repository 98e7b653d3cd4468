import ShellParser
import Testing
@testable import Policy

/// Engine-level wrapping, independent of the parser: whatever surrounds a denied command (other
/// commands before or after, a wrapper it is derived from), the line stays denied.
@Suite struct WrappedCommandTests {
    /// Adding allowed commands, or presenting the denied one as derived through wrappers, never allows it.
    @Test(arguments: destructiveCases)
    func surroundingsNeverAllow(_ label: String, _ line: LineAnalysis, _ rule: String) {
        let extras: [[ExtractedCommand]] = [[cmd("true")], [cmd("ls -la")], [cmd("sudo x")], [cmd("echo ok"), cmd("make")]]
        for extra in extras {
            for wrapped in [extra + line.commands, line.commands + extra] {
                let decision = decide(guardEngine, LineAnalysis(status: .complete, commands: wrapped), text: label)
                #expect(decision.verdict == .deny, "\(label)")
            }
        }
        for via in [["sudo"], ["env"], ["bash -c"], ["sudo", "sh -c"], ["nohup"], ["xargs"]] {
            let derived = line.commands.map { command -> ExtractedCommand in
                var copy = command
                copy.derived = true
                copy.via = via + command.via
                return copy
            }
            let decision = decide(guardEngine, LineAnalysis(status: .complete, commands: [cmd("wrapper")] + derived), text: label)
            #expect(decision.verdict == .deny, "\(label) via \(via)")
        }
    }
}
