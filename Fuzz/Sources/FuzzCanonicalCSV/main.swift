// `trace`'s ledger import of the canonical format, through a file path as `trace` gives it.
import FuzzSupport
@_spi(Fuzzing) import ProceedsGraph

fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".csv") { ImportFuzzing.read($0, as: .canonical) }
    return 0
}
