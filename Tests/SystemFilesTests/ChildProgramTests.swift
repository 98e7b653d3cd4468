import SystemFiles
import Testing

/// A helper program's output, and nil for every way it can fail: a bad status, no such
/// program, a hang (killed at its time), output beyond the limit cut.
@Suite(.timeLimit(.minutes(1))) struct ChildProgramTests {
    @Test func outputOfAProgramThatSucceeds() {
        #expect(ChildProgram.output(of: "/bin/echo", ["in", "sync"], seconds: 10).map { String(decoding: $0, as: UTF8.self) } == "in sync\n")
    }

    @Test func failureMissingProgramAndHangAreNil() {
        #expect(ChildProgram.output(of: "/bin/false", [], seconds: 10) == nil)
        #expect(ChildProgram.output(of: "/nonexistent/timedatectl", [], seconds: 10) == nil)
        #expect(ChildProgram.output(of: "/bin/sleep", ["infinity"], seconds: 0.2) == nil, "killed at its time, not waited for")
        // Output closed but the program lingers: still bounded by its time. (Neither ends on its
        // own: without the kill at the deadline this test would never end, and its time limit fails it.)
        #expect(ChildProgram.output(of: "/bin/sh", ["-c", "exec >&-; exec sleep infinity"], seconds: 0.2) == nil)
    }

    @Test func outputBeyondTheLimitIsCutAndTheProgramFinishes() {
        let output = ChildProgram.output(of: "/bin/sh", ["-c", "head -c 300000 /dev/zero"], seconds: 10, limit: 1000)
        #expect(output?.count == 1000)
    }
}
