// `trace`'s ledger import of the camt053 format, through a file path as `trace` gives it.
import FuzzSupport
@_spi(Fuzzing) import ProceedsGraph

fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".xml") { ImportFuzzing.read($0, as: .camt053) }
    return 0
}
