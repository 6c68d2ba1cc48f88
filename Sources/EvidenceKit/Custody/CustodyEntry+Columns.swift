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
        func json(_ t: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(t.utf8)) }
        func refs(_ t: String) -> [HashReference] {
            ((json(t) as? [[String: Any]]) ?? []).map {
                HashReference(name: $0["name"] as? String ?? "", sha256: $0["sha256"] as? String ?? "")
            }
        }
        self.init(
            seq: seq, time: time, caseID: caseID, examinerID: examinerID, publicKey: publicKey, action: action,
            items: (json(itemsColumn) as? [String]) ?? [], inputs: refs(inputsColumn), outputs: refs(outputsColumn),
            tool: tool, toolVersion: toolVersion, parameters: (json(parametersColumn) as? [String: String]) ?? [:],
            note: note, prevHash: prevHash, entryHash: entryHash, signature: signature)
    }
}
