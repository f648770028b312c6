"""Rules for CMake files (ET2xx)."""
