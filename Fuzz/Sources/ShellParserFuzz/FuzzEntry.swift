import ShellParser

/// libFuzzer entry point: any bytes must give a status without trapping, and the results must
/// stay inside the input (offsets and ranges) and encode as JSON.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShellParser(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let analysis = ShellAnalyzer.analyze(bytes: bytes)
    if case .error(let error) = analysis.status {
        precondition(error.offset >= 0 && error.offset <= bytes.count, "error offset outside the input")
    }
    for command in analysis.commands where !command.derived {
        precondition(command.range.lowerBound >= 0 && command.range.upperBound <= bytes.count, "range outside the input")
    }
    _ = analysis.json
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it), so the
/// harness hands control to libFuzzer's driver from here.
@_cdecl("ShellParserFuzz_main")
public func shellParserFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzShellParser(data, size) }
}
