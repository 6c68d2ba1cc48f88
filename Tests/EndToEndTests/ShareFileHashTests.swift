import Foundation
import TestSupport
import Testing

/// File digests and names beyond MD5 and SHA-256 (SHA-1, SHA-512, ssdeep, imphash, TLSH, `filename|md5` …) reach
/// the MISP event as attributes of their own type and the STIX bundle as `file` observables with STIX's hash
/// names, on PyMISP's own test events; pymisp and stix2-validator read the result.
@Suite struct ShareFileHashTests {
    static let events = [
        "csirt/misp/pymisp-reportlab_testfiles__long_event.json",
        "csirt/misp/pymisp-reportlab_testfiles__mainly_objects_1.json",
    ].map(RealWorldFixtures.path)

    @Test func digestsAndFileNamesReachMISPAndSTIX() throws {
        let (w, env) = try ShareBuildTests.setUp()
        for e in Self.events { #expect(FileManager.default.fileExists(atPath: e), "missing fixture \(e)") }
        let built = try ShareBuildTests.build(w, env, [], inputs: Self.events, policy: "default")
        #expect(built.status == 0, "\(built.stderr)")
        try w.sh("mkdir x && cd x && unzip -q ../pkg.zip")

        let stix = try CLI.exec("stix2_validator", ["x/stix/bundle.json"], in: w.path)
        #expect(stix.status == 0 && !stix.stdout.contains("[X]"), "\(stix.stdout)")

        // Every digest attribute of the inputs is in the MISP event with its type and value, and in a STIX file
        // observable under STIX's name for its algorithm (a file name with a digest as the file's name too).
        let check = try w.sh(
            """
            python3 - \(Self.events.joined(separator: " ")) <<'PY'
            import json, sys
            from pymisp import MISPEvent
            kinds = {'md5': 'MD5', 'sha1': 'SHA-1', 'sha256': 'SHA-256', 'sha512': 'SHA-512', 'ssdeep': 'SSDEEP',
                     'imphash': 'imphash', 'tlsh': 'TLSH'}
            wanted = set()
            for path in sys.argv[1:]:
                e = json.load(open(path)); e = e.get('Event', e)
                attrs = e.get('Attribute', []) + [a for o in e.get('Object', []) for a in o.get('Attribute', [])]
                for a in attrs:
                    t = a['type']
                    if t in kinds or (t.startswith('filename|') and t[9:] in kinds):
                        wanted.add((t, a['value']))
            out = MISPEvent(); out.load_file('x/misp/event.json')
            got = {(a.type, a.value) for a in out.attributes}
            missing = sorted(wanted - got)
            files = [o for o in json.load(open('x/stix/bundle.json'))['objects'] if o['type'] == 'file']
            in_stix = set()
            for f in files:
                for alg, digest in f.get('hashes', {}).items():
                    in_stix.add((alg, digest, f.get('name')))
            stix_missing = []
            for t, v in wanted:
                if t.startswith('filename|'):
                    name, digest = v.rsplit('|', 1); alg = kinds[t[9:]]
                else:
                    name, digest, alg = None, v, kinds[t]
                if (alg, digest, name) not in in_stix: stix_missing.append((t, v))
            types = sorted({t for t, _ in wanted})
            print(len(wanted), ','.join(types), len(missing), len(stix_missing), missing[:3], stix_missing[:3])
            PY
            """)
        let parts = check.split(separator: " ", maxSplits: 4).map(String.init)
        #expect(parts.count == 5, "\(check)")
        #expect(Int(parts[0]) ?? 0 > 100, "\(check)")
        #expect(
            parts[1] == "filename|md5,filename|sha256,imphash,md5,sha1,sha256,sha512,ssdeep", "\(check)")
        #expect(parts[2] == "0" && parts[3] == "0", "\(check)")
    }
}
