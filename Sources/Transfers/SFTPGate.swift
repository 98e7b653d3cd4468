import Policy
import SFTPWire

/// Terminates SFTP at the bastion: every request of the client is read, decided by the transfer
/// rules, and re-issued to the target's SFTP server; replies come back under the client's ids.
/// No I/O: bytes in, bytes and events out, like the interceptor.
///
/// - **Paths are resolved on the target.** Before a path is decided the gate asks the target's
///   own `realpath` (a request of its own, in the same stream), so `..`, `//`, relative paths
///   and symbolic links are decided where they really lead. Operations that act on a link
///   itself (remove, rename, lstat, readlink, symlink, mkdir, rmdir) resolve the directory and
///   keep the last name. Requests stay in the client's order: one waiting for its path holds
///   those behind it.
/// - **Handles** are known by what opened them: reads and writes on a handle the gate never saw
///   opened are refused, uploads and downloads are counted, limited and hashed per file.
/// - **Pipelining stays:** reads and writes on open handles pass without waiting.
/// - **Extensions** offered to the client are the ones the gate understands and the target
///   offers; any other is answered `SSH_FX_OP_UNSUPPORTED`.
///
/// A packet that is not SFTP ends the channel (``Output/failure``); a refused request gets an
/// SFTP status and the session goes on.
public struct SFTPGate {
    /// Decides one file operation.
    public typealias Decide = (TransferRequest) -> TransferDecision

    public typealias Output = TransferOutput

    /// The extensions passed on to the client when the target offers them.
    public static let supportedExtensions: Set<String> = [
        "posix-rename@openssh.com", "statvfs@openssh.com", "fstatvfs@openssh.com", "hardlink@openssh.com",
        "fsync@openssh.com", "lsetstat@openssh.com", "limits@openssh.com", "expand-path@openssh.com",
        "users-groups-by-id@openssh.com", "home-directory",
    ]
    /// The most handles a session may hold open at once.
    public static let maxOpenHandles = 1024
    /// The longest path accepted (Linux's `PATH_MAX`).
    public static let maxPathLength = 4096
    /// Client bytes kept while requests wait for their paths or approvers; beyond, the driver
    /// stops reading the client.
    public static let maxQueuedBytes = 8 << 20

    private let decide: Decide
    private let sessionLimit: Int64?
    private var clientFramer = SFTPFramer()
    private var targetFramer = SFTPFramer(maxLength: 4 * SFTPMessage.maxPacketLength)
    private var pending: [UInt32: Pending] = [:]
    private var nextID: UInt32 = 1
    private var queue: [Queued] = []
    private var queuedBytes = 0
    /// The policy refusals told on stderr so far (``refuse(_:_:_:)``).
    private var refusalsTold = 0
    private var handles: [[UInt8]: OpenHandle] = [:]
    private var opening = 0
    private var sequence = 0
    private var sessionBytes: Int64 = 0
    private var home: String?
    private var versionSeen = false
    /// The client's init was sent on (a second one is the client's fault, answered or not).
    private var initSent = false

    /// A gate deciding with `decide`; `sessionLimit` caps the bytes of all files together.
    public init(sessionLimit: Int64? = nil, decide: @escaping Decide) {
        self.decide = decide
        self.sessionLimit = sessionLimit
    }

    /// Whether the driver should read more from the client now.
    public var acceptsClientInput: Bool { queuedBytes < Self.maxQueuedBytes }

    /// Whether client requests wait for their paths or for approvers.
    public var isHoldingRequests: Bool { !queue.isEmpty }

    /// The escalated operation waiting for approvers, if any.
    public private(set) var awaitingApproval: TransferEntry?

    // MARK: Types

    private enum Pending {
        /// The client's request, sent on; its reply goes back under `clientID`.
        case relayed(clientID: UInt32, Relayed)
        /// The gate's own `realpath` for the request at the head of the queue.
        case resolving
        /// The gate's own `realpath(".")`: the home directory.
        case home
        /// The gate's own `stat` of the file the queue's head opens to append to under a size
        /// limit: the file's size, where its bytes start.
        case sizing
    }

    private enum Relayed {
        case plain
        /// `keepsContent`: an upload opened without truncating (nor creating exclusively): bytes
        /// already in the file stay, and did not cross.
        /// `appendsFrom`: opened to append to under a size limit, the file's size before.
        case open(sequence: Int, path: String, upload: Bool, keepsContent: Bool, maxFileSize: Int64?, appendsFrom: UInt64?)
        case opendir(path: String)
        case read(handle: [UInt8], offset: UInt64, length: UInt32)
        case write(handle: [UInt8])
        case fstat(handle: [UInt8])
        /// An open file's size set by the client (`fsetstat`).
        case resize(handle: [UInt8], size: UInt64)
        case close(handle: [UInt8])
    }

