import Policy

/// Relays legacy scp (the rcp protocol of `scp -O`) with every file and directory decided.
/// No I/O: bytes in, bytes and events out, like ``SFTPGate``.
///
/// **The protocol.** One side is the *source*, the other the *sink*: for an upload (`scp -t`
/// on the target) the client is the source and the target the sink; for a download (`scp -f`)
/// the other way round. The sink speaks first, one `\0`. The source then sends records, one
/// line each: `T<mtime> 0 <atime> 0` (times for the next record, with `-p`),
/// `C<mode> <size> <name>` (a file), `D<mode> 0 <name>` (enter a directory, with `-r`), `E`
/// (leave it), or `\1message` / `\2message` (an error of its own; no answer). After each record
/// the source waits for the sink's answer: `\0`, `\1message\n` (skip this file or directory,
/// go on) or `\2message\n` (fatal; any other first byte is fatal too). After a `C` record's
/// `\0` the source sends exactly `size` bytes, then `\0` (or `\1message\n` if reading failed),
/// and waits for one more answer.
///
/// **What the gate does.**
/// - Each `C` and `D` record is decided (`upload`/`mkdir` for uploads, `download`/`list` for
///   downloads) before it is passed on. A refused one is not passed on: the gate answers the
///   source `\1bastion: denied …\n` itself, which makes scp skip that file or directory (no
///   data follows, a directory's contents are not sent). For a download the person also gets
///   a notice, since their own scp never hears of the file.
/// - `T` records are held and answered by the gate, and sent on only in front of the record
///   they belong to (dropped with it when it is refused); the sink's answer to a `T` sent on
///   is swallowed, so the source sees one answer per record it sent.
/// - A file's data passes with one copy, counted and hashed (``TransferEvent/finished(_:)``
///   after the sink's last answer).
/// - Escalations cannot wait (the source waits for an answer within the protocol, and scp has
///   no way to be told to hold on): they are refused with a message saying approval is needed.
///
/// **Paths** start where the target says the command's paths are (``TargetPaths``: links and
/// `..` followed by the target itself; lexically, relative paths and `~` in the home directory,
/// when no target answer is given) and go on with the record names. An upload's destination
/// may or may not be an existing directory (the target said, but the sink checks again later),
/// so unless it must be one (`-d`, a trailing `/`, `~`, `.`, or the target says it is one) both
/// `dest/name` and `dest` are decided and the most restrictive answer counts; the log names the
/// one the target's answer points at. A download's top-level names are matched against the
/// last component of the command's paths (as written, wildcards included); a name no path
/// asked for is refused. (A link met below the command's paths — a record's name that is a
/// link on the target — is not followed by the bastion: see docs/TRANSFERS.md.)
///
/// Anything the protocol does not allow ends the channel (``TransferOutput/failure``; the
/// source is told with a `\2` answer when it is the one at fault); after a failure the gate
/// passes nothing and repeats the failure.
public struct SCPGate {
    /// Decides one file operation.
    public typealias Decide = (TransferRequest) -> TransferDecision

    public typealias Output = TransferOutput

    /// The longest line (record or answer, with its newline): OpenSSH's scp reads at most
    /// 2,047 bytes as one line and would read a longer one as two, out of step with the gate.
    public static let maxLineLength = 2047
    /// The longest name in a record (Linux's `NAME_MAX`).
    public static let maxNameLength = 255
    /// The longest path built from records (Linux's `PATH_MAX`).
    public static let maxPathLength = 4096
    /// The deepest directory nesting followed.
    public static let maxDepth = 1024
    /// Client bytes sent before their turn (before the answer they should wait for) that the
    /// gate keeps; beyond, the channel ends. ``acceptsClientInput`` turns false well before.
    public static let maxEarlyBytes = 4 << 20
    /// Early client bytes beyond which ``acceptsClientInput`` is false.
    static let earlyReadLimit = 64 * 1024

