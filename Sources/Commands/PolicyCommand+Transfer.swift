import ArgumentParser
import ConfigReader
import Foundation
import Policy
import SystemFiles

/// `bastion policy explain --transfer OPERATION:PATH [--size N] [--home DIR]`: the decision on
/// one file operation, as the transfer gates ask it (the path taken as the target resolved it).
extension PolicyCommand.Explain {
    func explainTransfer(_ spec: String, engine: PolicyEngine, subject: Subject, target: PolicyTarget, output: OutputStreams) throws {
        guard let colon = spec.firstIndex(of: ":"), let operation = TransferOperation(rawValue: String(spec[..<colon])) else {
            throw ValidationError("--transfer takes OPERATION:PATH with OPERATION one of \(TransferOperation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let path = String(spec[spec.index(after: colon)...])
        guard !path.isEmpty else { throw ValidationError("--transfer needs a path after the operation") }
        var bytes: Int64?
        if let size {
            guard let parsed = ConfigNode.byteSize(size) else { throw ValidationError("--size must be like 4096, 512K, 100M or 2G, not '\(size)'") }
            bytes = parsed
        }
        let request = TransferRequest(operation: operation, path: path, home: home, size: bytes)
        let decision = engine.decideTransfer(subject: subject, target: target, request: request)
        if json {
            struct Report: Encodable {
                var decision, operation, path, user, target, message: String
                var role, rule: String?
                var approvers: [String]?
                var approvals: Int?
                var maxFileSize: Int64?
                var size: Int64?
            }
            var report = Report(decision: decision.verdict.word, operation: operation.rawValue, path: PathNormalizer.normalize(path),
                                user: subject.user, target: target.name, message: decision.message, role: decision.role,
                                rule: decision.ruleID, maxFileSize: decision.maxFileSize, size: bytes)
            if case .escalate(let groups, let count) = decision.verdict {
                report.approvers = groups
                report.approvals = count
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            output.print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        var words = "\(decision.verdict.word): \(operation.rawValue) \(PathNormalizer.normalize(path))"
        if let bytes { words += " (\(bytes) bytes)" }
        output.print(words)
        output.print("  role: \(decision.role ?? "-")  rule: \(decision.ruleID ?? "-")")
        output.print("  \(decision.message)")
        if case .escalate(let groups, let count) = decision.verdict {
            output.print("  needs \(count) approval(s) from \(groups.joined(separator: ", "))")
        }
        if decision.verdict == .allow, let limit = decision.maxFileSize { output.print("  files up to \(limit) bytes") }
    }
}