    private final class OpenHandle {
        let path: String
        /// Nil for a directory.
        let flow: FileFlow?
        let upload: Bool
        /// Opened to append to under a size limit: where the target writes the next bytes (the
        /// file's end, whatever offset a write names).
        var appendsAt: UInt64?
        init(path: String, flow: FileFlow?, upload: Bool, appendsAt: UInt64? = nil) {
            self.path = path
            self.flow = flow
            self.upload = upload
            self.appendsAt = appendsAt
        }
    }

    /// How a path is resolved before it is decided.
    private enum Resolution {
        /// The whole path, following a final symbolic link (open, stat, setstat, opendir).
        case full
        /// The directory, keeping the last name (remove, rename, mkdir, rmdir, lstat, symlink).
        case parent
    }

    /// A client request kept in order until it can be sent on or answered.
    private struct Queued {
        let packet: [UInt8]
        let request: SFTPRequest
        let clientID: UInt32
        /// The operation and the paths to resolve for it (empty once resolved).
        var operation: TransferOperation
        var paths: [(bytes: [UInt8], resolution: Resolution)]
        var resolved: [String] = []
        var asked = false
        /// A path the target could not resolve: the client gets this status.
        var unresolvable: (code: UInt32, message: [UInt8])?
        /// Whether policy decides it before it is sent on (false for reads, writes and the like
        /// on open handles, decided when the handle was opened).
        var needsDecision = false
        var decision: TransferDecision?
        var entry: TransferEntry?
        var approved: Bool?
        /// The paths as approvers saw them, once approved: they are resolved again before the
        /// operation goes on (the wait may be long, and a link on the way may have changed).
        var approvedPaths: [String]?
        /// An open to append to under a size limit: the file's size, once the target told it.
        var appendsFrom: UInt64?
        var sizing = false

        /// An open to append to under a size limit: the target writes each block at the file's
        /// end whatever offset it names, so the bytes count from the file's size.
        var appendsUnderLimit: Bool {
            guard case .open(_, _, let flags, _) = request else { return false }
            return flags.contains(.append) && decision?.maxFileSize != nil
        }
    }

    // MARK: Input

    /// Bytes from the client.
    public mutating func clientBytes(_ chunk: UnsafeRawBufferPointer) -> Output {
        var out = Output()
        var framer = clientFramer
        clientFramer = SFTPFramer()
        defer { clientFramer = framer }
        do {
            try framer.feed(chunk) { packet in try self.clientPacket(packet, &out) }
        } catch {
            out.failure = "the client sent what is not SFTP: \(error)"
        }
        return out
    }

    /// Bytes from the target's SFTP server.
    public mutating func targetBytes(_ chunk: UnsafeRawBufferPointer) -> Output {
        var out = Output()
        var framer = targetFramer
        targetFramer = SFTPFramer()
        defer { targetFramer = framer }
        do {
            try framer.feed(chunk) { packet in try self.targetPacket(packet, &out) }
        } catch {
            out.failure = "the target's SFTP server sent what is not SFTP: \(error)"
        }
        return out
    }

    /// The approvers answered the escalated operation.
    public mutating func approvalAnswered(approved: Bool, message: String?) -> Output {
        var out = Output()
        guard awaitingApproval != nil, !queue.isEmpty else { return out }
        queue[0].approved = approved
        if !approved, let message { queue[0].decision?.message = message }
        awaitingApproval = nil
        drain(&out)
        return out
    }

    /// The channel ends: files still open are partial.
    public mutating func finish() -> [TransferEvent] {
        let open = handles.values.compactMap { handle in handle.flow.map { ($0, handle.upload) } }
        handles.removeAll()
        return open.sorted { $0.0.sequence < $1.0.sequence }.map { flow, upload in
            .finished(flow.outcome(closedCleanly: false, upload: upload, endNote: "the session ended before the file was closed"))
        }
    }

    // MARK: Client packets

    private mutating func clientPacket(_ slice: ArraySlice<UInt8>, _ out: inout Output) throws {
        let packet = Array(slice)
        let request = try SFTPRequest.parse(packet[...])
        guard let id = request.id else {
            // The client's INIT: sent on as it is.
            guard !initSent else { throw SFTPWireError("a second init packet") }
            initSent = true
            appendPacket(packet[...], to: &out.toTarget)
            return
        }
        guard versionSeen else { throw SFTPWireError("a request before the version exchange") }
        var queued = Queued(packet: packet, request: request, clientID: id, operation: .list, paths: [])
        if let refusal = classify(&queued) {
            guard queue.isEmpty else {
                // Still in order: answered when its turn comes.
                queued.unresolvable = refusal
                enqueue(queued)
                return
            }
            out.toClient += SFTPPacketWriter.status(id: id, SFTPStatus(rawValue: refusal.code) ?? .failure,
                                                   message: String(decoding: refusal.message, as: UTF8.self))
            return
        }
        if queue.isEmpty && !queued.needsDecision {
            send(queued, &out)
            return
        }
        enqueue(queued)
        drain(&out)
    }

    private mutating func enqueue(_ queued: Queued) {
        queuedBytes += queued.packet.count
        queue.append(queued)
    }

