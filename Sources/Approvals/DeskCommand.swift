import PTYRecorder

/// One approver command: `approvals [list]`, `approvals show ID`, `approvals approve ID
/// [--comment TEXT]`, `approvals deny ID --reason TEXT`, each with `--json`. The same words over
/// SSH (`ssh carol@bastion approvals …`) and on the host (`bastion approvals …`).
public struct DeskCommand: Sendable, Equatable {
    /// What to do.
    public enum Verb: Sendable, Equatable {
        case list
        case show(id: String)
        case answer(id: String, ApprovalAnswer)
    }

    public var verb: Verb
    /// Print JSON instead of text.
    public var json: Bool

    public init(verb: Verb, json: Bool) {
        self.verb = verb
        self.json = json
    }

    /// How the commands are written.
    public static let usage = """
        usage: approvals [list] [--json]
               approvals show ID [--json]
               approvals approve ID [--json] [--comment TEXT...]
               approvals deny ID [--json] --reason TEXT...
        """

    /// The options whose text runs to the next option word.
    private static let textOptions = ["--comment", "--reason"]

    /// The words of an approvals command line as typed, for a line the shell cannot split (ssh
    /// joins its arguments with spaces, so `--reason "can't now"` arrives as `--reason can't now`):
    /// split at blanks, except that the text after `--comment` or `--reason` is one word, as
    /// typed (quotes kept, each run of blanks one space), up to the next option word (`--json`,
    /// `--comment`, `--reason`) or the line's end.
    public static func wordsAsTyped(_ line: String) -> [String] {
        var words: [String] = []
        var text: [Substring]?
        func endText() {
            if let taken = text, !taken.isEmpty { words.append(taken.joined(separator: " ")) }
            text = nil
        }
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            let option = textOptions.first { word == $0 || word.hasPrefix($0 + "=") }
            if text != nil, option == nil, word != "--json" {
                text?.append(word)
                continue
            }
            endText()
            if let option {
                words.append(option)
                text = word.count > option.count ? [word.dropFirst(option.count + 1)] : []
            } else {
                words.append(String(word))
            }
        }
        endText()
        return words
    }

    /// Reads the words after `approvals`; throws a message naming what is wrong.
    public static func parse(_ words: [String]) throws(DeskUsageError) -> DeskCommand {
        var json = false
        var comment: String?
        var reason: String?
        var positional: [String] = []
        var index = 0
        /// An option's text: the words after it up to the next option (`--reason not now`
        /// works without quoting it twice through ssh).
        func value(of option: String) throws(DeskUsageError) -> String {
            var taken: [String] = []
            while index + 1 < words.count, !words[index + 1].hasPrefix("--") {
                index += 1
                taken.append(words[index])
            }
            guard !taken.isEmpty else { throw DeskUsageError("\(option) needs a value") }
            return taken.joined(separator: " ")
        }
        while index < words.count {
            let word = words[index]
            switch word {
            case "--json": json = true
            case "--comment": comment = try value(of: word)
            case "--reason": reason = try value(of: word)
            default:
                if word.hasPrefix("--comment=") { comment = String(word.dropFirst("--comment=".count)) }
                else if word.hasPrefix("--reason=") { reason = String(word.dropFirst("--reason=".count)) }
                else if word.hasPrefix("-") { throw DeskUsageError("unknown option '\(PrintableText.unambiguous(word))'") }
                else { positional.append(word) }
            }
            index += 1
        }
        let verb = positional.first ?? "list"
        let arguments = positional.dropFirst()
        func oneID() throws(DeskUsageError) -> String {
            guard arguments.count == 1, let id = arguments.first else { throw DeskUsageError("'\(verb)' takes one request id") }
            return id
        }
        if comment != nil, verb != "approve" { throw DeskUsageError("--comment goes with 'approve'") }
        if reason != nil, verb != "deny" { throw DeskUsageError("--reason goes with 'deny'") }
        switch verb {
        case "list":
            guard arguments.isEmpty else { throw DeskUsageError("'list' takes no arguments") }
            return DeskCommand(verb: .list, json: json)
        case "show":
            return DeskCommand(verb: .show(id: try oneID()), json: json)
        case "approve":
            return DeskCommand(verb: .answer(id: try oneID(), .approve(comment: comment)), json: json)
        case "deny":
            let id = try oneID()
            guard let reason else { throw DeskUsageError("'deny' needs --reason TEXT: the requester reads it") }
            return DeskCommand(verb: .answer(id: id, .deny(reason: reason)), json: json)
        default:
            throw DeskUsageError("unknown command '\(PrintableText.unambiguous(verb))'")
        }
    }
}

/// A desk command that cannot be read, with what is wrong.
public struct DeskUsageError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
