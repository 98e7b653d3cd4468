import Configuration
import Foundation
import Policy
import PTYRecorder

/// `ssh carol@bastion watch SESSION`: following a running session's screen, read-only.
extension ClientConnection {
    /// The one answer for a session that is not running and one the person may not watch.
    static func noSuchSession(_ text: String) -> String {
        "bastion: no running session '\(text)' that you may watch"
    }

    /// Starts following the session named in `arguments`, if `person` may: an approver of its
    /// target's escalations, or a role granting `auditor` there. Every viewer is audited and
    /// marked in the watched session's recording.
    func startWatch(_ arguments: String, on channel: SessionChannel, for person: Person) {
        guard let words = Self.words(arguments), words.count == 1, let wanted = words.first else {
            return channel.refuse("bastion: usage: watch SESSION (the id from `approvals show`, or its first 8 characters or more)",
                                  exitStatus: 2, reason: "watch command unreadable")
        }
        guard let mailbox, let live = context.live.find(wanted), live.id != channel.id,
              let target = context.config.target(named: live.target), mayWatch(target, person: person) else {
            auditEvent("watch_refused", detail: "\(person.identity) asked to watch '\(wanted)'")
            return channel.refuse(Self.noSuchSession(PrintableText.escaped(String(wanted.prefix(80)))), exitStatus: 1, reason: "watch refused")
        }
        auditEvent("watch_started", detail: "\(person.identity) watches session \(live.id) (\(live.identity) on \(live.target))",
                   session: live.id)
        live.mailbox.post(.marker(session: live.id, label: "watched by \(person.identity)"))
        channel.handle(.servedLocally)
        let size = live.size
        channel.writeStdout("bastion: watching session \(live.id) (\(PrintableText.escaped(live.identity)) on \(live.target), \(size.columns)x\(size.rows)), read-only; Ctrl-C or q leaves\n")
        channel.watch = (live, live.join(mailbox: mailbox))
    }

    /// The viewer left or the session ended.
    func endWatch(_ watch: (session: LiveSession, viewer: Viewer), channel: SessionChannel) {
        watch.session.leave(watch.viewer)
        auditEvent("watch_ended", detail: "\(person?.identity ?? "?") stopped watching session \(watch.session.id): \(channel.endReason)",
                   session: watch.session.id)
        watch.session.mailbox.post(.marker(session: watch.session.id, label: "no longer watched by \(person?.identity ?? "?")"))
    }

    private func mayWatch(_ target: TargetConfig, person: Person) -> Bool {
        let policyTarget = AccessControl.policyTarget(target)
        if !context.access.engine.approverGroups(for: policyTarget).isDisjoint(with: person.groups) { return true }
        return context.access.allows(.auditor, for: person, on: target)
    }
}
