/// Values the line gives its variables, read into the commands that expand them.
///
/// `f=/etc/shadow; cat $f` runs `cat /etc/shadow`: a path held in a variable is still the path a
/// rule names. Every static value that an assignment earlier in the line gave a name (or an
/// earlier line of the session: ``ShellAnalyzer/analyze(bytes:knownValues:)``) is one the name
/// may hold when a later command expands it. None replaces another — control flow may skip an
/// assignment, a subshell's does not reach the shell, the environment may hold another value —
/// so a command that expands such a name keeps its place as written (its word dynamic), and a
/// derived command follows it for each value (`via` `$name`), decided like any other. An
/// assignment bash makes is one of: `NAME=value` alone, a declaration builtin's argument
/// (`export`, `declare`, `local`, `readonly`, `typeset`), a `for` loop's variable.
extension LineParser {
    /// The most values kept for one name (the latest).
    static let knownValuesPerName = 8
    /// The most names a text's assignments are followed for (those read first): a line of many
    /// thousand assignments costs no more than this many.
    static let assignedNamesLimit = 256
    /// The most derived commands made for one command.
    static let knownValueVariantLimit = 16

    /// The name and the values an assignment word (in `text`) gives, if its value is one the
    /// line tells: static text, or parameters with known values and nothing else dynamic (an
    /// assignment's value is neither split nor a pattern). `+=` appends to each value the name had.
    func assignedValues(_ word: ScannedWord) -> (name: String, values: [String])? {
        let equals = word.assignmentEquals
        guard equals > 0, !word.hasTilde else { return nil }
        let appends = text[equals - 1] == UInt8(ascii: "+")
        let nameBytes = text[..<(appends ? equals - 1 : equals)]
        // (An array element, `a[1]=x`, is not the name's value.)
        guard nameBytes.allSatisfy(LineParser.isNameChar) else { return nil }
        let name = String(decoding: nameBytes, as: UTF8.self)
        let valueStart = equals + 1
        var values: [String]
        if !word.isDynamic {
            values = [String(decoding: text[valueStart...], as: UTF8.self)]
        } else {
            guard !word.hasOtherExpansions, word.parameters.allSatisfy({ $0.range.lowerBound >= valueStart }),
                  let expanded = expansions(of: word, from: valueStart, splitting: false), expanded.allSatisfy(\.isStatic)
            else { return nil }
            values = expanded.map { $0.fields.first ?? "" }
        }
        if appends {
            guard let earlier = knownValues[name] else { return nil }
            values = earlier.flatMap { before in values.map { before + $0 } }
        }
        return (name, values)
    }

    /// Records values a name may hold from here on.
    mutating func noteKnownValues(_ values: [String], of name: String) {
        if !assignedNames.contains(name) {
            guard assignedNames.count < LineParser.assignedNamesLimit else { return }
            assignedNames.append(name)
        }
        var list = knownValues[name] ?? []
        for value in values where !list.contains(value) { list.append(value) }
        if list.count > LineParser.knownValuesPerName { list.removeFirst(list.count - LineParser.knownValuesPerName) }
        knownValues[name] = list
    }

    /// What the word in `text` (from `start`) may become with the known values of its parameters
    /// in their place, as bash expands it: each possibility's fields — an unquoted value is split
    /// at blanks (`splitting`; not in an assignment) and an empty unquoted word is no field — and
    /// whether they are static (no other expansion, no tilde, no unknown parameter, no pattern:
    /// a glob of the word's own or `*`, `?`, `[` in an unquoted value). Nil where none of its
    /// parameters has a known value.
    func expansions(of word: ScannedWord, from start: Int = 0, splitting: Bool = true) -> [(fields: [String], isStatic: Bool)]? {
        var results = [ExpandedFields()]
        var cursor = start
        var replacedAny = false
        for reference in word.parameters where reference.range.lowerBound >= cursor {
            var choices = knownValues[reference.name] ?? []
            if let fallback = reference.fallback, !choices.contains(fallback) { choices.append(fallback) }
            let literal = text[cursor..<reference.range.lowerBound]
            cursor = reference.range.upperBound
            guard !choices.isEmpty else {
                let source = text[reference.range]
                for k in results.indices { results[k].add(literal); results[k].add(source); results[k].isStatic = false }
                continue
            }
            replacedAny = true
            var next: [ExpandedFields] = []
            for before in results {
                for choice in choices where next.count < LineParser.knownValueVariantLimit {
                    var fields = before
                    fields.add(literal)
                    fields.add(Array(choice.utf8), unquoted: splitting && !reference.quoted)
                    next.append(fields)
                }
            }
            results = next
        }
        guard replacedAny else { return nil }
        let tail = text[cursor...]
        let isStatic = !word.hasOtherExpansions && !word.hasGlob && !word.hasTilde
        return results.map { result in
            var fields = result
            fields.add(tail)
            return (fields.fields(keepingEmpty: word.isQuoted), fields.isStatic && isStatic)
        }
    }

