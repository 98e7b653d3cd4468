/// What a pipe carries into the next command, when the parser knows it.
enum PipedText: Equatable {
    /// The static text an `echo` or `printf` writes.
    case text(ShellWord)
    /// The body of the here-document (by number) that a `cat` copies: read after the line's
    /// newline. `exact`: nothing else writes to the pipe, and the `cat` is the real one.
    case hereDocument(Int, exact: Bool)
}

extension LineParser {
    /// What the pipeline element read from `elementStart` writes to its pipe, when known here.
    func pipedText(ofCommandsFrom upstream: Int, elementStart: Int) -> PipedText? {
        if let text = staticOutput(ofCommandsFrom: upstream, elementStart: elementStart) { return .text(text) }
        // `cat` (or `cat -`, `cat -- -`) copying a here-document, perhaps through wrappers
        // (`sudo cat`). Exactly so only as one chain of plain wrappers, each command the one
        // before it runs, with no function, alias or PATH of the line's making another `cat`.
        // (first, cheaply: the element's last command is named …cat)
        guard commands.count > upstream, let last = commands[commands.count - 1].argv.first, !last.isDynamic,
              last.text.utf8.last == UInt8(ascii: "t"), last.text.hasSuffix("cat") else { return nil }
        guard !commands[upstream].derived, let command = commands.last,
              let document = command.redirects.last(where: { $0.affects(0) })?.hereDocument, command.baseName == "cat",
              LineParser.readsOnlyStdin(command.argv.dropFirst()),
              bytes[elementStart..<commands[upstream].range.lowerBound].allSatisfy(LineParser.isBlank) else { return nil }
        let chain = commands[upstream...]
        let plainChain = chain.enumerated().allSatisfy { k, link in
            k == 0 || (link.derived && link.via.count == k && link.via.last.map(LineParser.plainWrappers.contains) == true)
        }
        let exact = plainChain && command.redirects.count == 1 && ["cat", "/bin/cat", "/usr/bin/cat"].contains(command.name ?? "")
            && !definedFunctions.contains("cat") && !definedAliases.contains("cat")
            && !chain.contains(where: { $0.argv.contains { $0.text.hasPrefix("PATH=") } })
            && !LineParser.bytes(bytes[commands[upstream].range], contain: Array("PATH=".utf8))
        return .hereDocument(document, exact: exact)
    }

    /// Whether `needle` occurs in `haystack`.
    static func bytes(_ haystack: ArraySlice<UInt8>, contain needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return needle.isEmpty }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// Wrappers that run their command as it is, with the same files (not another root or
    /// mount namespace, where `cat` may be another program).
    static let plainWrappers: Set<String> = Set(WrapperSpec.table.keys).subtracting(["chroot", "nsenter", "unshare", "firejail"])
        .union(["sudo", "doas", "env"])

    /// `cat`'s arguments when it copies only its standard input: none, `-`, and one `--` first.
    static func readsOnlyStdin(_ args: ArraySlice<ShellWord>) -> Bool {
        var rest = args
        if let first = rest.first, !first.isDynamic, first.text == "--" { rest = rest.dropFirst() }
        return rest.allSatisfy { !$0.isDynamic && $0.text == "-" }
    }

    /// The text the pipeline element read from `elementStart` writes to its pipe, when that is
    /// known here: the element is one simple `echo` or `printf` of static words (perhaps run by
    /// plain wrappers: `sudo echo …`), with no redirection and nothing else in it (a shell or
    /// xargs reading the pipe then reads that text). Nil otherwise.
    func staticOutput(ofCommandsFrom upstream: Int, elementStart: Int) -> ShellWord? {
        // (The name first, read in place: most piped commands are neither.)
        guard commands.count > upstream, let first = commands[commands.count - 1].argv.first, !first.isDynamic,
              first.text == "echo" || first.text == "printf" else { return nil }
        let command = commands[commands.count - 1], name = first.text, outer = commands[upstream]
        // One chain of plain wrappers, each command the one the link before it runs.
        let chain = commands[upstream...]
        guard !outer.derived, chain.enumerated().allSatisfy({ k, link in
            k == 0 || (link.derived && link.via.count == k && link.via.last.map(LineParser.plainWrappers.contains) == true)
        }) else { return nil }
        guard command.redirects.isEmpty, !command.argv.contains(where: \.isDynamic),
              bytes[elementStart..<outer.range.lowerBound].allSatisfy(LineParser.isBlank),
              bytes[outer.range.upperBound..<pos].allSatisfy(LineParser.isBlank) else { return nil }
        // A function or alias of that name on the line prints something else.
        guard !definedFunctions.contains(name), !definedAliases.contains(name) else { return nil }
        let args = command.argv.dropFirst().map(\.text)
        if name == "echo" {
            // echo's options: -n, -E (as typed), -e (escapes decoded as printf's, but for octal,
            // which echo writes \0NNN: such text is not read here).
            var words = args[...], escapes = false
            while let first = words.first, first.hasPrefix("-"), first.count > 1, first.dropFirst().allSatisfy({ "neE".contains($0) }) {
                for option in first.dropFirst() where option != "n" { escapes = option == "e" }
                words = words.dropFirst()
            }
            let text = words.joined(separator: " ")
            // (Backslashes are escapes to an echo under xpg_echo or POSIXLY_CORRECT: not read.)
            guard escapes else { return text.contains("\\") ? nil : ShellWord(text) }
            guard !text.contains("\\0"), !text.contains("\\x"), !text.contains("\\c") else { return nil }
            return LineParser.printfEscapesDecoded(text).map { ShellWord($0) }
        }
        // printf FORMAT with no conversion and no arguments: the format, its escapes decoded.
        // With `%s` conversions only, the format is used again until the arguments are spent,
        // each put in as written (`printf '%s\n' a b` writes two lines).
        guard let format = args.first, !format.hasPrefix("-") else { return nil }
        let written = format.split(separator: "%s", omittingEmptySubsequences: false).map(String.init)
        guard !written.contains(where: { $0.contains("%") }) else { return nil }
        var pieces: [String] = []
        for piece in written {
            guard let decoded = LineParser.printfEscapesDecoded(piece) else { return nil }
            pieces.append(decoded)
        }
        let conversions = pieces.count - 1, values = Array(args.dropFirst())
        if conversions == 0 { return values.isEmpty ? ShellWord(pieces[0]) : nil }
        var text = "", next = 0
        repeat {
            for (k, piece) in pieces.enumerated() {
                text += piece
                if k < conversions { text += next < values.count ? values[next] : ""; next += 1 }
            }
        } while next < values.count
        return ShellWord(text)
    }

    /// `printf`'s backslash escapes in a format (`\n`, `\t`, `\\`, octal, `\xHH`, …); nil for one
    /// it does not know here (the text is then not read).
    static func printfEscapesDecoded(_ format: String) -> String? {
        var out: [UInt8] = []
        let bytes = Array(format.utf8)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count else { out.append(bytes[i]); i += 1; continue }
            let c = bytes[i + 1]
            i += 2
            switch c {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "'"): out.append(0x27)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "e"), UInt8(ascii: "E"): out.append(0x1B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(c - 0x30), digits = 1
                while digits < 3, i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(bytes[i]) {
                    value = value * 8 + Int(bytes[i] - 0x30); i += 1; digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
