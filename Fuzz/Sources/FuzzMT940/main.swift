import FuzzSupport
import ProceedsGraph

// `trace`'s ledger import of the mt940 format, through a file path as `trace` gives it.
fuzz { data, size in
    _ = try? LedgerImporter.load([InputFile.write(data, size, suffix: ".sta")], format: .mt940)
    return 0
}
