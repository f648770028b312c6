; The nodes an export script's model indexes: calls, comments and imports (rules/python/model.py).
(call) @call
(comment) @comment
(import_statement) @import
(import_from_statement) @import
