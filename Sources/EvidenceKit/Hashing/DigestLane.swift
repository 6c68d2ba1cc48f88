/// The digest of one piece (block) of a stream, for piecewise hashing.
package struct PieceDigest: Sendable, Equatable {
    package var offset: UInt64
    package var size: UInt64
    /// Lowercase hex, one per algorithm, in canonical algorithm order.
    package var digests: [String]
}

/// Computes one algorithm over a stream: the whole-stream digest and, optionally, a digest per fixed-size piece.
///
/// `@unchecked Sendable`: a lane is mutated by exactly one thread at a time. Either one worker thread calls it
/// directly, or every call goes through one serial dispatch queue and the owner waits on that queue before
/// reading the result.
final class DigestLane: @unchecked Sendable {
    let algorithm: DigestAlgorithm
    private let whole: DigestContext
    private let piece: DigestContext?
    private let pieceSize: UInt64
    private var pieceStart: UInt64 = 0
    private var pieceFill: UInt64 = 0
    private var pieces: [(offset: UInt64, size: UInt64, hex: String)] = []

    init(_ algorithm: DigestAlgorithm, pieceSize: UInt64?) {
        self.algorithm = algorithm
        self.whole = DigestContext(algorithm)
        self.pieceSize = pieceSize ?? 0
        self.piece = pieceSize == nil ? nil : DigestContext(algorithm)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        whole.update(bytes)
        guard let piece else { return }
        var rest = bytes
        while !rest.isEmpty {
            let take = Int(min(UInt64(rest.count), pieceSize - pieceFill))
            piece.update(UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            pieceFill += UInt64(take)
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if pieceFill == pieceSize { closePiece() }
        }
    }

    /// A copy of the whole-stream computation so far, for the imager to finish over padding.
    func copyOfWhole() -> DigestContext { whole.copy() }

    private func closePiece() {
        guard let piece, pieceFill > 0 else { return }
        pieces.append((pieceStart, pieceFill, piece.finalizeHex()))
        pieceStart += pieceFill
        pieceFill = 0
    }

    /// Finishes and returns the whole-stream digest and the piece digests (empty unless piecewise).
    /// Resets the lane for the next stream.
    func finish() -> (hex: String, pieces: [(offset: UInt64, size: UInt64, hex: String)]) {
        closePiece()
        let result = (whole.finalizeHex(), pieces)
        pieces = []
        pieceStart = 0
        return result
    }
}

/// All requested algorithms over one stream, fed in one read of the data.
///
/// Not `Sendable` as a whole; see ``DigestLane`` for how lanes cross threads.
final class MultiDigest {
    let lanes: [DigestLane]
    let algorithms: [DigestAlgorithm]
    let piecewise: Bool

    init(_ algorithms: [DigestAlgorithm], pieceSize: UInt64?) {
        self.algorithms = algorithms
        self.piecewise = pieceSize != nil
        self.lanes = algorithms.map { DigestLane($0, pieceSize: pieceSize) }
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        for lane in lanes { lane.update(bytes) }
    }

    /// Finishes every lane: the digests in algorithm order, and the piece digests when piecewise.
    func finish() -> (digests: [String], pieces: [PieceDigest]?) {
        let results = lanes.map { $0.finish() }
        guard piecewise else { return (results.map(\.hex), nil) }
        let first = results.first?.pieces ?? []
        let pieces = first.indices.map { i in
            PieceDigest(offset: first[i].offset, size: first[i].size, digests: results.map { $0.pieces[i].hex })
        }
        return (results.map(\.hex), pieces)
    }
}
