import SFTPWire

/// An SFTP server over an in-memory file system, as the target's sftp-server answers: enough of
/// version 3 for the gate's tests (realpath with symbolic links and a missing last name, open,
/// read, write (at the file's end on a handle opened to append), close, stat, fstat, mkdir,
/// remove, rename, opendir/readdir). It records every request it was sent.
struct FakeSFTPServer {
    var files: [String: [UInt8]] = [:]
    var directories: Set<String> = ["/", "/home", "/home/u"]
    /// Symbolic links: path → target (absolute).
    var links: [String: String] = [:]
    let home = "/home/u"
    /// Paths whose `stat` fails (not with "no such file").
    var failingStats: Set<String> = []
    private(set) var received: [SFTPRequest] = []
    private var handles: [[UInt8]: (path: String, directory: Bool, listed: Bool)] = [:]
    private var nextHandle = 0
    /// Handles opened in append mode: each write lands at the file's end, whatever its offset.
    private var appending: Set<[UInt8]> = []
    private var framer = SFTPFramer()
    var extensions: [(name: String, data: [UInt8])] = [("posix-rename@openssh.com", Array("1".utf8)),
                                                        ("copy-data", Array("1".utf8)), ("limits@openssh.com", Array("1".utf8))]

    /// Answers every whole packet in `bytes`.
    mutating func serve(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var framer = self.framer
        try! bytes.withUnsafeBytes { raw in
            try framer.feed(raw) { packet in
                let request = try SFTPRequest.parse(Array(packet)[...])
                received.append(request)
                out += answer(request, packet: Array(packet))
            }
        }
        self.framer = framer
        return out
    }

