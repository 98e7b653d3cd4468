import Policy
import PTYRecorder
import ShellParser

/// Decides one complete command text for one person on one target: the single place where a
/// line becomes allow, deny or escalate. Exec requests use it; the interactive interceptor and
/// the transfer gate will.
///
/// Pure: it returns the decision with its audit row and marker and writes nothing.
public struct CommandGate: Sendable {
    private let engine: PolicyEngine

    /// A gate over `engine`.
    public init(engine: PolicyEngine) {
        self.engine = engine
    }

    /// Decides `line` as `subject` would run it on `target`, for the session channel `session`,
    /// `offset` seconds into its recording. `workingDirectory`: where the line starts, when known;
    /// `analysis`: the line's, when the caller has parsed it already.
    public func decide(_ line: String, subject: Subject, target: PolicyTarget, session: String, offset: Double,
                       workingDirectory: String? = nil, analysis: LineAnalysis? = nil) -> GateDecision {
        let decision = engine.decide(subject: subject, target: target, line: line, analysis: analysis ?? ShellAnalyzer.analyze(line),
                                     workingDirectory: workingDirectory)
        let word = decision.verdict.word
        return GateDecision(
            decision: decision,
            audit: CommandAudit(session: session, offset: offset, line: line, decision: word, role: decision.role,
                                rule: decision.ruleID, message: decision.message),
            marker: CommandMarker(line: line, decision: word, rule: decision.ruleID))
    }
}
