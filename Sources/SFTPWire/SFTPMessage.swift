/// SFTP protocol version 3 (draft-ietf-secsh-filexfer-02) as OpenSSH speaks it: packet types,
/// status codes and open flags. Only what the bastion parses or builds is named.
public enum SFTPMessage {
    public static let initialize: UInt8 = 1
    public static let version: UInt8 = 2
    public static let open: UInt8 = 3
    public static let close: UInt8 = 4
    public static let read: UInt8 = 5
    public static let write: UInt8 = 6
    public static let lstat: UInt8 = 7
    public static let fstat: UInt8 = 8
    public static let setstat: UInt8 = 9
    public static let fsetstat: UInt8 = 10
    public static let opendir: UInt8 = 11
    public static let readdir: UInt8 = 12
    public static let remove: UInt8 = 13
    public static let mkdir: UInt8 = 14
    public static let rmdir: UInt8 = 15
    public static let realpath: UInt8 = 16
    public static let stat: UInt8 = 17
    public static let rename: UInt8 = 18
    public static let readlink: UInt8 = 19
    public static let symlink: UInt8 = 20
    public static let status: UInt8 = 101
    public static let handle: UInt8 = 102
    public static let data: UInt8 = 103
    public static let name: UInt8 = 104
    public static let attrs: UInt8 = 105
    public static let extended: UInt8 = 200
    public static let extendedReply: UInt8 = 201

    /// The largest packet either side may send (OpenSSH's `SFTP_MAX_MSG_LENGTH`, 256 KiB).
    public static let maxPacketLength = 256 * 1024
}

/// SFTP status codes (`SSH_FX_*`).
public enum SFTPStatus: UInt32, Sendable {
    case ok = 0
    case eof = 1
    case noSuchFile = 2
    case permissionDenied = 3
    case failure = 4
    case badMessage = 5
    case noConnection = 6
    case connectionLost = 7
    case operationUnsupported = 8
}

/// `SSH_FXF_*` open flags.
public struct SFTPOpenFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let read = SFTPOpenFlags(rawValue: 0x01)
    public static let write = SFTPOpenFlags(rawValue: 0x02)
    public static let append = SFTPOpenFlags(rawValue: 0x04)
    public static let create = SFTPOpenFlags(rawValue: 0x08)
    public static let truncate = SFTPOpenFlags(rawValue: 0x10)
    public static let exclusive = SFTPOpenFlags(rawValue: 0x20)

    /// Whether the open can change the file's contents.
    public var writes: Bool { !intersection([.write, .append, .create, .truncate]).isEmpty }
}

/// Why a packet could not be read.
public struct SFTPWireError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
