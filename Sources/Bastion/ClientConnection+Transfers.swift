import Configuration
import Foundation
import Policy
import SessionCore
import Transfers

/// What a transfer channel runs on the target: the SFTP subsystem, or an exec of legacy scp or
/// of rsync's server, each with the gate that decides it.
enum TransferExec {
    case scp(SCPCommand)
    case rsync(RsyncCommand)

    /// `kind` for the sessions table.
    var kind: String {
        switch self {
        case .scp: return "scp"
        case .rsync: return "rsync"
        }
    }

    /// The line the target runs for the exec line `command` this was recognised from (rsync may
    /// add `--safe-links`: ``RsyncCommand/lineToRun(_:)``).
    func lineToRun(_ command: String) -> String {
        switch self {
        case .scp: return command
        case .rsync(let rsync): return rsync.lineToRun(command)
        }
    }

    /// The paths to ask the target about before deciding (``TargetPaths``).
    var targetQueries: [String] {
        switch self {
        case .scp(let command): return command.targetQueries
        case .rsync(let command): return command.paths + command.optionDirectories
        }
    }

    /// How far below its paths the target lists symbolic links: legacy scp follows every link it
    /// meets, which its protocol does not show (rsync keeps to its own rules, decided on its
    /// command line).
    var linkListing: TargetPaths.LinkListing? {
        switch self {
        case .scp(let command): return command.recursive ? .tree : .entries
        case .rsync: return nil
        }
    }

    /// Whether `command` is a transfer's exec line, `scp -t|-f …` or `rsync --server …` (nil when
    /// it is not: `scp a host:b` run on the target is an ordinary command), and if so whether it
    /// reads as one the bastion can decide.
    static func recognise(_ command: String) -> Result<TransferExec, TransferExecRefusal>? {
        let first = Route.splitFirstWord(command).0 ?? ""
        let program = first.split(separator: "/").last.map(String.init) ?? first
        switch program {
        case "scp":
            // Without -t or -f it is scp run as a command on the target, decided by command rules.
            let words = command.split(separator: " ")
            guard words.contains("-t") || words.contains("-f") else { return nil }
            return SCPCommand.parse(command).map(TransferExec.scp).mapError { TransferExecRefusal(message: "\($0)") }
        case "rsync" where command.contains("--server"):
            return RsyncCommand.parse(command).map(TransferExec.rsync).mapError { TransferExecRefusal(message: "\($0)") }
        default:
            return nil
        }
    }
}

/// Why a transfer's exec line is refused.
struct TransferExecRefusal: Error {
    var message: String
}

extension ClientConnection {
    /// Decides an rsync command line: every path it names (where the target says it is:
    /// ``TargetPaths``), for the operations it would do. Each decision is
    /// logged; false when one refused it: the channel is refused, and the rows of the allowed
    /// paths say nothing moved. Legacy scp is decided file by file as its records cross.
    func decide(_ rsync: RsyncCommand, paths: TargetPaths, channel: SessionChannel, person: Person, target: TargetConfig) -> Bool {
        let engine = context.access.engine
        let subject = AccessControl.subject(person), policyTarget = AccessControl.policyTarget(target)
        var sequence = 0
        var allowed: [Int] = []
        /// The command is refused: the rows of its allowed paths say nothing moved.
        func closeAllowed(_ why: String) {
            for number in allowed {
                finishTransfer(TransferOutcome(sequence: number, bytes: 0, sha256: Self.emptySHA256, startOffset: 0, complete: false,
                                               note: "not run: \(why)"), channel: channel)
            }
        }
        for request in rsync.requests(home: paths.home, places: paths.places) {
            let decision = engine.decideTransfer(subject: subject, target: policyTarget, request: request)
            sequence += 1
            let entry = TransferEntry(sequence: sequence, operation: request.operation, path: request.path,
                                      decision: decision.verdict.word, rule: decision.ruleID, message: decision.message)
            guard writeTransfer(entry, channel: channel) else {
                closeAllowed("the transfer could not be audited")
                channel.refuse("bastion: the transfer cannot be audited, so it is refused", exitStatus: 255, reason: "audit failed")
                return false
            }
            let rule = decision.ruleID.map { " (rule \($0))" } ?? ""
            switch decision.verdict {
            case .allow:
                allowed.append(sequence)
                continue
            case .deny:
                closeAllowed("the command's \(request.operation.rawValue) of \(request.path) was denied")
                channel.refuse("bastion: denied\(rule): \(request.operation.rawValue) \(request.path): \(decision.message)",
                               exitStatus: 1, reason: "transfer denied")
                return false
            case .escalate:
                closeAllowed("the command's \(request.operation.rawValue) of \(request.path) needs approval, which rsync cannot wait for")
                channel.refuse("bastion: \(request.operation.rawValue) \(request.path) needs approval\(rule): \(decision.message); "
                               + "rsync cannot wait for approvers: use sftp, whose operations can", exitStatus: 1, reason: "transfer needs approval")
                return false
            }
        }
        return true
    }

    /// The SHA-256 of no bytes.
    static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The gate that decides the file operations of a transfer channel now connected.
    func transferGate(for plan: SessionChannel.TargetPlan, person: Person, paths: TargetPaths?) -> (any TransferGate)? {
        let subject = AccessControl.subject(person), policyTarget = AccessControl.policyTarget(plan.target), context = self.context
        let sessionLimit = context.access.engine.transferSessionLimit(subject: subject, target: policyTarget)
        // The policy in force at each operation: a reload applies to the next one.
        let decide: (TransferRequest) -> TransferDecision = {
            context.access.engine.decideTransfer(subject: subject, target: policyTarget, request: $0)
        }
        switch (plan.start, plan.transferExec) {
        case (.subsystem, _):
            return SFTPGate(sessionLimit: sessionLimit, decide: decide)
        case (_, .scp(let command)?):
            return SCPGate(command: command, home: paths?.home, places: paths?.places, links: paths?.links ?? [:], sessionLimit: sessionLimit,
                           decide: decide)
        case (_, .rsync(let command)?):
            // The stream is bounded by the smallest size limit of its paths and the session's.
            let requests = command.requests(home: paths?.home, places: paths?.places)
            let limits = requests.map { decide($0) }.filter { $0.verdict == .allow }.compactMap(\.maxFileSize)
            let limit = (limits + [sessionLimit].compactMap { $0 }).min()
            // (Row k is the command's k-th request: ``decide(_:paths:channel:person:target:)``.)
            return StreamGate(direction: command.direction, sequence: 1, otherRows: Array(requests.indices.dropFirst().map { $0 + 1 }), limit: limit)
        default:
            return nil
        }
    }
}