    private let command: SCPCommand
    private let home: String?
    private let sessionLimit: Int64?
    private let decide: Decide
    /// Upload: where files go, and whether it is known to be a directory (or, from the target's
    /// answer, likely not one).
    private let destination: String?
    private let destinationIsDirectory: Bool
    private let destinationIsFile: Bool
    /// Download: the command's paths, split into directory and last component.
    private let sources: [Requested]

    /// The symbolic links on the target below the command's paths, and where each leads ("": the
    /// target could not say). Legacy scp follows them: the sink opens a file through a link and
    /// descends into a directory one names, the source sends what one leads to, and the records
    /// name only the link.
    private let links: [String: String]

    private var sequence = 0
    private var sessionBytes: Int64 = 0
    private var failed: String?
    /// The client ended its input: on an upload, the source's stream is over, and what the sink
    /// says unasked is its answer to the stream's end (`scp -t` reading EOF in a file).
    private var clientEnded = false
    /// What the sink said unasked after that, for the log of the file it cut short.
    private var sinkAfterEnd: String?

    // The source's stream.
    private var state: SourceState = .waiting
    private var line: [UInt8] = []
    private var early: [UInt8] = []
    private var heldTimes: [UInt8]?
    /// Per open directory, the paths it may be (two while an upload's destination is unknown).
    private var directories: [[String]] = []
    private var current: CurrentFile?

    // The sink's answers.
    private var expected: [Expected] = [.hello]
    private var answer: [UInt8] = []

    /// A gate for `command`, deciding with `decide`; `home` is the target user's home directory
    /// when known, and `sessionLimit` caps the bytes of all files together. `places`: where the
    /// target says the command's ``SCPCommand/targetQueries`` are (every one of them); without,
    /// paths are resolved lexically. `links`: the symbolic links below them and where they lead
    /// (``TargetPaths/links``).
    public init(command: SCPCommand, home: String?, places: [String: TargetPaths.Place]? = nil, links: [String: String] = [:],
                sessionLimit: Int64?, decide: @escaping Decide) {
        self.command = command
        self.links = links
        self.home = home.flatMap { $0.hasPrefix("/") ? PathNormalizer.normalize($0) : nil }
        self.sessionLimit = sessionLimit
        self.decide = decide
        let resolved = command.paths.map { RemotePath.resolve($0, home: home) }
        switch command.direction {
        case .upload:
            let written = command.paths.first ?? ""
            let place = places?[written]
            destination = place?.path ?? resolved.first
            let last = written.split(separator: "/").last
            destinationIsDirectory = command.targetMustBeDirectory || written.hasSuffix("/") || last == "." || last == ".."
                || written == "~" || resolved.first == "/" || resolved.first == "~" || resolved.first == self.home
                || place?.isDirectory == true
            destinationIsFile = place?.isDirectory == false
            sources = []
        case .download:
            destination = nil
            destinationIsDirectory = false
            destinationIsFile = false
            sources = zip(command.paths, resolved).compactMap { written, lexical in
                guard let places else { return Requested(lexical) }
                let query = SCPCommand.query(for: written)
                guard let place = places[query] else { return nil }
                return query == written ? Requested(lexical, at: place.path) : Requested(lexical, inDirectory: place.path)
            }
        }
    }

    /// Whether the driver should read more from the client now (false while the client has
    /// sent ahead of the answer it should wait for, or after a failure).
    public var acceptsClientInput: Bool {
        failed == nil && (command.direction == .download || early.count < Self.earlyReadLimit)
    }

    // MARK: Types

    private enum SourceState: Equatable {
        /// Waiting for the sink's answer; the source should send nothing.
        case waiting
        /// Reading a record line.
        case record
        /// Passing a file's bytes.
        case data(remaining: Int64)
        /// The byte after a file's data.
        case trailer
        /// The `\1message\n` after a file's data.
        case trailerMessage
    }

    /// What the sink's next answer answers.
    private enum Expected {
        case hello
        /// A held `T` the gate sent on: swallowed.
        case times
        case file
        case directory([String])
        case end
        /// The file's data ended; `clean`: the source ended it with `\0`.
        case fileEnd(clean: Bool)
    }

    private struct CurrentFile {
        let flow: FileFlow
        let size: Int64
    }

