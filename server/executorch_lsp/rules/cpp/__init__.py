"""Rules for C++ sources (ET1xx)."""
