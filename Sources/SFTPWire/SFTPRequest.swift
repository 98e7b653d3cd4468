/// One request from an SFTP client, read from a whole packet (type byte first, length prefix
/// already removed). Paths and handles are byte strings; data is a range of the packet, so a
/// write is relayed without a copy.
public enum SFTPRequest: Equatable, Sendable {
    case initialize(version: UInt32)
    case open(id: UInt32, path: [UInt8], flags: SFTPOpenFlags, attributes: SFTPAttributes)
    case close(id: UInt32, handle: [UInt8])
    case read(id: UInt32, handle: [UInt8], offset: UInt64, length: UInt32)
    case write(id: UInt32, handle: [UInt8], offset: UInt64, data: Range<Int>)
    case lstat(id: UInt32, path: [UInt8])
    case fstat(id: UInt32, handle: [UInt8])
    /// `size`: the size the client asks the file be cut or grown to, if it asks.
    case setstat(id: UInt32, path: [UInt8], size: UInt64?)
    case fsetstat(id: UInt32, handle: [UInt8], size: UInt64?)
    case opendir(id: UInt32, path: [UInt8])
    case readdir(id: UInt32, handle: [UInt8])
    case remove(id: UInt32, path: [UInt8])
    case mkdir(id: UInt32, path: [UInt8])
    case rmdir(id: UInt32, path: [UInt8])
    case realpath(id: UInt32, path: [UInt8])
    case stat(id: UInt32, path: [UInt8])
    case rename(id: UInt32, from: [UInt8], to: [UInt8])
    case readlink(id: UInt32, path: [UInt8])
    /// As OpenSSH sends it: the link's target first, then the link's own path (the reverse of
    /// the draft; every OpenSSH server reads it so).
    case symlink(id: UInt32, target: [UInt8], link: [UInt8])
    /// `SSH_FXP_EXTENDED`: the name, and where its own fields start in the packet.
    case extended(id: UInt32, name: String, fields: Int)

    /// The request id (none for `initialize`).
    public var id: UInt32? {
        switch self {
        case .initialize: return nil
        case .open(let id, _, _, _), .close(let id, _), .read(let id, _, _, _), .write(let id, _, _, _), .lstat(let id, _),
             .fstat(let id, _), .setstat(let id, _, _), .fsetstat(let id, _, _), .opendir(let id, _), .readdir(let id, _),
             .remove(let id, _), .mkdir(let id, _), .rmdir(let id, _), .realpath(let id, _), .stat(let id, _),
             .rename(let id, _, _), .readlink(let id, _), .symlink(let id, _, _), .extended(let id, _, _):
            return id
        }
    }

    /// Reads a request from `packet` (its first byte is the type).
    public static func parse(_ packet: ArraySlice<UInt8>) throws(SFTPWireError) -> SFTPRequest {
        var reader = SFTPReader(packet)
        let type = try reader.byte()
        if type == SFTPMessage.initialize { return .initialize(version: try reader.uint32()) }
        let id = try reader.uint32()
        let request: SFTPRequest
        switch type {
        case SFTPMessage.open:
            let path = try reader.string()
            let flags = SFTPOpenFlags(rawValue: try reader.uint32())
            request = .open(id: id, path: path, flags: flags, attributes: try reader.attributes())
        case SFTPMessage.close: request = .close(id: id, handle: try reader.string())
        case SFTPMessage.read:
            let handle = try reader.string()
            let offset = try reader.uint64()
            request = .read(id: id, handle: handle, offset: offset, length: try reader.uint32())
        case SFTPMessage.write:
            let handle = try reader.string()
            let offset = try reader.uint64()
            request = .write(id: id, handle: handle, offset: offset, data: try reader.stringRange())
        case SFTPMessage.lstat: request = .lstat(id: id, path: try reader.string())
        case SFTPMessage.fstat: request = .fstat(id: id, handle: try reader.string())
        case SFTPMessage.setstat:
            let path = try reader.string()
            request = .setstat(id: id, path: path, size: try reader.attributes().size)
        case SFTPMessage.fsetstat:
            let handle = try reader.string()
            request = .fsetstat(id: id, handle: handle, size: try reader.attributes().size)
        case SFTPMessage.opendir: request = .opendir(id: id, path: try reader.string())
        case SFTPMessage.readdir: request = .readdir(id: id, handle: try reader.string())
        case SFTPMessage.remove: request = .remove(id: id, path: try reader.string())
        case SFTPMessage.mkdir:
            let path = try reader.string()
            try reader.attributes()
            request = .mkdir(id: id, path: path)
        case SFTPMessage.rmdir: request = .rmdir(id: id, path: try reader.string())
        case SFTPMessage.realpath: request = .realpath(id: id, path: try reader.string())
        case SFTPMessage.stat: request = .stat(id: id, path: try reader.string())
        case SFTPMessage.rename:
            let from = try reader.string()
            request = .rename(id: id, from: from, to: try reader.string())
        case SFTPMessage.readlink: request = .readlink(id: id, path: try reader.string())
        case SFTPMessage.symlink:
            let target = try reader.string()
            request = .symlink(id: id, target: target, link: try reader.string())
        case SFTPMessage.extended:
            let name = try reader.string()
            guard let text = String(validating: name, as: UTF8.self) else { throw SFTPWireError("an extension name that is not UTF-8") }
            return .extended(id: id, name: text, fields: reader.offset)
        default:
            throw SFTPWireError("unknown request type \(type)")
        }
        return request
    }
}

