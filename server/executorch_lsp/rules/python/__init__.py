"""Rules for Python export scripts (ET4xx)."""