    /// A download path: the directory top-level names land in, and the last component they
    /// must match.
    private struct Requested {
        /// Where the names a wildcard matches are.
        let directory: String
        /// The last component as written: the name a record of the path itself carries.
        let last: String
        /// Where the path itself is.
        let exact: String
        let pattern: Glob?

        /// `path` (absolute, normalised) as it is written, where nothing else is known.
        init?(_ path: String) {
            guard let slash = path.lastIndex(of: "/") else { return nil }
            let directory = String(path[..<slash])
            self.init(path, directory: directory.isEmpty ? "/" : directory, exact: path)
        }

        /// `path` as written, which the target says is at `physical`.
        init?(_ path: String, at physical: String) {
            guard let slash = physical.lastIndex(of: "/") else { return nil }
            let directory = String(physical[..<slash])
            self.init(path, directory: directory.isEmpty ? "/" : directory, exact: physical)
        }

        /// `path` as written, ending in a wildcard, whose directory the target says is at `physical`.
        init?(_ path: String, inDirectory physical: String) {
            guard let slash = path.lastIndex(of: "/") else { return nil }
            self.init(path, directory: physical, exact: RemotePath.join(physical, String(path[path.index(after: slash)...])))
        }

        private init?(_ path: String, directory: String, exact: String) {
            guard let slash = path.lastIndex(of: "/") else { return nil }
            let last = String(path[path.index(after: slash)...])
            guard !last.isEmpty else { return nil }
            self.directory = directory
            self.last = last
            self.exact = exact
            pattern = last.utf8.contains(where: RemotePath.isWildcard) ? try? Glob(last, path: false) : nil
        }

        /// Where a top-level record named `name` comes from, if this path asked for it.
        func path(for name: String) -> String? {
            // (Bytes, not canonical equivalence: `é` composed and not are two names on disk.)
            if name.utf8.elementsEqual(last.utf8) { return exact }
            return pattern?.matches(name) == true ? RemotePath.join(directory, name) : nil
        }
    }

    /// A `C` or `D` record.
    private struct Record {
        let isFile: Bool
        let size: Int64
        let name: [UInt8]
    }

    private var upload: Bool { command.direction == .upload }
    private var sourceSide: String { upload ? "client" : "target" }
    private var sinkSide: String { upload ? "target" : "client" }

    // MARK: Input

    /// Bytes from the client.
    public mutating func clientBytes(_ chunk: UnsafeRawBufferPointer) -> Output {
        var out = Output()
        if let failed {
            out.failure = failed
            return out
        }
        if upload { sourceBytes(chunk, &out) } else { sinkBytes(chunk, &out) }
        return out
    }

    /// Bytes from the target's scp.
    public mutating func targetBytes(_ chunk: UnsafeRawBufferPointer) -> Output {
        var out = Output()
        if let failed {
            out.failure = failed
            return out
        }
        if upload { sinkBytes(chunk, &out) } else { sourceBytes(chunk, &out) }
        return out
    }

    /// The client ended its input (its scp was killed, and its ssh sent EOF).
    public mutating func clientInputEnded() {
        clientEnded = true
    }

    /// The channel ends: a file whose bytes had not all crossed and been acknowledged is partial.
    public mutating func finish() -> [TransferEvent] {
        guard let file = current else { return [] }
        current = nil
        let crossed = file.flow.bytes
        let note = (crossed < file.size
            ? "the session ended after \(crossed) of \(file.size) bytes"
            : "the session ended before the \(sinkSide) acknowledged the file") + (sinkAfterEnd.map { "; the \(sinkSide)'s scp said: \($0)" } ?? "")
        return [.finished(file.flow.outcome(closedCleanly: false, upload: upload, endNote: note))]
    }

    // MARK: Output helpers

    private func toSink(_ bytes: [UInt8], _ out: inout Output) {
        if upload { out.toTarget += bytes } else { out.toClient += bytes }
    }

    private func toSink(_ bytes: UnsafeRawBufferPointer, _ out: inout Output) {
        bytes.withMemoryRebound(to: UInt8.self) { typed in
            if upload { out.toTarget.append(contentsOf: typed) } else { out.toClient.append(contentsOf: typed) }
        }
    }

