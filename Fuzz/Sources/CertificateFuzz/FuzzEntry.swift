import Foundation
import FuzzSupport
import SSHCrypto

/// libFuzzer entry point for the OpenSSH certificate parser (SSHCrypto). Every input is read
/// twice: as a certificate blob (wire bytes, what libssh hands over) and, decoded as UTF-8
/// text, as a `-cert.pub` / `authorized_keys` line. The plain public key parsers
/// (`SSHPublicKey(blob:)`, `SSHPublicKey(authorizedKeysLine:)`) get the same input. A thrown
/// error is fine; a trap or a failed precondition is a bug. Checked for every certificate
/// that parses:
/// - `blob` is the input, `signedBytes` a prefix of it followed by exactly the signature
///   string; the certified key and the CA key re-parse from their own blobs to equal keys;
///   key id and principals hold no NUL;
/// - with nothing trusted, `CertificateValidator` never accepts it; trusting its own CA key,
///   the outcome is never `.malformed` or `.untrustedAuthority`;
/// - re-signed by a fixed Ed25519 CA (same fields, the CA key and signature replaced), it
///   parses again to the same fields, and the validator trusting that CA gets past the
///   signature (never `.badSignature`) to the later checks (validity, principals, critical
///   options, `source-address` lists), giving the same result from the blob as from the
///   parsed certificate; an accepted identity carries the certificate's key id, serial and
///   principals and its `force-command`;
/// - a line rebuilt as `TYPE BASE64` parses to the same blob.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCertificate(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let input = fuzzBytes(data, count)

    // As wire bytes.
    if let certificate = try? OpenSSHCertificate(blob: input) {
        check(certificate, blob: input)
    }
    if let key = try? SSHPublicKey(blob: input) {
        checkKey(key)
    }
    let untrusting = CertificateValidator(policy: CertificatePolicy(trustedCAKeys: []))
    if case .success = untrusting.validate(certificateBlob: input, login: "alice", sourceAddress: "192.0.2.10", now: fixedNow) {
        preconditionFailure("a certificate was accepted with no trusted CA")
    }

    // As a line of text.
    let line = String(decoding: input, as: UTF8.self)
    if let certificate = try? OpenSSHCertificate(authorizedKeysLine: line) {
        check(certificate, blob: certificate.blob)
        let rebuilt = certificate.algorithm + " " + Data(certificate.blob).base64EncodedString()
        do {
            let again = try OpenSSHCertificate(authorizedKeysLine: rebuilt)
            precondition(again.blob == certificate.blob, "a rebuilt certificate line reads back a different blob")
        } catch {
            preconditionFailure("a rebuilt certificate line does not parse: \(error)")
        }
    }
    if let key = try? SSHPublicKey(authorizedKeysLine: line) {
        checkKey(key)
        do {
            let again = try SSHPublicKey(authorizedKeysLine: key.authorizedKeysLine)
            precondition(again == key, "a public key line written by authorizedKeysLine reads back a different key")
        } catch {
            preconditionFailure("a public key line written by authorizedKeysLine does not parse: \(error)")
        }
    }
    return 0
}

/// 2025-11-24, inside the validity of the seed certificates.
private let fixedNow = Date(timeIntervalSince1970: 1_764_000_000)

/// CERT_FUZZ_VERBOSE=1: print what the validator says of each re-signed certificate (to check seeds).
nonisolated(unsafe) private var verbose = false

/// The CA every parsed certificate is re-signed with.
nonisolated(unsafe) private var resigningCA: Ed25519PrivateKey!

private func checkKey(_ key: SSHPublicKey) {
    precondition(SSHPublicKey.supportedAlgorithms.contains(key.algorithm), "a key of unsupported type \(key.algorithm) parsed")
    do {
        let again = try SSHPublicKey(blob: key.blob)
        precondition(again == key && again.algorithm == key.algorithm, "a key's own blob reads back a different key")
        precondition(again.fingerprintSHA256 == key.fingerprintSHA256)
    } catch {
        preconditionFailure("a key's own blob does not parse: \(error)")
    }
}

private func check(_ certificate: OpenSSHCertificate, blob: [UInt8]) {
    precondition(certificate.blob == blob, "blob is not the input")
    precondition(OpenSSHCertificate.supportedAlgorithms.contains(certificate.algorithm), "unsupported type \(certificate.algorithm) parsed")
    let signed = certificate.signedBytes
    precondition(blob.starts(with: signed), "signedBytes is not a prefix of the blob")
    var tail = SSHWireReader(Array(blob[signed.count...]))
    do {
        let signature = try tail.readString("signature")
        precondition(signature == certificate.signature && tail.isAtEnd,
                     "the blob after signedBytes is not exactly the signature string")
    } catch {
        preconditionFailure("the blob after signedBytes is not a string: \(error)")
    }
    checkKey(certificate.publicKey)
    checkKey(certificate.signatureKey)
    precondition(!certificate.keyId.utf8.contains(0), "key id with a NUL")
    precondition(!certificate.principals.contains { $0.utf8.contains(0) }, "principal with a NUL")
    precondition(!certificate.criticalOptions.contains { $0.name.utf8.contains(0) || $0.value.utf8.contains(0) }, "critical option with a NUL")
    let expectedPlain = certificate.algorithm.replacingOccurrences(of: "-cert-v01@openssh.com", with: "")
    precondition(certificate.publicKey.algorithm == expectedPlain, "\(certificate.algorithm) certifies a \(certificate.publicKey.algorithm) key")

    // Trusting its own CA: past the trust check, whatever the signature.
    let own = CertificateValidator(policy: CertificatePolicy(trustedCAKeys: [certificate.signatureKey]))
    switch own.validate(certificate, login: certificate.principals.first ?? "alice", sourceAddress: "192.0.2.10", now: fixedNow) {
    case .failure(.malformed(let reason)): preconditionFailure("a parsed certificate is malformed to the validator: \(reason)")
    case .failure(.untrustedAuthority): preconditionFailure("the certificate's own CA is not trusted")
    default: break
    }

    resign(certificate, blob: blob)
}

