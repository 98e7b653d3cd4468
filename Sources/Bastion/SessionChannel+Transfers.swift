internal import CLibSSH
import Foundation
import Policy
import SessionCore
import Transfers

/// The relay of a transfer channel: both sides' bytes pass through its ``TransferGate``, which
/// decides each file operation; what the gate returns waits in an ``Outbox`` for the receiving
/// window, and a side is read only while the outbox it feeds is empty (back-pressure). The
/// byte stream is not recorded: the transfer log and the recording's markers say what moved.
extension SessionChannel {
    func pumpTransfer(_ target: TargetLink, _ targetChannel: OpaquePointer, buffer: UnsafeMutableRawBufferPointer) -> Bool {
        var moved = flushOutboxes(targetChannel)
        if machine.isClosed { return true }

        if machine.readsClient, toTargetOutbox.isEmpty, transfers?.acceptsClientInput == true {
            let window = Int(ssh_channel_window_size(targetChannel))
            if window > 0 {
                let n = ssh_channel_read_nonblocking(channel, buffer.baseAddress, UInt32(min(window, buffer.count)), 0)
                if n > 0 {
                    countTransferred(fromClient: Int(n))
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
                    perform(gateOutput { $0.clientBytes(chunk) }, targetChannel)
                    moved = true
                    if machine.isClosed { return true }
                } else if n == SSH_ERROR {
                    handle(.failed(.clientChannel))
                    return true
                } else if ssh_channel_is_eof(channel) != 0, toTargetOutbox.isEmpty {
                    if transferHold != nil {
                        // The client ended its input while an operation waits for approvers (its
                        // sftp was killed and its ssh lives on): nobody is left to want it.
                        withdrawTransferApproval(reason: "the client ended its input")
                        moved = true
                    } else if transfers?.isHoldingRequests != true {
                        transfers?.clientInputEnded()
                        handle(.clientEOF)
                    }
                }
            }
        }

        if toClientOutbox.isEmpty {
            let window = Int(ssh_channel_window_size(channel))
            if window > 0 {
                let n = ssh_channel_read_nonblocking(targetChannel, buffer.baseAddress, UInt32(min(window, buffer.count)), 0)
                if n > 0 {
                    countTransferred(fromTarget: Int(n))
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n)])
                    perform(gateOutput { $0.targetBytes(chunk) }, targetChannel)
                    moved = true
                    if machine.isClosed { return true }
                }
                // The target's stderr (its sftp-server or scp complaining) goes to the person.
                let e = ssh_channel_read_nonblocking(targetChannel, buffer.baseAddress, UInt32(min(window, buffer.count)), 1)
                if e > 0 {
                    let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<Int(e)])
                    handle(.targetData(chunk, .stderr), chunk: chunk)
                    moved = true
                    if machine.isClosed { return true }
                }
            }
        }

        return reportEnds(target, targetChannel, targetDrained: toClientOutbox.isEmpty) || moved
    }

    /// Runs `body` on the gate (taken out while it runs, so the gate is never copied).
    private func gateOutput(_ body: (inout any TransferGate) -> TransferOutput) -> TransferOutput {
        guard var gate = transfers else { return TransferOutput() }
        transfers = nil
        let out = body(&gate)
        transfers = gate
        return out
    }

    /// Writes down the gate's events, then queues its bytes and sends what the windows take.
    /// Nothing is sent on for a decision that could not be written down.
    private func perform(_ out: TransferOutput, _ targetChannel: OpaquePointer?) {
        for event in out.events {
            switch event {
            case .decided(let entry):
                guard owner?.writeTransfer(entry, channel: self) == true else {
                    return refuse("bastion: a transfer decision cannot be recorded, so the session is ended", exitStatus: 255,
                                  reason: "audit failed")
                }
            case .finished(let outcome):
                owner?.finishTransfer(outcome, channel: self)
            case .approvalNeeded(let entry, let decision):
                requestTransferApproval(entry, decision)
            }
        }
        for notice in out.notices { notify(notice) }
        toTargetOutbox.append(out.toTarget)
        toClientOutbox.append(out.toClient)
        if let refusal = out.refusal {
            owner?.auditEvent("transfer_limit", detail: refusal, channel: self)
            return refuse("bastion: \(refusal); the transfer is ended", exitStatus: 1, reason: "transfer limit")
        }
        if let failure = out.failure {
            owner?.auditEvent("transfer_protocol_error", detail: failure, channel: self)
            return refuse("bastion: \(failure); the transfer is ended", exitStatus: 255, reason: "transfer protocol error")
        }
        if let targetChannel { _ = flushOutboxes(targetChannel) }
    }

    /// Sends what the windows take; whether anything moved.
    private func flushOutboxes(_ targetChannel: OpaquePointer) -> Bool {
        guard let toTarget = toTargetOutbox.flush(to: targetChannel) else {
            handle(.failed(.targetWrite))
            return true
        }
        guard let toClient = toClientOutbox.flush(to: channel) else {
            handle(.failed(.clientWrite))
            return true
        }
        return toTarget > 0 || toClient > 0
    }

    private func requestTransferApproval(_ entry: TransferEntry, _ decision: TransferDecision) {
        let result = owner?.requestApproval(for: entry, decision: decision, channel: self)
            ?? .failure(ApprovalUnavailable(message: "bastion: approvals are unavailable, so the operation is refused"))
        switch result {
        case .success(let ticket):
            transferHold = (ticket.id, entry.sequence)
            owner?.noteTransferApproval(sequence: entry.sequence, request: ticket.id, status: "pending", channel: self)
        case .failure(let refusal):
            transferApprovalAnswered(approved: false, message: refusal.message)
        }
    }

    /// The approvers answered the file operation the gate holds.
    func transferApprovalAnswered(approved: Bool, message: String?) {
        if let hold = transferHold {
            let why = message.map { ": " + ($0.hasPrefix("bastion: ") ? String($0.dropFirst(9)) : $0) } ?? ""
            owner?.noteTransferApproval(sequence: hold.sequence, request: hold.request, status: approved ? "approved" : "refused" + why,
                                        channel: self)
        }
        transferHold = nil
        // The SFTP status carries the reason too, but OpenSSH's client shows only "Permission
        // denied": the reason goes to the channel's stderr, as the approval notice does.
        if !approved, let message, !message.isEmpty {
            notify(message.hasPrefix("bastion:") ? message : "bastion: " + message)
        }
        perform(gateOutput { $0.approvalAnswered(approved: approved, message: message) }, target?.channel)
    }

    /// Withdraws the request of the operation the gate holds, which is then refused.
    private func withdrawTransferApproval(reason: String) {
        guard let id = transferHold?.request else { return }
        withdrawApproval(id, reason: reason)
        transferApprovalAnswered(approved: false, message: "bastion: request \(id) withdrawn: \(reason)")
    }

    /// The channel ended: files still open are partial in the transfer log.
    func finishTransfers() {
        guard var gate = transfers else { return }
        transfers = nil
        for case .finished(let outcome) in gate.finish() { owner?.finishTransfer(outcome, channel: self) }
        if let hold = transferHold {
            transferHold = nil
            withdrawApproval(hold.request, reason: "the session ended")
            owner?.noteTransferApproval(sequence: hold.sequence, request: hold.request, status: "refused: withdrawn: the session ended",
                                        channel: self)
        }
    }
}
