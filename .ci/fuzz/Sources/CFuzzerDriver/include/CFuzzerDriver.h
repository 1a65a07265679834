// libFuzzer's driver, for an entry point of our own: SwiftPM links an executable's `main` to
// `<module>_main`, so the fuzz target defines `parser_fuzz_main` and hands over to libFuzzer here.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