    /// `path` made absolute and lexically clean, links followed (all of them when `full`).
    func resolve(_ path: String, full: Bool = true) -> String? {
        var parts: [String] = []
        var pending = (path.hasPrefix("/") ? [] : home.split(separator: "/").map(String.init)) + path.split(separator: "/").map(String.init)
        var hops = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            let candidate = "/" + (parts + [part]).joined(separator: "/")
            if let target = links[candidate], full || !pending.isEmpty {
                hops += 1
                if hops > 32 { return nil }
                parts = []
                pending = target.split(separator: "/").map(String.init) + pending
                continue
            }
            let exists = files[candidate] != nil || directories.contains(candidate)
            if !exists && !pending.isEmpty { return nil }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    private mutating func answer(_ request: SFTPRequest, packet: [UInt8]) -> [UInt8] {
        func status(_ id: UInt32, _ code: SFTPStatus) -> [UInt8] { SFTPPacketWriter.status(id: id, code, message: "\(code)") }
        func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
        func newHandle(_ path: String, directory: Bool) -> [UInt8] {
            nextHandle += 1
            let handle = Array("h\(nextHandle)".utf8)
            handles[handle] = (path, directory, false)
            return handle
        }
        func handleReply(_ id: UInt32, _ handle: [UInt8]) -> [UInt8] {
            var writer = SFTPPacketWriter(type: SFTPMessage.handle)
            writer.uint32(id)
            writer.string(handle)
            return writer.packet()
        }
        switch request {
        case .initialize:
            return SFTPPacketWriter.version(3, extensions: extensions)
        case .realpath(let id, let path):
            guard let resolved = resolve(text(path)) else { return status(id, .noSuchFile) }
            var writer = SFTPPacketWriter(type: SFTPMessage.name)
            writer.uint32(id)
            writer.uint32(1)
            writer.string(resolved)
            writer.string(resolved)
            writer.uint32(0)
            return writer.packet()
        case .open(let id, let path, let flags, _):
            guard let resolved = resolve(text(path)) else { return status(id, .noSuchFile) }
            if flags.writes {
                if flags.contains(.truncate) || files[resolved] == nil { files[resolved] = [] }
            } else if files[resolved] == nil {
                return status(id, .noSuchFile)
            }
            let handle = newHandle(resolved, directory: false)
            if flags.contains(.append) { appending.insert(handle) }
            return handleReply(id, handle)
        case .opendir(let id, let path):
            guard let resolved = resolve(text(path)), directories.contains(resolved) else { return status(id, .noSuchFile) }
            return handleReply(id, newHandle(resolved, directory: true))
        case .write(let id, let handle, let offset, let data):
            guard let open = handles[handle] else { return status(id, .failure) }
            var content = files[open.path] ?? []
            let offset = appending.contains(handle) ? UInt64(content.count) : offset
            let end = Int(offset) + data.count
            if content.count < end { content += [UInt8](repeating: 0, count: end - content.count) }
            content.replaceSubrange(Int(offset)..<end, with: packet[data])
            files[open.path] = content
            return status(id, .ok)
        case .read(let id, let handle, let offset, let length):
            guard let open = handles[handle], let content = files[open.path] else { return status(id, .failure) }
            guard Int(offset) < content.count else { return status(id, .eof) }
            var writer = SFTPPacketWriter(type: SFTPMessage.data)
            writer.uint32(id)
            writer.string(content[Int(offset)..<min(content.count, Int(offset) + Int(length))])
            return writer.packet()
        case .stat(let id, let path):
            if failingStats.contains(text(path)) { return status(id, .failure) }
            guard let resolved = resolve(text(path)), let content = files[resolved] else { return status(id, .noSuchFile) }
            var writer = SFTPPacketWriter(type: SFTPMessage.attrs)
            writer.uint32(id)
            writer.uint32(1)
            writer.uint32(0)
            writer.uint32(UInt32(content.count))
            return writer.packet()
        case .fstat(let id, let handle):
            guard let open = handles[handle] else { return status(id, .failure) }
            var writer = SFTPPacketWriter(type: SFTPMessage.attrs)
            writer.uint32(id)
            writer.uint32(1)
            writer.uint32(0)
            writer.uint32(UInt32(files[open.path]?.count ?? 0))
            return writer.packet()
        case .readdir(let id, let handle):
            guard let open = handles[handle], !open.listed else { return status(id, .eof) }
            handles[handle]?.listed = true
            let names = files.keys.filter { $0.hasPrefix(open.path + "/") }.sorted()
            var writer = SFTPPacketWriter(type: SFTPMessage.name)
            writer.uint32(id)
            writer.uint32(UInt32(names.count))
            for name in names {
                writer.string(String(name.dropFirst(open.path.count + 1)))
                writer.string(name)
                writer.uint32(0)
            }
            return writer.packet()
        case .close(let id, let handle):
            return status(id, handles.removeValue(forKey: handle) == nil ? .failure : .ok)
        case .fsetstat(let id, let handle, let size):
            guard let open = handles[handle] else { return status(id, .failure) }
            if let size { files[open.path] = Self.resized(files[open.path] ?? [], to: Int(size)) }
            return status(id, .ok)
        case .setstat(let id, let path, let size):
            guard let resolved = resolve(text(path)), let content = files[resolved] else { return status(id, .noSuchFile) }
            if let size { files[resolved] = Self.resized(content, to: Int(size)) }
            return status(id, .ok)
        case .mkdir(let id, let path):
            guard let resolved = resolve(text(path), full: false) else { return status(id, .noSuchFile) }
            directories.insert(resolved)
            return status(id, .ok)
        case .remove(let id, let path):
            guard let resolved = resolve(text(path), full: false), files.removeValue(forKey: resolved) != nil else { return status(id, .noSuchFile) }
            return status(id, .ok)
        case .rename(let id, let from, let to):
            guard let a = resolve(text(from), full: false), let b = resolve(text(to), full: false), let content = files[a] else {
                return status(id, .noSuchFile)
            }
            files[a] = nil
            files[b] = content
            return status(id, .ok)
        default:
            return status(request.id ?? 0, .operationUnsupported)
        }
    }

    /// `content` cut or grown with zeros to `size` bytes (as truncate(2)).
    static func resized(_ content: [UInt8], to size: Int) -> [UInt8] {
        size <= content.count ? Array(content.prefix(size)) : content + [UInt8](repeating: 0, count: size - content.count)
    }
}
