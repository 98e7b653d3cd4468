extension LineParser {
    /// Reads the bodies of the pending here-documents that start at `pos` (just after a newline).
    /// A body that the line ends inside makes the line incomplete, as an interactive bash would prompt.
    mutating func readHereDocumentBodies() throws {
        let pending = pendingHereDocuments
        pendingHereDocuments = []
        for document in pending {
            let bodyStart = pos
            var lineStart = pos
            var bodyEnd = -1
            while lineStart < end {
                let (line, lineEnd) = hereDocumentLine(from: lineStart, joiningLines: !document.isQuoted)
                var content = (line ?? [])[...]
                if document.stripsTabs { content = content.drop { $0 == 0x09 } }
                if line != nil, content.elementsEqual(document.delimiter) {
                    bodyEnd = lineStart
                    pos = min(lineEnd + 1, end)
                    break
                }
                // Inside `$(…)` bash 5.2 also ends the body at a line that starts with the delimiter
                // and holds a `)` after it, and reads the rest of that line as commands:
                // `$(cat <<EOF`, `EOF touch x )` runs `touch x`.
                if insideCommandSubstitution, line != nil, content.starts(with: document.delimiter),
                   content.dropFirst(document.delimiter.count).contains(UInt8(ascii: ")")) {
                    var raw = bytes[lineStart..<lineEnd]
                    if document.stripsTabs { raw = raw.drop { $0 == 0x09 } }
                    // (Where a backslash-newline made that line, the rest is not where it stands.)
                    guard raw.starts(with: document.delimiter) else {
                        throw syntaxError(LineParser.hereDocumentEndsEarlyMessage, at: lineStart)
                    }
                    bodyEnd = lineStart
                    pos = raw.startIndex + document.delimiter.count
                    break
                }
                lineStart = lineEnd + 1
            }
            if bodyEnd < 0 && hereDocumentsEndWithInput {
                bodyEnd = end
                pos = end
            }
            guard bodyEnd >= 0 else {
                hereDocumentBodies.append(bodyStart..<end)
                if document.isQuoted { literalHereDocumentBodies.append(bodyStart..<end) }
                // (Not a body inside another one's expansion, read with the input narrowed to it,
                // nor one after a delimiter's line the input ends in: a line end read on starts it.)
                if end == bytes.count, bytes[bodyStart - 1] == 0x0A {
                    openText = OpenText(kind: .hereDocument(delimiter: document.delimiter, stripsTabs: document.stripsTabs, isQuoted: document.isQuoted,
                                                            insideCommandSubstitution: insideCommandSubstitution, bodyStart: bodyStart))
                }
                pos = end
                history.inHereDocument = true
                throw ParseStop.incomplete
            }
            hereDocumentBodies.append(bodyStart..<pos)
            if document.isQuoted { literalHereDocumentBodies.append(bodyStart..<pos) }
            hereDocumentScripts[document.number] = hereDocumentText(bodyStart..<bodyEnd, document)
            if !document.isQuoted { try scanUnquotedBody(bodyStart..<bodyEnd) }
            // A body read into variables (`read`, `mapfile`) may reach arithmetic evaluation: a
            // substitution written inside a subscript there runs then.
            else if bytes[bodyStart..<bodyEnd].contains(UInt8(ascii: "[")) { deriveSubscriptCode(bytes[bodyStart..<bodyEnd], range: bodyStart..<bodyEnd) }
        }
    }

    static let hereDocumentEndsEarlyMessage = "a here-document inside $(…) ends at a line joined from several that starts with its delimiter"

    /// The line of a here-document's body from `start`, as bash compares it with the delimiter,
    /// and where it ends (its line break, or the end of the input). With an unquoted delimiter
    /// (`joiningLines`) a backslash-newline joins the next line to it, and a backslash keeps the
    /// byte after it as it is: `E\`, `OF` is the line `EOF`, which ends a `<<EOF` document (the
    /// lines after it are commands), while `E\\` stays two characters.
    /// (A line joined to a next one the input does not hold yet is unfinished: nil.)
    func hereDocumentLine(from start: Int, joiningLines: Bool) -> (line: [UInt8]?, end: Int) {
        var line: [UInt8] = []
        var index = start
        while index < end, bytes[index] != 0x0A {
            if joiningLines, bytes[index] == UInt8(ascii: "\\"), index + 1 < end {
                if bytes[index + 1] == 0x0A {
                    index += 2
                    if index == end { return (nil, end) }
                    continue
                }
                line.append(bytes[index])
                index += 1
            }
            line.append(bytes[index])
            index += 1
        }
        return (line, index)
    }

    /// A body's text as the command reading it gets it (`<<-` strips leading tabs). With an
    /// unquoted delimiter bash removes a backslash-newline and the backslash before `\`, `$` and
    /// `` ` `` (a body line `\\touch x` reaches the shell reading the body as `\touch x`, which
    /// runs `touch`), and expands what `$` and `` ` `` start: text with such an expansion is known
    /// only at run time.
    func hereDocumentText(_ body: Range<Int>, _ document: PendingHereDocument) -> ShellWord {
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var atLineStart = true
        var expands = false
        var index = body.lowerBound
        while index < body.upperBound {
            let b = bytes[index]
            index += 1
            if atLineStart && document.stripsTabs && b == 0x09 { continue }
            atLineStart = b == 0x0A
            guard !document.isQuoted else {
                out.append(b)
                continue
            }
            switch b {
            case UInt8(ascii: "\\") where index < body.upperBound:
                let next = bytes[index]
                if next == 0x0A {
                    index += 1
                } else if next == UInt8(ascii: "\\") || next == UInt8(ascii: "$") || next == UInt8(ascii: "`") {
                    out.append(next)
                    index += 1
                } else {
                    out.append(b)
                }
            case UInt8(ascii: "$"), UInt8(ascii: "`"):
                expands = true
                out.append(b)
            default:
                out.append(b)
            }
        }
        return ShellWord(String(decoding: out, as: UTF8.self), isDynamic: expands)
    }

    /// Reads the scripts that shells (and `.`) on this line take from here-documents, now that
    /// the bodies are known, as commands derived from the shell, right after it. The shell stays
    /// `fed_to_interpreter` when the text is not all known here.
    mutating func deriveHereDocumentScripts() {
        guard !hereDocumentScripts.isEmpty, commands.contains(where: { $0.scriptHereDocument != nil }) else { return }
        var index = commands.count - 1
        while index >= 0 {
            defer { index -= 1 }
            guard let number = commands[index].scriptHereDocument else { continue }
            commands[index].scriptHereDocument = nil
            guard commands[index].opaque == .fedToInterpreter, let script = hereDocumentScripts[number] else { continue }
            guard shellDepth < LineParser.shellStringLimit else { commands[index].opaque = .nestingLimit; continue }
            // A script that bash could not read to its end runs up to that point, and one that bash
            // expands first may read otherwise: what is read here is decided, and the shell stays
            // unresolved.
            let bytes = Array(script.text.utf8)
            let (parser, status) = Self.parsedBothWays(bytes) { [depth, shellDepth, braceBudget] extendedGlob in
                var parser = LineParser(bytes: bytes, depth: depth, shellDepth: shellDepth + 1, braceBudget: braceBudget,
                                        extendedGlob: extendedGlob)
                parser.hereDocumentsEndWithInput = true
                return parser
            }
            let complete = status == .complete
            noteLaterText(Self.readingsPart(of: status, parser), at: commands[index].range.lowerBound)
            braceBudget = parser.braceBudget
            definedFunctions += parser.definedFunctions
            let shell = commands[index]
            let name = shell.name.map(CommandUnwrapper.baseName) ?? "sh"
            let derived = parser.commands.map { $0.adopted(by: shell, via: "\(name) <<", range: shell.range) }
            // (Only `.` reads its whole script before running it: see scriptOnDescriptor.)
            if complete && !script.isDynamic && (name == "." || name == "source") && commands[index].scriptHereDocumentIsExact {
                commands[index].opaque = nil
            }
            commands.insert(contentsOf: derived, at: index + 1)
        }
    }

    /// An unquoted body's substitutions, found in the text bash expands: its backslash-newlines
    /// joined first (`$(cat <<'E'` … `E\`, `OF` … `)` ends the inner document there).
    mutating func scanUnquotedBody(_ body: Range<Int>) throws {
        let text = bytes[body]
        guard let first = text.firstIndex(of: UInt8(ascii: "\\")), text[first...].contains(0x0A) else {
            return try scanHereDocumentExpansions(body)
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(text.count)
        var index = body.lowerBound
        while index < body.upperBound {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < body.upperBound {
                if bytes[index + 1] != 0x0A { joined.append(bytes[index]); joined.append(bytes[index + 1]) }
                index += 2
                continue
            }
            joined.append(bytes[index])
            index += 1
        }
        var child = LineParser(bytes: joined, depth: depth, shellDepth: shellDepth, braceBudget: braceBudget, extendedGlob: extendedGlob)
        child.knownValues = knownValues
        try child.scanHereDocumentExpansions(0..<joined.count)
        braceBudget = min(braceBudget, child.braceBudget)
        noteLaterText(child.laterTextReadingsPart)
        for var command in child.commands {
            command.range = body
            commands.append(command)
        }
    }

    /// Finds the substitutions in an unquoted here-document body: they run when the body is expanded.
    /// A malformed one is a runtime error in bash, not a syntax error, so failures are ignored here;
    /// but not quoting that bash reads otherwise than the scan (``readingsPart(at:)``), which
    /// would hide what follows it.
    mutating func scanHereDocumentExpansions(_ body: Range<Int>) throws {
        let savedPos = pos, savedEnd = end
        pos = body.lowerBound
        end = body.upperBound
        defer { pos = savedPos; end = savedEnd }
        try withFreshWordBuffer { parser in
            var scratch = ScannedWord(start: parser.pos)
            while parser.pos < parser.end {
                let b = parser.bytes[parser.pos]
                do {
                    switch b {
                    case UInt8(ascii: "\\"): parser.pos += 2
                    case UInt8(ascii: "$"): try parser.scanDollar(&scratch, inDoubleQuotes: true)
                    case UInt8(ascii: "`"): try parser.scanBackquote(&scratch, inDoubleQuotes: true)
                    default: parser.pos += 1
                    }
                } catch ParseStop.syntax(let error) where error.message.hasPrefix("nesting") || Self.readingsPart(error) {
                    throw ParseStop.syntax(error)
                } catch {
                    return
                }
                parser.text.removeAll(keepingCapacity: true)
                parser.quotedSpans.removeAll(keepingCapacity: true)
            }
        }
    }
}
