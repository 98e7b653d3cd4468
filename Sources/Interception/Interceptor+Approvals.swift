import Policy
import PTYRecorder
import SessionCore
import ShellParser

/// A line held for approvers: the request, its answer, its withdrawal.
extension Interceptor {
    /// The driver stored the approval request for the line ``InterceptorOutput/approvalNeeded``
    /// named; Ctrl-C withdraws it by this id.
    public mutating func approvalRequested(id: String) {
        check?.requestID = id
    }

    /// The held line's request was answered: approved → the check goes on (later commands of a
    /// paste are decided in turn); refused (denied, timed out, not storable) → discarded, and the
    /// person reads `message`.
    public mutating func approvalAnswered(approved: Bool, message: String?, now: Double) -> InterceptorOutput {
        var out = InterceptorOutput()
        guard shell == .awaitingApproval, let pending = check, let index = pending.heldIndex else { return out }
        lastEvent = max(lastEvent, now)
        if approved {
            check?.heldIndex = nil
            check?.requestID = nil
            pendingRisk = ShellRisk.classify(pending.commands[index].source).combined(with: pendingRisk)
            learn(analyze(pending.commands[index].source).assignedValues)
            decideCheck(now: now, into: &out)
        } else {
            refuse(pending, at: index, telling: message, now: now, into: &out)
        }
        return out
    }

    /// The request the shell is waiting on, if any.
    public var heldRequest: String? { shell == .awaitingApproval ? check?.requestID : nil }
}