/// The offset of the signature key field: every field before it, skipped.
private func signatureKeyOffset(_ certificate: OpenSSHCertificate, blob: [UInt8]) throws -> Int {
    var reader = SSHWireReader(blob)
    _ = try reader.readString()  // type
    _ = try reader.readString()  // nonce
    let keyFields = certificate.publicKey.algorithm == "ssh-ed25519" ? 1 : 2
    for _ in 0..<keyFields { _ = try reader.readString() }
    _ = try reader.readUInt64()  // serial
    _ = try reader.readUInt32()  // type
    for _ in 0..<2 { _ = try reader.readString() }  // key id, principals
    _ = try reader.readUInt64()
    _ = try reader.readUInt64()
    for _ in 0..<3 { _ = try reader.readString() }  // critical options, extensions, reserved
    return reader.offset
}

private func resign(_ certificate: OpenSSHCertificate, blob: [UInt8]) {
    let start: Int
    do { start = try signatureKeyOffset(certificate, blob: blob) } catch {
        preconditionFailure("the fields of a parsed certificate cannot be skipped: \(error)")
    }
    var field = SSHWireReader(Array(blob[start...]))
    do {
        _ = try field.readString()
        precondition(start + field.offset == certificate.signedBytes.count, "the signature key does not end where signedBytes ends")
    } catch {
        preconditionFailure("no signature key string at \(start): \(error)")
    }

    var writer = SSHWireWriter()
    writer.writeBytes(Array(blob[..<start]))
    writer.writeString(resigningCA.publicKey.blob)
    let signedBytes = writer.bytes
    do { writer.writeString(try resigningCA.sign(signedBytes)) } catch { preconditionFailure("signing failed: \(error)") }
    let newBlob = writer.bytes

    let resigned: OpenSSHCertificate
    do { resigned = try OpenSSHCertificate(blob: newBlob) } catch {
        preconditionFailure("the re-signed certificate does not parse: \(error)")
    }
    precondition(resigned.algorithm == certificate.algorithm && resigned.nonce == certificate.nonce
        && resigned.publicKey == certificate.publicKey && resigned.serial == certificate.serial
        && resigned.certificateType == certificate.certificateType && resigned.keyId == certificate.keyId
        && resigned.principals == certificate.principals && resigned.validAfter == certificate.validAfter
        && resigned.validBefore == certificate.validBefore && resigned.reserved == certificate.reserved,
        "the re-signed certificate reads back different fields")
    precondition(resigned.criticalOptions.map(\.name) == certificate.criticalOptions.map(\.name)
        && resigned.criticalOptions.map(\.value) == certificate.criticalOptions.map(\.value)
        && resigned.extensions.map(\.name) == certificate.extensions.map(\.name)
        && resigned.extensions.map(\.value) == certificate.extensions.map(\.value),
        "the re-signed certificate reads back different options")
    precondition(resigned.signatureKey == resigningCA.publicKey && resigned.signedBytes == signedBytes)

    let validator = CertificateValidator(policy: CertificatePolicy(trustedCAKeys: [resigningCA.publicKey]))
    let inWindow = Date(timeIntervalSince1970: Double(certificate.validAfter) + 1)
    let logins = [certificate.principals.first ?? "alice", "root"]
    for (now, address) in [(fixedNow, "192.0.2.10"), (inWindow, "2001:db8::5"), (inWindow, "198.51.100.7")] {
        for login in logins {
            let result = validator.validate(resigned, login: login, sourceAddress: address, now: now)
            if verbose { print("\(certificate.keyId) as \(login) from \(address): \(result)") }
            switch result {
            case .failure(.malformed(let reason)): preconditionFailure("the re-signed certificate is malformed to the validator: \(reason)")
            case .failure(.untrustedAuthority): preconditionFailure("the re-signing CA is not trusted")
            case .failure(.badSignature): preconditionFailure("the re-signed certificate's signature does not verify")
            case .failure: break
            case .success(let identity):
                precondition(certificate.certificateType == .user, "a \(certificate.certificateType) certificate was accepted")
                precondition(identity.login == login && certificate.principals.contains(login), "accepted for \(login), not a principal")
                precondition(identity.keyId == certificate.keyId && identity.serial == certificate.serial
                    && identity.principals == certificate.principals, "the identity does not match the certificate")
                precondition(identity.caFingerprint == resigningCA.publicKey.fingerprintSHA256)
                precondition(identity.keyFingerprint == certificate.publicKey.fingerprintSHA256)
                let names = certificate.criticalOptions.map(\.name)
                precondition(Set(names).count == names.count, "accepted with a repeated critical option")
                precondition(names.allSatisfy(CertificateValidator.supportedCriticalOptions.contains), "accepted with an unknown critical option")
                precondition(identity.forceCommand == certificate.criticalOptions.first { $0.name == "force-command" }?.value,
                             "the identity's force-command is not the certificate's")
            }
            let fromBlob = validator.validate(certificateBlob: newBlob, login: login, sourceAddress: address, now: now)
            precondition(fromBlob == result, "validating the blob gives \(fromBlob), the parsed certificate \(result)")
        }
    }
}

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it).
@_cdecl("CertificateFuzz_main")
public func certificateFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    verbose = getenv("CERT_FUZZ_VERBOSE") != nil
    resigningCA = fixedEd25519Key("bastion fuzz: certificate re-signing CA")
    return runFuzzer(argc, argv) { data, size in fuzzCertificate(data, size) }
}