    /// Sorts a request: the operation and paths to decide, or a refusal (code and message) for
    /// a request the gate answers itself.
    private mutating func classify(_ q: inout Queued) -> (code: UInt32, message: [UInt8])? {
        func paths(_ operation: TransferOperation, _ list: [([UInt8], Resolution)]) -> (code: UInt32, message: [UInt8])? {
            for (path, _) in list {
                if let problem = Self.pathProblem(path) { return (SFTPStatus.badMessage.rawValue, Array(problem.utf8)) }
            }
            q.operation = operation
            // A trailing `/` makes the kernel follow a final symbolic link even where the
            // operation would not (`lsetstat`, `lstat`, `readlink`): such a path is resolved whole.
            q.paths = list.map { path, resolution in
                (path, resolution == .parent && path.count > 1 && path.last == UInt8(ascii: "/") ? .full : resolution)
            }
            q.needsDecision = true
            return nil
        }
        func known(_ handle: [UInt8], directory: Bool? = nil) -> (code: UInt32, message: [UInt8])? {
            guard let open = handles[handle] else { return (SFTPStatus.failure.rawValue, Array("bastion: no such open handle".utf8)) }
            if let directory, (open.flow == nil) != directory {
                return (SFTPStatus.failure.rawValue, Array("bastion: the handle is not a \(directory ? "directory" : "file")".utf8))
            }
            return nil
        }
        switch q.request {
        case .initialize:
            return nil
        case .open(_, let path, let flags, _):
            if handles.count + opening >= Self.maxOpenHandles {
                return (SFTPStatus.failure.rawValue, Array("bastion: too many open files (at most \(Self.maxOpenHandles) per session)".utf8))
            }
            return paths(flags.writes ? .upload : .download, [(path, .full)])
        case .opendir(_, let path):
            if handles.count + opening >= Self.maxOpenHandles {
                return (SFTPStatus.failure.rawValue, Array("bastion: too many open files (at most \(Self.maxOpenHandles) per session)".utf8))
            }
            return paths(.list, [(path, .full)])
        case .stat(_, let path): return paths(.list, [(path, .full)])
        case .lstat(_, let path), .readlink(_, let path): return paths(.list, [(path, .parent)])
        case .setstat(_, let path, _): return paths(.setstat, [(path, .full)])
        case .remove(_, let path): return paths(.delete, [(path, .parent)])
        case .mkdir(_, let path): return paths(.mkdir, [(path, .parent)])
        case .rmdir(_, let path): return paths(.rmdir, [(path, .parent)])
        case .rename(_, let from, let to): return paths(.rename, [(from, .parent), (to, .parent)])
        case .symlink(_, let target, let link):
            // Where the link points is decided too (a relative target from the link's directory):
            // a link from an allowed place into a denied one would carry scp -O and rsync, which
            // go by a path's text, there.
            return paths(.symlink, [(link, .parent), (Self.linkDestination(target, link: link), .parent)])
        case .realpath(_, let path):
            return Self.pathProblem(path).map { (SFTPStatus.badMessage.rawValue, Array($0.utf8)) }
        case .read(_, let handle, _, _):
            if let problem = known(handle, directory: false) { return problem }
            // A file opened to write was decided as an upload: its bytes do not come back.
            guard handles[handle]?.upload == false else {
                return (SFTPStatus.permissionDenied.rawValue, Array("bastion: the file was opened for writing, not reading".utf8))
            }
            return nil
        case .write(_, let handle, _, _), .fstat(_, let handle):
            return known(handle, directory: false)
        case .fsetstat(_, let handle, _):
            if let problem = known(handle, directory: false) { return problem }
            // Decided on the path the handle was opened with (already resolved).
            q.operation = .setstat
            q.resolved = [handles[handle]!.path]
            q.needsDecision = true
            return nil
        case .readdir(_, let handle):
            return known(handle, directory: true)
        case .close(_, let handle):
            return known(handle)
        case .extended(_, let name, let fields):
            var reader = SFTPReader(q.packet[...], at: fields)
            do {
                switch name {
                case "posix-rename@openssh.com":
                    let from = try reader.string(), to = try reader.string()
                    return paths(.rename, [(from, .parent), (to, .parent)])
                case "hardlink@openssh.com":
                    // (The existing file, then the new name.) Logged as a symbolic link is: the
                    // new link first, then what it leads to.
                    let existing = try reader.string(), link = try reader.string()
                    return paths(.symlink, [(link, .parent), (existing, .parent)])
                case "statvfs@openssh.com":
                    return paths(.list, [(try reader.string(), .full)])
                case "lsetstat@openssh.com":
                    return paths(.setstat, [(try reader.string(), .parent)])
                case "fstatvfs@openssh.com", "fsync@openssh.com":
                    return known(try reader.string(), directory: false)
                case "limits@openssh.com", "users-groups-by-id@openssh.com":
                    return nil
                case "expand-path@openssh.com", "home-directory":
                    return Self.pathProblem(try reader.string()).map { (SFTPStatus.badMessage.rawValue, Array($0.utf8)) }
                default:
                    return (SFTPStatus.operationUnsupported.rawValue, Array("bastion: the extension \(name) is not available".utf8))
                }
            } catch {
                return (SFTPStatus.badMessage.rawValue, Array("bastion: \(error)".utf8))
            }
        }
    }