/// One reply from an SFTP server, read from a whole packet.
public enum SFTPReply: Equatable, Sendable {
    case version(version: UInt32, extensions: [(name: String, data: [UInt8])])
    case status(id: UInt32, code: UInt32, message: [UInt8])
    case handle(id: UInt32, handle: [UInt8])
    case data(id: UInt32, data: Range<Int>)
    /// `SSH_FXP_NAME`: the count and, for a single entry (`realpath`, `readlink`), its name.
    case name(id: UInt32, count: UInt32, first: [UInt8]?)
    case attrs(id: UInt32, attributes: SFTPAttributes)
    case extendedReply(id: UInt32)

    public static func == (lhs: SFTPReply, rhs: SFTPReply) -> Bool {
        switch (lhs, rhs) {
        case (.version(let a, let x), .version(let b, let y)):
            return a == b && x.map(\.name) == y.map(\.name) && x.map(\.data) == y.map(\.data)
        case (.status(let a, let b, let c), .status(let d, let e, let f)): return a == d && b == e && c == f
        case (.handle(let a, let b), .handle(let c, let d)): return a == c && b == d
        case (.data(let a, let b), .data(let c, let d)): return a == c && b == d
        case (.name(let a, let b, let c), .name(let d, let e, let f)): return a == d && b == e && c == f
        case (.attrs(let a, let b), .attrs(let c, let d)): return a == c && b == d
        case (.extendedReply(let a), .extendedReply(let b)): return a == b
        default: return false
        }
    }

    /// The id of the request answered (none for `version`).
    public var id: UInt32? {
        switch self {
        case .version: return nil
        case .status(let id, _, _), .handle(let id, _), .data(let id, _), .name(let id, _, _), .attrs(let id, _),
             .extendedReply(let id):
            return id
        }
    }

    /// Reads a reply from `packet` (its first byte is the type).
    public static func parse(_ packet: ArraySlice<UInt8>) throws(SFTPWireError) -> SFTPReply {
        var reader = SFTPReader(packet)
        let type = try reader.byte()
        if type == SFTPMessage.version {
            let version = try reader.uint32()
            var extensions: [(name: String, data: [UInt8])] = []
            while reader.remaining > 0 {
                let name = try reader.string()
                let data = try reader.string()
                extensions.append((String(decoding: name, as: UTF8.self), data))
            }
            return .version(version: version, extensions: extensions)
        }
        let id = try reader.uint32()
        switch type {
        case SFTPMessage.status:
            let code = try reader.uint32()
            // The message and language tag are optional in practice (some servers omit them).
            let message = reader.remaining > 0 ? try reader.string() : []
            return .status(id: id, code: code, message: message)
        case SFTPMessage.handle: return .handle(id: id, handle: try reader.string())
        case SFTPMessage.data: return .data(id: id, data: try reader.stringRange())
        case SFTPMessage.name:
            let count = try reader.uint32()
            guard count > 0 else { return .name(id: id, count: 0, first: nil) }
            return .name(id: id, count: count, first: try reader.string())
        case SFTPMessage.attrs: return .attrs(id: id, attributes: try reader.attributes())
        case SFTPMessage.extendedReply: return .extendedReply(id: id)
        default: throw SFTPWireError("unknown reply type \(type)")
        }
    }
}
