import FuzzSupport
import ProceedsGraph

// `trace`'s ledger import of the canonical format, through a file path as `trace` gives it.
fuzz { data, size in
    _ = try? LedgerImporter.load([InputFile.write(data, size, suffix: ".csv")], format: .canonical)
    return 0
}
