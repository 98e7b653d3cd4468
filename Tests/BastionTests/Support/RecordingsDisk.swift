import Foundation
import TestSupport

/// A small file system mounted for the bastion's recordings (the tests run as root): a tmpfs a
/// test fills or remounts read-only, or an ext4 image on a loop device that a test turns
/// read-only under open files, as the kernel does to a failing disk (`errors=remount-ro`).
/// `mount -o remount,ro` cannot do that: it fails (EBUSY) while a file is open for writing.
///
/// Call ``unmount()`` in a `defer` right after creating one: it is lazy, so it detaches the file
/// system even while a bastion still holds a recording open.
final class RecordingsDisk {
    /// The mount point (mode 0700, as the bastion requires of its recordings directory).
    let path: String
    private let scratch: String
    private var mounted = false

    private init(mount options: [String], source: String, scratch: String) throws {
        self.scratch = scratch
        path = scratch + "/recordings"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let words = (["mount"] + options + [source, path]).map(ProcessRunner.quote).joined(separator: " ")
        let mount = ProcessRunner.shell("\(words) && chmod 700 \(ProcessRunner.quote(path))", timeout: 30)
        guard mount.status == 0 else {
            try? FileManager.default.removeItem(atPath: scratch)
            throw SetupError(description: "cannot mount the recordings disk (the tests need root): \(mount)")
        }
        mounted = true
    }

    private static func scratchDirectory() throws -> String {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-disk-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return scratch
    }

    /// A tmpfs of `size` (`mount -o size=…`, e.g. "1m").
    static func tmpfs(size: String) throws -> RecordingsDisk {
        try RecordingsDisk(mount: ["-t", "tmpfs", "-o", "size=\(size),mode=0700"], source: "tmpfs", scratch: try scratchDirectory())
    }

    /// An ext4 file system of `megabytes` in an image on a loop device, mounted `errors=remount-ro`.
    static func ext4(megabytes: Int) throws -> RecordingsDisk {
        let scratch = try scratchDirectory()
        let image = scratch + "/disk.img"
        let format = ProcessRunner.shell("truncate -s \(megabytes)M \(ProcessRunner.quote(image)) && mkfs.ext4 -q -F \(ProcessRunner.quote(image))", timeout: 60)
        guard format.status == 0 else {
            try? FileManager.default.removeItem(atPath: scratch)
            throw SetupError(description: "cannot make the ext4 image: \(format)")
        }
        return try RecordingsDisk(mount: ["-o", "loop,errors=remount-ro"], source: image, scratch: scratch)
    }

    /// `mount -o remount,ro` (or `rw`).
    func remount(readOnly: Bool) -> RunResult {
        ProcessRunner.shell("mount -o remount,\(readOnly ? "ro" : "rw") \(ProcessRunner.quote(path))", timeout: 30)
    }

    /// Makes an ext4 disk read-only at once, open files included, as an I/O error would
    /// (`/sys/fs/ext4/DEVICE/trigger_fs_error` with `errors=remount-ro`). Exit 0 once a new file
    /// cannot be created there; stdout has the mount options.
    func failReadOnly() -> RunResult {
        ProcessRunner.shell("""
            device=$(basename "$(findmnt -no SOURCE \(ProcessRunner.quote(path)))")
            echo 1 > "/sys/fs/ext4/$device/trigger_fs_error"
            findmnt -no OPTIONS \(ProcessRunner.quote(path))
            ! touch \(ProcessRunner.quote(path + "/writable"))
            """, timeout: 30)
    }

    /// Detaches the file system (lazily: a process still holding files there keeps them until
    /// it closes them) and removes the scratch directory. Safe to call twice.
    func unmount() {
        if mounted {
            let result = ProcessRunner.shell("umount -l \(ProcessRunner.quote(path))", timeout: 30)
            mounted = result.status != 0
        }
        if !mounted { try? FileManager.default.removeItem(atPath: scratch) }
    }
}