    /// A symbolic link's target as a path: absolute as given, relative ones from the link's
    /// directory (as the file system follows them).
    static func linkDestination(_ target: [UInt8], link: [UInt8]) -> [UInt8] {
        guard target.first != UInt8(ascii: "/"), let slash = link.lastIndex(of: UInt8(ascii: "/")) else { return target }
        return Array(link[...slash]) + target
    }

    /// Why a path cannot be decided, if it cannot.
    static func pathProblem(_ path: [UInt8]) -> String? {
        if path.contains(0) { return "bastion: a path with a NUL byte is refused" }
        if path.count > maxPathLength { return "bastion: a path longer than \(maxPathLength) bytes is refused" }
        if String(validating: path, as: UTF8.self) == nil { return "bastion: a path that is not UTF-8 is refused" }
        return nil
    }

    // MARK: The queue

    /// Moves the queue on: asks for paths, decides, sends on or answers, in order.
    private mutating func drain(_ out: inout Output) {
        while !queue.isEmpty {
            var head = queue[0]
            if let refusal = head.unresolvable {
                // A path the target cannot resolve (a missing directory) is still decided on its
                // written form, so an attempt on a forbidden place is refused and logged; an
                // allowed one is logged as scp's is, with the target's answer as the file's end,
                // and gets that answer. (One the rules escalate is not put to approvers.)
                if head.needsDecision && head.decision == nil {
                    while head.resolved.count < head.paths.count { head.resolved.append(lexical(head.paths[head.resolved.count].bytes)) }
                    decideHead(&head, &out, logAllowed: false)
                    if let decision = head.decision, decision.verdict == .deny {
                        refuse(head, decision, &out)
                        pop()
                        continue
                    }
                    if let entry = head.entry, head.decision?.verdict == .allow, head.operation != .list {
                        out.events.append(.decided(entry))
                        if head.operation == .upload || head.operation == .download {
                            out.events.append(.finished(FileFlow.unopened(sequence: entry.sequence, upload: head.operation == .upload,
                                                                          why: "the target could not resolve the path: "
                                                                              + String(decoding: refusal.message, as: UTF8.self))))
                        }
                    }
                }
                out.toClient += SFTPPacketWriter.status(id: head.clientID, SFTPStatus(rawValue: refusal.code) ?? .failure,
                                                       message: String(decoding: refusal.message, as: UTF8.self))
                pop()
                continue
            }
            if head.resolved.count < head.paths.count {
                if !head.asked {
                    ask(head.paths[head.resolved.count], &out)
                    head.asked = true
                    queue[0] = head
                }
                return
            }
            if head.needsDecision {
                if head.decision == nil { decideHead(&head, &out) }
                guard let decision = head.decision else { return }
                switch decision.verdict {
                case .allow:
                    break
                case .deny:
                    refuse(head, decision, &out)
                    pop()
                    continue
                case .escalate:
                    guard let approved = head.approved else {
                        queue[0] = head
                        return
                    }
                    if !approved {
                        refuse(head, decision, &out)
                        pop()
                        continue
                    }
                    guard let seen = head.approvedPaths else {
                        head.approvedPaths = head.resolved
                        head.resolved = []
                        head.asked = false
                        queue[0] = head
                        continue
                    }
                    if seen != head.resolved {
                        out.toClient += SFTPPacketWriter.status(id: head.clientID, .permissionDenied,
                                                               message: "bastion: refused: the path no longer leads where the approvers saw it (\(seen.joined(separator: ", ")))")
                        pop()
                        continue
                    }
                }
            }
            if head.appendsUnderLimit, head.appendsFrom == nil {
                if !head.sizing {
                    let id = takeID()
                    pending[id] = .sizing
                    out.toTarget += SFTPPacketWriter.stat(id: id, path: Array((head.resolved.first ?? "").utf8))
                    head.sizing = true
                    queue[0] = head
                }
                return
            }
            send(head, &out)
            pop()
        }
    }

    /// The target told the size of the file the queue's head opens to append to (none: a new
    /// file); a file whose size it cannot tell is not opened.
    private mutating func sized(_ reply: SFTPReply, _ out: inout Output) {
        guard !queue.isEmpty else { return }
        var head = queue[0]
        switch reply {
        case .attrs(_, let attributes) where attributes.size != nil:
            head.appendsFrom = attributes.size
        case .status(_, let code, _) where code == SFTPStatus.noSuchFile.rawValue:
            head.appendsFrom = 0
        default:
            head.unresolvable = (SFTPStatus.permissionDenied.rawValue,
                                 Array("bastion: the file's size could not be read, so the size limit of an append to it could not be kept".utf8))
            // (Its row, logged as allowed, ends here: no file was opened.)
            if let entry = head.entry {
                out.events.append(.finished(FileFlow.unopened(sequence: entry.sequence, upload: true,
                                                              why: "not opened: the file's size could not be read, so the size limit of an append to it could not be kept")))
            }
        }
        queue[0] = head
        drain(&out)
    }

