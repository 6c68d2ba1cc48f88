import Foundation
import Testing

/// `evidence image` on a source whose reads fail at known offsets, through the real binary: a small LD_PRELOAD
/// library (compiled here with cc) makes `pread` and `read` of one file fail with EIO wherever they touch a given
/// byte range, as a disk with bad sectors does (no device-mapper `error` target is needed).
@Suite struct ImagingReadErrorCLITests {
    static let shim = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <errno.h>
        #include <stdlib.h>
        #include <sys/stat.h>
        #include <sys/types.h>
        #include <unistd.h>

        /* FAIL_PATH: the file; FAIL_RANGES: "offset:length,offset:length" in bytes. */
        static int ready;
        static dev_t fail_dev;
        static ino_t fail_ino;
        static long long ranges[16][2];
        static int nranges;

        static void setup(void) {
            if (ready) return;
            ready = 1;
            const char *path = getenv("FAIL_PATH"), *spec = getenv("FAIL_RANGES");
            struct stat st;
            if (!path || !spec || stat(path, &st) != 0) return;
            fail_dev = st.st_dev;
            fail_ino = st.st_ino;
            char *end;
            while (*spec && nranges < 16) {
                ranges[nranges][0] = strtoll(spec, &end, 10);
                ranges[nranges][1] = strtoll(end + 1, &end, 10);
                nranges++;
                spec = *end ? end + 1 : end;
            }
        }

        static int fails(int fd, long long offset, size_t count) {
            setup();
            struct stat st;
            if (nranges == 0 || fstat(fd, &st) != 0 || st.st_dev != fail_dev || st.st_ino != fail_ino) return 0;
            for (int i = 0; i < nranges; i++)
                if (offset < ranges[i][0] + ranges[i][1] && ranges[i][0] < offset + (long long)count) return 1;
            return 0;
        }

        ssize_t pread(int fd, void *buf, size_t count, off_t offset) {
            static ssize_t (*real)(int, void *, size_t, off_t);
            if (!real) real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
            if (fails(fd, offset, count)) { errno = EIO; return -1; }
            return real(fd, buf, count, offset);
        }

        ssize_t pread64(int fd, void *buf, size_t count, off_t offset) { return pread(fd, buf, count, offset); }

        ssize_t read(int fd, void *buf, size_t count) {
            static ssize_t (*real)(int, void *, size_t);
            if (!real) real = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
            off_t here = lseek(fd, 0, SEEK_CUR);
            if (here >= 0 && fails(fd, here, count)) { errno = EIO; return -1; }
            return real(fd, buf, count);
        }
        """

    /// Bytes 2560..3583 (sectors 5 and 6) and 700100..701099 (inside sectors 1367 to 1369) fail.
    static let failRanges = "2560:1024,700100:1000"
    /// The bad ranges the log must list: whole sectors, merged.
    static let expectedRanges = [[2560, 1024], [699_904, 1536]]

    /// Builds the shim and a 1 MiB + 300 byte source, and the source as an image must hold it (zeros in the
    /// failing sectors), written by Python, not by iproceeds.
    static func prepare() throws -> Workspace {
        let ws = try Workspace()
        try ws.write("failread.c", shim)
        try ws.sh("cc -shared -fPIC -O1 -o failread.so failread.c -ldl")
        try ws.sh("head -c 1048876 /dev/urandom > disk.bin")
        try ws.sh(
            "python3 -c \"b = bytearray(open('disk.bin', 'rb').read()); b[2560:3584] = bytes(1024); "
                + "b[699904:701440] = bytes(1536); open('expected.bin', 'wb').write(b)\"")
        // The shim works: cat of the source fails with EIO, outside iproceeds.
        let cat = try CLI.exec(
            "bash", ["-c", "cat disk.bin > /dev/null"], in: ws.path, environment: environment(ws))
        #expect(cat.status != 0 && cat.stderr.contains("Input/output error"), "\(cat.stderr)")
        return ws
    }

    static func environment(_ ws: Workspace) -> [String: String] {
        ["LD_PRELOAD": ws.path + "/failread.so", "FAIL_PATH": ws.path + "/disk.bin", "FAIL_RANGES": failRanges]
    }

    static func badRanges(_ ws: Workspace, _ log: String) throws -> [[Int]] {
        let data = try Data(contentsOf: ws.url.appendingPathComponent(log))
        let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        #expect(o["complete"] as? Bool == true)
        let ranges = o["badRanges"] as? [[String: Any]] ?? []
        #expect(ranges.allSatisfy { $0["errno"] as? Int == 5 }, "\(ranges)")
        return ranges.map { [$0["offset"] as? Int ?? -1, $0["length"] as? Int ?? -1] }
    }

    @Test func e01OfAFailingSourceListsTheBadSectorsAndHoldsZeros() throws {
        let ws = try Self.prepare()
        let r = try CLI.run(
            ["evidence", "image", "disk.bin", "-o", "bad", "-q"], in: ws.path, environment: Self.environment(ws))
        #expect(r.status == 1, "\(r.stderr)")
        #expect(try Self.badRanges(ws, "bad.log.json") == Self.expectedRanges)
        // libewf's tools, without the shim: the image verifies, lists the acquiry errors, and holds the source with
        // zeros in the failing sectors (padded to a whole sector: 1048876 is not one).
        #expect(try ws.sh("ewfverify -q bad.E01").contains("SUCCESS"))
        let info = try ws.sh("ewfinfo bad.E01")
        #expect(info.contains("at sector(s): 5 - 6 number: 2"), "\(info)")
        #expect(info.contains("at sector(s): 1367 - 1369 number: 3"), "\(info)")
        try ws.sh("ewfexport -q -u -f raw -t back bad.E01 > /dev/null")
        #expect(try ws.sh("head -c 1048876 back.raw | cmp - expected.bin && echo same") == "same\n")
        #expect(try ws.sh("stat -c %s back.raw") == "1049088\n")
    }

    @Test func rawOfAFailingSourceEqualsTheSourceWithZeros() throws {
        let ws = try Self.prepare()
        let r = try CLI.run(
            ["evidence", "image", "disk.bin", "-o", "bad", "--format", "raw", "--verify"], in: ws.path,
            environment: Self.environment(ws))
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("2 unreadable ranges (2560 bytes) written as zeros"), "\(r.stderr)")
        #expect(try Self.badRanges(ws, "bad.log.json") == Self.expectedRanges)
        try ws.sh("cmp bad.raw expected.bin")
        #expect(try ws.read("bad.log.txt").contains("offset 699904 length 1536"))
        // The digests in the log are of the image (what could be read), by coreutils.
        let sha = String(try ws.sh("sha256sum expected.bin").prefix(64))
        #expect(try ws.read("bad.log.json").contains(sha))
    }
}
