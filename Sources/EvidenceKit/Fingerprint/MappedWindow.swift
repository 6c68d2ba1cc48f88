#if os(Linux)
    import Glibc
    import Synchronization

    /// A read-only mapping of part of a file, hashed in place: the digests read the page cache itself instead of a
    /// copy of it made by `read(2)`, which costs about a tenth of SHA-256's time with SHA-NI (measured in
    /// `docs/benchmarks.md`).
    ///
    /// A mapped file that is truncated while it is hashed makes the next access past its new end raise `SIGBUS`,
    /// which would kill the run and lose every record not yet written. ``SIGBUSGuard`` catches that fault for the
    /// windows registered with it, puts zero pages where the file's pages were, and marks the window, so the hash
    /// goes on and the caller reports the file as changed, without a digest. A fault anywhere else is left to the
    /// previous handler.
    ///
    /// Not `Sendable`: a window is mapped and unmapped by one thread; other threads only read its bytes, between
    /// the owner's hand-off and its wait (see ``FileHasher``).
    final class MappedWindow {
        /// The bytes of every window but a file's last; 8 MiB keeps `mmap`/`munmap` and their TLB flushes below 1 % of
        /// the hashing time while keeping the mapped address space small.
        static let size = 8 << 20

        let bytes: UnsafeRawBufferPointer
        private let slot: Int

        /// Maps `length` bytes of `fd` from `offset` (a multiple of the page size), with the pages populated up front,
        /// or returns `nil` when the file cannot be mapped (some FUSE and network file systems, an exhausted address
        /// space): the caller then reads instead.
        init?(fd: Int32, offset: UInt64, length: Int) {
            precondition(length > 0 && offset % UInt64(SIGBUSGuard.pageSize) == 0)
            SIGBUSGuard.installOnce()
            guard let p = mmap(nil, length, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, off_t(offset)), p != MAP_FAILED
            else {
                return nil
            }
            bytes = UnsafeRawBufferPointer(start: p, count: length)
            guard let slot = SIGBUSGuard.register(start: UInt(bitPattern: p), length: length) else {
                munmap(p, length)
                return nil
            }
            self.slot = slot
        }

        /// Whether part of the window stopped being the file (it was truncated under it) and reads as zeros.
        var faulted: Bool { SIGBUSGuard.faulted(slot) }

        deinit {
            // Unregistered first: after munmap the addresses may be reused by anything.
            SIGBUSGuard.unregister(slot)
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), bytes.count)
        }
    }

    /// The process-wide `SIGBUS` handler for ``MappedWindow``s.
    ///
    /// The handler runs on the thread that touched the missing page; it only reads the table of registered windows
    /// (plain words, written before a window is handed to any reader and cleared after every reader is done) and
    /// calls `mmap`, which on Linux is a plain system call.
    enum SIGBUSGuard {
        static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        /// Windows mapped at once: a few per worker (the read ring of ``FileHasher``), far below this.
        static let capacity = 256

        /// Installs the handler the first time it is called.
        static func installOnce() { _ = installed }

        private static let installed: Bool = {
            _ = guardTable  // allocated before the handler can run
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = onSIGBUS
            action.sa_flags = SA_SIGINFO | SA_ONSTACK
            sigemptyset(&action.sa_mask)
            return sigaction(SIGBUS, &action, &previousSIGBUSAction) == 0
        }()

        private static let freeSlots = Mutex<[Int]>(Array((0..<capacity).reversed()))

        static func register(start: UInt, length: Int) -> Int? {
            guard installed, let slot = freeSlots.withLock({ $0.popLast() }) else { return nil }
            guardTable[3 * slot + 2] = 0
            guardTable[3 * slot + 1] = start + UInt(length)
            guardTable[3 * slot] = start
            return slot
        }

        static func unregister(_ slot: Int) {
            guardTable[3 * slot] = 0
            guardTable[3 * slot + 1] = 0
            freeSlots.withLock { $0.append(slot) }
        }

        static func faulted(_ slot: Int) -> Bool { guardTable[3 * slot + 2] != 0 }
    }

    /// Per window: start, end, faulted. Allocated once when the handler is installed and never freed.
    nonisolated(unsafe) private let guardTable: UnsafeMutablePointer<UInt> = {
        let table = UnsafeMutablePointer<UInt>.allocate(capacity: 3 * SIGBUSGuard.capacity)
        table.initialize(repeating: 0, count: 3 * SIGBUSGuard.capacity)
        return table
    }()
    nonisolated(unsafe) private var previousSIGBUSAction = sigaction()

    /// Replaces the rest of the window holding the faulting address with zero pages (the access then succeeds) and
    /// marks the window; for any other address, puts the previous handler back so that the repeated access meets it.
    private func onSIGBUS(_ signo: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?)
    {
        let address = UInt(bitPattern: info?.pointee._sifields._sigfault.si_addr)
        if address != 0 {
            for slot in 0..<SIGBUSGuard.capacity {
                let start = guardTable[3 * slot]
                let end = guardTable[3 * slot + 1]
                guard start != 0, start <= address, address < end else { continue }
                let page = address & ~UInt(SIGBUSGuard.pageSize - 1)
                let zeros = mmap(
                    UnsafeMutableRawPointer(bitPattern: page), Int(end - page), PROT_READ,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
                if zeros != MAP_FAILED {
                    guardTable[3 * slot + 2] = 1
                    return
                }
                break
            }
        }
        _ = sigaction(SIGBUS, &previousSIGBUSAction, nil)
    }
#endif
