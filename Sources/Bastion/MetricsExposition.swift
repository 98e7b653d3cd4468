// sys/socket.h's SHUT_RDWR, which Foundation does not bring in a whole-module (release) build.
internal import CLibSSH
import Foundation

/// The Prometheus scrape endpoint: a tiny HTTP/1.0 listener on a thread of its own.
///
/// `GET /metrics` answers 200 with the text exposition; any other path 404, any other method
/// 405; then the connection is closed. One request at a time: a scraper asks every few seconds,
/// and a client that sends nothing is dropped after 2 s. No authentication: keep it on loopback.
final class MetricsExposition: @unchecked Sendable {
    let address: String
    let port: Int
    private let body: @Sendable () -> [UInt8]
    private let listener: Int32
    private let lock = NSLock()
    private var stopped = false

    /// The longest request head read; the rest is ignored.
    static let maximumRequest = 8 * 1024
    static let contentType = "text/plain; version=0.0.4"

    /// Binds and listens on `address:port` (throws when it cannot: the server then does not
    /// start); ``start()`` begins answering. `body` gives the exposition for each scrape.
    init(address: String, port: Int, body: @escaping @Sendable () -> [UInt8]) throws {
        self.address = address
        self.port = port
        self.body = body
        listener = try Self.listen(address: address, port: port)
    }

    deinit { stop() }

    /// Answers scrapes on a thread of its own until ``stop()``.
    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "bastion.metrics"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Stops answering and closes the listening socket.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        // Wakes the accept; the serving thread closes the socket on its way out.
        _ = Foundation.shutdown(listener, Int32(SHUT_RDWR))
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func serve() {
        defer { close(listener) }
        while !isStopped {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if isStopped { return }
                if errno == EINTR || errno == ECONNABORTED { continue }
                serverLog.warning("metrics listener: accept failed: \(String(cString: strerror(errno)))")
                usleep(100_000)
                continue
            }
            answer(client)
            close(client)
        }
    }

    /// Reads one request head and writes the response.
    private func answer(_ client: Int32) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let head = Self.readHead(client) else { return }
        let response = Self.response(to: head, body: body)
        Self.writeAll(client, response)
    }

    /// The response to a request head: status line, headers, and the body for `GET /metrics`.
    static func response(to head: [UInt8], body: () -> [UInt8]) -> [UInt8] {
        let line = head.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let words = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard words.count == 3, words[2].starts(with: Array("HTTP/".utf8)) else {
            return reply("400 Bad Request", text: "bad request\n")
        }
        let method = String(decoding: words[0], as: UTF8.self)
        let target = String(decoding: words[1], as: UTF8.self)
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        guard method == "GET" else {
            return reply("405 Method Not Allowed", text: "only GET\n", extra: "Allow: GET\r\n")
        }
        guard path == "/metrics" else { return reply("404 Not Found", text: "not found: try /metrics\n") }
        return reply("200 OK", body: body(), type: contentType)
    }

    private static func reply(_ status: String, text: String, extra: String = "") -> [UInt8] {
        reply(status, body: Array(text.utf8), type: "text/plain; charset=utf-8", extra: extra)
    }

    private static func reply(_ status: String, body: [UInt8], type: String, extra: String = "") -> [UInt8] {
        let head = "HTTP/1.0 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Reads until the blank line ending the head, at most ``maximumRequest`` bytes; nil when
    /// the client sent nothing before the timeout or left.
    private static func readHead(_ client: Int32) -> [UInt8]? {
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while head.count < maximumRequest {
            let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, min($0.count, maximumRequest - head.count)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            // The blank line may straddle two reads: look from just before the new bytes.
            let from = max(0, head.count - 3)
            head += chunk[0..<n]
            if endsHead(head, from: from) { break }
        }
        return head.isEmpty ? nil : head
    }

    /// Whether `bytes` holds the end of a request head (CRLF CRLF, or LF LF) at or after `from`.
    private static func endsHead(_ bytes: [UInt8], from: Int) -> Bool {
        let crlf: [UInt8] = [13, 10, 13, 10]
        let lf: [UInt8] = [10, 10]
        return (from..<bytes.count).contains { bytes[$0...].starts(with: crlf) || bytes[$0...].starts(with: lf) }
    }

    private static func writeAll(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(client, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    /// A listening TCP socket on `address:port` (SO_REUSEADDR, close-on-exec).
    private static func listen(address: String, port: Int) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(address, String(port), &hints, &found)
        guard rc == 0, let first = found else {
            throw BastionError.server("cannot listen for metrics on \(address):\(port): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(first) }
        var lastError: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errno; continue }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, Foundation.listen(fd, 16) == 0 {
                return fd
            }
            lastError = errno
            close(fd)
        }
        throw BastionError.server("cannot listen for metrics on \(address):\(port): \(String(cString: strerror(lastError)))")
    }
}
