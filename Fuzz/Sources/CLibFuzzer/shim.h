#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for programs that keep their own `main` (see llvm's libFuzzer docs, "Using libFuzzer as a
/// library"). SwiftPM renames an executable's `main` on Linux, so the harnesses call this instead of relying on
/// libFuzzer's `main`. Linked by `-sanitize=fuzzer`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
