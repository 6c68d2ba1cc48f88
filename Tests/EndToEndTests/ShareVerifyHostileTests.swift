import Foundation
import Testing

/// `share verify` on packages an attacker made: zips whose local headers and central directory disagree (so that
/// `bsdtar` reading from a pipe sees other content than a central-directory reader), an extra member only a
/// streaming reader sees, a member changed after signing, a deflate bomb, and control characters in what the
/// package says. The hostile zips are made here with Python's zipfile and byte patching.
@Suite struct ShareVerifyHostileTests {
    /// Python helpers: the central directory of a zip, and where a member's local header is.
    static let zipTools = #"""
        import struct, zipfile, zlib, sys
        def cd(z):
            e = z.rfind(b'PK\x05\x06')
            n, size, off = struct.unpack('<HII', z[e+10:e+20])
            out, at = [], off
            for _ in range(n):
                nl, xl, cl = struct.unpack('<HHH', z[at+28:at+34])
                out.append({'at': at, 'name': z[at+46:at+46+nl], 'local': struct.unpack('<I', z[at+42:at+46])[0],
                            'csize': struct.unpack('<I', z[at+20:at+24])[0]})
                at += 46 + nl + xl + cl
            return e, off, out
        def local(z, name):
            return next(m['local'] for m in cd(z)[2] if m['name'] == name)
        def data_at(z, name):
            l = local(z, name)
            nl, xl = struct.unpack('<HH', z[l+26:l+30])
            return l + 30 + nl + xl
        """#

    /// Runs `script` (after the helpers) in the workspace.
    static func python(_ w: Workspace, _ script: String) throws {
        try w.sh("python3 - <<'PY'\n" + zipTools + "\n" + script + "\nPY")
    }

    /// Member names as a central-directory reader (Python's zipfile) and a streaming reader (bsdtar from a pipe)
    /// see them.
    static func views(_ w: Workspace, _ zip: String) throws -> (central: String, streamed: String) {
        let central = try w.sh("python3 -c \"import zipfile; print('\\n'.join(zipfile.ZipFile('\(zip)').namelist()))\"")
        // Through a pipe: given a file, bsdtar seeks to the central directory.
        let streamed = try CLI.exec("bash", ["-c", "cat \(zip) | bsdtar -tf -"], in: w.path)
        return (central, streamed.stdout + streamed.stderr)
    }

    @Test func localHeadersThatDisagreeWithTheCentralDirectoryFail() throws {
        let (w, env) = try ShareBuildTests.setUp()
        #expect(try ShareBuildTests.build(w, env, []).status == 0)
        try Self.python(
            w,
            #"""
            z = bytearray(open('pkg.zip', 'rb').read())
            # 1. A local header names another file than the central directory (same length).
            a = bytearray(z); l = local(z, b'summary.html'); a[l+30:l+42] = b'summary.htmX'
            open('name.zip', 'wb').write(a)
            # 2. A local header gives a shorter size: a streaming reader stops early and reads the rest as more.
            b = bytearray(z); l = local(z, b'records/records.jsonl')
            size = struct.unpack('<I', b[l+22:l+26])[0]
            b[l+18:l+26] = struct.pack('<II', size - 200, size - 200)
            open('size.zip', 'wb').write(b)
            # 3. An extra local entry between two members that the central directory does not list.
            body = b'not covered by the signature\n'
            extra = struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 0, 0, 0, zlib.crc32(body), len(body), len(body),
                                len('evil.txt'), 0) + b'evil.txt' + body
            e, off, members = cd(z)
            at = local(z, b'summary.html')
            c = bytearray(z[:at] + extra + z[at:])
            shift = len(extra)
            e += shift; off += shift
            for m in members:
                p = m['at'] + shift
                if m['local'] >= at: c[p+42:p+46] = struct.pack('<I', m['local'] + shift)
            c[e+16:e+20] = struct.pack('<I', off)
            open('extra.zip', 'wb').write(c)
            # 4. A member changed after signing (its CRC and the manifest left as they were).
            d = bytearray(z); p = data_at(z, b'stix/bundle.json') + 10; d[p] ^= 0x20
            open('altered.zip', 'wb').write(d)
            """#)

        // The hostile zips really read differently from a pipe.
        for name in ["name.zip", "extra.zip"] {
            let v = try Self.views(w, name)
            #expect(v.central != v.streamed, "\(name): \(v)")
        }
        #expect(try Self.views(w, "extra.zip").streamed.contains("evil.txt"))
        #expect(try !Self.views(w, "extra.zip").central.contains("evil.txt"))

        let expected: [(zip: String, file: String, reason: String)] = [
            ("name.zip", "summary.html", "the local header gives the name 'summary.htmX'"),
            ("size.zip", "records/records.jsonl", "the local header gives compressed size"),
            ("extra.zip", "summary.html", "67 bytes before this member's local header"),
            ("altered.zip", "stix/bundle.json", "CRC-32 is"),
            ("altered.zip", "stix/bundle.json", "SHA-256 is"),
        ]
        for e in expected {
            let r = try CLI.run(
                ["share", "verify", e.zip, "--public-key", "home/examiner.json"], in: w.path, environment: env)
            #expect(r.status == 1, "\(e.zip): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("NOT INTACT:"), "\(e.zip): \(r.stdout)")
            #expect(r.stdout.contains("  \(e.file): \(e.reason)"), "\(e.zip): \(r.stdout)")
            #expect(!r.stdout.contains("NOT A READABLE PACKAGE"), "\(e.zip)")
        }
    }

    @Test func deflateBombsAreStreamedAndStopped() throws {
        let (w, env) = try ShareBuildTests.setUp()
        #expect(try ShareBuildTests.build(w, env, []).status == 0)
        // A 256 MiB member of zeros, deflated to about 256 KiB: once declaring its true size, once declaring 1000
        // bytes in both headers (a bomb).
        try Self.python(
            w,
            #"""
            src = zipfile.ZipFile('pkg.zip')
            with zipfile.ZipFile('big.zip', 'w') as out:
                for n in src.namelist(): out.writestr(src.getinfo(n), src.read(n))
                info = zipfile.ZipInfo('zeros.bin'); info.compress_type = zipfile.ZIP_DEFLATED
                with out.open(info, 'w') as f:
                    chunk = bytes(1 << 20)
                    for _ in range(256): f.write(chunk)
            z = bytearray(open('big.zip', 'rb').read())
            e, off, members = cd(z)
            m = next(m for m in members if m['name'] == b'zeros.bin')
            z[m['at']+24:m['at']+28] = struct.pack('<I', 1000)
            z[m['local']+22:m['local']+26] = struct.pack('<I', 1000)
            open('bomb.zip', 'wb').write(z)
            """#)
        for (zip, reason) in [
            ("big.zip", "not listed in the manifest"), ("bomb.zip", "inflates to more than the 1000 bytes"),
        ] {
            let r = try CLI.exec(
                "/usr/bin/time",
                ["-f", "maxrss-kb %M", CLI.binary, "share", "verify", zip, "--public-key", "home/examiner.json"],
                in: w.path, environment: env)
            #expect(r.status == 1, "\(zip): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("  zeros.bin: \(reason)"), "\(zip): \(r.stdout)")
            // The member inflates to 256 MiB; held in memory it would take at least that (twice, before).
            let rss = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("maxrss-kb ") })
            let kb = try #require(Int(rss.dropFirst("maxrss-kb ".count)))
            #expect(kb < 96 * 1024, "\(zip): max RSS \(kb) KiB")
        }
    }

    @Test func untrustedTextIsEscaped() throws {
        let (w, env) = try ShareBuildTests.setUp()
        // The sender's name and a member name carry an escape sequence and a carriage return.
        let built = try ShareBuildTests.build(w, env, ["--organisation", "Evil\u{1B}[2J\rCorp\u{202E}"])
        #expect(built.status == 0, "\(built.stderr)")
        try Self.python(
            w,
            #"""
            src = zipfile.ZipFile('pkg.zip')
            with zipfile.ZipFile('named.zip', 'w') as out:
                for n in src.namelist(): out.writestr(src.getinfo(n), src.read(n))
                out.writestr('x\x1b[32m\rIntact: all good.txt', b'x')
            """#)
        let r = try CLI.run(["share", "verify", "named.zip"], in: w.path, environment: env)
        #expect(r.status == 1)
        #expect(!r.stdout.contains("\u{1B}") && !r.stdout.contains("\r") && !r.stdout.contains("\u{202E}"))
        #expect(r.stdout.contains(#"From: Evil\x1b[2J\x0dCorp\u{202e}"#), "\(r.stdout)")
        #expect(r.stdout.contains(#"  x\x1b[32m\x0dIntact: all good.txt: not listed in the manifest"#), "\(r.stdout)")
    }
}

/// `share policy` on policy files that would exhaust the reader: exit 65 with a clear error, no crash.
@Suite struct SharePolicyLimitTests {
    @Test func aliasBombAndDeepNestingExit65() throws {
        let w = try Workspace()
        var bomb =
            "version: 1\nname: lol\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = Array("abcdefghi")
        for i in 1..<names.count {
            bomb +=
                "\(names[i]): &\(names[i]) [" + Array(repeating: "*\(names[i - 1])", count: 9).joined(separator: ",")
                + "]\n"
        }
        _ = try w.write("bomb.yaml", bomb)
        _ = try w.write("deep.json", "{\"version\": 1, \"names\": " + String(repeating: "[", count: 100_000) + "}")
        for (file, reason) in [("bomb.yaml", "more than 16 YAML aliases"), ("deep.json", "nested more than 64 deep")] {
            let r = try CLI.run(["share", "policy", "--policy", file], in: w.path)
            #expect(r.status == 65, "\(file): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("iproceeds: error: ") && r.stderr.contains(reason), "\(file): \(r.stderr)")
        }
    }
}
