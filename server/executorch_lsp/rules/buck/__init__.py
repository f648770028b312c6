"""Rules for Buck/Starlark build files."""
