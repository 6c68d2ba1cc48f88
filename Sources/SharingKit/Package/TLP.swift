import IProceedsBase

/// The Traffic Light Protocol 2.0 (FIRST, August 2022) label a package carries.
///
/// In STIX 2.1 each label is the OASIS TLP 2.0 marking definition: a fixed id, `created` 2022-10-01, and the
/// property extension `extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d` with `tlp_2_0` (OASIS
/// `cti-stix-common-objects`, `extension-definition-specifications/tlp-2.0`). The ids are pinned here and by a
/// test; a validator does not check them.
package enum TLP: String, CaseIterable, Sendable, Codable {
    case clear
    case green
    case amber
    case amberStrict = "amber+strict"
    case red

    /// `TLP:AMBER+STRICT`.
    package var label: String { "TLP:" + rawValue.uppercased() }

    /// The MISP tag (`tlp:amber+strict`).
    package var mispTag: String { "tlp:" + rawValue }

    /// What the recipient may do with it, in FIRST's words, one sentence.
    package var allows: String {
        switch self {
        case .clear:
            "Recipients can spread this to the world; there is no limit on disclosure (subject to copyright)."
        case .green:
            "Recipients can spread this within their community (peers and partner organisations), but not via publicly accessible channels."
        case .amber:
            "Recipients can share this only on a need-to-know basis within their own organisation and with its clients who need to know to protect themselves or prevent further harm."
        case .amberStrict:
            "Recipients can share this only on a need-to-know basis within their own organisation, and no further."
        case .red:
            "For the eyes and ears of the individual recipients only: no further disclosure, not even within their organisation."
        }
    }

    /// The OASIS TLP 2.0 STIX 2.1 marking-definition id.
    package var stixMarkingID: String {
        switch self {
        case .clear: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
        case .green: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
        case .amber: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
        case .amberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
        case .red: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
        }
    }

    /// The STIX 2.1 TLP 1.0 marking-definition id of the nearest TLP 1.0 label (CLEAR was WHITE; AMBER+STRICT has
    /// no TLP 1.0 equivalent and maps to AMBER), for readers that know only the spec's built-in markings.
    package var stixTLP1MarkingID: String {
        switch self {
        case .clear: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
        case .green: "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
        case .amber, .amberStrict: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
        case .red: "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
        }
    }

    /// The OASIS TLP 2.0 extension definition the marking definitions use.
    package static let stixExtensionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

    /// The marking-definition object exactly as OASIS publishes it.
    package var stixMarkingDefinition: JSONValue {
        .object([
            ("type", "marking-definition"),
            ("spec_version", "2.1"),
            ("id", .string(stixMarkingID)),
            ("created", "2022-10-01T00:00:00.000Z"),
            ("name", .string(label)),
            (
                "extensions",
                .object([
                    (
                        Self.stixExtensionID,
                        .object([("extension_type", "property-extension"), ("tlp_2_0", .string(rawValue))])
                    )
                ])
            ),
        ])
    }

    /// FIRST's colours: the label's text colour on black.
    package var colour: String {
        switch self {
        case .clear: "#FFFFFF"
        case .green: "#33FF00"
        case .amber, .amberStrict: "#FFC000"
        case .red: "#FF2B2B"
        }
    }

    /// The MISP event `distribution` this label suggests: 3 (all communities) for CLEAR, 1 (this community) for
    /// GREEN, 0 (the receiving organisation only) for the rest.
    package var mispDistribution: Int {
        switch self {
        case .clear: 3
        case .green: 1
        case .amber, .amberStrict, .red: 0
        }
    }
}
