import SFTPWire

/// libFuzzer entry point for SFTPWire. The input is
///
///     byte 0        the framer's limit: 0 = SFTPMessage.maxPacketLength, else byte × 16 (16…4080)
///     byte 1        k = byte % 8 + 1, how many chunk sizes follow
///     next k bytes  chunk sizes (0…255), used in turn; 0 feeds an empty chunk (all zero = one chunk)
///     the rest      the byte stream: SFTP packets, `uint32 length` then type byte and fields
///
/// so packet boundaries fall anywhere in a chunk. Every packet goes to both `SFTPRequest.parse`
/// and `SFTPReply.parse`. A thrown `SFTPWireError` is fine; a trap or a failed precondition is a
/// bug. Checked:
/// - the framer never keeps more than maxLength + 4 bytes, hands out packets of 1…maxLength
///   bytes, and cuts the stream the same way (same packets, same error) whatever the chunks;
/// - a `.write` data range, a `.data` range and an `.extended` fields offset lie inside the
///   packet's indices (the framer's slices do not start at 0);
/// - parsing a zero-based copy of the packet gives the same result (ranges shifted) or error;
/// - a parsed status re-encoded with `SFTPPacketWriter.status` (and a realpath request with
///   `.realpath`, a version with `.version`) reads back through `SFTPFramer` + parse the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSFTPWire(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard input.count >= 2 else { return 0 }
    let maxLength = input[0] == 0 ? SFTPMessage.maxPacketLength : Int(input[0]) * 16
    let sizeCount = Int(input[1]) % 8 + 1
    guard input.count >= 2 + sizeCount else { return 0 }
    let sizes = input[2..<(2 + sizeCount)].map(Int.init)
    let stream = Array(input[(2 + sizeCount)...])

    // The stream in chunks, every packet checked as it comes.
    var framer = SFTPFramer(maxLength: maxLength)
    precondition(framer.maxLength == maxLength)
    var chunked: [[UInt8]] = []
    var chunkedError: SFTPWireError?
    var position = 0, turn = 0
    let allZero = sizes.allSatisfy { $0 == 0 }
    while position < stream.count || (turn == 0 && stream.isEmpty) {
        let size = allZero ? stream.count : min(sizes[turn % sizes.count], stream.count - position)
        turn += 1
        let chunk = stream[position..<(position + size)]
        position += size
        do {
            try chunk.withUnsafeBytes { raw in
                try framer.feed(raw) { packet in
                    precondition(packet.count >= 1 && packet.count <= maxLength, "framer gave a packet of \(packet.count) bytes (limit \(maxLength))")
                    chunked.append(Array(packet))
                    checkPacket(packet)
                }
            }
        } catch let error as SFTPWireError {
            chunkedError = error
            break
        } catch {
            preconditionFailure("feed threw \(error), not an SFTPWireError")
        }
        precondition(framer.bufferedCount <= maxLength + 4, "framer keeps \(framer.bufferedCount) bytes (limit \(maxLength))")
        if stream.isEmpty { break }
    }

    // The same stream in one chunk must be cut the same way.
    var whole = SFTPFramer(maxLength: maxLength)
    var wholePackets: [[UInt8]] = []
    var wholeError: SFTPWireError?
    do {
        try stream.withUnsafeBytes { raw in try whole.feed(raw) { wholePackets.append(Array($0)) } }
        precondition(whole.bufferedCount <= maxLength + 4, "framer keeps \(whole.bufferedCount) bytes (limit \(maxLength))")
    } catch let error as SFTPWireError {
        wholeError = error
    } catch {
        preconditionFailure("feed threw \(error), not an SFTPWireError")
    }
    precondition(chunked == wholePackets, "chunked feeding cut \(chunked.count) packets, one feed \(wholePackets.count)")
    precondition(chunkedError == wholeError, "chunked feeding ended with \(String(describing: chunkedError)), one feed with \(String(describing: wholeError))")
    if chunkedError == nil {
        precondition(framer.bufferedCount == whole.bufferedCount, "chunked feeding keeps \(framer.bufferedCount) bytes, one feed \(whole.bufferedCount)")
    }
    return 0
}

