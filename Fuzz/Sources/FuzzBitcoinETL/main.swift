// `trace run`'s reader of bitcoin-etl `transactions` JSON Lines, through a file path as `trace` gives it.
import FuzzSupport
@_spi(Fuzzing) import ProceedsGraph

fuzz { data, size in
    InputFile.withFile(data, size, suffix: ".json") { ImportFuzzing.read($0, as: .bitcoinETL) }
    return 0
}
