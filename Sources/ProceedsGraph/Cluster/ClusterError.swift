/// Why clustering or attribution could not go on: a usage mistake or an input that does not validate.
public struct ClusterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, for a caller that decides on an exit status (extensible: new codes may be added).
    public struct Code: RawRepresentable, Hashable, Sendable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A change heuristic that does not exist (usage).
        public static let unknownHeuristic = Code(rawValue: "unknown-heuristic")
        /// A tag file (TagPack or CSV) that does not validate (unusable input).
        public static let invalidTags = Code(rawValue: "invalid-tags")
        /// A tag file that cannot be read (missing input).
        public static let unreadableTags = Code(rawValue: "unreadable-tags")
        /// An entities file that does not have the columns `trace cluster` writes (unusable input).
        public static let invalidEntities = Code(rawValue: "invalid-entities")
    }

    public var code: Code
    /// The file, the place in it (line or tag index) and the reason, in words.
    public var description: String

    public init(code: Code, description: String) {
        self.code = code
        self.description = description
    }
}
