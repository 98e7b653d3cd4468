import Policy
import Testing
@testable import Transfers

/// The exec lines rsync sends through `-e`, captured by running it with `-e` set to a program
/// that logs its arguments (`rsync -e ./logargs -av a.txt host:/srv/dest/` and so on; rsync
/// 3.2.x and later send the same shapes).
@Suite struct RsyncCommandTests {
    @Test(arguments: [
        // rsync -av a.txt host:/srv/dest/
        ("rsync --server -vlogDtpre.iLsfxCIvu --safe-links . /srv/dest/", TransferDirection.upload, ["/srv/dest/"], false, false),
        // rsync -av --delete dir/ host:/srv/dest/
        ("rsync --server -vlogDtpre.iLsfxCIvu --safe-links --delete . /srv/dest/", .upload, ["/srv/dest/"], true, false),
        // rsync -av host:/var/log/ ./out/
        ("rsync --server --sender -vlogDtpre.iLsfxCIvu . /var/log/", .download, ["/var/log/"], false, false),
        // rsync -av --delete host:/var/log/ ./out/ (deletes on the client's side: not sent)
        ("rsync --server --sender -logDtpre.iLsfxCIvu . /var/log/", .download, ["/var/log/"], false, false),
        // rsync -av --remove-source-files host:/var/log/x ./out/
        ("rsync --server --sender -vlogDtpre.iLsfxCIvu --remove-source-files . /var/log/x", .download, ["/var/log/x"], true, false),
        // rsync -az --partial --progress a.txt host:dest
        ("rsync --server -logDtprze.iLsfxCIvu --safe-links --log-format=X --partial . dest", .upload, ["dest"], false, false),
        // rsync -a --delete-after --max-delete=3 -z --bwlimit=100 -H -A -X a.txt host:dest
        ("rsync --server -lHogDtpAXrze.iLsfxCIvu --safe-links --bwlimit=100 --max-delete=3 --delete-after . dest", .upload, ["dest"], true, false),
        // rsync -a --chown=root:root --append-verify a.txt host:dest
        ("rsync --server -logDtpre.iLsfxCIvu --safe-links --usermap=\\*:root --groupmap=\\*:root --append --append . dest", .upload, ["dest"], false, false),
        // rsync -a --partial-dir=.p a.txt host:dest
        ("rsync --server -logDtpre.iLsfxCIvu --safe-links --partial-dir .p . dest", .upload, ["dest"], false, false),
        // rsync -a 'host:/a b' host:/c .
        ("rsync --server --sender -logDtpre.iLsfxCIvu . /a\\ b /c", .download, ["/a b", "/c"], false, false),
        // rsync -a host:'a$b`c`;d' . (rsync escapes the shell's characters)
        ("rsync --server --sender -logDtpre.iLsfxCIvu . a\\$b\\`c\\`\\;d", .download, ["a$b`c`;d"], false, false),
        // rsync -a a.txt host:-weird
        ("rsync --server -logDtpre.iLsfxCIvu --safe-links . ./-weird", .upload, ["./-weird"], false, false),
        // rsync -a a.txt host:~ and host:
        ("rsync --server -logDtpre.iLsfxCIvu --safe-links . ~", .upload, ["~"], false, false),
        ("rsync --server -logDtpre.iLsfxCIvu --safe-links . .", .upload, ["."], false, false),
        // rsync -r --list-only host:dest/
        ("rsync --server --sender -re.iLsfxCIvu --list-only . dest/", .download, ["dest/"], false, true),
        // rsync -a -n --checksum-choice=md5 --copy-unsafe-links a.txt host:dest
        ("rsync --server -nlogDtpre.iLsfxCIvu --safe-links --checksum-choice=md5 --compress-choice=zstd --copy-unsafe-links . dest", .upload, ["dest"], false, false),
        // rsync -a --files-from=list . host:dest (the list travels in the protocol)
        ("rsync --server -logDtpRe.LsfxCIvu --safe-links . dest", .upload, ["dest"], false, false),
        ("/usr/bin/rsync --server --sender -vlogDtpre.iLsfxCIvu . /srv", .download, ["/srv"], false, false),
        ("rsync --server --sender -r . ", .download, ["."], false, false),
    ] as [(String, TransferDirection, [String], Bool, Bool)])
    func readsTheLinesRsyncSends(_ line: String, _ direction: TransferDirection, _ paths: [String], _ deletes: Bool, _ listOnly: Bool) throws {
        let command = try RsyncCommand.parse(line).get()
        #expect(command.direction == direction && command.paths == paths && command.deletes == deletes && command.listOnly == listOnly)
    }