/// Both parsers on one packet as the framer handed it out (a slice of its buffer).
private func checkPacket(_ packet: ArraySlice<UInt8>) {
    let rebased = Array(packet)[...]
    let shift = packet.startIndex

    // As a request (client to server).
    let request: Result<SFTPRequest, SFTPWireError>
    do throws(SFTPWireError) { request = .success(try SFTPRequest.parse(packet)) } catch { request = .failure(error) }
    let rebasedRequest: Result<SFTPRequest, SFTPWireError>
    do throws(SFTPWireError) { rebasedRequest = .success(try SFTPRequest.parse(rebased)) } catch { rebasedRequest = .failure(error) }
    precondition(request.map { shifted($0, by: -shift) } == rebasedRequest,
                 "SFTPRequest.parse differs on a zero-based copy: \(request) vs \(rebasedRequest)")
    if case .success(let parsed) = request {
        switch parsed {
        case .write(_, _, _, let range):
            precondition(range.lowerBound >= packet.startIndex && range.upperBound <= packet.endIndex,
                         "write data \(range) outside the packet \(packet.indices)")
        case .extended(_, _, let fields):
            precondition(fields >= packet.startIndex && fields <= packet.endIndex,
                         "extended fields at \(fields) outside the packet \(packet.indices)")
            // Read the fields the way the gate does (two strings, e.g. posix-rename).
            var reader = SFTPReader(packet, at: fields)
            precondition(reader.offset == fields)
            for _ in 0..<2 {
                do throws(SFTPWireError) {
                    let range = try reader.stringRange()
                    precondition(range.lowerBound >= packet.startIndex && range.upperBound <= packet.endIndex,
                                 "extension string \(range) outside the packet \(packet.indices)")
                } catch { break }
            }
            precondition(reader.offset >= packet.startIndex && reader.offset <= packet.endIndex)
        case .realpath(let id, let path):
            let again = SFTPPacketWriter.realpath(id: id, path: path)
            let back = reframe(again)
            do throws(SFTPWireError) {
                let reparsed = try SFTPRequest.parse(back[...])
                precondition(reparsed == .realpath(id: id, path: path), "realpath re-encoded reads back as \(reparsed)")
            } catch {
                preconditionFailure("realpath re-encoded does not parse: \(error)")
            }
        default:
            break
        }
    }

    // As a reply (server to client).
    let reply: Result<SFTPReply, SFTPWireError>
    do throws(SFTPWireError) { reply = .success(try SFTPReply.parse(packet)) } catch { reply = .failure(error) }
    let rebasedReply: Result<SFTPReply, SFTPWireError>
    do throws(SFTPWireError) { rebasedReply = .success(try SFTPReply.parse(rebased)) } catch { rebasedReply = .failure(error) }
    precondition(reply.map { shifted($0, by: -shift) } == rebasedReply,
                 "SFTPReply.parse differs on a zero-based copy: \(reply) vs \(rebasedReply)")
    if case .success(let parsed) = reply {
        switch parsed {
        case .data(_, let range):
            precondition(range.lowerBound >= packet.startIndex && range.upperBound <= packet.endIndex,
                         "data \(range) outside the packet \(packet.indices)")
        case .status(let id, let code, let message):
            guard let status = SFTPStatus(rawValue: code) else { break }
            let text = String(decoding: message, as: UTF8.self)
            let again = SFTPPacketWriter.status(id: id, status, message: text)
            let back = reframe(again)
            do throws(SFTPWireError) {
                let reparsed = try SFTPReply.parse(back[...])
                guard case .status(let id2, let code2, let message2) = reparsed else {
                    preconditionFailure("status re-encoded reads back as \(reparsed)")
                }
                precondition(id2 == id && code2 == code, "status \(id)/\(code) re-encoded reads back as \(id2)/\(code2)")
                precondition(message2 == Array(text.utf8), "status message re-encoded reads back differently")
            } catch {
                preconditionFailure("status re-encoded does not parse: \(error)")
            }
        case .version(let version, let extensions):
            let again = SFTPPacketWriter.version(version, extensions: extensions)
            let back = reframe(again)
            do throws(SFTPWireError) {
                let reparsed = try SFTPReply.parse(back[...])
                precondition(reparsed == .version(version: version, extensions: extensions), "version re-encoded reads back as \(reparsed)")
            } catch {
                preconditionFailure("version re-encoded does not parse: \(error)")
            }
        default:
            break
        }
    }
}

/// A packet `SFTPPacketWriter` built, cut again by a fresh `SFTPFramer`: exactly one packet.
private func reframe(_ encoded: [UInt8]) -> [UInt8] {
    var framer = SFTPFramer()
    var packets: [[UInt8]] = []
    do {
        try encoded.withUnsafeBytes { raw in try framer.feed(raw) { packets.append(Array($0)) } }
    } catch {
        preconditionFailure("the framer refuses a packet SFTPPacketWriter built: \(error)")
    }
    precondition(packets.count == 1 && framer.bufferedCount == 0,
                 "SFTPPacketWriter's packet framed as \(packets.count) packets, \(framer.bufferedCount) bytes left")
    precondition(packets[0].count == encoded.count - 4)
    return packets[0]
}

private func shifted(_ request: SFTPRequest, by delta: Int) -> SFTPRequest {
    switch request {
    case .write(let id, let handle, let offset, let data):
        return .write(id: id, handle: handle, offset: offset, data: (data.lowerBound + delta)..<(data.upperBound + delta))
    case .extended(let id, let name, let fields):
        return .extended(id: id, name: name, fields: fields + delta)
    default:
        return request
    }
}

private func shifted(_ reply: SFTPReply, by delta: Int) -> SFTPReply {
    if case .data(let id, let data) = reply { return .data(id: id, data: (data.lowerBound + delta)..<(data.upperBound + delta)) }
    return reply
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it), so the
/// harness hands control to libFuzzer's driver from here.
@_cdecl("SFTPWireFuzz_main")
public func sftpWireFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzSFTPWire(data, size) }
}