    private mutating func pop() {
        queuedBytes -= queue[0].packet.count
        queue.removeFirst()
    }

    /// Sends the gate's own `realpath` for the next path of the queue's head.
    private mutating func ask(_ path: (bytes: [UInt8], resolution: Resolution), _ out: inout Output) {
        let id = takeID()
        pending[id] = .resolving
        let asked: [UInt8]
        switch path.resolution {
        case .full: asked = path.bytes
        case .parent: asked = Self.split(path.bytes).directory
        }
        out.toTarget += SFTPPacketWriter.realpath(id: id, path: asked)
    }

    /// The target resolved (or could not resolve) the path the queue's head asked for.
    private mutating func resolved(_ reply: SFTPReply, _ out: inout Output) {
        guard !queue.isEmpty else { return }
        var head = queue[0]
        head.asked = false
        let asked = head.paths[head.resolved.count]
        switch reply {
        case .name(_, _, let name?):
            guard Self.pathProblem(name) == nil, let text = String(validating: name, as: UTF8.self), text.hasPrefix("/") else {
                head.unresolvable = (SFTPStatus.permissionDenied.rawValue, Array("bastion: the target resolved the path to a name it cannot decide".utf8))
                break
            }
            switch asked.resolution {
            case .full:
                head.resolved.append(PathNormalizer.normalize(text))
            case .parent:
                let last = String(decoding: Self.split(asked.bytes).name, as: UTF8.self)
                head.resolved.append(PathNormalizer.normalize(text == "/" ? "/" + last : text + "/" + last))
            }
        case .status(_, let code, let message):
            head.unresolvable = (code == SFTPStatus.ok.rawValue ? SFTPStatus.failure.rawValue : code, message)
        default:
            head.unresolvable = (SFTPStatus.failure.rawValue, Array("bastion: the target did not resolve the path".utf8))
        }
        queue[0] = head
        drain(&out)
    }

