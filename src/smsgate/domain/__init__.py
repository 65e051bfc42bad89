"""Pure logic: no I/O, no framework imports. Everything here is unit-tested in tests/unit."""