    private func toSource(_ bytes: [UInt8], _ out: inout Output) {
        if upload { out.toClient += bytes } else { out.toTarget += bytes }
    }

    private mutating func fail(_ message: String, _ out: inout Output) {
        failed = message
        out.failure = message
    }

    /// The source broke the protocol: it is told (`\2`, fatal) and the channel ends.
    private mutating func violation(_ what: String, _ out: inout Output) {
        toSource([2] + Array((Self.oneLine("bastion: protocol error: \(what)") + "\n").utf8), &out)
        fail("the \(sourceSide)'s scp broke the protocol: \(Self.oneLine(what))", &out)
    }

    /// `text` fit for one protocol line or a notice: control characters become spaces, and it
    /// stays well under ``maxLineLength``.
    static func oneLine(_ text: String, limit: Int = 1000) -> String {
        var result = ""
        var length = 0
        for scalar in text.unicodeScalars {
            let clean: Unicode.Scalar = scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) ? " " : scalar
            length += clean.utf8.count
            if length > limit {
                result += "…"
                break
            }
            result.unicodeScalars.append(clean)
        }
        return result
    }

    // MARK: The source's stream

    private mutating func sourceBytes(_ chunk: UnsafeRawBufferPointer, _ out: inout Output) {
        var index = 0
        let count = chunk.count
        while index < count && failed == nil {
            switch state {
            case .waiting:
                guard early.count + (count - index) <= Self.maxEarlyBytes else {
                    fail("the \(sourceSide) sent more than \(Self.maxEarlyBytes) bytes without waiting for answers", &out)
                    return
                }
                early.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<count]))
                return
            case .record, .trailerMessage:
                let rest = UnsafeRawBufferPointer(rebasing: chunk[index..<count])
                let newline = rest.firstIndex(of: 0x0A)
                let end = newline.map { index + $0 } ?? count
                guard line.count + (end - index) < Self.maxLineLength else {
                    violation("a line longer than \(Self.maxLineLength) bytes", &out)
                    return
                }
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<end]))
                guard newline != nil else { return }
                index = end + 1
                let complete = line
                line = []
                if state == .record {
                    sourceRecord(complete, &out)
                } else {
                    toSink(complete + [0x0A], &out)
                    expected.append(.fileEnd(clean: false))
                    state = .waiting
                }
            case .data(let remaining):
                let take = Int(min(Int64(count - index), remaining))
                let piece = UnsafeRawBufferPointer(rebasing: chunk[index..<(index + take)])
                toSink(piece, &out)
                if let flow = current?.flow { flow.crossed(piece, at: UInt64(flow.expectedOffset)) }
                index += take
                let left = remaining - Int64(take)
                state = left == 0 ? .trailer : .data(remaining: left)
            case .trailer:
                let byte = chunk[index]
                index += 1
                switch byte {
                case 0:
                    toSink([0], &out)
                    expected.append(.fileEnd(clean: true))
                    state = .waiting
                case 1, 2:
                    line = [byte]
                    state = .trailerMessage
                default:
                    let size = current?.size ?? 0
                    violation("the file's data did not end after its \(size) bytes (a status byte was expected)", &out)
                }
            }
        }
    }

    /// One record line from the source (without its newline).
    private mutating func sourceRecord(_ record: [UInt8], _ out: inout Output) {
        guard let kind = record.first else { return violation("an empty record", &out) }
        switch kind {
        case 1, 2:
            // The source's own error ("no such file"): the sink prints it, no answer.
            guard heldTimes == nil else { return violation("a times record not followed by a file or directory", &out) }
            toSink(record + [0x0A], &out)
        case UInt8(ascii: "T"):
            guard Self.validTimes(record) else { return violation("a malformed times record", &out) }
            guard heldTimes == nil else { return violation("two times records in a row", &out) }
            heldTimes = record + [0x0A]
            toSource([0], &out)
        case UInt8(ascii: "C"), UInt8(ascii: "D"):
            switch Self.parse(record) {
            case .success(let parsed): decideRecord(parsed, line: record, &out)
            case .failure(let problem): violation(problem.message, &out)
            }
        case UInt8(ascii: "E"):
            guard record.count == 1 else { return violation("a malformed end-of-directory record", &out) }
            guard heldTimes == nil else { return violation("a times record not followed by a file or directory", &out) }
            guard !directories.isEmpty else { return violation("an end-of-directory record outside any directory", &out) }
            directories.removeLast()
            toSink([UInt8(ascii: "E"), 0x0A], &out)
            expected.append(.end)
            state = .waiting
        default:
            violation("a record that is not T, C, D or E", &out)
        }
    }

    /// `T<digits> <digits> <digits> <digits>`, microseconds at most 999999.
    static func validTimes(_ record: [UInt8]) -> Bool {
        let fields = record.dropFirst().split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard fields.count == 4 else { return false }
        for (index, field) in fields.enumerated() {
            guard !field.isEmpty, field.count <= 20, field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            if index % 2 == 1 && field.count > 6 { return false }
        }
        return true
    }

    private struct RecordProblem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    /// `C<4 octal digits> <size> <name>` or `D…`, as OpenSSH's sink reads it.
    private static func parse(_ record: [UInt8]) -> Result<Record, RecordProblem> {
        guard record.count >= 6, record[1...4].allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }) else {
            return .failure(RecordProblem("a record with a bad mode"))
        }
        guard record[5] == UInt8(ascii: " ") else { return .failure(RecordProblem("a record whose mode is not followed by a space")) }
        var index = 6
        var size: Int64 = 0
        while index < record.count, record[index] >= 0x30 && record[index] <= 0x39 {
            let (times, overflow1) = size.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(record[index] - 0x30))
            guard !overflow1 && !overflow2 else { return .failure(RecordProblem("a record whose size is out of range")) }
            size = sum
            index += 1
        }
        guard index > 6, index < record.count, record[index] == UInt8(ascii: " ") else {
            return .failure(RecordProblem("a record whose size is not a number"))
        }
        let name = Array(record[(index + 1)...])
        if name.isEmpty { return .failure(RecordProblem("a record with an empty name")) }
        if name.contains(UInt8(ascii: "/")) { return .failure(RecordProblem("a name with '/' in it")) }
        if name == [0x2E] || name == [0x2E, 0x2E] { return .failure(RecordProblem("the name '\(name.count == 1 ? "." : "..")'")) }
        if name.contains(0) { return .failure(RecordProblem("a name with a NUL byte")) }
        if name.count > maxNameLength { return .failure(RecordProblem("a name longer than \(maxNameLength) bytes")) }
        return .success(Record(isFile: record[0] == UInt8(ascii: "C"), size: size, name: name))
    }

    // MARK: Deciding

    private mutating func decideRecord(_ record: Record, line: [UInt8], _ out: inout Output) {
        if !record.isFile {
            guard command.recursive else { return violation("a directory record in a transfer without -r", &out) }
            guard directories.count < Self.maxDepth else { return violation("directories nested deeper than \(Self.maxDepth)", &out) }
        }
        let operation: TransferOperation = record.isFile ? (upload ? .upload : .download) : (upload ? .mkdir : .list)
        let size: Int64? = record.isFile ? record.size : nil
        var paths: [String] = []
        var decision: TransferDecision
        var path: String
        if let name = String(validating: record.name, as: UTF8.self) {
            paths = candidates(for: name, isFile: record.isFile)
            if let long = paths.first(where: { $0.utf8.count > Self.maxPathLength }) {
                return violation("a path longer than \(Self.maxPathLength) bytes (\(long.prefix(64))…)", &out)
            }
            if paths.isEmpty {
                path = name
                decision = Self.refusal("unrequested-name", "the target sent '\(name)', which no path of the command asked for")
            } else if let linked = paths.first(where: { links[$0] != nil && (!record.isFile || links[$0] == "") }) {
                // (Below a directory a link names, no link is known: scp is not let in.)
                path = linked
                let leads = links[linked].flatMap { $0.isEmpty ? nil : "to '\($0)'" } ?? "which the target could not resolve"
                decision = Self.refusal("symbolic-link", "'\(linked)' is a symbolic link on the target (\(leads)), which legacy "
                                        + "scp would follow into what the rules do not see; use sftp, which decides where links lead")
            } else {
                // A file a link names is decided where the link leads too, and logged there.
                let leads = paths.compactMap { links[$0] }
                (path, decision) = decideMostRestrictive(operation, leads + paths.filter { !leads.contains($0) }, size: size)
            }
        } else {
            path = String(decoding: record.name, as: UTF8.self)
            decision = Self.refusal("unreadable-name", "a file name that is not UTF-8 cannot be decided")
        }
        if decision.verdict == .allow, let size {
            if let limit = decision.maxFileSize, size > limit {
                decision = TransferDecision(verdict: .deny, role: decision.role, ruleID: decision.ruleID ?? "size-limit",
                                            message: "\(path) is \(size) bytes; at most \(limit) may be transferred per file")
            } else if let sessionLimit, size > sessionLimit - sessionBytes {
                decision = TransferDecision(verdict: .deny, role: decision.role, ruleID: "size-limit",
                                            message: "this session may move at most \(sessionLimit) bytes")
            }
        }
        if case .escalate = decision.verdict {
            decision = TransferDecision(verdict: .deny, role: decision.role, ruleID: decision.ruleID,
                                        message: "\(decision.message) (approval is needed, and legacy scp transfers cannot wait for approvers: use sftp, or scp without -O)")
        }
        sequence += 1
        let entry = TransferEntry(sequence: sequence, operation: operation, path: path, decision: decision.verdict.word,
                                  rule: decision.ruleID, message: decision.message, announcedSize: size)
        out.events.append(.decided(entry))
        guard decision.verdict == .allow else {
            heldTimes = nil
            let rule = decision.ruleID.map { " (rule \($0))" } ?? ""
            toSource([1] + Array((Self.oneLine("bastion: denied\(rule): \(decision.message)") + "\n").utf8), &out)
            if !upload {
                let what = record.isFile ? "was not downloaded" : "was not listed or downloaded"
                out.notices.append(Self.oneLine("bastion: \(path) \(what), denied\(rule): \(decision.message)"))
            }
            return
        }
        if let times = heldTimes {
            toSink(times, &out)
            expected.append(.times)
            heldTimes = nil
        }
        toSink(line + [0x0A], &out)
        if let size {
            sessionBytes += size
            let flow = FileFlow(sequence: sequence, maxFileSize: decision.maxFileSize)
            flow.reportedSize = size
            current = CurrentFile(flow: flow, size: size)
            expected.append(.file)
        } else {
            expected.append(.directory(paths))
        }
        state = .waiting
    }

    /// The paths a record's name may land at, the one the log names first.
    private func candidates(for name: String, isFile: Bool) -> [String] {
        if let directory = directories.last { return directory.map { RemotePath.join($0, name) } }
        switch command.direction {
        case .upload:
            guard let destination else { return [] }
            let inside = RemotePath.join(destination, name)
            // A file is logged at the destination as written (`scp f host:/srv/app.tar`), a
            // directory inside it (`scp -r dir host:/srv/`), unless the other place is stricter.
            if destinationIsDirectory { return [inside] }
            return isFile || destinationIsFile ? [destination, inside] : [inside, destination]
        case .download:
            // The rcp protocol names a top-level file without its directory: where several paths
            // may have sent it (`/srv/{pub,secret}/f`, which the target's shell expands), each
            // is decided, and the strictest answer counts.
            var paths: [String] = []
            for source in sources {
                if let path = source.path(for: name), !paths.contains(path) { paths.append(path) }
            }
            return paths
        }
    }

    /// Decides every candidate; the most restrictive answer counts (the first among equals).
    private func decideMostRestrictive(_ operation: TransferOperation, _ paths: [String], size: Int64?) -> (String, TransferDecision) {
        var chosen: (String, TransferDecision)?
        for path in paths {
            let decision = decide(TransferRequest(operation: operation, path: path, home: home, size: size))
            if let best = chosen, Self.severity(decision.verdict) <= Self.severity(best.1.verdict) { continue }
            chosen = (path, decision)
        }
        return chosen ?? (paths[0], Self.refusal("unrequested-name", "nothing to decide"))
    }

    private static func severity(_ verdict: Verdict) -> Int {
        switch verdict {
        case .allow: return 0
        case .escalate: return 1
        case .deny: return 2
        }
    }

    private static func refusal(_ id: String, _ message: String) -> TransferDecision {
        TransferDecision(verdict: .deny, role: nil, ruleID: id, message: message)
    }

    // MARK: The sink's answers

    private mutating func sinkBytes(_ chunk: UnsafeRawBufferPointer, _ out: inout Output) {
        var index = 0
        let count = chunk.count
        while index < count && failed == nil {
            if answer.isEmpty {
                let byte = chunk[index]
                index += 1
                if byte == 0 {
                    answered([0], &out)
                    continue
                }
                answer = [byte]
            }
            let rest = UnsafeRawBufferPointer(rebasing: chunk[index..<count])
            let newline = rest.firstIndex(of: 0x0A)
            let end = newline.map { index + $0 + 1 } ?? count
            guard answer.count + (end - index) <= Self.maxLineLength else {
                return fail("the \(sinkSide)'s scp sent an answer longer than \(Self.maxLineLength) bytes", &out)
            }
            answer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<end]))
            index = end
            guard newline != nil else { return }
            let complete = answer
            answer = []
            answered(complete, &out)
        }
    }

    /// One whole answer from the sink (`\0`, or a message line with its newline).
    private mutating func answered(_ raw: [UInt8], _ out: inout Output) {
        guard !expected.isEmpty else {
            // (Told to the source, whose ssh may still show it; the file stays partial.)
            if upload && clientEnded {
                if sinkAfterEnd == nil, raw != [0] { sinkAfterEnd = Self.oneLine(String(decoding: raw.dropFirst().filter { $0 != 0x0A }, as: UTF8.self), limit: 200) }
                return toSource(raw, &out)
            }
            return fail("the \(sinkSide)'s scp answered when nothing was asked", &out)
        }
        let what = expected.removeFirst()
        let ok = raw == [0]
        let message = ok ? "" : Self.oneLine(String(decoding: raw.dropFirst().filter { $0 != 0x0A }, as: UTF8.self))
        switch what {
        case .hello:
            toSource(raw, &out)
            state = .record
        case .times:
            // Swallowed: the gate answered the source's T itself.
            guard ok else {
                toSource(raw, &out)
                return fail("the \(sinkSide)'s scp refused a times record: \(message)", &out)
            }
            return
        case .file:
            toSource(raw, &out)
            if ok, let file = current {
                state = file.size == 0 ? .trailer : .data(remaining: file.size)
            } else {
                if let file = current {
                    out.events.append(.finished(file.flow.outcome(closedCleanly: false, upload: upload,
                                                                  endNote: "the \(sinkSide) refused the file: \(message)")))
                }
                current = nil
                state = .record
            }
        case .directory(let paths):
            toSource(raw, &out)
            if ok { directories.append(paths) }
            state = .record
        case .end:
            toSource(raw, &out)
            state = .record
        case .fileEnd(let clean):
            toSource(raw, &out)
            if let file = current {
                let note: String? = !clean ? "the \(sourceSide) reported an error while sending the file"
                    : ok ? nil : "the \(sinkSide) reported: \(message)"
                out.events.append(.finished(file.flow.outcome(closedCleanly: clean && ok, upload: upload, endNote: note)))
            }
            current = nil
            state = .record
        }
        resumeSource(&out)
    }

    /// Bytes the source sent while it should have waited, now that their turn has come.
    private mutating func resumeSource(_ out: inout Output) {
        guard !early.isEmpty, state != .waiting, failed == nil else { return }
        let pending = early
        early = []
        pending.withUnsafeBytes { sourceBytes($0, &out) }
    }
}