    /// `dir/name` → (`dir`, `name`); a bare name is in `.`; `.`/`..`/`/` resolve whole.
    static func split(_ path: [UInt8]) -> (directory: [UInt8], name: [UInt8]) {
        var trimmed = path[...]
        while trimmed.count > 1, trimmed.last == UInt8(ascii: "/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else {
            if trimmed.isEmpty || trimmed == [UInt8(ascii: ".")] || trimmed == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                return (Array(trimmed.isEmpty ? [UInt8(ascii: ".")] : trimmed), [])
            }
            return ([UInt8(ascii: ".")], Array(trimmed))
        }
        let name = trimmed[(slash + 1)...]
        if name.isEmpty || name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] {
            return (Array(trimmed), [])
        }
        let directory = trimmed[..<slash]
        return (directory.isEmpty ? [UInt8(ascii: "/")] : Array(directory), Array(name))
    }

    /// `path` as written, made absolute from the home directory and normalised.
    private func lexical(_ path: [UInt8]) -> String {
        let text = String(decoding: path, as: UTF8.self)
        return PathNormalizer.normalize(text.hasPrefix("/") ? text : (home ?? "~") + "/" + text)
    }

    /// Decides the queue's head on its resolved paths (the most restrictive answer counts).
    /// Refusals are always logged; allowed reads of names never, other allowed operations unless
    /// `logAllowed` is false.
    private mutating func decideHead(_ head: inout Queued, _ out: inout Output, logAllowed: Bool = true) {
        var chosen: TransferDecision?
        for path in head.resolved {
            let decision = decide(TransferRequest(operation: head.operation, path: path, home: home))
            if chosen == nil || Self.severity(decision.verdict) > Self.severity(chosen!.verdict) { chosen = decision }
        }
        guard var decision = chosen else { return }
        if let refusal = gateRefusal(head, decision) { decision = refusal }
        head.decision = decision
        sequence += 1
        let entry = TransferEntry(sequence: sequence, operation: head.operation, path: head.resolved[0],
                                  otherPath: head.resolved.count > 1 ? head.resolved[1] : nil, decision: decision.verdict.word,
                                  rule: decision.ruleID, message: decision.message)
        head.entry = entry
        queue[0] = head
        switch decision.verdict {
        case .allow:
            // Reads of names are many and harmless: only their refusals are logged.
            if head.operation != .list && logAllowed { out.events.append(.decided(entry)) }
        case .deny:
            out.events.append(.decided(entry))
        case .escalate:
            guard logAllowed else { return }
            out.events.append(.decided(entry))
            out.events.append(.approvalNeeded(entry, decision))
            awaitingApproval = entry
        }
    }

    private static func severity(_ verdict: Verdict) -> Int {
        switch verdict {
        case .allow: return 0
        case .escalate: return 1
        case .deny: return 2
        }
    }

    /// What the gate refuses of an operation its rules allow (logged as the rules' refusals are):
    /// - a size set on a file (`setstat`, `fsetstat`) grows it as a write would: past the file
    ///   limit of its rule (or of the upload it is open for) it is refused;
    /// - a relative link target that climbs out of the link's directory points elsewhere once a
    ///   directory above the link is renamed: where it points could not stay decided;
    private func gateRefusal(_ head: Queued, _ decision: TransferDecision) -> TransferDecision? {
        guard decision.verdict != .deny else { return nil }
        var size: UInt64?, limits = [decision.maxFileSize]
        switch head.request {
        case .symlink(_, let target, _):
            guard target.first != UInt8(ascii: "/"), target.split(separator: UInt8(ascii: "/")).contains(where: { $0.elementsEqual("..".utf8) })
            else { return nil }
            return TransferDecision(verdict: .deny, role: decision.role, ruleID: nil,
                                    message: "a relative link target with `..` is refused (renaming a directory above the link would make it "
                                        + "point elsewhere); give the target as an absolute path")
        case .setstat(_, _, let asked):
            size = asked
            // (A size set by path is an upload's too: the limit of the rule an upload there meets.)
            if asked != nil, let path = head.resolved.first {
                limits.append(decide(TransferRequest(operation: .upload, path: path, home: home)).maxFileSize)
            }
        case .fsetstat(_, let handle, let asked):
            size = asked
            limits.append(handles[handle]?.flow?.maxFileSize)
        default: return nil
        }
        guard let size, let limit = limits.compactMap({ $0 }).min(), size > UInt64(max(0, limit)) else { return nil }
        return TransferDecision(verdict: .deny, role: decision.role, ruleID: decision.ruleID,
                                message: "the size asked for (\(size) bytes) is larger than the \(limit) bytes policy allows")
    }

    /// The client gets "Permission denied" with the reason, which OpenSSH's sftp and scp do not
    /// print: the person reads a policy refusal on stderr too, with the operation and the paths
    /// as the client wrote them (the ones the person recognises; the rule's words may name where
    /// they led), up to ``refusalsShown`` of them. (An approvers' refusal is told by the channel.)
    private mutating func refuse(_ head: Queued, _ decision: TransferDecision, _ out: inout Output) {
        let rule = decision.ruleID.map { " (rule \($0))" } ?? ""
        let word = head.approved == false ? "refused" : "denied"
        out.toClient += SFTPPacketWriter.status(id: head.clientID, .permissionDenied,
                                               message: "bastion: \(word)\(rule): \(decision.message)")
        guard head.approved == nil else { return }
        var paths = head.paths.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: " → ")
        // (An operation on an open file names it by its handle: the path it was opened with.)
        if paths.isEmpty, case .fsetstat(_, let handle, _) = head.request { paths = handles[handle]?.path ?? "(an open file)" }
        tell("bastion: \(head.operation.rawValue) \(paths) \(word)\(rule): \(decision.message)", &out)
    }

    /// Tells the person a refusal on stderr, up to ``refusalsShown`` of them in a session.
    private mutating func tell(_ notice: String, _ out: inout Output) {
        refusalsTold += 1
        if refusalsTold <= Self.refusalsShown {
            out.notices.append(SCPGate.oneLine(notice))
        } else if refusalsTold == Self.refusalsShown + 1 {
            out.notices.append("bastion: more operations were refused; they are not shown here (each is in the transfer log)")
        }
    }

    /// A file's bytes stopped at a limit (`why`): the client's error says only "Permission
    /// denied", so the person is told once per file, with its path and what the target holds.
    private mutating func tellCutOff(_ open: OpenHandle, _ why: String, _ out: inout Output) {
        guard open.flow?.failure == nil else { return }
        let left = open.upload ? "; the file on the target holds only what was written before it, and is incomplete" : ""
        tell("bastion: \(open.upload ? "upload" : "download") \(open.path) stopped: \(why)\(left)", &out)
    }

    /// The refusals a session tells on stderr (a batch may be refused request by request).
    static let refusalsShown = 20

    // MARK: Sending on

    /// The longest read every SFTP server answers whole unless the file ends first (the
    /// protocol's smallest packet every implementation must take is 34,000 bytes).
    static let wholeReadLength: UInt32 = 32_768

    /// Sends a decided (or undecided-by-nature) request to the target under a new id.
    private mutating func send(_ q: Queued, _ out: inout Output) {
        let relayed: Relayed
        switch q.request {
        case .open(_, _, let flags, _):
            relayed = .open(sequence: q.entry?.sequence ?? 0, path: q.resolved.first ?? "", upload: flags.writes,
                            // (Appending to a file the target found empty or absent, nothing was kept.)
                            keepsContent: flags.writes && flags.isDisjoint(with: [.truncate, .exclusive]) && q.appendsFrom != 0,
                            maxFileSize: q.decision?.maxFileSize, appendsFrom: q.appendsFrom)
            opening += 1
        case .opendir:
            relayed = .opendir(path: q.resolved.first ?? "")
            opening += 1
        case .read(_, let handle, let offset, let length):
            relayed = .read(handle: handle, offset: offset, length: length)
        case .write(_, let handle, let offset, let data):
            guard let open = handles[handle], let flow = open.flow, open.upload else {
                out.toClient += SFTPPacketWriter.status(id: q.clientID, .permissionDenied, message: "bastion: the file was not opened for writing")
                return
            }
            let count = data.count
            // (Appending, the target writes at the file's end, whatever offset the client names.)
            let at = open.appendsAt ?? offset
            if !flow.fits(offset: at, count: count) {
                tellCutOff(open, "it is larger than the \(flow.maxFileSize ?? 0) bytes policy allows", &out)
                flow.failure = "refused past the size limit of \(flow.maxFileSize ?? 0) bytes"
                out.toClient += SFTPPacketWriter.status(id: q.clientID, .permissionDenied,
                                                       message: "bastion: denied: the file is larger than the \(flow.maxFileSize ?? 0) bytes policy allows")
                return
            }
            if let sessionLimit, sessionBytes + Int64(count) > sessionLimit {
                tellCutOff(open, "this session may move at most \(sessionLimit) bytes", &out)
                flow.failure = "refused past the session's transfer limit"
                out.toClient += SFTPPacketWriter.status(id: q.clientID, .permissionDenied,
                                                       message: "bastion: denied: this session may move at most \(sessionLimit) bytes")
                return
            }
            sessionBytes += Int64(count)
            q.packet.withUnsafeBytes { raw in
                flow.crossed(UnsafeRawBufferPointer(rebasing: raw[data.lowerBound..<data.upperBound]), at: at)
            }
            if open.appendsAt != nil { open.appendsAt = at + UInt64(count) }
            relayed = .write(handle: handle)
        case .fstat(_, let handle):
            relayed = .fstat(handle: handle)
        case .fsetstat(_, let handle, let size?) where handles[handle]?.flow != nil:
            relayed = .resize(handle: handle, size: size)
        case .setstat(_, _, _?):
            // A size set by path on a file being uploaded changes it beside the upload.
            for open in handles.values where open.upload && open.path == q.resolved.first {
                open.flow?.changedAlongside = "the file's size was set by its path while it was open"
            }
            relayed = .plain
        case .close(_, let handle):
            relayed = .close(handle: handle)
        default:
            relayed = .plain
        }
        let id = takeID()
        pending[id] = .relayed(clientID: q.clientID, relayed)
        appendPacket(q.packet[...], to: &out.toTarget, id: id)
    }

    private mutating func takeID() -> UInt32 {
        repeat { nextID &+= 1 } while pending[nextID] != nil
        return nextID
    }

    /// Appends `packet` with its length prefix, its request id replaced by `id` if given.
    private func appendPacket(_ packet: ArraySlice<UInt8>, to buffer: inout [UInt8], id: UInt32? = nil) {
        let length = UInt32(packet.count)
        buffer.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)])
        let start = buffer.count
        buffer.append(contentsOf: packet)
        if let id, packet.count >= 5 {
            buffer[start + 1] = UInt8(id >> 24); buffer[start + 2] = UInt8(id >> 16 & 0xFF)
            buffer[start + 3] = UInt8(id >> 8 & 0xFF); buffer[start + 4] = UInt8(id & 0xFF)
        }
    }

    // MARK: Target packets

    private mutating func targetPacket(_ packet: ArraySlice<UInt8>, _ out: inout Output) throws {
        let reply = try SFTPReply.parse(packet)
        guard let id = reply.id else {
            guard case .version(let version, let extensions) = reply, !versionSeen else {
                throw SFTPWireError("a second version packet")
            }
            versionSeen = true
            let offered = extensions.filter { Self.supportedExtensions.contains($0.name) }
            out.toClient += SFTPPacketWriter.version(min(version, 3), extensions: offered)
            let homeID = takeID()
            pending[homeID] = .home
            out.toTarget += SFTPPacketWriter.realpath(id: homeID, path: Array(".".utf8))
            return
        }
        guard let waiting = pending.removeValue(forKey: id) else {
            throw SFTPWireError("a reply to request \(id), which was never sent")
        }
        switch waiting {
        case .home:
            if case .name(_, _, let name?) = reply, let text = String(validating: name, as: UTF8.self), text.hasPrefix("/") {
                home = PathNormalizer.normalize(text)
            }
        case .resolving:
            resolved(reply, &out)
        case .sizing:
            sized(reply, &out)
        case .relayed(let clientID, let relayed):
            if relayedReply(reply, packet: packet, relayed: relayed, clientID: clientID, &out) {
                appendPacket(packet, to: &out.toClient, id: clientID)
            }
        }
    }

    /// Follows what a reply means for handles and files; false when the gate answered the
    /// client itself instead of passing the reply on.
    private mutating func relayedReply(_ reply: SFTPReply, packet: ArraySlice<UInt8>, relayed: Relayed, clientID: UInt32,
                                       _ out: inout Output) -> Bool {
        switch relayed {
        case .plain:
            return true
        case .open(let sequence, let path, let upload, let keepsContent, let maxFileSize, let appendsFrom):
            opening -= 1
            if case .handle(_, let handle) = reply {
                let flow = FileFlow(sequence: sequence, maxFileSize: maxFileSize)
                flow.keepsEarlierContent = keepsContent
                // Two handles writing one file: neither's bytes need be the file.
                if upload {
                    for other in handles.values where other.upload && other.path == path {
                        other.flow?.changedAlongside = "another handle wrote to the file while it was open"
                        flow.changedAlongside = "another handle wrote to the file while it was open"
                    }
                }
                handles[handle] = OpenHandle(path: path, flow: flow, upload: upload, appendsAt: appendsFrom)
            } else if sequence > 0 {
                out.events.append(.finished(FileFlow.unopened(sequence: sequence, upload: upload, why: "the target refused to open the file")))
            }
            return true
        case .opendir(let path):
            opening -= 1
            if case .handle(_, let handle) = reply { handles[handle] = OpenHandle(path: path, flow: nil, upload: false) }
            return true
        case .read(let handle, let offset, let length):
            guard let open = handles[handle], let flow = open.flow else { return true }
            switch reply {
            case .data(_, let range):
                if !flow.fits(offset: offset, count: range.count) {
                    tellCutOff(open, "it is larger than the \(flow.maxFileSize ?? 0) bytes policy allows", &out)
                    flow.failure = "refused past the size limit of \(flow.maxFileSize ?? 0) bytes"
                    out.toClient += SFTPPacketWriter.status(id: clientID, .permissionDenied,
                                                           message: "bastion: denied: the file is larger than the \(flow.maxFileSize ?? 0) bytes policy allows")
                    return false
                }
                if let sessionLimit, sessionBytes + Int64(range.count) > sessionLimit {
                    tellCutOff(open, "this session may move at most \(sessionLimit) bytes", &out)
                    flow.failure = "refused past the session's transfer limit"
                    out.toClient += SFTPPacketWriter.status(id: clientID, .permissionDenied,
                                                           message: "bastion: denied: this session may move at most \(sessionLimit) bytes")
                    return false
                }
                sessionBytes += Int64(range.count)
                packet.withUnsafeBytes { raw in
                    let start = range.lowerBound - packet.startIndex
                    flow.crossed(UnsafeRawBufferPointer(rebasing: raw[start..<(start + range.count)]), at: offset)
                }
                // Every server answers a read of up to 32 KiB whole unless the file ends first.
                if range.count < Int(length), length <= Self.wholeReadLength { flow.shortReadEnd = Int64(clamping: offset) + Int64(range.count) }
            case .status(_, let code, _) where code == SFTPStatus.eof.rawValue:
                // The file ends where the bytes read so far end: the end is found right there, or
                // beyond it after a short read that ended there (a client reading in blocks). An
                // end found anywhere else says nothing of the bytes in between.
                let end = Int64(clamping: offset)
                if end == flow.expectedOffset || (end > flow.expectedOffset && flow.shortReadEnd == flow.expectedOffset) {
                    flow.reachedEnd = true
                }
            default:
                break
            }
            return true
        case .write(let handle):
            if case .status(_, let code, _) = reply, code != SFTPStatus.ok.rawValue {
                handles[handle]?.flow?.failure = "the target failed a write"
            }
            return true
        case .fstat(let handle):
            if case .attrs(_, let attributes) = reply, let size = attributes.size {
                handles[handle]?.flow?.reportedSize = Int64(clamping: size)
            }
            return true
        case .resize(let handle, let size):
            if case .status(_, let code, _) = reply, code == SFTPStatus.ok.rawValue, let flow = handles[handle]?.flow {
                // Emptied before any byte crossed, the file is as good as truncated at its open.
                if size == 0 && flow.bytes == 0 { flow.keepsEarlierContent = false } else { flow.resizedTo = Int64(clamping: size) }
            }
            return true
        case .close(let handle):
            if let open = handles.removeValue(forKey: handle), let flow = open.flow {
                var ok = false
                if case .status(_, let code, _) = reply { ok = code == SFTPStatus.ok.rawValue }
                out.events.append(.finished(flow.outcome(closedCleanly: ok, upload: open.upload)))
                // A file the gate cut short does not close as a success: a client may have read
                // the refusal of one write before the OKs of earlier ones still in flight (OpenSSH
                // keeps the last status), and would report a truncated file as sent.
                if ok, let failure = flow.failure {
                    out.toClient += SFTPPacketWriter.status(id: clientID, .failure, message: "bastion: the file is incomplete: \(failure)")
                    return false
                }
            }
            return true
        }
    }
}
