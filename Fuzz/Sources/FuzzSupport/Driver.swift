#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLibFuzzer

/// Hands `body` to libFuzzer with the command line, and exits with libFuzzer's status.
///
/// `body` gets one input (pointer and length), must not keep the pointer, and returns 0. A crash, a trap, a
/// sanitizer report, a timeout or going over `-rss_limit_mb` is a finding; anything the reader throws is not.
public func fuzz(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, body))
}