    /// The commands `command` becomes with the known values of its words in their place, each
    /// derived via the names.
    func knownValueVariants(of command: ExtractedCommand, expanded: [KnownValueWord]) -> [ExtractedCommand] {
        var variants: [ExtractedCommand] = [command]
        // (From the last word back: a value split into several fields moves the words after it.)
        for word in expanded.reversed() {
            var next: [ExtractedCommand] = []
            for variant in variants {
                for value in word.values where next.count < LineParser.knownValueVariantLimit {
                    var copy = variant
                    let words = value.fields.map { ShellWord($0, isDynamic: !value.isStatic) }
                    switch word.place {
                    case .argument(let index): copy.argv.replaceSubrange(index...index, with: words)
                    // (Several fields are an ambiguous redirect, which bash refuses: read as one.)
                    case .redirection(let index): copy.redirects[index].target = ShellWord(value.fields.joined(separator: " "), isDynamic: !value.isStatic)
                    }
                    next.append(copy)
                }
            }
            variants = next
        }
        var via: [String] = []
        for word in expanded { for name in word.names where !via.contains("$" + name) { via.append("$" + name) } }
        let chain = command.via + [via.joined(separator: " ")]
        for k in variants.indices {
            variants[k].derived = true
            variants[k].via = chain
        }
        return variants.filter { !$0.argv.isEmpty || !$0.redirects.isEmpty }
    }

    /// The texts a word of a command may have with the known values of its parameters
    /// (``expansions(of:from:splitting:)``), or nil.
    func knownValueWord(_ word: ScannedWord, at place: KnownValueWord.Place) -> KnownValueWord? {
        guard !word.parameters.isEmpty, !word.hasBrace, let found = expansions(of: word) else { return nil }
        let names = word.parameters.filter { knownValues[$0.name] != nil || $0.fallback != nil }.map(\.name)
        return KnownValueWord(place: place, values: found, names: names)
    }

    /// Puts `variants` (with what each unwraps to) into the list at `index`: right after the
    /// command they come from and what it unwraps to.
    mutating func insertKnownValueVariants(_ variants: [ExtractedCommand], at index: Int, pipedIn: Bool, piped: PipedText?) {
        var produced: [ExtractedCommand] = []
        for variant in variants {
            if let first = variant.argv.first, LineParser.mayChangeDirectory(first) {
                // (`cd $d`: each value is one more place the commands after it may run in; the
                // command as written already added the unknown one.)
                let change = changedDirectory
                noteDirectoryChange(variant)
                changedDirectory = change
            }
            guard let first = variant.argv.first, !first.isDynamic, CommandUnwrapper.mayDerive(path: first.text) else {
                produced.append(variant)
                continue
            }
            var unwrapper = CommandUnwrapper(depth: depth, shellDepth: shellDepth, braceBudget: braceBudget)
            unwrapper.pipedText = pipedIn ? piped : nil
            unwrapper.aliasNames = aliasNames
            produced += unwrapper.commands(for: variant, wordRanges: Array(repeating: variant.range, count: variant.argv.count),
                                          stdinIsPipe: pipedIn)
            noteLaterText(unwrapper.readingsPart)
        }
        commands.insert(contentsOf: produced, at: index)
    }
}

/// A word of a command that expands names with known values, and what it may become.
struct KnownValueWord {
    enum Place {
        /// An argument (its index in argv).
        case argument(Int)
        /// A redirection's target (its index in the command's redirections).
        case redirection(Int)
    }
    var place: Place
    /// Each possibility's fields, and whether no part of them is known only at run time.
    var values: [(fields: [String], isStatic: Bool)]
    var names: [String]
}

/// The fields a word expands to, built piece by piece as bash splits an unquoted value at
/// blanks (space, tab, newline: the default IFS).
struct ExpandedFields {
    private var list: [[UInt8]] = [[]]
    /// A blank ended the last piece: the next text starts a new field.
    private var breakPending = false
    /// No piece was a pattern or known only at run time.
    var isStatic = true

    /// Adds `bytes`: literal text (or a quoted value), or an `unquoted` value, which is split
    /// and may be a pattern.
    mutating func add(_ bytes: some Collection<UInt8>, unquoted: Bool = false) {
        guard unquoted else {
            if bytes.isEmpty { return }
            if breakPending { list.append([]); breakPending = false }
            list[list.count - 1] += bytes
            return
        }
        if bytes.contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }) { isStatic = false }
        let isBlank = { (b: UInt8) in b == 0x20 || b == 0x09 || b == 0x0A }
        if let first = bytes.first, isBlank(first), !(list.last?.isEmpty ?? true) { breakPending = true }
        for (k, piece) in bytes.split(whereSeparator: isBlank).enumerated() {
            if k > 0 { breakPending = true }
            add(piece)
        }
        if let last = Array(bytes).last, isBlank(last) { breakPending = true }
    }

    /// The fields; an empty one only where the word had quotes (`""`, `"$empty"`).
    func fields(keepingEmpty: Bool) -> [String] {
        let kept = keepingEmpty ? list : list.filter { !$0.isEmpty }
        return kept.map { String(decoding: $0, as: UTF8.self) }
    }
}
