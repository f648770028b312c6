"""executorch-lsp: a language server and CI linter for ExecuTorch deployment mistakes."""

__version__ = "0.1.0"

# Where the generated rule pages (docs/rules/<CODE>.md) are published.
DOCS_BASE_URL = "https://github.com/executorch-lsp/executorch-lsp/blob/main/docs/rules"
