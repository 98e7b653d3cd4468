import ConfigReader
import Foundation

/// The `approvals:` section: how people are told about commands waiting for approval.
public struct ApprovalSettings: Sendable {
    /// Where escalations and decisions are posted; nil when no webhook is configured.
    public var webhook: WebhookSettings?

    /// No webhook: approvers learn of requests only through `bastion approvals`.
    public init(webhook: WebhookSettings? = nil) {
        self.webhook = webhook
    }

    static let keys: Set<String> = ["webhook"]

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> ApprovalSettings {
        let f = try node.mapping(allowed: keys)
        return ApprovalSettings(webhook: try f["webhook"].map { try WebhookSettings.parse($0, baseDirectory: baseDirectory) })
    }
}
