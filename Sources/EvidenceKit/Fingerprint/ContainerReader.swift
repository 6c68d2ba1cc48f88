/// A reader of containers the fingerprint pipeline does not open itself (disk images), plugged into a run
/// through ``Fingerprinter/containers``.
///
/// A worker that has read a file's first block asks the reader whether it recognises it; if so, the file is not
/// sniffed as an archive, its own bytes are hashed as usual, and then the reader lists what is inside. The
/// records it returns follow the file's own record in the manifest, in the order given.
///
/// `Sendable`: one reader serves every worker thread of a run at once.
package protocol ContainerReader: Sendable {
    /// Whether the file at `path` whose first bytes are `firstBlock` is a container this reader opens.
    /// Called for every file of a run: it must be cheap and must not read anything.
    func recognises(_ firstBlock: UnsafeRawBufferPointer, path: RawName) -> Bool

    /// Lists and fingerprints everything inside the container the walk opened as `fd` (not to be closed here).
    /// Runs on the worker thread that hashed the file; it may start threads of its own.
    func expand(path: RawName, fd: Int32, options: FingerprintOptions) -> ContainerContents
}

/// What a ``ContainerReader`` found inside one container.
package struct ContainerContents: Sendable {
    /// The records of the items inside, in manifest order.
    package var records: [FingerprintRecord]
    /// Why the container could not be read whole: goes into the container's own record (the run exits 1).
    package var error: String?
    /// What the examiner should know about the container (its format, its segments): goes into its `note`.
    package var note: String?

    package init(records: [FingerprintRecord] = [], error: String? = nil, note: String? = nil) {
        self.records = records
        self.error = error
        self.note = note
    }
}
