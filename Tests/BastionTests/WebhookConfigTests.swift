import ConfigReader
import Configuration
import Foundation
import TestSupport
import Testing

/// The `approvals.webhook` section: a bad one is refused at its line, naming the key, and the
/// secret never shows in an error or a description.
struct WebhookConfigTests {
    static let secret = "TOPSECRET-0123456789abcdef"
    static let shortSecret = "SHORT-SECRET"

    /// The good base config plus `approvals` (indented YAML lines), with `secretFile` written
    /// as `webhook.secret` (mode `mode`) next to it.
    func load(_ approvals: String, secretFile: String? = Self.secret + "\n", mode: mode_t = 0o600) throws -> BastionConfig {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = ProcessRunner.shell("ssh-keygen -q -t ed25519 -N '' -f \(dir)/ca")
        if let secretFile {
            try secretFile.write(toFile: dir + "/webhook.secret", atomically: false, encoding: .utf8)
            chmod(dir + "/webhook.secret", mode)
        }
        let text = [ConfigurationTests.good, ConfigurationTests.minimalPolicy, approvals].joined(separator: "\n") + "\n"
        try text.write(toFile: dir + "/bastion.yaml", atomically: true, encoding: .utf8)
        return try BastionConfig.load(file: dir + "/bastion.yaml")
    }

    /// Every error from loading, or [] when it loads.
    func errors(_ approvals: String, secretFile: String? = Self.secret + "\n", mode: mode_t = 0o600) -> [ConfigError] {
        do {
            _ = try load(approvals, secretFile: secretFile, mode: mode)
            return []
        } catch let e as ConfigErrors {
            return e.errors
        } catch let e as ConfigError {
            return [e]
        } catch {
            return [ConfigError(file: "?", line: 0, column: 0, message: "unexpected \(error)")]
        }
    }

    static func webhook(_ lines: String...) -> String {
        "approvals:\n  webhook:\n" + lines.map { "    " + $0 }.joined(separator: "\n")
    }

    /// Without the section there is no webhook; with it, the file's secret (newline trimmed),
    /// the URL, and the defaults (5s, 5 attempts) or the values given.
    @Test func loads() throws {
        #expect(try load("").approvals.webhook == nil)

        let fromFile = try #require(try load(Self.webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret")).approvals.webhook)
        #expect(fromFile.url.absoluteString == "http://127.0.0.1:9000/hook")
        #expect(fromFile.secret == Array(Self.secret.utf8))
        #expect(fromFile.timeout == 5)
        #expect(fromFile.attempts == 5)

        let inline = try #require(try load(Self.webhook(
            "url: https://hooks.example.com/bastion", "secret: \"\(Self.secret)\"", "timeout: 500ms", "attempts: 20"
        )).approvals.webhook)
        #expect(inline.secret == Array(Self.secret.utf8))
        #expect(inline.timeout == 0.5)
        #expect(inline.attempts == 20)
    }

    /// Printing or dumping the settings shows neither the secret nor the URL's credentials or query.
    @Test func secretNeverDescribed() throws {
        let settings = try #require(try load(Self.webhook(
            "url: http://bob:hunter22@127.0.0.1:9000/hook?token=q1w2e3", "secret_file: webhook.secret"
        )).approvals.webhook)
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [settings.description, String(describing: settings), String(reflecting: settings), dumped] {
            #expect(!text.contains(Self.secret), "\(text)")
            #expect(!text.contains("hunter22") && !text.contains("q1w2e3"), "\(text)")
            #expect(text.contains("http://127.0.0.1:9000/...") && !text.contains("/hook"), "the path (where chat webhooks keep their secret) is hidden too: \(text)")
        }
    }

    /// Each bad input is an error at its line naming the key, and no error quotes the secret.
    @Test(arguments: [
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret", "retries: 3"), "unknown key 'retries' in 'approvals.webhook'"),
        ("approvals:\n  hook: {}", "unknown key 'hook' in 'approvals'"),
        (webhook("secret_file: webhook.secret"), "missing required key 'url' in 'approvals.webhook'"),
        (webhook("url: ftp://127.0.0.1/hook", "secret_file: webhook.secret"), "'approvals.webhook.url' must be an http:// or https:// URL"),
        (webhook("url: hooks.example.com/hook", "secret_file: webhook.secret"), "'approvals.webhook.url' must be an http:// or https:// URL (scheme: none)"),
        (webhook("url: 127.0.0.1:9000/hook", "secret_file: webhook.secret"), "'approvals.webhook.url' is not a valid URL: give a full http:// or https:// URL"),
        (webhook("url: http:///hook", "secret_file: webhook.secret"), "'approvals.webhook.url' has no host"),
        (webhook("url: http://exa mple.com/", "secret_file: webhook.secret"), "'approvals.webhook.url' is not a valid URL"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret", "secret: \"\(secret)\""), "give either 'secret' or 'secret_file' in 'approvals.webhook', not both"),
        (webhook("url: http://127.0.0.1:9000/hook"), "missing 'secret' or 'secret_file' in 'approvals.webhook'"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: missing.secret"), "'approvals.webhook.secret_file' file '"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret: \"\(shortSecret)\""), "the secret in 'approvals.webhook.secret' is shorter than 16 bytes"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret: \"\""), "'approvals.webhook.secret' must not be empty"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret", "timeout: 0s"), "'approvals.webhook.timeout' must be above 0"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret", "timeout: soon"), "'approvals.webhook.timeout' must be a duration"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret", "attempts: 0"), "'approvals.webhook.attempts' must be between 1 and 20"),
        (webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret", "attempts: 21"), "'approvals.webhook.attempts' must be between 1 and 20"),
    ])
    func badInputRefused(_ approvals: String, _ phrase: String) {
        let found = errors(approvals)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.message.contains(phrase) == true, "\(found)")
        #expect((found.first?.line ?? 0) > 0, "\(found)")
        for error in found {
            #expect(!error.description.contains(Self.secret) && !error.description.contains(Self.shortSecret))
        }
    }

    /// A secret file that is missing, empty, short, or readable by group or others is refused,
    /// saying which, and its content never appears in the error.
    @Test(arguments: [
        (Optional<String>.none, mode_t(0o600), "does not exist"),
        ("\n", 0o600, "is empty"),
        (shortSecret + "\n", 0o600, "is shorter than 16 bytes"),
        (secret, 0o644, "is accessible by group or others (mode 0644): a webhook secret must never be group or world readable"),
        (secret, 0o640, "is accessible by group or others (mode 0640)"),
        (secret, 0o604, "is accessible by group or others (mode 0604)"),
    ] as [(String?, mode_t, String)])
    func badSecretFileRefused(_ content: String?, _ mode: mode_t, _ phrase: String) {
        let found = errors(Self.webhook("url: http://127.0.0.1:9000/hook", "secret_file: webhook.secret"), secretFile: content, mode: mode)
        #expect(found.count == 1, "\(found)")
        let error = found.first
        #expect(error?.message.contains("'approvals.webhook.secret_file' file '") == true, "\(found)")
        #expect(error?.message.contains("webhook.secret'") == true, "\(found)")
        #expect(error?.message.contains(phrase) == true, "\(found)")
        #expect((error?.line ?? 0) > 0)
        #expect(error?.description.contains(Self.secret) == false && error?.description.contains(Self.shortSecret) == false)
    }
}
