import Foundation
import IProceedsBase

/// How every case store keeps a ledger entry in a row: scalar fields in their own columns, and the four
/// structured fields as canonical JSON text, so that a row read back gives the entry whose hash was signed.
extension CustodyEntry {
    /// The `items` column: a JSON array of strings.
    package var itemsColumn: String { JSONValue.strings(items).canonical }
    /// The `inputs` column: a JSON array of `{"name","sha256"}` objects.
    package var inputsColumn: String { Self.json(inputs).canonical }
    /// The `outputs` column.
    package var outputsColumn: String { Self.json(outputs).canonical }
    /// The `parameters` column: a JSON object of strings, keys in JCS order.
    package var parametersColumn: String { Self.json(parameters).canonical }

    /// An entry from a stored row. Malformed JSON columns come back empty, which verification then reports as
    /// changed content (the hash no longer matches), never as a crash.
    package init(
        storedSeq seq: Int64, time: String, caseID: String, examinerID: String, publicKey: String, action: String,
        itemsColumn: String, inputsColumn: String, outputsColumn: String, tool: String, toolVersion: String,
        parametersColumn: String, note: String, prevHash: String, entryHash: String, signature: String
    ) {
        func json(_ t: String) -> JSONValue? { try? JSONValue.parse(Array(t.utf8)) }
        func refs(_ t: String) -> [HashReference] {
            (json(t)?.items ?? []).compactMap {
                guard case .object = $0 else { return nil }
                return HashReference(name: $0["name"]?.string ?? "", sha256: $0["sha256"]?.string ?? "")
            }
        }
        func strings(_ t: String) -> [String] {
            guard let items = json(t)?.items else { return [] }
            let texts = items.compactMap(\.string)
            return texts.count == items.count ? texts : []
        }
        func parameters(_ t: String) -> [String: String] {
            guard case .object(let members)? = json(t) else { return [:] }
            var out: [String: String] = [:]
            for (key, value) in members {
                guard let text = value.string else { return [:] }
                out[key] = text
            }
            return out
        }
        self.init(
            seq: seq, time: time, caseID: caseID, examinerID: examinerID, publicKey: publicKey, action: action,
            items: strings(itemsColumn), inputs: refs(inputsColumn), outputs: refs(outputsColumn),
            tool: tool, toolVersion: toolVersion, parameters: parameters(parametersColumn),
            note: note, prevHash: prevHash, entryHash: entryHash, signature: signature)
    }
}
