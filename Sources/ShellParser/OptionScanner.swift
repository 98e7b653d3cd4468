/// Walks the options of a wrapper command (`sudo -u root -E -- rm`) to find where its command starts.
struct OptionScanner {
    /// Short options that take a value (`-u root` or `-uroot`).
    var shortWithValue: Set<UInt8> = []
    /// Long options that take a value (`--user root` or `--user=root`).
    var longWithValue: Set<String> = []
    /// Long options that take no value, where a tool's are known: with them an abbreviation
    /// (`--sum`, which getopt_long takes for any option it begins alone) is resolved among all
    /// the tool's options. Without them, one that begins a value-taking option is that option.
    var longFlags: Set<String> = []
    /// Short options whose value, if any, is the rest of the same word (`nsenter -m/proc/1/ns/mnt`,
    /// `prlimit -n1024`): the next word is never theirs.
    var shortWithOptionalValue: Set<UInt8> = []
    /// Whether a bare `-NUMBER` is an option (`nice -10`).
    var numericOptions = false

    /// The options seen: short letters and long names (without dashes), with their values.
    var seen: [(name: String, value: ShellWord?)] = []
    /// Where a word was taken as an abbreviated option's value on a guess (the tool's flags not
    /// being listed): read as an operand, it may be the command instead.
    var guessedValues: [Int] = []

    /// Scans every option of `argv` after its name, as GNU getopt permutes them: options may
    /// follow operands (`script FILE -c CMD`).
    mutating func scanAll(_ argv: [ShellWord]) {
        var i = 1
        while i < argv.count { i = max(scan(argv, from: i), i) + 1 }
    }

    /// Scans `argv` from `start`; returns the index of the first operand (argv.count if none).
    mutating func scan(_ argv: [ShellWord], from start: Int) -> Int {
        var i = start
        while i < argv.count {
            let word = argv[i]
            if word.isDynamic || word.text.utf8.first != UInt8(ascii: "-") { return i }
            let arg = Array(word.text.utf8)
            guard arg.count >= 2, arg[0] == UInt8(ascii: "-") else { return i }
            if arg == [UInt8(ascii: "-"), UInt8(ascii: "-")] { return i + 1 }
            if arg[1] == UInt8(ascii: "-") {
                let body = String(decoding: arg[2...], as: UTF8.self)
                if let eq = body.firstIndex(of: "=") {
                    seen.append((longOption(String(body[..<eq])).name, ShellWord(String(body[body.index(after: eq)...]))))
                } else if case let (name, takesValue) = longOption(body), takesValue {
                    seen.append((name, i + 1 < argv.count ? argv[i + 1] : nil))
                    if name != body && longFlags.isEmpty { guessedValues.append(i + 1) }
                    i += 1
                } else {
                    seen.append((longOption(body).name, nil))
                }
                i += 1
                continue
            }
            if numericOptions && LineParser.isDigit(arg[1]) {
                seen.append(("n", ShellWord(String(decoding: arg[1...], as: UTF8.self))))
                i += 1
                continue
            }
            var k = 1
            var consumedNext = false
            while k < arg.count {
                let letter = arg[k]
                if shortWithOptionalValue.contains(letter) {
                    let rest = k + 1 < arg.count ? ShellWord(String(decoding: arg[(k + 1)...], as: UTF8.self)) : nil
                    seen.append((String(UnicodeScalar(letter)), rest))
                    break
                }
                if shortWithValue.contains(letter) {
                    if k + 1 < arg.count {
                        seen.append((String(UnicodeScalar(letter)), ShellWord(String(decoding: arg[(k + 1)...], as: UTF8.self))))
                    } else {
                        seen.append((String(UnicodeScalar(letter)), i + 1 < argv.count ? argv[i + 1] : nil))
                        consumedNext = true
                    }
                    break
                }
                seen.append((String(UnicodeScalar(letter)), nil))
                k += 1
            }
            i += consumedNext ? 2 : 1
        }
        return min(i, argv.count)
    }

    /// The long option `written` names (getopt_long takes any prefix that begins one option
    /// alone), and whether it takes a value.
    func longOption(_ written: String) -> (name: String, takesValue: Bool) {
        if longWithValue.contains(written) { return (written, true) }
        if longFlags.contains(written) { return (written, false) }
        var value: String?, candidates = 0
        for name in longWithValue where name.hasPrefix(written) {
            candidates += 1
            if value == nil || name < value! { value = name }
        }
        var flag: String?
        for name in longFlags where name.hasPrefix(written) { candidates += 1; flag = name }
        if candidates == 1, let only = value ?? flag { return (only, value != nil) }
        // Ambiguous (the tool refuses it and runs nothing) or unknown: a prefix of a value-taking
        // option reads as one when the tool's flags are not listed.
        if longFlags.isEmpty, let value { return (value, true) }
        return (written, false)
    }

    /// True when any of `names` was seen.
    func has(_ names: String...) -> Bool { seen.contains { names.contains($0.name) } }

    /// The value of the last of `names` seen.
    func value(_ names: String...) -> ShellWord? { seen.last { names.contains($0.name) }?.value }
}