    /// The directories an upload's options name relative to the destination are decided where
    /// the target resolves them (`--link-dest=self/protected` through a link), as places rsync
    /// reads and writes; `--force` deletes (a non-empty directory a file replaces).
    @Test func optionDirectoriesAndForce() throws {
        let command = try RsyncCommand.parse("rsync --server -rce.iLsfxCIvu --link-dest self/protected --force . /srv/deploy/").get()
        #expect(command.optionDirectories == ["/srv/deploy/self/protected", "/srv/self/protected"] && command.deletes)
        let places = ["/srv/deploy/": TargetPaths.Place(path: "/srv/deploy", isDirectory: true),
                      "/srv/deploy/self/protected": TargetPaths.Place(path: "/srv/deploy/protected", isDirectory: true)]
        #expect(command.requests(home: nil, places: places) == [
            TransferRequest(operation: .upload, path: "/srv/deploy"), TransferRequest(operation: .delete, path: "/srv/deploy"),
            TransferRequest(operation: .upload, path: "/srv/deploy/protected"), TransferRequest(operation: .download, path: "/srv/deploy/protected"),
            TransferRequest(operation: .upload, path: "/srv/self/protected"), TransferRequest(operation: .download, path: "/srv/self/protected"),
        ])
        // A destination that names a file (`rsync -b --backup-dir=protected f host:pub/p2`): rsync
        // takes the directory relative to the file's directory.
        let toFile = try RsyncCommand.parse("rsync --server -be.iLsfxCIvu --backup-dir=protected . /tmp/pub/p2").get()
        #expect(toFile.optionDirectories == ["/tmp/pub/p2/protected", "/tmp/pub/protected"])
        #expect(try RsyncCommand.parse("rsync --server -be.iLsfxCIvu --backup-dir=old . p2").get().optionDirectories == ["p2/old", "old"])
    }

    @Test func requestsNameEachPathAndItsDeletes() throws {
        let upload = try RsyncCommand.parse("rsync --server -vlogDtpre.iLsfxCIvu --safe-links --delete . /srv/dest/").get()
        #expect(upload.requests(home: nil) == [
            TransferRequest(operation: .upload, path: "/srv/dest"), TransferRequest(operation: .delete, path: "/srv/dest"),
        ])
        let download = try RsyncCommand.parse("rsync --server --sender -vlogDtpre.iLsfxCIvu --remove-source-files . logs/x ~/y").get()
        #expect(download.requests(home: "/home/alice") == [
            TransferRequest(operation: .download, path: "/home/alice/logs/x", home: "/home/alice"),
            TransferRequest(operation: .download, path: "/home/alice/y", home: "/home/alice"),
            TransferRequest(operation: .delete, path: "/home/alice/logs/x", home: "/home/alice"),
            TransferRequest(operation: .delete, path: "/home/alice/y", home: "/home/alice"),
        ])
        #expect(download.requests(home: nil).map(\.path) == ["~/logs/x", "~/y", "~/logs/x", "~/y"])
        let listing = try RsyncCommand.parse("rsync --server --sender -re.iLsfxCIvu --list-only . /srv/").get()
        // (A sending server sends any file it is asked for, --list-only or not.)
        #expect(listing.requests(home: nil) == [TransferRequest(operation: .download, path: "/srv")])
        let home = try RsyncCommand.parse("rsync --server -logDtpre.iLsfxCIvu --safe-links .").get()
        #expect(home.requests(home: "/home/alice") == [TransferRequest(operation: .upload, path: "/home/alice", home: "/home/alice")])
    }

    @Test(arguments: [
        "rsync --server --rsync-path=/tmp/evil -logDtpre.iLsfxCIvu . dest",
        // A download that follows the links below its paths (rsync -L, -k, --copy-unsafe-links).
        "rsync --server --sender -Lre.iLsfxCIvu . /srv/allowed/",
        "rsync --server --sender -vlogDtprke.iLsfxCIvu . /srv/allowed/",
        "rsync --server --sender -re.iLsfxCIvu --copy-unsafe-links . /srv/allowed/",
        "rsync --server --daemon . dest",
        "rsync --server --config=/tmp/x . dest",
        "rsync --server -M--log-file=/tmp/x . dest",
        "rsync --server --remote-option=--log-file=/tmp/x . dest",
        "rsync --server --sender --files-from /remote/list . /src",
        "rsync --server --sender --files-from=/remote/list . /src",
        // On a download the names come in the protocol, and links on their way are followed.
        "rsync --server --sender --files-from=- --from0 . /src",
        "rsync --server --write-batch=/tmp/b . dest",
        "rsync --server --read-batch=/tmp/b . dest",
        "rsync --server --only-write-batch /tmp/b . dest",
        "rsync --server -logDtpre.iLsfxCIvu --log-file=/tmp/x . dest",
        "rsync --server -logDtpre.iLsfxCIvu --log-file /tmp/x . dest",
        "rsync --server -logDtpre.iLsfxCIvu . dest --log-file=/etc/cron.d/x",
        "rsync --server --copy-as=root . dest",
        "rsync --server -blogDtpre.iLsfxCIvu --backup-dir /etc . dest",
        "rsync --server --temp-dir /tmp . dest",
        "rsync --server -T/tmp . dest",
        "rsync --server --link-dest=../other . dest",
        "rsync --server --compare-dest=~/x . dest",
        "rsync --server --sender --exclude-from=/etc/shadow . /src",
        // Merge rules read a file on the target; a per-directory merge may name a file, not a path.
        "rsync --server --sender '--filter=merge /srv/secret/s.txt' . /src",
        "rsync --server --sender '--filter=. ~/.ssh/authorized_keys' . /src",
        "rsync --server --sender -f'. /etc/shadow' . /src",
        "rsync --server --sender '--filter=merge,- /etc/shadow' . /src",
        "rsync --server --sender '--filter=.- /etc/shadow' . /src",
        "rsync --server --sender '--filter=dir-merge /etc/x' . /src",
        "rsync --server --sender '--filter=:n- ../../etc/shadow' . /src",
        "rsync --server --sender '--filter=dir-merge /NAME' . /src",
        // An upload that follows the target's links to directories.
        "rsync --server -rtKe.iLsfxCIvu --safe-links . /dest",
        // A relative partial directory is relative to each file's directory: climbing, it may
        // leave the tree at any depth.
        "rsync --server -re.iLsfxCIvu --partial-dir=../../../etc . /dest", "rsync --server -re.iLsfxCIvu --partial-dir x/../.. . /dest",
    ])
    func refusesOptionsThatChangeWhatRunsOrWhere(_ line: String) {
        guard case .failure(let error) = RsyncCommand.parse(line) else {
            Issue.record("accepted \(line)")
            return
        }
        guard case .forbiddenOption = error else {
            Issue.record("\(line): \(error)")
            return
        }
    }

    /// An upload that keeps links (`rsync -a`) runs with `--safe-links` added, a word of its own
    /// right after `--server` (before it, rsync on the target reads `~/.popt` aliases; rrsync
    /// wants `--server` first): the receiving rsync leaves out every link that points outside the
    /// tree. Other lines run as sent.
    @Test func anUploadThatKeepsLinksRunsWithSafeLinks() throws {
        let plain = "rsync --server -logDtpre.iLsfxCIvu . '/srv/a --server b'"
        let upload = try RsyncCommand.parse(plain).get()
        #expect(upload.addsSafeLinks)
        #expect(upload.lineToRun(plain) == "rsync --server --safe-links -logDtpre.iLsfxCIvu . '/srv/a --server b'")
        let again = try RsyncCommand.parse(upload.lineToRun(plain)).get()
        #expect(!again.addsSafeLinks && again.paths == upload.paths, "the line run reads as the same command")
        let indented = "  /usr/bin/rsync\t--server -lre.iLsfxCIvu . dest"
        #expect(try RsyncCommand.parse(indented).get().lineToRun(indented) == "  /usr/bin/rsync\t--server --safe-links -lre.iLsfxCIvu . dest")
        // `-a` on the server's line keeps links too.
        let archive = "rsync --server -a . dest"
        #expect(try RsyncCommand.parse(archive).get().lineToRun(archive) == "rsync --server --safe-links -a . dest")
        for unchanged in ["rsync --server -logDtpre.iLsfxCIvu --safe-links . /dest", "rsync --server -rtpre.iLsfxCIvu . /dest",
                          "rsync --server --sender -logDtpre.iLsfxCIvu . /src"] {
            let command = try RsyncCommand.parse(unchanged).get()
            #expect(!command.addsSafeLinks && command.lineToRun(unchanged) == unchanged, "\(unchanged)")
        }
        // `--server` written otherwise than as a plain word: a word put after it might read
        // otherwise, so links are refused as before.
        for written in ["rsync '--server' -l . dest", "rsync \"--server\" -l . dest", "rsync --ser\\\nver -l . dest"] {
            guard case .failure(.forbiddenOption("links", _)) = RsyncCommand.parse(written) else {
                Issue.record("\(written): \(RsyncCommand.parse(written))")
                continue
            }
        }
    }

    /// `--server` comes first, as rsync's client sends it: before it, rsync on the target would
    /// read options through the popt aliases of the target user's `~/.popt`.
    @Test func theServerFlagComesFirst() {
        for line in ["rsync --sender --server -l . /src", "rsync -l --server . dest", "rsync . --server dest"] {
            guard case .failure(.notServer) = RsyncCommand.parse(line) else {
                Issue.record("\(line): \(RsyncCommand.parse(line))")
                continue
            }
        }
    }

    /// Filter rules that read nothing on the target, or a per-directory file by name, are kept.
    @Test(arguments: ["- *.o", "exclude,! *.tmp", "+ /keep/**", "dir-merge .rsync-filter", ":n- .gitignore",
                      "P protected", "!"])
    func keepsFilterRulesThatReadNoPath(_ rule: String) {
        #expect(RsyncCommand.filterRefusal(rule) == nil, "\(rule)")
    }

    @Test(arguments: [
        ("rsync --server -slogDtpre.iLsfxCIvu", RsyncCommandError.argumentsInProtocol),
        ("rsync --server --protect-args . dest", .argumentsInProtocol),
        ("rsync -av /src host:/dest", .notServer),
        ("rsync --server --frobnicate . dest", .unknownOption("--frobnicate")),
        ("rsync --server --delet . dest", .unknownOption("--delet")),
        ("rsync --server -Z . dest", .unknownOption("-Z")),
        ("rsync --server --delete=yes . dest", .unknownOption("--delete=yes")),
        ("rsync --server --backup-dir", .missingValue("--backup-dir")),
        ("rsync --server -logDtpre.iLsfxCIvu /etc dest", .missingDot),
        ("rsync --server -logDtpre.iLsfxCIvu", .missingDot),
        ("rsync --server --sender -logDtpre.iLsfxCIvu . /var/log/*.log", .wildcard("/var/log/*.log")),
        ("rsync --server --sender -logDtpre.iLsfxCIvu . '/var/log/*.log'", .wildcard("/var/log/*.log")),
        ("rsync --server -logDtpre.iLsfxCIvu . a b", .severalDestinations),
        ("rsync --server -logDtpre.iLsfxCIvu . $HOME/x", .dynamicWord("$HOME/x")),
        ("rsync --server -logDtpre.iLsfxCIvu . ~root/x", .dynamicWord("~root/x")),
        ("rsync --server -logDtpre.iLsfxCIvu . ../x", .pathLeavesHome("../x")),
        ("rsync --server -logDtpre.iLsfxCIvu . ''", .emptyPath),
        ("rsync --server . dest; id", .notOneCommand),
        ("sudo rsync --server . dest", .notOneCommand),
        ("rsync --server . dest > /tmp/x", .redirection(">")),
        ("RSYNC_RSH=x rsync --server . dest", .notOneCommand),
        ("scp --server . dest", .notRsync("scp")),
    ] as [(String, RsyncCommandError)])
    func refusesWhatItCannotDecide(_ line: String, _ expected: RsyncCommandError) {
        #expect(RsyncCommand.parse(line) == .failure(expected), "\(line)")
    }

    @Test func errorsReadWell() {
        #expect(RsyncCommandError.forbiddenOption("rsync-path", "it changes what runs on the target").description
            == "rsync option --rsync-path is refused: it changes what runs on the target")
        #expect(RsyncCommandError.argumentsInProtocol.description.contains("-s"))
    }
}
